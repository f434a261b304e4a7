"""The benchmark machinery, on a tiny corpus: it runs, reports the expected columns and sane values.

Speed is measured by ``python -m benchmarks``, never asserted here. Only this project's retriever and plain
scikit-learn are exercised, so no optional package is needed (the plot is checked when matplotlib is there).
"""

from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path

import pytest

from benchmarks.adapters import PROJECT, SKLEARN
from benchmarks.corpus import Doc, make_corpus, module_docstrings, sentences, shuffled, synthesise
from benchmarks.measure import WARM_UP, Result, interleaved_latency, measure, percentile, reciprocal_rank
from benchmarks.questions import Question, document_frequencies, make_questions, misspell
from benchmarks.report import COLUMNS, interleaved_table, markdown_table, write

MODULES = ("argparse", "json", "email", "http", "logging", "pathlib", "collections", "unittest", "csv", "zipfile")


@pytest.fixture(scope="module")
def docs() -> list[Doc]:
    pool = module_docstrings(MODULES)
    assert len(pool) >= 200, "the standard library should hold enough docstrings"
    return shuffled(pool, seed=1)[:200]


@pytest.fixture(scope="module")
def questions(docs: list[Doc]) -> list[Question]:
    return make_questions(docs, 12, df=document_frequencies(docs), n_docs=len(docs), seed=1)


def test_questions_come_in_clean_and_typo_pairs_with_one_edit(questions: list[Question], docs: list[Doc]) -> None:
    clean = [q for q in questions if q.kind == "clean"]
    typo = [q for q in questions if q.kind == "typo"]
    assert len(clean) == len(typo) == 12
    ids = {d.id for d in docs}
    for a, b in zip(clean, typo, strict=True):
        assert a.gold == b.gold and a.gold in ids
        changed = [(x, y) for x, y in zip(a.text.split(), b.text.split(), strict=True) if x != y]
        assert len(changed) == 1
        assert abs(len(changed[0][0]) - len(changed[0][1])) <= 1


def test_question_generation_is_seeded(docs: list[Doc]) -> None:
    df = document_frequencies(docs)
    assert make_questions(docs, 5, df=df, n_docs=200, seed=3) == make_questions(docs, 5, df=df, n_docs=200, seed=3)


def test_misspell_never_returns_a_known_word() -> None:
    import random

    rng = random.Random(0)
    for _ in range(50):
        typo = misspell("container", rng, {"container", "contaner"})
        assert typo is not None and typo not in {"container", "contaner"} and typo[0] == "c"


def test_synthesised_sections_are_marked_and_avoid_protected_ones(docs: list[Doc]) -> None:
    corpus = make_corpus(docs[:50], 120, seed=1, protected=frozenset(d.id for d in docs[:45]))
    assert (len(corpus.docs), corpus.real, corpus.synthetic) == (120, 50, 70)
    sources = {s for d in docs[45:50] for s in sentences(d.text)}
    for doc in corpus.docs[50:]:
        assert doc.id.startswith("synth:")
    assert any(s in sources for d in corpus.docs[50:] for s in sentences(d.text))
    assert synthesise(docs, 3, seed=2) == synthesise(docs, 3, seed=2)


def test_metrics() -> None:
    assert reciprocal_rank(["a", "b", "c"], "b") == 0.5
    assert reciprocal_rank(["a"], "z") == 0.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert math.isnan(percentile([], 50))


@pytest.fixture(scope="module")
def results(docs: list[Doc], questions: list[Question]) -> list[Result]:
    return [measure(system, docs, questions) for system in (PROJECT, SKLEARN)]


def test_every_measure_is_taken_and_sane(results: list[Result]) -> None:
    for result in results:
        assert result.note == "", result.note
        assert (result.size, result.questions) == (200, 24)
        for attr in ("build_s", "disk_mb", "save_s", "load_s", "p50_ms", "p99_ms", "qps", "index_mb"):
            value = getattr(result, attr)
            assert value > 0 and math.isfinite(value), (result.system, attr, value)
        assert result.p50_ms <= result.p99_ms
        for attr in ("top1_clean", "mrr_clean", "top1_typo", "mrr_typo"):
            assert 0.0 <= getattr(result, attr) <= 1.0
        assert result.top1_clean <= result.mrr_clean


