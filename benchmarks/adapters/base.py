"""What every retriever under benchmark offers: build, search, search many, save and load."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from benchmarks.corpus import Doc


class Engine(Protocol):
    """A built index: answers with the ids of the best ``k`` sections, best first."""

    def search(self, question: str, k: int) -> list[str]:
        """The whole answer path for one question: normalise, score, pick the top ``k``."""
        ...

    def search_many(self, questions: Sequence[str], k: int) -> list[list[str]]:
        """Many questions at once, the way the library batches best (one thread)."""
        ...

    def save(self, directory: Path) -> None:
        """Write the index to ``directory`` (which exists and is empty)."""
        ...


@dataclass(frozen=True, slots=True)
class System:
    """A retriever under benchmark.

    Attributes:
        name: Short column label.
        description: What exactly is measured (backend, parameters), for the report.
        build: Index a corpus.
        load: Read an index written by ``Engine.save``.
        unavailable: Why it cannot run here (a missing optional package), or None.
        max_size: Skip corpora larger than this (too slow to be worth the wait), or None.
        question_cap: Time and score only this many clean (and as many typo) questions, or None for all:
            for systems so slow that the whole set would dominate the run.
        trace_memory: Measure memory with a second, traced build (False when it would only repeat
            another system's figure).
    """

    name: str
    description: str
    build: Callable[[Sequence[Doc]], Engine]
    load: Callable[[Path], Engine]
    unavailable: Callable[[], str | None]
    max_size: int | None = None
    question_cap: int | None = None
    trace_memory: bool = True


def always_available() -> str | None:
    return None


def full_text(doc: Doc) -> str:
    """Title and text as one string, for retrievers without fields."""
    return f"{doc.title}\n{doc.text}"


_SPLIT = re.compile(r"(?u)\b\w\w+\b")


def simple_words(text: str) -> list[str]:
    """scikit-learn's and bm25s's default token pattern, lower-cased."""
    return _SPLIT.findall(text.lower())
