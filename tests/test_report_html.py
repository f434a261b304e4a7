"""``python -m bot.report --html``: a self-contained page, and what headless Chromium shows of it.

The screenshot test looks for the chart's two colours (the bars of questions per day, the line of the answer
rate) in the picture Chromium takes; it is skipped where Chromium is not installed (``apt-get install
chromium`` on Debian).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from bot.report.cli import main
from bot.report.html import QUESTIONS_COLOUR, RATE_COLOUR
from tests.test_report import NOTES, seed_log

CHROMIUM = next((p for p in (shutil.which("chromium"), shutil.which("chromium-browser")) if p), None)


@pytest.fixture
def page(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "linux.md").write_text(NOTES, encoding="utf-8")
    db = seed_log(tmp_path / "questions.sqlite3")
    out = tmp_path / "report.html"
    assert main(["--db", str(db), "--notes", str(notes), "--html", str(out)]) == 0
    assert capsys.readouterr() == ("", f"wrote {out} (11 questions)\n")
    return out


def test_the_page_is_self_contained_and_holds_every_part(page: Path) -> None:
    html = page.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and html.count("<svg") == 1
    assert "<script" not in html and not re.search(r"""(src|href)=["']?https?:|url\(\s*["']?https?:""", html)
    for heading in ("Questions and answer rate per day", "Questions the notes did not answer",
                    "Answers with the most thumbs-down", "Near-tied questions", "Sections never used (3 of 7)"):
        assert f"{heading}" in html
    assert "<td>How do I back up a volume?</td>" in html
    assert "answered since: linux.md#volume-backups ×1" in html
    assert "<td>2027-01-14</td><td class=\"n\">4</td><td class=\"n\">2</td><td class=\"n\">50%</td>" in html
    assert QUESTIONS_COLOUR in html and RATE_COLOUR in html  # the chart's bars and line


def test_question_text_is_escaped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from bot.questionlog import QuestionLog, QuestionRecord

    db = tmp_path / "q.sqlite3"
    with QuestionLog(db, retention_days=90) as log:
        log.record(QuestionRecord(1, 1.8e9, "repl", "u", "<img src=x onerror=alert(1)> & more", "not_covered"))
    out = tmp_path / "r.html"
    assert main(["--db", str(db), "--notes", str(tmp_path / "none"), "--html", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt; &amp; more" in html


def _pixels_near(image: np.ndarray, colour: str, tolerance: int = 16) -> int:
    rgb = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])
    return int((np.abs(image[:, :, :3].astype(int) - rgb).max(axis=2) <= tolerance).sum())


@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed (apt-get install chromium)")
@pytest.mark.timeout(120)
def test_headless_chromium_shows_the_chart(page: Path, tmp_path: Path) -> None:
    from matplotlib.image import imread

    shot = tmp_path / "report.png"
    profile = tmp_path / "chromium-profile"
    command = [
        str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={profile}", f"--screenshot={shot}", "--window-size=1200,1600", page.as_uri(),
    ]
    run = subprocess.run(command, capture_output=True, text=True, timeout=90, cwd=tmp_path,
                         env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert run.returncode == 0 and shot.is_file(), run.stderr[-2000:]
    image = (imread(shot) * 255).round().astype(np.uint8)
    assert image.shape[:2] == (1600, 1200)
    chart = image[: 800]  # the chart is near the top of the page
    bars, line = _pixels_near(chart, QUESTIONS_COLOUR), _pixels_near(chart, RATE_COLOUR)
    assert bars > 5_000, f"only {bars} pixels of the bars' colour: is the chart there?"
    assert line > 300, f"only {line} pixels of the line's colour"
    assert _pixels_near(image[800:], QUESTIONS_COLOUR) < bars / 10  # and nowhere else much
