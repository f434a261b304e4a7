"""``python -m benchmarks``: the quick run (1k and 10k sections); ``--full`` adds 100k and 1M.

Writes ``benchmarks/results/<name>.md``, ``.png`` and ``.json``. Progress goes to stderr; the path of the
Markdown report is printed on stdout.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from benchmarks import anatomy, incremental
from benchmarks.adapters import ALL
from benchmarks.adapters.base import System
from benchmarks.measure import Result
from benchmarks.report import write
from benchmarks.run import FULL_SIZES, QUICK_SIZES, Plan, run, run_anatomy, run_incremental

RESULTS = Path(__file__).resolve().parent / "results"


def _parser() -> argparse.ArgumentParser:
    systems = [s.name for s in ALL]
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="1k, 10k, 100k and 1M (synthesised) sections")
    parser.add_argument("--sizes", type=lambda s: tuple(int(x) for x in s.split(",")), help="e.g. 1000,10000")
    parser.add_argument(
        "--questions", type=int, default=None, help="clean questions per size, as many typo ones (200, --full 300)"
    )
    parser.add_argument("--systems", type=lambda s: s.split(","), default=None, help=f"any of {','.join(systems)}")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--name", default=None, help="report file name (default: quick or full)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument(
        "--incremental", action="store_true", help="only measure the update of a cached index after one file changed"
    )
    parser.add_argument(
        "--anatomy",
        action="store_true",
        help="only time notes-qa's search stage by stage (terms, scoring, coverage, hits), "
        "beside the other systems (default sizes 1000,100000)",
    )
    parser.add_argument("--verbose", action="store_true", help="log the time of every phase")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs every index build at INFO
    if args.verbose:
        logging.getLogger("benchmarks").setLevel(logging.DEBUG)
    sizes = args.sizes or (FULL_SIZES if args.full else QUICK_SIZES)
    candidates = tuple(ALL)
    if args.systems:
        unknown = set(args.systems) - {s.name for s in candidates}
        if unknown:
            print(f"unknown systems {sorted(unknown)}; choose from {[s.name for s in candidates]}", file=sys.stderr)
            return 2
        candidates = tuple(s for s in candidates if s.name in args.systems)
    if args.incremental:
        return _incremental(args, tuple(args.sizes or (10_000,)))
    if args.anatomy:
        # Beside bm25s only, unless told: plain scikit-learn would take most of the run at 100k sections.
        others = tuple(s for s in candidates if s.name != "notes-qa" and (args.systems or s.name.startswith("bm25s")))
        return _anatomy(args, tuple(args.sizes or (1_000, 100_000)), others)
    name = args.name or ("full" if args.full else "quick")
    plan = Plan(
        sizes=tuple(sizes),
        systems=candidates,
        questions=args.questions or (300 if args.full else 200),
        seed=args.seed,
        cache_dir=args.out / ".cache",
        records=args.full,
    )
    preamble = f"# Benchmark ({name}: {', '.join(f'{s:,}' for s in sizes)} sections)\n\nSystems:\n\n" + "\n".join(
        f"- **{s.name}**: {s.description}" for s in candidates
    )

    def save(results: Sequence[Result], notes: str = "- (run in progress)") -> None:
        write(
            results,
            args.out,
            name=name,
            preamble=f"{preamble}\n\nCorpora:\n\n{notes}",
            subject="notes-qa",
            with_plot=False,
        )

    results, notes = run(plan, on_result=save)
    path = write(results, args.out, name=name, preamble=f"{preamble}\n\nCorpora:\n\n{notes}", subject="notes-qa")
    print(path)
    return 0


def _incremental(args: argparse.Namespace, sizes: tuple[int, ...]) -> int:
    results = run_incremental(Plan(sizes=sizes, systems=(), seed=args.seed, cache_dir=args.out / ".cache"))
    path = args.out / f"{args.name or 'incremental'}.md"
    tables = "\n\n".join(r.markdown() for r in results)
    path.write_text(f"# Incremental rebuild\n\n{incremental.__doc__}\n{tables}\n", encoding="utf-8")
    print(path)
    return 0


def _anatomy(args: argparse.Namespace, sizes: tuple[int, ...], others: tuple[System, ...]) -> int:
    plan = Plan(sizes=sizes, systems=others, questions=args.questions or 300, seed=args.seed,
                cache_dir=args.out / ".cache")
    results = run_anatomy(plan)
    path = args.out / f"{args.name or 'anatomy'}.md"
    tables = "\n\n".join(anatomy.markdown(size, stages) for size, stages in results)
    path.write_text(f"# Anatomy of a search\n\n{anatomy.__doc__}\n{tables}\n", encoding="utf-8")
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
