"""The report as plain text (for a terminal or an email) and as JSON (for programs)."""

from __future__ import annotations

import dataclasses
import json
from collections import defaultdict
from typing import Any

from bot.report.analysis import NEAR_TIE, Report


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _score(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _more(shown: int, total: int) -> list[str]:
    return [f"  … and {total - shown} more (--limit, or --json for all)"] if total > shown else []


def report_text(report: Report, *, limit: int = 20) -> str:
    """The report, most useful parts first; each list is cut to ``limit`` entries."""
    lines: list[str] = []
    span = f"{report.first_day} to {report.last_day}" if report.first_day else "no questions yet"
    since = f" (since {report.since})" if report.since else ""
    lines.append(f"notes-qa report: {report.questions} questions from {report.people} "
                 f"{'person' if report.people == 1 else 'people'}, {span}{since}")
    lines.append(f"question log: {report.database}")
    lines.append(f"answered: {report.answered} of {report.questions} ({_percent(report.answer_rate)})")
    if report.without_text:
        lines.append(f"{report.without_text} questions are counted without their text (past the retention period)")

    groups = len(report.unanswered)
    lines += ["", f"Questions the notes did not answer ({groups} group{'' if groups == 1 else 's'} of similar wording, "
              "most asked first)"]
    if not report.unanswered:
        lines.append("  none")
    for group in report.unanswered[:limit]:
        people = f"{group.people} {'person' if group.people == 1 else 'people'}"
        lines.append(f"  {group.count:>3}×  {group.wording}  ({people})")
        for variant in group.variants[1:]:
            lines.append(f"         also: {variant.text} ×{variant.count}")
        for section, count in group.picked:
            lines.append(f"         picked from the suggestions: {section} ×{count}")
        for section, count in group.answered_since:
            lines.append(f"         answered since: {section} ×{count}")
    lines += _more(min(limit, len(report.unanswered)), len(report.unanswered))

    lines += ["", "Answers with the most 👎"]
    if not report.disliked:
        lines.append("  none")
    for answer in report.disliked[:limit]:
        title = f" “{answer.title}”" if answer.title else ""
        lines.append(f"  {answer.bad:>3} 👎 {answer.good:>3} 👍  {answer.section_id}{title}")
        for example in answer.examples:
            lines.append(f"         asked as: {example}")
    lines += _more(min(limit, len(report.disliked)), len(report.disliked))

    lines += ["", f"Near-tied questions (the runner-up scored at least {NEAR_TIE:.0%} of the best: the notes overlap)"]
    if not report.near_ties:
        lines.append("  none")
    for tie in report.near_ties[:limit]:
        first, second = tie.sections
        lines.append(f"  {tie.count:>3}×  {first}  ≈  {second}  (median ratio {tie.median_ratio:.2f})")
        for example in tie.examples:
            lines.append(f"         asked as: {example}")
    lines += _more(min(limit, len(report.near_ties)), len(report.near_ties))

    lines += ["", "Answer rate and median score of the answers, per day (UTC)"]
    if not report.days:
        lines.append("  none")
    else:
        lines.append(f"  {'day':<10}  {'questions':>9}  {'answered':>8}  {'rate':>5}  {'median score':>12}")
    for day in report.days:
        lines.append(f"  {day.day:<10}  {day.questions:>9}  {day.answered:>8}  {_percent(day.rate):>5}  "
                     f"{_score(day.median_score):>12}")

    if report.unused is None:
        lines += ["", "Sections never used: the notes folder could not be read (give it with --notes)"]
    else:
        lines += ["", f"Sections never used ({len(report.unused)} of {report.answerable_sections}), by file"]
        if not report.unused:
            lines.append("  none: every section was given as an answer at least once")
        by_file: defaultdict[str, list[str]] = defaultdict(list)
        for unused in report.unused:
            by_file[unused.source.rsplit(":", 1)[0]].append(unused.title)
        for path, titles in list(by_file.items())[:limit]:
            shown = "; ".join(titles[:8]) + (f"; … {len(titles) - 8} more" if len(titles) > 8 else "")
            lines.append(f"  {path} ({len(titles)}): {shown}")
        lines += _more(min(limit, len(by_file)), len(by_file))
    return "\n".join(lines) + "\n"


def report_json(report: Report) -> str:
    """The whole report as one JSON object (nothing cut)."""
    value: dict[str, Any] = dataclasses.asdict(report)
    value["answer_rate"] = report.answer_rate
    return json.dumps(value, ensure_ascii=False, indent=2) + "\n"
