"""PROTOTYPE, benchmark only: a faster scoring path for ``index.Retriever``, to measure what index/ could gain.

Not part of the library and not a public API: it reads the retriever's private parts (``_matrix``,
``_query``, ``_sections``, ``_rows``, ``_params``) and replaces only ``_hits``, the scoring and top-k. It must
rank exactly as ``Retriever.search`` does (``tests/test_benchmarks_reference.py`` checks it against a slow
reference and against the library), so the weighting stays the library's (see ``index/weighting.py``).

The library's ``_hits`` costs, per question, three ``np.bincount(..., minlength=n_docs)`` (scores, matched
idf mass, heading shares), two float32 casts and a multiply of ``n_docs`` values, a ``flatnonzero`` over all
sections and an ``argpartition`` over every section that shares a word with the question. This path keeps
the one ``bincount`` of the weights (it is the cheapest scatter-add numpy has) and makes everything else
proportional to the postings read or to ``k``:

1. **Heading boost only where a heading matched**: the heading shares are summed with ``bincount`` over the
   (few) heading postings, and only the sections in them are multiplied.
2. **Top-k without scanning all sections.** The k-th best score among the sections of the rarest question
   term is a lower bound ``theta`` of the true k-th best (the rarest term's postings hold no duplicates; when
   it has fewer than k sections the next rarest are added and deduplicated). Only the gathered postings
   whose score reaches ``theta`` are kept (a few dozen sections; when the postings outnumber a quarter of
   the sections, one ``flatnonzero`` pass over the scores with ``theta`` lowered by a relative 1e-6 for
   the float32 cast is cheaper), deduplicated, cast to float32 and ordered by
   (score descending, section ascending): an exact top-k, ties included, where ``argpartition`` alone picks
   arbitrarily among sections tied at the k-th score.
3. **Matched idf mass (coverage) for the k hits only**, by ``searchsorted`` in each term's sorted postings,
   instead of a second ``bincount`` over all sections.

Exactness: per section the score is computed with the same float64 operations as ``TermMatrix.score``
(the ``bincount`` is the library's; the heading multiply is the same expression on the same values), then
cast to float32, so scores are bit-identical. The matched mass is a float64 sum of a few float32 idf values,
exact in any order, so coverage is bit-identical too.
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
        # The library's weighting is still moving: follow the parts it has (heading boost, coverage power).
        self._boost = float(getattr(matrix, "heading_boost", 0.0))
        if self._boost:
            self._h_indptr = np.asarray(matrix.heading_indptr, dtype=np.int64)
            self._h_indices = np.asarray(matrix.heading_indices)
            self._h_data = np.asarray(matrix.heading_data)
        self._power = float(getattr(retriever._params, "coverage_power", 0.0))
        self._sections = retriever._sections
        self._rows = retriever._rows

    def _gather(
        self, indptr: Ints, indices: npt.NDArray[np.int32], data: npt.NDArray[np.float32], terms: Sequence[int]
    ) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.float32]]:
        if len(terms) == 1:
            start, end = indptr[terms[0]], indptr[terms[0] + 1]
            return indices[start:end], data[start:end]
        spans = [(indptr[t], indptr[t + 1]) for t in terms]
        return (
            np.concatenate([indices[s:e] for s, e in spans]),
            np.concatenate([data[s:e] for s, e in spans]),
        )

    def _seed(self, terms: Sequence[int], k: int) -> npt.NDArray[np.int32]:
        """At least ``k`` distinct sections (if there are), from the rarest terms: a sample for ``theta``."""
        indptr, indices = self._indptr, self._indices
        lengths = indptr[np.asarray(terms) + 1] - indptr[np.asarray(terms)]
        order = np.argsort(lengths, kind="stable")
        first = terms[order[0]]
        if lengths[order[0]] >= k or len(terms) == 1:
            return indices[indptr[first] : indptr[first + 1]]
        taken = np.cumsum(lengths[order])
        upto = int(np.searchsorted(taken, k)) + 1
        return np.unique(np.concatenate([indices[indptr[terms[i]] : indptr[terms[i] + 1]] for i in order[:upto]]))

    def _matched(self, docs: Ints, terms: Sequence[int]) -> npt.NDArray[np.float32]:
        """Matched idf mass of a few sections, by looking them up in each term's sorted postings."""
        mass = np.zeros(len(docs))
        indptr, indices = self._indptr, self._indices
        for term in terms:
            postings = indices[indptr[term] : indptr[term + 1]]
            at = np.searchsorted(postings, docs)
            at[at == len(postings)] = 0
            mass[postings[at] == docs] += self._idf[term]
        return mass.astype(np.float32)

    def search(self, question: str, k: int = 5) -> list[Hit]:
        """Same contract and result as ``Retriever.search``."""
        if not isinstance(k, int) or isinstance(k, bool) or k < 1:
            raise ValueError(f"k must be a positive integer, got {k!r}")
        query = self.retriever._query(question)
        if not query.term_ids:
            return []
        terms = query.term_ids
        docs, weights = self._gather(self._indptr, self._indices, self._data, terms)
        scores: Floats = np.bincount(docs, weights=weights, minlength=self._n).astype(np.float64, copy=False)
        if self._boost:
            h_docs, h_weights = self._gather(self._h_indptr, self._h_indices, self._h_data, terms)
            if len(h_docs):
                shares = np.bincount(h_docs, weights=h_weights)
                scores[h_docs] = scores[h_docs] * (1.0 + self._boost * shares[h_docs])
        if self._power:
            return self._powered(scores, query.total_mass, terms, k)
        seed = self._seed(terms, k)
        theta = np.float32(0.0)
        if len(seed) > k:
            sample = scores[seed].astype(np.float32)
            theta = np.partition(sample, len(sample) - k)[len(sample) - k]
        if len(docs) > self._n // 4:  # one pass over all sections is cheaper than four over the postings
            candidates = np.flatnonzero(scores >= float(theta) * (1.0 - 1e-6))
        else:
            candidates = np.unique(docs[scores[docs].astype(np.float32) >= theta]).astype(np.int64)
        final = scores[candidates].astype(np.float32)
        keep = final > 0
        if len(final) > k:
            keep &= final >= np.partition(final, len(final) - k)[len(final) - k]
        candidates, final = candidates[keep], final[keep]
        order = np.lexsort((candidates, -final))[:k]
        top = candidates[order]
        matched = self._matched(top, terms)
        total = query.total_mass
        sections, rows = self._sections, self._rows
        return [
            Hit(section=sections[int(rows[row])], score=float(score), coverage=min(1.0, float(mass) / total))
            for row, score, mass in zip(top.tolist(), final[order].tolist(), matched.tolist(), strict=True)
        ]

    def _powered(self, scores: Floats, total: float, terms: Sequence[int], k: int) -> list[Hit]:
        """The rare configuration with ``coverage_power``: the library's own arithmetic, no shortcut."""
        docs, _ = self._gather(self._indptr, self._indices, self._data, terms)
        candidates = np.unique(docs).astype(np.int64)
        matched = self._matched(candidates, terms)
        final = scores[candidates].astype(np.float32) * (matched / total) ** self._power
        order = np.lexsort((candidates, -final))[:k]
        sections, rows = self._sections, self._rows
        return [
            Hit(
                section=sections[int(rows[candidates[i]])],
                score=float(final[i]),
                coverage=min(1.0, float(matched[i]) / total),
            )
            for i in order.tolist()
            if final[i] > 0
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
