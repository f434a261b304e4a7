"""Opening the chat-state database whatever the disk did to it, so that ``python -m bot`` starts anyway.

``StateStore`` refuses a file it cannot use; ``open_state_store`` decides what to do instead:

- a file that is not a database, or a damaged one (truncated, overwritten): moved aside as
  ``<name>.damaged-<time>`` and a new one started, with an ERROR; conversations start afresh;
- a file or folder that cannot be written (a read-only folder, a full disk, no permission): the state is kept
  in memory, filled from the file when it can still be read, with an ERROR; nothing is saved until a restart
  on a writable disk;
- a file written by a newer notes-qa (a higher schema version): refused, as ``StateStore`` does, since moving
  it aside would lose what the newer version wrote; ``python -m bot`` says so in one line and exits with 2.

While the bot runs, a write that fails (the disk filled up since) is handled by ``delivery.SnapshotStore``.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from pathlib import Path

from bot.state import State
from bot.telegram.state_store import SCHEMA_VERSION, StateStore, StateStoreError

log = logging.getLogger(__name__)

MEMORY = Path(":memory:")


def open_state_store(path: Path) -> StateStore:
    """A ``StateStore`` for ``path``, or the fallback the module docstring describes.

    Raises:
        StateStoreError: the file holds a newer schema version.
    """
    try:
        return StateStore(path)
    except StateStoreError as exc:
        reason = str(exc)
    problem = _diagnose(path)
    if problem == "newer":
        raise StateStoreError(reason)
    if problem == "damaged":
        aside = path.with_name(f"{path.name}.damaged-{time.strftime('%Y%m%d-%H%M%S')}")
        try:
            path.replace(aside)
            for suffix in ("-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            store = StateStore(path)
        except (OSError, StateStoreError) as again:
            reason = str(again)
        else:
            log.error("the chat state %s was damaged (%s): moved it to %s and started afresh", path, reason, aside.name)
            return store
    log.error("the chat state %s cannot be written (%s): keeping it in memory; conversations are not saved "
              "until the bot runs on a writable disk", path, reason)
    store = StateStore(MEMORY)
    copied = _copy(path, store)
    if copied:
        log.info("read the state of %d chats from %s", copied, path)
    return store


def _diagnose(path: Path) -> str:
    """'newer', 'damaged' or 'unwritable' (which includes a file that does not exist and cannot be made)."""
    if not path.is_file():
        return "unwritable"
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    except sqlite3.Error:
        return "unwritable"
    try:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            return "newer"
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()
        if db.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            return "damaged"
    except sqlite3.OperationalError:
        return "unwritable"
    except sqlite3.DatabaseError:
        return "damaged"
    finally:
        db.close()
    return "unwritable"


def _copy(path: Path, store: StateStore) -> int:
    """Copy every readable chat state from the file at ``path`` (opened read-only) into ``store``."""
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
        try:
            rows = db.execute("SELECT chat_id, state FROM chat_state").fetchall()
        finally:
            db.close()
    except (OSError, sqlite3.Error):
        return 0
    copied = 0
    for chat_id, text in rows:
        try:
            store.put(int(chat_id), State.from_json(text))
        except ValueError:
            continue
        copied += 1
    return copied
