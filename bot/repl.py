"""``python -m bot.repl``: ask your notes questions from a terminal.

    python -m bot.repl [--notes DIR] [--cache-dir DIR] [--db FILE] [--no-watch] [--json] [--ask QUESTION]

Interactive when standard input and output are a terminal: a ``notes>`` prompt with line editing,
history kept between sessions (``$XDG_STATE_HOME/notes-qa/history``), Tab completion of ``/commands`` and topic
titles, answers rendered from Markdown. Ctrl-C cancels the line; ``/quit`` (or ``/exit``) and Ctrl-D leave.
Type a number (``2`` or ``/2``) to pick from the numbered list of the last reply; ``/more`` (or "more")
continues an answer; ``/good`` and ``/bad`` rate the last answer (kept in the question log for the notes'
author, see ``python -m bot.report``).

Scriptable otherwise: one question per line in, one answer per question out (blank lines separate answers),
no prompt and no colour; ``--json`` writes one JSON object per question instead. One-shot with
``--ask "question"``. Colour is used only on a terminal and never when ``NO_COLOR`` is set.

Settings come from the environment and ``.env`` like the bot's (``NOTES_QA_NOTES_DIR``, ``NOTES_QA_CACHE_DIR``,
``NOTES_QA_QUESTION_DB``, ``NOTES_QA_WATCH``, ``NOTES_QA_LOG_LEVEL``...; see ``.env.example``); a flag beats
them. The index is saved under the cache folder (default ``$XDG_CACHE_HOME/notes-qa/<hash of the notes
path>``, in an ``index`` folder inside it) and rebuilt when the notes change, also while the REPL runs: an
edited note is picked up in the background, and the next question is answered from the new index.

Exit codes: 0 on success (``--ask``: the notes answer); 1 when ``--ask`` gets no answer (not sure, not
covered); 2 on a usage or configuration error (for example a missing notes folder), reported on one line.
"""

from __future__ import annotations

import argparse
import dataclasses
import getpass
import logging
import os
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path

from bot.commands import COMMANDS, parse_command
from bot.conversation import Conversation
from bot.logs import terminal_logging
from bot.paths import default_cache_dir, state_dir
from bot.pseudonyms import PseudonymKeyError, Pseudonyms
from bot.questionlog import QuestionLog, QuestionLogError
from bot.recorder import Recorder
from bot.reload import LiveConversation, Reloader
from bot.render import JsonRenderer, PlainRenderer, Renderer, RichRenderer
from bot.replies import Reply, ReplyKind
from bot.settings import Settings, SettingsError, load_settings
from bot.state import State
from index import NotesQAError, Retriever

__all__ = ["default_cache_dir", "exit_code", "history_path", "main", "quits"]

log = logging.getLogger(__name__)

EXIT_OK, EXIT_UNANSWERED, EXIT_USAGE = 0, 1, 2
CHANNEL = "repl"
_UNANSWERED = frozenset({ReplyKind.UNSURE, ReplyKind.NOT_COVERED, ReplyKind.EMPTY})
FEEDBACK_COMMANDS = {"good": True, "bad": False}
FEEDBACK_HELP = "- `/good`, `/bad`: rate the last answer (for the notes' author)"
QUIT_COMMANDS = frozenset({"quit", "exit", "q"})
QUIT_HELP = "- `/quit`: leave (Ctrl-D does too)"
NOTHING_TO_RATE = "There is no answer to rate yet. Ask a question first."


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot.repl",
        description="Ask your notes questions. Interactive on a terminal; one question per line from a pipe. "
        "Settings also come from the environment and .env (see .env.example); a flag beats them.",
        epilog="In the REPL: /help, /topics, /more, /source, /reset, /good, /bad, /quit; a number picks from the last "
        "list.",
    )
    parser.add_argument("--notes", type=Path, default=None, metavar="DIR",
                        help="the notes folder (default: NOTES_QA_NOTES_DIR, else the bundled Docker notes)")
    parser.add_argument("--cache-dir", type=Path, default=None, metavar="DIR",
                        help="where the saved index is kept (default: NOTES_QA_CACHE_DIR, else a per-user cache "
                        "folder for these notes)")
    parser.add_argument("--db", type=Path, default=None, metavar="FILE",
                        help="the question log (default: NOTES_QA_QUESTION_DB, else a per-user file)")
    parser.add_argument("--no-watch", action="store_true",
                        help="do not reload the notes when they change (default: NOTES_QA_WATCH, on)")
    parser.add_argument("--log-level", choices=("DEBUG", "INFO", "WARNING", "ERROR"), type=str.upper,
                        help="log to stderr from this level (default: NOTES_QA_LOG_LEVEL, else WARNING; DEBUG "
                        "shows question text)")
    parser.add_argument("--ask", metavar="QUESTION", help="answer one question and exit (0 answered, 1 not)")
    parser.add_argument("--json", action="store_true", help="print one JSON object per question")
    return parser


