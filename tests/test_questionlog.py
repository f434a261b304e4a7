"""The question log's SQLite file: schema, migration, writes off the caller's thread, retention, crash safety;
and the pseudonyms that stand for users in it."""

from __future__ import annotations

import sqlite3
import stat
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from bot.pseudonyms import PseudonymKeyError, Pseudonyms, key_path
from bot.questionlog import (
    DAY,
    SCHEMA_VERSION,
    QuestionLog,
    QuestionLogError,
    QuestionRecord,
    connect,
    normalize_question,
)
from tests.conftest import ROOT

NOW = 1_800_000_000.0  # 2027-01-15

#: Version 1 of the schema, as the first release wrote it (kept here literally, not taken from the code).
VERSION_1 = """
CREATE TABLE questions (
    id INTEGER PRIMARY KEY, asked_at REAL NOT NULL, channel TEXT NOT NULL, user TEXT NOT NULL,
    question TEXT, normalized TEXT, section_id TEXT, score REAL, answered INTEGER NOT NULL
);
CREATE INDEX questions_by_time ON questions (asked_at);
INSERT INTO questions VALUES (1, 1700000000.0, 'repl', 'u1', 'What is a volume?', 'what is a volume',
                              'storage.md#volumes', 7.5, 1);
INSERT INTO questions VALUES (2, 1700000100.0, 'telegram', 'u2', 'pizza?', 'pizza', NULL, NULL, 0);
PRAGMA user_version = 1;
"""


def record(number: int, *, asked_at: float = NOW, kind: str = "answer", question: str = "What is a Volume?",
           user: str = "u1", section: str | None = "storage.md#volumes") -> QuestionRecord:
    return QuestionRecord(
        id=number, asked_at=asked_at, channel="repl", user=user, question=question, kind=kind,
        section_id=section if kind == "answer" else None, score=7.25, ratio=0.5, runner_up="storage.md#bind-mounts",
        suggestions=("a.md#x", "b.md#y") if kind == "unsure" else (), latency_ms=1.5,
    )


def rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as db:
        return db.execute(sql).fetchall()


def columns(db: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in db.execute(f"PRAGMA table_info({table})")]


# Schema and migration -------------------------------------------------------------------------------------


def test_a_new_file_has_the_current_schema_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "questions.sqlite3"
    db = connect(path)
    try:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 2
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert columns(db, "questions") == [
            "id", "asked_at", "channel", "user", "question", "normalized", "section_id", "score", "answered",
            "kind", "ratio", "runner_up", "suggestions", "chosen", "latency_ms",
        ]
        assert columns(db, "feedback") == ["question_id", "user", "value", "at"]
    finally:
        db.close()


def test_version_1_is_migrated_and_its_rows_kept(tmp_path: Path) -> None:
    path = tmp_path / "questions.sqlite3"
    with sqlite3.connect(path) as old:
        old.executescript(VERSION_1)
    with QuestionLog(path, retention_days=36_500) as log:
        log.feedback(1, user="u3", good=False)
    assert rows(path, "PRAGMA user_version") == [(2,)]
    assert rows(path, "SELECT id, question, kind, answered, section_id, suggestions, chosen FROM questions") == [
        (1, "What is a volume?", "answer", 1, "storage.md#volumes", "[]", None),
        (2, "pizza?", "not_covered", 0, None, "[]", None),
    ]
    assert rows(path, "SELECT question_id, user, value FROM feedback") == [(1, "u3", -1)]
    with QuestionLog(path, retention_days=36_500):  # opening again changes nothing
        pass
    assert rows(path, "SELECT count(*) FROM questions") == [(2,)]


def test_a_newer_schema_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "questions.sqlite3"
    with sqlite3.connect(path) as newer:
        newer.execute("CREATE TABLE future (x)")
        newer.execute("PRAGMA user_version = 9")
    with pytest.raises(QuestionLogError, match=r"has schema version 9; this version of notes-qa reads up to 2"):
        QuestionLog(path, retention_days=90)
    assert rows(path, "SELECT name FROM sqlite_master") == [("future",)]


