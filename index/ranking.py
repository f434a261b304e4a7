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
score from below, so only a few blocks are looked at again. The matched idf mass is a float64 sum of
float32 values, exact in any order: on an index of up to ``MASS_KEPT`` sections, the idf of a term with
few postings is scattered into a second array beside the scores; a term with many, and every term of a
larger index, is looked up in the k best only.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from index.weighting import Float64Array, FloatArray, IntArray


_Floats = npt.NDArray[np.floating[Any]]


def _scatter_add_numpy(target: _Floats, sections: IntArray, values: _Floats, times: _Floats, ptr: IntArray) -> None:
    np.add.at(target, sections, values * times[0])


def _load_scatter_add() -> Callable[[_Floats, IntArray, _Floats, _Floats, IntArray], None]:
    """``target[sections] += values * times[0]`` for distinct ``sections``, all of one float type (``ptr``:
    two int32s to work in, so that nothing is allocated).

    scipy's compiled sparse product (``csc_matvec`` on one column) does exactly that, a third quicker than
    ``np.add.at``; it is a private function of scipy, so numpy's is used where it is missing or changed.
    Both round each addition the same way (the product is exact: ``times`` is 1 or the values are 1), so
    the sums do not depend on which one runs.
    """
    try:
        from scipy.sparse._sparsetools import csc_matvec
    except ImportError:  # pragma: no cover - depends on the scipy release
        return _scatter_add_numpy

    def scatter_add(target: _Floats, sections: IntArray, values: _Floats, times: _Floats, ptr: IntArray) -> None:
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
"""Up to this many sections, the best are found among all scores at once: quicker than the block maxima, which
pay off on large indexes."""

SCATTERED = 16_384
"""A question term with up to this many postings adds its idf to every section's mass, in a scatter-add as
cheap as a few look-ups; a term with more is looked up in the k best only (two binary searches), which costs
less than adding tens of thousands of postings."""

MASS_KEPT = 32_768
"""Up to this many sections the mass is kept per section, as above; on a larger index every term's mass is
looked up in the k best, since clearing 8 more bytes per section at every search costs more than that."""

_TINY = np.float32(np.finfo(np.float32).tiny)
_ONE = np.ones(1, dtype=np.float32)


def _first(sections: npt.NDArray[np.int64], values: FloatArray, k: int) -> npt.NDArray[np.int64]:
    """Positions of the k best of ``values``, by (value descending, section)."""
    if len(values) > 4 * k:  # keep what reaches the k-th best (ties included) before sorting
        keep = np.flatnonzero(values >= np.partition(values, len(values) - k)[len(values) - k])
        return keep[np.lexsort((sections[keep], -values[keep]))[:k]]
    return np.lexsort((sections, -values))[:k]


class _Scratch:
    """One thread's working arrays, in one block of memory that a single call clears: the scores, laid out as
    a ``depth`` x ``width`` grid (padded with zeros), and on an index of up to ``MASS_KEPT`` sections the
    matched idf mass (float64, exact in any order)."""

    __slots__ = ("grid", "mass", "memory", "n", "ones", "ptr", "scores", "times", "width")

    def __init__(self, n: int) -> None:
        self.n = n
        depth = max(16, math.isqrt(n) // 4)  # block size: about a thousand blocks at 100,000 sections
        self.width = max(1, -(-n // depth))
        size = depth * self.width + depth * self.width % 2  # an even count keeps the float64s aligned
        kept = size if n <= MASS_KEPT else 0
        self.memory: npt.NDArray[np.uint8] = np.zeros(4 * size + 8 * kept, dtype=np.uint8)
        self.scores: FloatArray = self.memory[: 4 * size].view(np.float32)
        self.mass: Float64Array = self.memory[4 * size :].view(np.float64)
        self.grid: FloatArray = self.scores[: depth * self.width].reshape(depth, self.width)
        self.ones: Float64Array = np.ones(min(kept, SCATTERED), dtype=np.float64)  # a scattered term's values
        self.times: Float64Array = np.zeros(1, dtype=np.float64)  # ... times its idf
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
        with work in proportion to the question's postings plus a few passes over the working arrays.
        """
        if not term_ids or not self.n_docs:
            return np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0)
        terms = [*term_ids, *extra_ids]
        starts: list[int] = self.indptr[terms].tolist()
        ends: list[int] = self.indptr[[t + 1 for t in terms]].tolist()
        work = self._work()
        work.memory.fill(0)
        asked = len(term_ids)
        looked_up = self._add(work, terms, starts, ends, asked)
        if self.n_docs <= SMALL:
            hit = np.flatnonzero(work.scores)
            found = hit[_first(hit, work.scores[hit], k)]
            best = work.scores[found]
        else:
            found, best = self._best(work, k)
        # The scattered terms' mass, plus the others' looked up (exact float64 sums: the order is free).
        matched = work.mass[found] if len(looked_up) < asked else np.zeros(len(found))
        if looked_up:
            long_terms = [terms[p] for p in looked_up]
            matched += self._matched(
                found, long_terms, [starts[p] for p in looked_up], [ends[p] for p in looked_up],
                self.heading_count[long_terms].tolist(),
            )
        return found, best.astype(np.float64), matched

    def _add(self, work: _Scratch, terms: list[int], starts: list[int], ends: list[int], asked: int) -> list[int]:
        """Add each term's postings to the scores and, where kept, the first ``asked`` terms' idf to the mass;
        return the positions of the question terms whose mass is left to look up in the k best."""
        scores, ptr, indices, data = work.scores, work.ptr, self.indices, self.data
        scattered = min(SCATTERED, len(work.ones))
        if not scattered:
            for start, end in zip(starts, ends, strict=True):
                scatter_add(scores, indices[start:end], data[start:end], _ONE, ptr)
            return list(range(asked))
        mass, ones, times, idf = work.mass, work.ones, work.times, self.idf
        looked_up = []
        for position, (start, end) in enumerate(zip(starts, ends, strict=True)):
            sections = indices[start:end]
            scatter_add(scores, sections, data[start:end], _ONE, ptr)
            if position < asked:
                if end - start <= scattered:
                    times[0] = idf[terms[position]]
                    scatter_add(mass, sections, ones[: end - start], times, ptr)
                else:
                    looked_up.append(position)
        return looked_up

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
        """This thread's scratch arrays: 4 bytes per section for the scores and, up to ``MASS_KEPT`` sections,
        8 for the mass and 8 for the ones it scatters (up to ``SCATTERED`` of them)."""
        work: _Scratch | None = getattr(self._scratch, "work", None)
        if work is None:
            work = _Scratch(self.n_docs)
            self._scratch.work = work
        return work

