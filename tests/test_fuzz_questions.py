"""Any Unicode question of up to 100 kB gets a defined result, quickly, from the retriever and the core.

"Defined": ``Retriever.answer`` returns an ``Answer`` with a ``Verdict``, a hit (when there is one) that is a
section of the notes and suggestions that are too; ``search`` returns at most ``k`` hits, best first, with
finite scores and coverage between 0 and 1; the conversation core returns a reply with a body. Nothing raises.

The time bound. Measured on the bundled notes (a laptop-class CPU, one core), the slowest question seen was
100 kB of U+FDFA (one character that NFKC expands to 18 letters): 0.15 s for ``answer`` and 0.3 s for the
core's ``respond``; 100 kB of reversed (misspelt) notes words took 0.16 s, random text under 0.1 s, and the
hypothesis runs below stay under 0.2 s per question. The tests assert a generous ``BOUND`` of 5 s per call, so
they fail on a super-linear regression (seconds to minutes), not on a slow CI machine.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from typing import TypeVar

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot import Conversation, State
from index import Answer, Retriever, Verdict
from tests.test_telegram_harness import bundled_conversation

pytestmark = pytest.mark.timeout(300)

T = TypeVar("T")
MAX_BYTES = 100_000
BOUND = 5.0  # seconds per call; the measured worst is about 0.3 s (see the module docstring)
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                         HealthCheck.data_too_large])


def within_100_kb(text: str) -> str:
    """``text`` cut to at most 100 kB of UTF-8, at a character boundary."""
    return text.encode("utf-8")[:MAX_BYTES].decode("utf-8", "ignore")


#: Short random text repeated up to 100 kB: hypothesis cannot draw 100 kB directly, and repetition is what
#: makes regular expressions and caches misbehave.
long_questions = st.builds(
    lambda unit, times: within_100_kb(unit * times),
    st.text(min_size=1, max_size=40),
    st.integers(min_value=1, max_value=MAX_BYTES),
)
questions = st.one_of(st.text(max_size=300), long_questions)


def timed(call: Callable[[], T]) -> tuple[T, float]:
    start = time.perf_counter()
    result = call()
    return result, time.perf_counter() - start


def check_answer(retriever: Retriever, question: str, answer: Answer) -> None:
    ids = {s.id for s in retriever.sections}
    assert isinstance(answer.verdict, Verdict)
    assert answer.question == question
    if answer.hit is not None:
        assert answer.verdict in (Verdict.ANSWERED, Verdict.AMBIGUOUS)
        assert answer.hit.section.id in ids
    else:
        assert answer.verdict in (Verdict.NOT_COVERED, Verdict.EMPTY)
    assert all(s.section.id in ids for s in answer.suggestions)


@pytest.fixture(scope="module")
def conversation() -> Conversation:
    return bundled_conversation()


def ask_everything(conversation: Conversation, question: str) -> None:
    retriever = conversation.retriever
    answer, answer_time = timed(lambda: retriever.answer(question))
    check_answer(retriever, question, answer)
    hits, search_time = timed(lambda: retriever.search(question, k=7))
    assert len(hits) <= 7
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert all(math.isfinite(h.score) and h.score > 0 and 0.0 <= h.coverage <= 1.0 for h in hits)
    (reply, state), respond_time = timed(lambda: conversation.respond(question, State()))
    assert isinstance(reply.body, str) and isinstance(state, State)
    worst = max(answer_time, search_time, respond_time)
    assert worst < BOUND, f"{worst:.2f} s for a question of {len(question.encode())} bytes: {question[:80]!r}"


@FUZZ
@given(questions)
@example("")
@example("\x00\ud7ff\U0010ffff")
@example("\ufdfa" * (MAX_BYTES // 3))  # NFKC turns each into 18 letters
@example("a" * MAX_BYTES)  # one 100 kB word
@example("9" * 4301)  # int() refuses more than 4,300 digits: no list choice
@example("/" + "9" * 4301)
@example("/topics " + "9" * 4301)
@example("/ask " + "kernel " * (MAX_BYTES // 7 - 1))
def test_any_question_gets_a_defined_answer_in_bounded_time(conversation: Conversation, question: str) -> None:
    assert len(question.encode("utf-8")) <= MAX_BYTES
    ask_everything(conversation, question)


@pytest.mark.parametrize("kind", ["notes words", "misspelt notes words", "random letters", "any characters"])
def test_100_kb_of_words_gets_a_defined_answer_in_bounded_time(conversation: Conversation, kind: str) -> None:
    rng = random.Random(kind)
    vocabulary = sorted(conversation.retriever._frequencies)
    make: dict[str, Callable[[], str]] = {
        "notes words": lambda: rng.choice(vocabulary),
        "misspelt notes words": lambda: rng.choice(vocabulary)[::-1],
        "random letters": lambda: "".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=rng.randint(3, 14))),
        "any characters": lambda: "".join(chr(rng.randint(1, 0x2FFFF)) for _ in range(rng.randint(1, 9))),
    }
    words: list[str] = []
    size = 0
    while size < MAX_BYTES:
        words.append(make[kind]())
        size += len(words[-1].encode("utf-8", "surrogatepass")) + 1
    question = within_100_kb(" ".join(words).encode("utf-8", "surrogatepass").decode("utf-8", "replace"))
    ask_everything(conversation, question)
