"""What every front end does after a turn: one INFO line per question, and a row in the question log.

A front end calls ``Recorder.turn`` with the text it passed to the core (or the button it passed to
``Conversation.choose``) and the reply it got; the recorder tells questions from commands, logs the
question, remembers per chat which sections were offered, and notes the asker's pick when one of them is
chosen next. ``turn`` returns the id of the question an answer belongs to, which the front end attaches to
its 👍 / 👎 buttons (Telegram) or keeps for ``/good`` and ``/bad`` (the REPL); ``feedback`` stores a vote.

The INFO line never holds the question's text or the user's id, only a pseudonym (``bot.pseudonyms``)::

    question channel=telegram user=5e0c2f8a7b1d4c39 kind=answer answered=yes section=volumes.md#backups
    score=7.412 ratio=0.41 latency_ms=3.2

At DEBUG the front ends also log the question's text (the README says so). The memory of offered sections
is per process and bounded (the most recent ``MAX_CHATS`` chats); after a restart an old pick is simply not
linked to its question.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from bot.commands import parse_command
from bot.pseudonyms import Pseudonyms
from bot.questionlog import QuestionLog, QuestionRecord, new_question_id
from bot.replies import Reply, ReplyKind

log = logging.getLogger(__name__)

MAX_CHATS = 10_000
_SEARCHED = frozenset({ReplyKind.ANSWER, ReplyKind.UNSURE, ReplyKind.NOT_COVERED, ReplyKind.EMPTY})


@dataclass(frozen=True, slots=True)
class _Asked:
    question_id: int
    offered: frozenset[str]


class Recorder:
    """Logs and records the questions of one channel (``"telegram"``, ``"repl"``); safe to share between threads.

    ``question_log`` may be None: the INFO lines are still written, nothing is stored.
    """

    def __init__(
        self,
        channel: str,
        *,
        pseudonyms: Pseudonyms,
        question_log: QuestionLog | None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.channel = channel
        self._pseudonyms = pseudonyms
        self._log = question_log
        self._clock = clock
        self._chats: OrderedDict[object, _Asked] = OrderedDict()
        self._lock = threading.Lock()

    def pseudonym(self, user: object) -> str:
        return self._pseudonyms(self.channel, user)

    def turn(
        self,
        *,
        user: object,
        chat: object,
        reply: Reply,
        latency: float,
        text: str | None = None,
        action: str | None = None,
    ) -> int | None:
        """Record one turn: ``text`` as typed, or ``action`` for a pressed button. Returns the id of the
        question that ``reply`` answers (for feedback), or None when it answers none."""
        command = parse_command(text) if text is not None else None
        picked = reply.kind is ReplyKind.ANSWER and reply.score is None and (
            (action is not None and action.startswith("s:")) or (command is not None and command.name == "choose")
        )
        if text is not None and not picked and reply.kind in _SEARCHED and command is None:
            return self._question(user, chat, text, reply, latency)
        if picked and reply.section_id is not None:
            return self._pick(user, chat, reply.section_id)
        return None

    def _question(self, user: object, chat: object, text: str, reply: Reply, latency: float) -> int:
        matches = reply.matches
        best = matches[0] if matches else None
        runner_up = matches[1] if len(matches) > 1 else None
        ratio = runner_up.score / best.score if best and runner_up and best.score > 0 else None
        who = self.pseudonym(user)
        record = QuestionRecord(
            id=new_question_id(),
            asked_at=self._clock(),
            channel=self.channel,
            user=who,
            question=text.strip(),
            kind=reply.kind.value,
            section_id=reply.section_id if reply.kind is ReplyKind.ANSWER else None,
            score=best.score if best else reply.score,
            ratio=ratio,
            runner_up=runner_up.section_id if runner_up else None,
            suggestions=tuple(s.section_id for s in reply.suggestions),
            latency_ms=round(latency * 1000, 3),
        )
        log.info(
            "question channel=%s user=%s kind=%s answered=%s section=%s score=%s ratio=%s latency_ms=%.1f",
            self.channel, who, record.kind, "yes" if record.answered else "no", record.section_id or "-",
            "-" if record.score is None else f"{record.score:.3f}", "-" if ratio is None else f"{ratio:.2f}",
            latency * 1000,
        )
        if self._log is not None:
            self._log.record(record)
        self._remember(chat, _Asked(record.id, frozenset(record.suggestions)))
        return record.id

    def _pick(self, user: object, chat: object, section_id: str) -> int | None:
        with self._lock:
            asked = self._chats.get(chat)
        if asked is None or section_id not in asked.offered:
            return None
        log.info("choice channel=%s user=%s question=%d section=%s",
                 self.channel, self.pseudonym(user), asked.question_id, section_id)
        if self._log is not None:
            self._log.chosen(asked.question_id, section_id)
        self._remember(chat, _Asked(asked.question_id, frozenset()))  # one pick per question
        return asked.question_id

    def last_question(self, chat: object) -> int | None:
        """The id of the last question asked in ``chat`` (what ``/good`` and ``/bad`` rate), or None."""
        with self._lock:
            asked = self._chats.get(chat)
        return asked.question_id if asked else None

    def feedback(self, *, user: object, question_id: int, good: bool) -> None:
        """Store a 👍 (``good``) or 👎 from ``user`` on a question's answer."""
        log.info("feedback channel=%s user=%s question=%d value=%s",
                 self.channel, self.pseudonym(user), question_id, "good" if good else "bad")
        if self._log is not None:
            self._log.feedback(question_id, user=self.pseudonym(user), good=good)

    def _remember(self, chat: object, asked: _Asked) -> None:
        with self._lock:
            self._chats[chat] = asked
            self._chats.move_to_end(chat)
            while len(self._chats) > MAX_CHATS:
                self._chats.popitem(last=False)
