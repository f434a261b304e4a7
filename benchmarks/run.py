"""One benchmark run: corpora of each size, their questions, every system measured in this one process."""

from __future__ import annotations

import gc
import logging
import platform
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.adapters.base import System
from benchmarks.adapters.project import ProjectEngine
from benchmarks.anatomy import Stage, measure_anatomy
from benchmarks.corpus import Doc, load_pool, make_corpus, shuffled
from benchmarks.incremental import IncrementalResult, measure_incremental
from benchmarks.measure import Result, interleaved_latency, measure, percentile
from benchmarks.questions import Fragments, Question, document_frequencies, make_questions

log = logging.getLogger(__name__)

QUICK_SIZES = (1_000, 10_000)
FULL_SIZES = (1_000, 10_000, 100_000, 1_000_000)
TRACE_LIMIT = 200_000
"""Above this many sections memory is read from RSS only: a traced second build would double a long run."""

BIG_QUESTIONS = 100
"""Above ``TRACE_LIMIT`` sections every system is asked only this many clean (and as many typo) questions:
plain scikit-learn takes about half a second a question at 1M sections."""


@dataclass(frozen=True, slots=True)
class Plan:
    """What to run."""

    sizes: tuple[int, ...]
    systems: tuple[System, ...]
    questions: int = 300
    seed: int = 6
    cache_dir: Path = Path("benchmarks/results/.cache")
    trace_limit: int = TRACE_LIMIT
    records: bool = False
    """Also time ``Retriever.from_records`` (through the Markdown splitter) for notes-qa."""
    interleaved: bool = True
    """Up to ``trace_limit`` sections, build every system again and measure their latency interleaved."""


def _shuffled_pool(plan: Plan) -> tuple[list[Doc], Counter[str]]:
    """The harvested pool in the plan's seeded order, and the document frequencies of its words up to the
    plan's largest size (they pick each question's rarest window)."""
    order = shuffled(load_pool(plan.cache_dir), seed=plan.seed)
    return order, document_frequencies(order[: min(max(plan.sizes), len(order))])


def run(plan: Plan, *, on_result: Callable[[Sequence[Result]], None] | None = None) -> tuple[list[Result], str]:
    """Measure every system at every size; returns the results and a description of the corpora."""
    started = time.perf_counter()
    order, df = _shuffled_pool(plan)
    log.info("pool of %d real sections ready in %.1f s", len(order), time.perf_counter() - started)
    results: list[Result] = []
    notes = [
        f"Pool: {len(order):,} real sections (docstrings of the standard library and site-packages, man pages), "
        f"deduplicated; corpora are prefixes of one shuffle (seed {plan.seed}). Question fragments occur "
        "once in their corpus's real sections."
    ]
    for size in plan.sizes:
        real = order[: min(size, len(order))]
        fragments = Fragments(real)
        questions = make_questions(
            real, plan.questions, df=df, n_docs=len(real), seed=plan.seed + size, fragments=fragments
        )
        del fragments
        golds = frozenset(q.gold for q in questions)
        corpus = make_corpus(order, size, seed=plan.seed, protected=golds)
        if corpus.synthetic:
            notes.append(
                f"{size:,} sections: {corpus.real:,} real + {corpus.synthetic:,} synthesised (a real section's "
                "sentences, 2/3 kept, plus one sentence of another; vocabulary does not grow as a real corpus's would)."
            )
        log.info("%s sections, %d questions", f"{size:,}", len(questions))
        for system in plan.systems:
            reason = system.unavailable()
            if reason is None and system.max_size is not None and size > system.max_size:
                reason = f"above {system.max_size:,} sections (too slow to be worth the wait)"
            if reason is not None:
                results.append(Result(system.name, size, corpus.synthetic, note=f"skipped: {reason}"))
                log.info("  %-14s skipped: %s", system.name, reason)
                continue
            trace = size <= plan.trace_limit and system.trace_memory
            asked = questions
            caps = [c for c in (system.question_cap, BIG_QUESTIONS if size > plan.trace_limit else None) if c]
            if caps:
                clean = [q for q in questions if q.kind == "clean"][: min(caps)]
                asked = clean + [q for q in questions if q.kind == "typo"][: min(caps)]
            result = measure(system, corpus.docs, asked, synthetic=corpus.synthetic, trace_memory=trace)
            if size > plan.trace_limit:
                result.note = (result.note + " memory from RSS only").strip()
            if system.name == "notes-qa" and plan.records and size <= plan.trace_limit:
                gc.collect()
                start = time.perf_counter()
                ProjectEngine.from_records(corpus.docs)
                result.extra["build_from_records_s"] = time.perf_counter() - start
                gc.collect()
            results.append(result)
            log.info(
                "  %-14s build %7.2f s  p50 %8.3f ms  p99 %8.3f ms  index %8.1f MB  load %6.3f s  top-1 %.3f/%.3f",
                system.name,
                result.build_s,
                result.p50_ms,
                result.p99_ms,
                result.index_mb,
                result.load_s,
                result.top1_clean,
                result.top1_typo,
            )
            if on_result is not None:
                on_result(results)
        if plan.interleaved and size <= plan.trace_limit:
            _interleave(plan, size, corpus.docs, questions, results)
            if on_result is not None:
                on_result(results)
        del corpus
        gc.collect()
    notes.append(
        f"Machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}, "
        f"run took {(time.perf_counter() - started) / 60:.1f} min."
    )
    return results, "\n".join(f"- {n}" for n in notes)


