"""``python -m bot.report`` on a seeded question log: exact groups, counts, days, near ties and unused sections.

The log is written through ``QuestionLog`` with fixed times over three UTC days; the notes are the REPL tests'
small Linux file (six sections: Linux, Kernel, Shell, Daemons, Cron, Systemd timers) and a section on volume
backups, written after the backup question had gone unanswered three times.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.questionlog import QuestionLog, QuestionRecord
from bot.report.analysis import Day, NearTie, QuestionGroup, Wording
from bot.report.cli import main, parse_since
from tests.test_repl import LINUX

KERNEL, SHELL, DAEMONS, CRON, TIMERS = (f"linux.md#{s}" for s in ("kernel", "shell", "daemons", "cron",
                                                                    "systemd-timers"))
BACKUPS = "linux.md#volume-backups"
NOTES = LINUX + "\n## Volume backups\n\nBack up a volume by archiving its folder with tar.\n"


def at(day: int, hour: int) -> float:
    return datetime(2027, 1, day, hour, tzinfo=UTC).timestamp()


#: (number, time, user, question, kind, section answered, score, ratio, runner-up, suggestions, chosen)
SEED = [
    (1, at(13, 9), "ann", "What is the kernel?", "answer", KERNEL, 6.0, 0.3, SHELL, (), None),
    (2, at(13, 10), "ann", "How do I back up a volume?", "not_covered", None, None, None, None, (), None),
    (3, at(13, 11), "bob", "how do I back up a volume", "not_covered", None, None, None, None, (), None),
    (4, at(13, 12), "ann", "backing up volumes", "not_covered", None, None, None, None, (), None),
    (5, at(14, 9), "ann", "what is a daemon?", "answer", DAEMONS, 4.0, 0.95, CRON, (), None),
    (6, at(14, 10), "bob", "What is a daemon", "answer", DAEMONS, 5.0, 0.93, CRON, (), None),
    (7, at(14, 11), "ann", "how are jobs scheduled?", "unsure", None, 3.0, 1.0, TIMERS, (CRON, TIMERS, DAEMONS),
     TIMERS),
    (8, at(14, 12), "cat", "pizza recipes", "not_covered", None, None, None, None, (), None),
    (9, at(14, 13), "cat", "thanks!", "empty", None, None, None, None, (), None),
    (10, at(15, 9), "bob", "what is the kernel", "answer", KERNEL, 8.0, 0.2, SHELL, (), None),
    (11, at(15, 10), "dan", "what's the best pizza recipe", "not_covered", None, None, None, None, (), None),
    (12, at(15, 11), "bob", "how do I back up a volume?", "answer", BACKUPS, 3.0, 0.4, SHELL, (), None),
]
#: (question, user, good)
VOTES = [(5, "ann", False), (5, "bob", False), (10, "ann", False), (10, "bob", True), (1, "cat", True),
         (7, "ann", True)]


@pytest.fixture
def notes(tmp_path: Path) -> Path:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "linux.md").write_text(NOTES, encoding="utf-8")
    return folder


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return seed_log(tmp_path / "questions.sqlite3")


def seed_log(path: Path) -> Path:
    """A question log at ``path`` holding ``SEED`` and ``VOTES``."""
    with QuestionLog(path, retention_days=36_500, clock=lambda: at(16, 0)) as log:
        for number, asked, user, question, kind, section, score, ratio, runner_up, offered, chosen in SEED:
            log.record(QuestionRecord(number, asked, "telegram", user, question, kind, section, score, ratio,
                                      runner_up, offered, 2.0))
            if chosen:
                log.chosen(number, chosen)
        for number, user, good in VOTES:
            log.feedback(number, user=user, good=good)
    return path


def report(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


EXPECTED = """\
notes-qa report: 11 questions from 4 people, 2027-01-13 to 2027-01-15
question log: {db}
answered: 5 of 11 (45%)

Questions the notes did not answer (3 groups of similar wording, most asked first)
    3×  How do I back up a volume?  (2 people)
         also: backing up volumes ×1
         answered since: linux.md#volume-backups ×1
    2×  pizza recipes  (2 people)
         also: what's the best pizza recipe ×1
    1×  how are jobs scheduled?  (1 person)
         picked from the suggestions: linux.md#systemd-timers ×1

Answers with the most 👎
    2 👎   0 👍  linux.md#daemons “Daemons”
         asked as: what is a daemon?
    1 👎   2 👍  linux.md#kernel “Kernel”
         asked as: what is the kernel

Near-tied questions (the runner-up scored at least 90% of the best: the notes overlap)
    2×  linux.md#cron  ≈  linux.md#daemons  (median ratio 0.94)
         asked as: what is a daemon?
         asked as: What is a daemon
    1×  linux.md#cron  ≈  linux.md#systemd-timers  (median ratio 1.00)
         asked as: how are jobs scheduled?

Answer rate and median score of the answers, per day (UTC)
  day         questions  answered   rate  median score
  2027-01-13          4         1    25%          6.00
  2027-01-14          4         2    50%          4.50
  2027-01-15          3         2    67%          5.50

Sections never used (3 of 7), by file
  linux.md (3): Linux; Shell; Cron
