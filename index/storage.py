"""Saving and loading an index as a self-describing folder of JSON and numpy arrays (no pickle).

Layout of a saved index::

    manifest.json     format name and version, library versions, parameters, the analysis (word lists
                      and stemming) it was made with, notes fingerprint, and the size and SHA-256 of
                      every other file (so damage is detected)
    vocabulary.json   the terms in row order, the acronyms the notes define, the spelling words
    frequencies.json  the notes' word frequencies (read only to update the index)
    report.json       the ingestion report
    sections.json     how many sections there are and how their arrays are laid out
    section_text.npy  the sections' strings as one UTF-8 byte array: per section its id, path, title,
                      trail (JSON), Markdown (empty when it equals the text) and plain text
    section_offsets.npy, section_meta.npy   where each string starts; level, line and flags per section
    indptr.npy, indices.npy, data.npy, idf.npy   the term-major weight matrix
    heading_count.npy per term, how many of its postings (the first ones) are in a section heading
    spell_*.npy       the spelling corrector's delete table and word counts
    tf.npy            per posting, the field-weighted term count, for updating the index when a few notes
                      change (with the postings and heading counts it gives back the per-section counts)
    rows.npy          the section behind each column

Arrays are loaded with ``allow_pickle=False`` and memory-mapped; a section is decoded from the text array
only when it is asked for. Files needed to answer questions are checked against their SHA-256 on load;
the ones needed only to update the index are checked when they are first read. The folder is written
next to its final place and renamed over it, so a crash mid-save leaves the previous index intact.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import operator
import os
import shutil
import tempfile
from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, fields
from functools import partial
from importlib import metadata
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

import numpy as np
import numpy.typing as npt

from index.analysis import fingerprint
from index.errors import IndexFormatError
from index.model import IngestReport, Section, SkippedFile
from index.spelling import SpellingCorrector
from index.weighting import TermMatrix, WeightParams

if TYPE_CHECKING:
    from index.retriever import Retriever

FORMAT = "notes-qa-index"
FORMAT_VERSION = 7  # 7: the heading bonus is in the weights (6: heading postings first in each row)
_ARRAYS = ("indptr", "indices", "data", "idf", "rows", "heading_count")
_SECTION_ARRAYS = ("section_text", "section_offsets", "section_meta")
_SPELL_ARRAYS = ("spell_checksums", "spell_ids", "spell_counts")
_COUNT_ARRAYS = ("tf",)
_LAZY = (*(f"{a}.npy" for a in _COUNT_ARRAYS), "frequencies.json")
_FIELDS = 6  # id, path, title, trail, markdown, text
_NAVIGATION, _MARKDOWN_IS_TEXT = 1, 2
_SECTIONS_LAYOUT = {
    "section_text": ["id", "path", "title", "trail (JSON)", "markdown (empty when it equals text)", "text"],
    "section_meta": ["level", "line", "flags"],
    "flags": {"navigation": _NAVIGATION, "markdown_is_text": _MARKDOWN_IS_TEXT},
}


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "unknown"


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_json(path: Path, value: Any) -> None:
    path.write_text(json.dumps(value, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


class _SectionSequence(Sequence[Section]):
    """A read-only sequence of sections made one at a time by ``_section`` (equal to, not the same as, the
    ``Section`` objects they were made from)."""

    __slots__ = ("_kept", "_kept_chars")

    KEEP_LIMIT = 1024
    """How many sections ``returned`` keeps made, at the most (a personal notes folder has a few hundred)."""

    KEEP_CHARS = 1 << 22
    """And how many characters of text they may hold (a saved index decodes a copy of each section's text)."""

    def __init__(self) -> None:
        self._kept: dict[int, Section] = {}
        self._kept_chars = 0

    def _section(self, i: int) -> Section:
        raise NotImplementedError

    def returned(self, i: int) -> Section:
        """The section at position ``i`` (which must be valid), for a search to return.

        Searches return the sections people ask about over and over, and making one costs microseconds
        (decoding it from a saved index, several times more); sections are immutable, so one object can
        serve every search. The first ``KEEP_LIMIT`` sections returned are kept made (fewer if their text
        reaches ``KEEP_CHARS``), and never let go: no search pays for clearing them, and an index of up
        to that many sections keeps every one.
        """
        # Safe from several threads: a dict's get and set are atomic, and two threads keeping at once can
        # only pass the bounds by a section or two.
        section = self._kept.get(i)
        if section is None:
            section = self._section(i)
            if len(self._kept) < self.KEEP_LIMIT and self._kept_chars < self.KEEP_CHARS:
                self._kept[i] = section
                self._kept_chars += len(section.text)
        return section

    def __len__(self) -> int:
        raise NotImplementedError

    @overload
    def __getitem__(self, index: int) -> Section: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[Section, ...]: ...
    def __getitem__(self, index: int | slice) -> Section | tuple[Section, ...]:
        if isinstance(index, slice):
            return tuple(self._section(i) for i in range(*index.indices(len(self))))
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("section index out of range")
        return self._section(index)

    def __iter__(self) -> Iterator[Section]:
        return (self._section(i) for i in range(len(self)))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]