def _interleave(
    plan: Plan, size: int, docs: Sequence[Doc], questions: Sequence[Question], results: list[Result]
) -> None:
    """Latency again, with every system built at once and each question asked of all of them in turn
    (systems limited to a few questions are left out); stored as ``p50_interleaved_ms`` and
    ``p99_interleaved_ms`` in each row's ``extra``."""
    chosen = [
        s for s in plan.systems
        if s.unavailable() is None and s.question_cap is None and (s.max_size is None or size <= s.max_size)
    ]
    if len(chosen) < 2:
        return
    engines = {s.name: s.build(docs) for s in chosen}
    times = interleaved_latency(engines, questions)
    del engines
    gc.collect()
    for result in results:
        if result.size == size and result.system in times:
            result.extra["p50_interleaved_ms"] = percentile(times[result.system], 50)
            result.extra["p99_interleaved_ms"] = percentile(times[result.system], 99)
    log.info(
        "  interleaved    %s",
        "  ".join(f"{n} p50 {percentile(t, 50):.3f} ms p99 {percentile(t, 99):.3f} ms" for n, t in times.items()),
    )


def run_incremental(plan: Plan) -> list[IncrementalResult]:
    """The incremental-rebuild measurement at each size of the plan (real sections only)."""
    order, df = _shuffled_pool(plan)
    results = []
    for size in plan.sizes:
        real = order[: min(size, len(order))]
        questions = [
            q for q in make_questions(real, 100, df=df, n_docs=len(real), seed=plan.seed + size) if q.kind == "clean"
        ]
        log.info("incremental rebuild at %s sections", f"{len(real):,}")
        results.append(measure_incremental(real, questions))
        log.info("  %s", results[-1])
    return results


def run_anatomy(plan: Plan, repeats: int = 5) -> list[tuple[int, list[Stage]]]:
    """``benchmarks.anatomy`` at each size of the plan, on the corpora and questions of a normal run."""
    order, df = _shuffled_pool(plan)
    results = []
    for size in plan.sizes:
        real = order[: min(size, len(order))]
        questions = make_questions(
            real, plan.questions, df=df, n_docs=len(real), seed=plan.seed + size, fragments=Fragments(real)
        )
        clean = [q for q in questions if q.kind == "clean"]
        corpus = make_corpus(order, size, seed=plan.seed, protected=frozenset(q.gold for q in clean))
        log.info("anatomy of a search at %s sections, %d questions", f"{size:,}", len(clean))
        results.append((size, measure_anatomy(corpus.docs, clean, repeats=repeats, others=plan.systems)))
        for stage in results[-1][1]:
            log.info("  %-16s p50 %7.3f ms  p99 %7.3f ms", stage.name, stage.p50_ms, stage.p99_ms)
        del corpus
        gc.collect()
    return results
