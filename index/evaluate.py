"""Answer quality as numbers: score a retriever (and baselines) on labelled questions.

    python -m index.evaluate QUESTIONS.jsonl --notes DIR [--baselines tfidf,bm25s] [--details] [--json]

A questions file holds one JSON object per line: ``{"q": ..., "gold": [...], "kind": ...}``. ``gold``
names the sections that answer the question, each as a section id (``path#slug``), a heading text
(``"What is a kernel?"``), or ``"path#heading text"`` where a heading repeats; an empty list means the
notes do not answer it. Metrics:

- on answerable questions: top-1, MRR@5 and recall@3 of the ranking, and the share wrongly declined;
- on unanswerable questions: the share declined;
- end-to-end accuracy: answered with a right section, or rightly declined;
all overall and per question kind.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from index.baselines import ProductRanker, Ranker, baselines
from index.errors import NotesQAError
from index.markup import slugify
from index.model import Section
from index.retriever import Retriever


@dataclass(frozen=True, slots=True)
class Question:
    """One labelled question; ``gold`` holds resolved section ids (empty: the notes do not answer)."""

    q: str
    gold: frozenset[str]
    kind: str


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one system did with one question."""

    question: Question
    ranking: tuple[str, ...]
    answered: bool

    @property
    def answerable(self) -> bool:
        return bool(self.question.gold)

    @property
    def rank(self) -> int | None:
        """1-based rank of the first right section, or None."""
        return next((n for n, sid in enumerate(self.ranking, 1) if sid in self.question.gold), None)

    @property
    def correct(self) -> bool:
        """Answered with a right section, or rightly declined."""
        if not self.answerable:
            return not self.answered
        return self.answered and self.rank == 1


@dataclass(frozen=True, slots=True)
class Metrics:
    """Scores over a set of questions (None where the set has no question of that sort)."""

    questions: int
    answerable: int
    top1: float | None
    mrr5: float | None
    recall3: float | None
    wrongly_declined: float | None
    declined_unanswerable: float | None
    accuracy: float | None


@dataclass(frozen=True, slots=True)
class Report:
    """A system's metrics overall and per kind, and its misses."""

    system: str
    overall: Metrics
    by_kind: dict[str, Metrics]
    misses: tuple[Outcome, ...] = field(default=())


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def metrics(outcomes: Sequence[Outcome]) -> Metrics:
    """Compute the metrics of a set of outcomes."""
    answerable = [o for o in outcomes if o.answerable]
    unanswerable = [o for o in outcomes if not o.answerable]
    ranks = [o.rank for o in answerable]
    return Metrics(
        questions=len(outcomes),
        answerable=len(answerable),
        top1=_mean([1.0 if r == 1 else 0.0 for r in ranks]),
        mrr5=_mean([1.0 / r if r and r <= 5 else 0.0 for r in ranks]),
        recall3=_mean([1.0 if r and r <= 3 else 0.0 for r in ranks]),
        wrongly_declined=_mean([0.0 if o.answered else 1.0 for o in answerable]),
        declined_unanswerable=_mean([0.0 if o.answered else 1.0 for o in unanswerable]),
        accuracy=_mean([1.0 if o.correct else 0.0 for o in outcomes]),
    )


def _norm(text: str) -> str:
    return " ".join(text.casefold().split())


def resolve_gold(gold: str, sections: Sequence[Section]) -> set[str]:
    """The ids of the sections a gold label names (see the module docstring); empty when none."""
    ids = {s.id for s in sections if s.id == gold}
    if ids:
        return ids
    if "#" in gold:
        path, heading = gold.split("#", 1)
        slug = slugify(heading) if heading else None
        ids = {
            s.id for s in sections
            if s.path == path and (_norm(s.title) == _norm(heading) or s.id == f"{path}#{slug}")
        }
        if ids:
            return ids
    return {s.id for s in sections if _norm(s.title) == _norm(gold)}


def load_questions(path: str | Path, sections: Sequence[Section]) -> list[Question]:
    """Read a questions file and resolve its gold labels against ``sections``.

    Raises:
        ValueError: a line is not a question object, or a gold label names no section (with the line).
    """
    questions = []
    problems = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            text, labels, kind = item["q"], item["gold"], item.get("kind", "unknown")
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}:{n}: not a question object ({exc})") from exc
        resolved: set[str] = set()
        for label in labels:
            found = resolve_gold(label, sections)
            if not found:
                problems.append(f"{path}:{n}: gold {label!r} names no section")
            resolved |= found
        questions.append(Question(text, frozenset(resolved), kind))
    if problems:
        raise ValueError("\n".join(problems))
    return questions