class SectionStore(_SectionSequence):
    """The sections of a saved index, decoded one at a time from its text array (read-only, thread-safe)."""

    def __init__(self, text: npt.NDArray[np.uint8], offsets: npt.NDArray[np.int64], meta: npt.NDArray[np.int64]):
        super().__init__()
        self._text, self._offsets, self._meta = text, offsets, meta
        self._ids: dict[str, int] | None = None

    @staticmethod
    def encode(sections: Sequence[Section]) -> dict[str, npt.NDArray[Any]]:
        """The arrays that ``SectionStore`` reads, for ``sections``."""
        chunks: list[bytes] = []
        rows: list[tuple[int, int, int]] = []
        trails: dict[tuple[str, ...], str] = {}  # trails repeat along a file: each one is written as JSON once
        records = sections.records() if isinstance(sections, SectionTable) else map(_COLUMNS, sections)
        for id_, path, title, trail, level, line, markdown, text, navigation in records:
            same = markdown == text
            if (trail_json := trails.get(trail)) is None:
                trail_json = trails[trail] = json.dumps(list(trail), ensure_ascii=False)
            for value in (id_, path, title, trail_json, "" if same else markdown, text):
                chunks.append(value.encode("utf-8"))
            rows.append((level, line, (_NAVIGATION if navigation else 0) | (_MARKDOWN_IS_TEXT if same else 0)))
        meta = np.array(rows, dtype=np.int64).reshape(len(rows), 3)
        offsets = np.zeros(len(chunks) + 1, dtype=np.int64)
        np.cumsum([len(c) for c in chunks], out=offsets[1:])
        text = np.frombuffer(b"".join(chunks), dtype=np.uint8)
        return {"section_text": text, "section_offsets": offsets, "section_meta": meta}

    def _string(self, i: int, field: int) -> str:
        at = i * _FIELDS + field
        start, end = self._offsets[at : at + 2].tolist()
        return self._text[start:end].tobytes().decode("utf-8")

    def _section(self, i: int) -> Section:
        bounds = self._offsets[i * _FIELDS : (i + 1) * _FIELDS + 1].tolist()
        record = self._text[bounds[0] : bounds[-1]].tobytes()
        base = bounds[0]
        fields = [record[a - base : b - base].decode("utf-8") for a, b in pairwise(bounds)]
        level, line, flags = self._meta[i].tolist()
        return Section(
            id=fields[0],
            path=fields[1],
            title=fields[2],
            trail=tuple(json.loads(fields[3])) if fields[3] != "[]" else (),
            level=level,
            line=line,
            markdown=fields[5] if flags & _MARKDOWN_IS_TEXT else fields[4],
            text=fields[5],
            navigation=bool(flags & _NAVIGATION),
        )

    def __len__(self) -> int:
        return len(self._meta)

    def __repr__(self) -> str:
        return f"<{len(self)} sections of a saved index>"

    def position(self, section_id: str) -> int | None:
        """The position of the section with this id (the ids are decoded on the first call)."""
        if self._ids is None:
            self._ids = {self._string(i, 0): i for i in range(len(self))}
        return self._ids.get(section_id)


def _narrow(values: list[int]) -> array[int]:
    """``values`` in the smallest signed integer type that holds them all (an array indexes to Python ints)."""
    low, high = min(values, default=0), max(values, default=0)
    for code in "bhiq":
        limit = 1 << (8 * array(code).itemsize - 1)
        if -limit <= low and high < limit:
            return array(code, values)
    raise OverflowError(f"section numbers between {low} and {high} do not fit in 64 bits")


_FIELDS_OF_SECTION = tuple(f.name for f in fields(Section))  # id, path, title, trail, level, line, markdown, text,
# navigation: a field added to Section makes SectionTable fail loudly (unpacking) until it keeps that field too
_COLUMNS = operator.attrgetter(*_FIELDS_OF_SECTION)
_SET_FIELDS = tuple(vars(Section)[name].__set__ for name in _FIELDS_OF_SECTION)


