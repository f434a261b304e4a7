"""The term-weight matrix: TF-IDF with BM25's term-frequency saturation and length normalisation.

For term ``t`` in section ``d`` the stored weight is::

    w(t, d) = idf(t) * tf(t, d) * (k1 + 1) / (tf(t, d) + k1 * (1 - b + b * len(d) / avg_len))

    tf(t, d) = count in body + title_weight * count in title + trail_weight * count in ancestor headings
    idf(t)   = ln((1 + n) / (1 + df(t))) + 1          (scikit-learn's smoothed idf)

and a question's score for a section is the sum of ``w(t, d)`` over the question's distinct terms,
multiplied by ``1 + heading_boost * h(q, d)``, where ``h`` is the smaller of two idf-weighted shares: the
share of the section heading's terms that the question contains, and the share of the question that the
heading holds. Of two sections that both match, the one whose heading is what was asked about ("what is a
kernel" -> "What is a kernel?", not "Kernel space vs user space") wins; a short heading that is only one
word of a long question ("Tasks" for "how do I take a node out for maintenance so its tasks move") does not.

Why: plain cosine TF-IDF lets tiny stub sections win on one or two shared words (their vectors are short,
so one match is a large share of them), and sublinear tf does not stop a long section from winning by
repeating a word. Saturation (``k1``) caps what repeats can add, and ``b`` normalises by length only
partly, so a one-line stub is not favoured over the section that explains the topic. Headings carry the
topic's name, so their words count ``title_weight`` times; ancestor headings add context. Counting and the
idf are scikit-learn's (``CountVectorizer``, ``TfidfTransformer``); the matrix is stored term-major (one row
of postings per term) so a question only touches the postings of its own words.
"""

from __future__ import annotations

import itertools
import threading
from array import array
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    import scipy.sparse as sp

FloatArray = npt.NDArray[np.float32]
HalfArray = npt.NDArray[np.float16]
Float64Array = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int32]


@dataclass(frozen=True, slots=True)
class WeightParams:
    """Parameters of the weighting (see the module docstring)."""

    k1: float = 1.2
    b: float = 0.75
    title_weight: float = 3.0
    trail_weight: float = 1.0
    heading_boost: float = 0.75


@dataclass(frozen=True, slots=True)
class FieldWords:
    """One section's normalised words (stop words included), by field."""

    title: Sequence[str]
    trail: Sequence[str]
    body: Sequence[str]


