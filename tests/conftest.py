"""Shared test set-up: hermetic environment, paths to the bundled and third-party notes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.fake_bot_api import FakeBotAPI

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SHARED = ROOT.parent / "shared"
CORPORA = SHARED / "corpora"

_SECRETS = ("TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET", "NOTES_QA_USER_HASH_KEY")


@pytest.fixture(autouse=True)
def hermetic_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test sees a real secret, a real home folder or a colour preference of the person running it."""
    for name in _SECRETS:
        monkeypatch.delenv(name, raising=False)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / ".local" / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.delenv("NO_COLOR", raising=False)
    # python-telegram-bot 22 warns on every time period it parses unless told to use timedeltas.
    monkeypatch.setenv("PTB_TIMEDELTA", "1")


def shared_or_skip(*parts: str) -> Path:
    """A path under ../shared, or skip the test where that folder is absent (a user's clone)."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent (it exists only beside the project's own checkout and in CI)")
    return path


@pytest.fixture
def fake() -> Iterator[FakeBotAPI]:
    """A fake Telegram Bot API server on 127.0.0.1 that checks requests against the spec where it is present.

    After the test it must have seen no request it could not serve and no parameter the spec does not know.
    """
    from tests.fake_bot_api import FakeBotAPI

    with FakeBotAPI(spec_path=SHARED / "telegram" / "api.json") as server:
        yield server
        assert server.internal_errors == []
        assert server.spec_violations == []
