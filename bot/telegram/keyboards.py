"""Inline keyboards for replies, and the callback data their buttons carry.

A reply's numbered ``suggestions`` become one button per row ("2. Title"), its ``actions`` ("More", "Next
page", "Topics") one row below. A button's callback data is the core's action id (``s:<16 hex>``, ``more``,
``t:3``; at most 18 bytes, well inside Telegram's 64), so pressing it means ``Conversation.choose(data)``.
Page buttons under a topics page carry the id behind a ``~``: the bot then turns the page in place
(editMessageText) instead of sending a new message.
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.replies import Reply, ReplyKind

MAX_CALLBACK_DATA_BYTES = 64  # telegram.constants.InlineKeyboardButtonLimit.MAX_CALLBACK_DATA
MAX_LABEL_CHARS = 48
IN_PLACE = "~"


@dataclass(frozen=True, slots=True)
class Pressed:
    """A pressed button, decoded: the core's action id and whether to replace the message it is on."""

    action: str
    in_place: bool


def _label(text: str) -> str:
    return text if len(text) <= MAX_LABEL_CHARS else text[: MAX_LABEL_CHARS - 1].rstrip() + "…"


def _data(action: str) -> str:
    if not 1 <= len(action.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES:
        raise ValueError(f"callback data must be 1-{MAX_CALLBACK_DATA_BYTES} bytes, got {action!r}")
    return action


def reply_keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    """The buttons for a reply, or None when it offers nothing to press."""
    rows = [
        [InlineKeyboardButton(_label(f"{s.number}. {s.title}"), callback_data=_data(s.action))]
        for s in reply.suggestions
    ]
    paging = reply.kind is ReplyKind.TOPICS
    actions = [
        InlineKeyboardButton(_label(a.label), callback_data=_data((IN_PLACE if paging else "") + a.id))
        for a in reply.actions
    ]
    if actions:
        rows.append(actions)
    return InlineKeyboardMarkup(rows) if rows else None


def decode(data: str) -> Pressed:
    """What a button's callback data asks for."""
    if data.startswith(IN_PLACE):
        return Pressed(data[len(IN_PLACE) :], in_place=True)
    return Pressed(data, in_place=False)
