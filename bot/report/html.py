"""The report as one self-contained HTML page: a chart of questions and answer rate per day, then the tables.

The chart is drawn by matplotlib into SVG and put inline (text as paths, no fonts or scripts to fetch), and
the styles are inline too, so the page shows the same offline, from an email attachment or a file.
matplotlib is imported only here, when a page is asked for.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from html import escape

from bot.report.analysis import NEAR_TIE, Day, Report

QUESTIONS_COLOUR = "#4c78a8"  # bars: questions per day
RATE_COLOUR = "#e45756"  # line: answer rate per day

_STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 60em; padding: 0 1em; color: #222; }
h1 { font-size: 1.5em; margin-bottom: 0.2em; } h2 { font-size: 1.15em; margin-top: 1.8em; }
.meta { color: #666; margin-top: 0; }
.summary { font-size: 1.1em; }
table { border-collapse: collapse; width: 100%; margin: 0.5em 0; }
th, td { text-align: left; padding: 0.3em 0.6em; border-bottom: 1px solid #ddd; vertical-align: top; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.small { color: #666; font-size: 0.9em; }
figure { margin: 1em 0; } figure svg { width: 100%; height: auto; }
code { font-size: 0.92em; }
"""


def chart_svg(days: Sequence[Day]) -> str:
    """Bars of questions per day and a line of the answer rate, as an inline ``<svg>`` element."""
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    with matplotlib.rc_context({"svg.hashsalt": "notes-qa", "svg.fonttype": "path", "font.size": 10}):
        figure = Figure(figsize=(9, 3.4), layout="constrained")
        questions = figure.subplots()
        x = list(range(len(days)))
        questions.bar(x, [d.questions for d in days], color=QUESTIONS_COLOUR, width=0.6, label="questions")
        questions.set_ylabel("questions")
        questions.yaxis.set_major_locator(MaxNLocator(integer=True))
        pad = max(0.0, (7 - len(days)) / 2)  # a few days still look like days, not one wide block
        questions.set_xlim(-0.6 - pad, len(days) - 0.4 + pad)
        questions.set_xticks(x, [d.day for d in days], rotation=45 if len(days) > 6 else 0,
                             ha="right" if len(days) > 6 else "center")
        questions.spines[["top"]].set_visible(False)
        rate = questions.twinx()
        rate.plot(x, [d.rate * 100 for d in days], color=RATE_COLOUR, marker="o", linewidth=2.5, label="answer rate")
        rate.set_ylim(0, 105)
        rate.set_ylabel("answer rate (%)")
        rate.spines[["top"]].set_visible(False)
        handles = questions.get_legend_handles_labels()[0] + rate.get_legend_handles_labels()[0]
        questions.legend(handles, ["questions", "answer rate (%)"], loc="lower left", bbox_to_anchor=(0, 1.0),
                         ncols=2, frameon=False)
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    svg = buffer.getvalue()
    return svg[svg.index("<svg") :]


def _rows(header: Sequence[str], rows: Sequence[Sequence[str]], numeric: Sequence[int] = ()) -> str:
    def cell(tag: str, index: int, text: str) -> str:
        return f'<{tag} class="n">{text}</{tag}>' if index in numeric else f"<{tag}>{text}</{tag}>"

    head = "".join(cell("th", i, escape(h)) for i, h in enumerate(header))
    body = "".join("<tr>" + "".join(cell("td", i, c) for i, c in enumerate(row)) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _list(items: Sequence[str]) -> str:
    return "<br>".join(f'<span class="small">{escape(i)}</span>' for i in items)


def report_html(report: Report) -> str:
    """The whole page (nothing cut)."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>notes-qa report</title>",
        f"<style>{_STYLE}</style></head><body>",
        "<h1>What people asked the notes</h1>",
        f'<p class="meta">{report.questions} questions from {report.people} '
        f"{'person' if report.people == 1 else 'people'}"
        + (f", {escape(report.first_day)} to {escape(str(report.last_day))} (UTC)" if report.first_day else "")
        + (f", since {escape(report.since)}" if report.since else "")
        + f" · {escape(report.database)}</p>",
    ]
    rate = "–" if report.answer_rate is None else f"{report.answer_rate:.0%}"
    parts.append(f'<p class="summary">Answered <b>{report.answered}</b> of <b>{report.questions}</b> ({rate}).</p>')

    parts.append("<h2>Questions and answer rate per day</h2>")
    if report.days:
        chart = chart_svg(report.days)
        parts.append(f'<figure id="chart" aria-label="questions and answer rate per day">{chart}</figure>')
        parts.append(_rows(
            ["day", "questions", "answered", "rate", "median score"],
            [[d.day, str(d.questions), str(d.answered), f"{d.rate:.0%}",
              "–" if d.median_score is None else f"{d.median_score:.2f}"] for d in report.days],
            numeric=(1, 2, 3, 4),
        ))
    else:
        parts.append("<p>No questions yet.</p>")

    parts.append("<h2>Questions the notes did not answer</h2>")
    if report.unanswered:
        parts.append(_rows(
            ["asked", "question", "people", "other wordings, picks, answered since"],
            [[str(g.count), escape(g.wording), str(g.people),
              _list([f"{v.text} ×{v.count}" for v in g.variants[1:]] + [f"picked {s} ×{n}" for s, n in g.picked]
                    + [f"answered since: {s} ×{n}" for s, n in g.answered_since])]
             for g in report.unanswered],
            numeric=(0, 2),
        ))
    else:
        parts.append("<p>None.</p>")

    parts.append("<h2>Answers with the most thumbs-down (👎)</h2>")
    if report.disliked:
        parts.append(_rows(
            ["👎 bad", "👍 good", "section", "asked as"],
            [[str(a.bad), str(a.good),
              f"<code>{escape(a.section_id)}</code>" + (f"<br>{escape(a.title)}" if a.title else ""),
              _list(a.examples)] for a in report.disliked],
            numeric=(0, 1),
        ))
    else:
        parts.append("<p>None.</p>")

    parts.append(f"<h2>Near-tied questions</h2><p class=\"small\">The runner-up section scored at least "
                 f"{NEAR_TIE:.0%} of the best: the notes say nearly the same thing in two places.</p>")
    if report.near_ties:
        parts.append(_rows(
            ["questions", "sections", "median ratio", "asked as"],
            [[str(t.count), "<br>".join(f"<code>{escape(s)}</code>" for s in t.sections), f"{t.median_ratio:.2f}",
              _list(t.examples)] for t in report.near_ties],
            numeric=(0, 2),
        ))
    else:
        parts.append("<p>None.</p>")

    if report.unused is None:
        parts.append("<h2>Sections never used</h2><p>The notes folder could not be read.</p>")
    else:
        parts.append(f"<h2>Sections never used ({len(report.unused)} of {report.answerable_sections})</h2>")
        parts.append(_rows(
            ["section", "where"],
            [[escape(s.title), f"<code>{escape(s.source)}</code>"] for s in report.unused],
        ) if report.unused else "<p>None: every section was given as an answer at least once.</p>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
