"""``python -m index``: build, search and sections, with exit codes and clear errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from index.cli import main

TINY = Path(__file__).parent / "notes" / "tiny"


def test_search_prints_ranked_sections_and_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "symbolic link", "--notes", str(TINY), "-k", "1"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("1. Symbolic links  (linux/files.md:7, score ")


def test_search_json_and_exit_1_when_the_notes_do_not_answer(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "weather in paris", "--notes", str(TINY), "--json"]) == 1
    payload = json.loads(capsys.readouterr().out)
    assert payload == {"question": "weather in paris", "verdict": "not_covered", "answered": False, "hits": []}


def test_search_explain_shows_how_the_question_was_read(capsys: pytest.CaptureFixture[str]) -> None:
    """A declined question says which words the notes lack: the words to change."""
    assert main(["search", "wat is a symbolik link, pizza overview", "--notes", str(TINY), "--explain"]) == 1
    assert capsys.readouterr().out == (
        "searched for: symbolic, link\n"
        "corrected: symbolik -> symbolic\n"
        "not in the notes: pizza\n"
        "left out: wat, is, a, overview\n"
        "the notes know 61% of the question's weight (an answer needs 68%)\n"
        "\n"
        "The notes don't answer that.\n"
    )
    assert main(["search", "weather in paris", "--notes", str(TINY), "--explain", "--json"]) == 1
    reading = json.loads(capsys.readouterr().out)["reading"]
    assert reading == {"question": "weather in paris", "searched": [], "corrected": [], "compounds": [],
                       "acronyms": [], "unknown": ["weather", "paris"], "ignored": ["in"], "known": 0.0}


def test_sections_lists_sections_and_the_ingestion_report(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sections", "--notes", str(TINY)]) == 0
    out = capsys.readouterr().out
    assert "linux/kernel.md#daemons  The Linux kernel > Daemons\n" in out
    assert out.rstrip().endswith("7 sections from 3 files; 0 skipped, 0 with warnings, 1 other files ignored")


def test_build_saves_an_index(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", "--notes", str(TINY), "--cache-dir", str(tmp_path / "c")]) == 0
    assert capsys.readouterr().out.startswith("7 sections (7 searchable) from 3 files")
    assert (tmp_path / "c" / "manifest.json").is_file()


def test_missing_folder_is_one_line_and_exit_2(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "index", "search", "x", "--notes", str(tmp_path / "none")],
        capture_output=True, text=True, timeout=60,
    )
    assert run.returncode == 2
    assert run.stderr == f"error: notes folder not found: {tmp_path / 'none'}\n"
