"""The spelling corrector's delete table: sorted checksum arrays, exact whatever the checksums collide on."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from index import spelling
from index.spelling import SpellingCorrector, _deletes, damerau_levenshtein

FREQUENCIES = {"kernel": 5, "kennel": 1, "container": 7, "contain": 2, "daemon": 3, "demon": 1, "image": 4}
TYPOS = ["kernal", "kenel", "contaner", "containr", "deamon", "imgae", "zebra", "contianer"]


def test_corrections_are_the_nearest_most_frequent_words() -> None:
    corrector = SpellingCorrector(FREQUENCIES)
    assert [corrector.correct(w) for w in TYPOS] == [
        "kernel", "kernel", "container", "container", "daemon", "image", None, "container"
    ]


def test_checksum_collisions_never_make_candidates(monkeypatch: pytest.MonkeyPatch) -> None:
    expected = [SpellingCorrector(FREQUENCIES).correct(w) for w in TYPOS]
    monkeypatch.setattr(spelling, "_checksum", lambda key: 7)  # every key collides with every other
    assert [SpellingCorrector(FREQUENCIES).correct(w) for w in TYPOS] == expected


def test_a_saved_table_corrects_like_a_fresh_one() -> None:
    fresh = SpellingCorrector(FREQUENCIES)
    checksums, word_ids = fresh.table()
    assert np.all(np.diff(checksums.astype(np.int64)) >= 0)
    saved = SpellingCorrector.from_table(list(fresh.words), fresh.counts, checksums, word_ids)
    assert [saved.correct(w) for w in TYPOS] == [fresh.correct(w) for w in TYPOS]


@given(st.text("abcd", max_size=9), st.text("abcd", max_size=9), st.integers(0, 3))
def test_a_bounded_distance_is_the_distance_capped_one_past_the_limit(a: str, b: str, limit: int) -> None:
    assert damerau_levenshtein(a, b, limit) == min(damerau_levenshtein(a, b), limit + 1)


@given(st.text("abcab", max_size=10), st.integers(1, 2))
def test_deletions_are_every_way_of_dropping_up_to_n_letters(word: str, distance: int) -> None:
    expected = {
        "".join(ch for i, ch in enumerate(word) if i not in drop)
        for n in range(1, distance + 1)
        for drop in combinations(range(len(word)), n)
    }
    assert set(_deletes(word, distance)) == expected


@given(st.text("abcd", max_size=8), st.text("abcd", max_size=8))
def test_one_edit_apart_is_a_distance_of_exactly_one(a: str, b: str) -> None:
    assert spelling._within_one(a, b) == (damerau_levenshtein(a, b) == 1)


def _reference(word: str, frequencies: dict[str, int]) -> str | None:
    """The corrector's rule by brute force: of the notes' words within 1 edit (2 from 8 letters) that share a
    delete-table key with ``word`` (itself or a deletion: one letter from a notes word, up to two from the
    question's word), the nearest, then the most frequent, then the first alphabetically."""
    if len(word) < SpellingCorrector.MIN_LENGTH:
        return None
    limit = 2 if len(word) >= 8 else 1
    keys = {word, *_deletes(word, limit)}
    ranked = [
        (damerau_levenshtein(word, w), -count, w)
        for w, count in frequencies.items()
        if len(w) >= SpellingCorrector.MIN_LENGTH - 1 and keys & {w, *_deletes(w, 1)}
    ]
    within = [rank for rank in ranked if rank[0] <= limit]
    return min(within)[2] if within else None


@given(
    st.dictionaries(st.text("abcd", min_size=3, max_size=10), st.integers(1, 5), min_size=1, max_size=40),
    st.lists(st.text("abcd", min_size=4, max_size=11), min_size=1, max_size=10),
)
# Two edits each: the first found through a one-letter deletion of the question, the second, more frequent,
# only through a deletion of two letters.
@example({"bcdabcda": 1, "cdabcd": 5}, ["abcdabcd"])
def test_a_correction_is_the_nearest_most_frequent_word_sharing_a_key(
    frequencies: dict[str, int], questions: list[str]
) -> None:
    corrector = SpellingCorrector(frequencies)
    assert [corrector.correct(w) for w in questions] == [_reference(w, frequencies) for w in questions]
