"""``python -m bot.report``: what people asked, what the notes missed, and where they overlap.

Reads the question log that the bot and the REPL write (``bot.questionlog``) and tells the notes' author
what to write next: the questions the notes did not answer, grouped by similar wording and ranked by how
often they were asked; the answers with the most 👎; the sections never used; the answer rate and median
score per day; and the questions whose two best sections nearly tied. As text (the default), JSON
(``--json``) or a self-contained HTML page with a chart (``--html report.html``). See ``bot.report.cli``.

The parts, one job each: ``analysis`` computes the report's values from the database, ``text`` writes
them as text and JSON, ``html`` as a page (matplotlib draws the chart), ``cli`` is the command.
"""

from bot.report.analysis import Report, build_report
from bot.report.html import report_html
from bot.report.text import report_json, report_text

__all__ = ["Report", "build_report", "report_html", "report_json", "report_text"]
