"""What the question log says: the report's numbers, computed from the SQLite file into plain frozen values.

Every part covers the questions asked since ``since`` (all of them by default); messages without words to
look up ("thanks!", "?") are left out of every part. Days are UTC days.

- **Unanswered**: questions that got "not sure" or "not covered", grouped by similar wording and ranked by
  how often they were asked. Two wordings are similar when their index terms (stop words dropped, stemmed,
  as the retriever reads them) overlap by at least ``SIMILAR`` (Jaccard): "How do I back up a volume?" and
  "backing up volumes" are one group, "what is a volume?" another. Each wording joins the group of the
  first more frequent wording it is similar to. A group also says which sections answered one of its
  wordings after it was last left unanswered (the notes were improved, or the index rebuilt).
- **Disliked**: the sections given as answers (or picked from the suggestions) with the most 👎.
- **Unused**: the notes' answerable sections that were never given as an answer nor picked.
- **Days**: questions, answered, answer rate and the median score of the answers, per day.
- **Near ties**: questions whose runner-up section scored at least ``NEAR_TIE`` of the best one, grouped by
  the pair of sections: where two parts of the notes say nearly the same thing.
"""

from __future__ import annotations

import json
import sqlite3
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from index import Section
from index.analysis import Analyzer

SIMILAR = 0.6
NEAR_TIE = 0.9
EXAMPLES = 3
UNANSWERED_KINDS = ("unsure", "not_covered")


@dataclass(frozen=True, slots=True)
class Wording:
    """One wording of a question (its normalised words), as first asked, and how often it was asked."""

    text: str
    count: int


@dataclass(frozen=True, slots=True)
class QuestionGroup:
    """Unanswered questions of similar wording.

    Attributes:
        wording: The group's most asked wording, as first asked.
        count: How many times any wording of the group was asked.
        people: How many different people asked.
        variants: Every wording, most asked first.
        picked: Sections picked from the suggestions offered for these questions, with counts.
        answered_since: Sections that answered one of the group's wordings after it was last unanswered.
    """

    wording: str
    count: int
    people: int
    variants: tuple[Wording, ...]
    picked: tuple[tuple[str, int], ...]
    answered_since: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True, slots=True)
class DislikedAnswer:
    """A section given as an answer that got 👎 (``bad``), with its 👍 (``good``) and example questions."""

    section_id: str
    title: str | None
    bad: int
    good: int
    examples: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class UnusedSection:
    section_id: str
    title: str
    source: str


@dataclass(frozen=True, slots=True)
class Day:
    """One UTC day: questions asked, answered, the answer rate (0-1) and the answers' median score."""

    day: str
    questions: int
    answered: int
    rate: float
    median_score: float | None


@dataclass(frozen=True, slots=True)
class NearTie:
    """Questions whose two best sections nearly tied, by pair of sections."""

    sections: tuple[str, str]
    count: int
    median_ratio: float
    examples: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Report:
    """The whole report. ``unused`` is None when the notes folder could not be read."""

    database: str
    since: str | None
    first_day: str | None
    last_day: str | None
    questions: int
    answered: int
    people: int
    without_text: int
    unanswered: tuple[QuestionGroup, ...]
    disliked: tuple[DislikedAnswer, ...]
    unused: tuple[UnusedSection, ...] | None
    answerable_sections: int | None
    days: tuple[Day, ...]
    near_ties: tuple[NearTie, ...]

    @property
    def answer_rate(self) -> float | None:
        return self.answered / self.questions if self.questions else None


@dataclass(frozen=True, slots=True)
class _Row:
    """A question as read back from the log."""

    asked_at: float
    user: str
    question: str | None
    normalized: str | None
    kind: str
    section_id: str | None
    score: float | None
    ratio: float | None
    runner_up: str | None
    suggestions: tuple[str, ...]
    chosen: str | None

    @property
    def answered(self) -> bool:
        return self.kind == "answer"


def _row(values: Sequence[Any]) -> _Row:
    asked_at, user, question, normalized, kind, section_id, score, ratio, runner_up, suggestions, chosen = values
    offered = tuple(json.loads(suggestions or "[]"))
    return _Row(asked_at, user, question, normalized, kind, section_id, score, ratio, runner_up, offered, chosen)


def _day(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, tz=UTC).date().isoformat()


def build_report(
    db: sqlite3.Connection,
    *,
    database: str = "",
    since: float | None = None,
    sections: Sequence[Section] | None = None,
) -> Report:
    """The report over the questions asked since ``since`` (Unix time); ``sections`` are the notes' sections
    (for the unused ones and the titles), or None."""
    start = since if since is not None else float("-inf")
    rows = [
        _row(values)
        for values in db.execute(
            "SELECT asked_at, user, question, normalized, kind, section_id, score, ratio, runner_up, suggestions, "
            "chosen FROM questions WHERE asked_at >= ? AND kind != 'empty' ORDER BY asked_at, id",
            (start,),
        )
    ]
    titles = {s.id: s.title for s in sections} if sections is not None else {}
    unanswered = group_questions(
        [(r.question, r.normalized, r.user, r.chosen, r.asked_at) for r in rows
         if r.kind in UNANSWERED_KINDS and r.normalized],
        answered=[(r.normalized, r.asked_at, r.section_id) for r in rows
                  if r.answered and r.normalized and r.section_id],
    )
    used = {r.section_id for r in rows if r.section_id} | {r.chosen for r in rows if r.chosen}
    unused = None
    answerable = None
    if sections is not None:
        listed = [s for s in sections if s.searchable]
        answerable = len(listed)
        unused = tuple(UnusedSection(s.id, s.title, s.source) for s in listed if s.id not in used)
    return Report(
        database=database,
        since=_day(since) if since is not None else None,
        first_day=_day(rows[0].asked_at) if rows else None,
        last_day=_day(rows[-1].asked_at) if rows else None,
        questions=len(rows),
        answered=sum(r.answered for r in rows),
        people=len({r.user for r in rows}),
        without_text=sum(1 for r in rows if r.question is None),
        unanswered=tuple(unanswered),
        disliked=_disliked(db, start, titles),
        unused=unused,
        answerable_sections=answerable,
        days=_days(rows),
        near_ties=_near_ties(rows),
    )


