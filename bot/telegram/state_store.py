"""Per-chat conversation state in a SQLite file, so follow-ups survive a restart.

Schema (``PRAGMA user_version = 1``)::

    CREATE TABLE chat_state (
        chat_id    INTEGER PRIMARY KEY,   -- Telegram chat id (negative for groups)
        state      TEXT    NOT NULL,      -- bot.State.to_json(): a few hundred bytes
        updated_at REAL    NOT NULL       -- Unix time of the last write
    )

The database runs in WAL mode; every ``put`` is its own committed transaction, so a state written before a
crash or a SIGTERM is there on the next start. A row that cannot be read back (written by another version)
gives a fresh ``State()`` and a warning. Calls block for well under a millisecond but do touch the disk:
async code calls them through ``asyncio.to_thread`` (the handlers do, together with the answer itself). One
connection is shared between threads under a lock.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from pathlib import Path
from types import TracebackType

from bot.state import State

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS chat_state (
    chat_id    INTEGER PRIMARY KEY,
    state      TEXT    NOT NULL,
    updated_at REAL    NOT NULL
)
"""


class StateStoreError(Exception):
    """The state database cannot be opened or has an unknown schema; the message says which file."""


class StateStore:
    """Conversation state per chat id, kept in the SQLite file at ``path`` (created with its folder).

    Raises:
        StateStoreError: the file cannot be opened or created, or holds a newer schema.
    """

    def __init__(self, path: str | Path) -> None:
        self._path = Path(path)
        self._lock = threading.Lock()
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self._path, check_same_thread=False, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise StateStoreError(f"cannot open the state database {self._path}: {exc}") from None
        try:
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise StateStoreError(
                    f"the state database {self._path} has schema version {version}; this version of notes-qa "
                    f"reads version {SCHEMA_VERSION} (use a newer notes-qa or another NOTES_QA_STATE_DB)"
                )
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(_SCHEMA)
            self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except sqlite3.Error as exc:
            self._db.close()
            raise StateStoreError(f"cannot use the state database {self._path}: {exc}") from None
        except StateStoreError:
            self._db.close()
            raise

    @property
    def path(self) -> Path:
        return self._path

    def get(self, chat_id: int) -> State:
        """The chat's saved state, or a fresh ``State()``."""
        with self._lock:
            row = self._db.execute("SELECT state FROM chat_state WHERE chat_id = ?", (chat_id,)).fetchone()
        if row is None:
            return State()
        try:
            return State.from_json(row[0])
        except ValueError as exc:
            log.warning("starting chat %s afresh: its saved state cannot be read (%s)", chat_id, exc)
            return State()

    def put(self, chat_id: int, state: State) -> None:
        """Save the chat's state (replacing the previous one)."""
        with self._lock:
            self._db.execute(
                "INSERT INTO chat_state (chat_id, state, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT(chat_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
                (chat_id, state.to_json(), time.time()),
            )

    def __len__(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT count(*) FROM chat_state").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> StateStore:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
