"""Questions and feedback recorded from both channels: the REPL (``main(argv)`` with scripted stdin) and the
Telegram bot (the real application against the fake Bot API), down to the rows in the SQLite file; and the
per-question INFO line, which never carries the question's text."""

from __future__ import annotations

import io
import logging
import re
import sqlite3
import sys
from pathlib import Path
from typing import Any

import pytest

from bot import Conversation
from bot.pseudonyms import Pseudonyms
from bot.questionlog import QuestionLog
from bot.recorder import Recorder
from bot.repl import main
from bot.telegram import build_application
from bot.telegram.flood import FloodControl
from bot.telegram.keyboards import Vote, decode_vote
from index import Record, Retriever
from tests.fake_bot_api import FakeBotAPI, RecordedRequest
from tests.test_repl import LINUX
from tests.test_telegram_harness import TEST_OPTIONS, RunningBot

ALICE = 42
KEY = b"a-test-key-of-32-bytes-----------"


def table(path: Path, sql: str) -> list[tuple[Any, ...]]:
    db = sqlite3.connect(path)
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


# The REPL ---------------------------------------------------------------------------------------------------


@pytest.fixture
def notes(tmp_path: Path) -> Path:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "linux.md").write_text(LINUX, encoding="utf-8")
    return folder


def repl(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path, notes: Path,
         stdin: str, *extra: str) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(["--notes", str(notes), "--cache-dir", str(tmp_path / "cache"), "--db", str(tmp_path / "q.sqlite3"),
                 "--no-watch", *extra])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_repl_records_questions_choices_and_good_and_bad(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path, notes: Path
) -> None:
    session = (
        "/good\nwhat does the kernel manage?\n/good\nzygote quasar nebula\n/bad\nhow are jobs scheduled?\n2\n/bad\n"
    )
    code, out, err = repl(monkeypatch, capsys, tmp_path, notes, session)
    assert code == 0
    assert err == (
        "There is no answer to rate yet. Ask a question first.\n"
        "Thanks, noted 👍 for “Kernel”.\n"
        "Thanks, noted 👎 for “zygote quasar nebula”.\n"
        "Thanks, noted 👎 for “Systemd timers”.\n"
    )
    without_feedback = repl(monkeypatch, capsys, tmp_path, notes,
                            "what does the kernel manage?\nzygote quasar nebula\nhow are jobs scheduled?\n2\n")
    assert out == without_feedback[1]  # /good and /bad print nothing on stdout
    db = tmp_path / "q.sqlite3"
    questions = table(db, "SELECT id, channel, question, normalized, kind, answered, section_id, suggestions, chosen "
                          "FROM questions ORDER BY asked_at, id")
    assert [q[1:] for q in questions[:3]] == [
        ("repl", "what does the kernel manage?", "what does the kernel manage", "answer", 1, "linux.md#kernel", "[]",
         None),
        ("repl", "zygote quasar nebula", "zygote quasar nebula", "not_covered", 0, None, "[]", None),
        ("repl", "how are jobs scheduled?", "how are jobs scheduled", "unsure", 0, None,
         '["linux.md#cron", "linux.md#systemd-timers", "linux.md#daemons"]', "linux.md#systemd-timers"),
    ]
    kernel, unknown, jobs = (q[0] for q in questions[:3])
    assert table(db, "SELECT question_id, value FROM feedback ORDER BY at") == [(kernel, 1), (unknown, -1), (jobs, -1)]
    users = table(db, "SELECT DISTINCT user FROM questions")
    assert len(users) == 1 and re.fullmatch(r"[0-9a-f]{16}", users[0][0])


def test_help_in_the_repl_lists_good_and_bad(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path, notes: Path
) -> None:
    _, out, _ = repl(monkeypatch, capsys, tmp_path, notes, "/help\n")
    assert "- `/reset`: forget this conversation and start afresh\n- `/good`, `/bad`: rate the last answer" in out


def test_info_logs_one_line_per_question_without_its_text_debug_shows_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path, notes: Path
) -> None:
    _, _, err = repl(monkeypatch, capsys, tmp_path, notes, "what does the kernel manage?\nzygote quasar\n",
                     "--log-level", "INFO")
    lines = err.splitlines()
    assert len(lines) == 2
    assert re.fullmatch(r"info: question channel=repl user=[0-9a-f]{16} kind=answer answered=yes "
                        r"section=linux\.md#kernel score=\d+\.\d{3} ratio=(\d\.\d\d|-) latency_ms=\d+\.\d", lines[0])
    assert re.fullmatch(r"info: question channel=repl user=[0-9a-f]{16} kind=not_covered answered=no section=- "
                        r"score=- ratio=- latency_ms=\d+\.\d", lines[1])
    assert "kernel manage" not in err and "zygote" not in err
    _, _, err = repl(monkeypatch, capsys, tmp_path, notes, "what does the kernel manage?\n", "--log-level", "DEBUG")
    assert "debug: repl asks 'what does the kernel manage?'" in err


# Telegram -----------------------------------------------------------------------------------------------------



def recording_bot(fake: FakeBotAPI, tmp_path: Path) -> tuple[RunningBot, QuestionLog]:
    """The harness's bot, rebuilt with a recorder writing to a question log in ``tmp_path``."""
    conversation = Conversation(Retriever.from_records([Record("linux.md", "Linux", LINUX)]))
    bot = RunningBot(fake, tmp_path / "state.sqlite3", conversation=conversation)
    questions = QuestionLog(tmp_path / "q.sqlite3", retention_days=90)
    recorder = Recorder("telegram", pseudonyms=Pseudonyms(KEY), question_log=questions)
    bot.application = build_application(
        bot.settings, conversation, bot.store, options=TEST_OPTIONS,
        flood=FloodControl(overall_per_second=None, group_per_minute=None), recorder=recorder,
    )
    return bot, questions


