"""How a question's words are weighed: shape words, chat words, and which heading a question is about."""

from __future__ import annotations

import pytest

from index import Record, Retriever, Verdict
from index.analysis import SHAPE_WORDS, STOP_WORDS, Analyzer

KERNEL = """\
# Kernel

The kernel manages memory, schedules processes and talks to the hardware through drivers.

## System calls

A system call is how a program asks the kernel to open a file, allocate memory or start a process.
"""

SWARM = """\
# Swarm

## Tasks

A task is one container of a service, placed on a node by the scheduler.

## Draining a node

Before maintenance, drain the node: the manager moves its tasks to other nodes and sends no new ones.
"""


@pytest.fixture(scope="module")
def kernel() -> Retriever:
    return Retriever.from_records([Record("kernel", "Kernel", KERNEL)])


@pytest.mark.parametrize("question", ["kernel overview", "system calls for beginners", "system calls tutorial"])
def test_a_shape_word_the_notes_never_use_does_not_make_a_question_off_topic(kernel: Retriever, question: str) -> None:
    answer = kernel.answer(question)
    assert answer.verdict is Verdict.ANSWERED
    assert answer.hit is not None and answer.hit.coverage == 1.0


def test_a_shape_word_the_notes_use_is_matched_like_any_word() -> None:
    notes = "# Tips\n\nTips for writing small images.\n\n# Layers\n\nEach instruction adds a layer to small images."
    retriever = Retriever.from_records([Record("n", "Notes", notes)])
    hits = retriever.search("small images tips", k=2)
    assert [h.section.title for h in hits] == ["Tips", "Layers"]


def test_shape_words_do_not_rescue_a_question_about_something_else(kernel: Retriever) -> None:
    assert kernel.answer("terraform overview for beginners").verdict is Verdict.NOT_COVERED


@pytest.mark.parametrize("question", ["kernel vs hardware", "kernel versus hardware", "wat does the kernel do"])
def test_chat_words_and_vs_are_not_topics(kernel: Retriever, question: str) -> None:
    answer = kernel.answer(question)
    assert answer.hit is not None and answer.hit.section.title == "Kernel"
    assert answer.hit.coverage == 1.0


def test_chat_words_and_contractions_are_stop_words() -> None:
    analyzer = Analyzer()
    for word in ("vs", "versus", "wat", "doesnt", "dont", "idk", "pls"):
        assert word in STOP_WORDS
        assert analyzer.term(word) is None
    assert not SHAPE_WORDS & STOP_WORDS


def test_a_one_word_heading_does_not_win_a_question_mostly_about_something_else() -> None:
    # "Tasks" is all of its heading but a small part of the question; "Draining a node" holds most of it.
    swarm = Retriever.from_records([Record("swarm", "Swarm", SWARM)])
    question = "how do I take a node out of service for maintenance so its tasks move to other nodes"
    assert [h.section.title for h in swarm.search(question, k=2)] == ["Draining a node", "Tasks"]


def test_a_heading_that_is_the_whole_question_still_wins(kernel: Retriever) -> None:
    # "System calls" mentions the kernel too, but the question names the "Kernel" heading and nothing else.
    assert kernel.search("what does the kernel do", k=1)[0].section.title == "Kernel"
    assert kernel.search("system calls", k=1)[0].section.title == "System calls"


def test_a_misspelt_stop_word_is_dropped_not_counted_as_an_unknown_word(kernel: Retriever) -> None:
    answer = kernel.answer("why dosent the kernel manage memory becuase")
    assert answer.hit is not None and answer.hit.section.title == "Kernel"
    assert answer.hit.coverage == 1.0


@pytest.mark.parametrize("question", ["what is teh kernel", "hwo does teh kernel manage memory adn waht for"])
def test_the_commonest_misspellings_of_short_stop_words_are_stop_words(kernel: Retriever, question: str) -> None:
    # Too short for the spelling correction: "teh" counted as a word the notes never use, and was declined.
    answer = kernel.answer(question)
    assert answer.verdict is Verdict.ANSWERED and answer.hit is not None
    assert (answer.hit.section.title, answer.hit.coverage) == ("Kernel", 1.0)
    assert kernel.reading(question).unknown == ()


def test_a_short_word_near_a_stop_word_is_still_a_topic(kernel: Retriever) -> None:
    # "wear" is one letter from "were": it must still count as a word the notes lack.
    assert kernel.answer("what should I wear").verdict is Verdict.NOT_COVERED


@pytest.mark.parametrize("question", ["TOPIC", "overview?", "dosent", "tips for beginners"])
def test_a_question_of_only_shape_words_or_misspelt_stop_words_has_nothing_to_ask(
    kernel: Retriever, question: str
) -> None:
    assert kernel.answer(question).verdict is Verdict.EMPTY
    assert kernel.search(question) == []
