"""The update journal and the send rules, piece by piece, without a server (docs/reliability.md).

The journal: a batch is recorded once (a redelivered update is not new), unfinished updates come back oldest
first, effects and state snapshots are kept per update, old finished updates are forgotten, and a damaged,
newer, unwritable or full database never stops it. The sends (``ExactlyOnceSends``): a call already made for
an update is not made again; 429, 5xx, dropped connections and connect timeouts are retried with back-off; a
read timeout is recorded as unknown and not repeated; a stale button answer is not an error; retries stop when
the bot stops; a send that keeps failing is given up after ``give_up_after``.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import logging
import os
import sqlite3
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import httpx
import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import BaseRateLimiter

from bot import State
from bot.telegram.delivery import (
    CURRENT,
    Delivery,
    ExactlyOnceSends,
    Postponed,
    RetryPolicy,
    SnapshotStore,
    Turn,
    _never_sent,
)
from bot.telegram.journal import Journal, journal_path
from bot.telegram.state_store import StateStore
from bot.telegram.transport import ON_WRITTEN
from tests.disk_faults import fill, read_only, small_disk

pytestmark = pytest.mark.timeout(60)


def update(update_id: int, text: str = "hi") -> dict[str, Any]:
    return {"update_id": update_id, "message": {"message_id": update_id, "date": 1, "text": text,
                                                "chat": {"id": 7, "type": "private"}}}


# The journal ---------------------------------------------------------------------------------------------


def test_a_batch_is_recorded_once_and_unfinished_updates_come_back_in_order(tmp_path: Path) -> None:
    path = journal_path(tmp_path / "telegram-state.sqlite3")
    assert path.name == "telegram-state.updates.sqlite3"
    with Journal(path) as journal:
        assert journal.record([update(3), update(1), update(2)]) == [update(3), update(1), update(2)]
        assert journal.record([update(2), update(4)]) == [update(4)]  # 2 was delivered again
        journal.finish(1)
        journal.finish(4, "failed", "unreadable")
        assert journal.begin(3) == 1 and journal.begin(3) == 2
    with Journal(path) as journal:  # as after a restart
        assert [u["update_id"] for u in journal.pending()] == [2, 3]
        assert journal.counts() == {"pending": 2, "done": 1, "failed": 1}
        assert journal.durable


def test_effects_and_snapshots_are_kept_per_update_and_old_updates_forgotten(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.sqlite3", keep_seconds=60) as journal:
        journal.record([update(1), update(2), update(3)])
        journal.record_effect(1, 0, "sendMessage", "sent", {"message_id": 9})
        journal.record_effect(1, 1, "sendMessage", "unknown", True)
        journal.save_snapshot(1, 7, State(context="x").to_json())
        journal.save_snapshot(1, 7, State(context="later").to_json())  # the first snapshot stays
        journal.record_effect(3, 0, "sendMessage", "unknown", True)
        journal.record_effect(3, 1, "sendMessage", "unknown", True)
        assert journal.uncertain() == [update(1), update(3)]  # a message of each may not have arrived
        effect = journal.effect(1, 0)
        assert effect is not None and (effect.method, effect.status, effect.result) == ("sendMessage", "sent",
                                                                                       {"message_id": 9})
        assert journal.effect(1, 2) is None
        assert State.from_json(journal.snapshot(1, 7) or "") == State(context="x")
        for update_id in (1, 2, 3):
            journal.finish(update_id)
        assert journal.prune() == 0  # finished just now
        import time

        assert journal.prune(now=time.time() + 61) == 3
        assert journal.effect(1, 0) is None and journal.snapshot(1, 7) is None
        assert journal.counts() == {}


@pytest.mark.parametrize("damage", ["random bytes", "truncated", "newer schema"])
def test_a_damaged_journal_is_moved_aside_and_a_new_one_started(
    tmp_path: Path, damage: str, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "j.sqlite3"
    with Journal(path) as journal:
        journal.record([update(n) for n in range(1, 200)])
    if damage == "random bytes":
        path.write_bytes(os.urandom(8192))
    elif damage == "truncated":
        path.write_bytes(path.read_bytes()[:1000])
    else:
        db = sqlite3.connect(path)
        db.execute("PRAGMA user_version = 99")
        db.commit()
        db.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    with Journal(path) as journal:
        assert journal.durable and journal.pending() == []
        assert journal.record([update(1)]) == [update(1)]
    [aside] = tmp_path.glob("j.sqlite3.damaged-*")
    assert aside.stat().st_size > 0
    assert any("moved it to" in r.getMessage() and r.levelno == logging.ERROR for r in caplog.records)


def test_a_journal_that_cannot_be_created_is_kept_in_memory(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    folder = tmp_path / "read-only"
    folder.mkdir()
    with read_only(folder), Journal(folder / "j.sqlite3") as journal:
        assert not journal.durable
        assert journal.record([update(1), update(1)]) == [update(1)]
    assert "keeping it in memory" in caplog.text


def test_a_journal_on_a_disk_that_fills_up_is_kept_in_memory(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with small_disk(tmp_path / "disk") as disk, Journal(disk / "j.sqlite3") as journal:
        journal.record([update(1)])
        fill(disk)
        batch = [update(n, "x" * 2000) for n in range(2, 60)]
        assert journal.record(batch) == batch
        assert not journal.durable and journal.record(batch) == []
    assert "cannot be written" in caplog.text


def test_a_full_disk_switches_the_journal_to_memory_without_losing_the_batch(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "j.sqlite3"
    with Journal(path) as journal:
        journal.record([update(1)])
        journal._db.execute("PRAGMA max_page_count = 1")  # what a full disk looks like to SQLite: SQLITE_FULL
        big = update(2, "x" * 100_000)
        assert journal.record([big]) == [big]
        assert not journal.durable
        assert journal.record([big]) == []  # still deduplicated, in memory
    assert "cannot be written" in caplog.text and "full" in caplog.text


# The sends ---------------------------------------------------------------------------------------------


class Scripted(BaseRateLimiter[int]):
    """The far end of the sends: an inner limiter that passes each call to the Bot API, here a script that
    fails as told, then answers with a Message-like dict. ``seen`` is the intent on record during each try."""

    def __init__(self, *failures: Exception, journal: Journal | None = None) -> None:
        self.failures = list(failures)
        self.calls: list[str] = []
        self.seen: list[str | None] = []
        self.journal = journal

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        return await callback(*args, **kwargs)

    async def bot_api(self, endpoint: str, data: dict[str, Any]) -> Any:
        self.calls.append(endpoint)
        failure = self.failures[0] if self.failures else None
        written = ON_WRITTEN.get()
        if written is not None and not (isinstance(failure, TimedOut) and _never_sent(failure)):
            written()  # the request left, as NotifyingTransport would say
        if self.journal is not None:
            effect = self.journal.effect(1, data.get("seq", 0))
            self.seen.append(effect.status if effect else None)
        if self.failures:
            raise self.failures.pop(0)
        return {"message_id": len(self.calls), "text": data.get("text")}


def timed_out(cause: Exception) -> TimedOut:
    error = TimedOut()
    error.__cause__ = cause
    return error


async def call(
    sends: ExactlyOnceSends, turn: Turn | None, endpoint: str = "sendMessage", text: str = "an answer", seq: int = 0
) -> Any:
    inner = sends._inner
    assert isinstance(inner, Scripted)
    data = {"chat_id": 7, "text": text, "seq": seq}
    token = CURRENT.set(turn)
    try:
        return await sends.process_request(inner.bot_api, (endpoint, data), {}, endpoint, data, None)
    finally:
        CURRENT.reset(token)


FAST = RetryPolicy(first_delay=0.01, max_delay=0.05, give_up_after=5.0)


@pytest.mark.parametrize(
    "failure",
    [
        lambda: RetryAfter(dtm.timedelta(seconds=0)),  # made in the test: PTB_TIMEDELTA is set by then
        lambda: NetworkError("Bad Gateway"),
        lambda: NetworkError("httpx.RemoteProtocolError: Server disconnected without sending a response."),
        lambda: timed_out(httpx.ConnectTimeout("connect")),
        lambda: timed_out(httpx.PoolTimeout("pool")),
    ],
    ids=["429", "502", "dropped", "connect timeout", "pool timeout"],
)
def test_a_send_that_did_not_go_out_is_retried_until_it_does(tmp_path: Path, failure: Callable[[], Exception]) -> None:
    async def scenario() -> None:
        inner = Scripted(failure(), failure(), failure())
        journal = Journal(tmp_path / "j.sqlite3")
        sends = Delivery(journal, policy=FAST).limiter(inner)
        result = await call(sends, Turn(1))
        assert result == {"message_id": 4, "text": "an answer"} and len(inner.calls) == 4
        assert (effect := journal.effect(1, 0)) is not None and effect.status == "sent"
        again = Delivery(journal, policy=FAST).limiter(inner)  # the update runs again, after a restart
        assert await call(again, Turn(1)) == result and len(inner.calls) == 4  # not made again
        assert await call(again, Turn(1), "sendChatAction") is not None and len(inner.calls) == 5  # not an effect
        journal.close()

    asyncio.run(scenario())


def test_a_send_that_timed_out_is_recorded_as_unknown_and_never_repeated(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async def scenario() -> None:
        inner = Scripted(timed_out(httpx.ReadTimeout("read")))
        journal = Journal(tmp_path / "j.sqlite3")
        sends = Delivery(journal, policy=FAST).limiter(inner)
        turn = Turn(1)
        first = await call(sends, turn, text="part one")
        assert first["chat"]["id"] == 7 and first["text"] == "part one"  # a stand-in: the handlers carry on
        assert await call(sends, turn, text="part two") == {"message_id": 2, "text": "part two"}
        assert len(inner.calls) == 2
        assert (effect := journal.effect(1, 0)) is not None and effect.status == "unknown"
        replay = Turn(1)
        await call(sends, replay, text="part one")
        await call(sends, replay, text="part two")
        assert len(inner.calls) == 2  # neither is sent again after a restart
        journal.close()

    asyncio.run(scenario())
    assert "it may have been delivered, so it is not sent again" in caplog.text


def test_outside_an_update_and_for_other_errors_sends_are_passed_through(tmp_path: Path) -> None:
    async def scenario() -> None:
        inner = Scripted(Forbidden("bot was blocked by the user"), BadRequest("Message is too long"))
        with Journal(tmp_path / "j.sqlite3") as journal:
            sends = Delivery(journal, policy=FAST).limiter(inner)
            with pytest.raises(Forbidden):
                await call(sends, Turn(1))
            with pytest.raises(BadRequest):
                await call(sends, Turn(2))
            assert await call(sends, None) == {"message_id": 3, "text": "an answer"}
            assert journal.effect(1, 0) is None and journal.effect(2, 0) is None

    asyncio.run(scenario())


def test_a_button_answered_too_late_is_not_an_error(tmp_path: Path) -> None:
    async def scenario() -> None:
        stale = BadRequest("Query is too old and response timeout expired or query id is invalid")
        inner = Scripted(stale)
        with Journal(tmp_path / "j.sqlite3") as journal:
            sends = Delivery(journal, policy=FAST).limiter(inner)
            assert await call(sends, Turn(1), "answerCallbackQuery") is True
            assert (effect := journal.effect(1, 0)) is not None and effect.status == "expired"

    asyncio.run(scenario())


def test_when_stopping_a_failing_send_postpones_its_update(tmp_path: Path) -> None:
    async def scenario() -> None:
        inner = Scripted(*[NetworkError("Bad Gateway")] * 100)
        with Journal(tmp_path / "j.sqlite3") as journal:
            delivery = Delivery(journal, policy=RetryPolicy(first_delay=30.0))
            sends = delivery.limiter(inner)
            turn = Turn(1)
            task = asyncio.create_task(call(sends, turn))
            await asyncio.sleep(0.2)  # it is waiting 30 s before the next try
            delivery.stopping.set()
            with pytest.raises(Postponed):
                await asyncio.wait_for(task, 5)
            assert turn.postponed and journal.effect(1, 0) is None

    asyncio.run(scenario())


def test_a_send_that_keeps_failing_is_given_up_after_the_deadline(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async def scenario() -> None:
        inner = Scripted(*[NetworkError("Bad Gateway")] * 100)
        with Journal(tmp_path / "j.sqlite3") as journal:
            sends = Delivery(journal, policy=RetryPolicy(first_delay=0.05, give_up_after=0.3)).limiter(inner)
            turn = Turn(1)
            with pytest.raises(NetworkError, match="Bad Gateway"):
                await call(sends, turn)
            assert turn.failed == "sendMessage: Bad Gateway" and 3 <= len(inner.calls) <= 8
            assert journal.effect(1, 0) is None  # each failed try withdrew its intent

    asyncio.run(scenario())
    assert "giving up sendMessage" in caplog.text


def test_inside_an_update_the_handlers_see_the_chat_state_from_before_it(tmp_path: Path) -> None:
    with StateStore(tmp_path / "state.sqlite3") as inner, Journal(None) as journal:
        store = SnapshotStore(inner, journal)
        store.put(7, State(context="before"))
        token = CURRENT.set(Turn(1))
        try:
            assert store.get(7) == State(context="before")
            store.put(7, State(context="after"))  # the handlers' first run saves its new state, then dies
            assert store.get(7) == State(context="before")  # a second run of update 1 starts from the same state
        finally:
            CURRENT.reset(token)
        assert store.get(7) == State(context="after")  # outside an update: the current state
        assert len(store) == 1 and store.path == inner.path


def test_a_send_the_process_died_during_is_not_repeated_and_a_failed_try_leaves_no_intent(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async def scenario() -> None:
        with Journal(tmp_path / "j.sqlite3") as journal:
            journal.record_effect(1, 0, "sendMessage", "sending", True)  # out when the process was killed
            inner = Scripted(NetworkError("Bad Gateway"), journal=journal)
            sends = Delivery(journal, policy=FAST).limiter(inner)
            turn = Turn(1)
            stand_in = await call(sends, turn, text="part one")
            assert inner.calls == [] and stand_in["text"] == "part one"
            assert (effect := journal.effect(1, 0)) is not None and effect.status == "unknown"

            assert await call(sends, turn, text="part two", seq=1) == {"message_id": 2, "text": "part two"}
            assert inner.calls == ["sendMessage", "sendMessage"]  # one 502, then sent
            assert inner.seen == ["sending", "sending"]  # the intent is on record while each try is out
            assert (effect := journal.effect(1, 1)) is not None and effect.status == "sent"

    asyncio.run(scenario())
    assert "was being sent when the bot stopped" in caplog.text
