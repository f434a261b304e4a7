"""The interactive REPL's input line: prompt_toolkit with persistent history and tab completion.

Imported only in interactive mode, so scripted and one-shot runs never load prompt_toolkit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

from prompt_toolkit import PromptSession
from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document
from prompt_toolkit.history import FileHistory, History, InMemoryHistory

log = logging.getLogger(__name__)
PROMPT = "notes> "


class NotesCompleter(Completer):
    """Completes ``/commands`` and topic titles (the whole line, case-insensitively).

    ``titles`` may be a function returning them, asked on each completion, so that titles follow a reload.
    """

    def __init__(self, commands: Sequence[str], titles: Iterable[str] | Callable[[], Iterable[str]]) -> None:
        self._commands = tuple(commands)
        self._titles_now = titles if callable(titles) else None
        self._fixed = () if callable(titles) else tuple(titles)

    @property
    def _titles(self) -> tuple[str, ...]:
        return tuple(self._titles_now()) if self._titles_now is not None else self._fixed

    def get_completions(self, document: Document, complete_event: CompleteEvent) -> Iterator[Completion]:
        typed = document.text_before_cursor.lstrip()
        if not typed:
            return
        wanted = typed.casefold()
        if typed.startswith("/"):
            for command in self._commands:
                if command.startswith(wanted) and command != wanted:
                    yield Completion(command, start_position=-len(typed))
            return
        starts = [t for t in self._titles if t.casefold().startswith(wanted)]
        inside = [t for t in self._titles if wanted in t.casefold() and t not in starts] if len(wanted) > 2 else []
        for title in (*starts, *inside):
            yield Completion(title, start_position=-len(typed))


def history_for(path: Path) -> History:
    """A file history at ``path`` (its folder created), or an in-memory one when the file cannot be used."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(exist_ok=True)
    except OSError as exc:
        log.warning("history will not be saved: cannot write %s (%s)", path, exc.strerror or exc)
        return InMemoryHistory()
    return FileHistory(str(path))


def session(*, history: History, completer: Completer) -> PromptSession[str]:
    """A prompt session; Tab completes, Up/Down walk the history, Ctrl-C cancels the line, Ctrl-D ends."""
    return PromptSession(PROMPT, history=history, completer=completer, complete_while_typing=False)
