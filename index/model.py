"""The plain values that cross the library's boundary: sections, hits, answers, ingestion reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


@dataclass(frozen=True, slots=True)
class Section:
    """One topic of the notes: the text under a heading, up to the next heading of any level.

    Attributes:
        id: Stable identifier, ``"<relative path>#<heading slug>"``, unique within the notes.
        path: The note file's path relative to the notes folder, with forward slashes.
        title: The heading as displayed, markup removed (the file's name for text before the first heading).
        trail: The ancestor headings, outermost first (not including ``title``).
        level: Heading level 1-6, or 0 for the text before a file's first heading.
        line: 1-based line number of the heading in its file.
        markdown: The original Markdown of the body (without the heading line), for display.
        text: The body as plain text, for matching: markup removed, entities decoded, Unicode normalised.
        navigation: True for a table of contents or a list that mostly repeats other headings;
            such a section is never returned as an answer.
    """

    id: str
    path: str
    title: str
    trail: tuple[str, ...]
    level: int
    line: int
    markdown: str
    text: str
    navigation: bool = False

    @property
    def searchable(self) -> bool:
        """Whether the section can be an answer: it has body text and is not navigation."""
        return bool(self.text) and not self.text.isspace() and not self.navigation  # strip() would copy the text

    @property
    def source(self) -> str:
        """``path:line``, the place a reader can open to see the section."""
        return f"{self.path}:{self.line}"


@dataclass(frozen=True, slots=True)
class Hit:
    """A section matched to a question.

    Attributes:
        section: The matching section.
        score: Relevance, higher is better; comparable only within one question's results.
        coverage: Share (0-1) of the question's weighted words that the section contains;
            the unit of the decline rule (see ``Retriever.answer``).
    """

    section: Section
    score: float
    coverage: float


class Verdict(str, Enum):
    """Why an answer has, or lacks, a hit."""

    ANSWERED = "answered"
    """The best section answers the question."""
    AMBIGUOUS = "ambiguous"
    """A section matched, but the runner-up is nearly as good: worth asking which one was meant."""
    NOT_COVERED = "not_covered"
    """The question has searchable words, but the notes do not cover them well enough."""
    EMPTY = "empty"
    """The question has no searchable words (empty, punctuation, emoji, only stop words)."""


@dataclass(frozen=True, slots=True)
class Answer:
    """The retriever's reply to one question.

    ``hit`` is the best section, or None when the notes do not answer (``verdict`` says why).
    ``suggestions`` are the next best sections worth offering as "did you mean", best first; when the
    notes do not answer they are the closest sections, if any matched at all.
    """

    question: str
    hit: Hit | None
    suggestions: tuple[Hit, ...]
    verdict: Verdict

    @property
    def answered(self) -> bool:
        return self.hit is not None


@dataclass(frozen=True, slots=True)
class Reading:
    """How the retriever read a question: what it searched the notes for, and what it left out.

    Words are as normalised (lower case), each listed once, in the question's order.

    Attributes:
        question: The question as given.
        searched: The words searched for; a corrected word as the notes' word it was read as.
        corrected: Misspelt words and the notes' words they were read as, ``("dokcer", "docker")``.
        compounds: Words typed together or apart that the notes write the other way, and how they were
            read: ``("bindmount", "bind mount")``, ``("docker file", "dockerfile")``.
        acronyms: Acronyms the notes define and the long forms also searched for, ``("vm", "virtual machine")``.
        unknown: Words the notes never use. Each weighs against answering (see ``known``).
        ignored: Words left out: stop words and chat words, and words about the shape of the answer
            ("overview", "tips") that the notes never use.
        known: The share (0-1) of the question's weight made of words the notes use;
            ``Retriever.answer`` declines below ``RetrieverParams.min_known``.
    """

    question: str
    searched: tuple[str, ...]
    corrected: tuple[tuple[str, str], ...]
    compounds: tuple[tuple[str, str], ...]
    acronyms: tuple[tuple[str, str], ...]
    unknown: tuple[str, ...]
    ignored: tuple[str, ...]
    known: float


@dataclass(frozen=True, slots=True)
class Record:
    """A document that does not live in a notes folder: for apps that embed the library.

    ``markdown`` is split along its headings like a note file; ``title`` names its text before the first
    heading. ``id`` becomes the ``path`` of its sections.
    """

    id: str
    title: str
    markdown: str


@dataclass(frozen=True, slots=True)
class SkippedFile:
    """A file that was not read, or was read with a warning, and why."""

    path: str
    reason: str


@dataclass(frozen=True, slots=True)
class IngestReport:
    """What reading a notes folder found.

    Attributes:
        root: The notes folder as given.
        files: Note files read, relative paths.
        skipped: Note files that could not be read (binary, unreadable, outside the folder, too large).
        warnings: Files read with a problem worth knowing (for example not valid UTF-8).
        ignored: Other files in the folder, not notes by their extension.
    """

    root: str
    files: tuple[str, ...] = ()
    skipped: tuple[SkippedFile, ...] = ()
    warnings: tuple[SkippedFile, ...] = ()
    ignored: tuple[str, ...] = field(default=())
