"""Updating a saved index when a few notes change gives exactly what a full rebuild gives."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from index import Retriever
from tests.conftest import CORPUS

QUESTIONS = [
    "what is a kernel", "daemon vs process", "how do volumes work", "sha256 digest of an image",
    "restart policy", "zebra crossing", "multi stage builds", "bridge network dns", "kernal spase",
    "containerd shim and named volumes", "rest api status codes with docker volumes",
]


def results(retriever: Retriever) -> list[object]:
    out: list[object] = []
    for question in QUESTIONS:
        answer = retriever.answer(question)
        out.append((answer.verdict, answer.hit.section.id if answer.hit else None))
        out.append([(h.section.id, pytest.approx(h.score, rel=1e-5), pytest.approx(h.coverage, rel=1e-5))
                    for h in retriever.search(question, k=8)])
    return out


def edit(notes: Path, change: str) -> None:
    files = sorted(notes.glob("*.md"))
    if change == "append":
        with files[2].open("a") as handle:
            handle.write("\n## Zebra crossings\nA zebra crossing is a striped road crossing for pedestrians.\n")
    elif change == "rewrite":
        files[0].write_text("# Only this\nThe first file now holds a single section about zebra crossings.\n")
    elif change == "remove":
        files[1].unlink()
    elif change == "add":
        (notes / "zz-new.md").write_text("# Zebra crossing\nStriped road crossings for pedestrians.\n")
    elif change == "binary":
        files[3].write_bytes(b"\x00\x01garbage")
    elif change == "linked folder":
        outside = notes.parent / "outside"
        outside.mkdir()
        (outside / "x.md").write_text("# Outside\nnot part of the notes\n")
        (notes / "linked").symlink_to(outside, target_is_directory=True)
        with files[0].open("a") as handle:
            handle.write("\nOne more line.\n")


@pytest.mark.parametrize("change", ["append", "rewrite", "remove", "add", "binary", "linked folder"])
def test_incremental_update_equals_a_full_rebuild(tmp_path: Path, change: str) -> None:
    notes = tmp_path / "notes"
    shutil.copytree(CORPUS, notes)
    cache = tmp_path / "cache"
    Retriever.from_directory(notes, cache_dir=cache)
    edit(notes, change)
    updated = Retriever.from_directory(notes, cache_dir=cache)
    full = Retriever.from_directory(notes)
    assert updated.sections == full.sections
    assert updated.report == full.report
    assert results(updated) == results(full)
    assert results(Retriever.load(cache)) == results(full)  # and the update was saved


def test_changing_most_files_rebuilds_from_scratch(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    shutil.copytree(CORPUS, notes)
    cache = tmp_path / "cache"
    Retriever.from_directory(notes, cache_dir=cache)
    for note in sorted(notes.glob("*.md"))[:-1]:
        note.unlink()
    assert results(Retriever.from_directory(notes, cache_dir=cache)) == results(Retriever.from_directory(notes))
