"""Measuring one retriever on one corpus: time, disk, memory, latency, throughput and accuracy.

Memory is measured two ways, both reported:

* ``index_mb`` and ``build_peak_mb``: with :mod:`tracemalloc` (Python objects and numpy buffers), during a
  second build of the same corpus: what the built index keeps (after a few warm-up questions, so lazily built
  parts such as a spelling table count) and the peak while building. Build *time* comes from the first
  build, which runs without tracemalloc (tracing slows Python code down).
* ``rss_peak_mb``: the rise of the process's peak resident set (``VmHWM`` in ``/proc/self/status``, reset
  through ``/proc/self/clear_refs`` before the timed build) over the resident set before it, and
  ``rss_kept_mb``: the rise of the resident set once built and asked every question. They count
  everything, C allocations included, but are coarse (the allocator keeps some freed memory), so they are
  the figures for corpora too big for a traced second build.

Latency is per question, the whole path from the question string to the ids of the top 10 sections, after
warm-up questions that are not timed. ``interleaved_latency`` measures it again for several systems at once,
each question asked of every one in turn, so a slow spell of the machine falls on all of them. Speed is
measured here and never asserted in tests.
"""

from __future__ import annotations

import gc
import logging
import math
import shutil
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.adapters.base import Engine, System
from benchmarks.corpus import Doc
from benchmarks.questions import Question

log = logging.getLogger(__name__)

K = 10
WARM_UP = 20
MB = 1024 * 1024


@dataclass(slots=True)
class Result:
    """One row of the report: one system on one corpus size. NaN where not measured."""

    system: str
    size: int
    synthetic: int = 0
    questions: int = 0
    build_s: float = math.nan
    index_mb: float = math.nan
    build_peak_mb: float = math.nan
    rss_peak_mb: float = math.nan
    rss_kept_mb: float = math.nan
    disk_mb: float = math.nan
    save_s: float = math.nan
    load_s: float = math.nan
    loaded_mb: float = math.nan
    p50_ms: float = math.nan
    p99_ms: float = math.nan
    p50_clean_ms: float = math.nan
    p50_typo_ms: float = math.nan
    qps: float = math.nan
    top1_clean: float = math.nan
    mrr_clean: float = math.nan
    top1_typo: float = math.nan
    mrr_typo: float = math.nan
    extra: dict[str, float] = field(default_factory=dict)
    note: str = ""


# Process memory -----------------------------------------------------------------------------------------


def _status_kib(key: str) -> float:
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith(key + ":"):
                    return float(line.split()[1])
    except OSError:
        pass
    return math.nan


def rss_mb() -> float:
    """Current resident set size of this process, MiB (NaN where /proc is missing)."""
    return _status_kib("VmRSS") / 1024


def peak_rss_mb() -> float:
    """Peak resident set size since start or the last :func:`reset_peak_rss`, MiB."""
    return _status_kib("VmHWM") / 1024


