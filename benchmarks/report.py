"""Writing the results: a Markdown table (with ratios to the reference systems), a PNG plot, raw JSON."""

from __future__ import annotations

import importlib.util
import json
import math
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

from benchmarks.measure import Result

COLUMNS: tuple[tuple[str, str, str], ...] = (
    # (Result attribute, header, format)
    ("build_s", "build s", "{:.2f}"),
    ("index_mb", "index MB", "{:.1f}"),
    ("build_peak_mb", "build peak MB", "{:.0f}"),
    ("rss_peak_mb", "RSS peak MB", "{:.0f}"),
    ("rss_kept_mb", "RSS kept MB", "{:.0f}"),
    ("disk_mb", "disk MB", "{:.1f}"),
    ("load_s", "load s", "{:.3f}"),
    ("loaded_mb", "loaded MB", "{:.1f}"),
    ("p50_ms", "p50 ms", "{:.3f}"),
    ("p99_ms", "p99 ms", "{:.3f}"),
    ("p50_typo_ms", "p50 typo ms", "{:.3f}"),
    ("qps", "batch q/s", "{:,.0f}"),
    ("top1_clean", "top-1 clean", "{:.3f}"),
    ("mrr_clean", "MRR@10 clean", "{:.3f}"),
    ("top1_typo", "top-1 typo", "{:.3f}"),
    ("mrr_typo", "MRR@10 typo", "{:.3f}"),
)
"""The table's measured columns, after ``system`` and ``sections``."""

RATIOS = ("p50_ms", "p99_ms", "build_s", "index_mb", "load_s")


def _cell(value: float, fmt: str) -> str:
    return "–" if value is None or (isinstance(value, float) and math.isnan(value)) else fmt.format(value)


def _size(result: Result) -> str:
    label = f"{result.size:,}"
    if result.synthetic:
        label += f" ({result.synthetic:,} synth.)"
    return label


def markdown_table(results: Sequence[Result]) -> str:
    """One row per system and size, sizes ascending; skipped systems show their reason."""
    header = ["system", "sections", *(h for _, h, _ in COLUMNS)]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for result in sorted(results, key=lambda r: r.size):
        if result.note.startswith("skipped"):
            lines.append(f"| {result.system} | {_size(result)} | {result.note} |" + " |" * (len(COLUMNS) - 1))
            continue
        cells = [_cell(getattr(result, attr), fmt) for attr, _, fmt in COLUMNS]
        lines.append("| " + " | ".join([result.system, _size(result), *cells]) + " |")
    return "\n".join(lines)


def ratio_table(results: Sequence[Result], subject: str, references: Sequence[str]) -> str:
    """``subject``'s measures divided by each reference's, per size (below 1 means ``subject`` is better)."""
    by_key = {(r.system, r.size): r for r in results}
    sizes = sorted({r.size for r in results})
    header = ["sections", "vs", *(next(h for a, h, _ in COLUMNS if a == attr) for attr in RATIOS)]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for size in sizes:
        mine = by_key.get((subject, size))
        for reference in references:
            theirs = by_key.get((reference, size))
            if mine is None or theirs is None:
                continue
            cells = []
            for attr in RATIOS:
                a, b = getattr(mine, attr), getattr(theirs, attr)
                cells.append("–" if math.isnan(a) or math.isnan(b) or b == 0 else f"{a / b:.2f}×")
            lines.append("| " + " | ".join([f"{size:,}", reference, *cells]) + " |")
    return "\n".join(lines)


INTERLEAVED = ("p50_interleaved_ms", "p99_interleaved_ms")


def interleaved_table(results: Sequence[Result], subject: str) -> str:
    """The latency measured with every system asked each question in turn, and ``subject``'s p50 as a
    multiple of each system's (empty when no row has it)."""
    rows = [r for r in results if all(k in r.extra for k in INTERLEAVED)]
    mine = {r.size: r.extra["p50_interleaved_ms"] for r in rows if r.system == subject}
    if not rows:
        return ""
    lines = [f"| sections | system | p50 ms | p99 ms | {subject} p50 ÷ this p50 |", "|---|---|---|---|---|"]
    for r in sorted(rows, key=lambda r: r.size):
        ratio = f"{mine[r.size] / r.extra['p50_interleaved_ms']:.2f}×" if r.size in mine else "–"
        lines.append(
            f"| {r.size:,} | {r.system} | {r.extra['p50_interleaved_ms']:.3f} | {r.extra['p99_interleaved_ms']:.3f} "
            f"| {ratio} |"
        )
    return "\n".join(lines)


