"""The anatomy of a search (``python -m benchmarks --anatomy``): its stages are real parts of the search path.

Times are not asserted (speed is measured by the benchmark, never by the tests). What is checked is that
each stage does what its name says, so that the differences between the rows can be read as the cost of
each part: the last three stages answer exactly as ``Retriever.search`` does ("core" by summing the stored
term weights, which hold the heading bonus, as the definition does), and "terms" ranks nothing.
"""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.adapters.project import ProjectEngine
from benchmarks.anatomy import Stage, markdown, stages, time_paths
from benchmarks.corpus import Doc, module_docstrings, shuffled
from benchmarks.measure import K
from benchmarks.questions import Question, document_frequencies, make_questions
from index import Retriever


@pytest.fixture(scope="module")
def docs() -> list[Doc]:
    return shuffled(module_docstrings(("argparse", "json", "email", "logging", "pathlib", "unittest")), seed=2)[:300]


@pytest.fixture(scope="module")
def questions(docs: list[Doc]) -> list[Question]:
    made = make_questions(docs, 15, df=document_frequencies(docs), n_docs=len(docs), seed=2)
    return [q for q in made if q.kind == "clean"]


@pytest.fixture(scope="module")
def retriever(docs: list[Doc]) -> Retriever:
    return ProjectEngine.from_sections(docs).retriever


def test_the_last_stages_answer_exactly_as_search_does(
    retriever: Retriever, docs: list[Doc], questions: list[Question]
) -> None:
    paths = stages(retriever, [d.id for d in docs])
    assert list(paths) == ["terms", "core", "+ coverage", "search"]
    for question in questions:
        searched = [hit.section.id for hit in retriever.search(question.text, K)]
        assert searched, question.text
        assert paths["+ coverage"](question.text) == searched
        assert paths["search"](question.text) == searched
        assert paths["core"](question.text) == searched  # the same ranking; only coverage is left out
        assert paths["terms"](question.text) == []


def test_core_ranks_by_summed_term_weights(retriever: Retriever, docs: list[Doc], questions: list[Question]) -> None:
    paths = stages(retriever, [d.id for d in docs])
    matrix = retriever._matrix
    for question in questions:
        query = retriever._query(question.text)
        weights = np.zeros(matrix.n_docs, dtype=np.float32)
        for term in (*query.term_ids, *query.extra_ids):
            start, end = matrix.indptr[term], matrix.indptr[term + 1]
            weights[matrix.indices[start:end]] += matrix.data[start:end]
        columns = sorted(np.flatnonzero(weights).tolist(), key=lambda c: (-weights[c], c))[:K]
        expected = [docs[i].id for i in retriever._rows[columns].tolist()]
        assert paths["core"](question.text) == expected


def test_each_stage_is_timed_and_scored(retriever: Retriever, docs: list[Doc], questions: list[Question]) -> None:
    paths = stages(retriever, [d.id for d in docs])
    measured = time_paths(paths, questions, repeats=2)
    assert [s.name for s in measured] == list(paths)
    for stage in measured:
        assert 0 < stage.p50_ms <= stage.p99_ms
    assert measured[0].top1 is None
    searched = [retriever.search(q.text, K) for q in questions]
    expected = sum(bool(h) and h[0].section.id == q.gold for h, q in zip(searched, questions, strict=True))
    assert measured[-1].top1 == expected / len(questions)


def test_the_table_gives_what_each_stage_adds_to_the_one_before() -> None:
    table = markdown(
        1000,
        [Stage("terms", 0.02, 0.03, None), Stage("core", 0.08, 0.1, 0.9), Stage("+ coverage", 0.11, 0.2, 0.91),
         Stage("bm25s-numba", 0.05, 0.06, 0.88)],
    )
    rows = [line.split("|")[1:-1] for line in table.splitlines()[2:]]
    assert [r[0].strip() for r in rows] == ["terms", "core", "+ coverage", "bm25s-numba"]
    assert [r[3].strip() for r in rows] == ["", "+0.060", "+0.030", ""]
    assert rows[0][4].strip() == "–" and rows[2][4].strip() == "0.910"
