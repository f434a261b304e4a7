"""Reading a notes folder: which files are notes, decoding them, and reporting what was skipped."""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path

from index.errors import NotesError
from index.model import IngestReport, SkippedFile

log = logging.getLogger(__name__)

NOTE_SUFFIXES = frozenset({".md", ".markdown", ".txt"})
MAX_FILE_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class NoteFile:
    """A note read from disk: its path relative to the notes folder and its decoded text."""

    path: str
    text: str


def _candidates(root: Path, linked: list[str] | None = None) -> Iterator[tuple[Path, str]]:
    """Every file under ``root`` in a stable order, skipping hidden folders and files.

    Linked folders are not followed (they could lead outside the notes, or round in a loop); their
    relative paths are appended to ``linked`` when it is given.
    """
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        if linked is not None:
            linked.extend(Path(folder, d).relative_to(root).as_posix() for d in dirs if Path(folder, d).is_symlink())
        for name in sorted(files):
            if name.startswith("."):
                continue
            full = Path(folder, name)
            yield full, full.relative_to(root).as_posix()


def decode(data: bytes) -> tuple[str, str | None]:
    """Decode a note's bytes: UTF-8 (with or without BOM), else cp1252, else Latin-1. Returns (text, warning)."""
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        where = f"byte {exc.start}"
    for encoding in ("cp1252", "latin-1"):
        try:
            return data.decode(encoding), f"not valid UTF-8 (at {where}); decoded as {encoding}"
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes any bytes")  # pragma: no cover


def read_notes(
    root: str | os.PathLike[str], *, only: Collection[str] | None = None
) -> tuple[list[NoteFile], IngestReport]:
    """Read every note under ``root`` (``.md``, ``.markdown``, ``.txt``; hidden folders skipped).

    With ``only``, just those relative paths are read (the report then covers just them, plus every
    ignored file); an empty result is not an error then.

    Raises:
        NotesError: the folder does not exist, is not a folder, or holds no readable notes.
    """
    folder = Path(root)
    if not folder.exists():
        raise NotesError(f"notes folder not found: {folder}")
    if not folder.is_dir():
        raise NotesError(f"not a folder: {folder} (point at the folder that holds your notes)")
    real_root = folder.resolve()
    notes: list[NoteFile] = []
    skipped: list[SkippedFile] = []
    warnings: list[SkippedFile] = []
    ignored: list[str] = []
    linked: list[str] = []
    for full, rel in _candidates(folder, linked):
        if full.suffix.lower() not in NOTE_SUFFIXES:
            ignored.append(rel)
            continue
        if only is not None and rel not in only:
            continue
        reason = _unsafe_reason(full, real_root)
        if reason:
            skipped.append(SkippedFile(rel, reason))
            continue
        try:
            data = full.read_bytes()
        except OSError as exc:
            skipped.append(SkippedFile(rel, f"unreadable: {exc.strerror or exc}"))
            continue
        if b"\x00" in data[:8192]:
            skipped.append(SkippedFile(rel, "binary file (contains NUL bytes)"))
            continue
        text, warning = decode(data)
        if warning:
            warnings.append(SkippedFile(rel, warning))
        notes.append(NoteFile(rel, text))
    skipped.extend(SkippedFile(rel, "symbolic link to a folder (not followed)") for rel in linked)
    report = IngestReport(
        root=str(folder),
        files=tuple(n.path for n in notes),
        skipped=tuple(skipped),
        warnings=tuple(warnings),
        ignored=tuple(ignored),
    )
    for item in (*skipped, *warnings):
        log.warning("%s: %s", item.path, item.reason)
    if not notes and only is None:
        detail = f"; {len(skipped)} skipped" if skipped else ""
        raise NotesError(f"no notes found in {folder}: expected .md, .markdown or .txt files{detail}")
    return notes, report


def _unsafe_reason(full: Path, real_root: Path) -> str | None:
    """Why a note file must not be read, or None: symlinks leading outside the folder, huge or odd files."""
    try:
        resolved = full.resolve()
        if not resolved.is_relative_to(real_root):
            return "symbolic link pointing outside the notes folder"
        info = resolved.stat()
    except OSError as exc:
        return f"unreadable: {exc.strerror or exc}"
    if not resolved.is_file():
        return "not a regular file"
    if info.st_size > MAX_FILE_BYTES:
        return f"too large ({info.st_size // (1024 * 1024)} MB; the limit is {MAX_FILE_BYTES // (1024 * 1024)} MB)"
    return None


def note_stats(root: str | os.PathLike[str]) -> dict[str, tuple[int, int]]:
    """Size and modification time (ns) of every note file under ``root``, by relative path."""
    stats: dict[str, tuple[int, int]] = {}
    for full, rel in _candidates(Path(root)):
        if full.suffix.lower() not in NOTE_SUFFIXES:
            continue
        try:
            info = full.stat()
        except OSError:
            stats[rel] = (-1, -1)
            continue
        stats[rel] = (info.st_size, info.st_mtime_ns)
    return stats


def fingerprint(stats: dict[str, tuple[int, int]]) -> str:
    """A digest of ``note_stats``: any note file added, removed, resized or touched changes it."""
    digest = hashlib.sha256()
    for rel, (size, mtime) in sorted(stats.items()):
        digest.update(f"{rel}\0{size}\0{mtime}\n".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()