def history_path() -> Path:
    """``$XDG_STATE_HOME/notes-qa/history``: the interactive REPL's input history."""
    return state_dir() / "history"


def _load(notes: Path, cache_dir: Path) -> tuple[Retriever, Path | None]:
    """The notes' retriever, from the saved index when it is current (built in memory if the cache fails),
    and the saved index's folder (None when it cannot be used)."""
    saved = cache_dir / "index"
    try:
        return Retriever.from_directory(notes, cache_dir=saved), saved
    except NotesQAError:
        raise
    except OSError as exc:
        log.warning("not using the saved index in %s: %s", cache_dir, exc.strerror or exc)
    return Retriever.from_directory(notes), None


def _renderer(*, json_lines: bool) -> Renderer:
    stdout = sys.stdout
    if json_lines:
        return JsonRenderer(stdout)
    if stdout.isatty():
        return RichRenderer(stdout, color=not os.environ.get("NO_COLOR"))
    return PlainRenderer(stdout)


def exit_code(reply: Reply) -> int:
    """``--ask``'s exit code: 0 answered (or a command done), 1 not answered, 2 a request that cannot be met."""
    if reply.kind is ReplyKind.ERROR:
        return EXIT_USAGE
    return EXIT_UNANSWERED if reply.kind in _UNANSWERED else EXIT_OK


def _user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name (a container without a passwd entry)
        return "local"


class Session:
    """One REPL conversation: each line goes to the current index's conversation, or rates the last answer."""

    def __init__(self, live: LiveConversation, recorder: Recorder, renderer: Renderer) -> None:
        self.live = live
        self.recorder = recorder
        self.renderer = renderer
        self.state = State()
        self.user = _user()
        self._rated: str | None = None  # what /good and /bad would rate, for the thank-you line

    def handle(self, text: str) -> Reply | None:
        """Answer (or carry out) one line; returns the core's reply, or None for ``/good`` and ``/bad``."""
        command = parse_command(text)
        if command is not None and command.name in FEEDBACK_COMMANDS:
            self._rate(good=FEEDBACK_COMMANDS[command.name])
            return None
        log.debug("repl asks %r", text)
        conversation = self.live.current  # one index for the whole turn, even if a reload swaps it meanwhile
        started = time.perf_counter()
        reply, self.state = conversation.respond(text, self.state)
        latency = time.perf_counter() - started
        question = self.recorder.turn(user=self.user, chat=CHANNEL, text=text, reply=reply, latency=latency)
        if question is not None:
            self._rated = reply.title if reply.kind is ReplyKind.ANSWER else text.strip()
        if reply.kind is ReplyKind.HELP:
            reply = dataclasses.replace(reply, body=_with_feedback_help(reply.body))
        self.renderer.show(text, reply)
        return reply

    def _rate(self, *, good: bool) -> None:
        question = self.recorder.last_question(CHANNEL)
        if question is None:
            print(NOTHING_TO_RATE, file=sys.stderr)
            return
        self.recorder.feedback(user=self.user, question_id=question, good=good)
        print(f"Thanks, noted {'👍' if good else '👎'} for “{self._rated}”.", file=sys.stderr)


def _with_feedback_help(body: str) -> str:
    """The core's help, with the REPL's own commands listed after the core's."""
    last = f"- `{COMMANDS[-1].usage}`: {COMMANDS[-1].summary}"
    own = f"{FEEDBACK_HELP}\n{QUIT_HELP}"
    if last in body:
        return body.replace(last, f"{last}\n{own}", 1)
    return f"{body}\n\n{own}"


