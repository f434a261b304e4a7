"""``python -m bot.report``: the question log's report, as text, JSON or an HTML page.

    python -m bot.report [--db FILE] [--notes DIR] [--since WHEN] [--json | --html FILE] [--limit N]

The question log and the notes folder come from the settings (``NOTES_QA_QUESTION_DB``,
``NOTES_QA_NOTES_DIR``, from the environment or ``.env``), like the bot's and the REPL's; the flags beat
them. The notes are needed only for the sections never used (the saved index is reused, so this is quick).
``--since`` takes a date (``2026-11-01``, UTC) or a number of days back (``7d``).

Exit codes: 0 when the report was written; 2 when a setting is unusable or there is no question log.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from bot.logs import terminal_logging
from bot.questionlog import QuestionLogError, connect
from bot.report.analysis import build_report
from bot.settings import Settings, SettingsError, load_settings
from index import NotesQAError, Retriever, Section

EXIT_OK, EXIT_USAGE = 0, 2
DAY = 86_400


def parse_since(text: str, *, now: float | None = None) -> float:
    """``2026-11-01`` (midnight UTC) or ``7d`` (seven days before ``now``) as Unix time."""
    text = text.strip()
    if match := re.fullmatch(r"(\d{1,5})d", text):
        return (time.time() if now is None else now) - int(match.group(1)) * DAY
    try:
        day = datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a date such as 2026-11-01 or a number of days such as 7d, found {text!r}"
        ) from None
    return day.timestamp()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot.report",
        description="What people asked the notes, what the notes did not answer, and where they overlap. "
        "Reads the question log written by the bot and the REPL.",
    )
    parser.add_argument("--db", type=Path, metavar="FILE",
                        help="the question log (default: NOTES_QA_QUESTION_DB, else the per-user file)")
    parser.add_argument("--notes", type=Path, metavar="DIR",
                        help="the notes folder, for the sections never used (default: NOTES_QA_NOTES_DIR)")
    parser.add_argument("--since", type=parse_since, metavar="WHEN",
                        help="only questions asked since a date (2026-11-01, UTC) or a number of days (7d)")
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="write the whole report as JSON")
    output.add_argument("--html", type=Path, metavar="FILE",
                        help="write a self-contained HTML page with a chart to FILE")
    parser.add_argument("--limit", type=int, default=20, metavar="N",
                        help="entries shown per part of the text report (default 20)")
    return parser


def _sections(settings: Settings) -> Sequence[Section] | None:
    notes = settings.notes_dir
    try:
        return Retriever.from_directory(notes, cache_dir=settings.cache_dir / "index").sections
    except (NotesQAError, OSError) as exc:
        print(f"warning: cannot list the sections never used: {exc}", file=sys.stderr)
        return None


def main(argv: Sequence[str] | None = None) -> int:
    """Write the report; returns the exit code (see the module docstring)."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    try:
        settings = load_settings(overrides={"notes_qa_question_db": args.db, "notes_qa_notes_dir": args.notes})
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    with terminal_logging(settings.log_level("WARNING"), secrets=settings.secrets):
        try:
            db = connect(settings.question_db, create=False)
        except QuestionLogError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_USAGE
        try:
            report = build_report(db, database=str(settings.question_db), since=args.since,
                                  sections=_sections(settings))
        finally:
            db.close()
    if args.html is not None:
        from bot.report.html import report_html

        try:
            args.html.write_text(report_html(report), encoding="utf-8")
        except OSError as exc:
            print(f"error: cannot write {args.html}: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_USAGE
        print(f"wrote {args.html} ({report.questions} questions)", file=sys.stderr)
        return EXIT_OK
    from bot.report.text import report_json, report_text

    sys.stdout.write(report_json(report) if args.json else report_text(report, limit=max(1, args.limit)))
    return EXIT_OK
