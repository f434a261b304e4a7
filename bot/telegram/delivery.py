"""Exactly-once in effect: each update's reply is sent once, even when its handlers run again after a crash.

``bot.telegram.polling`` records every update in the ``Journal`` before Telegram is told it arrived, and after
a restart hands the handlers again every update they had not finished. Handlers that run twice must not
answer twice, and must answer the same way. Three python-telegram-bot extension points, wired by
``bot.telegram.app.build_application``, see to it; none of the handlers' code knows:

- ``JournalledUpdates`` (an update processor, ``ApplicationBuilder().concurrent_updates``) runs the handlers of
  an update inside a ``Turn``, a context variable naming the update, and marks the update finished in the
  journal when they return. An update the handlers were started on ``max_attempts`` times without finishing
  (the bot crashed on it each time) is given up, with an ERROR.
- ``ExactlyOnceSends`` (a rate limiter, ``ApplicationBuilder().rate_limiter``, around ``FloodControl``) numbers
  the message-producing calls of a turn (sendMessage, editMessageText, answerCallbackQuery...; not "typing…").
  The n-th call of an update that the journal says was made is not made again: the recorded answer is
  returned instead. Otherwise the call is made and recorded. A call that fails with 429, a 5xx, a dropped
  connection or a connection that could not be opened is tried again with back-off (``RetryPolicy``,
  honouring ``retry_after``) until it goes through or ``give_up_after`` passes.
- ``SnapshotStore`` (around the ``StateStore``) gives the handlers, inside a turn, the chat's conversation state
  as it was when the update first ran, so a second run computes the same reply ("more" shows the same
  passage, "2" picks from the same list).

**The rule for a send whose outcome is unknown.** A request whose answer did not come in time (a read or write
timeout) may have been carried out: Telegram has no idempotency key for sendMessage, so sending it again risks
a duplicate and not sending it risks a loss, and neither can be checked afterwards. The bot does not send it
again: the call is recorded as ``unknown`` with a WARNING naming the update, the handlers carry on with the
next message of the reply, and a replay after a restart does not send it either. A duplicate is the worse
failure for a bot that answers questions (two copies of a long answer), and a timed-out request has almost
always arrived. The same holds across a crash: a try is recorded as ``sending`` at the moment its last bytes
are handed to the kernel (``bot.telegram.transport``), and the record is withdrawn when the server answers
with an error. A call found ``sending`` after a restart had left when the process died: it is not repeated.
A call with no record had not (the server got at most a truncated request, which it drops): it is made. A
timeout before the request was written (connect, pool, write) is tried again like any network error.

When the bot is stopping, retries stop: a send that still fails leaves its update pending, to be answered
after the restart. ``JournalledQueue`` records updates that arrive by webhook before PTB acknowledges them.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import inspect
import itertools
import logging
import sqlite3
import time
from collections.abc import Awaitable, Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx
from telegram import Update
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import BaseRateLimiter, BaseUpdateProcessor

from bot.state import State
from bot.telegram.flood import retry_after_seconds
from bot.telegram.journal import JSON, Journal
from bot.telegram.state_store import StateStore
from bot.telegram.transport import ON_WRITTEN

log = logging.getLogger(__name__)
T = TypeVar("T")

#: Bot API methods whose calls are effects a user sees, numbered per update and never made twice.
EFFECTS = frozenset({
    "sendMessage", "editMessageText", "editMessageReplyMarkup", "answerCallbackQuery", "answerInlineQuery",
})
_STALE_QUERY = ("query is too old", "query id is invalid")
SENDING = "sending"  # an effect's status while its request is out


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How long to keep trying a reply that fails: ``first_delay`` doubling up to ``max_delay`` seconds
    between tries (or Telegram's ``retry_after``), for at most ``give_up_after`` seconds in all."""

    first_delay: float = 0.5
    max_delay: float = 30.0
    give_up_after: float = 900.0