@dataclass(frozen=True, slots=True)
class TermCounts:
    """Per-section term counts, the raw material of the weights (sections x terms, CSR).

    Kept beside the weights so an index can be brought up to date when a few notes change without
    re-reading the others: counts of unchanged sections are reused and the weights recomputed.

    Attributes:
        vocabulary: Term to column number.
        tf: Field-weighted term frequency: body + title_weight * heading + trail_weight * ancestors.
        titles: Term counts of each section's own heading.
    """

    vocabulary: dict[str, int]
    tf: sp.csr_matrix
    titles: sp.csr_matrix

    @classmethod
    def count(
        cls,
        docs: Iterable[FieldWords],
        params: WeightParams,
        term: Callable[[str], str | None],
        vocabulary: dict[str, int] | None = None,
        frequencies: Counter[str] | None = None,
    ) -> TermCounts:
        """Count terms per field; ``vocabulary`` is extended with unseen terms in order of appearance.

        ``term`` turns a word into its term (None for a stop word). Each distinct word is analysed once
        and the tokens are counted with numpy and scipy. With ``frequencies``, every word is counted there.
        """
        import scipy.sparse as sp

        vocabulary = dict(vocabulary or {})
        numbers: defaultdict[str, int] = defaultdict(itertools.count().__next__)  # in order of appearance
        number = numbers.__getitem__
        tokens = array("i")
        lengths: list[int] = []
        n_docs = 0
        for doc in docs:  # one section at a time: of the others only the word numbers are kept
            n_docs += 1
            for words in (doc.title, doc.trail, doc.body):
                tokens.extend(map(number, words))
                lengths.append(len(words))
        ids = np.frombuffer(tokens, dtype=np.int32) if tokens else np.zeros(0, dtype=np.int32)
        distinct = list(numbers)
        if frequencies is not None:
            frequencies.update(dict(zip(distinct, np.bincount(ids, minlength=len(distinct)).tolist(), strict=True)))
        # A term that is also a word of the notes shares that word's string, which the word frequencies keep.
        terms_of = [t if t is None or t not in numbers else distinct[numbers[t]] for t in map(term, distinct)]
        term_ids = np.array(
            [-1 if t is None else vocabulary.setdefault(t, len(vocabulary)) for t in terms_of], dtype=np.int32
        )
        shape = (n_docs, len(vocabulary))
        if not n_docs or not vocabulary:
            empty = sp.csr_matrix(shape, dtype=np.float32)
            return cls(vocabulary, empty, empty.copy())
        token_terms = term_ids[ids] if len(ids) else np.zeros(0, dtype=np.int32)
        runs = np.asarray(lengths, dtype=np.int64)
        fields = np.repeat(np.tile(np.arange(3, dtype=np.int8), n_docs), runs)
        rows = np.repeat(np.repeat(np.arange(n_docs, dtype=np.int32), 3), runs)
        known = token_terms >= 0

        def counted(field: int) -> sp.csr_matrix:
            chosen = known & (fields == field)
            ones = np.ones(int(chosen.sum()), dtype=np.float32)
            return sp.coo_matrix((ones, (rows[chosen], token_terms[chosen])), shape=shape).tocsr()

        titles, trails, tf = counted(0), counted(1), counted(2)
        if params.title_weight:
            tf = tf + params.title_weight * titles
        if params.trail_weight:
            tf = tf + params.trail_weight * trails
        tf = sp.csr_matrix(tf, dtype=np.float32)
        tf.sum_duplicates()
        return cls(vocabulary, tf, titles)

    @classmethod
    def from_matrix(cls, matrix: TermMatrix, tf: FloatArray) -> TermCounts:
        """The counts behind ``matrix``, from ``tf`` aligned with its postings (see ``TermMatrix.from_counts``).

        A term is in a section's heading exactly where its heading share is positive; ``titles`` holds 1
        there (only where heading terms are is ever used, not how often).
        """
        import scipy.sparse as sp

        shape = (len(matrix.indptr) - 1, matrix.n_docs)
        term_major = sp.csr_matrix((np.asarray(tf), matrix.indices, matrix.indptr), shape=shape)
        presence = (np.asarray(matrix.heading_data) > 0).astype(np.float32)
        headed = sp.csr_matrix((presence, np.array(matrix.indices), np.array(matrix.indptr)), shape=shape)
        headed.eliminate_zeros()
        tf_rows = sp.csr_matrix(term_major.T, dtype=np.float32)
        titles = sp.csr_matrix(headed.T, dtype=np.float32)
        tf_rows.sort_indices()
        titles.sort_indices()
        return cls(matrix.vocabulary, tf_rows, titles)

    def rows(self, keep: npt.NDArray[np.int64]) -> TermCounts:
        """Only the sections (rows) ``keep``, in that order."""
        return TermCounts(self.vocabulary, self.tf[keep], self.titles[keep])

    def stack(self, other: TermCounts) -> TermCounts:
        """These sections followed by ``other``'s, whose vocabulary extends this one's."""
        import scipy.sparse as sp

        width = len(other.vocabulary)
        grown = [
            sp.csr_matrix((m.data, m.indices, m.indptr), shape=(m.shape[0], width)) for m in (self.tf, self.titles)
        ]
        return TermCounts(
            other.vocabulary,
            sp.csr_matrix(sp.vstack([grown[0], other.tf]), dtype=np.float32),
            sp.csr_matrix(sp.vstack([grown[1], other.titles]), dtype=np.float32),
        )

    def pruned(self) -> TermCounts:
        """Without terms no section uses any more, so the vocabulary is what a full build would find."""
        used = np.bincount(self.tf.indices, minlength=len(self.vocabulary)) > 0
        if used.all():
            return self
        remap = np.cumsum(used) - 1
        vocabulary = {t: int(remap[i]) for t, i in self.vocabulary.items() if used[i]}
        return TermCounts(vocabulary, self.tf[:, used], self.titles[:, used])


