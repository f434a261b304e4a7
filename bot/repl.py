"""``python -m bot.repl``: ask your notes questions from a terminal.

    python -m bot.repl [--notes DIR] [--cache-dir DIR] [--json] [--ask QUESTION]

Interactive when standard input and output are a terminal: a ``notes>`` prompt with line editing,
history kept between sessions (``$XDG_STATE_HOME/notes-qa/history``), Tab completion of ``/commands`` and topic
titles, answers rendered from Markdown. Ctrl-C cancels the line, Ctrl-D quits. Type a number (``2`` or
``/2``) to pick from the numbered list of the last reply; ``/more`` (or "more") continues an answer.

Scriptable otherwise: one question per line in, one answer per question out (blank lines separate answers),
no prompt and no colour; ``--json`` writes one JSON object per question instead. One-shot with
``--ask "question"``. Colour is used only on a terminal and never when ``NO_COLOR`` is set.

The index is saved under ``--cache-dir`` (default ``$XDG_CACHE_HOME/notes-qa/<hash of the notes path>``, in
an ``index`` folder inside it) and rebuilt when the notes change.

Exit codes: 0 on success (``--ask``: the notes answer); 1 when ``--ask`` gets no answer (not sure, not
covered); 2 on a usage or configuration error (for example a missing notes folder), reported on one line.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from bot.commands import COMMANDS
from bot.conversation import Conversation
from bot.paths import default_cache_dir, state_dir
from bot.render import JsonRenderer, PlainRenderer, Renderer, RichRenderer
from bot.replies import Reply, ReplyKind
from bot.state import State
from index import NotesQAError, Retriever
from index.cli import DEFAULT_NOTES

log = logging.getLogger(__name__)

EXIT_OK, EXIT_UNANSWERED, EXIT_USAGE = 0, 1, 2
_UNANSWERED = frozenset({ReplyKind.UNSURE, ReplyKind.NOT_COVERED, ReplyKind.EMPTY})


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot.repl",
        description="Ask your notes questions. Interactive on a terminal; one question per line from a pipe.",
        epilog="In the REPL: /help, /topics, /more, /source, /reset; a number picks from the last list.",
    )
    parser.add_argument("--notes", type=Path, default=DEFAULT_NOTES, metavar="DIR",
                        help="the notes folder (default: the bundled Docker notes)")
    parser.add_argument("--cache-dir", type=Path, default=None, metavar="DIR",
                        help="where the saved index is kept (default: a per-user cache folder for these notes)")
    parser.add_argument("--ask", metavar="QUESTION", help="answer one question and exit (0 answered, 1 not)")
    parser.add_argument("--json", action="store_true", help="print one JSON object per question")
    return parser


def history_path() -> Path:
    """``$XDG_STATE_HOME/notes-qa/history``: the interactive REPL's input history."""
    return state_dir() / "history"


@contextmanager
def _warnings_on_stderr() -> Iterator[None]:
    """Show the libraries' warnings (a rebuilt index, a skipped file) as ``warning: ...`` lines on stderr."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(logging.WARNING)
    handler.setFormatter(logging.Formatter("warning: %(message)s"))
    loggers = [logging.getLogger("index"), logging.getLogger("bot")]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield
    finally:
        for logger in loggers:
            logger.removeHandler(handler)


def _load(notes: Path, cache_dir: Path) -> Retriever:
    """The notes' retriever, from the saved index when it is current; built in memory if the cache fails."""
    try:
        return Retriever.from_directory(notes, cache_dir=cache_dir / "index")
    except NotesQAError:
        raise
    except OSError as exc:
        log.warning("not using the saved index in %s: %s", cache_dir, exc.strerror or exc)
    return Retriever.from_directory(notes)


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


def _scripted(conversation: Conversation, renderer: Renderer) -> int:
    state = State()
    for line in sys.stdin:
        question = line.strip()
        if not question:
            continue
        reply, state = conversation.respond(question, state)
        renderer.show(question, reply)
    return EXIT_OK


def _interactive(conversation: Conversation, renderer: Renderer, banner: str) -> int:
    from bot.prompt import NotesCompleter, history_for, session

    commands = [f"/{c.name}" for c in COMMANDS]
    prompt = session(history=history_for(history_path()),
                     completer=NotesCompleter(commands, conversation.topic_titles()))
    print(banner, file=sys.stderr)
    state = State()
    while True:
        try:
            text = prompt.prompt()
        except KeyboardInterrupt:
            continue
        except EOFError:
            return EXIT_OK
        if not text.strip():
            continue
        reply, state = conversation.respond(text, state)
        renderer.show(text, reply)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the REPL; returns the exit code (see the module docstring)."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # --help, or a usage error already explained by argparse
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    with _warnings_on_stderr():
        try:
            return _run(args)
        except BrokenPipeError:  # the reader went away (``| head``): stop quietly
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            return EXIT_OK
        except KeyboardInterrupt:  # Ctrl-C while loading or answering a pipe
            return 130


def _run(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    try:
        retriever = _load(args.notes, args.cache_dir or default_cache_dir(args.notes))
    except (NotesQAError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    conversation = Conversation(retriever)
    renderer = _renderer(json_lines=args.json)
    if args.ask is not None:
        reply, _ = conversation.respond(args.ask, State())
        renderer.show(args.ask, reply)
        return exit_code(reply)
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        return _scripted(conversation, renderer)
    topics = sum(s.searchable for s in retriever.sections)
    files = len({s.path for s in retriever.sections})
    banner = (
        f"notes-qa: {topics} topics from {files} file{'s' if files != 1 else ''} in {args.notes}, loaded in "
        f"{time.perf_counter() - started:.2f}s. Ask a question; /help for help, Ctrl-D to quit."
    )
    return _interactive(conversation, renderer, banner)


if __name__ == "__main__":
    sys.exit(main())
