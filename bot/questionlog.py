"""The question log: every question asked, what it got, and the feedback on it, in a SQLite file.

It is what ``python -m bot.report`` reads to tell the notes' author what people ask and what the notes miss.
The bot and the REPL write to the same file (``NOTES_QA_QUESTION_DB``); each question is one row::

    CREATE TABLE questions (
        id          INTEGER PRIMARY KEY,  -- random 62-bit id, made before the row is written (see below)
        asked_at    REAL    NOT NULL,     -- Unix time
        channel     TEXT    NOT NULL,     -- 'telegram' or 'repl'
        user        TEXT    NOT NULL,     -- pseudonym of the asker (bot.pseudonyms), never the raw id
        question    TEXT,                 -- as asked; NULL once older than NOTES_QA_RETENTION_DAYS
        normalized  TEXT,                 -- its words, case-folded (normalize_question); NULL with question
        section_id  TEXT,                 -- the section given as the answer, NULL when none was
        score       REAL,                 -- the best matching section's score, NULL when nothing matched
        answered    INTEGER NOT NULL,     -- 1 when a section was given as the answer
        kind        TEXT    NOT NULL,     -- the reply: 'answer', 'unsure', 'not_covered' or 'empty'
        ratio       REAL,                 -- runner-up's score / best score: near 1, the notes overlap there
        runner_up   TEXT,                 -- the runner-up section
        suggestions TEXT    NOT NULL,     -- JSON list of the section ids offered as numbered choices
        chosen      TEXT,                 -- the offered section the asker then picked, if any
        latency_ms  REAL                  -- time taken to answer
    );
    CREATE TABLE feedback (               -- 👍 / 👎 (Telegram) and /good, /bad (REPL)
        question_id INTEGER NOT NULL REFERENCES questions (id),
        user        TEXT    NOT NULL,     -- pseudonym of whoever pressed: one vote each, the last one counts
        value       INTEGER NOT NULL CHECK (value IN (-1, 1)),
        at          REAL    NOT NULL,
        PRIMARY KEY (question_id, user)
    );

The schema version is ``PRAGMA user_version``; opening a file creates it or brings it up to date by running
the steps in ``MIGRATIONS`` after its version, all in one transaction (version 1 had no kind, ratio,
suggestions, choice, latency or feedback). A file of a newer version is refused, not touched.

Writes go through a queue to one writer thread, which commits them in batches (one transaction per batch), so
a front end never waits on the disk: ``record``, ``chosen`` and ``feedback`` only enqueue. ``close`` writes
everything still queued before it returns, so a graceful stop loses nothing; the file is in WAL mode, so a
crash (or a kill) mid-write loses at most the batch being written and never corrupts what was committed. Ids
are made by the caller (``new_question_id``) so that a 👍 button can name its question before the row exists.

Retention: question text (``question``, ``normalized``) older than ``retention_days`` is set to NULL when the
log is opened and every hour after; the rest of the row (time, section, score, feedback) is kept for the
statistics. ``retention_days=0`` stores no question text at all.
"""

from __future__ import annotations

import json
import logging
import queue
import re
import secrets
import sqlite3
import threading
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

log = logging.getLogger(__name__)

SCHEMA_VERSION = 2
DAY = 86_400.0
_WORDS = re.compile(r"[^\W_]+")

#: The schema, step by step: ``MIGRATIONS[n]`` brings a file from version ``n`` to ``n + 1``.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (  # 0 -> 1: the first question log
        """CREATE TABLE questions (
            id         INTEGER PRIMARY KEY,
            asked_at   REAL    NOT NULL,
            channel    TEXT    NOT NULL,
            user       TEXT    NOT NULL,
            question   TEXT,
            normalized TEXT,
            section_id TEXT,
            score      REAL,
            answered   INTEGER NOT NULL
        )""",
        "CREATE INDEX questions_by_time ON questions (asked_at)",
    ),
    (  # 1 -> 2: what kind of reply, near ties, suggestions and the choice, latency, feedback
        "ALTER TABLE questions ADD COLUMN kind TEXT NOT NULL DEFAULT 'not_covered'",
        "UPDATE questions SET kind = 'answer' WHERE answered = 1",
        "ALTER TABLE questions ADD COLUMN ratio REAL",
        "ALTER TABLE questions ADD COLUMN runner_up TEXT",
        "ALTER TABLE questions ADD COLUMN suggestions TEXT NOT NULL DEFAULT '[]'",
        "ALTER TABLE questions ADD COLUMN chosen TEXT",
        "ALTER TABLE questions ADD COLUMN latency_ms REAL",
        """CREATE TABLE feedback (
            question_id INTEGER NOT NULL REFERENCES questions (id),
            user        TEXT    NOT NULL,
            value       INTEGER NOT NULL CHECK (value IN (-1, 1)),
            at          REAL    NOT NULL,
            PRIMARY KEY (question_id, user)
        )""",
    ),
)
assert len(MIGRATIONS) == SCHEMA_VERSION

