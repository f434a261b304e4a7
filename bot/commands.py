"""Telling commands from questions.

Commands are marked with a leading ``/`` (``/help``, ``/topics 2``, ``/source``, ``/reset``, ``/more``,
``/2``), so a question that starts with the word "help" is still a question. Telegram's ``/help@SomeBot``
form is understood. Two unmarked forms are read as commands too, because people type them: "more" (or
"tell me more", "go on", "continue") and a bare number, which picks a numbered choice (or is told there is
no list to pick from).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_WORDS = re.compile(r"[^\W_]+")


@dataclass(frozen=True, slots=True)
class CommandInfo:
    """A command as listed in help and offered by completion."""

    name: str
    usage: str
    summary: str


COMMANDS: tuple[CommandInfo, ...] = (
    CommandInfo("help", "/help", "how to use this"),
    CommandInfo("topics", "/topics [page]", "browse the topics, grouped by file"),
    CommandInfo("more", "/more", "continue the last answer (or just type: more)"),
    CommandInfo("source", "/source", "where the last answer comes from"),
    CommandInfo("reset", "/reset", "forget this conversation and start afresh"),
)
ALIASES = {"start": "help", "topic": "topics"}

MORE_PHRASES: frozenset[tuple[str, ...]] = frozenset(
    tuple(phrase.split())
    for phrase in (
        "more", "more please", "tell me more", "tell me more please", "please tell me more", "go on",
        "continue", "keep going", "show more", "and more", "what else", "anything else",
    )
)


@dataclass(frozen=True, slots=True)
class Command:
    """A parsed command.

    Attributes:
        name: ``help``, ``topics``, ``more``, ``source``, ``reset``, ``choose`` (a number), or an unknown
            name as typed (lower case), which the conversation answers with a hint.
        argument: The rest of the line, stripped (the number for ``choose``).
        marked: Whether it was typed with a leading ``/`` (a number is a choice either way).
    """

    name: str
    argument: str = ""
    marked: bool = True


MAX_CHOICE_DIGITS = 6
"""Longer numbers pick nothing from a list: "/<5,000 digits>" is an unknown command, a bare one a question."""


def parse_command(text: str) -> Command | None:
    """The command in ``text``, or None when ``text`` is a question."""
    stripped = text.strip()
    if stripped.startswith("/"):
        word, _, rest = stripped[1:].partition(" ")
        name = word.split("@", 1)[0].casefold()
        if name.isdecimal() and len(name) <= MAX_CHOICE_DIGITS:
            return Command("choose", name)
        return Command(ALIASES.get(name, name), rest.strip())
    if stripped.isdecimal() and len(stripped) <= MAX_CHOICE_DIGITS:
        return Command("choose", stripped, marked=False)
    if tuple(_WORDS.findall(stripped.casefold())) in MORE_PHRASES:
        return Command("more", marked=False)
    return None
