"""The term-weight matrix: TF-IDF with BM25's term-frequency saturation and length normalisation.

For term ``t`` in section ``d`` the stored weight is::

    w(t, d) = idf(t) * tf(t, d) * (k1 + 1) / (tf(t, d) + k1 * (1 - b + b * len(d) / avg_len))
              + heading_bonus * (ln(1 + n) + 1) * idf(t) / heading_mass(d)      (only where t is in d's heading)

    tf(t, d) = count in body + title_weight * count in title + trail_weight * count in ancestor headings
    idf(t)   = ln((1 + n) / (1 + df(t))) + 1          (scikit-learn's smoothed idf)
    heading_mass(d) = sum of idf over the distinct terms of d's heading

and a question's score for a section is the sum of ``w(t, d)`` over the question's distinct terms. The
second line is the heading bonus: summed over a question's terms it is the share of the section heading's
idf mass that the question holds, times ``heading_bonus`` times the idf of a word in one section (the
rarest possible), so a heading the question holds in full is worth 0.6 of a match on the rarest word,
whatever the size of the notes. Of two sections that both match, the one whose heading is what was asked
about ("what is a kernel" -> "What is a kernel?", not "Kernel space vs user space") wins. Being an amount
added rather than a factor, it counts for less the more of a long question the body matches, so a
one-word heading ("Tasks") does not carry a long question that only mentions the word; and being part of
the stored weights, it costs a search nothing.

Why: plain cosine TF-IDF lets tiny stub sections win on one or two shared words (their vectors are short,
so one match is a large share of them), and sublinear tf does not stop a long section from winning by
repeating a word. Saturation (``k1``) caps what repeats can add, and ``b`` normalises by length only
partly, so a one-line stub is not favoured over the section that explains the topic. Headings carry the
topic's name, so their words count ``title_weight`` times; ancestor headings add context. Counting and the
idf are scikit-learn's (``CountVectorizer``, ``TfidfTransformer``); the matrix is stored term-major (one row
of postings per term) so a question only touches the postings of its own words.

The counts come from ``index.counting``; scoring a question and finding its best sections is
``index.ranking``, the querying half of ``TermMatrix``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from index.ranking import Ranking

if TYPE_CHECKING:
    import scipy.sparse as sp

    from index.counting import TermCounts

FloatArray = npt.NDArray[np.float32]
IntArray64 = npt.NDArray[np.int64]
Ints = npt.NDArray[np.signedinteger[Any]]
Float64Array = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int32]


@dataclass(frozen=True, slots=True)
class WeightParams:
    """Parameters of the weighting (see the module docstring)."""

    k1: float = 1.2
    b: float = 0.75
    title_weight: float = 3.0
    trail_weight: float = 1.0
    heading_bonus: float = 0.6


@dataclass(frozen=True, slots=True)
class TermMatrix(Ranking):
    """Term-major postings: for term ``t`` the sections ``indices[indptr[t]:indptr[t+1]]`` with their weights.

    Attributes:
        vocabulary: Term to row number.
        indptr, indices, data: The CSR arrays of the (terms x sections) weight matrix. A row holds first the
            sections whose heading contains the term, then the others, each run in section order.
        idf: Inverse document frequency per term.
        n_docs: Number of sections indexed (columns).
        heading_count: Per term, how many of its postings (the first ones) are in a section heading.
    """

    vocabulary: dict[str, int]
    indptr: npt.NDArray[np.int64]
    indices: IntArray
    data: FloatArray
    idf: FloatArray
    n_docs: int
    heading_count: IntArray
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
            matrix = cls({}, no_rows, no_ints, empty, empty, n, no_ints)
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
        titled = _aligned_titles(weights, counts.titles)
        # Turn to term-major order, carrying the per-posting arrays along the same permutation.
        positions = sp.csr_matrix(
            (np.arange(weights.nnz, dtype=np.int64), weights.indices, weights.indptr), shape=weights.shape
        )
        term_major = sp.csr_matrix(positions.T)
        term_major.sort_indices()
        indptr = term_major.indptr.astype(np.int64)
        order, heading_count = _headings_first(titled[term_major.data], indptr)
        permutation = term_major.data[order]
        indices = term_major.indices[order].astype(np.int32)
        data = weights.data[permutation].astype(np.float32)
        if params.heading_bonus:
            positions, bonuses = heading_bonuses(indptr, indices, heading_count, idf, n, params.heading_bonus)
            data[positions] += bonuses
        matrix = cls(
            vocabulary=counts.vocabulary,
            indptr=indptr,
            indices=indices,
            data=data,
            idf=idf,
            n_docs=n,
            heading_count=heading_count,
        )
        return matrix, counted[permutation].astype(np.float32)

    @property
    def unknown_idf(self) -> float:
        """The idf a term would have if no section contained it: the weight of a word the notes lack."""
        return float(np.log(1.0 + self.n_docs) + 1.0)




def _headings_first(titled: npt.NDArray[np.bool_], indptr: npt.NDArray[np.int64]) -> tuple[IntArray64, IntArray]:
    """The order that puts each row's titled postings first, both runs keeping their order, and how many
    each row has: a stable partition of every row at once. A titled posting goes to its row's start plus
    the titled postings before it in the row; another to its own place plus the row's titled postings
    after it. (Integers as narrow as the postings allow: at a million sections there are 25 million.)"""
    n = len(titled)
    kind = np.int32 if n < 2**31 - 1 else np.int64
    lengths = np.diff(indptr)
    before: Ints = np.zeros(n + 1, dtype=kind)  # titled postings before each place, from the first
    np.cumsum(titled, out=before[1:])
    counts = before[indptr[1:]] - before[indptr[:-1]]
    in_row: Ints = before[:-1]
    in_row -= np.repeat(before[indptr[:-1]], lengths)  # titled postings before each one in its row
    place: Ints = np.repeat(indptr[:-1].astype(kind), lengths)
    place += in_row
    other: Ints = np.arange(n, dtype=kind)
    other += np.repeat(counts.astype(kind), lengths)
    other -= in_row
    np.copyto(place, other, where=~titled)
    del other, before
    order = np.empty(n, dtype=np.int64)
    order[place] = np.arange(n, dtype=np.int64)
    return order, counts.astype(np.int32)


def _aligned_titles(weights: sp.csr_matrix, titles: sp.csr_matrix) -> npt.NDArray[np.bool_]:
    """Per posting of ``weights``, whether its term is in its section's heading (``titles`` > 0 there)."""
    titles = _canonical(titles)
    width = np.int64(weights.shape[1])
    rows = np.repeat(np.arange(weights.shape[0], dtype=np.int64), np.diff(weights.indptr))
    keys = rows * width + weights.indices
    title_rows = np.repeat(np.arange(titles.shape[0], dtype=np.int64), np.diff(titles.indptr))
    title_keys = (title_rows * width + titles.indices)[titles.data > 0]
    where = np.searchsorted(keys, title_keys)
    found = where < len(keys)
    found[found] = keys[where[found]] == title_keys[found]
    titled = np.zeros(weights.nnz, dtype=bool)
    titled[where[found]] = True
    return titled


