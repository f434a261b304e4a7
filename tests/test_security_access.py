"""The allow-list holds for every kind of update, by numeric user id, and a refused update never reaches the notes.

With ``TELEGRAM_ALLOWED_USERS`` set, an update from anyone else (a message in a private chat or a group, an
edit, a sticker, a button press, an inline query) gets a refusal or nothing, and the conversation core is not
called for it: the notes' text cannot leak through any path. Only the numeric id counts: a stranger who copies
an allowed user's username or name, or whose message claims an allowed user's private chat, is refused.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot import Conversation, Reply, State
from bot.telegram.handlers import refusal
from tests.fake_bot_api import FakeBotAPI
from tests.test_telegram_harness import RunningBot, bundled_conversation

pytestmark = pytest.mark.timeout(60)

ALICE, MALLORY = 42, 666  # Alice is allowed; Mallory is not
GROUP = -100777


class Watched(Conversation):
    """The core, noting every message and button it is asked about."""

    def __init__(self) -> None:
        super().__init__(bundled_conversation().retriever)
        self.asked: list[str] = []

    def respond(self, text: str, state: State | None = None) -> tuple[Reply, State]:
        self.asked.append(text)
        return super().respond(text, state)

    def choose(self, action: str, state: State | None = None) -> tuple[Reply, State]:
        self.asked.append(action)
        return super().choose(action, state)


def texts_to(fake: FakeBotAPI, chat_id: int) -> list[str]:
    return [str(r.result["text"]) for r in fake.requests("sendMessage") if r.ok and r.params["chat_id"] == chat_id]


def test_every_kind_of_update_from_a_stranger_is_refused_by_numeric_id(fake: FakeBotAPI, tmp_path: Path) -> None:
    core = Watched()
    with RunningBot(fake, tmp_path / "state.sqlite3", conversation=core,
                    telegram_allowed_users=frozenset({ALICE})) as bot:
        [answer] = bot.ask(ALICE, "what is a kernel?")
        asked_by_alice = list(core.asked)
        strangers: list[dict[str, Any]] = [
            fake.send_text(MALLORY, "what is a kernel?"),
            fake.send_text(MALLORY, "what is a volume?", username="user42", first_name="Test"),  # Alice's names
            fake.send_text(ALICE, "what is a port?", user_id=MALLORY),  # claims Alice's chat
            fake.send_text(GROUP, "/ask what is a kernel?", user_id=MALLORY, chat_type="supergroup", title="G"),
            fake.send_text(GROUP, "@notes_qa_bot what is a kernel?", user_id=MALLORY, chat_type="supergroup",
                           title="G"),
            fake.send_sticker(MALLORY),
            fake.send_photo(MALLORY, caption="what is a kernel?"),
        ]
        edited = fake.send_text(MALLORY, "hi")
        fake.edit_text(MALLORY, edited["message"]["message_id"], "what is a container?")
        fake.press_button(ALICE, answer.result["message_id"], "more", user_id=MALLORY, require_button=False)
        fake.inline_query(MALLORY, "kernel")
        anonymous = fake.raw_update({"message": {  # an anonymous group admin: no user id at all
            "message_id": 77, "date": 1, "text": "/ask what is a kernel?",
            "chat": {"id": GROUP, "type": "supergroup", "title": "G"},
            "sender_chat": {"id": GROUP, "type": "supergroup", "title": "G"}}})
        [alert] = fake.wait_for("answerCallbackQuery")
        [inline] = fake.wait_for("answerInlineQuery")
        fake.wait_for(lambda r: r.method == "getUpdates" and (r.params.get("offset") or 0) > anonymous["update_id"])
        [later] = bot.ask(ALICE, "what is a volume?")  # Alice is still served
    assert core.asked == [*asked_by_alice, "what is a volume?"]  # no stranger's update reached the notes
    assert "volume" in later.result["text"].lower()
    refused = refusal(MALLORY)
    assert texts_to(fake, MALLORY) == [refused] * 6  # two questions, the sticker, the photo, "hi" and its edit
    assert texts_to(fake, GROUP) == [refused] * 2
    assert texts_to(fake, ALICE) == [answer.result["text"], refused, later.result["text"]]
    assert alert.params["show_alert"] is True and alert.params["text"] == refused
    assert inline.params["results"] == [] and inline.params["is_personal"] is True
    assert len(strangers) == 7


def test_without_an_allow_list_everyone_is_served(fake: FakeBotAPI, tmp_path: Path) -> None:
    with RunningBot(fake, tmp_path / "state.sqlite3") as bot:
        [answer] = bot.ask(MALLORY, "what is a kernel?")
    assert "kernel" in answer.result["text"].lower()