_INSERT = (
    "INSERT OR IGNORE INTO questions (id, asked_at, channel, user, question, normalized, section_id, score, "
    "answered, kind, ratio, runner_up, suggestions, latency_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_CHOSEN = "UPDATE questions SET chosen = ? WHERE id = ? AND chosen IS NULL"
_FEEDBACK = (
    "INSERT INTO feedback (question_id, user, value, at) SELECT ?, ?, ?, ? "
    "WHERE EXISTS (SELECT 1 FROM questions WHERE id = ?) "
    "ON CONFLICT (question_id, user) DO UPDATE SET value = excluded.value, at = excluded.at"
)
_PURGE = (
    "UPDATE questions SET question = NULL, normalized = NULL "
    "WHERE asked_at < ? AND (question IS NOT NULL OR normalized IS NOT NULL)"
)


class QuestionLogError(Exception):
    """The question log cannot be opened, created or migrated; the message names the file and what to do."""


def new_question_id() -> int:
    """A random positive 62-bit id for a question (at most 19 digits: fits Telegram's callback data)."""
    return secrets.randbits(62) or 1


def normalize_question(text: str) -> str:
    """The question's words, NFKC-normalised and case-folded, one space apart: ``'What IS a  Volume?'`` ->
    ``'what is a volume'``. Questions that differ only in case, spacing and punctuation read the same."""
    return " ".join(_WORDS.findall(unicodedata.normalize("NFKC", text).casefold()))


@dataclass(frozen=True, slots=True)
class QuestionRecord:
    """One question as the log stores it (see the module docstring for each field)."""

    id: int
    asked_at: float
    channel: str
    user: str
    question: str
    kind: str
    section_id: str | None = None
    score: float | None = None
    ratio: float | None = None
    runner_up: str | None = None
    suggestions: tuple[str, ...] = ()
    latency_ms: float | None = None

    @property
    def answered(self) -> bool:
        return self.kind == "answer"


def connect(path: Path, *, create: bool = True) -> sqlite3.Connection:
    """A connection to the question log at ``path``, in WAL mode and at the current schema version.

    The file (and its folder) is created when ``create`` is true; an older schema is migrated.

    Raises:
        QuestionLogError: the file cannot be opened or created (or is missing and ``create`` is false), is
            not a SQLite database, or has a newer schema.
    """
    if not create and not path.is_file():
        raise QuestionLogError(f"no question log at {path} (ask the bot or the REPL a question first)")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=5.0)
    except (OSError, sqlite3.Error) as exc:
        raise QuestionLogError(f"cannot open the question log {path}: {exc}") from None
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        migrate(db, path)
    except sqlite3.Error as exc:
        db.close()
        raise QuestionLogError(f"cannot use the question log {path}: {exc}") from None
    except QuestionLogError:
        db.close()
        raise
    return db


def schema_version(db: sqlite3.Connection) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def migrate(db: sqlite3.Connection, path: Path, *, target: int = SCHEMA_VERSION) -> int:
    """Bring the database up to schema version ``target`` in one transaction; returns the version it had.

    Raises:
        QuestionLogError: the database has a newer version than this notes-qa knows.
    """
    db.execute("BEGIN IMMEDIATE")  # the write lock first, so two processes never migrate at once
    try:
        version = schema_version(db)
        if version > SCHEMA_VERSION:
            raise QuestionLogError(
                f"the question log {path} has schema version {version}; this version of notes-qa reads up to "
                f"{SCHEMA_VERSION} (use a newer notes-qa or another NOTES_QA_QUESTION_DB)"
            )
        for step in range(version, target):
            for statement in MIGRATIONS[step]:
                db.execute(statement)
        if target > version:
            db.execute(f"PRAGMA user_version = {int(target)}")
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise
    if version == 0:
        log.debug("question log %s: created (schema version %d)", path, target)
    elif target > version:
        log.info("question log %s: schema version %d -> %d", path, version, target)
    return version


def purge_text(db: sqlite3.Connection, *, older_than: float) -> int:
    """Forget the text of questions asked before ``older_than`` (Unix time); returns how many rows changed."""
    return db.execute(_PURGE, (older_than,)).rowcount


@dataclass(frozen=True, slots=True)
class _Write:
    what: str  # for the log when it fails
    sql: str
    params: tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class _Flush:
    done: threading.Event


_STOP = object()


