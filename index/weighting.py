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

The counts come from ``index.counting``; scoring a question and finding its best sections is
``index.ranking``, the querying half of ``TermMatrix``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from index.ranking import Ranking

if TYPE_CHECKING:
    import scipy.sparse as sp

    from index.counting import TermCounts

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
class TermMatrix(Ranking):
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



def _half(shares: FloatArray) -> HalfArray:
    """Heading shares in float16: a third of the postings' memory went to them, and three significant digits
    are plenty for a share. A share never rounds to zero (zero means "not a heading term")."""
    half = shares.astype(np.float16)
    half[(half == 0) & (shares > 0)] = np.finfo(np.float16).smallest_subnormal
    return half


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