def run(ranker: Ranker, questions: Iterable[Question], k: int = 5) -> list[Outcome]:
    """Ask ``ranker`` every question."""
    outcomes = []
    for question in questions:
        ranking, answered = ranker.rank(question.q, k)
        outcomes.append(Outcome(question, tuple(ranking), answered))
    return outcomes


def report(name: str, outcomes: Sequence[Outcome]) -> Report:
    """Metrics overall and per kind, and the misses (questions not handled correctly)."""
    by_kind: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in outcomes:
        by_kind[outcome.question.kind].append(outcome)
    return Report(
        system=name,
        overall=metrics(outcomes),
        by_kind={kind: metrics(items) for kind, items in sorted(by_kind.items())},
        misses=tuple(o for o in outcomes if not o.correct),
    )


def evaluate(
    retriever: Retriever, questions_path: str | Path, *, baseline_names: Sequence[str] = ()
) -> list[Report]:
    """Score ``retriever`` (and the named baselines over the same sections) on a questions file."""
    questions = load_questions(questions_path, retriever.sections)
    rankers: list[Ranker] = [ProductRanker(retriever), *baselines(retriever.sections, baseline_names)]
    return [report(r.name, run(r, questions)) for r in rankers]


def _fmt(value: float | None) -> str:
    return "   -" if value is None else f"{value:.2f}"


COLUMNS = ("top1", "mrr5", "recall3", "declined_unanswerable", "wrongly_declined", "accuracy")
HEADERS = ("top-1", "MRR@5", "recall@3", "declined unans.", "wrongly declined", "accuracy")


def format_table(reports: Sequence[Report]) -> str:
    """A Markdown table: one row per system overall, then per system and kind."""
    lines = ["| system | kind | n | " + " | ".join(HEADERS) + " |", "|---" * (len(HEADERS) + 3) + "|"]
    for rep in reports:
        rows = [("all", rep.overall), *rep.by_kind.items()]
        for kind, m in rows:
            cells = " | ".join(_fmt(getattr(m, c)) for c in COLUMNS)
            lines.append(f"| {rep.system} | {kind} | {m.questions} | {cells} |")
    return "\n".join(lines)


def _miss_line(outcome: Outcome) -> str:
    gold = ", ".join(sorted(outcome.question.gold)) or "(not answerable)"
    got = ", ".join(outcome.ranking[:3]) or "(nothing)"
    verdict = "answered" if outcome.answered else "declined"
    return f"- [{outcome.question.kind}] {outcome.question.q!r}\n    gold: {gold}\n    {verdict}; top: {got}"


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m index.evaluate``; returns the exit code (2 on a usage, notes or questions error)."""
    parser = argparse.ArgumentParser(prog="python -m index.evaluate", description=__doc__.split("\n")[0])
    parser.add_argument("questions", type=Path, help="JSON-lines file of labelled questions")
    parser.add_argument("--notes", type=Path, required=True, help="the notes folder the questions are about")
    parser.add_argument("--baselines", default="", help="comma-separated: tfidf,bm25s")
    parser.add_argument("--details", action="store_true", help="list every miss with what was returned")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.baselines.split(",") if n.strip()]
    try:
        retriever = Retriever.from_directory(args.notes)
        reports = evaluate(retriever, args.questions, baseline_names=names)
    except (NotesQAError, ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        payload = [
            {"system": r.system, "overall": asdict(r.overall),
             "by_kind": {k: asdict(m) for k, m in r.by_kind.items()},
             **({"misses": [{"q": o.question.q, "kind": o.question.kind, "gold": sorted(o.question.gold),
                             "answered": o.answered, "ranking": list(o.ranking)} for o in r.misses]}
                if args.details else {})}
            for r in reports
        ]
        print(json.dumps(payload, ensure_ascii=False, indent=2))
        return 0
    print(format_table(reports))
    if args.details:
        for rep in reports:
            print(f"\n## Misses of {rep.system} ({len(rep.misses)})")
            print("\n".join(_miss_line(o) for o in rep.misses))
    return 0


if __name__ == "__main__":
    sys.exit(main())