"""


def test_the_text_report(capsys: pytest.CaptureFixture[str], db: Path, notes: Path, tmp_path: Path) -> None:
    code, out, err = report(capsys, "--db", str(db), "--notes", str(notes))
    assert (code, err) == (0, "")
    assert out == EXPECTED.format(db=db)


def test_the_json_report_holds_the_same_numbers(capsys: pytest.CaptureFixture[str], db: Path, notes: Path) -> None:
    code, out, _ = report(capsys, "--db", str(db), "--notes", str(notes), "--json")
    value = json.loads(out)
    assert code == 0
    assert (value["questions"], value["answered"], value["people"], value["answer_rate"]) == (11, 5, 4, 5 / 11)
    assert [QuestionGroup(g["wording"], g["count"], g["people"], tuple(Wording(**v) for v in g["variants"]),
                          tuple(tuple(p) for p in g["picked"]), tuple(tuple(a) for a in g["answered_since"]))
            for g in value["unanswered"]] == [
        QuestionGroup("How do I back up a volume?", 3, 2,
                      (Wording("How do I back up a volume?", 2), Wording("backing up volumes", 1)), (),
                      ((BACKUPS, 1),)),
        QuestionGroup("pizza recipes", 2, 2,
                      (Wording("pizza recipes", 1), Wording("what's the best pizza recipe", 1)), ()),
        QuestionGroup("how are jobs scheduled?", 1, 1, (Wording("how are jobs scheduled?", 1),), ((TIMERS, 1),)),
    ]
    assert [(d["section_id"], d["bad"], d["good"]) for d in value["disliked"]] == [(DAEMONS, 2, 0), (KERNEL, 1, 2)]
    assert [Day(**d) for d in value["days"]] == [
        Day("2027-01-13", 4, 1, 0.25, 6.0), Day("2027-01-14", 4, 2, 0.5, 4.5), Day("2027-01-15", 3, 2, 2 / 3, 5.5),
    ]
    assert [NearTie(tuple(t["sections"]), t["count"], t["median_ratio"], tuple(t["examples"]))
            for t in value["near_ties"]] == [
        NearTie((CRON, DAEMONS), 2, pytest.approx(0.94), ("what is a daemon?", "What is a daemon")),
        NearTie((CRON, TIMERS), 1, 1.0, ("how are jobs scheduled?",)),
    ]
    assert [s["section_id"] for s in value["unused"]] == ["linux.md#linux", SHELL, CRON]
    assert value["answerable_sections"] == 7


def test_since_leaves_out_earlier_days(capsys: pytest.CaptureFixture[str], db: Path, notes: Path) -> None:
    _, out, _ = report(capsys, "--db", str(db), "--notes", str(notes), "--since", "2027-01-14", "--json")
    value = json.loads(out)
    assert (value["since"], value["questions"], [d["day"] for d in value["days"]]) == (
        "2027-01-14", 7, ["2027-01-14", "2027-01-15"]
    )
    assert [g["wording"] for g in value["unanswered"]] == ["pizza recipes", "how are jobs scheduled?"]
    assert "linux.md#kernel" in [d["section_id"] for d in value["disliked"]]
    assert parse_since("7d", now=at(16, 0)) == at(9, 0)


def test_without_the_notes_the_rest_of_the_report_is_still_written(
    capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path
) -> None:
    code, out, err = report(capsys, "--db", str(db), "--notes", str(tmp_path / "missing"))
    assert code == 0
    assert err.startswith("warning: cannot list the sections never used: notes folder not found")
    assert out.endswith("Sections never used: the notes folder could not be read (give it with --notes)\n")
    assert "3×  How do I back up a volume?" in out


def test_questions_past_retention_are_counted_without_their_text(
    capsys: pytest.CaptureFixture[str], db: Path, notes: Path
) -> None:
    with QuestionLog(db, retention_days=2, clock=lambda: at(16, 0)):  # forgets the text of the 13th
        pass
    _, out, _ = report(capsys, "--db", str(db), "--notes", str(notes))
    assert "4 questions are counted without their text (past the retention period)" in out
    assert "How do I back up a volume?" not in out
    assert "answered: 5 of 11 (45%)" in out  # the counts are kept


def test_a_limit_cuts_each_list(capsys: pytest.CaptureFixture[str], db: Path, notes: Path) -> None:
    _, out, _ = report(capsys, "--db", str(db), "--notes", str(notes), "--limit", "1")
    assert out.count("  … and 2 more (--limit, or --json for all)") == 1  # the three unanswered groups
    assert out.count("  … and 1 more (--limit, or --json for all)") == 2  # two disliked answers, two near ties


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--db", "{tmp}/none.sqlite3"], "error: no question log at {tmp}/none.sqlite3 (ask the bot or the REPL a "
                                         "question first)\n"),
        (["--since", "last week"], "expected a date such as 2026-11-01 or a number of days such as 7d, found "
                                   "'last week'\n"),
        (["--json", "--html", "x.html"], "argument --html: not allowed with argument --json\n"),
    ],
)
def test_usage_errors_exit_2_with_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: list[str], message: str
) -> None:
    code, out, err = report(capsys, *(a.format(tmp=tmp_path) for a in argv))
    assert (code, out) == (2, "")
    assert err.endswith(message.format(tmp=tmp_path))


def test_an_empty_log_says_so(capsys: pytest.CaptureFixture[str], tmp_path: Path, notes: Path) -> None:
    QuestionLog(tmp_path / "q.sqlite3", retention_days=90).close()
    code, out, _ = report(capsys, "--db", str(tmp_path / "q.sqlite3"), "--notes", str(notes))
    assert code == 0
    assert out.startswith("notes-qa report: 0 questions from 0 people, no questions yet\n")
    assert "Sections never used (7 of 7), by file" in out
