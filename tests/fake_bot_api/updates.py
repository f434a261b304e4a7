"""Building Telegram-shaped updates, as Telegram would send them to the bot.

Every builder registers what the update mentions (chat, user, message) in the
BotState, so the bot can answer in that chat afterwards, and returns the
update dict; FakeBotAPI queues it for getUpdates.

Entities for user text are detected as Telegram clients see them, in a
reduced form: a ``bot_command`` for a leading ``/command[@bot]`` and a
``mention`` for each ``@username``.  URLs, hashtags, cashtags and commands
in the middle of the text are not detected; pass ``entities=`` explicitly
when a test needs them.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from .html_check import telegram_text_length
from .state import BotState

__all__ = [
    "DEFAULT_GROUP_USER_ID",
    "callback_query_update",
    "detect_entities",
    "edited_text_update",
    "inline_query_update",
    "media_message_update",
    "raw_update",
    "text_message_update",
]

#: Who speaks in a group chat when a test does not say.
DEFAULT_GROUP_USER_ID = 1000

_COMMAND_RE = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?=$|\s)")
_MENTION_RE = re.compile(r"(?<![A-Za-z0-9_@])@[A-Za-z][A-Za-z0-9_]{3,31}(?![A-Za-z0-9_])")
_MESSAGE_KINDS = (
    "message",
    "edited_message",
    "channel_post",
    "edited_channel_post",
    "business_message",
    "edited_business_message",
)


def detect_entities(text: str) -> list[dict[str, Any]]:
    """bot_command at offset 0 and mention entities, with UTF-16 offsets."""
    entities: list[dict[str, Any]] = []
    command = _COMMAND_RE.match(text)
    if command:
        entities.append({"type": "bot_command", "offset": 0, "length": telegram_text_length(command.group())})
    for mention in _MENTION_RE.finditer(text):
        entities.append(
            {
                "type": "mention",
                "offset": telegram_text_length(text[: mention.start()]),
                "length": telegram_text_length(mention.group()),
            }
        )
    return entities


def _user(state: BotState, user_id: int, username: str | None, first_name: str) -> dict[str, Any]:
    known = state.users.get(user_id)
    user: dict[str, Any] = (
        dict(known)
        if known
        else {
            "id": user_id,
            "is_bot": False,
            "first_name": first_name,
            "language_code": "en",
        }
    )
    if username is not None:
        user["username"] = username
    elif not known:
        user["username"] = f"user{user_id}"
    state.remember_user(user)
    return user


def _chat(state: BotState, chat_id: int, chat_type: str, user: dict[str, Any], title: str | None) -> dict[str, Any]:
    if chat_type == "private":
        if chat_id < 0:
            raise ValueError(f"a private chat has a positive id (the user's), got chat_id={chat_id}")
        chat = {"id": chat_id, "type": "private", "first_name": user["first_name"]}
        if "username" in user:
            chat["username"] = user["username"]
    elif chat_type in ("group", "supergroup", "channel"):
        if chat_id > 0:
            raise ValueError(f"group, supergroup and channel ids are negative, got chat_id={chat_id}")
        known = state.chats.get(chat_id)
        chat = {"id": chat_id, "type": chat_type, "title": title or (known or {}).get("title") or "Test group"}
    else:
        raise ValueError(f"chat_type must be private, group, supergroup or channel; got {chat_type!r}")
    state.remember_chat(chat)
    return chat


def _default_user_id(chat_id: int, chat_type: str, user_id: int | None) -> int:
    if user_id is not None:
        return user_id
    return chat_id if chat_type == "private" else DEFAULT_GROUP_USER_ID


def _reply_copy(message: dict[str, Any]) -> dict[str, Any]:
    """A replied-to message as embedded in another one (without its own reply)."""
    embedded = copy.deepcopy(message)
    embedded.pop("reply_to_message", None)
    return embedded


def _new_user_message(
    state: BotState,
    chat_id: int,
    *,
    user_id: int | None,
    chat_type: str,
    username: str | None,
    first_name: str,
    title: str | None,
    reply_to_message_id: int | None,
) -> dict[str, Any]:
    uid = _default_user_id(chat_id, chat_type, user_id)
    user = _user(state, uid, username, first_name)
    chat = _chat(state, chat_id, chat_type, user, title)
    message: dict[str, Any] = {
        "message_id": state.new_message_id(chat_id),
        "date": state.now(),
        "chat": chat,
    }
    if chat_type != "channel":
        message["from"] = user
    if reply_to_message_id is not None:
        replied = state.find_message(chat_id, reply_to_message_id)
        if replied is None:
            raise ValueError(f"no message {reply_to_message_id} in chat {chat_id} to reply to")
        message["reply_to_message"] = _reply_copy(replied)
    return message


def text_message_update(
    state: BotState,
    chat_id: int,
    text: str,
    *,
    user_id: int | None = None,
    chat_type: str = "private",
    username: str | None = None,
    first_name: str = "Test",
    title: str | None = None,
    reply_to_message_id: int | None = None,
    entities: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A ``message`` update with text (a ``channel_post`` when chat_type is channel)."""
    if not text:
        raise ValueError("Telegram clients cannot send an empty text message")
    message = _new_user_message(
        state,
        chat_id,
        user_id=user_id,
        chat_type=chat_type,
        username=username,
        first_name=first_name,
        title=title,
        reply_to_message_id=reply_to_message_id,
    )
    message["text"] = text
    found = detect_entities(text) if entities is None else entities
    if found:
        message["entities"] = found
    state.store_message(message)
    kind = "channel_post" if chat_type == "channel" else "message"
    return state.new_update(kind, copy.deepcopy(message))


