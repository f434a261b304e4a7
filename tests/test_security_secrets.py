"""The bot token never appears anywhere a person or another program can read it, and the notes folder is a wall.

``python -m bot`` runs as a child process at DEBUG against the fake server, through failures that make
python-telegram-bot and httpx talk (5xx, a dropped connection, a stall, an unreadable update, a handler
error), and is stopped. Then the token's secret part (after the colon) must be in none of: its stderr, any
message a user was sent, any file it wrote (chat state, update journal, question log, saved index,
heartbeat), and the report (``python -m bot.report``, text, JSON and HTML).

Symbolic links in the notes folder that point outside it (a file link, an absolute link, a linked folder) are
skipped and reported, end to end: ``python -m bot.repl --notes`` prints a warning per link and cannot answer
from the linked text; ``python -m bot`` logs the same warnings and cannot answer from it either.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.bot_process import BotProcess, replied_to, replies
from tests.fake_bot_api import FakeBotAPI
from tests.test_telegram_harness import SPEC_PATH

pytestmark = pytest.mark.timeout(120)

TOKEN = "987654321:AAH-the-secret-part_that-must-never-leak"
SECRET = TOKEN.split(":", 1)[1]
CHAT = 42


@pytest.fixture
def fake() -> Iterator[FakeBotAPI]:
    with FakeBotAPI(token=TOKEN, spec_path=SPEC_PATH) as server:
        yield server


def ask(fake: FakeBotAPI, text: str, chat: int = CHAT, timeout: float = 15) -> str:
    message_id = fake.send_text(chat, text)["message"]["message_id"]
    [reply] = fake.wait_for(lambda r: r.method == "sendMessage" and r.ok and replied_to(r) == (chat, message_id),
                            timeout=timeout)
    return str(reply.result["text"])


def files_under(folder: Path) -> Iterator[Path]:
    for path in folder.rglob("*"):
        if path.is_file():
            yield path


def test_the_token_is_in_no_log_line_message_file_or_report(fake: FakeBotAPI, tmp_path: Path) -> None:
    with BotProcess(fake, tmp_path / "run", log_level="DEBUG") as bot:
        bot.start()
        ask(fake, "what is a kernel?")
        fake.fail_next("sendMessage", 502)
        fake.fail_next("getUpdates", 500)
        ask(fake, "what is a volume?")
        fake.drop_next("sendMessage")
        ask(fake, "what is a port?")
        fake.raw_update({"message": {"message_id": 5, "text": "no chat, no date"}})
        fake.stall_next("sendMessage", 1.0)
        ask(fake, "/topics")
        assert bot.stop() == 0
    report = subprocess.run(
        [sys.executable, "-m", "bot.report", "--json"], env=bot.env, cwd=bot.home, capture_output=True, text=True,
        timeout=60,
    )
    html = subprocess.run(
        [sys.executable, "-m", "bot.report", "--html", str(tmp_path / "report.html")], env=bot.env, cwd=bot.home,
        capture_output=True, text=True, timeout=60,
    )
    stderr = bot.stderr
    assert "DEBUG telegram" in stderr and "getUpdates" in stderr  # the library did talk
    assert SECRET not in stderr
    assert SECRET not in "".join(str(r.params.get("text", "")) for r in fake.requests())
    assert report.returncode == 0 and html.returncode == 0, report.stderr + html.stderr
    assert SECRET not in report.stdout + report.stderr + html.stdout + html.stderr
    written = {p.relative_to(tmp_path).as_posix(): p.read_bytes() for p in files_under(tmp_path)}
    assert {"run/state.sqlite3", "run/state.updates.sqlite3", "run/questions.sqlite3", "report.html"} <= set(written)
    assert any(name.startswith("run/cache/index/") for name in written)
    assert [name for name, data in written.items() if SECRET.encode() in data] == []
    assert len(replies(fake)) == 4


def make_notes_with_links_outside(root: Path) -> Path:
    notes, outside = root / "notes", root / "outside"
    notes.mkdir(parents=True)
    outside.mkdir()
    (outside / "secret.md").write_text("# Launch codes\n\nThe zebra launch code is 0451 quokka.\n")
    (notes / "kernel.md").write_text("# Kernel\n\nThe kernel manages memory and processes.\n")
    (notes / "inside-link.md").symlink_to("kernel.md")  # a link within the folder is fine
    (notes / "secret-link.md").symlink_to(Path("..") / "outside" / "secret.md")
    (notes / "absolute-link.md").symlink_to(outside / "secret.md")
    (notes / "linked-folder").symlink_to(outside, target_is_directory=True)
    return notes


def test_links_out_of_the_notes_folder_are_skipped_and_reported_by_the_repl(tmp_path: Path) -> None:
    notes = make_notes_with_links_outside(tmp_path)
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "PTB_TIMEDELTA": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "bot.repl", "--notes", str(notes), "--cache-dir", str(tmp_path / "cache"),
         "--db", str(tmp_path / "q.sqlite3"), "--no-watch", "--ask", "what is the zebra launch code quokka?"],
        env=env, capture_output=True, text=True, timeout=60,
    )
    assert "quokka" not in done.stdout and "0451" not in done.stdout
    warnings = sorted(line for line in done.stderr.splitlines() if "symbolic link" in line)
    assert warnings == [
        "warning: absolute-link.md: symbolic link pointing outside the notes folder",
        "warning: linked-folder: symbolic link to a folder (not followed)",
        "warning: secret-link.md: symbolic link pointing outside the notes folder",
    ]
    assert done.returncode == 1  # not answered


def test_a_linked_folder_outside_the_notes_is_reported_too(tmp_path: Path) -> None:
    from index.reader import read_notes

    notes = make_notes_with_links_outside(tmp_path)
    _, report = read_notes(notes)
    assert "quokka" not in "".join(report.files)
    assert "linked-folder" in {s.path for s in report.skipped}


def test_links_out_of_the_notes_folder_are_skipped_and_reported_by_the_bot(fake: FakeBotAPI, tmp_path: Path) -> None:
    notes = make_notes_with_links_outside(tmp_path)
    with BotProcess(fake, tmp_path / "run", notes=notes) as bot:
        bot.start()
        answer = ask(fake, "what is the zebra launch code quokka?")
        kernel = ask(fake, "what does the kernel manage?")
        assert bot.stop() == 0
    assert "quokka" not in answer and "0451" not in answer
    assert "Kernel" in kernel  # answered from kernel.md (or its link inside the folder)
    assert "secret-link.md: symbolic link pointing outside the notes folder" in bot.stderr
    assert "absolute-link.md: symbolic link pointing outside the notes folder" in bot.stderr
    assert "linked-folder: symbolic link to a folder (not followed)" in bot.stderr
