"""Scoring a question against the term-weight matrix, and its k best sections.

``Ranking`` is the querying half of ``index.weighting.TermMatrix``. A question's score for section ``d`` is
computed in float32, one term at a time in the question's order (its terms, then the long forms of its
acronyms)::

    weight(d)  = sum of w(t, d) over the terms in d
    heading(d) = sum of idf(t) over the terms in d's heading
    asked(d)   = the same over the question's own terms only (long forms left out)
    score(d)   = weight(d) * (1 + heading_boost * min(heading(d) * heading_scale(d), asked(d) / total_mass))

where ``heading_scale(d)`` is one over the idf mass of d's heading (so the first operand of ``min`` is the
share of the heading that the question holds) and ``total_mass`` the question's whole idf mass (the
second operand is the share of the question that the heading holds; it is multiplied by the float32 of
``1 / total_mass``).

``score`` is the definition: it computes every section's score with plain numpy indexing. ``top`` computes
the very same float32 operations in the same order, so its scores are equal bit for bit, and finds the k
best without sorting every section: the sums go into a per-thread array of one float per section (a
compiled scatter-add per term), and the array is read as a grid of blocks whose maxima bound the k-th best
score from below, so only a few blocks are looked at again. The heading factor is at least 1 and at most
``1 + heading_boost``: where many headings hold a question term, it is computed only for the sections whose
plain score, grown by that much, could still reach the k-th best.
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

DENSE_BOOST = 16
"""With more than one heading posting per this many sections, the heading factor is not computed for the
sections of those postings one by one: on a large index only for the sections that can be among the best
(``Ranking._best_boosted``), on a small one for every section at once (a few passes over contiguous floats)."""

_TINY = np.float32(np.finfo(np.float32).tiny)
_ONE = np.ones(1, dtype=np.float32)


def heading_factor(
    heading: FloatArray, asked: FloatArray, scale: FloatArray, inverse_total: np.float32, boost: np.float32
) -> FloatArray:
    """``1 + boost * min(heading * scale, asked * inverse_total)`` in float32 (see the module docstring)."""
    factor: FloatArray = heading * scale
    np.minimum(factor, asked * inverse_total, out=factor)
    factor *= boost
    factor += np.float32(1.0)
    return factor


HEADROOM_SLACK = 1e-4
"""Added to the bound of the heading factor: its float32 rounding errors are a few parts in ten million."""


def _first(sections: npt.NDArray[np.int64], values: FloatArray, k: int) -> npt.NDArray[np.int64]:
    """Positions of the k best of ``values``, by (value descending, section)."""
    if len(values) > 4 * k:  # keep what reaches the k-th best (ties included) before sorting
        keep = np.flatnonzero(values >= np.partition(values, len(values) - k)[len(values) - k])
        return keep[np.lexsort((sections[keep], -values[keep]))[:k]]
    return np.lexsort((sections, -values))[:k]


def _heading_sums(work: _Scratch, heads: list[int], n_asked: int) -> tuple[FloatArray, FloatArray]:
    """The arrays for a question's heading sums: per section, the idf mass of the question terms in its
    heading, and the same for the question's own terms (the same array when no long form is in a heading).
    They are all zero between questions (``_clear``)."""
    return work.heading, (work.asked if any(heads[n_asked:]) else work.heading)


def _clear(sums: tuple[FloatArray, FloatArray], headed: npt.NDArray[np.intp] | None) -> None:
    """Set the heading sums back to zero: at ``headed`` only, or everywhere."""
    for array in sums[:1] if sums[1] is sums[0] else sums:
        if headed is None:
            array.fill(0.0)
        else:
            array[headed] = 0.0


class _Scratch:
    """One thread's working arrays: the scores laid out as a ``depth`` x ``width`` grid (padded with zeros),
    and the heading sums, which are all zero between questions (``asked`` is made when first needed)."""

    __slots__ = ("_asked", "_ones", "grid", "heading", "n", "ptr", "scores", "width")

    def __init__(self, n: int) -> None:
        self.n = n
        depth = max(16, math.isqrt(n) // 4)  # block size: about a thousand blocks at 100,000 sections
        self.width = max(1, -(-n // depth))
        self.scores: FloatArray = np.zeros(depth * self.width, dtype=np.float32)
        self.grid: FloatArray = self.scores.reshape(depth, self.width)
        self.heading: FloatArray = np.zeros(n, dtype=np.float32)
        self._asked: FloatArray | None = None
        self._ones: FloatArray = np.ones(0, dtype=np.float32)
        self.ptr: IntArray = np.zeros(2, dtype=np.int32)

    @property
    def asked(self) -> FloatArray:
        if self._asked is None:
            self._asked = np.zeros(self.n, dtype=np.float32)
        return self._asked

    def ones(self, count: int) -> FloatArray:
        """At least ``count`` ones (read only)."""
        if len(self._ones) < count:
            self._ones = np.ones(max(count, 2 * len(self._ones)), dtype=np.float32)
        return self._ones


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
    heading_scale: FloatArray
    heading_boost: float
    _scratch: threading.local

    def score(
        self, term_ids: Sequence[int], extra_ids: Sequence[int] = (), total_mass: float | None = None
    ) -> tuple[Float64Array, Float64Array]:
        """Scores of every section for a question's distinct term ids, and each section's matched idf mass.

        ``extra_ids`` (the long forms of acronyms in the question) add to the score, not to the mass.
        ``total_mass`` is the question's whole idf mass (unknown words included; by default the mass of
        ``term_ids``): the heading boost needs the share of the question that a heading holds. This is the
        definition (see the module docstring), written plainly; ``top`` must agree with it bit for bit.
        """
        n = self.n_docs
        scores = np.zeros(n, dtype=np.float32)
        heading = np.zeros(n, dtype=np.float32)
        asked = np.zeros(n, dtype=np.float32)
        matched = np.zeros(n, dtype=np.float64)
        for position, term in enumerate((*term_ids, *extra_ids)):
            start, end = int(self.indptr[term]), int(self.indptr[term + 1])
            sections = self.indices[start:end]
            headed = sections[: int(self.heading_count[term])]  # a row's heading postings come first
            scores[sections] += self.data[start:end]
            heading[headed] += self.idf[term]
            if position < len(term_ids):
                asked[headed] += self.idf[term]
                matched[sections] += float(self.idf[term])
        if self.heading_boost and term_ids:
            scores *= heading_factor(heading, asked, self.heading_scale, self._inverse_total(term_ids, total_mass),
                                     np.float32(self.heading_boost))
        return scores.astype(np.float64), matched

    def top(
        self, term_ids: Sequence[int], extra_ids: Sequence[int], k: int, total_mass: float | None = None
    ) -> tuple[npt.NDArray[np.int64], Float64Array, Float64Array]:
        """The ``k`` best sections (columns), their scores and matched idf mass, best first, ties by column.

        Exactly the ranking and the values of ``score`` followed by a sort by (score descending, column),
        with work in proportion to the question's postings plus a few passes over one float per section.
        ``total_mass`` is as for ``score``.
        """
        if not term_ids or not self.n_docs:
            return np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0)
        sections, best, (terms, starts, ends, heads) = self._ranked(term_ids, extra_ids, k, total_mass)
        asked = terms[: len(term_ids)]
        if self.n_docs <= SMALL:
            matched = self._summed(sections, asked, starts, ends)
        else:
            matched = self._matched(sections, asked, starts, ends, heads)
        return sections, best.astype(np.float64), matched

    def _ranked(
        self, term_ids: Sequence[int], extra_ids: Sequence[int], k: int, total_mass: float | None
    ) -> tuple[npt.NDArray[np.int64], FloatArray, tuple[list[int], list[int], list[int], list[int]]]:
        """``top`` without the matched idf mass: the k best sections and their float32 scores, and the
        question's terms with the starts, ends and heading counts of their postings (for the mass)."""
        terms = [*term_ids, *extra_ids]
        starts: list[int] = self.indptr[terms].tolist()
        ends: list[int] = self.indptr[[t + 1 for t in terms]].tolist()
        heads: list[int] = self.heading_count[terms].tolist()
        postings = (terms, starts, ends, heads)
        work = self._work()
        scores, indices, data, ptr = work.scores, self.indices, self.data, work.ptr
        scores.fill(0.0)
        for start, end in zip(starts, ends, strict=True):
            scatter_add(scores, indices[start:end], data[start:end], _ONE, ptr)
        n = self.n_docs
        if self.heading_boost and any(heads):
            inverse_total = self._inverse_total(term_ids, total_mass)
            if n > SMALL and DENSE_BOOST * sum(heads) > n:
                sections, best = self._best_boosted(work, k, terms, len(term_ids), starts, heads, inverse_total)
                return sections, best, postings
            self._boost(work, terms, len(term_ids), starts, heads, inverse_total)
        if n <= SMALL:
            hit = np.flatnonzero(scores)
            order = _first(hit, scores[hit], k)
            return hit[order], scores[hit[order]], postings
        sections, best = self._best(work, k)
        return sections, best, postings

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

    def _inverse_total(self, term_ids: Sequence[int], total_mass: float | None) -> np.float32:
        if total_mass is None:
            total_mass = float(self.idf[list(term_ids)].sum())
        return np.float32(1.0 / total_mass)

    def _add_heading_sums(
        self, work: _Scratch, sums: tuple[FloatArray, FloatArray], terms: list[int], n_asked: int,
        starts: list[int], heads: list[int]
    ) -> None:
        """Add each question term's idf into the heading sums of the sections whose heading holds it."""
        heading, asked = sums
        indices, idf, ones = self.indices, self.idf, work.ones(max(heads))
        for position, (term, start, count) in enumerate(zip(terms, starts, heads, strict=True)):
            if count:
                sections = indices[start : start + count]
                scatter_add(heading, sections, ones[:count], idf[term : term + 1], work.ptr)
                if asked is not heading and position < n_asked:
                    scatter_add(asked, sections, ones[:count], idf[term : term + 1], work.ptr)

    def _boost(
        self, work: _Scratch, terms: list[int], n_asked: int, starts: list[int], heads: list[int],
        inverse_total: np.float32
    ) -> None:
        """Multiply the scores of sections whose heading holds a question term by their heading factor."""
        n, indices = self.n_docs, self.indices
        heading, asked = sums = _heading_sums(work, heads, n_asked)
        headed = None
        try:
            self._add_heading_sums(work, sums, terms, n_asked, starts, heads)
            boost = np.float32(self.heading_boost)
            if DENSE_BOOST * sum(heads) > n:
                work.scores[:n] *= heading_factor(heading, asked, self.heading_scale, inverse_total, boost)
            else:
                # intp: numpy gathers and scatters with it twice as fast as with the stored int32.
                headed = np.concatenate([indices[s : s + c] for s, c in zip(starts, heads, strict=True) if c]).astype(
                    np.intp
                )
                held = heading[headed]
                work.scores[headed] = work.scores[headed] * heading_factor(
                    held, held if asked is heading else asked[headed], self.heading_scale[headed], inverse_total, boost
                )
        finally:
            _clear(sums, headed)

    def _best_boosted(
        self, work: _Scratch, k: int, terms: list[int], n_asked: int, starts: list[int], heads: list[int],
        inverse_total: np.float32
    ) -> tuple[npt.NDArray[np.int64], FloatArray]:
        """``_boost`` then ``_best`` on a large index where many headings hold a question term: the heading
        sums are added up as there, but the factor is computed only for the sections that can be among the k
        best, not for every section.

        A factor is at least 1 and at most ``1 + heading_boost`` (and a rounding error), so the k-th best
        boosted score is at least the k-th best plain score, which is at least the k-th largest block maximum;
        and only a section whose plain score times ``1 + heading_boost`` reaches that bound can reach it.
        """
        heading, asked = sums = _heading_sums(work, heads, n_asked)
        try:
            self._add_heading_sums(work, sums, terms, n_asked, starts, heads)
            sections, values = self._candidates(work, k, 1.0 + self.heading_boost)
            held = heading[sections]
            values = values * heading_factor(
                held, held if asked is heading else asked[sections], self.heading_scale[sections], inverse_total,
                np.float32(self.heading_boost),
            )
        finally:
            _clear(sums, None)
        order = _first(sections, values, k)
        return sections[order], values[order]

    @staticmethod
    def _best(work: _Scratch, k: int) -> tuple[npt.NDArray[np.int64], FloatArray]:
        """The k best scores of ``work`` and their sections, by (score descending, section)."""
        sections, values = Ranking._candidates(work, k, 1.0)
        order = _first(sections, values, k)
        return sections[order], values[order]

    @staticmethod
    def _candidates(work: _Scratch, k: int, headroom: float) -> tuple[npt.NDArray[np.int64], FloatArray]:
        """Every section whose score times ``headroom`` can reach the k-th best score, and its score (in
        section order): all that can be among the k best once scores grow by at most ``headroom``.

        Block ``j`` of the grid is column ``j`` (sections ``j``, ``j + width``, ...). Its maximum is a score,
        so the k-th largest of the block maxima is at most the k-th best score: only blocks that reach it
        (over the headroom) can hold the k best, and in them only scores that reach it.
        """
        grid, width = work.grid, work.width
        cut = _TINY
        if width > k:
            maxima = np.maximum.reduce(grid, axis=0)
            cut = max(cut, np.partition(maxima, width - k)[width - k])
            if headroom != 1.0:  # a little more, for the rounding of the factor
                cut = max(_TINY, np.float32(cut / (headroom * (1.0 + HEADROOM_SLACK))))
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
        """This thread's scratch arrays (one float per section for the scores, two for the heading sums)."""
        work: _Scratch | None = getattr(self._scratch, "work", None)
        if work is None:
            work = _Scratch(self.n_docs)
            self._scratch.work = work
        return work

