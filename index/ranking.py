"""Scoring a question against the term-weight matrix, and its best sections without reading every posting.

``Ranking`` is the querying half of ``index.weighting.TermMatrix``: ``score`` scores every section (the
definition), ``top`` finds the k best exactly as ``score`` followed by a sort would, but on a large index
reads the postings of common words only for the sections that could still need them (``_top_pruned``).
``boosted`` is the one place the heading boost is applied, so every path agrees bit for bit.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    import threading

    from index.weighting import Float64Array, FloatArray, HalfArray, IntArray


class Ranking:
    """Scoring and top-k over the postings of a ``TermMatrix`` (whose attributes these are)."""

    __slots__ = ()

    # TermMatrix's fields (see its docstring), declared here for the type checker only.
    indptr: npt.NDArray[np.int64]
    indices: IntArray
    data: FloatArray
    idf: FloatArray
    n_docs: int
    heading_data: HalfArray
    heading_boost: float
    max_weight: FloatArray
    max_share: FloatArray
    exact_terms: int
    _scratch: threading.local

    def score(
        self, term_ids: Sequence[int], extra_ids: Sequence[int] = (), total_mass: float | None = None
    ) -> tuple[Float64Array, Float64Array]:
        """Scores of every section for a question's distinct term ids, and each section's matched idf mass.

        ``extra_ids`` (the long forms of acronyms in the question) add to the score, not to the mass.
        ``total_mass`` is the question's whole idf mass (unknown words included; by default the mass of
        ``term_ids``): the heading boost needs the share of the question that a heading holds.
        """
        n = self.n_docs
        if not term_ids:
            zeros = np.zeros(n, dtype=np.float64)
            return zeros, zeros
        indptr, indices = self.indptr, self.indices
        spans = [(int(indptr[t]), int(indptr[t + 1])) for t in (*term_ids, *extra_ids)]
        if len(spans) == 1:
            start, end = spans[0]
            docs, weights, shares = indices[start:end], self.data[start:end], self.heading_data[start:end]
        else:
            docs = np.concatenate([indices[a:b] for a, b in spans])
            weights = np.concatenate([self.data[a:b] for a, b in spans])
            shares = np.concatenate([self.heading_data[a:b] for a, b in spans])
        known = spans[: len(term_ids)]
        mass = np.repeat(self.idf[list(term_ids)], [b - a for a, b in known])
        scores: Float64Array = np.bincount(docs, weights=weights, minlength=n).astype(np.float64, copy=False)
        if self.heading_boost:
            if total_mass is None:
                total_mass = float(self.idf[list(term_ids)].sum())
            held = np.bincount(docs[: len(mass)], weights=mass * (shares[: len(mass)] > 0), minlength=n)
            scores = boosted(scores, np.bincount(docs, weights=shares, minlength=n), held / total_mass,
                             self.heading_boost)
        matched: Float64Array = np.bincount(docs[: len(mass)], weights=mass, minlength=n).astype(np.float64, copy=False)
        return scores, matched

    def top(
        self, term_ids: Sequence[int], extra_ids: Sequence[int], k: int, total_mass: float | None = None
    ) -> tuple[npt.NDArray[np.int64], Float64Array, Float64Array]:
        """The ``k`` best sections (columns), their scores and matched idf mass, best first, ties by column.

        Exactly the ranking and the values of ``score`` followed by a sort by (score descending, column),
        but without work in proportion to the number of sections when the corpus is large: see
        ``_top_pruned``. ``total_mass`` is as for ``score``.
        """
        if not term_ids:
            return np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0)
        if total_mass is None:
            total_mass = float(self.idf[list(term_ids)].sum())
        if self.n_docs <= DENSE_LIMIT:
            return self._top_dense(term_ids, extra_ids, k, total_mass)
        return self._top_pruned(term_ids, extra_ids, k, total_mass)

    def _top_dense(
        self, term_ids: Sequence[int], extra_ids: Sequence[int], k: int, total_mass: float
    ) -> tuple[npt.NDArray[np.int64], Float64Array, Float64Array]:
        """``top`` by scoring every section: quickest on small corpora."""
        scores, matched = self.score(term_ids, extra_ids, total_mass)
        candidates = scores.nonzero()[0]
        best = scores[candidates]
        if len(candidates) > k:
            # Keep every section scoring at least the k-th best, so ties at the cut are broken by order.
            keep = (best >= np.partition(best, len(best) - k)[len(best) - k]).nonzero()[0]
            candidates, best = candidates[keep], best[keep]
        ranked = np.argsort(-best, kind="stable")[:k]  # candidates ascend: ties stay in section order
        order = candidates[ranked]
        return order, best[ranked], matched[order]

    def _top_pruned(
        self, term_ids: Sequence[int], extra_ids: Sequence[int], k: int, total_mass: float
    ) -> tuple[npt.NDArray[np.int64], Float64Array, Float64Array]:
        """Exact top-k that reads the postings of common words only for the sections that could need them.

        0. A question of few postings in all (``_GROUP_ALL``) has them all grouped by section at once.
        1. Terms are taken rarest first (shortest postings). The exact scores of up to ``_PROBE`` sections
           of the rarest terms (those with the best weights) give ``theta``, a lower bound of the k-th best
           score. A section that contains none of the first ``p`` terms scores at most the other terms'
           largest weights times the largest heading factor they allow (bounded both by their largest
           heading shares and by their share of the question's idf mass); ``p`` is the fewest terms for
           which that bound is below ``theta``: only sections in their postings can be in the top k.
        2. Those postings are grouped by section (``_grouped``). With many candidates, the exact scores of
           those with the best sums so far may raise ``theta`` (``_REPROBE``).
        3. Term by term, the candidates that cannot reach ``theta`` even with the largest weights of the
           terms still to come are dropped (``_reaching``; ``theta`` rises with the k-th best sum), and the
           next terms' postings are read whole when they are few next to the candidates (``_gathered``)
           or else the candidates are looked up in them by binary search (``_sums``).

        Every section kept is scored from all its terms, and float64 sums of float32 values are exact
        here (``exact_terms``), so the scores have ``score``'s bits; with more terms than that, ``score``
        is used. Each step is a few numpy calls over the candidates or the postings read, never over
        every section; nothing is kept between calls but the per-thread map of ``_slots``, reset after use.
        """
        terms = (*term_ids, *extra_ids)
        if len(terms) > self.exact_terms:
            return self._top_dense(term_ids, extra_ids, k, total_mass)
        ids = list(terms)
        starts: list[int] = self.indptr[ids].tolist()
        ends: list[int] = self.indptr[[t + 1 for t in ids]].tolist()
        order = sorted(range(len(ids)), key=lambda i: ends[i] - starts[i])
        spans = [(starts[i], ends[i]) for i in order]
        upper: list[float] = self.max_weight[ids].tolist()
        top_shares: list[float] = self.max_share[ids].tolist()
        masses: list[float] = [*self.idf[list(term_ids)].tolist(), *(0.0 for _ in extra_ids)]  # long forms: no mass
        idf = np.array([masses[i] for i in order], dtype=np.float32)[:, None]
        m = len(order)
        rest, rest_shares, rest_mass = [0.0] * (m + 1), [0.0] * (m + 1), [0.0] * (m + 1)
        for p in range(m - 1, -1, -1):
            i = order[p]
            rest[p] = rest[p + 1] + upper[i]
            rest_shares[p] = rest_shares[p + 1] + top_shares[i]
            rest_mass[p] = rest_mass[p + 1] + masses[i]
        boost = self.heading_boost
        if rest[0] <= 0 or sum(b - a for a, b in spans) <= _GROUP_ALL:
            return self._ranked(*self._grouped(spans, idf[:, 0]), k, total_mass)

        seed = self._seed(spans, max(_PROBE, k))
        sums = self._sums(seed, spans, idf)
        exact = boosted(sums[0], sums[1], sums[2] / total_mass, boost)
        theta = float(np.partition(exact, len(exact) - k)[len(exact) - k]) if len(exact) >= k else 0.0
        taken = m
        for p in range(1, m):
            # The most a section none of the first p terms contains can score.
            share = min(_SHARE_CAP, rest_shares[p], rest_mass[p] / total_mass * _MARGIN)
            if rest[p] * (1.0 + boost * share) * _MARGIN < theta:
                taken = p
                break
        docs, sums = self._grouped(spans[:taken], idf[:taken, 0])
        size = max(_PROBE, k)
        if taken < m and len(docs) > max(_REPROBE, size):
            # Many candidates: the exact scores of those with the best sums so far may raise ``theta`` a lot
            # (the first probe misses sections that hold several of the rarer terms but none of them best).
            probe = np.sort(np.argpartition(sums[0], len(docs) - size)[len(docs) - size :])
            exact_sums = sums[:, probe] + self._sums(docs[probe], spans[taken:], idf[taken:])
            exact = boosted(exact_sums[0], exact_sums[1], exact_sums[2] / total_mass, boost)
            theta = max(theta, float(np.partition(exact, len(exact) - k)[len(exact) - k]))
        while taken < m:
            if len(docs) > k and theta > 0:
                # Sums only grow and the heading factor is at least 1: the k-th best sum is a lower bound too.
                theta = max(theta, float(np.partition(sums[0], len(docs) - k)[len(docs) - k]))
                docs, sums = self._reaching(docs, sums, theta, rest[taken], rest_shares[taken],
                                            rest_mass[taken] / total_mass)
            # Terms with few postings next to the candidates are read whole; the others are looked up.
            end = taken
            while end < m and spans[end][1] - spans[end][0] <= _GATHER * len(docs):
                end += 1
            if end > taken:
                sums = sums + self._gathered(docs, spans[taken:end], idf[taken:end, 0])
            else:
                end = m
                sums = sums + self._sums(docs, spans[taken:], idf[taken:])
            taken = end
        return self._ranked(docs, sums, k, total_mass)

    def _ranked(
        self, docs: IntArray, sums: Float64Array, k: int, total_mass: float
    ) -> tuple[npt.NDArray[np.int64], Float64Array, Float64Array]:
        """The ``k`` best of sorted sections ``docs`` from their complete ``_sums``: sections, scores, mass."""
        scores = boosted(sums[0], sums[1], sums[2] / total_mass, self.heading_boost)
        mass = sums[3]
        if len(scores) > k:
            keep = np.flatnonzero(scores >= np.partition(scores, len(scores) - k)[len(scores) - k])
            docs, scores, mass = docs[keep], scores[keep], mass[keep]
        ranked = np.argsort(-scores, kind="stable")[:k]  # docs ascend: ties stay in section order
        return docs[ranked].astype(np.int64), scores[ranked], mass[ranked]

    def _reaching(
        self, docs: IntArray, sums: Float64Array, theta: float, rest: float, rest_shares: float, rest_mass: float
    ) -> tuple[IntArray, Float64Array]:
        """The candidates (with their ``sums``) that could still score ``theta`` with the other terms, whose
        weights, heading shares and share of the question's idf mass add up to at most ``rest``,
        ``rest_shares`` and ``rest_mass``."""
        boost = self.heading_boost
        # Without a heading share so far, a section's factor is at most the outside one: one comparison.
        factor = (1.0 + boost * min(_SHARE_CAP, rest_shares, rest_mass * _MARGIN)) * _MARGIN
        cut = theta / factor - rest
        reach = sums[0] >= cut - (theta + rest) * 1e-12  # the subtraction's rounding, generously
        headed = np.flatnonzero(sums[1])
        if len(headed):
            part = sums[:, headed]
            shares = np.minimum(np.minimum(part[1] + rest_shares, _SHARE_CAP), (part[2] + rest_mass) * _MARGIN)
            reach[headed] = (part[0] + rest) * (1.0 + boost * shares) * _MARGIN >= theta
        keep = np.flatnonzero(reach)
        if len(keep) == len(docs):
            return docs, sums
        return docs[keep], sums[:, keep]

    def _seed(self, spans: Sequence[tuple[int, int]], size: int) -> IntArray:
        """Up to ``size`` distinct sections (sorted) of the rarest terms, those with the best weights first:
        sections likely to be near the top, whose exact scores bound the k-th best from below."""
        indices, data, heading_data = self.indices, self.data, self.heading_data
        count, taken = 0, 0
        while taken < len(spans) and count < size:
            count += spans[taken][1] - spans[taken][0]
            taken += 1
        start, end = spans[taken - 1]
        room = size - (count - (end - start))  # what the last term taken may add
        last = indices[start:end]
        if end - start > room:
            bound = data[start:end] * (1.0 + self.heading_boost * heading_data[start:end])
            last = last[np.sort(np.argpartition(bound, end - start - room)[end - start - room :])]
        if taken == 1:
            return last
        return _distinct(np.concatenate([*(indices[a:b] for a, b in spans[: taken - 1]), last]))

    def _sums(self, docs: IntArray, spans: Sequence[tuple[int, int]], idf: FloatArray) -> Float64Array:
        """For sorted sections ``docs``, four rows of sums over the terms of ``spans`` (their postings): of
        the weights, of the heading shares, of the idf mass ``idf`` (a column, one per span) of the terms in
        their headings, and of the terms they contain. Looked up by binary search, one call per term."""
        indices = self.indices
        found_at = np.concatenate([indices[a:b].searchsorted(docs) for a, b in spans]).reshape(len(spans), -1)
        bounds = np.array([[a for a, _ in spans], [b - a for a, b in spans]])[:, :, None]
        where = found_at + bounds[0]
        found = indices.take(where, mode="clip") == docs
        found &= found_at < bounds[1]
        masses = found * idf
        shares = np.where(found, self.heading_data.take(where, mode="clip"), 0.0)
        table = np.array([np.where(found, self.data.take(where, mode="clip"), 0.0), shares, (shares > 0) * masses,
                          masses])
        result: Float64Array = table.sum(axis=1, dtype=np.float64)
        return result

    def _grouped(self, spans: Sequence[tuple[int, int]], idf: FloatArray) -> tuple[IntArray, Float64Array]:
        """The distinct sections (sorted) in the postings ``spans`` and, as ``_sums``, their sums over them."""
        indices, data, heading_data = self.indices, self.data, self.heading_data
        if len(spans) == 1:
            start, end = spans[0]
            sums = np.empty((4, end - start))
            sums[0] = data[start:end]
            sums[1] = heading_data[start:end]
            np.multiply(sums[1] > 0, idf[0], out=sums[2])
            sums[3] = idf[0]
            return indices[start:end], sums
        every = np.concatenate([indices[a:b] for a, b in spans])
        docs = _distinct(every)
        # Each posting's place in ``docs`` through the per-thread map: a gather, not a binary search each.
        slots = self._slots()
        slots.put(docs, np.arange(len(docs), dtype=np.int32))
        try:
            group = slots[every]
        finally:
            slots.put(docs, -1)
        shares = np.concatenate([heading_data[a:b] for a, b in spans])
        masses = np.repeat(idf, [b - a for a, b in spans])
        weights = np.concatenate([data[a:b] for a, b in spans])
        return docs, _grouped_sums(group, len(docs), weights, shares, masses)

    def _gathered(self, docs: IntArray, spans: Sequence[tuple[int, int]], idf: FloatArray) -> Float64Array:
        """``_sums``, by reading the postings ``spans`` whole and keeping those of ``docs``.

        Cheaper than looking ``docs`` up when the postings are few next to them: a per-thread map from
        section to its place in ``docs`` picks the postings out.
        """
        slots = self._slots()
        slots.put(docs, np.arange(len(docs), dtype=np.int32))
        try:
            if len(spans) == 1:
                hit = slots[self.indices[spans[0][0] : spans[0][1]]]
            else:
                hit = slots[np.concatenate([self.indices[a:b] for a, b in spans])]
        finally:
            slots.put(docs, -1)
        found = np.flatnonzero(hit >= 0)
        if len(spans) == 1:
            where, masses = found + spans[0][0], np.full(len(found), idf[0])
        else:
            lengths = np.array([b - a for a, b in spans])
            offsets = np.cumsum(lengths) - lengths
            span = offsets.searchsorted(found, side="right") - 1
            where = found + (np.array([a for a, _ in spans]) - offsets)[span]
            masses = idf[span]
        return _grouped_sums(hit[found], len(docs), self.data[where], self.heading_data[where], masses)

    def _slots(self) -> IntArray:
        """This thread's map from section to a place in a list of candidates (-1 for none; reset after use).

        One int32 per section for each thread that searches: 400 KB at 100,000 sections.
        """
        slots: IntArray | None = getattr(self._scratch, "slots", None)
        if slots is None:
            slots = np.full(self.n_docs, -1, dtype=np.int32)
            self._scratch.slots = slots
        return slots



def boosted(
    weights: Float64Array, shares: npt.NDArray[Any], question: npt.NDArray[Any] | None, heading_boost: float
) -> Float64Array:
    """A section's score from the sums of its matched terms' weights and heading shares.

    ``question`` is the share of the question's idf mass that each section's heading holds; the factor is
    ``1 + heading_boost * min(shares, question)`` (with ``question`` None, the heading shares alone: an
    upper bound, for choosing which sections to score exactly). The one place the heading boost is applied
    (``score`` and every fast path call it), so the paths agree bit for bit; the fast paths' bounds assume
    the factor is between 1 and ``1 + heading_boost`` times the heading shares.
    """
    if not heading_boost:
        return weights
    held = shares if question is None else np.minimum(shares, question)
    result: Float64Array = weights * (1.0 + heading_boost * held)
    return result


DENSE_LIMIT = 20_000
"""Up to this many sections, scoring every section with ``bincount`` is quicker than pruning."""

_PROBE = 128
"""How many candidates are scored exactly to find the first lower bound of the k-th best score."""

_GROUP_ALL = 8192
"""Up to this many postings in all, every posting of the question's terms is read: pruning would cost more."""

_GATHER = 8
"""A term's postings are read whole when they are at most this many times the candidates, else looked up."""

_REPROBE = 4096
"""With more candidates than this after the rarest terms, the best of them are probed for a higher ``theta``."""

_MARGIN = 1.0 + 1e-9
"""Upper bounds are widened by this factor so float rounding can never prune a section that belongs."""

_SHARE_CAP = 1.0 + 1e-3
"""A section's heading shares sum to 1, give or take the float16 rounding of each share (below 2**-11 of it)."""


def _grouped_sums(
    group: npt.NDArray[Any], n: int, weights: FloatArray, shares: FloatArray | HalfArray, masses: FloatArray
) -> Float64Array:
    """The four rows of ``TermMatrix._sums`` for postings of the ``n`` sections numbered by ``group``."""
    return np.array([
        np.bincount(group, weights, minlength=n),
        np.bincount(group, shares, minlength=n),
        np.bincount(group, masses * (shares > 0), minlength=n),
        np.bincount(group, masses, minlength=n),
    ])


def _distinct(docs: IntArray) -> IntArray:
    """The distinct values of ``docs``, sorted (``np.unique`` without its overhead)."""
    docs = np.sort(docs)
    if len(docs) < 2:
        return docs
    keep = np.empty(len(docs), dtype=bool)
    keep[0] = True
    np.not_equal(docs[1:], docs[:-1], out=keep[1:])
    return docs[keep]

