"""Correcting misspelled question words against the notes' own vocabulary.

A word the notes never use is looked up among the words they do use, within a Damerau-Levenshtein distance
of 1 (2 for words of 8 letters or more); the most frequent of the nearest candidates wins. Candidates are
found through a symmetric-delete table: each notes word is filed under itself and its one-letter
deletions. The table is two sorted numpy arrays (the CRC-32 of each key, and the word it files), built on
the first unknown word (so notes without typos in their questions never pay for it) and saved with the
index; a key whose checksum matches is confirmed on the strings before its word becomes a candidate.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

WordIds = npt.NDArray[np.unsignedinteger[Any]] | npt.NDArray[np.signedinteger[Any]]


def _deletes(word: str, distance: int) -> Iterator[str]:
    """``word`` less one letter, then (at ``distance`` 2) less two, in every way (repeats included)."""
    ones = [word[:i] + word[i + 1 :] for i in range(len(word))]
    yield from ones
    if distance >= 2:
        for i, one in enumerate(ones):
            for j in range(i, len(one)):  # the second letter dropped lies after the first
                yield one[:j] + one[j + 1 :]


def _keys(word: str) -> set[str]:
    """The keys a notes word is filed under: itself and its one-letter deletions."""
    return {word, *_deletes(word, 1)}


def _files(word: str, key: str) -> bool:
    """Whether ``word`` is filed under ``key`` (``key`` is ``word`` or ``word`` less one letter)."""
    if len(word) == len(key):
        return word == key
    if len(word) != len(key) + 1:
        return False
    i = 0
    while i < len(key) and key[i] == word[i]:
        i += 1
    return word[i + 1 :] == key[i:]


def _checksum(key: str) -> int:
    return zlib.crc32(key.encode("utf-8"))


def _within_one(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` differ by exactly one edit (insertion, deletion, substitution or adjacent swap)."""
    if len(a) < len(b):
        a, b = b, a
    if len(a) - len(b) > 1 or a == b:
        return False
    i = 0
    while i < len(b) and a[i] == b[i]:
        i += 1
    if len(a) != len(b):
        return a[i + 1 :] == b[i:]
    return a[i + 1 :] == b[i + 1 :] or (a[i + 2 :] == b[i + 2 :] and a[i : i + 2] == b[i : i + 2][::-1])


def damerau_levenshtein(a: str, b: str, limit: int | None = None) -> int:
    """Optimal-string-alignment distance: insertions, deletions, substitutions and adjacent swaps.

    With ``limit``, any distance above it comes back as ``limit + 1``, found sooner: the work stops once
    two rows in a row are all above the limit (every later cell is built from them and only grows).
    """
    if a == b:
        return 0
    if limit is not None and abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    above = False
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
        if limit is not None:
            if min(current) > limit:
                if above:
                    return limit + 1
                above = True
            else:
                above = False
    return previous[-1] if limit is None else min(previous[-1], limit + 1)


