"""Incremental rebuild: one note of a big folder changes; how long until the cached index is up to date?

The corpus is written as a notes folder (:data:`SECTIONS_PER_FILE` sections per Markdown file, each under a
``##`` heading), indexed with ``Retriever.from_directory(folder, cache_dir=...)`` (a full build, saved), then
one file gets a new sentence and ``from_directory`` is called again: it loads the saved index, re-reads only
that file and recomputes the weights. The result is compared with a fresh full build of the changed folder:
same sections, same order, same scores for every question (the document frequencies of the changed words
are the only thing that may move, and a full rebuild moves them the same way).
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.corpus import Doc
from benchmarks.questions import Question
from index import Retriever

SECTIONS_PER_FILE = 100


@dataclass(frozen=True, slots=True)
class IncrementalResult:
    """Times of a full build, an update after one file changed, and whether they answer alike."""

    sections: int
    files: int
    full_build_s: float
    cold_cache_s: float
    update_s: float
    unchanged_s: float
    questions: int
    identical: int

    def markdown(self) -> str:
        return "\n".join(
            [
                "| folder | full build + save | update after 1 file changed | ratio | "
                "load when nothing changed | identical answers |",
                "|---|---|---|---|---|---|",
                f"| {self.sections:,} sections in {self.files:,} files | {self.cold_cache_s:.1f} s | "
                f"{self.update_s:.2f} s | {self.update_s / self.cold_cache_s:.2f}× | {self.unchanged_s:.2f} s | "
                f"{self.identical}/{self.questions} |",
                "",
                f"(A full build without saving takes {self.full_build_s:.1f} s.)",
            ]
        )


def write_folder(docs: Sequence[Doc], folder: Path) -> int:
    """Write ``docs`` as Markdown notes, :data:`SECTIONS_PER_FILE` a file; returns the number of files."""
    folder.mkdir(parents=True, exist_ok=True)
    files = 0
    for start in range(0, len(docs), SECTIONS_PER_FILE):
        chunk = docs[start : start + SECTIONS_PER_FILE]
        body = "\n\n".join(f"## {' '.join(d.title.split())}\n\n{d.text}" for d in chunk)
        (folder / f"note-{files:05d}.md").write_text(body + "\n", encoding="utf-8")
        files += 1
    return files


def _answers(retriever: Retriever, questions: Sequence[Question]) -> list[list[tuple[str, float]]]:
    return [[(h.section.id, h.score) for h in retriever.search(q.text, 10)] for q in questions]


def measure_incremental(docs: Sequence[Doc], questions: Sequence[Question]) -> IncrementalResult:
    """Full build, one-file update and comparison with a fresh build (see the module docstring)."""
    root = Path(tempfile.mkdtemp(prefix="bench-incremental-"))
    try:
        notes, cache = root / "notes", root / "cache"
        files = write_folder(docs, notes)
        start = time.perf_counter()
        Retriever.from_directory(notes, cache_dir=cache)
        cold = time.perf_counter() - start
        start = time.perf_counter()
        Retriever.from_directory(notes, cache_dir=cache)
        unchanged = time.perf_counter() - start
        changed = notes / f"note-{files // 2:05d}.md"
        with changed.open("a", encoding="utf-8") as handle:
            handle.write("\nA freshly added sentence about zeppelins and quasicrystals changes this note.\n")
        start = time.perf_counter()
        updated = Retriever.from_directory(notes, cache_dir=cache)
        update = time.perf_counter() - start
        start = time.perf_counter()
        fresh = Retriever.from_directory(notes)
        full = time.perf_counter() - start
        same = sum(a == b for a, b in zip(_answers(updated, questions), _answers(fresh, questions), strict=True))
        return IncrementalResult(len(docs), files, full, cold, update, unchanged, len(questions), same)
    finally:
        shutil.rmtree(root, ignore_errors=True)