def heading_bonuses(
    indptr: IntArray64, indices: IntArray, heading_count: IntArray, idf: FloatArray, n_docs: int, bonus: float
) -> tuple[IntArray64, FloatArray]:
    """Where the heading postings are (each row's first ``heading_count``), and the bonus each one's weight
    holds: ``bonus * (ln(1 + n) + 1) * idf(t) / heading_mass(d)``, the mass summed over the section's
    heading postings."""
    starts = np.repeat(indptr[:-1], heading_count)
    before = np.repeat(np.cumsum(heading_count, dtype=np.int64) - heading_count, heading_count)
    positions: IntArray64 = starts + (np.arange(len(starts), dtype=np.int64) - before)
    terms = np.repeat(np.arange(len(heading_count)), heading_count)
    sections = indices[positions]
    term_idf = idf[terms]
    mass = np.bincount(sections, weights=term_idf, minlength=n_docs)
    scale = np.zeros(len(mass), dtype=np.float32)
    np.divide(bonus * (np.log(1.0 + n_docs) + 1.0), mass, out=scale, where=mass > 0, casting="unsafe")
    values: FloatArray = term_idf * scale[sections]
    return positions, values


def _canonical(matrix: sp.csr_matrix) -> sp.csr_matrix:
    """``matrix`` with sorted indices and no duplicate entries."""
    import scipy.sparse as sp

    matrix = sp.csr_matrix(matrix, dtype=np.float32, copy=True)
    matrix.sum_duplicates()
    return matrix