def quits(text: str) -> bool:
    """Whether a line asks to leave the REPL: ``/quit``, ``/exit`` or ``/q`` (REPL commands, not the core's)."""
    command = parse_command(text)
    return command is not None and command.marked and command.name in QUIT_COMMANDS


def _scripted(session: Session) -> int:
    for line in sys.stdin:
        question = line.strip()
        if quits(question):  # like a script's last line: what follows is not read
            break
        if question:
            session.handle(question)
    return EXIT_OK


def _interactive(session: Session, banner: str) -> int:
    from bot.prompt import NotesCompleter, history_for
    from bot.prompt import session as prompt_session

    commands = [f"/{c.name}" for c in COMMANDS] + [f"/{name}" for name in (*FEEDBACK_COMMANDS, "quit")]
    completer = NotesCompleter(commands, lambda: session.live.current.topic_titles())
    prompt = prompt_session(history=history_for(history_path()), completer=completer)
    print(banner, file=sys.stderr)
    while True:
        try:
            text = prompt.prompt()
        except KeyboardInterrupt:
            continue
        except EOFError:
            return EXIT_OK
        if quits(text):
            return EXIT_OK
        if text.strip():
            session.handle(text)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the REPL; returns the exit code (see the module docstring)."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # --help, or a usage error already explained by argparse
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    try:
        settings = load_settings(overrides={
            "notes_qa_notes_dir": args.notes,
            "notes_qa_cache_dir": args.cache_dir,
            "notes_qa_question_db": args.db,
            "notes_qa_watch": False if args.no_watch else None,
            "notes_qa_log_level": args.log_level,
        })
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    with terminal_logging(settings.log_level("WARNING"), secrets=settings.secrets):
        try:
            return _run(args, settings)
        except BrokenPipeError:  # the reader went away (``| head``): stop quietly
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            return EXIT_OK
        except KeyboardInterrupt:  # Ctrl-C while loading or answering a pipe
            return 130


@contextmanager
def _question_log(settings: Settings) -> Iterator[QuestionLog | None]:
    """The question log, closed (everything written) on the way out; None, with a warning, if unusable."""
    try:
        question_log = QuestionLog(settings.question_db, retention_days=settings.notes_qa_retention_days)
    except QuestionLogError as exc:
        log.warning("questions will not be recorded: %s", exc)
        yield None
        return
    try:
        yield question_log
    finally:
        question_log.close()


def _run(args: argparse.Namespace, settings: Settings) -> int:
    started = time.perf_counter()
    notes = settings.notes_dir
    try:
        retriever, saved = _load(notes, settings.cache_dir)
    except (NotesQAError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    loaded = time.perf_counter() - started
    with ExitStack() as stack:
        question_log = stack.enter_context(_question_log(settings))
        try:
            pseudonyms = Pseudonyms.beside(settings.question_db, key=settings.user_hash_key)
        except PseudonymKeyError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_USAGE
        recorder = Recorder(CHANNEL, pseudonyms=pseudonyms, question_log=question_log)
        live = LiveConversation(Conversation(retriever))
        session = Session(live, recorder, _renderer(json_lines=args.json))
        if args.ask is not None:
            reply = session.handle(args.ask)
            return exit_code(reply) if reply is not None else EXIT_OK
        if settings.notes_qa_watch:
            reloader = Reloader(live, notes, cache_dir=saved).start()
            stack.callback(reloader.stop)
        if not (sys.stdin.isatty() and sys.stdout.isatty()):
            return _scripted(session)
        topics = sum(s.searchable for s in retriever.sections)
        files = len({s.path for s in retriever.sections})
        banner = (
            f"notes-qa: {topics} topics from {files} file{'s' if files != 1 else ''} in {notes}, loaded in "
            f"{loaded:.2f}s. Ask a question; /help for help, /good or /bad rates an answer, /quit or Ctrl-D to leave."
        )
        return _interactive(session, banner)


if __name__ == "__main__":
    sys.exit(main())
