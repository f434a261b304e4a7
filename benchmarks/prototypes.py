"""PROTOTYPE, benchmark only: a faster scoring path for ``index.Retriever``, to measure what index/ could gain.

Not part of the library and not a public API: it reads the retriever's private parts (``_matrix``,
``_query``, ``_sections``, ``_rows``, ``_params``) and replaces only ``_hits``, the scoring and top-k. It must
rank exactly as ``Retriever.search`` does (``tests/test_benchmarks_reference.py`` checks it against a slow
reference and against the library), so the weighting stays the library's (see ``index/weighting.py``).

The library's path costs, per question, three ``np.bincount(..., minlength=n_docs)`` (weights, heading
shares, matched idf mass), a multiply of ``n_docs`` values, a ``flatnonzero`` over all sections and an
``argpartition`` over every section that shares a word with the question. This path keeps the one
``bincount`` of the weights (the cheapest scatter-add numpy has) and makes everything else proportional to
the postings read or to ``k``:

1. **Heading boost only where a heading matched**: the heading shares (aligned with the postings) are
   summed with ``bincount`` over the postings whose share is not zero, and only those sections are
   multiplied.
2. **Top-k without scanning all sections.** The k-th best score among the sections of the rarest question
   term is a lower bound ``theta`` of the true k-th best (the rarest term's postings hold no duplicates; when
   it has fewer than k sections the next rarest are added and deduplicated). Only the gathered postings
   whose score reaches ``theta`` are kept (a few dozen sections; when the postings outnumber a quarter of
   the sections, one ``flatnonzero`` pass over the scores is cheaper), deduplicated and ordered by (score
   descending, section ascending): an exact top-k, ties included, where ``argpartition`` alone picks
   arbitrarily among sections tied at the k-th score.
3. **Matched idf mass (coverage) for the k hits only**, by ``searchsorted`` in each term's sorted postings,
   instead of a third ``bincount`` over all sections.

Exactness: per section the score is computed with the same float64 operations on the same values as
``TermMatrix.score`` (the ``bincount`` of the weights is the library's; the heading factor is the same
expression, its sum skipping only zero shares), so scores are bit-identical. The matched mass is a float64
sum of a few float32 idf values, exact in any order, so coverage is bit-identical too.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from benchmarks.adapters.base import System, always_available
from benchmarks.adapters.project import to_section
from benchmarks.corpus import Doc
from index import Hit, Retriever

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]


class FastSearch:
    """``Retriever.search`` with the scoring of this module's docstring; same hits, same order, same scores."""

    def __init__(self, retriever: Retriever) -> None:
        self.retriever = retriever
        matrix = retriever._matrix
        self._n = int(matrix.n_docs)
        self._indptr = np.asarray(matrix.indptr, dtype=np.int64)
        self._indices = np.asarray(matrix.indices)
        self._data = np.asarray(matrix.data)
        self._idf = np.asarray(matrix.idf)
        self._boost = float(matrix.heading_boost)
        self._shares = np.asarray(matrix.heading_data)  # aligned with the postings
        self._sections = retriever._sections
        self._rows = np.asarray(retriever._rows)

    def _seed(self, terms: Sequence[int], k: int) -> npt.NDArray[np.int32]:
        """At least ``k`` distinct sections (if there are), from the rarest terms: a sample for ``theta``."""
        indptr, indices = self._indptr, self._indices
        ids = np.asarray(terms)
        lengths = indptr[ids + 1] - indptr[ids]
        order = np.argsort(lengths, kind="stable")
        first = terms[order[0]]
        if lengths[order[0]] >= k or len(terms) == 1:
            return indices[indptr[first] : indptr[first + 1]]
        upto = int(np.searchsorted(np.cumsum(lengths[order]), k)) + 1
        return np.unique(np.concatenate([indices[indptr[terms[i]] : indptr[terms[i] + 1]] for i in order[:upto]]))

    def _matched(self, docs: Ints, terms: Sequence[int]) -> list[float]:
        """Matched idf mass of a few sections, by looking them up in each term's sorted postings."""
        mass = np.zeros(len(docs))
        indptr, indices = self._indptr, self._indices
        for term in terms:
            postings = indices[indptr[term] : indptr[term + 1]]
            at = np.searchsorted(postings, docs)
            at[at == len(postings)] = 0
            mass[postings[at] == docs] += self._idf[term]
        result: list[float] = mass.tolist()
        return result

    def search(self, question: str, k: int = 5) -> list[Hit]:
        """Same contract and result as ``Retriever.search``."""
        if not isinstance(k, int) or isinstance(k, bool) or k < 1:
            raise ValueError(f"k must be a positive integer, got {k!r}")
        query = self.retriever._query(question)
        if not query.term_ids:
            return []
        terms = (*query.term_ids, *query.extra_ids)
        indptr, indices = self._indptr, self._indices
        spans = [(int(indptr[t]), int(indptr[t + 1])) for t in terms]
        if len(spans) == 1:
            docs, weights, shares = indices[spans[0][0] : spans[0][1]], self._data[spans[0][0] : spans[0][1]], None
        else:
            docs = np.concatenate([indices[a:b] for a, b in spans])
            weights = np.concatenate([self._data[a:b] for a, b in spans])
            shares = None
        scores: Floats = np.bincount(docs, weights=weights, minlength=self._n).astype(np.float64, copy=False)
        if self._boost:
            shares = np.concatenate([self._shares[a:b] for a, b in spans])
            headed = np.flatnonzero(shares)
            if len(headed):
                h_docs = docs[headed]
                summed = np.bincount(h_docs, weights=shares[headed])
                # The share of the question the heading holds: idf of the question's own terms found in it.
                known = np.repeat(self._idf[list(query.term_ids)], [b - a for a, b in spans[: len(query.term_ids)]])
                held = np.bincount(h_docs, weights=np.pad(known, (0, len(docs) - len(known)))[headed])
                factor = np.minimum(summed[h_docs], held[h_docs] / query.total_mass)
                scores[h_docs] = scores[h_docs] * (1.0 + self._boost * factor)
        seed = self._seed(terms, k)
        theta = np.float64(0.0)
        if len(seed) > k:
            sample = scores[seed]
            theta = np.partition(sample, len(sample) - k)[len(sample) - k]
        if len(docs) > self._n // 4:  # one pass over all sections is cheaper than several over the postings
            candidates = np.flatnonzero(scores >= theta)
        else:
            candidates = np.unique(docs[scores[docs] >= theta]).astype(np.int64)
        final = scores[candidates]
        keep = final > 0
        if len(final) > k:
            keep &= final >= np.partition(final, len(final) - k)[len(final) - k]
        candidates, final = candidates[keep], final[keep]
        order = np.lexsort((candidates, -final))[:k]
        top = candidates[order]
        total = query.total_mass
        sections = self._sections
        return [
            Hit(section=sections[row], score=score, coverage=min(1.0, mass / total))
            for row, score, mass in zip(
                self._rows[top].tolist(), final[order].tolist(), self._matched(top, query.term_ids), strict=True
            )
        ]