def test_a_file_that_is_not_a_database_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "questions.sqlite3"
    path.write_text("these are my notes, not a database\n" * 100)
    with pytest.raises(QuestionLogError) as raised:
        QuestionLog(path, retention_days=90)
    assert str(path) in str(raised.value) and "\n" not in str(raised.value)
    with pytest.raises(QuestionLogError, match="no question log at"):
        connect(tmp_path / "missing.sqlite3", create=False)


# Writing ---------------------------------------------------------------------------------------------------


def test_records_choices_and_feedback_are_written(tmp_path: Path) -> None:
    path = tmp_path / "q.sqlite3"
    with QuestionLog(path, retention_days=90, clock=lambda: NOW) as log:
        log.record(record(1))
        log.record(record(2, kind="unsure", question="cron or timers?"))
        log.chosen(2, "b.md#y")
        log.chosen(2, "a.md#x")  # the first pick counts
        log.feedback(1, user="u1", good=True)
        log.feedback(1, user="u1", good=False)  # one vote per person: the last one counts
        log.feedback(1, user="u2", good=False)
        log.feedback(99, user="u1", good=False)  # no such question: ignored
        assert log.flush()
        assert log.written == 8 and log.failed == 0
    assert rows(path, "SELECT id, question, normalized, kind, answered, section_id, suggestions, chosen FROM questions "
                      "ORDER BY id") == [
        (1, "What is a Volume?", "what is a volume", "answer", 1, "storage.md#volumes", "[]", None),
        (2, "cron or timers?", "cron or timers", "unsure", 0, None, '["a.md#x", "b.md#y"]', "b.md#y"),
    ]
    assert rows(path, "SELECT question_id, user, value, at FROM feedback ORDER BY user") == [
        (1, "u1", -1, NOW), (1, "u2", -1, NOW),
    ]


def test_closing_writes_everything_queued(tmp_path: Path) -> None:
    path = tmp_path / "q.sqlite3"
    log = QuestionLog(path, retention_days=90, batch_size=50)
    for number in range(1, 3001):
        log.record(record(number))
    log.close()
    log.close()  # twice is harmless
    assert rows(path, "SELECT count(*), min(id), max(id) FROM questions") == [(3000, 1, 3000)]
    log.record(record(5000))  # after close: dropped with a warning, never an exception
    assert rows(path, "SELECT count(*) FROM questions") == [(3000,)]


def test_writing_never_waits_for_the_disk(tmp_path: Path) -> None:
    """Another process holding the write lock does not slow the caller; the writes land once it lets go."""
    path = tmp_path / "q.sqlite3"
    log = QuestionLog(path, retention_days=90)
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        started = time.perf_counter()
        for number in range(1, 201):
            log.record(record(number))
        assert time.perf_counter() - started < 0.5
        assert not log.flush(timeout=0.3)  # the writer is waiting for the lock
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    log.close()
    assert rows(path, "SELECT count(*) FROM questions") == [(200,)]


