"""The interactive REPL in a real pseudo-terminal: a question, tab completion, history, Ctrl-C, and leaving
with Ctrl-D or /quit.

The child gets its own HOME and XDG folders under tmp_path, so its history file and saved index land there,
and it is killed in any case when the test ends.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

from tests.test_repl import LINUX

pexpect = pytest.importorskip("pexpect")

ROOT = Path(__file__).resolve().parent.parent
SGR = re.compile(r"\x1b\[([0-9;]*)m")
UP = "\x1b[A"


def _spawn(tmp_path: Path, *, no_color: bool) -> pexpect.spawn:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "linux.md").write_text(LINUX, encoding="utf-8")
    home = tmp_path / "pty-home"
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_STATE_HOME": str(home / ".local" / "state"),
        "PYTHONPATH": str(ROOT),
        "TERM": "xterm",
        "PROMPT_TOOLKIT_NO_CPR": "1",  # pexpect does not answer cursor-position requests
        "LANG": "C.UTF-8",
    }
    if no_color:
        env["NO_COLOR"] = "1"
    argv = ["-m", "bot.repl", "--notes", str(notes), "--cache-dir", str(tmp_path / "cache")]
    return pexpect.spawn(sys.executable, argv, env=env, cwd=str(tmp_path), encoding="utf-8", timeout=30,
                         dimensions=(40, 100))


@pytest.mark.timeout(120)
@pytest.mark.parametrize(("no_color", "leave"), [(False, "\x04"), (True, "/quit\r")], ids=["colour", "NO_COLOR"])
def test_an_interactive_session(tmp_path: Path, no_color: bool, leave: str) -> None:
    child = _spawn(tmp_path, no_color=no_color)
    try:
        child.expect_exact("notes-qa: 6 topics from 1 file in")  # the banner, on stderr
        child.expect_exact("/quit or Ctrl-D to leave")
        child.expect_exact("notes>")

        child.send("what does the kernel manage?\r")
        child.expect_exact("source: linux.md:5")
        child.expect_exact("It manages")
        child.expect_exact("notes>")

        child.send("/to\t")  # Tab completes /topics; "/to" alone would be an unknown command
        child.expect_exact("pics")
        child.send("\r")
        child.expect_exact("page 1 of 1")
        child.expect_exact("Systemd timers")
        child.expect_exact("notes>")

        child.send("Syst\t")  # Tab completes a topic title, which opens that topic
        child.expect_exact("timers")
        child.send("\r")
        child.expect_exact("source: linux.md:37")
        child.expect_exact("notes>")

        child.send("no question after all")
        child.send("\x03")  # Ctrl-C drops the line
        child.send("/help\r")
        child.expect_exact("Ask a question about the notes in plain words")
        child.expect_exact("notes>")

        child.send(UP * 4 + "\r")  # /help, Systemd timers, /topics, the kernel question
        child.expect_exact("source: linux.md:5")
        child.expect_exact("notes>")

        child.send(leave)  # Ctrl-D on an empty line, or /quit
        child.expect(pexpect.EOF)
        output = child.before
        child.close()
        assert child.exitstatus == 0
    finally:
        if child.isalive():
            child.close(force=True)

    history = (tmp_path / "pty-home" / ".local" / "state" / "notes-qa" / "history").read_text(encoding="utf-8")
    entries = re.findall(r"^\+(.*)$", history, flags=re.MULTILINE)
    assert entries == ["what does the kernel manage?", "/topics", "Systemd timers", "/help",
                       "what does the kernel manage?", *(["/quit"] if leave == "/quit\r" else [])]
    assert (tmp_path / "cache" / "index" / "manifest.json").is_file()
    assert "Traceback" not in output
    colours = [p for params in SGR.findall(output) for p in params.split(";")
               if p and (30 <= int(p) <= 49 or 90 <= int(p) <= 107)]
    assert bool(colours) is not no_color
