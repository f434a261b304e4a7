"""Logging for ``python -m bot``: see ``bot.logs`` (one stderr handler, httpx quietened, secrets redacted)."""

from bot.logs import FORMAT, QUIET_LOGGERS, REDACTED, RedactSecrets, configure_logging

__all__ = ["FORMAT", "QUIET_LOGGERS", "REDACTED", "RedactSecrets", "configure_logging"]
