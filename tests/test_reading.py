"""``Retriever.reading``: how a question is read, written out for people and apps to see."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index import Reading, Record, Retriever, Verdict
from index.retriever import _Trace

NOTES = """\
# Machines

## Virtual machines

A virtual machine (VM) emulates a whole computer, and each virtual machine boots its own kernel.

## Bind mounts

A bind mount maps a host folder into the container, so edits on the host show inside it.

## Image recipes

A Dockerfile lists the steps that docker follows to build an image, one instruction per line of the file.

## The kernel

The kernel manages memory, devices and processes for every program on the host.
"""

BUNDLED_QUESTIONS = Path(__file__).parent.parent / "eval" / "bundled.jsonl"


@pytest.fixture(scope="module")
def retriever() -> Retriever:
    return Retriever.from_records([Record("machines", "Machines", NOTES)])


def test_a_misspelt_word_is_searched_as_the_notes_word_it_was_read_as(retriever: Retriever) -> None:
    reading = retriever.reading("what does the kernal manage?")
    assert reading.corrected == (("kernal", "kernel"),)
    assert reading.searched == ("kernel", "manage")
    assert (reading.unknown, reading.known) == ((), pytest.approx(1.0))


def test_words_the_notes_never_use_are_named_and_weigh_against_answering(retriever: Retriever) -> None:
    reading = retriever.reading("best pizza in naples")
    assert reading.unknown == ("best", "pizza", "naples")
    assert reading.searched == () and reading.known == 0.0
    assert retriever.answer("best pizza in naples").verdict is Verdict.NOT_COVERED

    half = retriever.reading("kernel pizza")
    assert (half.searched, half.unknown) == (("kernel",), ("pizza",))
    assert 0 < half.known < retriever.params.min_known  # why it is declined
    assert retriever.answer("kernel pizza").verdict is Verdict.NOT_COVERED


def test_stop_words_chat_words_and_shape_words_the_notes_lack_are_left_out(retriever: Retriever) -> None:
    reading = retriever.reading("hey, can u give me an overview of the kernel pls?")
    assert reading.searched == ("kernel",)
    assert reading.ignored == ("hey", "can", "u", "give", "me", "an", "overview", "of", "the", "pls")
    assert reading.unknown == ()


def test_compounds_typed_either_way_say_how_they_were_read(retriever: Retriever) -> None:
    reading = retriever.reading("bindmount or docker file?")
    assert reading.compounds == (("bindmount", "bind mount"), ("docker file", "dockerfile"))
    assert reading.searched == ("bind", "mount", "docker", "file")


def test_an_acronym_the_notes_define_names_its_long_form(retriever: Retriever) -> None:
    reading = retriever.reading("how is a VM different?")
    assert reading.acronyms == (("vm", "virtual machine"),)
    assert "vm" in reading.searched


def test_a_question_with_nothing_to_search_reads_as_nothing(retriever: Retriever) -> None:
    for question in ("", "   ", "???", "🙂", "the of and"):
        reading = retriever.reading(question)
        assert (reading.searched, reading.unknown, reading.known) == ((), (), 0.0), question
    with pytest.raises(TypeError):
        retriever.reading(None)  # type: ignore[arg-type]


def test_each_word_is_listed_once_in_the_order_typed(retriever: Retriever) -> None:
    reading = retriever.reading("kernel memory kernal kernel pizza pizza")
    assert reading.searched == ("kernel", "memory")
    assert reading.corrected == (("kernal", "kernel"),)
    assert reading.unknown == ("pizza",)


def test_writing_the_reading_out_changes_nothing_the_search_does() -> None:
    """Every bundled question is read into the same terms, weights and long forms with and without a trace."""
    bundled = Retriever.from_directory(Path(__file__).parent.parent / "corpus")
    questions = [json.loads(line)["q"] for line in BUNDLED_QUESTIONS.read_text(encoding="utf-8").splitlines()]
    assert len(questions) > 200
    for question in questions:
        assert bundled._query(question, _Trace()) == bundled._query(question), question
        reading = bundled.reading(question)
        query = bundled._query(question)
        assert isinstance(reading, Reading)
        assert reading.known == (query.known_mass / query.total_mass if query.total_mass else 0.0)
