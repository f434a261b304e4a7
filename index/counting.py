"""Term counts per section, the raw material of the weights, and a compact way to keep them.

``TermCounts`` counts each section's terms by field (its heading, its ancestor headings, its body); the
weights of ``index.weighting`` are computed from them. An index keeps its counts so that it can be brought
up to date when a few notes change; ``PackedCounts`` keeps them in a fraction of the memory by working them
back out from the weights.
"""

from __future__ import annotations

import itertools
from array import array
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from index.weighting import heading_bonuses

if TYPE_CHECKING:
    import scipy.sparse as sp

    from index.weighting import FloatArray, TermMatrix, WeightParams


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

        A term is in a section's heading exactly where its posting is in the row's first
        ``heading_count`` ones; ``titles`` holds 1 there (only where heading terms are is ever used, not
        how often).
        """
        import scipy.sparse as sp

        shape = (len(matrix.indptr) - 1, matrix.n_docs)
        term_major = sp.csr_matrix((np.asarray(tf), matrix.indices, matrix.indptr), shape=shape)
        lengths = np.diff(matrix.indptr)
        place = np.arange(len(matrix.indices), dtype=np.int64) - np.repeat(matrix.indptr[:-1], lengths)
        presence = (place < np.repeat(np.asarray(matrix.heading_count, dtype=np.int64), lengths)).astype(np.float32)
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
    heading_bonus: float
    positions: npt.NDArray[np.int64] | None
    """Where the inverse misses, or None when it misses so often that ``others`` holds every count."""
    others: FloatArray

    _CHUNK = 1 << 20  # postings inverted at a time, so the float64 temporaries stay small

    @classmethod
    def pack(cls, tf: FloatArray, matrix: TermMatrix, params: WeightParams) -> PackedCounts:
        """``tf`` (aligned with ``matrix``'s postings) packed."""
        tf = np.ascontiguousarray(tf, dtype=np.float32)
        if not len(tf):
            return cls(np.zeros(0, dtype=np.float32), params.k1, params.heading_bonus, None, tf)
        lengths = np.bincount(matrix.indices, weights=tf, minlength=matrix.n_docs).astype(np.float32)
        average = float(lengths.mean()) or 1.0
        norm = (params.k1 * (1.0 - params.b + params.b * lengths / average)).astype(np.float32)
        packed = cls(norm, params.k1, params.heading_bonus, None, tf)
        guess = packed._inverse(matrix)
        positions = np.flatnonzero(guess.view(np.uint32) != tf.view(np.uint32))
        if 3 * len(positions) > len(tf):  # 12 bytes per miss: keeping every count (4 bytes each) is less
            return packed
        return cls(norm, params.k1, params.heading_bonus, positions, tf[positions])

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
        data = matrix.data
        if self.heading_bonus:  # the count is in the weight less its heading bonus
            positions, bonuses = heading_bonuses(
                matrix.indptr, matrix.indices, matrix.heading_count, matrix.idf, matrix.n_docs, self.heading_bonus
            )
            data = data.copy()
            data[positions] -= bonuses
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # misses are caught by ``pack``
            for start in range(0, len(result), self._CHUNK):
                end = start + self._CHUNK
                weights = data[start:end].astype(np.float64)
                norm = self.norm[matrix.indices[start:end]]
                result[start:end] = np.rint(weights * norm / (top[start:end] - weights))
        return result

