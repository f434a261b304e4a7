"""The update journal: every update the bot receives, recorded in SQLite before Telegram is told it arrived.

It is what makes the bot at-least-once in delivery and exactly-once in effect (docs/reliability.md tells the
whole story; ``bot.telegram.polling`` and ``bot.telegram.delivery`` use it). Schema (``PRAGMA user_version =
1``), in its own file beside the chat state (``<state db stem>.updates.sqlite3``)::

    CREATE TABLE updates (                    -- one row per update, keyed as Telegram numbers them
        update_id   INTEGER PRIMARY KEY,
        payload     TEXT    NOT NULL,         -- the update's JSON, as received
        status      TEXT    NOT NULL,         -- 'pending', then 'done' or 'failed'
        attempts    INTEGER NOT NULL,         -- times the handlers were started on it
        received_at REAL    NOT NULL,
        finished_at REAL,
        note        TEXT                      -- why it failed
    )
    CREATE TABLE effects (                    -- what the handlers sent for an update, in order
        update_id INTEGER, seq INTEGER,       -- the seq-th message-producing call of the handlers
        method    TEXT,                       -- sendMessage, editMessageText, answerCallbackQuery...
        status    TEXT,                       -- 'sending' (the request is out), then 'sent', 'unknown' (it
                                              -- timed out, or the process died while it was out), 'expired'
        result    TEXT,                       -- the Bot API's answer (JSON), returned again on a replay
        at        REAL,
        PRIMARY KEY (update_id, seq)
    )
    CREATE TABLE snapshots (                  -- a chat's conversation state as it was before an update
        update_id INTEGER, chat_id INTEGER, state TEXT, PRIMARY KEY (update_id, chat_id)
    )

The database runs in WAL mode. ``record`` (the receipt of updates) waits for the disk (``synchronous=FULL``,
about a millisecond): a recorded update survives a power cut. What happens to an update afterwards (started,
its snapshot, its sends, finished) is committed without waiting for the disk (microseconds): it survives a
killed process, and a power cut can at worst make an answer be sent again, never lose a question. Async code
calls ``record`` and the reads through ``asyncio.to_thread``; the quick writes are made on the event loop where
timing matters (``record_intent``). One connection is shared between threads under a lock.

Damage never stops the bot. A file that is not a database, or is of a newer schema, is moved aside
(``*.damaged-<time>``) and a fresh journal started; a folder where the file cannot be created, or a write that
fails (a full disk), switches the journal to memory with an ERROR in the log: the bot keeps answering, but a
crash in that state may lose the questions in flight. Finished updates are forgotten after two days
(Telegram keeps an unconfirmed update for one, and numbers updates afresh only after a week of silence).
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
KEEP_SECONDS = 2 * 24 * 3600
_SCHEMA = """
CREATE TABLE IF NOT EXISTS updates (
    update_id   INTEGER PRIMARY KEY,
    payload     TEXT    NOT NULL,
    status      TEXT    NOT NULL DEFAULT 'pending',
    attempts    INTEGER NOT NULL DEFAULT 0,
    received_at REAL    NOT NULL,
    finished_at REAL,
    note        TEXT
);
CREATE INDEX IF NOT EXISTS updates_pending ON updates (status, update_id);
CREATE TABLE IF NOT EXISTS effects (
    update_id INTEGER NOT NULL,
    seq       INTEGER NOT NULL,
    method    TEXT    NOT NULL,
    status    TEXT    NOT NULL,
    result    TEXT    NOT NULL,
    at        REAL    NOT NULL,
    PRIMARY KEY (update_id, seq)
);
CREATE TABLE IF NOT EXISTS snapshots (
    update_id INTEGER NOT NULL,
    chat_id   INTEGER NOT NULL,
    state     TEXT    NOT NULL,
    PRIMARY KEY (update_id, chat_id)
);
"""

JSON = bool | dict[str, Any] | list[Any]


@dataclass(frozen=True, slots=True)
class Effect:
    """A message-producing call already made for an update: how it went and what the Bot API answered."""

    method: str
    status: str
    result: JSON


def journal_path(state_db: Path) -> Path:
    """Beside the chat state: ``telegram-state.sqlite3`` -> ``telegram-state.updates.sqlite3``."""
    return state_db.with_name(f"{state_db.stem}.updates.sqlite3")


class Journal:
    """The update journal in the SQLite file at ``path`` (created with its folder); see the module docstring.

    ``path=None`` keeps it in memory (tests, or the fallback when the file cannot be used). ``durable`` says
    whether it is on disk now.
    """

    def __init__(self, path: str | Path | None, *, keep_seconds: float = KEEP_SECONDS) -> None:
        self._path = Path(path) if path is not None else None
        self._lock = threading.Lock()
        self._keep = keep_seconds
        self._db = self._open()

    # Opening --------------------------------------------------------------------------------------------

    def _open(self) -> sqlite3.Connection:
        if self._path is None:
            return self._memory()
        try:
            return self._connect(self._path)
        except _Damaged as exc:
            aside = self._path.with_name(f"{self._path.name}.damaged-{time.strftime('%Y%m%d-%H%M%S')}")
            log.error("the update journal %s cannot be used (%s): moved it to %s and started a new one",
                      self._path, exc, aside.name)
            try:
                self._path.replace(aside)
                for suffix in ("-wal", "-shm"):
                    Path(f"{self._path}{suffix}").unlink(missing_ok=True)
                return self._connect(self._path)
            except (OSError, sqlite3.Error, _Damaged) as again:
                return self._fall_back(again)
        except (OSError, sqlite3.Error) as exc:
            return self._fall_back(exc)

    def _connect(self, path: Path) -> sqlite3.Connection:
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=10.0)
        try:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise _Damaged(f"schema version {version}; this notes-qa reads version {SCHEMA_VERSION}")
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            db.executescript(_SCHEMA)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            db.execute("SELECT count(*) FROM updates").fetchone()
        except sqlite3.OperationalError:  # cannot be opened or written here: not the file's fault
            db.close()
            raise
        except sqlite3.DatabaseError as exc:  # not a database, or a malformed one
            db.close()
            raise _Damaged(str(exc)) from None
        except _Damaged:
            db.close()
            raise
        return db

    def _memory(self) -> sqlite3.Connection:
        db = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        db.executescript(_SCHEMA)
        return db

    def _fall_back(self, exc: BaseException) -> sqlite3.Connection:
        log.error(
            "the update journal %s cannot be written (%s): keeping it in memory; the bot answers as usual, but "
            "questions in flight during a crash may now be lost", self._path, exc,
        )
        self._path = None
        return self._memory()

    def _write(self, sql: str, rows: Iterable[Sequence[Any]], *, fsync: bool = True) -> list[int]:
        """Run ``sql`` for each row in one transaction; the rowcount of each. A failing disk means memory.

        ``fsync=False`` commits to the write-ahead log without waiting for the disk: the row survives a
        killed process (it is in the kernel's cache), not a power cut, and the call takes microseconds."""
        rows = list(rows)
        with self._lock:
            for attempt in (1, 2):
                try:
                    if not fsync:
                        self._db.execute("PRAGMA synchronous=NORMAL")
                    self._db.execute("BEGIN IMMEDIATE")
                    try:
                        counts = [self._db.execute(sql, row).rowcount for row in rows]
                        self._db.execute("COMMIT")
                    except BaseException:
                        self._db.execute("ROLLBACK")
                        raise
                    finally:
                        if not fsync:
                            self._db.execute("PRAGMA synchronous=FULL")
                    return counts
                except sqlite3.Error as exc:
                    if attempt == 2 or self._path is None:
                        raise
                    self._db.close()
                    self._db = self._fall_back(exc)
            raise AssertionError("unreachable")  # pragma: no cover

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            try:
                return self._db.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                if self._path is None:
                    raise
                self._db.close()
                self._db = self._fall_back(exc)
                return self._db.execute(sql, params).fetchall()

    # Properties ------------------------------------------------------------------------------------------

    @property
    def path(self) -> Path | None:
        """The journal's file, or None when it is (now) kept in memory."""
        return self._path

    @property
    def durable(self) -> bool:
        return self._path is not None

    # Updates ---------------------------------------------------------------------------------------------

    def record(self, updates: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        """Record a batch of updates (each a dict with an ``update_id``) in one transaction; return those not
        seen before, in order. Once this returns, the batch may be confirmed to Telegram."""
        now = time.time()
        rows = [(int(u["update_id"]), json.dumps(u, ensure_ascii=False, separators=(",", ":")), now) for u in updates]
        sql = "INSERT OR IGNORE INTO updates (update_id, payload, received_at) VALUES (?, ?, ?)"
        counts = self._write(sql, rows)
        return [u for u, count in zip(updates, counts, strict=True) if count]

    def pending(self) -> list[dict[str, Any]]:
        """Updates recorded and not finished (a crash or a kill came first), oldest first."""
        rows = self._read("SELECT payload FROM updates WHERE status = 'pending' ORDER BY update_id")
        return [json.loads(payload) for (payload,) in rows]

    def begin(self, update_id: int) -> int:
        """Note that the handlers start on ``update_id``; returns how many times they have now (1 the first)."""
        self._write("UPDATE updates SET attempts = attempts + 1 WHERE update_id = ?", [(update_id,)], fsync=False)
        rows = self._read("SELECT attempts FROM updates WHERE update_id = ?", (update_id,))
        return int(rows[0][0]) if rows else 1

    def finish(self, update_id: int, status: str = "done", note: str | None = None) -> None:
        """The handlers are through with ``update_id`` (``status`` 'done' or 'failed', with a ``note``)."""
        self._write(
            "UPDATE updates SET status = ?, finished_at = ?, note = ? WHERE update_id = ?",
            [(status, time.time(), note, update_id)],
            fsync=False,
        )

    def status(self, update_id: int) -> str | None:
        rows = self._read("SELECT status FROM updates WHERE update_id = ?", (update_id,))
        return str(rows[0][0]) if rows else None

    def counts(self) -> dict[str, int]:
        """How many updates are in each status."""
        return {str(s): int(n) for s, n in self._read("SELECT status, count(*) FROM updates GROUP BY status")}

    def uncertain(self) -> list[dict[str, Any]]:
        """Updates with a message whose fate is unknown (it was out when the bot stopped, or its answer timed
        out): it may or may not have reached the chat, and it is not sent again. Oldest first."""
        sql = (
            "SELECT payload FROM updates WHERE update_id IN (SELECT update_id FROM effects WHERE status = 'unknown')"
            " ORDER BY update_id"
        )
        return [json.loads(payload) for (payload,) in self._read(sql)]

    # Effects and snapshots ---------------------------------------------------------------------------------

    def effect(self, update_id: int, seq: int) -> Effect | None:
        sql = "SELECT method, status, result FROM effects WHERE update_id = ? AND seq = ?"
        rows = self._read(sql, (update_id, seq))
        if not rows:
            return None
        method, status, result = rows[0]
        return Effect(str(method), str(status), json.loads(result))

    def record_effect(self, update_id: int, seq: int, method: str, status: str, result: JSON) -> None:
        self._write(
            "INSERT OR REPLACE INTO effects (update_id, seq, method, status, result, at) VALUES (?, ?, ?, ?, ?, ?)",
            [(update_id, seq, method, status, json.dumps(result, ensure_ascii=False), time.time())],
            fsync=False,
        )

    def record_intent(self, update_id: int, seq: int, method: str) -> None:
        """Note that the ``seq``-th effect of ``update_id`` is about to be sent (status ``sending``); made right
        before the request leaves, on the event loop itself, so without an fsync (see ``_write``)."""
        self._write(
            "INSERT OR REPLACE INTO effects (update_id, seq, method, status, result, at) VALUES (?, ?, ?, ?, ?, ?)",
            [(update_id, seq, method, "sending", "true", time.time())],
            fsync=False,
        )

    def forget_effect(self, update_id: int, seq: int) -> None:
        self._write("DELETE FROM effects WHERE update_id = ? AND seq = ?", [(update_id, seq)], fsync=False)

    def snapshot(self, update_id: int, chat_id: int) -> str | None:
        """The chat's state as saved before ``update_id`` first ran (``State.to_json()``), or None."""
        rows = self._read("SELECT state FROM snapshots WHERE update_id = ? AND chat_id = ?", (update_id, chat_id))
        return str(rows[0][0]) if rows else None

    def save_snapshot(self, update_id: int, chat_id: int, state: str) -> None:
        self._write(
            "INSERT OR IGNORE INTO snapshots (update_id, chat_id, state) VALUES (?, ?, ?)",
            [(update_id, chat_id, state)],
            fsync=False,
        )

    # Upkeep ------------------------------------------------------------------------------------------------

    def prune(self, *, now: float | None = None) -> int:
        """Forget updates finished more than ``keep_seconds`` ago."""
        cutoff = (now if now is not None else time.time()) - self._keep
        old = [row[0] for row in self._read(
            "SELECT update_id FROM updates WHERE status != 'pending' AND finished_at < ?", (cutoff,)
        )]
        if not old:
            return 0
        rows = [(update_id,) for update_id in old]
        for table in ("effects", "snapshots", "updates"):
            self._write(f"DELETE FROM {table} WHERE update_id = ?", rows)
        return len(old)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class _Damaged(Exception):
    """The journal file exists but cannot be used as a journal."""
