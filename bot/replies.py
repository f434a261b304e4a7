"""What the conversation core hands a front end: a reply made of plain, frozen data.

A front end renders a ``Reply`` and never needs the retriever: ``body`` is complete Markdown that reads well
on its own (numbered choices are listed in it), while ``suggestions`` and ``actions`` are the same choices in
a form a program can use, as buttons (their ids fit Telegram's 64-byte callback data) or as typed commands.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class ReplyKind(str, Enum):
    """What a reply is; front ends may style each kind differently."""

    ANSWER = "answer"
    """A section answers the question; ``body`` is its most relevant passage."""
    MORE = "more"
    """The next passage of the last answer, or word that the whole section has been shown."""
    UNSURE = "unsure"
    """Two or more sections fit nearly as well, or none fits well enough: choices are offered."""
    NOT_COVERED = "not_covered"
    """The notes do not cover the question and nothing comes close: the topic list is offered."""
    EMPTY = "empty"
    """The message has no words to look up ("???"), or is small talk ("hi", "thanks", "ok"): the body says so,
    and the conversation's state is left as it was."""
    HELP = "help"
    TOPICS = "topics"
    """One page of the topic list; its entries are the numbered ``suggestions``."""
    SOURCE = "source"
    """Where the last answer comes from."""
    RESET = "reset"
    ERROR = "error"
    """A request that cannot be met: an unknown command, nothing to continue, a stale button."""


@dataclass(frozen=True, slots=True)
class Source:
    """A place in the notes: a file relative to the notes folder and a 1-based line number."""

    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A section offered as a numbered choice ("did you mean", closest sections, a topics entry).

    Attributes:
        number: 1-based, as listed in the reply's body; typing ``2`` or ``/2`` picks the second.
        action: Action id that answers this section through ``Conversation.choose`` (``"s:"`` and 16 hex
            digits of a hash of ``section_id``): stable across turns, so an old button still means what it
            says.
        section_id: The section's id in the retriever.
        title: The section's heading.
        trail: The headings above it, outermost first.
        source: Where the section starts.
    """

    number: int
    action: str
    section_id: str
    title: str
    trail: tuple[str, ...]
    source: Source


@dataclass(frozen=True, slots=True)
class Action:
    """A follow-up the user can take next, such as "more" or the next topics page.

    Attributes:
        id: Pass to ``Conversation.choose``; at most 64 bytes (usable as Telegram callback data).
        label: Short button text.
        command: What to type for the same effect (``"/more"``, ``"/topics 2"``).
    """

    id: str
    label: str
    command: str


@dataclass(frozen=True, slots=True)
class Match:
    """A section the retriever ranked for a searched question, with its score (higher is better)."""

    section_id: str
    score: float


@dataclass(frozen=True, slots=True)
class Reply:
    """One reply of the conversation.

    Attributes:
        kind: What the reply is (see ``ReplyKind``).
        body: The message, in Markdown. For answers it is the passage of the section (its title, trail and
            source are separate fields); for other kinds it is the whole message, choices included.
        title: The answering section's heading (answers, "more" and /source), else None.
        trail: The headings above ``title``, outermost first.
        source: Where the answering section starts in the notes.
        section_id: The answering section's id.
        score: The retriever's score for the answering section (comparable only within one question); None
            when the section was picked (a number, a button, its exact title) rather than searched.
        context: When a short follow-up was read in the light of the previous turn, the words it was read
            with (for example ``"What is Docker?"``); else None.
        suggestions: Numbered sections to choose from, in the order listed in ``body``.
        actions: Follow-ups available next ("more", topics pages).
        matches: For a searched question, the best sections the retriever found with their scores, best
            first (the answer or the best candidate, then the runners-up); empty otherwise. Front ends
            record them (the top two scores' ratio shows where the notes overlap); they are not part of
            what the reply says, so two replies that differ only here are equal.
    """

    kind: ReplyKind
    body: str
    title: str | None = None
    trail: tuple[str, ...] = ()
    source: Source | None = None
    section_id: str | None = None
    score: float | None = None
    context: str | None = None
    suggestions: tuple[Suggestion, ...] = ()
    actions: tuple[Action, ...] = ()
    matches: tuple[Match, ...] = field(default=(), compare=False)

    @property
    def answered(self) -> bool:
        """Whether the reply shows text from the notes (an answer or its continuation)."""
        return self.kind in (ReplyKind.ANSWER, ReplyKind.MORE)
