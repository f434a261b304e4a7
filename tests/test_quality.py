"""The quality gate: answer quality measured over labelled questions, asserted with thresholds.

Issue #3's targets where they are met, and otherwise what the retriever measurably achieves today (see
eval/EXPERIMENTS.md for the figures and for the targets not reached yet: the bundled notes' top-1 and MRR,
dockerlabs's margin over bm25s and curriculum's declines); a change that makes answers worse fails here. Questions
were written before the retriever was run on them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from index import Retriever
from index.evaluate import Report, evaluate
from tests.conftest import CORPUS, ROOT, shared_or_skip

EVAL = ROOT / "eval"


def by_system(reports: list[Report]) -> dict[str, Report]:
    return {r.system: r for r in reports}


def test_bundled_notes_own_questions() -> None:
    (report,) = evaluate(Retriever.from_directory(CORPUS), EVAL / "bundled.jsonl")
    m = report.overall
    assert m.questions >= 200
    assert m.top1 is not None and m.top1 >= 0.81  # target 0.90
    assert m.mrr5 is not None and m.mrr5 >= 0.87  # target 0.93
    assert m.declined_unanswerable is not None and m.declined_unanswerable >= 0.80
    assert m.wrongly_declined is not None and m.wrongly_declined <= 0.05


def test_bundled_notes_held_out_questions() -> None:
    """Questions written in the sixth session, after every retrieval experiment, and never tuned on: how the
    bundled notes fare on questions nobody fitted the retriever to (lower than on the questions above)."""
    (report,) = evaluate(Retriever.from_directory(CORPUS), EVAL / "bundled-holdout.jsonl")
    m = report.overall
    assert m.questions >= 80
    assert m.top1 is not None and m.top1 >= 0.70  # measured 0.76
    assert m.mrr5 is not None and m.mrr5 >= 0.80  # measured 0.85
    assert m.declined_unanswerable is not None and m.declined_unanswerable >= 0.70  # measured 0.82 (9 of 11)
    assert m.wrongly_declined is not None and m.wrongly_declined <= 0.08  # measured 0.071 (5 of 70)


@pytest.mark.parametrize("corpus", ["dockerlabs", "lz-qa", "curriculum"])
def test_third_party_corpora_beat_the_baselines(corpus: str) -> None:
    notes: Path = shared_or_skip("corpora", corpus)
    questions = EVAL / "corpora" / f"{corpus}.jsonl"
    reports = by_system(evaluate(Retriever.from_directory(notes), questions, baseline_names=["tfidf", "bm25s"]))
    ours, tfidf, bm25 = (reports[name].overall for name in ("notes-qa", "tfidf-sklearn", "bm25s"))
    assert ours.questions >= 60
    assert ours.top1 is not None and tfidf.top1 is not None and bm25.top1 is not None
    assert ours.top1 >= bm25.top1 + 0.06  # target 0.08 (met on lz-qa and curriculum; dockerlabs +0.069)
    assert ours.top1 >= tfidf.top1 + 0.15  # the target (dockerlabs +0.181, lz-qa +0.185, curriculum +0.167)
    assert ours.declined_unanswerable is not None and ours.declined_unanswerable >= 0.55  # target 0.60
    assert ours.wrongly_declined is not None and ours.wrongly_declined <= 0.08


# Floors for the held-out corpus questions: (lead over bm25s, lead over TF-IDF, declined, most wrongly declined).
# Measured 2026-11-29 (eleventh session): dockerlabs +0.13 / +0.23 / 0.80 / 0.065, lz-qa +0.09 / +0.18 / 0.80 /
# 0.091, curriculum +0.10 / +0.10 / 0.60 / 0.100 (issue #3's targets: +0.08 / +0.15 / 0.60 / 0.08).
HELD_OUT_FLOORS = {
    "dockerlabs": (0.10, 0.15, 0.60, 0.10),
    "lz-qa": (0.05, 0.12, 0.60, 0.10),
    "curriculum": (0.0, 0.0, 0.60, 0.14),
}


@pytest.mark.parametrize("corpus", sorted(HELD_OUT_FLOORS))
def test_third_party_corpora_held_out_questions(corpus: str) -> None:
    """Questions about each corpus written in the sixth session, after every retrieval experiment, and never
    tuned on (the stand-in for the issue's questions written outside the project)."""
    notes: Path = shared_or_skip("corpora", corpus)
    questions = EVAL / "holdout" / f"{corpus}.jsonl"
    reports = by_system(evaluate(Retriever.from_directory(notes), questions, baseline_names=["tfidf", "bm25s"]))
    ours, tfidf, bm25 = (reports[name].overall for name in ("notes-qa", "tfidf-sklearn", "bm25s"))
    over_bm25, over_tfidf, declined, wrongly = HELD_OUT_FLOORS[corpus]
    assert ours.questions >= 30
    assert ours.top1 is not None and tfidf.top1 is not None and bm25.top1 is not None
    assert ours.top1 >= bm25.top1 + over_bm25
    assert ours.top1 >= tfidf.top1 + over_tfidf
    assert ours.declined_unanswerable is not None and ours.declined_unanswerable >= declined
    assert ours.wrongly_declined is not None and ours.wrongly_declined <= wrongly

