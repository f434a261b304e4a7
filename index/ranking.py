"""Scoring a question against the term-weight matrix, and its k best sections.

``Ranking`` is the querying half of ``index.weighting.TermMatrix``. A question's score for section ``d`` is
the sum, in float32 and term by term in the question's order (its terms, then the long forms of its
acronyms and the compounds it writes apart), of the stored weights ``w(t, d)``; the heading bonus is
already in the weights of heading postings (see ``index.weighting``), so a search reads each term's
postings once and nothing else.

``score`` is the definition: it computes every section's score with plain numpy indexing. ``top`` computes
the very same float32 operations in the same order, so its scores are equal bit for bit, and finds the k
best without sorting every section: the sums go into a per-thread array of one float per section (a
compiled scatter-add per term), and the array is read as a grid of blocks whose maxima bound the k-th best
score from below, so only a few blocks are looked at again.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from index.weighting import Float64Array, FloatArray, IntArray


def _scatter_add_numpy(
    target: FloatArray, sections: IntArray, values: FloatArray, times: FloatArray, ptr: IntArray
) -> None:
    np.add.at(target, sections, values * times[0])


def _load_scatter_add() -> Callable[[FloatArray, IntArray, FloatArray, FloatArray, IntArray], None]:
    """``target[sections] += values * times[0]`` for distinct ``sections``, in float32 (``ptr``: two int32s
    to work in, so that nothing is allocated).

    scipy's compiled sparse product (``csc_matvec`` on one column) does exactly that, a third quicker than
    ``np.add.at``; it is a private function of scipy, so numpy's is used where it is missing or changed.
    Both round each addition to float32 the same way (the product is exact: ``times`` is 1 or the values
    are 1), so the scores do not depend on which one runs.
    """
    try:
        from scipy.sparse._sparsetools import csc_matvec
    except ImportError:  # pragma: no cover - depends on the scipy release
        return _scatter_add_numpy

    def scatter_add(
        target: FloatArray, sections: IntArray, values: FloatArray, times: FloatArray, ptr: IntArray
    ) -> None:
        ptr[1] = len(sections)
        csc_matvec(len(target), 1, ptr, sections, values, times, target)

    probe = np.zeros(3, dtype=np.float32)
    try:
        scatter_add(probe, np.array([2, 0], dtype=np.int32), np.array([1.5, 2.0], dtype=np.float32),
                    np.ones(1, dtype=np.float32), np.zeros(2, dtype=np.int32))
    except Exception:  # pragma: no cover - a scipy whose private signature changed
        return _scatter_add_numpy
    return scatter_add if probe.tolist() == [2.0, 0.0, 1.5] else _scatter_add_numpy


scatter_add = _load_scatter_add()

SMALL = 8_192
"""Up to this many sections, the best are found among all scores at once and the matched idf mass is summed
for every section: quicker than the block maxima and the look-ups, which pay off on large indexes."""

_TINY = np.float32(np.finfo(np.float32).tiny)
_ONE = np.ones(1, dtype=np.float32)


def _first(sections: npt.NDArray[np.int64], values: FloatArray, k: int) -> npt.NDArray[np.int64]:
    """Positions of the k best of ``values``, by (value descending, section)."""
    if len(values) > 4 * k:  # keep what reaches the k-th best (ties included) before sorting
        keep = np.flatnonzero(values >= np.partition(values, len(values) - k)[len(values) - k])
        return keep[np.lexsort((sections[keep], -values[keep]))[:k]]
    return np.lexsort((sections, -values))[:k]


class _Scratch:
    """One thread's working array: the scores laid out as a ``depth`` x ``width`` grid (padded with zeros)."""

    __slots__ = ("grid", "n", "ptr", "scores", "width")

    def __init__(self, n: int) -> None:
        self.n = n
        depth = max(16, math.isqrt(n) // 4)  # block size: about a thousand blocks at 100,000 sections
        self.width = max(1, -(-n // depth))
        self.scores: FloatArray = np.zeros(depth * self.width, dtype=np.float32)
        self.grid: FloatArray = self.scores.reshape(depth, self.width)
        self.ptr: IntArray = np.zeros(2, dtype=np.int32)


class Ranking:
    """Scoring and top-k over the postings of a ``TermMatrix`` (whose attributes these are)."""

    __slots__ = ()

    # TermMatrix's fields (see its docstring), declared here for the type checker only.
    indptr: npt.NDArray[np.int64]
    indices: IntArray
    data: FloatArray
    idf: FloatArray
    n_docs: int
    heading_count: IntArray
    _scratch: threading.local

    def score(self, term_ids: Sequence[int], extra_ids: Sequence[int] = ()) -> tuple[Float64Array, Float64Array]:
        """Scores of every section for a question's distinct term ids, and each section's matched idf mass.

        ``extra_ids`` (the long forms of acronyms and compounds in the question) add to the score, not to
        the mass. This is the definition (see the module docstring), written plainly; ``top`` must agree
        with it bit for bit.
        """
        n = self.n_docs
        scores = np.zeros(n, dtype=np.float32)
        matched = np.zeros(n, dtype=np.float64)
        for position, term in enumerate((*term_ids, *extra_ids)):
            start, end = int(self.indptr[term]), int(self.indptr[term + 1])
            sections = self.indices[start:end]
            scores[sections] += self.data[start:end]
            if position < len(term_ids):
                matched[sections] += float(self.idf[term])
        return scores.astype(np.float64), matched

    def top(
        self, term_ids: Sequence[int], extra_ids: Sequence[int], k: int
    ) -> tuple[npt.NDArray[np.int64], Float64Array, Float64Array]:
        """The ``k`` best sections (columns), their scores and matched idf mass, best first, ties by column.

        Exactly the ranking and the values of ``score`` followed by a sort by (score descending, column),
        with work in proportion to the question's postings plus a few passes over one float per section.
        """
        if not term_ids or not self.n_docs:
            return np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0)
        terms = [*term_ids, *extra_ids]
        starts: list[int] = self.indptr[terms].tolist()
        ends: list[int] = self.indptr[[t + 1 for t in terms]].tolist()
        work = self._work()
        scores, indices, data, ptr = work.scores, self.indices, self.data, work.ptr
        scores.fill(0.0)
        for start, end in zip(starts, ends, strict=True):
            scatter_add(scores, indices[start:end], data[start:end], _ONE, ptr)
        asked = terms[: len(term_ids)]
        if self.n_docs <= SMALL:
            hit = np.flatnonzero(scores)
            order = _first(hit, scores[hit], k)
            sections, best = hit[order], scores[hit[order]]
            matched = self._summed(sections, asked, starts, ends)
        else:
            sections, best = self._best(work, k)
            matched = self._matched(sections, asked, starts, ends, self.heading_count[asked].tolist())
        return sections, best.astype(np.float64), matched

    def _summed(
        self, sections: npt.NDArray[np.int64], asked: list[int], starts: list[int], ends: list[int]
    ) -> Float64Array:
        """``_matched`` on a small index: every section's matched mass summed (in input order, so term by term
        as ``score`` does) and read at ``sections``."""
        spans = list(zip(starts[: len(asked)], ends[: len(asked)], strict=True))
        masses = np.repeat(self.idf[asked].astype(np.float64), [b - a for a, b in spans])
        every = np.concatenate([self.indices[a:b] for a, b in spans])
        summed: Float64Array = np.bincount(every, masses, minlength=self.n_docs).astype(np.float64, copy=False)
        return summed[sections]

    @staticmethod
    def _best(work: _Scratch, k: int) -> tuple[npt.NDArray[np.int64], FloatArray]:
        """The k best scores of ``work`` and their sections, by (score descending, section)."""
        sections, values = Ranking._candidates(work, k)
        order = _first(sections, values, k)
        return sections[order], values[order]

    @staticmethod
    def _candidates(work: _Scratch, k: int) -> tuple[npt.NDArray[np.int64], FloatArray]:
        """Every section whose score can reach the k-th best score, and its score (in section order).

        Block ``j`` of the grid is column ``j`` (sections ``j``, ``j + width``, ...). Its maximum is a score,
        so the k-th largest of the block maxima is at most the k-th best score: only blocks that reach it
        can hold the k best, and in them only scores that reach it.
        """
        grid, width = work.grid, work.width
        cut = _TINY
        if width > k:
            maxima = np.maximum.reduce(grid, axis=0)
            cut = max(cut, np.partition(maxima, width - k)[width - k])
            blocks = np.flatnonzero(maxima >= cut)
            if 4 * len(blocks) <= width:
                rows, columns = np.nonzero(grid[:, blocks] >= cut)
                columns = blocks[columns]
                return (rows * width + columns).astype(np.int64), grid[rows, columns]
        sections = np.flatnonzero(work.scores >= cut)
        return sections, work.scores[sections]

    def _matched(
        self, sections: npt.NDArray[np.int64], asked: list[int], starts: list[int], ends: list[int],
        heads: list[int]
    ) -> Float64Array:
        """The idf mass of the question terms each of ``sections`` contains (float64 sums of float32 values of
        at least 1: exact in any order). A row's postings are two sorted runs: heading postings, then the rest."""
        matched: Float64Array = np.zeros(len(sections), dtype=np.float64)
        low, high, terms = [], [], []  # the runs, and whose they are
        for term, start, end, count in zip(asked, starts, ends, heads, strict=False):
            for a, b in ((start, start + count), (start + count, end)):
                if b > a:
                    low.append(a)
                    high.append(b)
                    terms.append(term)
        if not len(sections) or not low:
            return matched
        indices = self.indices
        wanted = sections.astype(indices.dtype)
        found_at = np.concatenate([indices[a:b].searchsorted(wanted) for a, b in zip(low, high, strict=True)])
        found_at = found_at.reshape(len(low), -1)
        first = np.array(low)[:, None]
        found = indices.take(found_at + first, mode="clip") == wanted
        found &= found_at < np.array(high)[:, None] - first
        matched = self.idf[terms].astype(np.float64) @ found
        return matched

    def _work(self) -> _Scratch:
        """This thread's scratch array (one float per section for the scores)."""
        work: _Scratch | None = getattr(self._scratch, "work", None)
        if work is None:
            work = _Scratch(self.n_docs)
            self._scratch.work = work
        return work