@dataclass(slots=True)
class Turn:
    """One run of the handlers on one update."""

    update_id: int
    replay: bool = True  # False on the first run: nothing was sent or saved for the update before
    _calls: itertools.count[int] = field(default_factory=itertools.count)
    postponed: bool = False  # a send failed while the bot was stopping: answer after the restart
    failed: str | None = None  # a send failed for good: the update is finished as 'failed'

    def next_call(self) -> int:
        return next(self._calls)


#: The turn the running handlers belong to (None outside the handlers: start-up calls, the poller).
CURRENT: contextvars.ContextVar[Turn | None] = contextvars.ContextVar("notes_qa_turn", default=None)


class Postponed(NetworkError):
    """A send failed while the bot was stopping; its update stays pending and is answered after the restart."""


class Delivery:
    """The journal and the parts that use it, for one Application (see the module docstring)."""

    def __init__(
        self, journal: Journal, *, policy: RetryPolicy | None = None, max_attempts: int = 5, owns_journal: bool = False
    ) -> None:
        self.journal = journal
        self.policy = policy or RetryPolicy()
        self.max_attempts = max_attempts
        self.owns_journal = owns_journal  # close it when the Application shuts down
        self.stopping = asyncio.Event()
        # One thread for the processor's journal calls, so that updates reach their handlers in the order they
        # arrived (each chat's questions are answered in order): with ``asyncio.to_thread`` the calls could
        # finish, and the handlers start, in any order.
        self._in_order = ThreadPoolExecutor(max_workers=1, thread_name_prefix="notes-qa-journal")

    async def in_order(self, call: Callable[..., T], *args: Any) -> T:
        """``call(*args)`` in the journal's own thread; calls run, and return, in the order they were made."""
        return await asyncio.get_running_loop().run_in_executor(self._in_order, functools.partial(call, *args))

    def close(self) -> None:
        self._in_order.shutdown(wait=True)
        if self.owns_journal:
            self.journal.close()

    def processor(self, max_concurrent_updates: int) -> JournalledUpdates:
        return JournalledUpdates(self, max_concurrent_updates)

    def limiter(self, inner: BaseRateLimiter[Any]) -> ExactlyOnceSends:
        return ExactlyOnceSends(self, inner)

    def states(self, store: StateStore) -> SnapshotStore:
        return SnapshotStore(store, self.journal)

    def queue(self) -> JournalledQueue:
        return JournalledQueue(self.journal)