class SpellingCorrector:
    """Maps an unknown word to the closest, most frequent word of the notes (or None)."""

    MIN_LENGTH = 4

    LARGE_VOCABULARY = 50_000
    """Above this many words, words the notes use only once are not offered as corrections: on big
    folders they are mostly typos and rare names, and they would double the table's size."""

    def __init__(self, frequencies: Mapping[str, int]) -> None:
        least = 2 if len(frequencies) > self.LARGE_VOCABULARY else 1
        words = [w for w, f in frequencies.items() if f >= least and len(w) >= self.MIN_LENGTH - 1 and w.isalpha()]
        self._words: Sequence[str] = words
        self._counts = np.array([frequencies[w] for w in words], dtype=np.int64)
        self._table: tuple[npt.NDArray[np.uint32], WordIds] | None = None
        self._cache: dict[str, str | None] = {}

    @classmethod
    def from_table(
        cls,
        words: Sequence[str],
        counts: npt.NDArray[np.int64],
        checksums: npt.NDArray[np.uint32],
        word_ids: WordIds,
    ) -> SpellingCorrector:
        """A corrector from a saved table (see ``table``)."""
        corrector = cls({})
        corrector._words, corrector._counts = words, counts
        corrector._table = (checksums, word_ids)
        return corrector

    @property
    def words(self) -> Sequence[str]:
        """The words offered as corrections, in table order."""
        return self._words

    @property
    def counts(self) -> npt.NDArray[np.int64]:
        """How often the notes use each of ``words``."""
        return self._counts

    def table(self) -> tuple[npt.NDArray[np.uint32], WordIds]:
        """The delete table: key checksums in ascending order, and the number of the word each one files.

        The numbers are uint16 when there are at most 65,536 words (half the memory), else int32; a saved
        index stores them as int32 either way.
        """
        if self._table is None:
            checksums: list[int] = []
            word_ids: list[int] = []
            for number, word in enumerate(self._words):
                for key in _keys(word):
                    checksums.append(_checksum(key))
                    word_ids.append(number)
            keys = np.array(checksums, dtype=np.uint32)
            order = np.argsort(keys, kind="stable")
            ids: WordIds
            if len(self._words) <= 1 << 16:
                ids = np.array(word_ids, dtype=np.uint16)
            else:
                ids = np.array(word_ids, dtype=np.int32)
            table = (keys[order], ids[order])
            self._table = table
            return table
        return self._table

    def correct(self, word: str) -> str | None:
        """The notes' word closest to ``word``, or None when nothing is close enough (or ``word`` is short)."""
        if len(word) < self.MIN_LENGTH or not word.isalpha() or len(word) > 40:
            return None
        if word in self._cache:
            return self._cache[word]
        limit = 2 if len(word) >= 8 else 1
        ones = {word, *_deletes(word, 1)}
        numbers = self._filed(ones, set())
        best = self._nearest(word, numbers, limit)
        if limit == 2 and (best is None or best[0] == 2):
            # A word one edit away beats any word two away, so the two-letter deletions (most of the keys of
            # a long word) are looked up only when no word is one edit away.
            found = self._filed({*_deletes(word, 2)} - ones, numbers)
            further = self._nearest(word, found, limit)
            if further is not None and (best is None or further < best):
                best = further
        result = best[2] if best else None
        if len(self._cache) < 100_000:
            self._cache[word] = result
        return result

    def _filed(self, keys: set[str], known: set[int]) -> set[int]:
        """The numbers of the words filed under ``keys``, less those in ``known``."""
        checksums, word_ids = self.table()
        listed = list(keys)
        wanted = np.array([_checksum(k) for k in listed], dtype=np.uint32)
        starts = np.searchsorted(checksums, wanted, side="left").tolist()
        ends = np.searchsorted(checksums, wanted, side="right").tolist()
        numbers: set[int] = set()
        for key, start, end in zip(listed, starts, ends, strict=True):
            for number in word_ids[start:end].tolist() if end > start else ():
                # ``_files``: the word is filed under the key itself, not under a key of the same checksum.
                if number not in numbers and number not in known and _files(self._words[number], key):
                    numbers.add(number)
        return numbers

    def _nearest(self, word: str, numbers: set[int], limit: int) -> tuple[int, int, str] | None:
        """Among the words numbered ``numbers``, the best within ``limit`` edits of ``word``, as
        (distance, minus its count, word): nearest first, then most frequent, then alphabetical."""
        best: tuple[int, int, str] | None = None
        for number in numbers:
            candidate = self._words[number]
            if candidate == word:
                distance = 0
            elif _within_one(word, candidate):  # most candidates: linear, no table of edit costs
                distance = 1
            elif limit == 1:
                continue
            else:
                distance = damerau_levenshtein(word, candidate, limit)
            if distance > limit:
                continue
            rank = (distance, -int(self._counts[number]), candidate)
            if best is None or rank < best:
                best = rank
        return best
