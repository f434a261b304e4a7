"""The term-weight matrix: TF-IDF with BM25's term-frequency saturation and length normalisation.

For term ``t`` in section ``d`` the stored weight is::

    w(t, d) = idf(t) * tf(t, d) * (k1 + 1) / (tf(t, d) + k1 * (1 - b + b * len(d) / avg_len))

    tf(t, d) = count in body + title_weight * count in title + trail_weight * count in ancestor headings
    idf(t)   = ln((1 + n) / (1 + df(t))) + 1          (scikit-learn's smoothed idf)

and a question's score for a section is the sum of ``w(t, d)`` over the question's distinct terms,
multiplied by ``1 + heading_boost * h(q, d)`` where ``h`` is the idf-weighted share of the section
heading's terms that the question contains: of two sections that both match, the one whose heading is
what was asked about ("what is a kernel" -> "What is a kernel?", not "Kernel space vs user space") wins.

Why: plain cosine TF-IDF lets tiny stub sections win on one or two shared words (their vectors are short,
so one match is a large share of them), and sublinear tf does not stop a long section from winning by
repeating a word. Saturation (``k1``) caps what repeats can add, and ``b`` normalises by length only
partly, so a one-line stub is not favoured over the section that explains the topic. Headings carry the
topic's name, so their words count ``title_weight`` times; ancestor headings add context. Counting and the
idf are scikit-learn's (``CountVectorizer``, ``TfidfTransformer``); the matrix is stored term-major (one row
of postings per term) so a question only touches the postings of its own words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    import scipy.sparse as sp

FloatArray = npt.NDArray[np.float32]
Float64Array = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int32]


@dataclass(frozen=True, slots=True)
class WeightParams:
    """Parameters of the weighting (see the module docstring)."""

    k1: float = 1.2
    b: float = 0.75
    title_weight: float = 3.0
    trail_weight: float = 1.0
    heading_boost: float = 0.5


@dataclass(frozen=True, slots=True)
class FieldTerms:
    """One section's terms, by field."""

    title: Sequence[str]
    trail: Sequence[str]
    body: Sequence[str]


def _identity(terms: Sequence[str]) -> Sequence[str]:
    return terms


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
        cls, docs: Sequence[FieldTerms], params: WeightParams, vocabulary: dict[str, int] | None = None
    ) -> TermCounts:
        """Count terms per field with scikit-learn; ``vocabulary`` is extended with unseen terms."""
        import scipy.sparse as sp
        from sklearn.feature_extraction.text import CountVectorizer

        vocabulary = dict(vocabulary or {})
        for doc in docs:
            for field in (doc.title, doc.trail, doc.body):
                for term in field:
                    if term not in vocabulary:
                        vocabulary[term] = len(vocabulary)
        shape = (len(docs), len(vocabulary))
        if not docs or not vocabulary:
            empty = sp.csr_matrix(shape, dtype=np.float32)
            return cls(vocabulary, empty, empty.copy())
        counter = CountVectorizer(analyzer=_identity, vocabulary=vocabulary, dtype=np.float32)
        titles = sp.csr_matrix(counter.transform([d.title for d in docs]), dtype=np.float32)
        tf = sp.csr_matrix(counter.transform([d.body for d in docs]), dtype=np.float32)
        if params.title_weight:
            tf = tf + params.title_weight * titles
        if params.trail_weight:
            tf = tf + params.trail_weight * counter.transform([d.trail for d in docs]).astype(np.float32)
        tf = sp.csr_matrix(tf, dtype=np.float32)
        tf.sum_duplicates()
        return cls(vocabulary, tf, titles)

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
class TermMatrix:
    """Term-major postings: for term ``t`` the sections ``indices[indptr[t]:indptr[t+1]]`` with their weights.

    Attributes:
        vocabulary: Term to row number.
        indptr, indices, data: The CSR arrays of the (terms x sections) weight matrix.
        idf: Inverse document frequency per term.
        n_docs: Number of sections indexed (columns).
        heading_data: Per posting (aligned with ``data``), the share of the section heading's idf mass
            that the posting's term carries (0 when the term is not in the heading).
        heading_boost: See ``WeightParams``.
    """

    vocabulary: dict[str, int]
    indptr: npt.NDArray[np.int64]
    indices: IntArray
    data: FloatArray
    idf: FloatArray
    n_docs: int
    heading_data: FloatArray
    heading_boost: float

    @classmethod
    def build(cls, docs: Sequence[FieldTerms], params: WeightParams) -> TermMatrix:
        """Count terms per field with scikit-learn and store BM25-saturated TF-IDF weights."""
        return cls.from_counts(TermCounts.count(docs, params), params)

    @classmethod
    def from_counts(cls, counts: TermCounts, params: WeightParams) -> TermMatrix:
        """The weights (see the module docstring) computed from term counts."""
        # Imported here: loading a saved index needs neither, and they take most of a cold start.
        import scipy.sparse as sp
        from sklearn.feature_extraction.text import TfidfTransformer

        n = counts.tf.shape[0]
        if n == 0 or counts.tf.nnz == 0:
            empty, no_rows = np.zeros(0, dtype=np.float32), np.zeros(1, dtype=np.int64)
            no_ints = np.zeros(0, dtype=np.int32)
            return cls({}, no_rows, no_ints, empty, empty, n, empty, params.heading_boost)
        weights = sp.csr_matrix(counts.tf, dtype=np.float32, copy=True)
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
        return cls(
            vocabulary=counts.vocabulary,
            indptr=term_major.indptr.astype(np.int64),
            indices=term_major.indices.astype(np.int32),
            data=weights.data[permutation].astype(np.float32),
            idf=idf,
            n_docs=n,
            heading_data=headings[permutation].astype(np.float32),
            heading_boost=params.heading_boost,
        )

    @property
    def unknown_idf(self) -> float:
        """The idf a term would have if no section contained it: the weight of a word the notes lack."""
        return float(np.log(1.0 + self.n_docs) + 1.0)

    def score(self, term_ids: Sequence[int], extra_ids: Sequence[int] = ()) -> tuple[Float64Array, Float64Array]:
        """Scores of every section for a question's distinct term ids, and each section's matched idf mass.

        ``extra_ids`` (the long forms of acronyms in the question) add to the score, not to the mass.
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
            scores *= 1.0 + self.heading_boost * np.bincount(docs, weights=shares, minlength=n)
        matched: Float64Array = np.bincount(docs[: len(mass)], weights=mass, minlength=n).astype(np.float64, copy=False)
        return scores, matched


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
