"""Correcting misspelled question words against the notes' own vocabulary.

A word the notes never use is looked up among the words they do use, within a Damerau-Levenshtein distance
of 1 (2 for words of 8 letters or more); the most frequent of the nearest candidates wins. Candidates are
found through a symmetric-delete table (each notes word filed under itself and its one-letter deletions),
built on the first unknown word, so notes without typos in their questions never pay for it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from itertools import combinations


def _deletes(word: str, distance: int) -> Iterator[str]:
    for n in range(1, distance + 1):
        for drop in combinations(range(len(word)), n):
            yield "".join(ch for i, ch in enumerate(word) if i not in drop)


def damerau_levenshtein(a: str, b: str) -> int:
    """Optimal-string-alignment distance: insertions, deletions, substitutions and adjacent swaps."""
    if a == b:
        return 0
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


class SpellingCorrector:
    """Maps an unknown word to the closest, most frequent word of the notes (or None)."""

    MIN_LENGTH = 4

    LARGE_VOCABULARY = 50_000
    """Above this many words, words the notes use only once are not offered as corrections: on big
    folders they are mostly typos and rare names, and they would double the table's size."""

    def __init__(self, frequencies: Mapping[str, int]) -> None:
        least = 2 if len(frequencies) > self.LARGE_VOCABULARY else 1
        self._frequencies = {
            w: f for w, f in frequencies.items() if f >= least and len(w) >= self.MIN_LENGTH - 1 and w.isalpha()
        }
        self._table: dict[str, list[str]] | None = None
        self._cache: dict[str, str | None] = {}

    def _build(self) -> dict[str, list[str]]:
        table: dict[str, list[str]] = {}
        for word in self._frequencies:
            table.setdefault(word, []).append(word)
            for deleted in set(_deletes(word, 1)):
                table.setdefault(deleted, []).append(word)
        return table

    def correct(self, word: str) -> str | None:
        """The notes' word closest to ``word``, or None when nothing is close enough (or ``word`` is short)."""
        if len(word) < self.MIN_LENGTH or not word.isalpha() or len(word) > 40:
            return None
        if word in self._cache:
            return self._cache[word]
        if self._table is None:
            self._table = self._build()
        limit = 2 if len(word) >= 8 else 1
        candidates: set[str] = set()
        for key in (word, *_deletes(word, limit)):
            candidates.update(self._table.get(key, ()))
        best: tuple[int, int, str] | None = None
        for candidate in candidates:
            distance = damerau_levenshtein(word, candidate)
            if distance > limit:
                continue
            rank = (distance, -self._frequencies[candidate], candidate)
            if best is None or rank < best:
                best = rank
        result = best[2] if best else None
        if len(self._cache) < 100_000:
            self._cache[word] = result
        return result