def test_the_project_retriever_finds_known_items(results: list[Result]) -> None:
    project = next(r for r in results if r.system == PROJECT.name)
    assert project.top1_clean >= 0.5
    assert project.mrr_typo >= 0.3  # spelling correction recovers most one-edit typos


def test_the_report_has_the_expected_columns(results: list[Result], tmp_path: Path) -> None:
    skipped = Result("rank_bm25", 200, note="skipped: not installed")
    table = markdown_table([*results, skipped])
    header = table.splitlines()[0]
    for _, title, _ in COLUMNS:
        assert f"| {title} |" in header
    assert "| rank_bm25 | 200 | skipped: not installed |" in table
    path = write([*results, skipped], tmp_path, name="smoke", preamble="# Smoke", subject=PROJECT.name)
    text = path.read_text(encoding="utf-8")
    assert "| 200 | sklearn |" in text  # the ratio table
    rows = json.loads((tmp_path / "smoke.json").read_text(encoding="utf-8"))
    assert [r["system"] for r in rows] == ["notes-qa", "sklearn", "rank_bm25"]
    if importlib.util.find_spec("matplotlib") is not None:
        assert (tmp_path / "smoke.png").stat().st_size > 1000


class _Recorder:
    """A system's engine that notes who was asked what, in order."""

    def __init__(self, name: str, engine: object, log: list[tuple[str, str]]) -> None:
        self.name, self.engine, self.log = name, engine, log

    def search(self, question: str, k: int) -> list[str]:
        self.log.append((self.name, question))
        return self.engine.search(question, k)  # type: ignore[attr-defined, no-any-return]


def test_interleaved_latency_asks_every_system_each_question_in_turn(
    docs: list[Doc], questions: list[Question]
) -> None:
    log: list[tuple[str, str]] = []
    engines = {s.name: _Recorder(s.name, s.build(docs), log) for s in (PROJECT, SKLEARN)}
    times = interleaved_latency(engines, questions)  # type: ignore[arg-type]
    assert {name: len(t) for name, t in times.items()} == {PROJECT.name: len(questions), SKLEARN.name: len(questions)}
    assert all(t > 0 for ts in times.values() for t in ts)
    timed = log[2 * min(WARM_UP, len(questions)) :]
    pairs = [timed[i : i + 2] for i in range(0, len(timed), 2)]
    assert [{q for _, q in pair} for pair in pairs] == [{q.text} for q in questions]  # both, before the next
    assert [pair[0][0] for pair in pairs[:4]] == [PROJECT.name, SKLEARN.name] * 2  # who goes first rotates


def test_the_interleaved_table_gives_the_subject_as_a_multiple_of_each_system() -> None:
    rows = [
        Result("notes-qa", 1000, extra={"p50_interleaved_ms": 0.3, "p99_interleaved_ms": 0.5}),
        Result("bm25s-numba", 1000, extra={"p50_interleaved_ms": 0.1, "p99_interleaved_ms": 0.2}),
        Result("rank_bm25", 1000),
    ]
    table = interleaved_table(rows, "notes-qa")
    assert "| 1,000 | bm25s-numba | 0.100 | 0.200 | 3.00× |" in table
    assert "| 1,000 | notes-qa | 0.300 | 0.500 | 1.00× |" in table
    assert "rank_bm25" not in table
    assert interleaved_table(rows[2:], "notes-qa") == ""


def test_incremental_update_answers_like_a_full_rebuild(docs: list[Doc], questions: list[Question]) -> None:
    from benchmarks.incremental import measure_incremental

    clean = [q for q in questions if q.kind == "clean"]
    result = measure_incremental(docs, clean)
    assert (result.sections, result.files, result.questions) == (200, 2, len(clean))
    assert result.identical == result.questions
    assert min(result.full_build_s, result.cold_cache_s, result.update_s, result.unchanged_s) > 0
    assert "| 200 sections in 2 files |" in result.markdown()
