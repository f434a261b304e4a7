"""``python -m bot`` as a user runs it: a subprocess with a clean environment, its exit code and stderr.

A failure to start is one line on stderr, no traceback, never the token; SIGTERM and Ctrl-C (SIGINT) stop a
running bot gracefully with exit code 0.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fake_bot_api import FakeBotAPI
from tests.test_telegram_harness import ROOT, SPEC_PATH, replying_to

pytestmark = pytest.mark.timeout(60)

WRONG_TOKEN = "987654321:wrong-token-that-must-not-be-printed"


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One saved index for the module's runs: the first run builds it, the others load it."""
    return tmp_path_factory.mktemp("index-cache")


@pytest.fixture
def fake() -> Iterator[FakeBotAPI]:
    with FakeBotAPI(spec_path=SPEC_PATH) as server:
        yield server
        assert server.spec_violations == []


def clean_env(tmp_path: Path, cache_dir: Path, **values: str) -> dict[str, str]:
    """An environment with nothing of the caller's but PATH: no token, a home of its own."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path), "NOTES_QA_CACHE_DIR": str(cache_dir)}
    env.update(values)
    return env


def run_bot(tmp_path: Path, env: dict[str, str], timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=timeout
    )


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error:")]


def test_without_a_token_it_says_so_in_one_line(tmp_path: Path, cache_dir: Path) -> None:
    done = run_bot(tmp_path, clean_env(tmp_path, cache_dir))
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == (
        "error: TELEGRAM_BOT_TOKEN is not set: expected the bot token from @BotFather, found nothing; "
        "set it in the environment or in .env (see .env.example)\n"
    )


def test_the_token_may_come_from_a_dot_env_file_and_bad_values_are_named(tmp_path: Path, cache_dir: Path) -> None:
    (tmp_path / ".env").write_text("TELEGRAM_BOT_TOKEN=123:abc\nTELEGRAM_WEBHOOK_PORT=eighty\n")
    done = run_bot(tmp_path, clean_env(tmp_path, cache_dir, TELEGRAM_RATE_LIMIT_PER_MINUTE="0"))
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "error: TELEGRAM_RATE_LIMIT_PER_MINUTE must be a whole number from 1 to 10000, found '0'; "
        "TELEGRAM_WEBHOOK_PORT must be a whole number from 1 to 65535, found 'eighty'"
    ]


def test_a_missing_notes_folder_is_one_line(tmp_path: Path, cache_dir: Path) -> None:
    env = clean_env(tmp_path, cache_dir, TELEGRAM_BOT_TOKEN="123:abc", NOTES_QA_NOTES_DIR=str(tmp_path / "nowhere"))
    done = run_bot(tmp_path, env)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [f"error: notes folder not found: {tmp_path / 'nowhere'}"]


def test_a_rejected_token_is_one_line_without_the_token(tmp_path: Path, cache_dir: Path, fake: FakeBotAPI) -> None:
    env = clean_env(tmp_path, cache_dir, TELEGRAM_BOT_TOKEN=WRONG_TOKEN, TELEGRAM_BASE_URL=fake.base_url)
    done = run_bot(tmp_path, env)
    assert done.returncode == 1
    assert error_lines(done.stderr) == [
        "error: Telegram rejected TELEGRAM_BOT_TOKEN: check it with @BotFather (/mybots, API Token)"
    ]
    assert done.stderr.splitlines()[-1].startswith("error:")
    assert "Traceback" not in done.stderr
    assert WRONG_TOKEN not in done.stderr and WRONG_TOKEN.split(":")[1] not in done.stderr


def test_an_unreachable_server_is_one_line(tmp_path: Path, cache_dir: Path) -> None:
    with socket.socket() as sock:  # a port that nothing listens on
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}/bot"
    env = clean_env(tmp_path, cache_dir, TELEGRAM_BOT_TOKEN="123:abc", TELEGRAM_BASE_URL=url)
    done = run_bot(tmp_path, env)
    assert done.returncode == 1
    [line] = error_lines(done.stderr)
    assert line.startswith(f"error: cannot reach the Bot API at {url}: ")
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_a_stop_signal_ends_the_bot_gracefully(
    tmp_path: Path, cache_dir: Path, fake: FakeBotAPI, stop: signal.Signals
) -> None:
    env = clean_env(
        tmp_path,
        cache_dir,
        TELEGRAM_BOT_TOKEN=fake.token,
        TELEGRAM_BASE_URL=fake.base_url,
        NOTES_QA_STATE_DB=str(tmp_path / "state.sqlite3"),
        NOTES_QA_LOG_LEVEL="DEBUG",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "bot"], cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        fake.wait_for("getUpdates", timeout=30)
        update = fake.send_text(42, "what is a kernel?")
        [reply] = fake.wait_for(replying_to(42, update["message"]["message_id"]), timeout=10)
        process.send_signal(stop)
        _, stderr = process.communicate(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, stderr
    assert reply.result["text"].startswith("Linux foundations for containers\nWhat is a kernel?")
    assert fake.confirmed_offset == update["update_id"] + 1
    assert "stopping: answering the questions already received" in stderr
    assert "Traceback" not in stderr
    assert fake.token not in stderr and fake.token.split(":")[1] not in stderr
    assert (tmp_path / "state.sqlite3").is_file()
    assert str(ROOT / "corpus") in stderr
