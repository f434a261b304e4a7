"""Compound words typed apart ("docker file") or together ("bindmount") where the notes write them the other way.

People are inconsistent about compounds: the notes say "Dockerfile" and the question "docker file", the
notes say "bind mount" and the question "bindmount". Stemming and spelling correction do not bridge that.
Two adjacent question words whose concatenation is a term of the notes add that term to the question (as
an acronym's long form does: to the score, not to the question's weight, so coverage and the decline rule
are unchanged). A question word the notes never use that splits into two of their terms is read as those
two words, but only when some section writes them next to each other ("bind mount", "bind-mount"): two
words that merely occur in the same notes ("docker" and "ignore") are no evidence of a compound.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from itertools import pairwise

MIN_PART = 3
"""Shortest part of a compound split off a word: "a" + "ble" is no reading of "able"."""

MIN_SPLIT = 7
"""Shortest word that is tried as a compound of two words the notes use."""

MAX_SPLIT = 30
"""Longest: each cut stems two words, and a pasted 100 kB "word" must not cost a stemming per letter."""


def joined_pairs(
    words: Sequence[str], term_of: Callable[[str], str | None], vocabulary: Mapping[str, int]
) -> list[tuple[str, str, int]]:
    """Two adjacent alphabetic question words that make a term of the notes when written as one, and its id."""
    pairs = []
    for first, second in pairwise(words):
        if not (first.isalpha() and second.isalpha()):
            continue  # "0.0.0.0" and "python 2" are not compounds
        if term_of(first) not in vocabulary or term_of(second) not in vocabulary:
            continue
        joined = term_of(first + second)
        if joined is not None and joined in vocabulary:
            pairs.append((first, second, vocabulary[joined]))
    return pairs


def joined_term_ids(
    words: Sequence[str], term_of: Callable[[str], str | None], vocabulary: Mapping[str, int]
) -> list[int]:
    """Ids of the notes' terms that two adjacent alphabetic question words make when written as one."""
    return [term_id for _, _, term_id in joined_pairs(words, term_of, vocabulary)]


def splits(word: str, term_of: Callable[[str], str | None], vocabulary: Mapping[str, int]) -> list[tuple[str, str]]:
    """The ways ``word`` reads as two words whose terms the notes use, longest first part first."""
    if not MIN_SPLIT <= len(word) <= MAX_SPLIT or not word.isalpha():
        return []
    found = []
    for cut in range(len(word) - MIN_PART, MIN_PART - 1, -1):
        first, second = word[:cut], word[cut:]
        if term_of(first) in vocabulary and term_of(second) in vocabulary:
            found.append((first, second))
    return found


def written_apart(first: str, second: str, texts: Sequence[str]) -> bool:
    """Whether any of ``texts`` writes ``first`` and ``second`` next to each other (space or hyphen between)."""
    pattern = re.compile(rf"(?<![^\W_]){re.escape(first)}[-\s]?{re.escape(second)}", re.IGNORECASE)
    return any(pattern.search(text) for text in texts)