def test_a_crash_mid_write_leaves_a_sound_database(tmp_path: Path) -> None:
    path = tmp_path / "q.sqlite3"
    script = textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {str(ROOT)!r})
        from bot.questionlog import QuestionLog, QuestionRecord
        log = QuestionLog({str(path)!r}, retention_days=90, batch_size=20)
        number = 0
        while True:
            number += 1
            log.record(QuestionRecord(number, time.time(), "repl", "u", "q " * 50, "answer"))
            if number == 500:
                print("writing", flush=True)
            if number % 100 == 0:
                time.sleep(0.001)
    """)
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stdout.readline() == "writing\n"
        time.sleep(0.3)
    finally:
        child.kill()  # no clean-up, no close: as a crash
        child.wait(10)
        if child.stdout is not None:
            child.stdout.close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        count, highest = db.execute("SELECT count(*), max(id) FROM questions").fetchone()
    assert count > 0 and count == highest  # a prefix of what was written: whole batches, no holes


# Retention -------------------------------------------------------------------------------------------------


def test_question_text_older_than_the_retention_is_forgotten_the_rest_kept(tmp_path: Path) -> None:
    path = tmp_path / "q.sqlite3"
    with QuestionLog(path, retention_days=365 * 10, clock=lambda: NOW) as log:
        log.record(record(1, asked_at=NOW - 100 * DAY))
        log.record(record(2, asked_at=NOW - 10 * DAY))
    with QuestionLog(path, retention_days=30, clock=lambda: NOW):  # purged when opened
        pass
    assert rows(path, "SELECT id, question, normalized, kind, section_id, score FROM questions ORDER BY id") == [
        (1, None, None, "answer", "storage.md#volumes", 7.25),
        (2, "What is a Volume?", "what is a volume", "answer", "storage.md#volumes", 7.25),
    ]


def test_the_purge_also_runs_while_the_log_is_open(tmp_path: Path) -> None:
    path = tmp_path / "q.sqlite3"
    clock = [NOW]
    with QuestionLog(path, retention_days=1, purge_every=0.05, clock=lambda: clock[0]) as log:
        log.record(record(1))
        assert log.flush()
        clock[0] = NOW + 2 * DAY
        deadline = time.monotonic() + 5
        while rows(path, "SELECT question FROM questions") != [(None,)] and time.monotonic() < deadline:
            time.sleep(0.05)
    assert rows(path, "SELECT question FROM questions") == [(None,)]


def test_retention_zero_stores_no_question_text(tmp_path: Path) -> None:
    path = tmp_path / "q.sqlite3"
    with QuestionLog(path, retention_days=0) as log:
        log.record(record(1))
    assert rows(path, "SELECT question, normalized, section_id FROM questions") == [(None, None, "storage.md#volumes")]


@pytest.mark.parametrize(
    ("text", "normalized"),
    [("What IS a  Volume?", "what is a volume"), ("docker-compose.yml", "docker compose yml"),
     ("Ｄｏｃｋｅｒ!", "docker"), ("??", "")],
)
def test_normalized_questions(text: str, normalized: str) -> None:
    assert normalize_question(text) == normalized


# Pseudonyms ------------------------------------------------------------------------------------------------


def test_a_key_is_made_once_beside_the_database_readable_by_its_owner_only(tmp_path: Path) -> None:
    database = tmp_path / "state" / "questions.sqlite3"
    first = Pseudonyms.beside(database)
    key_file = key_path(database)
    assert key_file == tmp_path / "state" / "questions.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    second = Pseudonyms.beside(database)
    assert first("telegram", 42) == second("telegram", 42)
    assert len(first("telegram", 42)) == 16
    assert first("telegram", 42) != first("telegram", 43) != first("repl", 42)


def test_a_key_from_the_settings_is_used_and_no_file_is_made(tmp_path: Path) -> None:
    database = tmp_path / "questions.sqlite3"
    from_settings = Pseudonyms.beside(database, key=b"k" * 32)
    assert not key_path(database).exists()
    assert from_settings("telegram", 42) == Pseudonyms(b"k" * 32)("telegram", 42)
    assert from_settings("telegram", 42) != Pseudonyms(b"j" * 32)("telegram", 42)
    assert "k" * 32 not in repr(from_settings)


def test_pseudonyms_are_made_the_same_by_many_threads(tmp_path: Path) -> None:
    database = tmp_path / "questions.sqlite3"
    made: list[str] = []
    threads = [threading.Thread(target=lambda: made.append(Pseudonyms.beside(database)("repl", "me")))
               for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(made)) == 1 and len(made) == 8


def test_a_damaged_key_file_is_an_error_naming_it(tmp_path: Path) -> None:
    database = tmp_path / "questions.sqlite3"
    key_path(database).write_text("short\n")
    with pytest.raises(PseudonymKeyError, match=r"questions\.key holds 5 characters, expected 64 hex digits"):
        Pseudonyms.beside(database)