def reset_peak_rss() -> bool:
    """Reset the kernel's peak-RSS mark to the current RSS (Linux); False when that is not possible."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as handle:
            handle.write("5")
        return True
    except OSError:
        return False


def folder_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / MB


# Accuracy -----------------------------------------------------------------------------------------------


def reciprocal_rank(ranked: Sequence[str], gold: str) -> float:
    """1/rank of ``gold`` in ``ranked`` (first occurrence), 0 when it is not there."""
    for rank, found in enumerate(ranked, start=1):
        if found == gold:
            return 1.0 / rank
    return 0.0


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100), linear interpolation; NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _latency_and_accuracy(engine: Engine, questions: Sequence[Question], result: Result) -> None:
    for question in questions[:WARM_UP]:
        engine.search(question.text, K)
    times: dict[str, list[float]] = {"clean": [], "typo": []}
    ranks: dict[str, list[float]] = {"clean": [], "typo": []}
    clock = time.perf_counter_ns
    for question in questions:
        start = clock()
        ranked = engine.search(question.text, K)
        elapsed = clock() - start
        times[question.kind].append(elapsed / 1e6)
        ranks[question.kind].append(reciprocal_rank(ranked, question.gold))
    every = times["clean"] + times["typo"]
    result.p50_ms = percentile(every, 50)
    result.p99_ms = percentile(every, 99)
    result.p50_clean_ms = percentile(times["clean"], 50)
    result.p50_typo_ms = percentile(times["typo"], 50)
    for kind in ("clean", "typo"):
        if ranks[kind]:
            setattr(result, f"top1_{kind}", sum(r == 1.0 for r in ranks[kind]) / len(ranks[kind]))
            setattr(result, f"mrr_{kind}", statistics.fmean(ranks[kind]))
    texts = [q.text for q in questions]
    start = clock()
    engine.search_many(texts, K)
    result.qps = len(texts) / ((clock() - start) / 1e9)


def _traced_build(system: System, docs: Sequence[Doc], questions: Sequence[Question], result: Result) -> None:
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        engine = system.build(docs)
        peak = tracemalloc.get_traced_memory()[1]
        for question in [*questions[:WARM_UP], *[q for q in questions if q.kind == "typo"][:5]]:
            engine.search(question.text, K)
        gc.collect()
        kept = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    result.index_mb = (kept - before) / MB
    result.build_peak_mb = (peak - before) / MB
    del engine
    gc.collect()


def _traced_load(system: System, directory: Path) -> float:
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        engine = system.load(directory)
        kept = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    del engine
    return (kept - before) / MB


def measure(
    system: System,
    docs: Sequence[Doc],
    questions: Sequence[Question],
    *,
    synthetic: int = 0,
    trace_memory: bool = True,
    workdir: Path | None = None,
) -> Result:
    """Every measure of ``system`` on ``docs``; see the module docstring for how each is taken."""
    result = Result(system.name, len(docs), synthetic, len(questions))
    gc.collect()
    rss_before = rss_mb()
    peak_resettable = reset_peak_rss()
    start = time.perf_counter()
    engine = system.build(docs)
    result.build_s = time.perf_counter() - start
    if peak_resettable:
        result.rss_peak_mb = peak_rss_mb() - rss_before

    log.debug("%s: built in %.1f s", system.name, result.build_s)
    start = time.perf_counter()
    _latency_and_accuracy(engine, questions, result)
    log.debug("%s: questions asked in %.1f s", system.name, time.perf_counter() - start)
    gc.collect()
    result.rss_kept_mb = rss_mb() - rss_before
    first = [engine.search(q.text, K)[:1] for q in questions[:20]]

    phase = time.perf_counter()
    folder = Path(tempfile.mkdtemp(prefix=f"bench-{system.name}-", dir=workdir))
    try:
        target = folder / "index"
        target.mkdir()
        start = time.perf_counter()
        engine.save(target)
        result.save_s = time.perf_counter() - start
        result.disk_mb = folder_mb(target)
        del engine
        gc.collect()
        start = time.perf_counter()
        loaded = system.load(target)
        result.load_s = time.perf_counter() - start
        if [loaded.search(q.text, K)[:1] for q in questions[:20]] != first:
            result.note = "loaded index answers differently from the built one!"
        del loaded
        gc.collect()
        if trace_memory:
            result.loaded_mb = _traced_load(system, target)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    log.debug("%s: saved and loaded in %.1f s", system.name, time.perf_counter() - phase)
    if trace_memory:
        start = time.perf_counter()
        _traced_build(system, docs, questions, result)
        log.debug("%s: traced build in %.1f s", system.name, time.perf_counter() - start)
    gc.collect()
    return result


def interleaved_latency(engines: Mapping[str, Engine], questions: Sequence[Question]) -> dict[str, list[float]]:
    """Each engine's latency per question (ms), every question asked of every engine before the next one.

    The machine's speed drifts from minute to minute (other tenants share it). Measured one system after
    another, a slow spell can fall on one system only; asked in turn, in an order that rotates so that no
    engine always goes first, the systems share it, and their ratio is steadier.
    """
    names = list(engines)
    for question in questions[:WARM_UP]:
        for name in names:
            engines[name].search(question.text, K)
    times: dict[str, list[float]] = {name: [] for name in names}
    clock = time.perf_counter_ns
    for i, question in enumerate(questions):
        for j in range(len(names)):
            name = names[(i + j) % len(names)]
            start = clock()
            engines[name].search(question.text, K)
            times[name].append((clock() - start) / 1e6)
    return times