def extras(results: Sequence[Result]) -> str:
    """Measures outside the tables (``Result.extra``), one line each."""
    lines = []
    for result in sorted(results, key=lambda r: (r.size, r.system)):
        for key, value in result.extra.items():
            if key in INTERLEAVED:
                continue
            lines.append(
                f"- {result.system} at {result.size:,} sections: {key} = {value:.3g} (build_s = {result.build_s:.3g})"
            )
    return "\n".join(lines)


def _points(results: Sequence[Result], system: str, attr: str) -> list[tuple[int, float]]:
    values = ((r.size, getattr(r, attr)) for r in results if r.system == system)
    return sorted((size, value) for size, value in values if not math.isnan(value) and value > 0)


def plot(results: Sequence[Result], path: Path) -> None:
    """p50 latency, index memory and build time against corpus size, log-log, one line per system.

    Memory is tracemalloc's where measured; sizes measured by RSS only (1M) are drawn as hollow markers
    with the RSS kept, joined by a dotted line.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = (
        ("p50_ms", "p50 latency (ms)"),
        ("index_mb", "index memory (MB; tracemalloc, hollow: RSS kept)"),
        ("build_s", "build (s)"),
    )
    figure, axes = plt.subplots(1, len(panels), figsize=(15, 4.5))
    systems = list(dict.fromkeys(r.system for r in results))
    for axis, (attr, label) in zip(axes, panels, strict=True):
        for n, system in enumerate(systems):
            colour = f"C{n}"
            points = _points(results, system, attr)
            if points:
                xs, ys = zip(*points, strict=True)
                axis.plot(xs, ys, marker="o", color=colour, label=system)
            if attr == "index_mb":
                rss_only = {r.size for r in results if r.system == system and "RSS only" in r.note}
                rss = [(s, v) for s, v in _points(results, system, "rss_kept_mb") if s in rss_only]
                if rss:
                    joined = points[-1:] + rss  # dotted: from the last traced size to the RSS-only ones
                    xs, ys = zip(*joined, strict=True)
                    axis.plot(xs, ys, linestyle=":", color=colour)
                    axis.plot(*zip(*rss, strict=True), marker="o", linestyle="", color=colour, markerfacecolor="none")
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.set_xlabel("sections")
        axis.set_title(label, fontsize=10)
        axis.grid(True, which="both", alpha=0.3)
    axes[0].legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def write(
    results: Sequence[Result], directory: Path, *, name: str, preamble: str, subject: str, with_plot: bool = True
) -> Path:
    """Write ``<name>.md``, ``<name>.png`` and ``<name>.json`` to ``directory``; returns the Markdown path.

    The plot is left out when matplotlib is not installed (it is a benchmark-only dependency).
    """
    directory.mkdir(parents=True, exist_ok=True)
    references = [s for s in dict.fromkeys(r.system for r in results) if s != subject]
    markdown = directory / f"{name}.md"
    markdown.write_text(
        f"{preamble}\n\n{markdown_table(results)}\n\n"
        f"Ratios of {subject} to the others (below 1× means {subject} is faster or smaller):\n\n"
        f"{ratio_table(results, subject, references)}\n\n"
        + (
            "Latency measured again with every system built at once and each question asked of all of them in "
            "turn, so that a slow spell of the shared machine falls on all alike (each system's data is also "
            "pushed out of the CPU caches by the others between questions, so every figure is higher than in "
            f"the table above):\n\n"
            f"{interleaved_table(results, subject)}\n\n"
            if interleaved_table(results, subject)
            else ""
        )
        + (f"Other measures:\n\n{extras(results)}\n\n" if extras(results) else "")
        + f"![latency and memory]({name}.png)\n",
        encoding="utf-8",
    )
    (directory / f"{name}.json").write_text(
        json.dumps([asdict(r) for r in results], indent=1, default=str), encoding="utf-8"
    )
    if with_plot and results and importlib.util.find_spec("matplotlib") is not None:
        plot(results, directory / f"{name}.png")
    return markdown
