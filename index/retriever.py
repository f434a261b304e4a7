"""The retriever: matches a question to the best section, says how sure it is, or declines."""

from __future__ import annotations

import dataclasses
import logging
import os
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from index.acronyms import find_acronyms
from index.analysis import STOP_WORDS, Analyzer, words
from index.compounds import joined_pairs, joined_term_ids, splits, written_apart
from index.counting import FieldWords, PackedCounts, TermCounts
from index.errors import IndexFormatError
from index.model import Answer, Hit, IngestReport, Reading, Record, Section, Verdict
from index.navigation import mark_navigation
from index.reader import fingerprint, note_stats, read_notes
from index.spelling import SpellingCorrector
from index.splitter import split_markdown
from index.storage import SectionStore, SectionTable
from index.weighting import FloatArray, TermMatrix, WeightParams

log = logging.getLogger(__name__)

MAX_SPELLING_FIXES = 16
_COMPOUND_EVIDENCE = 50  # sections holding both words of a split that are searched for them written apart

# Misspelt stop words the notes never use ("dosent", "becuase") are dropped like the stop words they are.
# Only long ones: "wear" is one letter from "were", and is a topic.
_STOP_WORD_SPELLER = SpellingCorrector(dict.fromkeys((w for w in STOP_WORDS if len(w) >= 5), 1))


@dataclass(frozen=True, slots=True)
class RetrieverParams:
    """How sections are weighted and when the retriever declines.

    Attributes:
        weights: The TF-IDF/BM25 weighting (see ``index.weighting``).
        stem: Reduce words to their English stems ("containers" matches "container").
        spelling: Correct question words the notes never use to the nearest word they do use.
        min_known: Decline when the notes use less than this share of the question's idf-weighted words at
            all (a word the notes never use weighs as much as the rarest word they do; words that only say
            what shape of answer is wanted, such as "overview" or "tips", are left out when the notes never
            use them): "best pizza in Naples" is mostly words no note contains.
        min_coverage: Decline unless the best section holds at least this share of the question's
            idf-weighted words: the words are known, but no one section is about them together.
            Both defaults were fitted on labelled questions, one question set left out at a time (on a
            grid, the pair that declines the most unanswerable questions of the other sets while wrongly
            declining at most 5% of their answerable ones; ``index.calibration``), and checked on the set
            left out; see ``eval/EXPERIMENTS.md`` and ``eval/fit_decline.py``.
        tie_ratio: When the runner-up scores at least this share of the best score, the answer is
            marked ambiguous so a front end can ask which one was meant (0.93 gives about as many ambiguous
            answers on the labelled questions as 0.92 did before the heading bonus replaced the heading
            factor: 70 against 67 of the 593 on the four tuned sets).
    """

    weights: WeightParams = field(default_factory=WeightParams)
    stem: bool = True
    spelling: bool = True
    min_known: float = 0.68
    min_coverage: float = 0.32
    tie_ratio: float = 0.93

    def __post_init__(self) -> None:
        for name in ("min_known", "min_coverage"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, got {value!r}")
        if not 0.0 < self.tie_ratio <= 1.0:
            raise ValueError(f"tie_ratio must be in (0, 1], got {self.tie_ratio!r}")


@dataclass(frozen=True, slots=True)
class _Query:
    term_ids: tuple[int, ...]
    extra_ids: tuple[int, ...]  # long forms of the acronyms used in the question
    total_mass: float  # idf mass of every distinct term, known or not
    known_mass: float  # idf mass of the terms the notes use
    has_terms: bool


@dataclass(slots=True)
class _Trace:
    """What ``Retriever._query`` did with each word of a question, for ``Retriever.reading``."""

    searched: list[str] = field(default_factory=list)
    corrected: list[tuple[str, str]] = field(default_factory=list)
    compounds: list[tuple[str, str]] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)


_set_section, _set_score, _set_coverage = (vars(Hit)[name].__set__ for name in ("section", "score", "coverage"))