class JournalledUpdates(BaseUpdateProcessor):
    """Runs each update's handlers in a ``Turn`` and records in the journal when they are through."""

    def __init__(self, delivery: Delivery, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self.delivery = delivery

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        self.delivery.close()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        if not isinstance(update, Update):
            await coroutine
            return
        journal = self.delivery.journal
        attempts = await self.delivery.in_order(journal.begin, update.update_id)
        if attempts > self.delivery.max_attempts:
            if inspect.iscoroutine(coroutine):
                coroutine.close()
            log.error("giving up on update %s: its handlers were started %d times and never finished (did the "
                      "bot crash on it?)", update.update_id, attempts - 1)
            await self.delivery.in_order(journal.finish, update.update_id, "failed", "started too many times")
            return
        turn = Turn(update.update_id, replay=attempts > 1)
        token = CURRENT.set(turn)
        try:
            await coroutine
        finally:
            CURRENT.reset(token)
        if turn.postponed:
            log.info("update %s will be answered after the restart", update.update_id)
            return
        status = "failed" if turn.failed else "done"
        await self.delivery.in_order(journal.finish, update.update_id, status, turn.failed)


class ExactlyOnceSends(BaseRateLimiter[int]):
    """Makes each message-producing call of an update once, retrying failures; see the module docstring."""

    def __init__(self, delivery: Delivery, inner: BaseRateLimiter[Any]) -> None:
        self._delivery = delivery
        self._inner = inner

    async def initialize(self) -> None:
        await self._inner.initialize()

    async def shutdown(self) -> None:
        await self._inner.shutdown()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSON]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> JSON:
        turn = CURRENT.get()
        if turn is None or endpoint not in EFFECTS:
            return await self._inner.process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
        journal = self._delivery.journal
        call = turn.next_call()
        made = await asyncio.to_thread(journal.effect, turn.update_id, call) if turn.replay else None
        if made is not None and made.status == SENDING:  # the process died while this request was out
            log.warning("update %s: %s #%d was being sent when the bot stopped: it may have been delivered, so "
                        "it is not sent again", turn.update_id, made.method, call + 1)
            result = _stand_in(endpoint, data)
            await asyncio.to_thread(journal.record_effect, turn.update_id, call, endpoint, "unknown", result)
            return result
        if made is not None:
            log.info("update %s: %s #%d was %s before the restart; not made again", turn.update_id, made.method,
                     call + 1, made.status)
            return made.result

        async def attempt(*call_args: Any, **call_kwargs: Any) -> JSON:
            """One try, after the pacing. Just before its last bytes are written (``transport.ON_WRITTEN``) it
            is recorded as ``sending``: a crash from then on leaves it known as possibly delivered (not sent
            again), a crash before leaves no record (sent again: the server got at most a truncated request).
            A try the server answers with an error withdraws the record."""
            written = False

            def on_written() -> None:
                nonlocal written
                written = True
                journal.record_intent(turn.update_id, call, endpoint)  # no fsync: microseconds, on the loop

            token = ON_WRITTEN.set(on_written)
            try:
                return await callback(*call_args, **call_kwargs)
            except TimedOut as error:
                if not written:  # it never left: sending it again cannot duplicate it
                    raise NotSent(error.message) from error
                raise
            except TelegramError:
                if written:
                    journal.forget_effect(turn.update_id, call)  # the server answered, with an error
                raise
            finally:
                ON_WRITTEN.reset(token)

        def send() -> Awaitable[JSON]:
            return self._inner.process_request(attempt, args, kwargs, endpoint, data, rate_limit_args)

        status = "sent"
        try:
            result = await self._until_delivered(send, endpoint, turn)
        except _Unknown as unknown:
            log.warning("update %s: %s #%d timed out (%s): it may have been delivered, so it is not sent again",
                        turn.update_id, endpoint, call + 1, unknown)
            status, result = "unknown", _stand_in(endpoint, data)
        except BadRequest as error:
            if endpoint not in ("answerCallbackQuery", "answerInlineQuery") or not any(
                stale in error.message.lower() for stale in _STALE_QUERY
            ):
                raise
            log.info("update %s: %s came too late for Telegram (%s)", turn.update_id, endpoint, error.message)
            status, result = "expired", True
        journal.record_effect(turn.update_id, call, endpoint, status, result)  # no fsync: microseconds, on the loop
        return result

    async def _until_delivered(self, send: Callable[[], Awaitable[JSON]], endpoint: str, turn: Turn) -> JSON:
        policy = self._delivery.policy
        stopping = self._delivery.stopping
        delay = policy.first_delay
        deadline = time.monotonic() + policy.give_up_after
        while True:
            try:
                return await send()
            except RetryAfter as error:
                wait, reason = retry_after_seconds(error), f"Telegram asked to wait {retry_after_seconds(error):g} s"
                failure: Exception = error
            except TimedOut as error:
                if not isinstance(error, NotSent) and not _never_sent(error):
                    raise _Unknown(error.message) from error
                wait, reason, failure = delay, error.message, error
            except NetworkError as error:
                if type(error) is not NetworkError:
                    raise  # BadRequest and the like: sending again gives the same answer
                wait, reason, failure = delay, error.message, error
            if stopping.is_set():
                turn.postponed = True
                raise Postponed(f"not sent while stopping: {reason}") from failure
            if time.monotonic() + wait > deadline:
                turn.failed = f"{endpoint}: {reason}"
                log.error("update %s: giving up %s after %.0f s: %s", turn.update_id, endpoint,
                          policy.give_up_after, reason)
                raise failure
            log.warning("update %s: %s failed (%s): trying again in %.1f s", turn.update_id, endpoint, reason, wait)
            with contextlib.suppress(TimeoutError):  # a stop cuts the wait short
                await asyncio.wait_for(stopping.wait(), wait)
            delay = min(delay * 2, policy.max_delay)


