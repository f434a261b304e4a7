"""``python -m bot`` as a real child process talking to the fake Bot API: start it, kill -9 it, stop it.

The fault and security tests need what only a separate process gives: a kill -9 that leaves no ``finally``
to run, a log written by the real entry point's logging set-up, files written by the real wiring. The
environment is built from nothing but PATH, so no setting of the person running the tests leaks in; every
path points into the test's own folder. ``BotProcess`` is a context manager that never leaves a process
behind (it is killed on the way out if a test did not stop it).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

from tests.fake_bot_api import FakeBotAPI, RecordedRequest
from tests.test_telegram_harness import CORPUS, ROOT

START_TIMEOUT = 30.0


class BotProcess:
    """One run of ``python -m bot`` against ``fake``, its files under ``home``."""

    def __init__(
        self,
        fake: FakeBotAPI,
        home: Path,
        *,
        notes: Path = CORPUS,
        cache_dir: Path | None = None,
        log_level: str = "INFO",
        **env: str,
    ) -> None:
        self.fake = fake
        self.home = home
        home.mkdir(parents=True, exist_ok=True)
        self.state_db = home / "state.sqlite3"
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(home),
            "PTB_TIMEDELTA": "1",
            "TELEGRAM_BOT_TOKEN": fake.token,
            "TELEGRAM_BASE_URL": fake.base_url,
            "NOTES_QA_NOTES_DIR": str(notes),
            "NOTES_QA_CACHE_DIR": str(cache_dir or home / "cache"),
            "NOTES_QA_STATE_DB": str(self.state_db),
            "NOTES_QA_QUESTION_DB": str(home / "questions.sqlite3"),
            "NOTES_QA_LOG_LEVEL": log_level,
            "NOTES_QA_WATCH": "0",
            **env,
        }
        self.runs = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._stderr_path = home / "stderr.log"

    # life cycle ------------------------------------------------------------------------------------
    def start(self, *, wait: bool = True) -> BotProcess:
        """Start the bot; with ``wait``, return once it polls (its first getUpdates after this start)."""
        assert self._process is None or self._process.poll() is not None, "the bot is already running"
        polls = len(self.fake.requests("getUpdates"))
        self.runs += 1
        with self._stderr_path.open("ab") as stderr:
            stderr.write(f"--- run {self.runs} ---\n".encode())
            stderr.flush()
            self._process = subprocess.Popen(
                [sys.executable, "-m", "bot"], cwd=self.home, env=self.env, stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=stderr,
            )
        if wait:
            deadline = time.monotonic() + START_TIMEOUT
            while len(self.fake.requests("getUpdates")) <= polls:
                if self._process.poll() is not None:
                    raise AssertionError(f"the bot exited with {self._process.returncode}:\n{self.stderr[-3000:]}")
                if time.monotonic() > deadline:
                    raise AssertionError(f"the bot did not poll within {START_TIMEOUT} s:\n{self.stderr[-3000:]}")
                time.sleep(0.02)
        return self

    @property
    def pid(self) -> int:
        assert self._process is not None
        return self._process.pid

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def kill(self) -> None:
        """kill -9: no signal handler, no ``finally``, no flush."""
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(signal.SIGKILL)
            self._process.wait(10)

    def stop(self, timeout: float = 30.0) -> int:
        """SIGTERM, as a service manager stops it; returns the exit code."""
        assert self._process is not None
        if self._process.poll() is None:
            self._process.send_signal(signal.SIGTERM)
        try:
            return self._process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"the bot did not stop within {timeout} s after SIGTERM") from None

    def wait(self, timeout: float = 30.0) -> int:
        assert self._process is not None
        return self._process.wait(timeout)

    @property
    def stderr(self) -> str:
        return self._stderr_path.read_text(encoding="utf-8", errors="replace") if self._stderr_path.exists() else ""

    def __enter__(self) -> BotProcess:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.kill()


def replies(fake: FakeBotAPI) -> list[RecordedRequest]:
    """Every message the fake delivered (sendMessage answered 200), in order."""
    return [r for r in fake.requests("sendMessage") if r.ok]


def replied_to(record: RecordedRequest) -> tuple[int, int]:
    """(chat id, message id) of the message a delivered reply answers."""
    return int(record.params["chat_id"]), int((record.params.get("reply_parameters") or {}).get("message_id", 0))


__all__ = ["CORPUS", "ROOT", "BotProcess", "replied_to", "replies"]
