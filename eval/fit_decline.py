"""Fit the decline rule with one question set left out at a time, and show the shipped rule beside it.

    python eval/fit_decline.py [--shared ../shared] [--held-out]

For each of the project's labelled question sets (the bundled notes and, where ``../shared/corpora``
exists, the three third-party corpora), the rule is fitted on the other sets pooled (the most unanswerable
questions declined with at most 5% of the answerable ones wrongly declined, ``index.calibration``) and
reported on the set left out, which it never saw. The shipped default (``RetrieverParams``) is reported on
every set too. ``--held-out`` adds the held-out sets (``bundled-holdout.jsonl``, ``holdout/*.jsonl``) as
four more, and prints the rule fitted on all of them pooled. See ``eval/EXPERIMENTS.md`` ("The decline
rule", "Held-out questions").
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index.calibration import DeclineRule, decline_features, fit_decline_rule, rates  # noqa: E402
from index.evaluate import load_questions  # noqa: E402
from index.retriever import Retriever, RetrieverParams  # noqa: E402


def question_sets(shared: Path, held_out: bool = False) -> dict[str, tuple[Path, Path]]:
    sets = {"bundled": (ROOT / "eval" / "bundled.jsonl", ROOT / "corpus")}
    if held_out:
        sets["bundled-holdout"] = (ROOT / "eval" / "bundled-holdout.jsonl", ROOT / "corpus")
    for name in ("dockerlabs", "lz-qa", "curriculum"):
        if (shared / "corpora" / name).is_dir():
            sets[name] = (ROOT / "eval" / "corpora" / f"{name}.jsonl", shared / "corpora" / name)
            if held_out:
                sets[f"{name}-holdout"] = (ROOT / "eval" / "holdout" / f"{name}.jsonl", shared / "corpora" / name)
    return sets


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--held-out", action="store_true", help="add the held-out question sets")
    args = parser.parse_args()
    features = {}
    retrievers: dict[Path, Retriever] = {}
    for name, (questions, notes) in question_sets(args.shared, args.held_out).items():
        if notes not in retrievers:  # a held-out set asks the same notes again
            retrievers[notes] = Retriever.from_directory(notes)
        retriever = retrievers[notes]
        features[name] = decline_features(retriever, load_questions(questions, retriever.sections))
    if len(features) < 2:
        print("needs at least two question sets (is ../shared/corpora there?)", file=sys.stderr)
        return 2
    defaults = RetrieverParams()
    shipped = DeclineRule(defaults.min_known, defaults.min_coverage)
    print(
        "| left out | rule fitted on the others (known, coverage) | declined / wrongly on the others "
        "| declined / wrongly on the left-out set | shipped rule on the left-out set |"
    )
    print("|---|---|---|---|---|")
    for held in features:
        others = [row for name, rows in features.items() if name != held for row in rows]
        rule = fit_decline_rule(others)
        fit, out, ship = rates(others, rule), rates(features[held], rule), rates(features[held], shipped)
        print(
            f"| {held} | {rule.min_known:.2f}, {rule.min_coverage:.2f} "
            f"| {fit.declined_unanswerable:.2f} / {fit.wrongly_declined:.3f} "
            f"| {out.declined_unanswerable:.2f} / {out.wrongly_declined:.3f} "
            f"| {ship.declined_unanswerable:.2f} / {ship.wrongly_declined:.3f} |"
        )
    print(f"\nshipped rule: known {shipped.min_known:.2f}, coverage {shipped.min_coverage:.2f}")
    if args.held_out:
        pooled = fit_decline_rule([row for rows in features.values() for row in rows])
        print(f"fitted on every set pooled: known {pooled.min_known:.2f}, coverage {pooled.min_coverage:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
