"""``python -m bot`` run for real (a subprocess against the fake Bot API): it records questions and 👎 in the
question log, picks up an edited note, obeys an admin's /reload, keeps its heartbeat, logs no question text at
INFO, and writes everything out on SIGTERM; ``python -m bot.report`` then shows it all."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.report.cli import main as report_main
from tests.fake_bot_api import FakeBotAPI, RecordedRequest
from tests.test_telegram_harness import SPEC_PATH, replying_to

pytestmark = pytest.mark.timeout(90)

ALICE, ADMIN = 42, 7
NOTES = "# Kernel\n\nThe kernel manages memory, devices and processes.\n\n# Shell\n\nA shell runs command lines.\n"
PODMAN = "\n# Podman\n\nPodman runs containers without a daemon, as the user who starts them.\n"


@pytest.fixture
def fake() -> Iterator[FakeBotAPI]:
    with FakeBotAPI(spec_path=SPEC_PATH) as server:
        yield server
        assert server.spec_violations == []


def ask(fake: FakeBotAPI, chat: int, text: str) -> RecordedRequest:
    update = fake.send_text(chat, text)
    [reply] = fake.wait_for(replying_to(chat, update["message"]["message_id"]), timeout=15)
    return reply


def buttons(record: RecordedRequest) -> dict[str, str]:
    rows = (record.params.get("reply_markup") or {}).get("inline_keyboard", [])
    return {b["text"]: b["callback_data"] for row in rows for b in row}


def test_the_bot_records_reloads_and_reports(
    tmp_path: Path, fake: FakeBotAPI, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "linux.md").write_text(NOTES, encoding="utf-8")
    data = tmp_path / "data"
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path), "PTB_TIMEDELTA": "1",
        "TELEGRAM_BOT_TOKEN": fake.token, "TELEGRAM_BASE_URL": fake.base_url, "TELEGRAM_ADMIN_USERS": str(ADMIN),
        "NOTES_QA_NOTES_DIR": str(notes), "NOTES_QA_CACHE_DIR": str(data / "cache"),
        "NOTES_QA_STATE_DB": str(data / "telegram-state.sqlite3"), "NOTES_QA_QUESTION_DB": str(data / "q.sqlite3"),
    }
    process = subprocess.Popen([sys.executable, "-m", "bot"], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        fake.wait_for("getUpdates", timeout=30)
        kernel = ask(fake, ALICE, "what does the kernel manage?")
        assert kernel.result["text"].startswith("Kernel\n")
        fake.press_button(ALICE, kernel.result["message_id"], buttons(kernel)["👎"])
        fake.wait_for("editMessageReplyMarkup", timeout=10)
        assert "couldn't find" in ask(fake, ALICE, "what is podman?").result["text"]

        with (notes / "linux.md").open("a", encoding="utf-8") as note:  # the watcher picks this up
            note.write(PODMAN)
        deadline = time.monotonic() + 20
        while "Podman runs containers" not in (answer := ask(fake, ALICE, "what is podman?")).result["text"]:
            assert time.monotonic() < deadline, answer.result["text"]
            time.sleep(0.3)

        assert ask(fake, ADMIN, "/reload").result["text"].startswith("Reloaded the notes: 3 topics from 1 file in ")
        assert (data / "telegram-state.alive").is_file()
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr and fake.token not in stderr
    info = [line for line in stderr.splitlines() if " INFO bot" in line]
    assert sum(" question channel=telegram " in line for line in info) >= 3
    assert "reloaded the notes (changed: linux.md)" in stderr
    assert not any("kernel manage" in line or "podman?" in line for line in info)

    db = sqlite3.connect(data / "q.sqlite3")
    try:
        asked = db.execute("SELECT question, kind, section_id FROM questions ORDER BY asked_at").fetchall()
        votes = db.execute("SELECT value FROM feedback").fetchall()
    finally:
        db.close()
    assert asked[:2] == [("what does the kernel manage?", "answer", "linux.md#kernel"),
                         ("what is podman?", "not_covered", None)]
    assert asked[-1] == ("what is podman?", "answer", "linux.md#podman")
    assert votes == [(-1,)]

    capsys.readouterr()
    assert report_main(["--db", str(data / "q.sqlite3"), "--notes", str(notes)]) == 0
    report = capsys.readouterr().out
    assert "what is podman?" in report and "answered since: linux.md#podman ×1" in report
    assert "    1 👎   0 👍  linux.md#kernel “Kernel”" in report
