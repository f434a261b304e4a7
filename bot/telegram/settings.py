"""The Telegram bot's settings: the shared ``bot.settings.Settings``, with the bot token required.

The settings live in ``bot.settings`` because the REPL and the report read the same ones (the notes folder,
the saved index, the question log, the log level). ``load_settings`` here is what ``python -m bot`` calls:
the same, except that a missing ``TELEGRAM_BOT_TOKEN`` is an error.
"""

from __future__ import annotations

from pathlib import Path

from bot.settings import DEFAULT_BASE_URL, LOG_LEVELS, Settings, SettingsError
from bot.settings import load_settings as _load_settings

__all__ = ["DEFAULT_BASE_URL", "LOG_LEVELS", "Settings", "SettingsError", "load_settings"]


def load_settings(*, env_file: str | Path | None = ".env") -> Settings:
    """Read the settings from the environment and ``env_file`` (the environment wins); validate them once.

    Raises:
        SettingsError: a variable is missing or unusable (``TELEGRAM_BOT_TOKEN`` is required); the message
            has one line per problem.
    """
    return _load_settings(env_file=env_file, require_token=True)
