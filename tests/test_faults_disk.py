"""Damage on disk: the saved index and the SQLite databases broken, read-only or on a full disk.

Each case prepares the files ``python -m bot`` will find, breaks them, starts the bot as a child process,
asks a question and stops it. The rule: nothing crashes. A damaged saved index is rebuilt; a damaged chat
state or update journal is moved aside (``*.damaged-<time>``) and started afresh, with an ERROR that says so;
a read-only folder or a full disk is served from memory, with an ERROR that says what is not being kept; a
database written by a newer notes-qa is refused with a one-line message (exit code 2), since moving it aside
would lose what the newer version wrote.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.state import State
from bot.telegram.journal import Journal, journal_path
from bot.telegram.state_store import StateStore
from index import Retriever
from tests.bot_process import BotProcess, replied_to
from tests.disk_faults import fill, read_only, small_disk
from tests.fake_bot_api import FakeBotAPI
from tests.test_telegram_harness import CORPUS

pytestmark = pytest.mark.timeout(90)

CHAT = 42


class Files:
    """Where the bot under test keeps everything, made ready as a bot that ran before would leave it."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.index = home / "cache" / "index"
        self.state_dir = home / "state"
        self.state = self.state_dir / "state.sqlite3"
        self.journal = journal_path(self.state)
        self.questions = self.state_dir / "questions.sqlite3"
        Retriever.from_directory(CORPUS, cache_dir=self.index)
        with StateStore(self.state) as store:
            store.put(CHAT, State(context="what is a kernel?"))
        with Journal(self.journal) as journal:
            journal.record([{"update_id": 10**6, "message": {"message_id": 1, "date": 1, "text": "old",
                                                              "chat": {"id": CHAT, "type": "private"}}}])
            journal.finish(10**6)

    def bot(self, fake: FakeBotAPI) -> BotProcess:
        return BotProcess(fake, self.home, cache_dir=self.home / "cache", NOTES_QA_STATE_DB=str(self.state),
                          NOTES_QA_QUESTION_DB=str(self.questions))


def garble(path: Path) -> None:
    path.write_bytes(os.urandom(max(path.stat().st_size, 4096)))


def truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 3])