@dataclass(frozen=True, slots=True)
class PackedCounts:
    """Per-posting term counts (``TermMatrix.with_counts``'s ``tf``), worked out again from the weights.

    A weight is an increasing function of its count (see the module docstring), so the count is the
    inverse, ``tf = w * norm / (idf * (k1 + 1) - w)``, rounded to a whole number; ``norm`` is each
    section's length normalisation, kept as one float32 per section. Where that does not give back the
    count's exact bits (a fraction from fractional field weights, or a count so large that the float32
    weights of neighbouring counts coincide), the count itself is kept at its position. So ``unpack`` gives
    back the very same float32 array, for a fraction of the memory; a built index keeps its counts this way
    because only saving and updating the index read them.
    """

    norm: FloatArray
    k1: float
    positions: npt.NDArray[np.int64] | None
    """Where the inverse misses, or None when it misses so often that ``others`` holds every count."""
    others: FloatArray

    _CHUNK = 1 << 20  # postings inverted at a time, so the float64 temporaries stay small

    @classmethod
    def pack(cls, tf: FloatArray, matrix: TermMatrix, params: WeightParams) -> PackedCounts:
        """``tf`` (aligned with ``matrix``'s postings) packed."""
        tf = np.ascontiguousarray(tf, dtype=np.float32)
        if not len(tf):
            return cls(np.zeros(0, dtype=np.float32), params.k1, None, tf)
        lengths = np.bincount(matrix.indices, weights=tf, minlength=matrix.n_docs).astype(np.float32)
        average = float(lengths.mean()) or 1.0
        norm = (params.k1 * (1.0 - params.b + params.b * lengths / average)).astype(np.float32)
        packed = cls(norm, params.k1, None, tf)
        guess = packed._inverse(matrix)
        positions = np.flatnonzero(guess.view(np.uint32) != tf.view(np.uint32))
        if 3 * len(positions) > len(tf):  # 12 bytes per miss: keeping every count (4 bytes each) is less
            return packed
        return cls(norm, params.k1, positions, tf[positions])

    def unpack(self, matrix: TermMatrix) -> FloatArray:
        """The counts of ``matrix``'s postings as a float32 array, equal bit for bit to the packed one."""
        if self.positions is None:
            return self.others
        tf = self._inverse(matrix)
        tf[self.positions] = self.others
        return tf

    def _inverse(self, matrix: TermMatrix) -> FloatArray:
        """The weights' counts by the inverse formula (exact where it is, see ``pack``)."""
        result = np.empty(len(matrix.data), dtype=np.float32)
        top = np.repeat(matrix.idf.astype(np.float64) * (self.k1 + 1.0), np.diff(matrix.indptr))
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # misses are caught by ``pack``
            for start in range(0, len(result), self._CHUNK):
                end = start + self._CHUNK
                weights = matrix.data[start:end].astype(np.float64)
                norm = self.norm[matrix.indices[start:end]]
                result[start:end] = np.rint(weights * norm / (top[start:end] - weights))
        return result


@dataclass(frozen=True, slots=True)
class TermMatrix:
    """Term-major postings: for term ``t`` the sections ``indices[indptr[t]:indptr[t+1]]`` with their weights.

    Attributes:
        vocabulary: Term to row number.
        indptr, indices, data: The CSR arrays of the (terms x sections) weight matrix.
        idf: Inverse document frequency per term.
        n_docs: Number of sections indexed (columns).
        heading_data: Per posting (aligned with ``data``), the share of the section heading's idf mass
            that the posting's term carries (0 when the term is not in the heading), in float16: every path
            reads these same values and sums them in float64, so they agree bit for bit.
        heading_boost: See ``WeightParams``.
        max_weight, max_share: Per term, the largest weight and heading share among its postings: the
            bounds that let ``top`` skip the postings of common words.
        exact_terms: Up to this many terms, float64 sums of the float32 weights, shares and idf are exact
            in any order (see ``exact_terms``).
    """

    vocabulary: dict[str, int]
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
    _scratch: threading.local = field(default_factory=threading.local, init=False, repr=False, compare=False)

    @classmethod
    def from_counts(cls, counts: TermCounts, params: WeightParams) -> TermMatrix:
        """The weights (see the module docstring) computed from term counts."""
        return cls.with_counts(counts, params)[0]

    @classmethod
    def with_counts(cls, counts: TermCounts, params: WeightParams) -> tuple[TermMatrix, FloatArray]:
        """``from_counts``, and the counts' ``tf`` aligned with the postings (``TermCounts.from_matrix``)."""
        # Imported here: loading a saved index needs neither, and they take most of a cold start.
        import scipy.sparse as sp
        from sklearn.feature_extraction.text import TfidfTransformer

        n = counts.tf.shape[0]
        if n == 0 or counts.tf.nnz == 0:
            empty, no_rows = np.zeros(0, dtype=np.float32), np.zeros(1, dtype=np.int64)
            no_ints = np.zeros(0, dtype=np.int32)
            no_shares = np.zeros(0, dtype=np.float16)
            matrix = cls({}, no_rows, no_ints, empty, empty, n, no_shares, params.heading_boost, empty, empty, 0)
            return matrix, empty
        weights = sp.csr_matrix(counts.tf, dtype=np.float32, copy=True)
        weights.sort_indices()  # before the weights replace the counts, so both stay aligned
        counted = weights.data.copy()
        idf = TfidfTransformer(smooth_idf=True).fit(weights).idf_.astype(np.float32)
        lengths = np.asarray(weights.sum(axis=1)).ravel().astype(np.float32)
        average = float(lengths.mean()) or 1.0
        norm = params.k1 * (1.0 - params.b + params.b * lengths / average)
        tf = weights.data
        row_of = np.repeat(np.arange(n), np.diff(weights.indptr))
        weights.data = (tf * (params.k1 + 1.0) / (tf + norm[row_of]) * idf[weights.indices]).astype(np.float32)
        weights.sort_indices()
        headings = _aligned_heading_shares(weights, counts.titles, idf)
        # Turn to term-major order, carrying both per-posting arrays along the same permutation.
        positions = sp.csr_matrix(
            (np.arange(weights.nnz, dtype=np.int64), weights.indices, weights.indptr), shape=weights.shape
        )
        term_major = sp.csr_matrix(positions.T)
        term_major.sort_indices()
        permutation = term_major.data
        indptr = term_major.indptr.astype(np.int64)
        data = weights.data[permutation].astype(np.float32)
        heading_data = _half(headings[permutation])
        matrix = cls(
            vocabulary=counts.vocabulary,
            indptr=indptr,
            indices=term_major.indices.astype(np.int32),
            data=data,
            idf=idf,
            n_docs=n,
            heading_data=heading_data,
            heading_boost=params.heading_boost,
            max_weight=_row_max(data, indptr),
            max_share=_row_max(heading_data, indptr),
            exact_terms=exact_terms(data, heading_data, idf),
        )
        return matrix, counted[permutation].astype(np.float32)

    @property
    def unknown_idf(self) -> float:
        """The idf a term would have if no section contained it: the weight of a word the notes lack."""
        return float(np.log(1.0 + self.n_docs) + 1.0)

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