class QuestionLog:
    """Writes the question log from a background thread; open it once per process and ``close`` it on the way out.

    Raises (from the constructor):
        QuestionLogError: the database cannot be used (see ``connect``).
    """

    def __init__(
        self,
        path: str | Path,
        *,
        retention_days: int,
        batch_size: int = 500,
        purge_every: float = 3600.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if retention_days < 0:
            raise ValueError(f"retention_days must be 0 or more, got {retention_days!r}")
        self._path = Path(path)
        self._retention = retention_days
        self._batch_size = batch_size
        self._purge_every = purge_every
        self._clock = clock
        self._db = connect(self._path)
        self._queue: queue.Queue[object] = queue.Queue()
        self._closed = False
        self._lock = threading.Lock()
        self.written = 0
        self.failed = 0
        self._purge()
        self._last_purge = time.monotonic()
        self._thread = threading.Thread(target=self._run, name="notes-qa-questionlog", daemon=True)
        self._thread.start()

    @property
    def path(self) -> Path:
        return self._path

    @property
    def retention_days(self) -> int:
        return self._retention

    # Enqueueing (any thread; never blocks on the disk) -------------------------------------------------

    def record(self, record: QuestionRecord) -> None:
        """Queue a question for writing."""
        keep = self._retention > 0
        params = (
            record.id, record.asked_at, record.channel, record.user,
            record.question if keep else None, normalize_question(record.question) if keep else None,
            record.section_id, record.score, int(record.answered), record.kind, record.ratio, record.runner_up,
            json.dumps(list(record.suggestions), ensure_ascii=False), record.latency_ms,
        )
        self._put(_Write(f"question {record.id}", _INSERT, params))

    def chosen(self, question_id: int, section_id: str) -> None:
        """Queue the asker's pick among the sections offered for a question (the first pick counts)."""
        self._put(_Write(f"choice for question {question_id}", _CHOSEN, (section_id, question_id)))

    def feedback(self, question_id: int, *, user: str, good: bool, at: float | None = None) -> None:
        """Queue a 👍 (``good``) or 👎 on a question's answer; one vote per user, the last one counts."""
        value = 1 if good else -1
        when = self._clock() if at is None else at
        params = (question_id, user, value, when, question_id)
        self._put(_Write(f"feedback on question {question_id}", _FEEDBACK, params))

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until everything queued so far is written; False if that took longer than ``timeout``."""
        done = threading.Event()
        if not self._put(_Flush(done)):
            return True
        return done.wait(timeout)

    def close(self) -> None:
        """Write everything still queued, then close the database. Later writes are dropped with a warning."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._queue.put(_STOP)
        self._thread.join()
        self._db.close()

    def _put(self, item: object) -> bool:
        with self._lock:
            if self._closed:
                log.warning("the question log is closed; not recorded: %s", getattr(item, "what", "a flush"))
                return False
            self._queue.put(item)
            return True

    # The writer thread --------------------------------------------------------------------------------

    def _run(self) -> None:
        stopping = False
        while not stopping:
            try:
                first = self._queue.get(timeout=self._purge_every)
            except queue.Empty:
                first = None
            batch: list[object] = [] if first is None else [first]
            while len(batch) < self._batch_size:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            stopping = _STOP in batch
            self._write([item for item in batch if isinstance(item, _Write)])
            if time.monotonic() - self._last_purge >= self._purge_every:
                self._purge()
                self._last_purge = time.monotonic()
            for item in batch:
                if isinstance(item, _Flush):
                    item.done.set()

    def _write(self, writes: Sequence[_Write]) -> None:
        if not writes:
            return
        # OverflowError: an integer SQLite cannot store (a forged vote's question number); one bad write is
        # lost and logged, never the writer thread with every write queued after it.
        try:
            self._transaction(writes)
        except (sqlite3.Error, OverflowError) as exc:
            log.warning("question log %s: a batch of %d writes failed (%s); retrying one by one",
                        self._path, len(writes), exc)
            for write in writes:
                try:
                    self._transaction([write])
                except (sqlite3.Error, OverflowError) as error:
                    self.failed += 1
                    log.error("question log %s: lost %s: %s", self._path, write.what, error)

    def _transaction(self, writes: Sequence[_Write]) -> None:
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            for write in writes:
                db.execute(write.sql, write.params)
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        self.written += len(writes)

    def _purge(self) -> None:
        cutoff = self._clock() - self._retention * DAY
        try:
            forgotten = purge_text(self._db, older_than=cutoff)
        except sqlite3.Error as exc:
            log.error("question log %s: could not delete old question text: %s", self._path, exc)
            return
        if forgotten:
            log.info("question log: forgot the text of %d questions older than %d days", forgotten, self._retention)

    def __enter__(self) -> QuestionLog:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
