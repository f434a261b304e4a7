"""rank_bm25's ``BM25Okapi`` over the same tokens as bm25s (stems, stop words removed).

It scores each question term with a Python loop over every section, so it is skipped above
:data:`MAX_SIZE` sections (about 0.3 s a question at 100k, several minutes for the question set), and
only the first :data:`QUESTIONS` clean questions and their typo twins are asked.
It has no save format of its own: the saved index is a pickle of the model (benchmark only, never a format
for this project).
"""

from __future__ import annotations

import importlib.util
import json
import pickle
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.adapters.base import System, full_text
from benchmarks.adapters.sklearn_tfidf import top_k
from benchmarks.corpus import Doc

MAX_SIZE = 10_000
QUESTIONS = 50


def _missing() -> str | None:
    for package in ("rank_bm25", "bm25s", "Stemmer"):
        if importlib.util.find_spec(package) is None:
            return f"{package} is not installed (pip install rank_bm25 bm25s PyStemmer)"
    return None


class _Tokens:
    """bm25s's tokenizer as strings: split, stop words, PyStemmer stems."""

    def __init__(self) -> None:
        import bm25s.stopwords
        import Stemmer

        self._stem = Stemmer.Stemmer("english").stemWord
        self._stop = frozenset(bm25s.stopwords.STOPWORDS_EN)

    def __call__(self, text: str) -> list[str]:
        from benchmarks.adapters.base import simple_words

        stem, stop = self._stem, self._stop
        return [stem(w) for w in simple_words(text) if w not in stop]


class RankBm25Engine:
    def __init__(self, model: Any, ids: list[str]) -> None:
        self.model = model
        self.ids = ids
        self.tokens = _Tokens()

    @classmethod
    def build(cls, docs: Sequence[Doc]) -> RankBm25Engine:
        from rank_bm25 import BM25Okapi

        tokens = _Tokens()
        return cls(BM25Okapi([tokens(full_text(d)) for d in docs]), [d.id for d in docs])

    @classmethod
    def load(cls, directory: Path) -> RankBm25Engine:
        with (directory / "model.pickle").open("rb") as handle:
            model = pickle.load(handle)  # our own benchmark file, never user input
        return cls(model, json.loads((directory / "ids.json").read_text(encoding="utf-8")))

    def search(self, question: str, k: int) -> list[str]:
        scores = np.asarray(self.model.get_scores(self.tokens(question)))
        return [self.ids[i] for i in top_k(scores, k)]

    def search_many(self, questions: Sequence[str], k: int) -> list[list[str]]:
        return [self.search(q, k) for q in questions]

    def save(self, directory: Path) -> None:
        with (directory / "model.pickle").open("wb") as handle:
            pickle.dump(self.model, handle, protocol=pickle.HIGHEST_PROTOCOL)
        (directory / "ids.json").write_text(json.dumps(self.ids, ensure_ascii=False), encoding="utf-8")


RANK_BM25 = System(
    name="rank_bm25",
    description=f"rank_bm25 BM25Okapi (k1=1.5, b=0.75), bm25s's tokens; {QUESTIONS} clean + {QUESTIONS} typo "
    f"questions, skipped above {MAX_SIZE:,} sections; saved as a pickle (it has no format of its own)",
    build=RankBm25Engine.build,
    load=RankBm25Engine.load,
    unavailable=_missing,
    max_size=MAX_SIZE,
    question_cap=QUESTIONS,
)
