"""Where a question's time goes: notes-qa's search path taken apart, stage by stage, beside bm25s.

Each stage is a whole path from the question string to the ids of the ten best sections, and each one
does more of what ``Retriever.search`` does:

- **terms**: the question's analysis alone (words, stop words, stems, spelling, compounds, acronyms);
- **core**: + each term's postings added into one float per section (a compiled scatter-add per term) and
  the ten best found through block maxima: BM25-style scoring, the part bm25s also does (the heading
  bonus is in the stored weights, so it costs nothing here);
- **+ coverage**: + the share of the question each of the ten holds (what the decline rule reads): this
  stage is ``Ranking.top`` itself (up to 8,192 sections ``top`` sorts every score instead of reading
  block maxima, so there it is not exactly "core" plus the coverage);
- **search**: ``Retriever.search``, which also makes the ``Section`` and ``Hit`` objects it returns.

Every question is asked of every stage (and of bm25s) in turn, the first asker rotating, five times over,
and a question's time at a stage is its best of the five: the machine is shared, and a slow spell should
fall on all stages alike. The table gives p50 and p99 over the questions and the known-item top-1 of each
stage's ranking; what a part costs is the difference between two rows. The stages read the same
postings, so one stage warms the CPU caches for the next, and their times are those of warm caches: the
bm25s row gives the scale, while the ratio to quote is the main benchmark's, where each system answers
from its own data alone.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from benchmarks.adapters.base import Engine, System
from benchmarks.corpus import Doc
from benchmarks.measure import WARM_UP, K, percentile
from benchmarks.questions import Question
from index import Retriever
from index.ranking import _ONE, Ranking, scatter_add

StagePath = Callable[[str], list[str]]
"""From the question's text to the ids of the ``K`` best sections."""


@dataclass(frozen=True, slots=True)
class Stage:
    """One stage's latency (ms, each question's best of the repeats) and its known-item top-1."""

    name: str
    p50_ms: float
    p99_ms: float
    top1: float | None
    """None for the stage that ranks nothing ("terms")."""


def stages(retriever: Retriever, ids: Sequence[str]) -> dict[str, StagePath]:
    """The stages of the module docstring, each from question text to the ids of the ``K`` best."""
    matrix = retriever._matrix  # the stages take the search path apart, so they reach into it
    rows, query = retriever._rows, retriever._query

    def terms(question: str) -> list[str]:
        query(question)
        return []

    def core(question: str) -> list[str]:
        q = query(question)
        if not q.term_ids:
            return []
        every = [*q.term_ids, *q.extra_ids]
        work = matrix._work()
        work.scores.fill(0.0)
        ends = matrix.indptr[[t + 1 for t in every]].tolist()
        for start, end in zip(matrix.indptr[every].tolist(), ends, strict=True):
            scatter_add(work.scores, matrix.indices[start:end], matrix.data[start:end], _ONE, work.ptr)
        sections, _ = Ranking._best(work, K)
        return [ids[i] for i in rows[sections].tolist()]

    def ranked(question: str) -> list[str]:
        q = query(question)
        if not q.term_ids:
            return []
        sections = matrix.top(q.term_ids, q.extra_ids, K)[0]
        return [ids[i] for i in rows[sections].tolist()]

    def search(question: str) -> list[str]:
        return [hit.section.id for hit in retriever.search(question, K)]

    return {
        "terms": terms,
        "core": core,
        "+ coverage": ranked,
        "search": search,
    }


def time_paths(paths: dict[str, StagePath], questions: Sequence[Question], repeats: int) -> list[Stage]:
    """Each path's latency per question, its best of ``repeats``, and its top-1.

    Every question is asked of every path in turn, the first asker rotating: the machine's speed drifts
    from second to second, and asked one path after another each drift would land on one path only.
    """
    texts = [q.text for q in questions]
    names = list(paths)
    clock = time.perf_counter_ns
    for text in texts[:WARM_UP]:
        for path in paths.values():
            path(text)
    best = {name: np.full(len(texts), np.inf) for name in names}
    for repeat in range(repeats):
        for i, text in enumerate(texts):
            for j in range(len(names)):
                name = names[(i + j + repeat) % len(names)]
                start = clock()
                paths[name](text)
                best[name][i] = min(best[name][i], (clock() - start) / 1e6)
    stages_out = []
    for name, path in paths.items():
        top1 = None
        if name != "terms":
            found = [path(q.text) for q in questions]
            top1 = sum(bool(f) and f[0] == q.gold for f, q in zip(found, questions, strict=True)) / len(questions)
        latencies = best[name].tolist()
        stages_out.append(Stage(name, percentile(latencies, 50), percentile(latencies, 99), top1))
    return stages_out


def measure_anatomy(
    docs: Sequence[Doc], questions: Sequence[Question], *, repeats: int = 5, others: Sequence[System] = ()
) -> list[Stage]:
    """The stages of notes-qa's search at this corpus, then each of ``others`` (their ``search``), alike."""
    from benchmarks.adapters.project import ProjectEngine

    engine = ProjectEngine.from_sections(docs)
    ids = [d.id for d in docs]
    paths = stages(engine.retriever, ids)
    for system in others:
        if system.unavailable() is None:
            paths[system.name] = _searcher(system.build(docs))
    return time_paths(paths, questions, repeats)


def _searcher(engine: Engine) -> StagePath:
    def search(text: str) -> list[str]:
        return engine.search(text, K)

    return search


def markdown(size: int, stages_: Sequence[Stage]) -> str:
    """The table of one corpus size: each stage, and what it adds to the stage before it."""
    lines = [
        f"| {size:,} sections | p50 ms | p99 ms | p50 added | top-1 (known item) |",
        "|---|---|---|---|---|",
    ]
    previous = None
    for stage in stages_:
        added = "" if previous is None or stage.name not in _ORDER else f"+{stage.p50_ms - previous:.3f}"
        top1 = "–" if stage.top1 is None else f"{stage.top1:.3f}"
        lines.append(f"| {stage.name} | {stage.p50_ms:.3f} | {stage.p99_ms:.3f} | {added} | {top1} |")
        if stage.name in _ORDER:
            previous = stage.p50_ms
    return "\n".join(lines)


_ORDER = ("terms", "core", "+ coverage", "search")
