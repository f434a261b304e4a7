"""Saving and loading an index: plain data, the same answers, damage detected and rebuilt."""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from index import IndexFormatError, Retriever, RetrieverParams, storage

TINY = Path(__file__).parent / "notes" / "tiny"
QUESTIONS = ["kernel", "symbolic link", "sourdough", "daemon background process", "weather in paris"]


@pytest.fixture
def notes(tmp_path: Path) -> Path:
    copy = tmp_path / "notes"
    shutil.copytree(TINY, copy)
    return copy


def results(retriever: Retriever) -> list[object]:
    return [
        [(h.section.id, round(h.score, 5), round(h.coverage, 5)) for h in retriever.search(q, k=10)]
        + [retriever.answer(q).verdict]
        for q in QUESTIONS
    ]


def test_round_trip_gives_the_same_sections_and_answers(notes: Path, tmp_path: Path) -> None:
    built = Retriever.from_directory(notes)
    built.save(tmp_path / "saved")
    loaded = Retriever.load(tmp_path / "saved")
    assert loaded.sections == built.sections
    assert loaded.report == built.report
    assert loaded.params == built.params
    assert results(loaded) == results(built)


def test_the_saved_index_is_plain_json_and_numpy_arrays(notes: Path, tmp_path: Path) -> None:
    Retriever.from_directory(notes).save(tmp_path / "saved")
    names = sorted(p.name for p in (tmp_path / "saved").iterdir())
    assert all(name.endswith((".json", ".npy")) for name in names)
    manifest = json.loads((tmp_path / "saved" / "manifest.json").read_text())
    assert manifest["format"] == "notes-qa-index" and manifest["format_version"] == storage.FORMAT_VERSION
    assert set(manifest["versions"]) == {"notes-qa", "numpy", "scipy", "scikit-learn"}
    assert manifest["params"]["min_coverage"] == RetrieverParams().min_coverage
    for name in names:
        if name.endswith(".npy"):
            assert np.load(tmp_path / "saved" / name, allow_pickle=False).dtype != object


