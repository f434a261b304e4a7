"""No question lost, none answered twice: the journal at work inside the real bot (in-process; the kill -9
tests, with the bot as a child process, are in test_faults_crash.py).

A crash is simulated here by writing the journal as a killed process would have left it, then starting the
bot: updates recorded but unfinished are answered, from the chat state they first saw, without repeating what
was already sent. Also: a send that timed out is not repeated; an update redelivered by Telegram (webhook
retries) is answered once; a stop while Telegram fails leaves the question for the next start; an update the
bot crashed on five times is given up.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.telegram.journal import Journal, journal_path
from tests.fake_bot_api import FakeBotAPI
from tests.test_telegram_bot import core, text_of, visible
from tests.test_telegram_harness import RunningBot, replying_to

pytestmark = pytest.mark.timeout(60)

ALICE = 42


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "state.sqlite3"


def answers_to(fake: FakeBotAPI, message_id: int, chat_id: int = ALICE) -> list[str]:
    return [text_of(r) for r in fake.requests("sendMessage") if replying_to(chat_id, message_id)(r)]


def test_a_question_journalled_before_a_crash_is_answered_after_the_restart_once(fake: FakeBotAPI, db: Path) -> None:
    question = fake.send_text(ALICE, "what is a kernel?")
    with Journal(journal_path(db)) as journal:  # fetched and recorded, then the process died
        journal.record([question])
    with RunningBot(fake, db) as bot:
        bot.replies_to(ALICE, question["message"]["message_id"])
        [later] = bot.ask(ALICE, "what is a volume?")
    assert answers_to(fake, question["message"]["message_id"]) == [visible(core("what is a kernel?"))[0]]
    assert text_of(later) == visible(core("what is a volume?"))[0]
    first_poll = fake.requests("getUpdates")[0]
    assert "offset" not in first_poll.params  # so Telegram sends the question again: it is not answered twice
    with Journal(journal_path(db)) as journal:
        assert journal.counts() == {"done": 2}


def test_after_a_crash_between_saving_the_state_and_sending_the_same_reply_is_sent(fake: FakeBotAPI, db: Path) -> None:
    with RunningBot(fake, db) as bot:
        bot.ask(ALICE, "what are the advantages of docker?")
        [more] = bot.ask(ALICE, "more")
    with Journal(journal_path(db)) as journal:  # the state was saved, the reply never left: as kill -9 leaves it
        [(update_id,)] = journal._read("SELECT update_id FROM updates ORDER BY update_id DESC LIMIT 1")
        journal._write("UPDATE updates SET status = 'pending' WHERE update_id = ?", [(update_id,)])
        journal._write("DELETE FROM effects WHERE update_id = ?", [(update_id,)])
    with RunningBot(fake, db) as bot:
        [again] = bot.server.wait_for(lambda r: r.method == "sendMessage" and r.ok, count=3)[2:]
    assert text_of(again) == text_of(more) == visible(core("what are the advantages of docker?", "more"))[0]


def test_a_reply_partly_sent_before_a_crash_is_finished_without_repeating_a_part(fake: FakeBotAPI, db: Path) -> None:
    from tests.test_telegram_bot import long_notes_conversation

    conversation = long_notes_conversation()
    with RunningBot(fake, db, conversation=conversation) as bot:
        bot.ask(ALICE, "huge layer", parts=4, timeout=10)
    parts = [r for r in fake.requests("sendMessage") if r.ok]
    assert len(parts) >= 4
    with Journal(journal_path(db)) as journal:  # parts 3 and 4 never left
        [(update_id,)] = journal._read("SELECT max(update_id) FROM updates")
        journal._write("UPDATE updates SET status = 'pending' WHERE update_id = ?", [(update_id,)])
        journal._write("DELETE FROM effects WHERE update_id = ? AND seq >= 2", [(update_id,)])
    with RunningBot(fake, db, conversation=conversation) as bot:
        bot.server.wait_for(lambda r: r.method == "sendMessage" and r.ok, count=2 * len(parts) - 2, timeout=10)
    sent = [text_of(r) for r in fake.requests("sendMessage") if r.ok]
    assert sent == [text_of(p) for p in parts] + [text_of(p) for p in parts[2:]]


def test_a_send_that_timed_out_is_not_sent_again(fake: FakeBotAPI, db: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    with RunningBot(fake, db) as bot:
        fake.stall_next("sendMessage", 6.5)  # carried out at once, answered after PTB's 5 s read timeout
        question = fake.send_text(ALICE, "what is a kernel?")
        fake.wait_for("sendMessage")
        [later] = bot.ask(ALICE, "what is a volume?", timeout=15)
    assert answers_to(fake, question["message"]["message_id"]) == [visible(core("what is a kernel?"))[0]]
    assert len(fake.requests("sendMessage")) == 2
    assert "volume" in text_of(later)
    assert "it may have been delivered, so it is not sent again" in caplog.text


def test_an_update_telegram_delivers_twice_is_answered_once(fake: FakeBotAPI, db: Path) -> None:
    pytest.importorskip("tornado", reason="webhook mode needs python-telegram-bot[webhooks]")
    from tests.test_security_webhook import free_port

    port = free_port()
    settings = {"telegram_webhook_url": "https://bot.example/hook", "telegram_webhook_port": port,
                "telegram_webhook_secret": "s3cret"}
    with RunningBot(fake, db, **settings) as bot:
        question = fake.send_text(ALICE, "what is a kernel?")
        for _ in range(3):  # Telegram posts again when it did not see the 200 in time
            assert fake.deliver_webhook(f"http://127.0.0.1:{port}/hook", question) == 200
        bot.replies_to(ALICE, question["message"]["message_id"])
        follow = fake.send_text(ALICE, "what is a volume?")  # answered after the duplicates: they were dropped
        assert fake.deliver_webhook(f"http://127.0.0.1:{port}/hook", follow) == 200
        bot.replies_to(ALICE, follow["message"]["message_id"])
    assert len(answers_to(fake, question["message"]["message_id"])) == 1
    assert len(fake.requests("sendMessage")) == 2


def test_a_stop_while_telegram_fails_leaves_the_question_for_the_next_start(fake: FakeBotAPI, db: Path) -> None:
    bot = RunningBot(fake, db).start()
    fake.fail_next("sendMessage", 502, count=1000)
    question = fake.send_text(ALICE, "what is a kernel?")
    fake.wait_for(lambda r: r.method == "sendMessage" and r.status == 502, count=3, timeout=10)
    bot.stop()  # SIGTERM: retries stop, the update stays pending
    with Journal(journal_path(db)) as journal:
        assert journal.status(question["update_id"]) == "pending"
    fake.clear_faults()
    with RunningBot(fake, db) as restarted:
        restarted.replies_to(ALICE, question["message"]["message_id"])
    assert answers_to(fake, question["message"]["message_id"]) == [visible(core("what is a kernel?"))[0]]


def test_an_update_the_bot_crashed_on_five_times_is_given_up(
    fake: FakeBotAPI, db: Path, caplog: pytest.LogCaptureFixture
) -> None:
    poison = fake.send_text(ALICE, "what is a kernel?")
    with Journal(journal_path(db)) as journal:
        journal.record([poison])
        for _ in range(5):
            journal.begin(poison["update_id"])  # started, then the process died, five times
    with RunningBot(fake, db) as bot:
        [later] = bot.ask(ALICE, "what is a volume?")
    assert answers_to(fake, poison["message"]["message_id"]) == []
    assert "volume" in text_of(later)
    assert f"giving up on update {poison['update_id']}" in caplog.text
    with Journal(journal_path(db)) as journal:
        assert journal.status(poison["update_id"]) == "failed"
