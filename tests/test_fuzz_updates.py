"""Telegram updates of unusual shapes, injected through the fake server: the bot keeps running, shows no one a
traceback, and does not even apologise (an apology means a handler raised).

By long polling: messages without text or without a sender, anonymous group admins, huge texts and captions,
entities pointing past the text, unknown fields everywhere, edits without an edit date, buttons pressed on
inline messages or with data the bot never made, inline queries far over Telegram's limits. By webhook, where
the fake's allowed_updates filter does not apply: channel posts, membership changes, update kinds newer than
the library, and an update with no kind at all. Each test then asks a normal question, which must be answered.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import pytest

from bot.telegram.handlers import APOLOGY
from tests.fake_bot_api import FakeBotAPI
from tests.test_telegram_harness import RunningBot

pytestmark = pytest.mark.timeout(60)

USER = 501
GROUP = -100555
NOW = int(time.time())
HUGE = "what is a kernel? " * 6000  # about 100 kB; Telegram itself stops at 4096 characters


def user(user_id: int = USER, **extra: Any) -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": "Ann", **extra}


#: Messages that buttons hang on (8xxx) are never stored by the fake, so their ids stay below every id it hands
#: out afterwards (after the 9xxx messages): a reply to a button cannot be taken for the answer to a question.
def private(message_id: int, **fields: Any) -> dict[str, Any]:
    return {"message_id": message_id, "date": NOW, "chat": {"id": USER, "type": "private"}, "from": user(), **fields}


def group(message_id: int, **fields: Any) -> dict[str, Any]:
    chat = {"id": GROUP, "type": "supergroup", "title": "Study group"}
    return {"message_id": message_id, "date": NOW, "chat": chat, **fields}


#: (name, update without its update_id), delivered by long polling.
POLLED: list[tuple[str, dict[str, Any]]] = [
    ("location", {"message": private(9001, location={"latitude": 52.5, "longitude": 13.4})}),
    ("contact", {"message": private(9002, contact={"phone_number": "+100", "first_name": "B"})}),
    ("dice", {"message": private(9003, dice={"emoji": "🎲", "value": 3})}),
    ("empty text", {"message": private(9004, text="")}),
    ("zero-width text", {"message": private(9005, text="\u200b\u200d\ufeff")}),
    ("huge text", {"message": private(9006, text=HUGE)}),
    ("huge caption", {"message": private(9007, caption=HUGE, photo=[
        {"file_id": "p", "file_unique_id": "p", "width": 90, "height": 60}])}),
    ("entities past the end", {"message": private(9008, text="/help", entities=[
        {"type": "bot_command", "offset": 400, "length": 9}, {"type": "mention", "offset": 0, "length": 99}])}),
    ("unknown fields", {"message": private(9009, text="what is a volume?", future_field={"x": [1, 2]},
                                           from_=None), "brand_new_kind": {"anything": True}}),
    ("no sender: anonymous admin", {"message": group(9010, text="/ask what is a kernel?",
                                                     sender_chat={"id": GROUP, "type": "supergroup", "title": "S"})}),
    ("from a bot", {"message": private(9011, text="hi", **{"from": user(USER, is_bot=True)})}),
    ("reply to a message without sender", {"message": private(9012, text="and this?", reply_to_message={
        "message_id": 1, "date": NOW, "chat": {"id": USER, "type": "private"}, "text": "old"})}),
    ("forwarded", {"message": private(9013, text="what is a port?", forward_origin={
        "type": "hidden_user", "sender_user_name": "Someone", "date": NOW})}),
    ("huge ids", {"message": {"message_id": 2**31 - 1, "date": NOW, "chat": {"id": 2**52, "type": "private"},
                              "from": user(2**52), "text": "/help"}}),
    ("edit without edit_date", {"edited_message": private(9014, text="what is a kernel?")}),
    ("edit of a photo", {"edited_message": private(9015, edit_date=NOW, photo=[
        {"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}])}),
    ("button on an inline message", {"callback_query": {"id": "cq1", "from": user(), "chat_instance": "c",
                                                       "inline_message_id": "im1", "data": "more"}}),
    ("button without data", {"callback_query": {"id": "cq2", "from": user(), "chat_instance": "c",
                                                "game_short_name": "g", "message": private(8016, text="x")}}),
    ("button with foreign data", {"callback_query": {"id": "cq3", "from": user(), "chat_instance": "c",
                                                     "data": "\x00garbage\u202e" * 7,
                                                     "message": private(8017, text="x")}}),
    ("button on an inaccessible message", {"callback_query": {"id": "cq4", "from": user(), "chat_instance": "c",
                                                             "data": "more", "message": {
                                                                 "message_id": 8019, "date": 0,
                                                                 "chat": {"id": USER, "type": "private"}}}}),
    ("huge inline query", {"inline_query": {"id": "iq1", "from": user(), "query": HUGE[:10_000], "offset": ""}}),
    ("inline query with chat type", {"inline_query": {"id": "iq2", "from": user(), "query": "kernel",
                                                      "offset": "zz", "chat_type": "sender"}}),
    # Updates python-telegram-bot cannot read at all: PTB's own polling fetched them for ever, answering no one.
    ("message without chat or date", {"message": {"message_id": 9018, "text": "hi"}}),
    ("button without sender", {"callback_query": {"id": "cq5", "chat_instance": "c", "data": "more"}}),
    ("a list for a message", {"message": [1, 2, 3]}),
]

UNREADABLE = {"message without chat or date", "a list for a message"}

#: Delivered by webhook (the fake would filter them out of getUpdates, as Telegram does).
WEBHOOK: list[tuple[str, dict[str, Any]]] = [
    ("channel post", {"channel_post": {"message_id": 1, "date": NOW, "text": "/help",
                                       "chat": {"id": -1001, "type": "channel", "title": "News"}}}),
    ("edited channel post", {"edited_channel_post": {"message_id": 1, "date": NOW, "edit_date": NOW, "text": "x",
                                                     "chat": {"id": -1001, "type": "channel", "title": "News"}}}),
    ("bot added to a group", {"my_chat_member": {
        "chat": {"id": GROUP, "type": "supergroup", "title": "G"}, "from": user(), "date": NOW,
        "old_chat_member": {"status": "left", "user": user(123456789, is_bot=True)},
        "new_chat_member": {"status": "member", "user": user(123456789, is_bot=True)}}}),
    ("a kind from the future", {"quantum_post": {"qubits": 3}}),
    ("no kind at all", {}),
]


def fixed(update: dict[str, Any]) -> dict[str, Any]:
    """``from_=None`` in the table is a way of writing an absent ``from``; Python keywords need it."""
    message = update.get("message")
    if isinstance(message, dict) and "from_" in message:
        del message["from_"], message["from"]
    return update


def assert_nothing_leaked(fake: FakeBotAPI, caplog: pytest.LogCaptureFixture, *, expected_errors: int = 0) -> None:
    texts = [str(r.params.get("text", "")) for r in fake.requests() if r.method in ("sendMessage", "editMessageText")]
    for word in ("Traceback", "Error", "Exception", 'File "', APOLOGY):
        assert not [t for t in texts if word in t], f"{word!r} was shown to a user"
    failures = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    unreadable = [f for f in failures if "Received data was *not* processed" in f]  # PTB's webhook server
    assert len(unreadable) == expected_errors and len(failures) == expected_errors, failures


def test_unusual_updates_by_polling_are_survived_quietly(
    fake: FakeBotAPI, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    with RunningBot(fake, tmp_path / "state.sqlite3") as bot:
        updates = [fake.raw_update(fixed(update)) for _, update in POLLED]
        fake.wait_for(lambda r: r.method == "getUpdates" and (r.params.get("offset") or 0) > updates[-1]["update_id"],
                      timeout=15)
        [reply] = bot.ask(USER, "what is a container?", timeout=15)
    assert "container" in reply.result["text"].lower()
    assert_nothing_leaked(fake, caplog)
    hints = [r for r in fake.requests("sendMessage") if r.params["chat_id"] == USER]
    assert len(hints) >= 4  # the location, contact, dice and the photo got the "text only" hint or an answer


def test_unusual_updates_by_webhook_are_survived_quietly(
    fake: FakeBotAPI, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    pytest.importorskip("tornado", reason="webhook mode needs python-telegram-bot[webhooks]")
    from tests.test_telegram_bot import free_port

    caplog.set_level(logging.WARNING)
    port = free_port()
    settings = {
        "telegram_webhook_url": "https://bot.example/hook",
        "telegram_webhook_listen": "127.0.0.1",
        "telegram_webhook_port": port,
        "telegram_webhook_secret": "s3cret",
    }
    with RunningBot(fake, tmp_path / "state.sqlite3", **settings) as bot:
        for name, update in WEBHOOK + POLLED:
            registered = fake.raw_update(fixed(update))  # the fake learns its chats; the bot gets it by webhook
            status = fake.deliver_webhook(f"http://127.0.0.1:{port}/hook", registered)
            # PTB's webhook server refuses what it cannot parse with 400; Telegram tries again, then drops it.
            assert status == (400 if name in UNREADABLE else 200), name
        question = fake.send_text(USER, "what is a container?")
        assert fake.deliver_webhook(f"http://127.0.0.1:{port}/hook", question) == 200
        [reply] = bot.replies_to(USER, question["message"]["message_id"], timeout=15)
    assert "container" in reply.result["text"].lower()
    assert_nothing_leaked(fake, caplog, expected_errors=len(UNREADABLE))