def test_cache_is_reused_when_notes_are_unchanged(notes: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    Retriever.from_directory(notes, cache_dir=cache)
    stamp = (cache / "manifest.json").stat().st_mtime_ns
    again = Retriever.from_directory(notes, cache_dir=cache)
    assert (cache / "manifest.json").stat().st_mtime_ns == stamp
    assert again.answer("sourdough").hit is not None


@pytest.mark.parametrize("change", ["add", "edit", "remove"])
def test_cache_is_rebuilt_when_a_file_changes(notes: Path, tmp_path: Path, change: str) -> None:
    cache = tmp_path / "cache"
    Retriever.from_directory(notes, cache_dir=cache)
    if change == "add":
        (notes / "docker.md").write_text("# Docker volumes\nVolumes keep container data.\n")
    elif change == "edit":
        with (notes / "cooking.txt").open("a") as handle:
            handle.write("\n<h2>Docker volumes</h2>\nVolumes keep container data.\n")
    else:
        (notes / "linux" / "files.md").unlink()
    rebuilt = Retriever.from_directory(notes, cache_dir=cache)
    assert Retriever.load(cache).fingerprint == rebuilt.fingerprint
    titles = {s.title for s in rebuilt.sections}
    if change == "remove":
        assert "Symbolic links" not in titles
    else:
        assert "Docker volumes" in titles


def damage_truncate(folder: Path) -> None:
    data = folder / "data.npy"
    data.write_bytes(data.read_bytes()[:-7])


def damage_random_bytes(folder: Path) -> None:
    sections = folder / "section_text.npy"
    raw = bytearray(sections.read_bytes())
    raw[10:20] = os.urandom(10)
    sections.write_bytes(bytes(raw))


def _edit_manifest(folder: Path, edit: Callable[[dict[str, Any]], object]) -> None:
    manifest = json.loads((folder / "manifest.json").read_text())
    edit(manifest)
    (folder / "manifest.json").write_text(json.dumps(manifest))


def damage_version(folder: Path) -> None:
    _edit_manifest(folder, lambda m: m.update(format_version=99))


def damage_analysis(folder: Path) -> None:
    """As saved by a notes-qa whose word lists or stemming differ from this one's."""
    _edit_manifest(folder, lambda m: m.update(analysis="0" * 16))


def damage_no_analysis(folder: Path) -> None:
    """As saved before the manifest named its analysis."""
    _edit_manifest(folder, lambda m: m.pop("analysis"))


def damage_manifest(folder: Path) -> None:
    (folder / "manifest.json").write_text("{not json")


def damage_missing_array(folder: Path) -> None:
    (folder / "idf.npy").unlink()


DAMAGE = [
    damage_truncate, damage_random_bytes, damage_version, damage_analysis, damage_no_analysis, damage_manifest,
    damage_missing_array,
]


@pytest.mark.parametrize("damage", DAMAGE, ids=lambda f: f.__name__)
def test_damaged_index_is_detected_on_load(notes: Path, tmp_path: Path, damage: object) -> None:
    Retriever.from_directory(notes).save(tmp_path / "saved")
    damage(tmp_path / "saved")  # type: ignore[operator]
    with pytest.raises(IndexFormatError):
        Retriever.load(tmp_path / "saved")


def _rewrite_consistently(folder: Path, name: str, array: np.ndarray) -> None:
    """Replace an array and update the manifest's size and checksum, as a deliberately made index would."""
    import hashlib

    np.save(folder / f"{name}.npy", array, allow_pickle=False)
    raw = (folder / f"{name}.npy").read_bytes()
    entry = {"size": len(raw), "sha256": hashlib.sha256(raw).hexdigest()}
    _edit_manifest(folder, lambda m: m["files"].update({f"{name}.npy": entry}))


def posting_past_the_last_section(folder: Path) -> None:
    indices = np.load(folder / "indices.npy")
    indices[len(indices) // 2] = 10**6
    _rewrite_consistently(folder, "indices", indices)


def postings_as_wide_integers(folder: Path) -> None:
    _rewrite_consistently(folder, "indices", np.load(folder / "indices.npy").astype(np.int64))


def more_heading_postings_than_postings(folder: Path) -> None:
    counts = np.load(folder / "heading_count.npy")
    counts[0] = 10**6
    _rewrite_consistently(folder, "heading_count", counts)


@pytest.mark.parametrize(
    "damage", [posting_past_the_last_section, postings_as_wide_integers, more_heading_postings_than_postings]
)
def test_an_index_with_valid_checksums_but_impossible_arrays_is_refused(
    notes: Path, tmp_path: Path, damage: object
) -> None:
    """Searching adds into one float per section in compiled code: an array that would make it write
    outside its memory is refused on load, whatever the manifest claims."""
    Retriever.from_directory(notes).save(tmp_path / "saved")
    damage(tmp_path / "saved")  # type: ignore[operator]
    with pytest.raises(IndexFormatError):
        Retriever.load(tmp_path / "saved")


@pytest.mark.parametrize("damage", DAMAGE, ids=lambda f: f.__name__)
def test_damaged_cache_is_rebuilt_with_a_warning(
    notes: Path, tmp_path: Path, damage: object, caplog: pytest.LogCaptureFixture
) -> None:
    cache = tmp_path / "cache"
    reference = results(Retriever.from_directory(notes, cache_dir=cache))
    damage(cache)  # type: ignore[operator]
    with caplog.at_level(logging.WARNING, logger="index"):
        rebuilt = Retriever.from_directory(notes, cache_dir=cache)
    assert results(rebuilt) == reference
    assert any("rebuilding the saved index" in r.getMessage() for r in caplog.records)
    Retriever.load(cache)  # the rebuilt cache is whole again


def test_loading_a_folder_without_an_index_says_so(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no saved index"):
        Retriever.load(tmp_path)


def test_an_unwritable_cache_folder_still_gives_a_retriever(
    notes: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where a folder should be")
    with caplog.at_level(logging.WARNING, logger="index"):
        retriever = Retriever.from_directory(notes, cache_dir=blocker / "cache")
    assert retriever.answer("sourdough").hit is not None
    assert any("could not save the index" in r.getMessage() for r in caplog.records)


def test_saving_never_replaces_a_folder_that_is_not_an_index(notes: Path, tmp_path: Path) -> None:
    documents = tmp_path / "Documents"
    documents.mkdir()
    (documents / "thesis.md").write_text("years of work")
    with pytest.raises(FileExistsError, match="holds no saved index: refusing to replace it"):
        Retriever.from_directory(notes).save(documents)
    assert (documents / "thesis.md").read_text() == "years of work"