class PrototypeEngine:
    """The benchmark adapter for :class:`FastSearch` (built and loaded through ``index.Retriever``)."""

    def __init__(self, retriever: Retriever) -> None:
        self.fast = FastSearch(retriever)

    @classmethod
    def build(cls, docs: Sequence[Doc]) -> PrototypeEngine:
        return cls(Retriever.from_sections([to_section(d) for d in docs]))

    @classmethod
    def load(cls, directory: Path) -> PrototypeEngine:
        return cls(Retriever.load(directory))

    def search(self, question: str, k: int) -> list[str]:
        return [hit.section.path for hit in self.fast.search(question, k)]

    def search_many(self, questions: Sequence[str], k: int) -> list[list[str]]:
        search = self.fast.search
        return [[hit.section.path for hit in search(q, k)] for q in questions]

    def save(self, directory: Path) -> None:
        self.fast.retriever.save(directory)


PROTOTYPE = System(
    name="notes-qa-proto",
    description="PROTOTYPE (benchmarks/prototypes.py, not the library): notes-qa's index and query analysis, "
    "scored with one bincount, top-k and coverage on candidates only",
    build=PrototypeEngine.build,
    load=PrototypeEngine.load,
    unavailable=always_available,
    trace_memory=False,  # the same index as notes-qa's: its memory is notes-qa's row
)
