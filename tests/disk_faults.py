"""Disk faults for tests: a folder made read-only, a disk that is full.

As an ordinary user a folder is made read-only with its mode bits. Root ignores mode bits, so as root the
folder is bind-mounted read-only onto itself; a full disk is a tiny tmpfs mounted over a folder (root only:
elsewhere the test is skipped, and the SQLite fallback ``PRAGMA max_page_count`` covers the same code).
Every mount is undone on the way out.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest


def _run(*command: str) -> bool:
    return subprocess.run(command, capture_output=True, timeout=30).returncode == 0


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[Path]:
    """``folder`` (which exists) cannot be written while inside, not even by root."""
    if os.geteuid() != 0:
        modes = {p: p.stat().st_mode for p in [folder, *folder.rglob("*")]}
        for path in modes:
            path.chmod(modes[path] & ~0o222)
        try:
            yield folder
        finally:
            for path, mode in modes.items():
                path.chmod(mode)
        return
    if not (_run("mount", "--bind", str(folder), str(folder))):
        pytest.skip("cannot bind-mount a folder read-only here")
    try:
        if not _run("mount", "-o", "remount,bind,ro", str(folder), str(folder)):
            pytest.skip("cannot remount a folder read-only here")
        yield folder
    finally:
        _run("umount", str(folder))


@contextlib.contextmanager
def small_disk(folder: Path, size: str = "64k") -> Iterator[Path]:
    """A tmpfs of ``size`` mounted on ``folder`` (created): a disk that fills up. Root only."""
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or not _run("mount", "-t", "tmpfs", "-o", f"size={size},mode=0777", "tmpfs", str(folder)):
        pytest.skip("a small disk needs root (mount -t tmpfs); the max_page_count tests cover the same code")
    try:
        yield folder
    finally:
        _run("umount", "-l", str(folder))


def fill(folder: Path) -> None:
    """Write junk to ``folder`` until its disk is full."""
    with contextlib.suppress(OSError), (folder / "filler").open("wb") as handle:
        while True:
            handle.write(b"\0" * 4096)
            handle.flush()