class SectionTable(_SectionSequence):
    """Sections kept column by column, each ``Section`` made again when it is asked for (read-only, thread-safe).

    A built index keeps its sections this way: about half the memory of the ``Section`` objects, and the
    strings are the sections' own, not copies. Paths and trails, which repeat along a file, are kept once;
    the Markdown only when some section's differs from its text. Sections made here are equal to the ones
    given.
    """

    __slots__ = ("_ids", "_lines", "_markdown", "_meta", "_path_of", "_paths", "_positions", "_texts",
                 "_titles", "_trail_of", "_trails")

    def __init__(self, sections: Iterable[Section]) -> None:
        super().__init__()
        columns = tuple(zip(*map(_COLUMNS, sections), strict=True)) or ((),) * 9
        ids, paths, titles, trails, levels, lines, markdown, texts, navigation = columns
        self._ids: tuple[str, ...] = ids
        self._titles: tuple[str, ...] = titles
        self._texts: tuple[str, ...] = texts
        same = all(map(operator.eq, markdown, texts))
        self._markdown: tuple[str, ...] | None = None if same else markdown
        path_number: defaultdict[str, int] = defaultdict(itertools.count().__next__)
        trail_number: defaultdict[tuple[str, ...], int] = defaultdict(itertools.count().__next__)
        self._path_of = _narrow(list(map(path_number.__getitem__, paths)))
        self._trail_of = _narrow(list(map(trail_number.__getitem__, trails)))
        self._paths, self._trails = tuple(path_number), tuple(trail_number)
        self._lines = _narrow(list(lines))
        self._meta = _narrow([level * 2 + bool(nav) for level, nav in zip(levels, navigation, strict=True)])
        self._positions: dict[str, int] | None = None

    def _section(self, i: int) -> Section:
        # Section(...) at a fifth of the cost (a search makes one per hit): a frozen dataclass's __init__
        # goes through object.__setattr__ for each field; the slots are set directly here.
        meta = self._meta[i]
        text = self._texts[i]
        section = object.__new__(Section)
        set_id, set_path, set_title, set_trail, set_level, set_line, set_markdown, set_text, set_nav = _SET_FIELDS
        set_id(section, self._ids[i])
        set_path(section, self._paths[self._path_of[i]])
        set_title(section, self._titles[i])
        set_trail(section, self._trails[self._trail_of[i]])
        set_level(section, meta >> 1)
        set_line(section, self._lines[i])
        set_markdown(section, text if self._markdown is None else self._markdown[i])
        set_text(section, text)
        set_nav(section, bool(meta & 1))
        return section

    def records(self) -> Iterator[tuple[str, str, str, tuple[str, ...], int, int, str, str, bool]]:
        """Each section's fields in ``Section``'s order, without making the sections (for saving)."""
        markdown = self._texts if self._markdown is None else self._markdown
        paths, trails = self._paths, self._trails
        for id_, title, text, md, path, trail, line, meta in zip(
            self._ids, self._titles, self._texts, markdown, self._path_of, self._trail_of, self._lines, self._meta,
            strict=True,
        ):
            yield id_, paths[path], title, trails[trail], meta >> 1, line, md, text, bool(meta & 1)

    def __len__(self) -> int:
        return len(self._ids)

    def __repr__(self) -> str:
        return f"<{len(self)} sections>"

    def position(self, section_id: str) -> int | None:
        """The position of the section with this id (the look-up table is made on the first call)."""
        if self._positions is None:
            self._positions = {section_id: i for i, section_id in enumerate(self._ids)}
        return self._positions.get(section_id)