def _never_sent(error: TimedOut) -> bool:
    """Whether a timeout came before the request left: no connection, or none free in the pool."""
    return isinstance(error.__cause__, (httpx.ConnectTimeout, httpx.PoolTimeout))


class NotSent(TimedOut):
    """A timeout before the whole request was written: the server cannot have carried it out."""


class _Unknown(Exception):
    """A request timed out after it was sent: whether Telegram carried it out is unknown."""


def _stand_in(endpoint: str, data: dict[str, Any]) -> JSON:
    """What the handlers get for a call whose outcome is unknown: a Message-shaped dict or True."""
    if endpoint in ("sendMessage", "editMessageText", "editMessageReplyMarkup"):
        chat_id = data.get("chat_id")
        return {
            "message_id": int(data.get("message_id") or 0),
            "date": int(time.time()),
            "chat": {"id": chat_id if isinstance(chat_id, int) else 0, "type": "private"},
            "text": str(data.get("text", "")),
        }
    return True


class SnapshotStore(StateStore):
    """The ``StateStore`` as the handlers see it: inside a turn, ``get`` returns the chat's state as it was
    when the turn's update first ran (saved in the journal then), so that running an update again computes
    the same reply. Everything else goes to the wrapped store.

    A state that cannot be written (the disk is full, the file went read-only) is kept in memory, with one
    ERROR in the log, and written again with the chat's next turn; a state that cannot be read starts the
    chat afresh. A conversation never fails because of the disk."""

    def __init__(self, inner: StateStore, journal: Journal) -> None:  # wraps an open store: no super().__init__
        self._inner = inner
        self._journal = journal
        self._unsaved: dict[int, State] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    @property
    def path(self) -> Any:
        return self._inner.path

    def get(self, chat_id: int) -> State:
        turn = CURRENT.get()
        if turn is None:
            return self._stored(chat_id)
        saved = self._journal.snapshot(turn.update_id, chat_id) if turn.replay else None
        if saved is not None:
            try:
                return State.from_json(saved)
            except ValueError:
                log.warning("update %s: the saved state of chat %s cannot be read; using the current one",
                            turn.update_id, chat_id)
        state = self._stored(chat_id)
        self._journal.save_snapshot(turn.update_id, chat_id, state.to_json())
        return state

    def _stored(self, chat_id: int) -> State:
        unsaved = self._unsaved.get(chat_id)
        if unsaved is not None:
            return unsaved
        try:
            return self._inner.get(chat_id)
        except sqlite3.Error as error:
            log.error("the state of chat %s cannot be read (%s): starting it afresh", chat_id, error)
            return State()

    def put(self, chat_id: int, state: State) -> None:
        try:
            self._inner.put(chat_id, state)
        except sqlite3.Error as error:
            if not self._unsaved:
                log.error("the chat state cannot be saved in %s (%s): keeping it in memory until it can",
                          self._inner.path, error)
            self._unsaved[chat_id] = state
        else:
            self._unsaved.pop(chat_id, None)

    def __len__(self) -> int:
        return len(self._inner)

    def close(self) -> None:
        self._inner.close()


class JournalledQueue(asyncio.Queue[object]):
    """The Application's update queue; an update ``put`` on it (PTB's webhook server does, before it answers
    Telegram) is recorded in the journal first, and dropped when it was recorded before (a redelivery). The
    poller journals whole batches itself and uses ``put_nowait``."""

    def __init__(self, journal: Journal) -> None:
        super().__init__()
        self._journal = journal

    async def put(self, item: object) -> None:
        if isinstance(item, Update):
            new = await asyncio.to_thread(self._journal.record, [item.to_dict()])
            if not new:
                log.info("update %s arrived again: it is not answered twice", item.update_id)
                return
        await super().put(item)
