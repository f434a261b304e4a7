"""Logging for ``python -m bot``: one stderr handler, httpx quietened, secrets redacted everywhere.

httpx logs every request URL at INFO, and a Bot API URL contains the bot token
(``https://api.telegram.org/bot<token>/getUpdates``); python-telegram-bot's ``InvalidToken`` message quotes
the token too. So the httpx and httpcore loggers are set to WARNING (as PTB's examples do) and, as a second
line of defence, ``RedactSecrets`` rewrites every record that reaches a root handler: its message, arguments,
traceback and stack text, with each secret replaced by ``[REDACTED]``.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable

REDACTED = "[REDACTED]"
QUIET_LOGGERS = ("httpx", "httpcore")
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class RedactSecrets(logging.Filter):
    """Replaces each secret in a record's text by ``[REDACTED]`` (the record is changed in place).

    The message is formatted first (``msg % args``), so a secret passed as an argument is caught too; a
    traceback is formatted once and stored redacted in ``exc_text``, which formatters use as is.
    """

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self._secrets = tuple(sorted({s for s in secrets if s}, key=len, reverse=True))

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: leave it to the handler to report
            return True
        record.msg, record.args = self.redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def configure_logging(level: str, *, secrets: Iterable[str]) -> RedactSecrets:
    """Log to stderr at ``level``; quieten httpx/httpcore; redact ``secrets`` in every root handler.

    Called once by the entry point (never at import). The filter is added to the handler this function
    installs and to every handler already on the root logger. Returns the filter.
    """
    redact = RedactSecrets(secrets)
    root = logging.getLogger()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(FORMAT))
    root.addHandler(handler)
    root.setLevel(level)
    for existing in root.handlers:
        existing.addFilter(redact)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    return redact
