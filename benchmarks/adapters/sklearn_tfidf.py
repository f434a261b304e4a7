"""Plain scikit-learn, the usual way: ``TfidfVectorizer`` (defaults, float32), ``vectorizer.transform([q])``,
then cosine as ``X @ q.T`` over the (sections x terms) matrix, and the top ``k`` by ``argpartition``.

Saved without pickle: vocabulary as JSON, idf and the matrix as ``.npy``/``.npz``; loading rebuilds the
vectorizer from them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from benchmarks.adapters.base import System, always_available, full_text
from benchmarks.corpus import Doc


def top_k(scores: npt.NDArray[np.floating], k: int) -> npt.NDArray[np.intp]:
    """Indices of the ``k`` highest scores, best first (positive scores only)."""
    k = min(k, len(scores))
    top = np.argpartition(-scores, k - 1)[:k]
    top = top[np.argsort(-scores[top], kind="stable")]
    return top[scores[top] > 0]


class SklearnEngine:
    def __init__(self, vectorizer: TfidfVectorizer, matrix: sp.csr_matrix, ids: list[str]) -> None:
        self.vectorizer = vectorizer
        self.matrix = matrix
        self.ids = ids

    @classmethod
    def build(cls, docs: Sequence[Doc]) -> SklearnEngine:
        vectorizer = TfidfVectorizer(dtype=np.float32)
        matrix = vectorizer.fit_transform([full_text(d) for d in docs]).tocsr()
        return cls(vectorizer, matrix, [d.id for d in docs])

    @classmethod
    def load(cls, directory: Path) -> SklearnEngine:
        meta = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
        vocabulary = {term: i for i, term in enumerate(meta["terms"])}
        vectorizer = TfidfVectorizer(dtype=np.float32, vocabulary=vocabulary)
        vectorizer.idf_ = np.load(directory / "idf.npy", allow_pickle=False)
        matrix = sp.load_npz(directory / "matrix.npz").tocsr()
        return cls(vectorizer, matrix, meta["ids"])

    def search(self, question: str, k: int) -> list[str]:
        query = self.vectorizer.transform([question])
        scores = (self.matrix @ query.T).toarray().ravel()
        return [self.ids[i] for i in top_k(scores, k)]

    def search_many(self, questions: Sequence[str], k: int) -> list[list[str]]:
        results: list[list[str]] = []
        for start in range(0, len(questions), 64):
            queries = self.vectorizer.transform(questions[start : start + 64])
            block = (self.matrix @ queries.T).toarray()
            results.extend([self.ids[i] for i in top_k(block[:, j], k)] for j in range(block.shape[1]))
        return results

    def save(self, directory: Path) -> None:
        vocabulary = self.vectorizer.vocabulary_
        terms = sorted(vocabulary, key=vocabulary.__getitem__)
        meta = {"terms": terms, "ids": self.ids}
        (directory / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        np.save(directory / "idf.npy", self.vectorizer.idf_.astype(np.float32), allow_pickle=False)
        sp.save_npz(directory / "matrix.npz", self.matrix, compressed=False)


SKLEARN = System(
    name="sklearn",
    description="TfidfVectorizer() defaults (float32, l2 norm, no stemming); transform([q]) then X @ q.T",
    build=SklearnEngine.build,
    load=SklearnEngine.load,
    unavailable=always_available,
)
