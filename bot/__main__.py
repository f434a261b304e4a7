"""``python -m bot``: run the Telegram bot over the notes (long polling, or a webhook server).

    python -m bot

Settings come from the environment and ``.env`` in the current folder (see ``.env.example`` and
docs/telegram.md); ``TELEGRAM_BOT_TOKEN`` is required. The notes are read and indexed before the bot
connects, so the first question is answered at once. Ctrl-C or SIGTERM stop it gracefully: questions
already received are answered and Telegram is told which updates were handled.

Exit codes: 0 after a stop signal; 1 when Telegram rejects the token or cannot be reached; 2 when a setting,
the notes folder or the state database cannot be used. Each failure is reported on one line on stderr,
without a traceback and without the token.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

EXIT_OK, EXIT_TELEGRAM, EXIT_CONFIG = 0, 1, 2

log = logging.getLogger("bot")


def _parser() -> argparse.ArgumentParser:
    return argparse.ArgumentParser(
        prog="python -m bot",
        description="Run the notes-qa Telegram bot. Configure it with environment variables or a .env file "
        "(TELEGRAM_BOT_TOKEN is required); see .env.example and docs/telegram.md.",
    )


def _fail(message: str, code: int) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code


def main(argv: Sequence[str] | None = None) -> int:
    """Run the bot until it is stopped; returns the exit code (see the module docstring)."""
    try:
        _parser().parse_args(argv)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else EXIT_CONFIG
    # Opt in to PTB 22's future behaviour (timedeltas for durations) instead of a warning per flood error.
    os.environ.setdefault("PTB_TIMEDELTA", "1")

    from telegram.error import InvalidToken, NetworkError

    from bot.conversation import Conversation
    from bot.telegram import SettingsError, StateStore, StateStoreError, build_application, load_settings, run
    from bot.telegram.logs import configure_logging
    from index import NotesQAError, Retriever

    try:
        settings = load_settings()
    except SettingsError as exc:
        return _fail(str(exc), EXIT_CONFIG)
    configure_logging(settings.notes_qa_log_level, secrets=settings.secrets)
    notes = settings.notes_qa_notes_dir
    try:
        retriever = Retriever.from_directory(notes, cache_dir=settings.cache_dir / "index")
        store = StateStore(settings.state_db)
    except (NotesQAError, StateStoreError) as exc:
        return _fail(str(exc), EXIT_CONFIG)
    except OSError as exc:
        return _fail(f"cannot read the notes in {notes}: {exc.strerror or exc}", EXIT_CONFIG)
    except KeyboardInterrupt:
        return 130
    log.info("%d topics from %s; conversation state in %s", sum(s.searchable for s in retriever.sections),
             notes, store.path)
    try:
        application = build_application(settings, Conversation(retriever), store)
        run(application, settings)
    except InvalidToken:
        return _fail(
            "Telegram rejected TELEGRAM_BOT_TOKEN: check it with @BotFather (/mybots, API Token)", EXIT_TELEGRAM
        )
    except NetworkError as exc:
        return _fail(f"cannot reach the Bot API at {settings.telegram_base_url}: {exc.message}", EXIT_TELEGRAM)
    except RuntimeError as exc:  # webhook mode without tornado
        return _fail(str(exc).splitlines()[0], EXIT_CONFIG)
    finally:
        store.close()
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