def _hit(section: Section, score: float, coverage: float) -> Hit:
    """``Hit(section, score, coverage)`` at a third of the cost: a frozen dataclass's ``__init__`` goes
    through ``object.__setattr__`` for each field; its slots are set directly here (a search builds k)."""
    hit = object.__new__(Hit)
    _set_section(hit, section)
    _set_score(hit, score)
    _set_coverage(hit, coverage)
    return hit


@dataclass(frozen=True, slots=True)
class _WordCounts:
    """Word frequencies as a tuple of words and an array of counts: a third of the memory of a dict."""

    words: tuple[str, ...]
    counts: npt.NDArray[np.signedinteger[Any]]

    @classmethod
    def of(cls, frequencies: Mapping[str, int]) -> _WordCounts:
        counts = np.fromiter(frequencies.values(), np.int64, len(frequencies))
        return cls(tuple(frequencies), counts.astype(np.int32) if len(counts) and counts.max() < 2**31 else counts)

    def as_dict(self) -> dict[str, int]:
        return dict(zip(self.words, self.counts.tolist(), strict=True))


def _field_words(section: Section) -> FieldWords:
    return FieldWords(title=words(section.title), trail=words(" ".join(section.trail)), body=words(section.text))


def _count(
    sections: Sequence[Section],
    analyzer: Analyzer,
    weights: WeightParams,
    frequencies: Counter[str],
    vocabulary: dict[str, int] | None = None,
) -> TermCounts:
    """The term counts of ``sections``; their words are added to ``frequencies``."""
    docs = (_field_words(s) for s in sections)  # one at a time: all the words of a big folder are large
    return TermCounts.count(docs, weights, analyzer.term, vocabulary, frequencies)


def _check_unique(sections: Sequence[Section]) -> None:
    seen: set[str] = set()
    for section in sections:
        if section.id in seen:
            raise ValueError(f"duplicate section id {section.id!r}: ids must be unique")
        seen.add(section.id)


def _path_order(stats: Mapping[str, tuple[int, int]]) -> Callable[[str], int]:
    """Sort key putting paths in the order the folder walk found them (the order of ``stats``)."""
    rank = {p: i for i, p in enumerate(stats)}
    return lambda p: rank.get(p, len(rank))


def _merged_report(old: IngestReport, fresh: IngestReport, changed: set[str], removed: set[str]) -> IngestReport:
    """The ingestion report after re-reading ``changed`` files: their old entries replaced by ``fresh``."""
    stale = changed | removed | {s.path for s in fresh.skipped}  # linked folders are found again by every walk
    return IngestReport(
        root=old.root,
        files=tuple(sorted({*(f for f in old.files if f not in stale), *fresh.files})),
        skipped=tuple(s for s in old.skipped if s.path not in stale) + fresh.skipped,
        warnings=tuple(w for w in old.warnings if w.path not in stale) + fresh.warnings,
        ignored=fresh.ignored,
    )


