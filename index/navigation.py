"""Recognising navigation sections: tables of contents and link lists that repeat other headings.

Such a section mentions every topic by name, so a plain lexical matcher would often pick it; it answers
nothing, so it is marked and never returned.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from index.markup import to_plain_text
from index.model import Section

_ITEM = re.compile(r"^\s*(?:[-*+]\s+|\d+[.)]\s+|<li\b[^>]*>)(.*)$", re.IGNORECASE)
_LINK_ONLY = re.compile(r"^\s*(?:[-*+]\s+|\d+[.)]\s+)?\[[^\]]+\]\([^)]*\)\s*$")
_TOC_WORDS = re.compile(r"\b(table of contents?|contents|toc|index|outline|agenda|navigation)\b", re.IGNORECASE)
_WORD = re.compile(r"[^\W_]+")


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.casefold()) if len(w) > 2}


def _repeats_a_heading(item: set[str], headings: Sequence[set[str]]) -> bool:
    if not item:
        return False
    return any(len(item & heading) / len(item | heading) >= 0.5 for heading in headings if heading)


def is_navigation(section: Section, other_headings: Sequence[str]) -> bool:
    """Whether ``section`` is a table of contents or a list that mostly repeats other headings or links.

    It is navigation when at least 60% of its non-empty lines are list items or bare links, the list holds
    at least half of its words (a paragraph of prose with a short list of links under it is a section to
    answer from), and either its title or first line names it a table of contents, or at least half of its
    items repeat another heading (word overlap of at least 50%), or at least 60% of its lines are bare links.
    """
    lines = [line for line in section.markdown.splitlines() if line.strip()]
    if len(lines) < 3:
        return False
    matches = [_ITEM.match(line) for line in lines]
    items = [m.group(1) for m in matches if m]
    bare = [bool(_LINK_ONLY.match(line)) for line in lines]
    links = sum(bare)
    if len(items) / len(lines) < 0.6:
        return False
    counts = [len(_WORD.findall(to_plain_text(line))) for line in lines]
    prose = sum(n for n, m, link in zip(counts, matches, bare, strict=True) if not m and not link)
    if prose > sum(counts) / 2:
        return False
    if links / len(lines) >= 0.6:
        return True
    if _TOC_WORDS.search(section.title if section.level else "") or _TOC_WORDS.search(to_plain_text(lines[0])):
        return True
    heading_words = [_words(h) for h in other_headings]
    repeated = sum(1 for item in items if _repeats_a_heading(_words(to_plain_text(item)), heading_words))
    return repeated / len(items) >= 0.5


def mark_navigation(sections: Sequence[Section]) -> list[Section]:
    """Return one file's ``sections`` with its navigation sections marked.

    Items are compared with the headings of the same file, which is where a table of contents points;
    lists of links to other files are caught by the bare-link rule.
    """
    marked = []
    for section in sections:
        others = [s.title for s in sections if s is not section]
        marked.append(replace(section, navigation=True) if is_navigation(section, others) else section)
    return marked
