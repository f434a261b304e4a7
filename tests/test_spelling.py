"""The spelling corrector's delete table: sorted checksum arrays, exact whatever the checksums collide on."""

from __future__ import annotations

import numpy as np
import pytest

from index import spelling
from index.spelling import SpellingCorrector

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