def keyboard(record: RecordedRequest) -> list[list[tuple[str, str]]]:
    rows = (record.params.get("reply_markup") or {}).get("inline_keyboard", [])
    return [[(b["text"], b["callback_data"]) for b in row] for row in rows]


@pytest.mark.timeout(60)
def test_telegram_answers_carry_thumbs_that_are_recorded_and_other_buttons_still_work(
    fake: FakeBotAPI, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    bot, questions = recording_bot(fake, tmp_path)
    with bot:
        [answer] = bot.ask(ALICE, "what is a daemon?")
        *first_rows, thumbs = keyboard(answer)
        assert first_rows == [[("More", "more")]]  # the keyboard it had before, then the feedback row
        assert [label for label, _ in thumbs] == ["👍", "👎"]
        good, bad = (data for _, data in thumbs)
        question_id = int(good.rsplit(":", 1)[1])
        assert (good, bad) == (f"f:good:{question_id}", f"f:bad:{question_id}")
        assert all(len(data.encode()) <= 64 for row in keyboard(answer) for _, data in row)

        fake.press_button(ALICE, answer.result["message_id"], bad)
        [edit] = fake.wait_for("editMessageReplyMarkup")
        [thanks] = fake.wait_for("answerCallbackQuery")
        assert thanks.params.get("text") == "Thanks for the feedback!"
        assert keyboard(edit) == [[("More", "more")], [("👍", good), ("👎 ✓", bad)]]

        fake.press_button(ALICE, answer.result["message_id"], "more")  # More still continues the answer
        [more] = fake.wait_for(lambda r: r.method == "sendMessage" and r.ok and "foreground" in r.result["text"])
        assert keyboard(more) == []  # the rest of the section: nothing more, and no second vote

        [unsure] = bot.ask(ALICE, "how are jobs scheduled?")
        assert [row[0][0] for row in keyboard(unsure)[:3]] == ["1. Cron", "2. Systemd timers", "3. Daemons"]
        assert not any(label in ("👍", "👎") for row in keyboard(unsure) for label, _ in row)  # nothing to rate yet
        pick = keyboard(unsure)[1][0][1]
        fake.press_button(ALICE, unsure.result["message_id"], pick)
        [picked] = fake.wait_for(
            lambda r: r.method == "sendMessage" and r.ok and r.result["text"].startswith("Linux\nSystemd timers")
        )
        picked_good = keyboard(picked)[-1][0][1]
        fake.press_button(ALICE, picked.result["message_id"], picked_good)
        fake.wait_for("editMessageReplyMarkup", count=2)
    questions.close()

    db = tmp_path / "q.sqlite3"
    rows = table(db, "SELECT id, channel, question, kind, section_id, chosen FROM questions ORDER BY asked_at")
    assert rows == [
        (question_id, "telegram", "what is a daemon?", "answer", "linux.md#daemons", None),
        (int(picked_good.rsplit(":", 1)[1]), "telegram", "how are jobs scheduled?", "unsure", None,
         "linux.md#systemd-timers"),
    ]
    assert table(db, "SELECT question_id, user, value FROM feedback ORDER BY at") == [
        (question_id, Pseudonyms(KEY)("telegram", ALICE), -1),
        (rows[1][0], Pseudonyms(KEY)("telegram", ALICE), 1),
    ]
    info = [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO and r.name.startswith("bot")]
    asked = [line for line in info if line.startswith("question ")]
    assert len(asked) == 2
    assert all(f"user={Pseudonyms(KEY)('telegram', ALICE)}" in line for line in asked)
    assert not any("daemon?" in line or "scheduled" in line or fake.token in line for line in info)


@pytest.mark.timeout(60)
def test_a_vote_on_a_message_without_a_recorder_is_answered_and_ignored(fake: FakeBotAPI, tmp_path: Path) -> None:
    with RunningBot(fake, tmp_path / "state.sqlite3") as bot:
        [answer] = bot.ask(ALICE, "what is a volume?")
        assert not any(data.startswith("f:") for row in keyboard(answer) for _, data in row)
        fake.press_button(ALICE, answer.result["message_id"], "f:bad:123", require_button=False)
        [thanks] = fake.wait_for("answerCallbackQuery")
        assert thanks.ok and fake.requests("editMessageReplyMarkup") == []


@pytest.mark.timeout(60)
def test_a_forged_vote_for_a_huge_question_number_loses_no_real_vote(fake: FakeBotAPI, tmp_path: Path) -> None:
    # SQLite integers stop at 2**63 - 1; a vote naming a bigger question must not break the log's writer.
    bot, questions = recording_bot(fake, tmp_path)
    with bot:
        [answer] = bot.ask(ALICE, "what is a daemon?")
        good = keyboard(answer)[-1][0][1]
        fake.press_button(ALICE, answer.result["message_id"], "f:good:" + "9" * 20, require_button=False)
        fake.wait_for("answerCallbackQuery")
        fake.press_button(ALICE, answer.result["message_id"], good)
        fake.wait_for("editMessageReplyMarkup")
    questions.close()
    question_id = int(good.rsplit(":", 1)[1])
    db = tmp_path / "q.sqlite3"
    assert table(db, "SELECT question_id, value FROM feedback") == [(question_id, 1)]


def test_a_vote_names_a_question_number_sqlite_can_hold() -> None:
    assert decode_vote(f"f:good:{2**63 - 1}") == Vote(2**63 - 1, True)
    assert decode_vote(f"f:bad:{2**63}") is None
    assert decode_vote("f:bad:" + "9" * 5000) is None
