"""notes-qa's settings, for every front end: read once, from the environment and ``.env``, by ``load_settings``.

One frozen ``Settings`` serves the Telegram bot (``python -m bot``), the REPL (``python -m bot.repl``) and the
report (``python -m bot.report``); each entry point calls ``load_settings`` once, passing its command-line
flags as ``overrides`` (a flag beats the environment, which beats ``.env``, which beats the default). Every
variable is documented in ``.env.example``. Nothing is read at import time. A value that cannot be used
raises ``SettingsError`` whose message names the variable, what was expected and what was found (secrets are
described by their length, never shown).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.paths import default_cache_dir, state_dir
from index.cli import DEFAULT_NOTES

DEFAULT_BASE_URL = "https://api.telegram.org/bot"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
MIN_HASH_KEY_CHARS = 16
_TOKEN = re.compile(r"\d{1,20}:[A-Za-z0-9_-]{1,100}")
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
_TRUE, _FALSE = frozenset({"1", "true", "yes", "on"}), frozenset({"0", "false", "no", "off"})
MISSING_TOKEN = (
    "TELEGRAM_BOT_TOKEN is not set: expected the bot token from @BotFather, found nothing; "
    "set it in the environment or in .env (see .env.example)"
)


class SettingsError(ValueError):
    """The settings cannot be used; the message (one line per problem) says which variable and why."""


def _ids(value: object, name: str) -> frozenset[int]:
    if isinstance(value, (set, frozenset, list, tuple)):
        value = ",".join(str(v) for v in value)
    text = str(value or "")
    ids = set()
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        if not re.fullmatch(r"-?\d{1,20}", part):
            raise ValueError(
                f"{name} must be comma-separated numeric Telegram user ids (such as 123456789,987654321), "
                f"found {part!r}; a @username cannot be used because usernames change"
            )
        ids.add(int(part))
    return frozenset(ids)


def _whole(value: object, name: str, low: int, high: int) -> int:
    text = str(value).strip()
    if not re.fullmatch(r"[+-]?\d+", text) or not low <= int(text) <= high:
        raise ValueError(f"{name} must be a whole number from {low} to {high}, found {str(value)!r}")
    return int(text)


class Settings(BaseSettings):
    """Everything notes-qa's entry points need to know; field names are the variables' names in lower case.

    The Telegram variables matter only to ``python -m bot`` (which requires ``TELEGRAM_BOT_TOKEN``); the
    ``NOTES_QA_*`` ones are shared, so the REPL and the bot read the same notes, share one saved index and
    write one question log.
    """

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        env_ignore_empty=True,  # ``NAME=`` (as copied from .env.example) means "use the default"
        extra="ignore",
        frozen=True,
        case_sensitive=False,
    )

    telegram_bot_token: SecretStr | None = None
    telegram_base_url: str = DEFAULT_BASE_URL
    telegram_allowed_users: Annotated[frozenset[int], NoDecode] = frozenset()
    telegram_admin_users: Annotated[frozenset[int], NoDecode] = frozenset()
    telegram_rate_limit_per_minute: int = 20
    telegram_webhook_url: str = ""
    telegram_webhook_listen: str = "127.0.0.1"
    telegram_webhook_port: int = 8443
    telegram_webhook_secret: SecretStr | None = None
    notes_qa_notes_dir: Path = Field(default=DEFAULT_NOTES)
    notes_qa_cache_dir: Path | None = None
    notes_qa_state_db: Path | None = None
    notes_qa_question_db: Path | None = None
    notes_qa_retention_days: int = 90
    notes_qa_user_hash_key: SecretStr | None = None
    notes_qa_watch: bool = True
    notes_qa_log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    @field_validator("telegram_bot_token", mode="before")
    @classmethod
    def _token(cls, value: Any) -> Any:
        if value is None:  # BaseSettings validates defaults too
            return None
        text = value.get_secret_value() if isinstance(value, SecretStr) else str(value).strip()
        if not _TOKEN.fullmatch(text):
            raise ValueError(
                "TELEGRAM_BOT_TOKEN must be the token @BotFather gave you, digits, a colon and letters "
                f"(like 123456789:AAH...), found a value of {len(text)} characters that is not of that shape"
            )
        return text

    @field_validator("telegram_base_url", mode="before")
    @classmethod
    def _base_url(cls, value: Any) -> str:
        text = str(value).strip()
        parts = urlsplit(text)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(
                f"TELEGRAM_BASE_URL must be an http(s) URL to which the token is appended (default "
                f"{DEFAULT_BASE_URL}), found {text!r}"
            )
        return text

    @field_validator("telegram_allowed_users", "telegram_admin_users", mode="before")
    @classmethod
    def _user_ids(cls, value: Any, info: Any) -> frozenset[int]:
        return _ids(value, str(info.field_name).upper())

    @field_validator("telegram_rate_limit_per_minute", mode="before")
    @classmethod
    def _rate(cls, value: Any) -> int:
        return _whole(value, "TELEGRAM_RATE_LIMIT_PER_MINUTE", 1, 10_000)

    @field_validator("telegram_webhook_port", mode="before")
    @classmethod
    def _port(cls, value: Any) -> int:
        return _whole(value, "TELEGRAM_WEBHOOK_PORT", 1, 65535)

    @field_validator("notes_qa_retention_days", mode="before")
    @classmethod
    def _retention(cls, value: Any) -> int:
        return _whole(value, "NOTES_QA_RETENTION_DAYS", 0, 36_500)

    @field_validator("telegram_webhook_url", mode="before")
    @classmethod
    def _webhook_url(cls, value: Any) -> str:
        text = str(value).strip()
        parts = urlsplit(text)
        if text and (parts.scheme != "https" or not parts.hostname):
            raise ValueError(
                f"TELEGRAM_WEBHOOK_URL must be a public https:// URL (Telegram posts only to HTTPS), found {text!r}"
            )
        return text

    @field_validator("telegram_webhook_secret", mode="before")
    @classmethod
    def _secret(cls, value: Any) -> Any:
        if value is None:
            return None
        text = value.get_secret_value() if isinstance(value, SecretStr) else str(value)
        if not _SECRET.fullmatch(text):
            raise ValueError(
                "TELEGRAM_WEBHOOK_SECRET must be 1-256 characters from A-Z, a-z, 0-9, _ and -, "
                f"found a value of {len(text)} characters with others"
            )
        return text

    @field_validator("notes_qa_user_hash_key", mode="before")
    @classmethod
    def _hash_key(cls, value: Any) -> Any:
        if value is None:
            return None
        text = value.get_secret_value() if isinstance(value, SecretStr) else str(value).strip()
        if len(text) < MIN_HASH_KEY_CHARS:
            raise ValueError(
                f"NOTES_QA_USER_HASH_KEY must be a random string of at least {MIN_HASH_KEY_CHARS} characters "
                "(for example from: python -c \"import secrets; print(secrets.token_urlsafe(32))\"), "
                f"found a value of {len(text)} characters; leave it empty to have one generated"
            )
        return text

    @field_validator("notes_qa_watch", mode="before")
    @classmethod
    def _watch(cls, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        text = str(value).strip().casefold()
        if text in _TRUE | _FALSE:
            return text in _TRUE
        raise ValueError(f"NOTES_QA_WATCH must be true or false (or 1/0, yes/no, on/off), found {str(value)!r}")

    @field_validator("notes_qa_log_level", mode="before")
    @classmethod
    def _level(cls, value: Any) -> str:
        text = str(value).strip().upper()
        if text not in LOG_LEVELS:
            raise ValueError(f"NOTES_QA_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, found {str(value)!r}")
        return text

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> Settings:
        if self.telegram_webhook_url and self.telegram_webhook_secret is None:
            raise ValueError(
                "TELEGRAM_WEBHOOK_SECRET must be set when TELEGRAM_WEBHOOK_URL is, so that only Telegram can "
                "post updates to the webhook; found it empty"
            )
        return self

    # Derived values ---------------------------------------------------------------------------------

    @property
    def token(self) -> str:
        """The bot token. Raises ``SettingsError`` when it is not set (``load_settings(require_token=True)``
        checks that up front)."""
        if self.telegram_bot_token is None:
            raise SettingsError(MISSING_TOKEN)
        return self.telegram_bot_token.get_secret_value()

    @property
    def webhook_secret(self) -> str | None:
        secret = self.telegram_webhook_secret
        return secret.get_secret_value() if secret is not None else None

    @property
    def webhook_path(self) -> str:
        """The path part of ``TELEGRAM_WEBHOOK_URL`` (without the leading slash): where the bot listens."""
        return urlsplit(self.telegram_webhook_url).path.lstrip("/")

    @property
    def notes_dir(self) -> Path:
        return self.notes_qa_notes_dir

    @property
    def state_db(self) -> Path:
        """``NOTES_QA_STATE_DB``, or ``$XDG_STATE_HOME/notes-qa/telegram-state.sqlite3``."""
        if self.notes_qa_state_db is not None:
            return self.notes_qa_state_db
        return state_dir() / "telegram-state.sqlite3"

    @property
    def question_db(self) -> Path:
        """``NOTES_QA_QUESTION_DB``, or ``$XDG_STATE_HOME/notes-qa/questions.sqlite3`` (the bot's and the REPL's)."""
        if self.notes_qa_question_db is not None:
            return self.notes_qa_question_db
        return state_dir() / "questions.sqlite3"

    @property
    def cache_dir(self) -> Path:
        """``NOTES_QA_CACHE_DIR``, or ``$XDG_CACHE_HOME/notes-qa/<16 hex digits of the notes folder's path>``
        (the REPL's default too, so both share one saved index)."""
        if self.notes_qa_cache_dir is not None:
            return self.notes_qa_cache_dir
        return default_cache_dir(self.notes_qa_notes_dir)

    @property
    def user_hash_key(self) -> bytes | None:
        """``NOTES_QA_USER_HASH_KEY`` as bytes, or None (a key file beside the question log is used then)."""
        key = self.notes_qa_user_hash_key
        return key.get_secret_value().encode("utf-8") if key is not None else None

    @property
    def secrets(self) -> tuple[str, ...]:
        """Values that must never be logged."""
        values = (
            self.telegram_bot_token.get_secret_value() if self.telegram_bot_token else None,
            self.webhook_secret,
            self.notes_qa_user_hash_key.get_secret_value() if self.notes_qa_user_hash_key else None,
        )
        return tuple(s for s in values if s)

    def log_level(self, default: str) -> str:
        """``NOTES_QA_LOG_LEVEL`` when it was set (environment, ``.env`` or a flag), else ``default``.

        The bot logs at INFO by default; the REPL, whose stderr is the user's terminal, at WARNING.
        """
        return self.notes_qa_log_level if "notes_qa_log_level" in self.model_fields_set else default


def load_settings(
    *,
    env_file: str | Path | None = ".env",
    overrides: Mapping[str, object] | None = None,
    require_token: bool = False,
) -> Settings:
    """Read the settings from ``overrides`` (command-line flags; None values are skipped), the environment
    and ``env_file``, in that order of precedence; validate them once.

    Raises:
        SettingsError: a variable is missing or unusable; the message has one line per problem.
    """
    values: dict[str, Any] = {k: v for k, v in (overrides or {}).items() if v is not None}
    try:
        settings = Settings(_env_file=env_file, **values)  # type: ignore[call-arg]
    except ValidationError as exc:
        raise SettingsError("; ".join(_describe(error) for error in exc.errors())) from None
    if require_token and settings.telegram_bot_token is None:
        raise SettingsError(MISSING_TOKEN)
    return settings


def _describe(error: Any) -> str:
    name = str(error["loc"][0]).upper() if error.get("loc") else ""
    if error["type"] == "missing":
        return f"{name} is not set: expected a value, found nothing"
    message = str(error["msg"]).removeprefix("Value error, ")
    if name and not message.startswith(name) and not message.startswith("TELEGRAM_"):
        found = error.get("input")
        return f"{name}: {message}, found {found!r}"
    return message
