"""Reading a notes folder: which files are notes, how bad files are reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from index import NotesError, Retriever
from index.reader import read_notes

TINY = Path(__file__).parent / "notes" / "tiny"


def test_reads_notes_recursively_skipping_hidden_folders_and_other_files() -> None:
    notes, report = read_notes(TINY)
    assert [n.path for n in notes] == ["cooking.txt", "linux/files.md", "linux/kernel.md"]
    assert report.ignored == ("linux/diagram.png",)
    assert report.skipped == () and report.warnings == ()


def test_non_utf8_file_is_decoded_with_a_fallback_and_reported(tmp_path: Path) -> None:
    (tmp_path / "latin.md").write_bytes("# Caf\xe9\nna\xefve r\xe9sum\xe9\n".encode("latin-1"))
    notes, report = read_notes(tmp_path)
    assert notes[0].text.startswith("# Café")
    assert [(w.path, w.reason) for w in report.warnings] == [
        ("latin.md", "not valid UTF-8 (at byte 5); decoded as cp1252")
    ]


def test_binary_and_unreadable_files_are_skipped_and_reported(tmp_path: Path) -> None:
    (tmp_path / "good.md").write_text("# Good\nfine\n")
    (tmp_path / "blob.md").write_bytes(b"\x00\x01\x02binary")
    (tmp_path / "folder.md").mkdir()
    (tmp_path / "dangling.md").symlink_to(tmp_path / "missing.md")
    notes, report = read_notes(tmp_path)
    assert [n.path for n in notes] == ["good.md"]
    assert [(s.path, s.reason) for s in report.skipped] == [
        ("blob.md", "binary file (contains NUL bytes)"),
        ("dangling.md", "unreadable: No such file or directory"),
    ]


def test_symlinks_leading_outside_the_folder_are_skipped(tmp_path: Path) -> None:
    outside = tmp_path / "outside.md"
    outside.write_text("# Private\nnot part of the notes\n")
    notes_dir = tmp_path / "notes"
    notes_dir.mkdir()
    (notes_dir / "ok.md").write_text("# Ok\nfine\n")
    (notes_dir / "leak.md").symlink_to(outside)
    notes, report = read_notes(notes_dir)
    assert [n.path for n in notes] == ["ok.md"]
    assert [(s.path, s.reason) for s in report.skipped] == [
        ("leak.md", "symbolic link pointing outside the notes folder")
    ]


def test_empty_folder_raises_a_clear_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(NotesError, match=f"no notes found in {tmp_path}"):
        Retriever.from_directory(tmp_path)


def test_folder_with_only_other_files_raises(tmp_path: Path) -> None:
    (tmp_path / "image.png").write_bytes(b"\x89PNG")
    with pytest.raises(NotesError, match=r"expected \.md, \.markdown or \.txt files"):
        read_notes(tmp_path)


def test_missing_folder_raises(tmp_path: Path) -> None:
    with pytest.raises(NotesError, match="notes folder not found"):
        read_notes(tmp_path / "nope")


def test_a_file_is_not_a_folder(tmp_path: Path) -> None:
    note = tmp_path / "a.md"
    note.write_text("# A\n")
    with pytest.raises(NotesError, match="not a folder"):
        read_notes(note)
