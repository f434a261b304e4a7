"""Fitting the decline rule (``RetrieverParams.min_known`` and ``min_coverage``) on labelled questions.

The retriever declines a question when the notes know too little of its idf-weighted words (``known``) or
when its best section holds too little of them (``coverage``). A rule is a pair of thresholds; fitting one
means choosing, on a grid, the pair that declines the most unanswerable questions while wrongly declining
at most a given share of the answerable ones. Fit on some question sets and check on others: a rule is
only as good as its figures on questions it was not fitted on (``eval/fit_decline.py`` does this for the
project's own sets, one set left out at a time).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from index.evaluate import Question
from index.retriever import Retriever

KNOWN_GRID = tuple(round(0.50 + 0.02 * i, 2) for i in range(16))  # 0.50 ... 0.80
COVERAGE_GRID = tuple(round(0.10 + 0.02 * i, 2) for i in range(26))  # 0.10 ... 0.60


@dataclass(frozen=True, slots=True)
class DeclineFeatures:
    """What the decline rule sees of one labelled question."""

    answerable: bool
    known: float
    """Share of the question's idf-weighted words that the notes use at all (0 for an empty question)."""
    coverage: float
    """Share of the question's idf-weighted words held by the best section (0 when nothing matched)."""


@dataclass(frozen=True, slots=True)
class DeclineRule:
    """Answer when ``known >= min_known`` and ``coverage >= min_coverage``; otherwise decline."""

    min_known: float
    min_coverage: float

    def answers(self, features: DeclineFeatures) -> bool:
        return features.known >= self.min_known and features.coverage >= self.min_coverage


@dataclass(frozen=True, slots=True)
class DeclineRates:
    """How a rule does on a set of questions."""

    declined_unanswerable: float
    wrongly_declined: float


def decline_features(retriever: Retriever, questions: Iterable[Question]) -> list[DeclineFeatures]:
    """The decline rule's two features for each question, as ``retriever.answer`` computes them."""
    rows = []
    for question in questions:
        query = retriever._query(question.q)  # same package: the features the decision itself uses
        hits = retriever.search(question.q, 1) if query.term_ids else []
        known = query.known_mass / query.total_mass if query.total_mass else 0.0
        rows.append(DeclineFeatures(bool(question.gold), known, hits[0].coverage if hits else 0.0))
    return rows


def rates(features: Sequence[DeclineFeatures], rule: DeclineRule) -> DeclineRates:
    """The share of unanswerable questions ``rule`` declines and of answerable ones it wrongly declines."""
    answerable = [f for f in features if f.answerable]
    unanswerable = [f for f in features if not f.answerable]
    if not answerable or not unanswerable:
        raise ValueError("fitting a decline rule needs both answerable and unanswerable questions")
    wrongly = sum(not rule.answers(f) for f in answerable) / len(answerable)
    declined = sum(not rule.answers(f) for f in unanswerable) / len(unanswerable)
    return DeclineRates(declined, wrongly)


def fit_decline_rule(
    features: Sequence[DeclineFeatures],
    *,
    max_wrongly: float = 0.05,
    known_grid: Sequence[float] = KNOWN_GRID,
    coverage_grid: Sequence[float] = COVERAGE_GRID,
) -> DeclineRule:
    """The grid's rule that declines the most unanswerable questions within ``max_wrongly``.

    Ties go to the rule that wrongly declines fewer, then to the lower thresholds (the least eager to
    decline). Raises ``ValueError`` when no rule on the grid stays within ``max_wrongly``.
    """
    best: tuple[tuple[float, float, float, float], DeclineRule] | None = None
    for min_known in known_grid:
        for min_coverage in coverage_grid:
            rule = DeclineRule(min_known, min_coverage)
            got = rates(features, rule)
            if got.wrongly_declined > max_wrongly:
                continue
            key = (got.declined_unanswerable, -got.wrongly_declined, -min_known, -min_coverage)
            if best is None or key > best[0]:
                best = (key, rule)
    if best is None:
        raise ValueError(f"no rule on the grid wrongly declines at most {max_wrongly:.0%}")
    return best[1]