def save_index(retriever: Retriever, directory: Path) -> Path:
    """Write ``retriever`` to ``directory`` atomically (see the module docstring for the layout)."""
    matrix = retriever._matrix
    if directory.is_dir() and any(directory.iterdir()) and not (directory / "manifest.json").exists():
        raise FileExistsError(f"{directory} is not empty and holds no saved index: refusing to replace it")
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", dir=directory.parent))
    try:
        arrays: dict[str, npt.NDArray[Any]] = {
            "indptr": matrix.indptr,
            "indices": matrix.indices,
            "data": matrix.data,
            "idf": matrix.idf,
            "rows": np.asarray(retriever._rows, dtype=np.int64),
            "heading_count": matrix.heading_count,
        }
        sections = retriever.sections
        if isinstance(sections, SectionStore):
            arrays.update(section_text=sections._text, section_offsets=sections._offsets, section_meta=sections._meta)
        else:
            arrays.update(SectionStore.encode(sections))
        speller = retriever._speller or SpellingCorrector(retriever._frequencies)
        checksums, word_ids = speller.table()
        arrays.update(spell_checksums=checksums, spell_ids=word_ids.astype(np.int32), spell_counts=speller.counts)
        arrays["tf"] = np.asarray(retriever._counted_tf(), dtype=np.float32)
        for name, array in arrays.items():
            np.save(staging / f"{name}.npy", np.ascontiguousarray(array), allow_pickle=False)
        vocabulary = sorted(matrix.vocabulary, key=matrix.vocabulary.__getitem__)
        _write_json(
            staging / "vocabulary.json",
            {"terms": vocabulary, "acronyms": retriever._acronyms, "spelling": list(speller.words)},
        )
        _write_json(staging / "frequencies.json", retriever._frequencies)
        _write_json(staging / "report.json", asdict(retriever.report))
        _write_json(staging / "sections.json", {"count": len(sections), **_SECTIONS_LAYOUT})
        files = {
            p.name: {"size": p.stat().st_size, "sha256": _digest(p)} for p in sorted(staging.iterdir())
        }
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "versions": {name: _version(name) for name in ("notes-qa", "numpy", "scipy", "scikit-learn")},
            "params": asdict(retriever.params),
            "analysis": retriever._analyzer.fingerprint,
            "fingerprint": retriever.fingerprint,
            "note_stats": retriever._note_stats,
            "n_sections": len(sections),
            "n_docs": matrix.n_docs,
            "files": files,
        }
        _write_json(staging / "manifest.json", manifest)
        if directory.exists():
            retired = Path(tempfile.mkdtemp(prefix=f".{directory.name}.old.", dir=directory.parent))
            os.replace(directory, retired / "index")
            os.replace(staging, directory)
            shutil.rmtree(retired, ignore_errors=True)
        else:
            os.replace(staging, directory)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return directory


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IndexFormatError(f"{path.name} is unreadable: {exc}") from exc


def _verify(directory: Path, files: dict[str, dict[str, Any]], name: str) -> Path:
    """The path of ``name`` after checking its size and SHA-256 against the manifest."""
    entry = files[name]
    path = directory / name
    if not path.is_file():
        raise IndexFormatError(f"{name} is missing")
    if path.stat().st_size != entry["size"] or _digest(path) != entry["sha256"]:
        raise IndexFormatError(f"{name} is damaged (size or checksum differs from the manifest)")
    return path


def _array(path: Path) -> npt.NDArray[Any]:
    # A plain ndarray view of the memory map: indexing a np.memmap costs a Python call each time.
    return np.asarray(np.load(path, allow_pickle=False, mmap_mode="r"))


