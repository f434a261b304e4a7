"""Logging for notes-qa's entry points: one stderr handler, one line per event, secrets redacted everywhere.

``python -m bot`` calls ``configure_logging`` (timestamped lines at ``NOTES_QA_LOG_LEVEL``, INFO by
default); the REPL and the report use ``terminal_logging`` (``warning: ...`` lines, WARNING by default, since
their stderr is the user's terminal). The library (``index/``) never configures logging; it only logs.

httpx logs every request URL at INFO, and a Bot API URL contains the bot token
(``https://api.telegram.org/bot<token>/getUpdates``); python-telegram-bot's ``InvalidToken`` message quotes
the token too. So the httpx and httpcore loggers are set to WARNING (as PTB's examples do) and, as a second
line of defence, ``RedactSecrets`` rewrites every record that reaches a root handler: its message, arguments,
traceback and stack text, with each secret replaced by ``[REDACTED]``.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

REDACTED = "[REDACTED]"
QUIET_LOGGERS = ("httpx", "httpcore", "watchfiles")  # a line per request / per file change
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


class _LowerLevel(logging.Formatter):
    """``warning: message``: the level in lower case, as command-line tools write it."""

    def format(self, record: logging.LogRecord) -> str:
        return f"{record.levelname.lower()}: {super().format(record)}"


@contextmanager
def terminal_logging(level: str, *, secrets: Iterable[str] = ()) -> Iterator[None]:
    """While inside, log notes-qa's and the library's events at ``level`` to stderr as ``level: message``.

    For the REPL and the report: only the ``bot`` and ``index`` loggers are set (and put back afterwards),
    so running ``main()`` in-process, as the tests do, leaves logging as it found it.
    """
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(level)
    handler.setFormatter(_LowerLevel("%(message)s"))
    handler.addFilter(RedactSecrets(secrets))
    loggers = [logging.getLogger("index"), logging.getLogger("bot")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(level)
    try:
        yield
    finally:
        for logger, old in zip(loggers, levels, strict=True):
            logger.removeHandler(handler)
            logger.setLevel(old)