def _half(shares: FloatArray) -> HalfArray:
    """Heading shares in float16: a third of the postings' memory went to them, and three significant digits
    are plenty for a share. A share never rounds to zero (zero means "not a heading term")."""
    half = shares.astype(np.float16)
    half[(half == 0) & (shares > 0)] = np.finfo(np.float16).smallest_subnormal
    return half


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


def exact_terms(*arrays: FloatArray | HalfArray) -> int:
    """How many float32 values of ``arrays`` can be summed in float64 exactly, whatever the order.

    Every value is a multiple of the unit in the last place of the smallest one (2**(e_min - 24)); a sum of
    m values stays below m * 2**e_max, and float64 holds every multiple of that unit below 2**(e_min + 29).
    So m <= 2**(29 - (e_max - e_min)) values (zeros aside) sum exactly, and the order cannot matter.
    """
    span = 0
    for values in arrays:
        positive = values[values > 0]
        if len(positive):
            exponents = np.frexp(np.array([positive.min(), positive.max()], dtype=np.float64))[1]
            span = max(span, int(exponents[1] - exponents[0]))
    return int(2 ** min(20, 29 - span)) if span <= 28 else 1


def _row_max(values: FloatArray | HalfArray, indptr: npt.NDArray[np.int64]) -> FloatArray:
    """The largest value of each row of a CSR matrix (0 for an empty row)."""
    result = np.zeros(len(indptr) - 1, dtype=np.float32)
    filled = np.flatnonzero(np.diff(indptr) > 0)
    if len(filled):
        result[filled] = np.maximum.reduceat(values, indptr[filled])
    return result


def _aligned_heading_shares(weights: sp.csr_matrix, titles: sp.csr_matrix, idf: FloatArray) -> FloatArray:
    """Heading shares (see ``_heading_shares``) laid out on ``weights``' postings (0 where not a heading term)."""
    shares = _heading_shares(titles, idf)
    shares.sort_indices()
    width = np.int64(weights.shape[1])
    rows = np.repeat(np.arange(weights.shape[0], dtype=np.int64), np.diff(weights.indptr))
    keys = rows * width + weights.indices
    share_rows = np.repeat(np.arange(shares.shape[0], dtype=np.int64), np.diff(shares.indptr))
    share_keys = share_rows * width + shares.indices
    where = np.searchsorted(keys, share_keys)
    found = where < len(keys)
    found[found] = keys[where[found]] == share_keys[found]
    aligned = np.zeros(weights.nnz, dtype=np.float32)
    aligned[where[found]] = shares.data[found]
    return aligned


def _heading_shares(titles: sp.csr_matrix, idf: FloatArray) -> sp.csr_matrix:
    """Per section, each heading term's share of the heading's idf mass (rows sum to 1 or 0)."""
    import scipy.sparse as sp

    shares = sp.csr_matrix(titles, dtype=np.float32, copy=True)
    shares.data = np.ones_like(shares.data) * idf[shares.indices]
    totals = np.asarray(shares.sum(axis=1)).ravel()
    totals[totals == 0] = 1.0
    row_of = np.repeat(np.arange(shares.shape[0]), np.diff(shares.indptr))
    shares.data = (shares.data / totals[row_of]).astype(np.float32)
    return shares
