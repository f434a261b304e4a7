"""Saving and loading an index as a self-describing folder of JSON and numpy arrays (no pickle).

Layout of a saved index::

    manifest.json     format name and version, library versions, parameters, notes fingerprint,
                      and the size and SHA-256 of every other file (so damage is detected)
    sections.json     the sections (ids, paths, titles, trails, lines, Markdown and plain text)
    vocabulary.json   the terms in row order, the notes' word frequencies (for spelling correction)
                      and the acronyms they define
    report.json       the ingestion report
    indptr.npy, indices.npy, data.npy, idf.npy   the term-major weight matrix
    heading_data.npy  per posting, the term's share of its section heading (for the heading boost)
    tf_*.npy, titles_*.npy   per-section term counts, for updating the index when a few notes change
    rows.npy          the section behind each column

Arrays are loaded with ``allow_pickle=False`` and memory-mapped. The folder is written next to its final
place and renamed over it, so a crash mid-save leaves the previous index intact.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import asdict
from functools import partial
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from index.errors import IndexFormatError
from index.model import IngestReport, Section, SkippedFile
from index.weighting import TermCounts, TermMatrix, WeightParams

if TYPE_CHECKING:
    from index.retriever import Retriever

FORMAT = "notes-qa-index"
FORMAT_VERSION = 4
_ARRAYS = ("indptr", "indices", "data", "idf", "rows", "heading_data", "max_weight", "max_share")
_COUNT_ARRAYS = ("tf_indptr", "tf_indices", "tf_data", "titles_indptr", "titles_indices", "titles_data")
_JSONS = ("sections", "vocabulary", "report")


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


def save_index(retriever: Retriever, directory: Path) -> Path:
    """Write ``retriever`` to ``directory`` atomically (see the module docstring for the layout)."""
    matrix = retriever._matrix
    if directory.is_dir() and any(directory.iterdir()) and not (directory / "manifest.json").exists():
        raise FileExistsError(f"{directory} is not empty and holds no saved index: refusing to replace it")
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", dir=directory.parent))
    try:
        arrays = {
            "indptr": matrix.indptr,
            "indices": matrix.indices,
            "data": matrix.data,
            "idf": matrix.idf,
            "rows": retriever._rows,
            "heading_data": matrix.heading_data,
            "max_weight": matrix.max_weight,
            "max_share": matrix.max_share,
        }
        counts = retriever._term_counts()
        for name, matrix_ in (("tf", counts.tf), ("titles", counts.titles)):
            arrays[f"{name}_indptr"] = matrix_.indptr.astype(np.int64)
            arrays[f"{name}_indices"] = matrix_.indices.astype(np.int32)
            arrays[f"{name}_data"] = matrix_.data.astype(np.float32)
        for name, array in arrays.items():
            np.save(staging / f"{name}.npy", np.ascontiguousarray(array), allow_pickle=False)
        vocabulary = sorted(matrix.vocabulary, key=matrix.vocabulary.__getitem__)
        _write_json(staging / "sections.json", [asdict(s) for s in retriever.sections])
        _write_json(
            staging / "vocabulary.json",
            {"terms": vocabulary, "frequencies": retriever._frequencies, "acronyms": retriever._acronyms},
        )
        _write_json(staging / "report.json", asdict(retriever.report))
        files = {
            p.name: {"size": p.stat().st_size, "sha256": _digest(p)} for p in sorted(staging.iterdir())
        }
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "versions": {name: _version(name) for name in ("notes-qa", "numpy", "scipy", "scikit-learn")},
            "params": asdict(retriever.params),
            "fingerprint": retriever.fingerprint,
            "note_stats": retriever._note_stats,
            "n_sections": len(retriever.sections),
            "n_docs": matrix.n_docs,
            "exact_terms": matrix.exact_terms,
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
        for name in (*(f"{a}.npy" for a in (*_ARRAYS, *_COUNT_ARRAYS)), *(f"{j}.json" for j in _JSONS)):
            entry = files[name]
            path = directory / name
            if not path.is_file():
                raise IndexFormatError(f"{name} is missing")
            if path.stat().st_size != entry["size"] or _digest(path) != entry["sha256"]:
                raise IndexFormatError(f"{name} is damaged (size or checksum differs from the manifest)")
        # Plain ndarray views of the memory maps: indexing a np.memmap costs a Python call each time.
        arrays: dict[str, Any] = {
            a: np.asarray(np.load(directory / f"{a}.npy", allow_pickle=False, mmap_mode="r")) for a in _ARRAYS
        }
        vocabulary = _read_json(directory / "vocabulary.json")
        raw_sections = _read_json(directory / "sections.json")
        raw_report = _read_json(directory / "report.json")
        raw_params = dict(manifest["params"])
        params = RetrieverParams(**{**raw_params, "weights": WeightParams(**raw_params["weights"])})
        sections = [Section(**{**s, "trail": tuple(s["trail"])}) for s in raw_sections]
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
            heading_data=arrays["heading_data"],
            heading_boost=params.weights.heading_boost,
            max_weight=arrays["max_weight"],
            max_share=arrays["max_share"],
            exact_terms=int(manifest["exact_terms"]),
        )
        if len(matrix.indptr) != len(terms) + 1 or any(
            len(a) != len(terms) for a in (matrix.idf, matrix.max_weight, matrix.max_share)
        ):
            raise IndexFormatError("the vocabulary and the arrays disagree in size")
        if len(arrays["rows"]) != matrix.n_docs:
            raise IndexFormatError("the section rows and the arrays disagree in size")
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
        frequencies=vocabulary["frequencies"],
        counts=partial(_load_counts, directory, matrix.vocabulary, len(arrays["rows"])),
        acronyms=vocabulary["acronyms"],
        report=report,
        note_stats=stats,
    )


def _load_counts(directory: Path, vocabulary: dict[str, int], n_docs: int) -> TermCounts:
    """The saved term counts (needed only to update the index), memory-mapped."""
    import scipy.sparse as sp

    shape = (n_docs, len(vocabulary))
    parts = []
    for name in ("tf", "titles"):
        loaded = [np.load(directory / f"{name}_{a}.npy", allow_pickle=False) for a in ("data", "indices", "indptr")]
        parts.append(sp.csr_matrix(tuple(loaded), shape=shape))
    return TermCounts(vocabulary, parts[0], parts[1])
