"""The retriever on notes small enough to work the answers out by eye."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from index import Record, Retriever, RetrieverParams, Verdict

TINY = Path(__file__).parent / "notes" / "tiny"

GOLDEN = {
    "what does the kernel do": "linux/kernel.md#the-linux-kernel",
    "difference between kernel space and user space": "linux/kernel.md#kernel-space-and-user-space",
    "what is a daemon": "linux/kernel.md#daemons",
    "how do I change file permissions with chmod": "linux/files.md#permissions",
    "how to create a symbolic link": "linux/files.md#symbolic-links",
    "what is a sourdough starter": "cooking.txt#sourdough-starter",
    "how do I bake bread": "cooking.txt#cooking",
    "kernal spase": "linux/kernel.md#kernel-space-and-user-space",  # typos corrected against the notes
    "DAEMONS!!": "linux/kernel.md#daemons",
}


@pytest.fixture(scope="module")
def tiny() -> Retriever:
    return Retriever.from_directory(TINY)


@pytest.mark.parametrize(("question", "section_id"), GOLDEN.items())
def test_golden_questions_find_their_section(tiny: Retriever, question: str, section_id: str) -> None:
    answer = tiny.answer(question)
    assert answer.hit is not None
    assert answer.hit.section.id == section_id


@pytest.mark.parametrize(
    "question",
    ["what's the weather in Paris", "best pizza in Naples", "how do I configure kubernetes ingress"],
)
def test_questions_the_notes_do_not_cover_are_declined(tiny: Retriever, question: str) -> None:
    answer = tiny.answer(question)
    assert answer.hit is None
    assert answer.verdict is Verdict.NOT_COVERED


@pytest.mark.parametrize(
    "question", ["", "   \n\t", "what is the", "?!?...", "🐳🐳🐳", "\x00\x07\x1b\x7f", "a " * 50_000]
)
def test_questions_without_searchable_words_get_an_empty_verdict(tiny: Retriever, question: str) -> None:
    assert tiny.search(question) == []
    answer = tiny.answer(question)
    assert (answer.hit, answer.suggestions, answer.verdict) == (None, (), Verdict.EMPTY)


def test_a_huge_question_is_answered_without_error(tiny: Retriever) -> None:
    question = ("kernel memory " * 8_000)[:100_000]
    answer = tiny.answer(question)
    assert answer.hit is not None and answer.hit.section.id == "linux/kernel.md#the-linux-kernel"


def test_search_ranks_best_first_with_scores_and_coverage(tiny: Retriever) -> None:
    hits = tiny.search("kernel", k=10)
    assert [h.section.id for h in hits][:2] == [
        "linux/kernel.md#the-linux-kernel",
        "linux/kernel.md#kernel-space-and-user-space",
    ]
    assert all(a.score >= b.score for a, b in itertools.pairwise(hits))
    assert all(h.coverage == 1.0 for h in hits)


def test_navigation_and_hidden_notes_are_never_returned(tiny: Retriever) -> None:
    assert not any("Hidden" in s.title for s in tiny.sections)
    assert tiny.search("editor settings folder") == [] or all(
        h.section.searchable for h in tiny.search("editor settings folder")
    )


@pytest.mark.parametrize("k", [0, -1, 1.5, True])
def test_k_must_be_a_positive_integer(tiny: Retriever, k: object) -> None:
    with pytest.raises(ValueError, match="k must be a positive integer"):
        tiny.search("kernel", k=k)  # type: ignore[arg-type]


def test_a_near_tie_is_flagged_ambiguous() -> None:
    retriever = Retriever.from_records(
        [
            Record("a", "A", "# Docker volumes\nVolumes keep data."),
            Record("b", "B", "# Docker volumes\nVolumes keep data."),
        ]
    )
    answer = retriever.answer("docker volumes")
    assert answer.verdict is Verdict.AMBIGUOUS
    assert answer.hit is not None and len(answer.suggestions) == 1


def test_one_section_corpus() -> None:
    retriever = Retriever.from_records([Record("only", "Only", "Containers share the host kernel.")])
    answer = retriever.answer("do containers share the kernel")
    assert answer.hit is not None and answer.hit.section.id == "only#only"
    assert answer.suggestions == ()


def test_records_without_any_words_give_a_retriever_that_answers_nothing() -> None:
    retriever = Retriever.from_records([Record("e", "E", "# \n\n")])
    assert retriever.answer("kubernetes helm charts").verdict is Verdict.NOT_COVERED


def test_unknown_words_only_are_declined(tiny: Retriever) -> None:
    answer = tiny.answer("zyxwv qwertyuiop")
    assert answer.verdict is Verdict.NOT_COVERED and answer.suggestions == ()


def test_threshold_is_a_parameter() -> None:
    lenient = Retriever.from_directory(TINY, params=RetrieverParams(min_coverage=0.0, min_known=0.0))
    strict = Retriever.from_directory(TINY, params=RetrieverParams(min_coverage=1.0))
    assert lenient.answer("kernel weather").answered
    assert not strict.answer("kernel weather").answered


@pytest.mark.parametrize("value", [-0.1, 1.5])
def test_invalid_threshold_is_refused_with_a_clear_message(value: float) -> None:
    with pytest.raises(ValueError, match="min_coverage must be between 0 and 1"):
        RetrieverParams(min_coverage=value)


def test_section_lookup_by_id(tiny: Retriever) -> None:
    assert tiny.section("linux/files.md#symbolic-links").line == 7
    with pytest.raises(KeyError, match="no section with id 'nope'"):
        tiny.section("nope")


def test_score_text_ranks_passages_by_the_question(tiny: Retriever) -> None:
    scores = tiny.score_text("user space system calls", ["The kernel schedules.", "Programs make system calls."])
    assert scores[1] > scores[0] == 0.0
