"""Inline keyboards for replies, and the callback data their buttons carry.

A reply's numbered ``suggestions`` become one button per row ("2. Title"), its ``actions`` ("More", "Next
page", "Topics") one row below. A button's callback data is the core's action id (``s:<16 hex>``, ``more``,
``t:3``; at most 18 bytes, well inside Telegram's 64), so pressing it means ``Conversation.choose(data)``.
Page buttons under a topics page carry the id behind a ``~``: the bot then turns the page in place
(editMessageText) instead of sending a new message.

Under an answer to a question, a last row holds 👍 and 👎. Their data is ``f:good:<question id>`` or
``f:bad:<question id>`` (at most 25 bytes): the vote is stored against that question in the question log,
and the pressed button gets a check mark (editMessageReplyMarkup), the other buttons staying as they were.
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.replies import Reply, ReplyKind

MAX_CALLBACK_DATA_BYTES = 64  # telegram.constants.InlineKeyboardButtonLimit.MAX_CALLBACK_DATA
MAX_LABEL_CHARS = 48
IN_PLACE = "~"
FEEDBACK = "f:"
MAX_QUESTION_ID = 2**63 - 1  # question ids are SQLite integers
GOOD, BAD = "👍", "👎"
CHOSEN = " ✓"


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


@dataclass(frozen=True, slots=True)
class Vote:
    """A pressed 👍 (``good``) or 👎 button: the question it rates."""

    question_id: int
    good: bool


def feedback_data(question_id: int, *, good: bool) -> str:
    return _data(f"{FEEDBACK}{'good' if good else 'bad'}:{question_id}")


def decode_vote(data: str) -> Vote | None:
    """The vote a button's callback data carries, or None when it is not a 👍 / 👎 button."""
    if not data.startswith(FEEDBACK):
        return None
    verdict, _, number = data[len(FEEDBACK) :].partition(":")
    if verdict not in ("good", "bad") or not number.isdecimal() or len(number) > len(str(MAX_QUESTION_ID)):
        return None
    question_id = int(number)
    return Vote(question_id, verdict == "good") if question_id <= MAX_QUESTION_ID else None


def feedback_row(question_id: int, *, chosen: bool | None = None) -> list[InlineKeyboardButton]:
    """👍 and 👎 for a question's answer; ``chosen`` (True for 👍, False for 👎) gets a check mark."""
    return [
        InlineKeyboardButton(
            label + (CHOSEN if chosen is good else ""), callback_data=feedback_data(question_id, good=good)
        )
        for label, good in ((GOOD, True), (BAD, False))
    ]


def with_vote(markup: InlineKeyboardMarkup | None, vote: Vote) -> InlineKeyboardMarkup | None:
    """``markup`` with the feedback row for ``vote``'s question showing the vote; None if it has no such row."""
    if markup is None:
        return None
    rows: list[list[InlineKeyboardButton]] = []
    found = False
    for row in markup.inline_keyboard:
        votes = [decode_vote(b.callback_data) for b in row if isinstance(b.callback_data, str)]
        if any(v is not None and v.question_id == vote.question_id for v in votes):
            rows.append(feedback_row(vote.question_id, chosen=vote.good))
            found = True
        else:
            rows.append(list(row))
    return InlineKeyboardMarkup(rows) if found else None


def reply_keyboard(reply: Reply, *, question_id: int | None = None) -> InlineKeyboardMarkup | None:
    """The buttons for a reply, or None when it offers nothing to press. With ``question_id``, an answer
    also gets the 👍 / 👎 row."""
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
    if question_id is not None and reply.kind is ReplyKind.ANSWER:
        rows.append(feedback_row(question_id))
    return InlineKeyboardMarkup(rows) if rows else None


def decode(data: str) -> Pressed:
    """What a button's callback data asks for."""
    if data.startswith(IN_PLACE):
        return Pressed(data[len(IN_PLACE) :], in_place=True)
    return Pressed(data, in_place=False)