def newer(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 99")
    db.close()


def manifest_version(files: Files) -> None:
    manifest = files.index / "manifest.json"
    value = json.loads(manifest.read_text())
    value["format_version"] = 1
    manifest.write_text(json.dumps(value))


def drop_wal(path: Path) -> None:
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


#: name -> (how to break the files, what the log must say)
DAMAGE: dict[str, tuple[Callable[[Files], None], str]] = {
    "saved index: an array truncated": (lambda f: truncate(f.index / "data.npy"), "rebuilding the saved index"),
    "saved index: random bytes in the manifest": (lambda f: garble(f.index / "manifest.json"),
                                                   "rebuilding the saved index"),
    "saved index: another format version": (manifest_version, "rebuilding the saved index"),
    "chat state: truncated": (lambda f: (drop_wal(f.state), truncate(f.state)), "moved it to"),
    "chat state: random bytes": (lambda f: (drop_wal(f.state), garble(f.state)), "moved it to"),
    "update journal: truncated": (lambda f: (drop_wal(f.journal), truncate(f.journal)), "moved it to"),
    "update journal: random bytes": (lambda f: (drop_wal(f.journal), garble(f.journal)), "moved it to"),
    "update journal: a newer version": (lambda f: newer(f.journal), "moved it to"),
}


def ask(fake: FakeBotAPI, text: str, chat: int = CHAT) -> str:
    message_id = fake.send_text(chat, text)["message"]["message_id"]
    [reply] = fake.wait_for(lambda r: r.method == "sendMessage" and r.ok and replied_to(r) == (chat, message_id),
                            timeout=20)
    return str(reply.result["text"])


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_damaged_files_are_rebuilt_or_moved_aside_and_the_bot_answers(
    fake: FakeBotAPI, tmp_path: Path, damage: str
) -> None:
    files = Files(tmp_path / "run")
    breaking, logged = DAMAGE[damage]
    breaking(files)
    with files.bot(fake) as bot:
        bot.start()
        answer = ask(fake, "what is a volume?")
        assert bot.stop() == 0
    assert "Volumes" in answer
    assert logged in bot.stderr
    assert "Traceback" not in bot.stderr


def test_a_chat_state_from_a_newer_version_is_refused_in_one_line(fake: FakeBotAPI, tmp_path: Path) -> None:
    files = Files(tmp_path / "run")
    newer(files.state)
    with files.bot(fake) as bot:
        bot.start(wait=False)
        assert bot.wait(60) == 2
    [line] = [line for line in bot.stderr.splitlines() if line.startswith("error:")]
    assert "schema version 99" in line and str(files.state) in line
    assert "Traceback" not in bot.stderr


def test_a_read_only_state_folder_is_served_from_memory(fake: FakeBotAPI, tmp_path: Path) -> None:
    files = Files(tmp_path / "run")
    files.questions = files.home / "questions.sqlite3"  # the question log's own rule is below
    with read_only(files.state_dir), files.bot(fake) as bot:
        bot.start()
        first = ask(fake, "what is a volume?")
        more = ask(fake, "more")  # the state of this run is kept in memory
        assert bot.stop() == 0
    assert "Volumes" in first and more != first
    assert "Traceback" not in bot.stderr
    assert "keeping it in memory" in bot.stderr


def test_a_full_disk_under_the_state_folder_is_served_from_memory(fake: FakeBotAPI, tmp_path: Path) -> None:
    files = Files(tmp_path / "run")
    with small_disk(tmp_path / "disk", "256k") as disk:
        for path in (files.state, files.journal, files.questions):
            for suffix in ("", "-wal", "-shm"):
                source = Path(f"{path}{suffix}")
                if source.exists():
                    (disk / source.name).write_bytes(source.read_bytes())
        files.state, files.journal = disk / files.state.name, disk / files.journal.name
        files.questions = disk / "questions.sqlite3"
        with files.bot(fake) as bot:
            bot.start()
            fill(disk)
            answers = [ask(fake, question) for question in ("what is a volume?", "more", "what is a kernel?")]
            assert bot.stop() == 0
    assert "Volumes" in answers[0] and answers[1] != answers[0] and "kernel" in answers[2].lower()
    assert "Sorry, something went wrong" not in "".join(answers)
    assert "Traceback" not in bot.stderr


def test_a_question_log_in_a_read_only_folder_is_refused_in_one_line(fake: FakeBotAPI, tmp_path: Path) -> None:
    """The question log (bot/questionlog.py) and its pseudonym key are not served from memory: the bot says
    which file it cannot write, in one line, and exits with 2."""
    files = Files(tmp_path / "run")
    with read_only(files.state_dir), files.bot(fake) as bot:
        bot.start(wait=False)
        assert bot.wait(60) == 2
    [line] = [line for line in bot.stderr.splitlines() if line.startswith("error:")]
    assert str(files.state_dir) in line and ("Read-only file system" in line or "Permission denied" in line)
    assert "Traceback" not in bot.stderr


@pytest.mark.parametrize("disk", ["read-only", "full"])
def test_a_damaged_saved_index_on_a_disk_that_cannot_take_the_rebuild_is_served_from_memory(
    fake: FakeBotAPI, tmp_path: Path, disk: str
) -> None:
    files = Files(tmp_path / "run")
    truncate(files.index / "data.npy")
    # full: the saved index moved onto a small disk, then the disk filled up
    context = read_only(files.index.parent) if disk == "read-only" else small_disk(tmp_path / "small", "1m")
    with context as place:
        if disk == "full":
            shutil.copytree(files.index, place / "index")
            fill(place)
            files.home.joinpath("cache").rename(files.home / "cache.old")
            (files.home / "cache").symlink_to(place)
        with files.bot(fake) as bot:
            bot.start()
            answer = ask(fake, "what is a volume?")
            assert bot.stop() == 0
    assert "Volumes" in answer
    assert "rebuilding the saved index" in bot.stderr and "could not save the index" in bot.stderr
    assert "Traceback" not in bot.stderr
