"""The topic list: the notes' answerable sections grouped by file and nested by heading, in pages.

Each file starts a new page, and a file with more sections than fit on a page continues on the next ones.
Only sections that can be answers are listed (``Section.searchable``); an entry is indented under the listed
entries it sits under, so a heading without text of its own never leaves a gap in the nesting.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from index import Section


@dataclass(frozen=True, slots=True)
class TopicEntry:
    """A listed section and how deep it is nested on its page (0 for the outermost)."""

    section: Section
    depth: int


@dataclass(frozen=True, slots=True)
class TopicPage:
    """One page of the topic list: part or all of one file's sections."""

    number: int
    """1-based."""
    path: str
    """The file, relative to the notes folder."""
    entries: tuple[TopicEntry, ...]


def topic_pages(sections: Sequence[Section], *, per_page: int) -> tuple[TopicPage, ...]:
    """Group the searchable ``sections`` (in notes order) into pages of at most ``per_page`` entries."""
    if per_page < 1:
        raise ValueError(f"per_page must be 1 or more, got {per_page!r}")
    by_file: dict[str, list[Section]] = {}
    for section in sections:
        if section.searchable:
            by_file.setdefault(section.path, []).append(section)
    pages: list[TopicPage] = []
    for path, listed in by_file.items():
        for start in range(0, len(listed), per_page):
            chunk = listed[start : start + per_page]
            pages.append(TopicPage(len(pages) + 1, path, _nest(chunk)))
    return tuple(pages)


def _nest(sections: Sequence[Section]) -> tuple[TopicEntry, ...]:
    entries: list[TopicEntry] = []
    open_: list[tuple[str, ...]] = []  # full heading paths of the listed ancestors of the next entry
    for section in sections:
        path = (*section.trail, section.title)
        while open_ and not (len(open_[-1]) < len(path) and path[: len(open_[-1])] == open_[-1]):
            open_.pop()
        entries.append(TopicEntry(section, len(open_)))
        open_.append(path)
    return tuple(entries)
