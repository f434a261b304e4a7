"""Compound words typed apart or together where the notes write them the other way."""

from __future__ import annotations

import pytest

from index import Record, Retriever, Verdict
from index.compounds import joined_term_ids, splits, written_apart

NOTES = """\
# Storage

## Bind mounts

A bind mount maps a host folder into the container. Edit the code on the host and the container sees it.

## Image recipes

A Dockerfile lists the steps that build an image, one instruction per line.

## Ignoring build output

Ignore build output and secrets in the context so the docker daemon never receives them.

## Logging

Each container writes to its own log file; read it with the logs command.
"""


@pytest.fixture(scope="module")
def retriever() -> Retriever:
    return Retriever.from_records([Record("storage", "Storage", NOTES)])


def top_title(retriever: Retriever, question: str) -> str | None:
    hits = retriever.search(question, 1)
    return hits[0].section.title if hits else None


def test_a_word_typed_together_is_read_as_the_two_words_the_notes_write_apart(retriever: Retriever) -> None:
    assert top_title(retriever, "bindmount host folder") == "Bind mounts"
    assert retriever.answer("what is a bindmount?").verdict is Verdict.ANSWERED


def test_two_words_that_only_share_a_section_are_no_compound(retriever: Retriever) -> None:
    # "docker" and "ignore" are both in "Ignoring build output", never next to each other: "dockerignore" is a word
    # these notes do not know, and a question made of it is not about them.
    assert retriever.answer("dockerignore syntax").verdict is Verdict.NOT_COVERED


def test_words_typed_apart_also_count_as_the_compound_the_notes_use(retriever: Retriever) -> None:
    # "docker" and "file" alone would pick the log file section; the notes say "Dockerfile".
    assert top_title(retriever, "docker file steps") == "Image recipes"


def test_splits_need_parts_the_notes_use_and_long_enough_words() -> None:
    vocabulary = {"bind": 0, "mount": 1, "multi": 2, "stage": 3}

    def term(word: str) -> str:
        return word.lower()

    assert splits("bindmount", term, vocabulary) == [("bind", "mount")]
    assert splits("multistage", term, vocabulary) == [("multi", "stage")]
    assert splits("bindmo", term, vocabulary) == []  # shorter than a compound worth trying
    assert splits("bind2mount", term, vocabulary) == []
    assert splits("bind" * 10 + "mount", term, vocabulary) == []  # longer than any compound: not tried


def test_joined_terms_are_those_of_adjacent_alphabetic_words_the_notes_use() -> None:
    vocabulary = {"docker": 0, "file": 1, "dockerfile": 2, "0": 3, "00": 4}

    def term(word: str) -> str:
        return word.lower()

    assert joined_term_ids(["a", "docker", "file"], term, vocabulary) == [2]
    assert joined_term_ids(["docker", "a", "file"], term, vocabulary) == []
    assert joined_term_ids(["0", "0"], term, vocabulary) == []


def test_written_apart_means_next_to_each_other() -> None:
    assert written_apart("bind", "mount", ["Use a bind-mount here"])
    assert written_apart("bind", "mount", ["A Bind\nmount"])
    assert not written_apart("bind", "mount", ["bind the port, then mount the volume"])
    assert not written_apart("bind", "mount", ["rebind mount"])
