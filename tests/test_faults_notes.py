"""The notes folder changes under load: no question fails, and a broken note leaves the last good index serving.

``python -m bot`` (a child process, live reload on) answers a steady stream of questions from ten chats while
another thread edits, adds, deletes, empties and garbles note files, some of them while the bot may be
reading them. Every question is answered exactly once and none gets the apology. Then one note is truncated
to binary garbage: the reload keeps the last good index (and says so in the log), so a question about that
note is still answered from it; once the note is restored, the rebuilt index is swapped in.
"""

from __future__ import annotations

import os
import random
import shutil
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from bot.telegram.handlers import APOLOGY
from tests.bot_process import BotProcess, replied_to, replies
from tests.fake_bot_api import FakeBotAPI
from tests.test_telegram_harness import CORPUS

pytestmark = pytest.mark.timeout(120)

QUESTIONS = ["what is a kernel?", "what is a volume?", "what is a port?", "what is a registry?",
             "what are zebra crossings?"]
ZEBRA = "# Zebra crossings\n\nZebra crossings are striped road markings where pedestrians have right of way.\n"


@pytest.fixture
def notes(tmp_path: Path) -> Path:
    folder = tmp_path / "notes"
    shutil.copytree(CORPUS, folder)
    return folder


def churn(notes: Path, stop: threading.Event, done: list[str]) -> None:
    """Change the notes every few tenths of a second, in every way a person or a sync tool does."""
    rng = random.Random(7)
    storage = (notes / "06-storage-and-data.md").read_bytes()
    basics = notes / "01-docker-basics.md"
    steps = [
        ("edit", lambda: basics.write_text(basics.read_text() + "\n## Edited\n\nAn edit under load.\n")),
        ("add", lambda: (notes / "zebra.md").write_text(ZEBRA)),
        ("empty a note", lambda: (notes / "07-networking.md").write_text("")),
        ("garble a note (random bytes)", lambda: (notes / "05-hashes-and-snapshots.md").write_bytes(
            bytes(rng.randrange(1, 256) for _ in range(5000)))),
        ("truncate a note mid-write", lambda: (notes / "06-storage-and-data.md").write_bytes(storage[:1234])),
        ("binary garbage", lambda: (notes / "06-storage-and-data.md").write_bytes(b"\0\xff" * 3000)),
        ("restore", lambda: (notes / "06-storage-and-data.md").write_bytes(storage)),
        ("delete", lambda: (notes / "08-running-containers.md").unlink()),
        ("add a folder", lambda: (notes / "more").mkdir()),
        ("add into it", lambda: (notes / "more" / "extra.md").write_text("# Extra\n\nMore text.\n")),
        ("rename", lambda: os.replace(notes / "more" / "extra.md", notes / "more" / "renamed.md")),
        ("delete the folder", lambda: shutil.rmtree(notes / "more")),
        ("a file that is not a note", lambda: (notes / "image.png").write_bytes(b"\x89PNG\r\n")),
    ]
    for name, step in steps:
        if stop.is_set():
            return
        step()
        done.append(name)
        time.sleep(rng.uniform(0.1, 0.5))


def test_no_question_fails_while_the_notes_change(fake: FakeBotAPI, notes: Path, tmp_path: Path) -> None:
    stop = threading.Event()
    done: list[str] = []
    with BotProcess(fake, tmp_path / "run", notes=notes, NOTES_QA_WATCH="1",
                    TELEGRAM_RATE_LIMIT_PER_MINUTE="1000") as bot:
        bot.start()
        changer = threading.Thread(target=churn, args=(notes, stop, done), name="notes-churn")
        changer.start()
        asked = []
        try:
            for round_ in range(12):
                for chat in range(7000, 7010):
                    asked.append((chat, fake.send_text(chat, QUESTIONS[(round_ + chat) % len(QUESTIONS)])
                                  ["message"]["message_id"]))
                time.sleep(0.35)
        finally:
            changer.join(30)
            stop.set()
        fake.wait_for(lambda r: r.method == "sendMessage" and r.ok, count=len(asked), timeout=60)
        time.sleep(0.5)
        assert bot.running
        assert bot.stop() == 0
    counts = Counter(replied_to(r) for r in replies(fake))
    assert [q for q in asked if counts[q] != 1] == []
    assert not [r for r in replies(fake) if APOLOGY in str(r.result["text"])]
    assert len(done) == 13, done
    assert "reloaded the notes" in bot.stderr
    assert " ERROR " not in bot.stderr and "Traceback" not in bot.stderr


def wait_for_log(bot: BotProcess, text: str, *, after: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while text not in bot.stderr[after:]:
        assert time.monotonic() < deadline, f"{text!r} not logged:\n{bot.stderr[after:][-2000:]}"
        time.sleep(0.05)


def ask(fake: FakeBotAPI, chat: int, text: str) -> str:
    message_id = fake.send_text(chat, text)["message"]["message_id"]
    [reply] = fake.wait_for(lambda r: r.method == "sendMessage" and r.ok and replied_to(r) == (chat, message_id),
                            timeout=15)
    return str(reply.result["text"])


def test_a_note_truncated_to_garbage_leaves_the_last_good_index_serving(
    fake: FakeBotAPI, notes: Path, tmp_path: Path
) -> None:
    storage = notes / "06-storage-and-data.md"
    good = storage.read_bytes()
    with BotProcess(fake, tmp_path / "run", notes=notes, NOTES_QA_WATCH="1") as bot:
        bot.start()
        before = ask(fake, 1, "what is a volume?")
        mark = len(bot.stderr)
        storage.write_bytes(good[:500] + b"\0" * 4096)  # cut mid-write, the rest zeros: a binary file now
        wait_for_log(bot, "keeping the last good index", after=mark)
        during = ask(fake, 2, "what is a volume?")
        mark = len(bot.stderr)
        storage.write_bytes(good + b"\n## Volume drivers\n\nVolume drivers store volumes on remote hosts.\n")
        wait_for_log(bot, "reloaded the notes", after=mark)
        after = ask(fake, 3, "what are volume drivers?")
        assert bot.stop() == 0
    assert "Volumes" in before and during == before  # the last good index answered
    assert "06-storage-and-data.md: binary file" in bot.stderr
    assert "remote hosts" in after
