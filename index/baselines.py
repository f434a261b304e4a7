"""Reference retrievers scored beside the product by the evaluation: plain TF-IDF and bm25s.

They see the same sections as the product (the searchable ones: heading, ancestor headings and body as
one text) and decline only when nothing matches at all, which is how they behave out of the box.
bm25s is a benchmark-only dependency (the ``test`` extra); without it that baseline is unavailable.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

from index.model import Section
from index.retriever import Retriever


class Ranker(Protocol):
    """What the evaluation needs of a retriever: a ranking and whether it would answer."""

    name: str

    def rank(self, question: str, k: int) -> tuple[list[str], bool]:
        """The ids of the ``k`` best sections, best first, and whether it answers (False: declines)."""
        ...


def _texts(sections: Sequence[Section]) -> list[str]:
    return [" ".join((*s.trail, s.title, s.text)) for s in sections]


class ProductRanker:
    """This project's retriever: ranking from ``search``, the decision from ``answer``."""

    def __init__(self, retriever: Retriever, name: str = "notes-qa") -> None:
        self.name = name
        self.retriever = retriever

    def rank(self, question: str, k: int) -> tuple[list[str], bool]:
        answer = self.retriever.answer(question, suggestions=k - 1)
        hits = [answer.hit, *answer.suggestions] if answer.hit else list(answer.suggestions)
        if len(hits) < k and not answer.hit:
            hits = self.retriever.search(question, k=k)
        return [h.section.id for h in hits], answer.hit is not None


class TfidfRanker:
    """scikit-learn's ``TfidfVectorizer()`` with its defaults, ranked by cosine similarity."""

    name = "tfidf-sklearn"

    def __init__(self, sections: Sequence[Section]) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.ids = [s.id for s in sections]
        self.vectorizer = TfidfVectorizer()
        self.matrix = self.vectorizer.fit_transform(_texts(sections))

    def rank(self, question: str, k: int) -> tuple[list[str], bool]:
        scores = (self.matrix @ self.vectorizer.transform([question]).T).toarray().ravel()
        order = [int(i) for i in np.argsort(-scores, kind="stable")[:k] if scores[i] > 0]
        return [self.ids[i] for i in order], bool(order)


class Bm25sRanker:
    """bm25s with English stop words and Snowball stemming (PyStemmer)."""

    name = "bm25s"

    def __init__(self, sections: Sequence[Section]) -> None:
        import bm25s
        import Stemmer

        self._bm25s: Any = bm25s
        self.stemmer = Stemmer.Stemmer("english")
        self.ids = [s.id for s in sections]
        tokens = bm25s.tokenize(_texts(sections), stopwords="en", stemmer=self.stemmer, show_progress=False)
        self.model = bm25s.BM25()
        self.model.index(tokens, show_progress=False)

    def rank(self, question: str, k: int) -> tuple[list[str], bool]:
        tokens = self._bm25s.tokenize([question], stopwords="en", stemmer=self.stemmer, show_progress=False)
        if not tokens.ids or not tokens.ids[0]:
            return [], False
        k = min(k, len(self.ids))
        docs, scores = self.model.retrieve(tokens, k=k, show_progress=False, n_threads=1)
        order = [int(d) for d, s in zip(docs[0], scores[0], strict=True) if s > 0]
        return [self.ids[i] for i in order], bool(order)


def baselines(sections: Sequence[Section], names: Sequence[str]) -> list[Ranker]:
    """Build the named baselines ("tfidf", "bm25s") over the searchable ``sections``.

    Raises:
        ValueError: an unknown name, or bm25s/PyStemmer not installed.
    """
    searchable = [s for s in sections if s.searchable]
    rankers: list[Ranker] = []
    for name in names:
        if name == "tfidf":
            rankers.append(TfidfRanker(searchable))
        elif name == "bm25s":
            try:
                rankers.append(Bm25sRanker(searchable))
            except ImportError as exc:
                raise ValueError(
                    f"the bm25s baseline needs bm25s and PyStemmer (pip install -e '.[test]'): {exc}"
                ) from exc
        else:
            raise ValueError(f"unknown baseline {name!r}; choose from 'tfidf', 'bm25s'")
    return rankers
