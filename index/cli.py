"""``python -m index``: build an index, search it, and list what was ingested.

    python -m index build    --notes DIR [--cache-dir DIR]
    python -m index search   "question" --notes DIR [--cache-dir DIR] [-k 5] [--explain] [--json]
    python -m index sections --notes DIR [--json]

Exit codes: 0 success (``search``: the notes answer), 1 the notes do not answer, 2 usage or notes error.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

from index.errors import NotesQAError
from index.model import Hit, Reading
from index.retriever import Retriever

DEFAULT_NOTES = Path(__file__).resolve().parent.parent / "corpus"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m index", description="Index a notes folder and query it.")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--notes", type=Path, default=DEFAULT_NOTES, help="notes folder (default: bundled notes)")
    common.add_argument("--cache-dir", type=Path, default=None, help="where the saved index lives")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("build", parents=[common], help="build (or refresh) the saved index")
    search = commands.add_parser("search", parents=[common], help="search the notes")
    search.add_argument("question")
    search.add_argument("-k", type=int, default=5, help="number of results (default 5)")
    search.add_argument("--explain", action="store_true",
                        help="also show how the question was read (words searched, corrected, left out...)")
    search.add_argument("--json", action="store_true", help="print JSON")
    sections = commands.add_parser("sections", parents=[common], help="list sections and skipped files")
    sections.add_argument("--json", action="store_true", help="print JSON")
    return parser


def _hit_json(hit: Hit) -> dict[str, object]:
    s = hit.section
    return {"id": s.id, "title": s.title, "trail": list(s.trail), "source": s.source,
            "score": round(hit.score, 4), "coverage": round(hit.coverage, 4)}


def _pairs(pairs: Sequence[tuple[str, str]]) -> str:
    return ", ".join(f"{typed} -> {read}" for typed, read in pairs)


def _reading_lines(reading: Reading, min_known: float) -> list[str]:
    """How the question was read, one line a kind of word (kinds with no words are left out)."""
    lines = [
        f"{label}: {text}"
        for label, text in (
            ("searched for", ", ".join(reading.searched)),
            ("corrected", _pairs(reading.corrected)),
            ("compounds", _pairs(reading.compounds)),
            ("acronyms", _pairs(reading.acronyms)),
            ("not in the notes", ", ".join(reading.unknown)),
            ("left out", ", ".join(reading.ignored)),
        )
        if text
    ]
    lines.append(f"the notes know {reading.known:.0%} of the question's weight (an answer needs {min_known:.0%})")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = _parser().parse_args(argv)
    if args.command == "search" and args.k < 1:
        print("error: -k must be 1 or more", file=sys.stderr)
        return 2
    started = time.perf_counter()
    try:
        retriever = Retriever.from_directory(args.notes, cache_dir=args.cache_dir)
    except NotesQAError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    elapsed = time.perf_counter() - started
    if args.command == "build":
        searchable = sum(s.searchable for s in retriever.sections)
        where = f", saved in {args.cache_dir}" if args.cache_dir else ""
        print(f"{len(retriever.sections)} sections ({searchable} searchable) from "
              f"{len(retriever.report.files)} files in {elapsed:.2f}s{where}")
        for skipped in retriever.report.skipped:
            print(f"skipped {skipped.path}: {skipped.reason}")
        return 0
    if args.command == "search":
        answer = retriever.answer(args.question, suggestions=max(args.k - 1, 0))
        hits = [answer.hit, *answer.suggestions] if answer.hit else list(answer.suggestions)
        reading = retriever.reading(args.question) if args.explain else None
        if args.json:
            found: dict[str, object] = {"question": args.question, "verdict": answer.verdict.value,
                                        "answered": answer.answered, "hits": [_hit_json(h) for h in hits]}
            if reading is not None:
                found["reading"] = {**asdict(reading), "known": round(reading.known, 4)}
            print(json.dumps(found, ensure_ascii=False, indent=2))
        else:
            if reading is not None:
                print("\n".join([*_reading_lines(reading, retriever.params.min_known), ""]))
            if not answer.answered:
                print("The notes don't answer that." + (" Closest sections:" if hits else ""))
            for n, hit in enumerate(hits, start=1):
                print(f"{n}. {hit.section.title}  ({hit.section.source}, score {hit.score:.2f}, "
                      f"coverage {hit.coverage:.2f})")
        return 0 if answer.answered else 1
    report = retriever.report
    if args.json:
        print(json.dumps({"report": asdict(report), "sections": [
            {"id": s.id, "title": s.title, "trail": list(s.trail), "line": s.line,
             "navigation": s.navigation, "searchable": s.searchable} for s in retriever.sections
        ]}, ensure_ascii=False, indent=2))
        return 0
    for s in retriever.sections:
        flag = " [navigation]" if s.navigation else "" if s.searchable else " [empty]"
        print(f"{s.id}  {' > '.join((*s.trail, s.title))}{flag}")
    print(f"\n{len(retriever.sections)} sections from {len(report.files)} files; "
          f"{len(report.skipped)} skipped, {len(report.warnings)} with warnings, "
          f"{len(report.ignored)} other files ignored")
    for item in report.skipped:
        print(f"skipped {item.path}: {item.reason}")
    for item in report.warnings:
        print(f"warning {item.path}: {item.reason}")
    return 0