def group_questions(
    rows: Iterable[tuple[str | None, str, str, str | None, float]],
    *,
    answered: Iterable[tuple[str, float, str]] = (),
) -> list[QuestionGroup]:
    """Group unanswered ``(question, normalized, user, chosen, asked_at)`` rows by similar wording, most asked
    group first; ``answered`` holds ``(normalized, asked_at, section_id)`` of answered questions."""
    counts: Counter[str] = Counter()
    first: dict[str, str] = {}
    last: dict[str, float] = {}
    people: defaultdict[str, set[str]] = defaultdict(set)
    picked: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for question, normalized, user, chosen, asked_at in rows:
        counts[normalized] += 1
        first.setdefault(normalized, question or normalized)
        last[normalized] = max(asked_at, last.get(normalized, asked_at))
        people[normalized].add(user)
        if chosen:
            picked[normalized][chosen] += 1
    answers = list(answered)
    analyzer = Analyzer()
    terms = {text: frozenset(analyzer.terms(text)) for text in counts}
    groups: list[list[str]] = []
    for text in sorted(counts, key=lambda t: (-counts[t], t)):
        home = next((g for g in groups if _similar(terms[g[0]], terms[text], g[0], text)), None)
        if home is None:
            groups.append([text])
        else:
            home.append(text)
    result = []
    for members in groups:
        chosen_counts: Counter[str] = Counter()
        for m in members:
            chosen_counts.update(picked[m])
        latest = max(last[m] for m in members)
        since = Counter(section for text, asked_at, section in answers if text in members and asked_at > latest)
        result.append(
            QuestionGroup(
                wording=first[members[0]],
                count=sum(counts[m] for m in members),
                people=len(set().union(*(people[m] for m in members))),
                variants=tuple(Wording(first[m], counts[m]) for m in members),
                picked=tuple(sorted(chosen_counts.items(), key=lambda item: (-item[1], item[0]))),
                answered_since=tuple(sorted(since.items(), key=lambda item: (-item[1], item[0]))),
            )
        )
    result.sort(key=lambda g: (-g.count, g.wording))
    return result


def _similar(a: frozenset[str], b: frozenset[str], text_a: str, text_b: str) -> bool:
    if not a or not b:
        return text_a == text_b
    return len(a & b) / len(a | b) >= SIMILAR


def _disliked(db: sqlite3.Connection, start: float, titles: dict[str, str]) -> tuple[DislikedAnswer, ...]:
    rows = db.execute(
        "SELECT COALESCE(q.chosen, q.section_id) AS section, f.value, q.question FROM feedback f "
        "JOIN questions q ON q.id = f.question_id "
        "WHERE q.asked_at >= ? AND COALESCE(q.chosen, q.section_id) IS NOT NULL ORDER BY q.asked_at, q.id",
        (start,),
    ).fetchall()
    bad: Counter[str] = Counter()
    good: Counter[str] = Counter()
    examples: defaultdict[str, list[str]] = defaultdict(list)
    for section, value, question in rows:
        if value < 0:
            bad[section] += 1
            if question and question not in examples[section] and len(examples[section]) < EXAMPLES:
                examples[section].append(question)
        else:
            good[section] += 1
    ranked = sorted(bad, key=lambda s: (-bad[s], good[s], s))
    return tuple(DislikedAnswer(s, titles.get(s), bad[s], good[s], tuple(examples[s])) for s in ranked)


def _days(rows: Sequence[_Row]) -> tuple[Day, ...]:
    by_day: defaultdict[str, list[_Row]] = defaultdict(list)
    for row in rows:
        by_day[_day(row.asked_at)].append(row)
    days = []
    for day in sorted(by_day):
        asked = by_day[day]
        scores = [r.score for r in asked if r.answered and r.score is not None]
        answered = sum(r.answered for r in asked)
        median = statistics.median(scores) if scores else None
        days.append(Day(day, len(asked), answered, answered / len(asked), median))
    return tuple(days)


def _near_ties(rows: Sequence[_Row]) -> tuple[NearTie, ...]:
    pairs: defaultdict[tuple[str, str], list[tuple[float, str | None]]] = defaultdict(list)
    for row in rows:
        if row.kind not in ("answer", "unsure") or row.ratio is None or row.runner_up is None:
            continue
        best = row.section_id or (row.suggestions[0] if row.suggestions else None)
        if row.ratio < NEAR_TIE or best is None or best == row.runner_up:
            continue
        first, second = sorted((best, row.runner_up))
        pairs[(first, second)].append((row.ratio, row.question))
    ties = []
    for pair, found in pairs.items():
        examples = tuple(dict.fromkeys(str(q) for _, q in found if q))[:EXAMPLES]
        ties.append(NearTie(pair, len(found), statistics.median(r for r, _ in found), examples))
    ties.sort(key=lambda t: (-t.count, t.sections))
    return tuple(ties)
