"""What the fake Telegram remembers: the bot, chats, messages, queued updates.

BotState is plain data with no locking of its own; FakeBotAPI guards every
access with its lock.  Message ids are counted per chat and shared between
the users' and the bot's messages, as in a Telegram private chat.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field
from typing import Any

__all__ = ["DEFAULT_ALLOWED_UPDATES", "BotState", "Webhook"]

#: Update types delivered when allowed_updates was never set (or set to []).
DEFAULT_EXCLUDED_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
DEFAULT_ALLOWED_UPDATES = None  # meaning: every type except DEFAULT_EXCLUDED_UPDATES


@dataclass
class Webhook:
    """What setWebhook registered."""

    url: str = ""
    secret_token: str | None = None
    allowed_updates: list[str] | None = None
    max_connections: int = 40
    ip_address: str | None = None


@dataclass
class BotState:
    """Everything the fake server knows; guarded by FakeBotAPI's lock."""

    bot_user: dict[str, Any]
    next_update_id: int = 1
    chats: dict[int, dict[str, Any]] = field(default_factory=dict)
    users: dict[int, dict[str, Any]] = field(default_factory=dict)
    messages: dict[int, dict[int, dict[str, Any]]] = field(default_factory=dict)
    last_message_id: dict[int, int] = field(default_factory=dict)
    pending_updates: list[dict[str, Any]] = field(default_factory=list)
    confirmed_offset: int = 0
    allowed_updates: list[str] | None = DEFAULT_ALLOWED_UPDATES
    open_callback_queries: dict[str, dict[str, Any]] = field(default_factory=dict)
    open_inline_queries: dict[str, dict[str, Any]] = field(default_factory=dict)
    commands: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    webhook: Webhook = field(default_factory=Webhook)
    sent: list[dict[str, Any]] = field(default_factory=list)
    next_query_id: int = 1

    # -- chats and users -------------------------------------------------
    def remember_chat(self, chat: dict[str, Any]) -> None:
        self.chats[int(chat["id"])] = dict(chat)

    def remember_user(self, user: dict[str, Any]) -> None:
        if not user.get("is_bot"):
            self.users[int(user["id"])] = dict(user)

    def find_chat(self, chat_id: object) -> dict[str, Any] | None:
        """A known chat by id or by ``@username``."""
        if isinstance(chat_id, bool):
            return None
        if isinstance(chat_id, int):
            return self.chats.get(chat_id)
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            wanted = chat_id[1:].lower()
            for chat in self.chats.values():
                if str(chat.get("username", "")).lower() == wanted:
                    return chat
        return None

    # -- messages ----------------------------------------------------------
    def new_message_id(self, chat_id: int) -> int:
        self.last_message_id[chat_id] = self.last_message_id.get(chat_id, 0) + 1
        return self.last_message_id[chat_id]

    def store_message(self, message: dict[str, Any]) -> None:
        chat_id = int(message["chat"]["id"])
        message_id = int(message["message_id"])
        self.messages.setdefault(chat_id, {})[message_id] = message
        if message_id > self.last_message_id.get(chat_id, 0):
            self.last_message_id[chat_id] = message_id

    def find_message(self, chat_id: int, message_id: object) -> dict[str, Any] | None:
        if not isinstance(message_id, int) or isinstance(message_id, bool):
            return None
        return self.messages.get(chat_id, {}).get(message_id)

    def is_from_bot(self, message: dict[str, Any]) -> bool:
        sender = message.get("from") or {}
        return bool(sender.get("id") == self.bot_user["id"])

    # -- updates -------------------------------------------------------------
    def new_update(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": self.next_update_id, kind: payload}
        self.next_update_id += 1
        return update

    def new_query_id(self) -> str:
        query_id = f"{self.bot_user['id']}{self.next_query_id:08d}"
        self.next_query_id += 1
        return query_id

    def update_allowed(self, update: dict[str, Any]) -> bool:
        kinds = [key for key in update if key != "update_id"]
        if not kinds:
            return True
        if self.allowed_updates:
            return kinds[0] in self.allowed_updates
        return kinds[0] not in DEFAULT_EXCLUDED_UPDATES

    def take_updates(self, offset: int | None, limit: int) -> list[dict[str, Any]]:
        """getUpdates without waiting: confirm by offset, then return up to ``limit`` updates.

        An ``offset`` confirms (and forgets forever) every update whose id is
        lower; a negative offset keeps only the last ``-offset`` updates.
        """
        if offset is not None:
            if offset < 0:
                keep = self.pending_updates[offset:]
                dropped = self.pending_updates[: len(self.pending_updates) - len(keep)]
                if dropped:
                    self.confirmed_offset = max(self.confirmed_offset, dropped[-1]["update_id"] + 1)
                self.pending_updates = keep
            else:
                self.pending_updates = [u for u in self.pending_updates if u["update_id"] >= offset]
                self.confirmed_offset = max(self.confirmed_offset, offset)
        self.pending_updates = [u for u in self.pending_updates if self.update_allowed(u)]
        return copy.deepcopy(self.pending_updates[:limit])

    @staticmethod
    def now() -> int:
        return int(time.time())