def load_index(directory: Path) -> Retriever:
    """Load and verify a saved index; see ``Retriever.load``."""
    from index.retriever import Retriever, RetrieverParams

    manifest_path = directory / "manifest.json"
    if not manifest_path.is_file():
        raise FileNotFoundError(f"no saved index in {directory} (manifest.json is missing)")
    manifest = _read_json(manifest_path)
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise IndexFormatError(f"{directory} is not a notes-qa index")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise IndexFormatError(
            f"index format version {manifest.get('format_version')!r} in {directory}; "
            f"this version of notes-qa reads version {FORMAT_VERSION}"
        )
    try:
        files: dict[str, dict[str, Any]] = manifest["files"]
        for name in _LAZY:
            if not (directory / name).is_file() or (directory / name).stat().st_size != files[name]["size"]:
                raise IndexFormatError(f"{name} is missing or truncated")
        arrays = {
            a: _array(_verify(directory, files, f"{a}.npy")) for a in (*_ARRAYS, *_SECTION_ARRAYS, *_SPELL_ARRAYS)
        }
        vocabulary = _read_json(_verify(directory, files, "vocabulary.json"))
        raw_report = _read_json(_verify(directory, files, "report.json"))
        raw_params = dict(manifest["params"])
        params = RetrieverParams(**{**raw_params, "weights": WeightParams(**raw_params["weights"])})
        if manifest.get("analysis") != fingerprint(stem=params.stem):
            raise IndexFormatError(
                "the saved index was made with other word lists or stemming (by another version of notes-qa)"
            )
        report = IngestReport(
            root=raw_report["root"],
            files=tuple(raw_report["files"]),
            skipped=tuple(SkippedFile(**s) for s in raw_report["skipped"]),
            warnings=tuple(SkippedFile(**s) for s in raw_report["warnings"]),
            ignored=tuple(raw_report["ignored"]),
        )
        terms: list[str] = vocabulary["terms"]
        matrix = TermMatrix(
            vocabulary={t: i for i, t in enumerate(terms)},
            indptr=arrays["indptr"],
            indices=arrays["indices"],
            data=arrays["data"],
            idf=arrays["idf"],
            n_docs=int(manifest["n_docs"]),
            heading_count=arrays["heading_count"],
        )
        if len(matrix.indptr) != len(terms) + 1 or any(
            len(a) != len(terms) for a in (matrix.idf, matrix.heading_count)
        ):
            raise IndexFormatError("the vocabulary and the arrays disagree in size")
        if (matrix.heading_count > np.diff(matrix.indptr)).any():
            raise IndexFormatError("the heading counts and the postings disagree")
        # Searching adds into one float per section through compiled code: every posting must name a section.
        indptr, indices = matrix.indptr, matrix.indices
        if indptr[0] != 0 or indptr[-1] != len(indices) or (np.diff(indptr) < 0).any() or (
            len(indices) and (int(indices.min()) < 0 or int(indices.max()) >= matrix.n_docs)
        ):
            raise IndexFormatError("the postings point outside the sections")
        expected = {"indptr": np.int64, "indices": np.int32, "data": np.float32, "idf": np.float32,
                    "heading_count": np.int32}
        if any(arrays[name].dtype != dtype or arrays[name].ndim != 1 for name, dtype in expected.items()):
            raise IndexFormatError("an array of the weight matrix has the wrong type")
        if len(arrays["rows"]) != matrix.n_docs:
            raise IndexFormatError("the section rows and the arrays disagree in size")
        layout = _read_json(_verify(directory, files, "sections.json"))
        n_sections = int(manifest["n_sections"])
        if layout != {"count": n_sections, **_SECTIONS_LAYOUT}:
            raise IndexFormatError("sections.json does not describe these sections")
        offsets = arrays["section_offsets"]
        if len(arrays["section_meta"]) != n_sections or len(offsets) != n_sections * _FIELDS + 1:
            raise IndexFormatError("the sections and their arrays disagree in size")
        if int(offsets[-1]) != len(arrays["section_text"]):
            raise IndexFormatError("the section text and its offsets disagree in size")
        sections = SectionStore(arrays["section_text"], offsets, arrays["section_meta"])
        spelling: list[str] = vocabulary["spelling"]
        if len(arrays["spell_counts"]) != len(spelling):
            raise IndexFormatError("the spelling words and their counts disagree in size")
        speller = SpellingCorrector.from_table(
            spelling, arrays["spell_counts"], arrays["spell_checksums"], arrays["spell_ids"]
        )
    except IndexFormatError:
        raise
    except (KeyError, TypeError, ValueError, OSError) as exc:
        raise IndexFormatError(f"{directory} has an unexpected layout: {exc!r}") from exc
    raw_stats = manifest.get("note_stats")
    stats = {str(p): (int(v[0]), int(v[1])) for p, v in raw_stats.items()} if raw_stats is not None else None
    return Retriever(
        sections,
        matrix,
        arrays["rows"],
        params,
        frequencies=partial(_load_frequencies, directory, files),
        counts=partial(_load_counts, directory, files, len(matrix.data)),
        speller=speller,
        acronyms=vocabulary["acronyms"],
        report=report,
        note_stats=stats,
    )


def _load_frequencies(directory: Path, files: dict[str, dict[str, Any]]) -> dict[str, int]:
    """The notes' word frequencies (needed only to update the index)."""
    frequencies = _read_json(_verify(directory, files, "frequencies.json"))
    if not isinstance(frequencies, dict):
        raise IndexFormatError("frequencies.json has an unexpected layout")
    return frequencies


def _load_counts(directory: Path, files: dict[str, dict[str, Any]], postings: int) -> npt.NDArray[np.float32]:
    """The saved term counts aligned with the postings (needed only to update the index)."""
    tf: npt.NDArray[np.float32] = np.load(_verify(directory, files, "tf.npy"), allow_pickle=False)
    if tf.shape != (postings,) or tf.dtype != np.float32:
        raise IndexFormatError("the saved term counts and the postings disagree")
    return tf