class Retriever:
    """Finds the section of the notes that answers a question.

    Build one with ``from_directory`` (a notes folder, optionally cached on disk), ``from_records``
    (documents that live elsewhere) or ``load`` (a saved index). It is immutable and safe to share
    between threads.

    >>> retriever = Retriever.from_records([Record("faq", "FAQ", "# Kernel\\nThe kernel manages memory.")])
    >>> retriever.answer("what does the kernel do").hit.section.title
    'Kernel'
    """

    def __init__(
        self,
        sections: Sequence[Section],
        matrix: TermMatrix,
        rows: Sequence[int] | npt.NDArray[np.int64],
        params: RetrieverParams,
        *,
        frequencies: Mapping[str, int] | Callable[[], Mapping[str, int]],
        counts: FloatArray | PackedCounts | Callable[[], FloatArray],
        speller: SpellingCorrector | None = None,
        acronyms: Mapping[str, Sequence[str]] | None = None,
        report: IngestReport | None = None,
        note_stats: Mapping[str, tuple[int, int]] | None = None,
    ) -> None:
        """Assemble a retriever from its parts; use the ``from_*`` constructors or ``load`` instead."""
        self._sections = sections if isinstance(sections, SectionStore | SectionTable) else SectionTable(sections)
        self._matrix = matrix
        # Row numbers fit in 32 bits; a loaded index keeps the saved (64-bit) array it maps.
        self._rows = rows if isinstance(rows, np.ndarray) and rows.dtype == np.int64 else np.asarray(rows, np.int32)
        self._params = params
        self._word_counts: _WordCounts | dict[str, int] | Callable[[], Mapping[str, int]] = (
            frequencies if callable(frequencies) else _WordCounts.of(frequencies)
        )
        self._counts = counts
        self._report = report or IngestReport(root="")
        self._note_stats = dict(note_stats) if note_stats is not None else None
        self._analyzer = Analyzer(stem=params.stem)
        self._acronyms = {k: tuple(v) for k, v in (acronyms or {}).items()}
        needs_frequencies = (params.spelling and speller is None) or self._acronyms
        frequencies_now = self._frequencies if needs_frequencies else {}  # made once for both
        if params.spelling and speller is None:
            speller = SpellingCorrector(frequencies_now)
        self._speller = speller if params.spelling else None
        self._expansions = self._expansion_ids(frequencies_now)

    def _expansion_ids(self, frequencies: Mapping[str, int]) -> dict[str, tuple[int, ...]]:
        """For each acronym's term, the term ids of its long form (the ones the notes use)."""
        expansions: dict[str, tuple[int, ...]] = {}
        if not self._acronyms:
            return expansions
        frequency = frequencies.get
        for short, long_words in self._acronyms.items():
            if frequency(short.casefold(), 0) >= min((frequency(w.casefold(), 0) for w in long_words), default=0):
                continue  # the notes mostly say "API" themselves: its long form would only add noise
            term = self._analyzer.term(short)
            terms = [t for w in long_words if (t := self._analyzer.term(w)) is not None]
            ids = tuple(i for t in terms if (i := self._matrix.vocabulary.get(t)) is not None)
            if term is not None and ids:
                expansions[term] = ids
        return expansions

    # Construction ---------------------------------------------------------------------------------------

    @classmethod
    def from_sections(cls, sections: Iterable[Section], *, params: RetrieverParams | None = None) -> Retriever:
        """Index already split sections (ids must be unique)."""
        params = params or RetrieverParams()
        sections = list(sections)
        _check_unique(sections)
        frequencies: Counter[str] = Counter()
        rows = [i for i, s in enumerate(sections) if s.searchable]
        counts = _count([sections[i] for i in rows], Analyzer(stem=params.stem), params.weights, frequencies)
        matrix, tf = TermMatrix.with_counts(counts, params.weights)
        del counts  # kept as ``tf``, aligned with the postings: the rest is in the matrix
        acronyms = find_acronyms(sections[i].text for i in rows)
        counted = PackedCounts.pack(tf, matrix, params.weights)
        return cls(sections, matrix, rows, params, frequencies=frequencies, counts=counted, acronyms=acronyms)

    @classmethod
    def from_records(cls, records: Iterable[Record], *, params: RetrieverParams | None = None) -> Retriever:
        """Index documents that do not live in files: each record's Markdown is split along its headings."""
        sections: list[Section] = []
        for record in records:
            sections.extend(mark_navigation(split_markdown(record.markdown, record.id, title=record.title)))
        return cls.from_sections(sections, params=params)

    @classmethod
    def from_directory(
        cls,
        path: str | os.PathLike[str],
        *,
        cache_dir: str | os.PathLike[str] | None = None,
        params: RetrieverParams | None = None,
    ) -> Retriever:
        """Read, split and index a notes folder.

        With ``cache_dir``, a saved index there is reused when the notes and parameters are unchanged.
        When some note files were added, edited or removed, only those are read again and the weights
        are recomputed from the saved term counts of the rest (the result is the same as a full
        rebuild); the updated index is saved. A damaged or outdated saved index is rebuilt with a
        warning in the log.

        Raises:
            NotesError: the folder is missing or holds no readable notes.
        """
        params = params or RetrieverParams()
        cached = None
        stats = note_stats(path)
        if cache_dir is not None:
            try:
                cached = cls.load(cache_dir)
            except FileNotFoundError:
                cached = None
            except IndexFormatError as exc:
                log.warning("rebuilding the saved index in %s: %s", cache_dir, exc)
                cached = None
            if cached is not None and (cached._params != params or cached._note_stats is None):
                cached = None
            if cached is not None and cached._note_stats == stats:
                return cached
        built = None
        if cached is not None:
            try:
                built = cls._updated(cached, path, stats)
            except IndexFormatError as exc:  # the parts read only to update it are checked when read
                log.warning("rebuilding the saved index in %s: %s", cache_dir, exc)
        if built is None:
            built = cls._built(path, stats, params)
        if cache_dir is not None:
            try:
                built.save(cache_dir)
            except OSError as exc:
                log.warning("could not save the index to %s: %s", cache_dir, exc)
        return built

    @classmethod
    def _built(
        cls, path: str | os.PathLike[str], stats: dict[str, tuple[int, int]], params: RetrieverParams
    ) -> Retriever:
        notes, report = read_notes(path)
        sections: list[Section] = []
        for note in notes:
            sections.extend(mark_navigation(split_markdown(note.text, note.path)))
        built = cls.from_sections(sections, params=params)
        built._report = report
        built._note_stats = stats
        return built

    @classmethod
    def _updated(
        cls, cached: Retriever, path: str | os.PathLike[str], stats: dict[str, tuple[int, int]]
    ) -> Retriever | None:
        """``cached`` brought up to date with the note files that changed, or None when a full build is due."""
        old_stats = cached._note_stats or {}
        changed = {p for p, stat in stats.items() if old_stats.get(p) != stat}
        removed = set(old_stats) - set(stats)
        if len(changed) + len(removed) > max(1, len(stats) // 2):
            return None  # most of the folder changed: a full build is as quick and simpler
        notes, fresh = read_notes(path, only=changed)
        new_sections = {n.path: mark_navigation(split_markdown(n.text, n.path)) for n in notes}
        params = cached._params
        frequencies: Counter[str] = Counter(cached._frequencies)
        analyzer = cached._analyzer
        row_of = {int(section): row for row, section in enumerate(cached._rows)}
        kept_sections: list[Section] = []
        kept_rows: list[int] = []
        new_docs: list[Section] = []
        sections: list[Section] = []
        by_path: dict[str, list[int]] = {}
        old_sections = tuple(cached._sections)  # decoded once: a loaded index decodes them on each access
        for i, section in enumerate(old_sections):
            by_path.setdefault(section.path, []).append(i)
        old_paths = [p for p in by_path if p in stats and p not in changed]
        order = sorted(set(old_paths) | set(new_sections), key=_path_order(stats))
        for rel in order:
            if rel in new_sections:
                sections.extend(new_sections[rel])
                new_docs.extend(s for s in new_sections[rel] if s.searchable)
                continue
            for i in by_path[rel]:
                section = old_sections[i]
                sections.append(section)
                if i in row_of:
                    kept_sections.append(section)
                    kept_rows.append(row_of[i])
        gone: Counter[str] = Counter()
        for section in old_sections:
            if section.searchable and (section.path in changed or section.path in removed):
                gone.update(w for words_ in dataclasses.astuple(_field_words(section)) for w in words_)
        frequencies.subtract(gone)
        if not sections:
            return None  # nothing readable is left: let the full build raise its clear error
        _check_unique(sections)
        counts = cached._term_counts().rows(np.asarray(kept_rows, dtype=np.int64))
        fresh_counts = _count(new_docs, analyzer, params.weights, frequencies, counts.vocabulary)
        counts = counts.stack(fresh_counts).pruned()
        # Rows are kept sections then new ones; map them back to positions in ``sections``.
        position = {s.id: i for i, s in enumerate(sections)}
        rows = [position[s.id] for s in kept_sections] + [position[s.id] for s in new_docs]
        order_rows = np.argsort(rows, kind="stable")
        counts = counts.rows(order_rows.astype(np.int64))
        rows = sorted(rows)
        matrix, tf = TermMatrix.with_counts(counts, params.weights)
        report = _merged_report(cached._report, fresh, changed, removed)
        acronyms = find_acronyms(s.text for s in sections if s.searchable)
        return cls(sections, matrix, rows, params, frequencies=+frequencies,
                   counts=PackedCounts.pack(tf, matrix, params.weights),
                   acronyms=acronyms, report=report, note_stats=stats)

    @property
    def _frequencies(self) -> dict[str, int]:
        """How often the notes use each word (loaded from a saved index only when first needed).

        A built index keeps them compactly and makes the dict on each call: only building the spelling
        table, saving and updating read them.
        """
        if isinstance(self._word_counts, _WordCounts):
            return self._word_counts.as_dict()
        if callable(self._word_counts):
            self._word_counts = dict(self._word_counts())
        return self._word_counts

    def _counted_tf(self) -> FloatArray:
        """The term counts (field-weighted tf) aligned with the matrix's postings."""
        if isinstance(self._counts, PackedCounts):
            return self._counts.unpack(self._matrix)  # not kept unpacked: only saving and updating read them
        if callable(self._counts):
            self._counts = self._counts()
        return self._counts

    def _term_counts(self) -> TermCounts:
        return TermCounts.from_matrix(self._matrix, self._counted_tf())

    # Inspection -----------------------------------------------------------------------------------------

    @property
    def sections(self) -> Sequence[Section]:
        """Every section, in folder and file order (navigation and empty sections included).

        A read-only sequence that makes each section when it is asked for (a built index keeps them column
        by column, a loaded one decodes them from the saved text): equal sections, not the same objects.
        """
        return self._sections

    @property
    def report(self) -> IngestReport:
        """What reading the notes folder found: files read, skipped and why."""
        return self._report

    @property
    def params(self) -> RetrieverParams:
        return self._params

    @property
    def fingerprint(self) -> str | None:
        """Digest of the notes folder this index was built from (None when built from records)."""
        return fingerprint(self._note_stats) if self._note_stats is not None else None

    def section(self, section_id: str) -> Section:
        """The section with this id. Raises KeyError naming the id when there is none."""
        position = self._sections.position(section_id)
        if position is None:
            raise KeyError(f"no section with id {section_id!r}")
        return self._sections[position]

    # Querying -------------------------------------------------------------------------------------------

    def _query(self, question: str, trace: _Trace | None = None) -> _Query:
        """The question as the index's terms; ``trace``, when given, is told how each word was read."""
        matrix = self._matrix
        term_of = self._analyzer.term
        shape_terms = self._analyzer.shape_terms
        vocabulary = matrix.vocabulary
        seen: set[str] = set()
        ids: list[int] = []
        mass = 0.0
        fixes = 0
        question_words = words(question)
        for word in question_words:
            term = term_of(word)
            if term is None or term in seen:
                if trace is not None and term is None:
                    trace.ignored.append(word)
                continue
            seen.add(term)
            term_id = vocabulary.get(term)
            if term_id is None and term in shape_terms:
                if trace is not None:  # "overview", "vs": the kind of answer wanted, not a topic the notes lack
                    trace.ignored.append(word)
                continue
            read_as = word
            if term_id is None and self._speller is not None and fixes < MAX_SPELLING_FIXES:
                fixes += 1
                fixed = self._speller.correct(word) or _STOP_WORD_SPELLER.correct(word)
                if fixed is not None:
                    fixed_term = term_of(fixed)
                    if fixed_term is None:  # a misspelt "what" or "meaning": a stop word, not a topic
                        if trace is not None:
                            trace.ignored.append(word)
                        continue
                    if trace is not None:
                        trace.corrected.append((word, fixed))
                    if fixed_term in seen:
                        continue
                    seen.add(fixed_term)
                    term_id = vocabulary.get(fixed_term)
                    read_as = fixed
            # Tried after the spelling (a typo is far commoner, and each way of cutting a word costs two stems).
            if term_id is None and (parts := self._compound_parts(word)):
                for part in map(term_of, parts):  # "bindmount" where the notes say "bind mount"
                    if part is not None and part not in seen:
                        seen.add(part)
                        ids.append(vocabulary[part])
                        mass += float(matrix.idf[vocabulary[part]])
                if trace is not None:
                    trace.compounds.append((word, " ".join(parts)))
                    trace.searched.extend(parts)
                continue
            if term_id is None:
                mass += matrix.unknown_idf
                if trace is not None:
                    trace.unknown.append(word)
            else:
                ids.append(term_id)
                mass += float(matrix.idf[term_id])
                if trace is not None:
                    trace.searched.append(read_as)
        known = float(matrix.idf[ids].sum()) if ids else 0.0
        extra = {i for term in seen if term in self._expansions for i in self._expansions[term]}
        if trace is None:
            extra.update(joined_term_ids(question_words, term_of, vocabulary))  # "docker file" -> "dockerfile"
        else:
            for first, second, term_id in joined_pairs(question_words, term_of, vocabulary):
                extra.add(term_id)
                trace.compounds.append((f"{first} {second}", first + second))
        extra.difference_update(ids)
        # Only counted words make a question: shape words and misspelt stop words alone leave nothing to ask.
        return _Query(tuple(ids), tuple(sorted(extra)), mass, known, mass > 0)

    def _compound_parts(self, word: str) -> tuple[str, str] | None:
        """The two words an unknown ``word`` is made of, where some section writes them apart."""
        term_of, vocabulary, matrix = self._analyzer.term, self._matrix.vocabulary, self._matrix
        for first, second in splits(word, term_of, vocabulary):
            a, b = vocabulary[term_of(first) or ""], vocabulary[term_of(second) or ""]
            together = np.intersect1d(
                matrix.indices[matrix.indptr[a] : matrix.indptr[a + 1]],
                matrix.indices[matrix.indptr[b] : matrix.indptr[b + 1]],
                assume_unique=True,
            )[:_COMPOUND_EVIDENCE]
            texts = [self._sections[row].text for row in self._rows[together].tolist()]
            if written_apart(first, second, texts):
                return first, second
        return None

    def _hits(self, query: _Query, k: int) -> list[Hit]:
        if not query.term_ids:
            return []
        order, scores, matched = self._matrix.top(query.term_ids, query.extra_ids, k)
        section_at, total = self._sections.returned, query.total_mass  # rows are valid: no bounds checks
        return [
            _hit(section_at(section), score, min(1.0, mass / total))
            for section, score, mass in zip(self._rows[order].tolist(), scores.tolist(), matched.tolist(), strict=True)
        ]

    def search(self, question: str, k: int = 5) -> list[Hit]:
        """The ``k`` best matching sections, best first (fewer when fewer sections share a word with it).

        Any text is accepted: a question with no searchable words (empty, punctuation, emoji, only stop
        words) returns an empty list.
        """
        if not isinstance(k, int) or isinstance(k, bool) or k < 1:
            raise ValueError(f"k must be a positive integer, got {k!r}")
        if not isinstance(question, str):
            raise TypeError(f"question must be a str, got {type(question).__name__}")
        return self._hits(self._query(question), k)

    def answer(self, question: str, *, suggestions: int = 3) -> Answer:
        """The section that answers ``question``, or an honest decline.

        The best section is returned when the notes know at least ``params.min_known`` of the question's
        idf-weighted words and the best section holds at least ``params.min_coverage`` of them; otherwise
        the answer has no hit (``Verdict.NOT_COVERED``, or ``EMPTY`` when the question has no searchable
        words); the closest sections are offered as suggestions when the notes know the question's words
        but no section holds enough of them (none when the question is mostly words the notes never use).
        When the runner-up is nearly as good (``params.tie_ratio``), the verdict is ``AMBIGUOUS``.
        """
        if not isinstance(question, str):
            raise TypeError(f"question must be a str, got {type(question).__name__}")
        if suggestions < 0:
            raise ValueError(f"suggestions must be 0 or more, got {suggestions!r}")
        query = self._query(question)
        if not query.has_terms:
            return Answer(question, None, (), Verdict.EMPTY)
        hits = self._hits(query, suggestions + 1)
        known = query.known_mass / query.total_mass
        if not hits or known < self._params.min_known:
            return Answer(question, None, (), Verdict.NOT_COVERED)  # mostly words the notes never use
        if hits[0].coverage < self._params.min_coverage:
            return Answer(question, None, tuple(hits[:suggestions]), Verdict.NOT_COVERED)
        best, rest = hits[0], tuple(hits[1 : suggestions + 1])
        tied = bool(rest) and rest[0].score >= self._params.tie_ratio * best.score
        return Answer(question, best, rest, Verdict.AMBIGUOUS if tied else Verdict.ANSWERED)

    def reading(self, question: str) -> Reading:
        """How ``question`` is read: the words searched for, the corrections, compounds and acronyms applied,
        the words the notes never use and the words left out, and the share of the question the notes know.

        The same reading ``search`` and ``answer`` make, written out: for showing why an answer was chosen or
        declined, or which words of a question to change.
        """
        if not isinstance(question, str):
            raise TypeError(f"question must be a str, got {type(question).__name__}")
        trace = _Trace()
        query = self._query(question, trace)
        term_of = self._analyzer.term
        acronyms = tuple(
            (word, " ".join(self._acronyms[word]))
            for word in dict.fromkeys(trace.searched)
            if word in self._acronyms and term_of(word) in self._expansions
        )
        return Reading(
            question=question,
            searched=tuple(dict.fromkeys(trace.searched)),
            corrected=tuple(dict.fromkeys(trace.corrected)),
            compounds=tuple(dict.fromkeys(trace.compounds)),
            acronyms=acronyms,
            unknown=tuple(dict.fromkeys(trace.unknown)),
            ignored=tuple(dict.fromkeys(trace.ignored)),
            known=query.known_mass / query.total_mass if query.total_mass else 0.0,
        )

    def score_text(self, question: str, passages: Sequence[str]) -> list[float]:
        """Score arbitrary passages (for example a long section's paragraphs) against ``question``.

        Uses the index's idf and weighting, so the scores rank passages the way the index ranks sections.
        """
        query = self._query(question)
        wanted = set(query.term_ids)
        inverse = {term_id: term for term, term_id in self._matrix.vocabulary.items() if term_id in wanted}
        k1 = self._params.weights.k1
        results = []
        for passage in passages:
            counts = Counter(self._analyzer.terms(passage))
            score = 0.0
            for term_id, term in inverse.items():
                tf = counts.get(term, 0)
                if tf:
                    score += float(self._matrix.idf[term_id]) * tf * (k1 + 1) / (tf + k1)
            results.append(score)
        return results

    # Persistence ----------------------------------------------------------------------------------------

    def save(self, directory: str | os.PathLike[str]) -> Path:
        """Write the index to ``directory`` as JSON and numpy arrays (never pickle). Returns the folder."""
        from index.storage import save_index

        return save_index(self, Path(directory))

    @classmethod
    def load(cls, directory: str | os.PathLike[str]) -> Retriever:
        """Load an index written by ``save``.

        Raises:
            FileNotFoundError: no saved index in ``directory``.
            IndexFormatError: the saved index is truncated, corrupted or of another format version.
        """
        from index.storage import load_index

        return load_index(Path(directory))
