"""``python -m bot``: run the Telegram bot over the notes (long polling, or a webhook server).

    python -m bot

Settings come from the environment and ``.env`` in the current folder (see ``.env.example`` and
docs/telegram.md); ``TELEGRAM_BOT_TOKEN`` is required. The notes are read and indexed before the bot
connects, so the first question is answered at once; while it runs, edited notes are re-indexed in the
background (``NOTES_QA_WATCH``) and admins may force it with ``/reload``. Every question goes to the question
log (``NOTES_QA_QUESTION_DB``; ``python -m bot.report`` reads it). Ctrl-C or SIGTERM stop it gracefully:
questions already received are answered, Telegram is told which updates were handled, and the question
log is written out.

Exit codes: 0 after a stop signal; 1 when Telegram rejects the token or cannot be reached; 2 when a setting,
the notes folder, the state database or the question log cannot be used. Each failure is reported on one line on stderr,
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
    from bot.health import heartbeat_path
    from bot.logs import configure_logging
    from bot.pseudonyms import PseudonymKeyError, Pseudonyms
    from bot.questionlog import QuestionLog, QuestionLogError
    from bot.recorder import Recorder
    from bot.reload import LiveConversation, Reloader
    from bot.telegram import SettingsError, StateStoreError, build_application, load_settings, run
    from bot.telegram.recovery import open_state_store
    from index import NotesQAError, Retriever

    try:
        settings = load_settings()
    except SettingsError as exc:
        return _fail(str(exc), EXIT_CONFIG)
    configure_logging(settings.notes_qa_log_level, secrets=settings.secrets)
    notes = settings.notes_qa_notes_dir
    saved = settings.cache_dir / "index"
    try:
        retriever = Retriever.from_directory(notes, cache_dir=saved)
        pseudonyms = Pseudonyms.beside(settings.question_db, key=settings.user_hash_key)
        store = open_state_store(settings.state_db)  # a damaged or unwritable file is not fatal
    except (NotesQAError, StateStoreError, PseudonymKeyError) as exc:
        return _fail(str(exc), EXIT_CONFIG)
    except OSError as exc:
        return _fail(f"cannot read the notes in {notes}: {exc.strerror or exc}", EXIT_CONFIG)
    except KeyboardInterrupt:
        return 130
    try:
        questions = QuestionLog(settings.question_db, retention_days=settings.notes_qa_retention_days)
    except QuestionLogError as exc:
        store.close()
        return _fail(str(exc), EXIT_CONFIG)
    log.info("%d topics from %s; conversation state in %s; questions logged to %s",
             sum(s.searchable for s in retriever.sections), notes, store.path, questions.path)
    live = LiveConversation(Conversation(retriever))
    reloader = Reloader(live, notes, cache_dir=saved)
    if settings.notes_qa_watch:
        reloader.start()
    try:
        recorder = Recorder("telegram", pseudonyms=pseudonyms, question_log=questions)
        application = build_application(settings, live, store, recorder=recorder, reloader=reloader)
        run(application, settings, heartbeat=heartbeat_path(settings.state_db))
    except InvalidToken:
        return _fail(
            "Telegram rejected TELEGRAM_BOT_TOKEN: check it with @BotFather (/mybots, API Token)", EXIT_TELEGRAM
        )
    except NetworkError as exc:
        return _fail(f"cannot reach the Bot API at {settings.telegram_base_url}: {exc.message}", EXIT_TELEGRAM)
    except RuntimeError as exc:  # webhook mode without tornado
        return _fail(str(exc).splitlines()[0], EXIT_CONFIG)
    finally:
        reloader.stop()
        questions.close()
        store.close()
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
