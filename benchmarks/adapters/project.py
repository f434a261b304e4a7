"""This project's ``index.Retriever``, built with ``from_sections`` (and ``from_records`` for comparison)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from benchmarks.adapters.base import System, always_available
from benchmarks.corpus import Doc
from index import Record, Retriever, Section


def to_section(doc: Doc) -> Section:
    """A benchmark section as one ``index.Section``: its id doubles as its path, so hits map back to it."""
    return Section(id=doc.id, path=doc.id, title=doc.title, trail=(), level=1, line=1, markdown=doc.text, text=doc.text)


def to_record(doc: Doc) -> Record:
    return Record(id=doc.id, title=doc.title, markdown=doc.text)


class ProjectEngine:
    """``Retriever.search`` from question string to hits; the hit's ``section.path`` is the benchmark id."""

    def __init__(self, retriever: Retriever) -> None:
        self.retriever = retriever

    @classmethod
    def from_sections(cls, docs: Sequence[Doc]) -> ProjectEngine:
        return cls(Retriever.from_sections([to_section(d) for d in docs]))

    @classmethod
    def from_records(cls, docs: Sequence[Doc]) -> ProjectEngine:
        """Through the Markdown splitter, as an embedding app would: one record may become several sections."""
        return cls(Retriever.from_records([to_record(d) for d in docs]))

    @classmethod
    def load(cls, directory: Path) -> ProjectEngine:
        return cls(Retriever.load(directory))

    def search(self, question: str, k: int) -> list[str]:
        return [hit.section.path for hit in self.retriever.search(question, k)]

    def search_many(self, questions: Sequence[str], k: int) -> list[list[str]]:
        search = self.retriever.search
        return [[hit.section.path for hit in search(q, k)] for q in questions]

    def save(self, directory: Path) -> None:
        self.retriever.save(directory)


PROJECT = System(
    name="notes-qa",
    description="index.Retriever.from_sections, search(q, k=10); stemming and spelling correction on",
    build=ProjectEngine.from_sections,
    load=ProjectEngine.load,
    unavailable=always_available,
)