def media_message_update(
    state: BotState,
    chat_id: int,
    kind: str,
    media: Any,
    *,
    caption: str | None = None,
    user_id: int | None = None,
    chat_type: str = "private",
    username: str | None = None,
    first_name: str = "Test",
    title: str | None = None,
) -> dict[str, Any]:
    """A ``message`` update carrying ``kind`` (sticker, photo, voice, ...) instead of text."""
    message = _new_user_message(
        state,
        chat_id,
        user_id=user_id,
        chat_type=chat_type,
        username=username,
        first_name=first_name,
        title=title,
        reply_to_message_id=None,
    )
    message[kind] = media
    if caption is not None:
        message["caption"] = caption
    state.store_message(message)
    return state.new_update("channel_post" if chat_type == "channel" else "message", copy.deepcopy(message))


def edited_text_update(state: BotState, chat_id: int, message_id: int, new_text: str) -> dict[str, Any]:
    """An ``edited_message`` update: the user edited one of their text messages."""
    message = state.find_message(chat_id, message_id)
    if message is None:
        raise ValueError(f"no message {message_id} in chat {chat_id} to edit")
    if state.is_from_bot(message) or "text" not in message:
        raise ValueError(f"message {message_id} in chat {chat_id} is not a user's text message")
    edited = copy.deepcopy(message)
    edited["text"] = new_text
    edited["edit_date"] = state.now()
    entities = detect_entities(new_text)
    if entities:
        edited["entities"] = entities
    else:
        edited.pop("entities", None)
    state.store_message(edited)
    kind = "edited_channel_post" if edited["chat"]["type"] == "channel" else "edited_message"
    return state.new_update(kind, copy.deepcopy(edited))


def _inline_buttons(message: dict[str, Any]) -> list[str]:
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [b["callback_data"] for row in rows for b in row if "callback_data" in b]


def callback_query_update(
    state: BotState,
    chat_id: int,
    message_id: int,
    data: str,
    *,
    user_id: int | None = None,
    require_button: bool = True,
) -> dict[str, Any]:
    """A ``callback_query``: a user pressed an inline button on a message the bot sent."""
    message = state.find_message(chat_id, message_id)
    if message is None or not state.is_from_bot(message):
        raise ValueError(f"the bot sent no message {message_id} in chat {chat_id}")
    if require_button and data not in _inline_buttons(message):
        raise ValueError(
            f"message {message_id} has no button with callback_data {data!r}; "
            f"its buttons carry {_inline_buttons(message)!r} (pass require_button=False "
            "to press a button that is not there)"
        )
    chat = state.chats[chat_id]
    uid = _default_user_id(chat_id, chat["type"], user_id)
    user = _user(state, uid, None, "Test")
    query: dict[str, Any] = {
        "id": state.new_query_id(),
        "from": user,
        "message": copy.deepcopy(message),
        "chat_instance": f"instance{chat_id}",
        "data": data,
    }
    state.open_callback_queries[query["id"]] = query
    return state.new_update("callback_query", copy.deepcopy(query))


def inline_query_update(state: BotState, user_id: int, query: str, offset: str = "") -> dict[str, Any]:
    """An ``inline_query``: the user typed ``@bot query`` in some chat."""
    user = _user(state, user_id, None, "Test")
    inline: dict[str, Any] = {
        "id": state.new_query_id(),
        "from": user,
        "query": query,
        "offset": offset,
        "chat_type": "sender",
    }
    state.open_inline_queries[inline["id"]] = inline
    return state.new_update("inline_query", copy.deepcopy(inline))


def raw_update(state: BotState, update: dict[str, Any]) -> dict[str, Any]:
    """Any update shape; gets the next update_id unless it has one, and its chats become known."""
    update = copy.deepcopy(update)
    if "update_id" in update:
        state.next_update_id = max(state.next_update_id, int(update["update_id"]) + 1)
    else:
        update = {"update_id": state.next_update_id, **update}
        state.next_update_id += 1
    for kind in _MESSAGE_KINDS:
        message = update.get(kind)
        if isinstance(message, dict) and isinstance(message.get("chat"), dict):
            state.remember_chat(message["chat"])
            if isinstance(message.get("from"), dict):
                state.remember_user(message["from"])
            if isinstance(message.get("message_id"), int):
                state.store_message(copy.deepcopy(message))
    for value in update.values():
        if isinstance(value, dict) and isinstance(value.get("chat"), dict) and "id" in value["chat"]:
            state.remember_chat(value["chat"])
    return update
