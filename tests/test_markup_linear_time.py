"""Markdown that is pathological for regular expressions takes linear time, and gives what the patterns gave.

``index/markup.py``, the splitter's ATX headings and ``bot/telegram/formatting.py`` once used lazy patterns
such as ``\\*(.+?)\\*`` and ``!\\[([^\\]]*)\\]``: an opening delimiter with no closing one made the pattern scan
to the end of the line (or of the text) and fail, and then do it again from the next character, so one line of
16 kB full of openings took seconds (a line of backticks, minutes). They are now small scanners.

- **Same output**: each scanner is checked against its pattern, written out below as the reference (the code as
  it was), on generated text made of the characters that matter to it.
- **Linear time**: speed is never asserted in this suite, and the time a regular expression takes cannot be
  counted deterministically from Python (the work happens inside one call of the ``re`` engine). So the guard
  is relative and generous: each pathological note is rendered at 32 kB and at 128 kB in a child process, and
  the test fails only if the larger one takes more than 2 s of CPU *and* more than 8 times as long as the
  smaller one (linear time gives 4 times, the old quadratic patterns 16 times and tens of seconds, the old
  code spans 64 times and hours; a child stuck for 4 minutes fails it too). The timings are CPU time of the
  child, so a busy machine barely moves them. ``python -m tests.test_markup_linear_time [SIZE ...]`` prints the
  times per note (see docs/reliability.md, "Super-linear time on long lines").
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.telegram import formatting
from index import markup, splitter

ROOT = Path(__file__).resolve().parent.parent
SAME = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def made_of(*pieces: str) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(pieces), max_size=40).map("".join)


# Same output as the patterns ------------------------------------------------------------------------------

BLANKS = (" ", "\t", "\n", "\u00a0", "\x0b")


@SAME
@given(made_of("*", "**", "***", "_", "__", "~", "~~", "a", "b", *BLANKS))
@example("***a*")
@example("**a ** b**")
def test_emphasis_is_the_pattern(text: str) -> None:
    pattern = re.compile(r"(\*{1,3}|_{1,3}|~~)(?=\S)(.+?)(?<=\S)\1")
    assert markup._EMPHASIS.sub(lambda _, inside: inside, text) == pattern.sub(r"\2", text)


@SAME
@given(made_of("`", "``", "```", "a", " ", "\n"))
@example("```a")
@example("`" * 9 + "a" + "x" * 9)
def test_inline_code_is_the_pattern(text: str) -> None:
    assert markup._sub_inline_code(text) == re.sub(r"(`+)(.+?)\1", r"\2", text)


@SAME
@given(made_of("![", "!", "[", "]", "(", ")", "](", "a", " ", "\n"))
def test_images_are_the_pattern(text: str) -> None:
    assert markup._sub_images(text) == re.sub(r"!\[([^\]]*)\]\([^)]*\)", r"\1", text)


@SAME
@given(made_of("[", "]", "(", ")", "](", "((", "a", " ", "\n"))
@example("\n[](\naa]a(]())(((")
def test_links_are_the_pattern(text: str) -> None:
    assert markup._sub_links(text) == re.sub(r"\[([^\]]*)\]\((?:[^()]|\([^)]*\))*\)", r"\1", text)


@SAME
@given(made_of("[", "]", "][", "a", " ", "\n"))
def test_reference_links_are_the_pattern(text: str) -> None:
    assert markup._sub_reference_links(text) == re.sub(r"\[([^\]]+)\]\[[^\]]*\]", r"\1", text)


@SAME
@given(made_of("[", "]", ":", "]:", "a", " ", "  ", "\t", "\n"))
def test_link_definitions_are_the_pattern(text: str) -> None:
    pattern = re.compile(r"^ {0,3}\[[^\]]+\]:\s*\S+.*$", re.MULTILINE)
    assert markup._sub_link_definitions(text) == pattern.sub(" ", text)


@SAME
@given(made_of("<script", "<style", "<SCRIPT", "</script>", "</style >", "</Script\n>", "<scripts", "a", " ", "<", ">"))
def test_scripts_and_styles_are_the_pattern(text: str) -> None:
    pattern = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
    assert markup._sub_scripts(text) == pattern.sub(" ", text)


@SAME
@given(made_of("<img", "<IMG", "<imgx", " alt", "alt", "=", " = ", "'", '"', "<", ">", "a", " ", "\n", "xalt"))
def test_img_alt_is_the_pattern(text: str) -> None:
    pattern = re.compile(r"<img\b[^<>]*?\balt\s*=\s*([\"'])(.*?)\1[^<>]*>", re.IGNORECASE | re.DOTALL)
    assert markup.sub_img_alt(lambda alt: f"{{{alt}}}", text) == pattern.sub(lambda m: f"{{{m.group(2)}}}", text)


@SAME
@given(made_of("<", ">", "http:", "https:", "<http:", "<mailto:", "<FTP:", "a", " ", "\n"))
def test_autolinks_are_the_pattern(text: str) -> None:
    pattern = re.compile(r"<(?:https?|ftp|mailto):[^>\s]*>", re.IGNORECASE)
    assert markup._sub_autolinks(text) == pattern.sub(" ", text)


@SAME
@given(made_of("#", "##", "#######", " ", "\t", "a", "b c", "x#", "\u00a0"))
@example("#  ##")
@example("# a" + " \t" * 10 + "#x")
def test_atx_headings_are_the_pattern(line: str) -> None:
    pattern = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
    old, new = pattern.match(line), splitter._ATX.match(line)
    assert (new is None) == (old is None)
    if old and new:
        assert (new.group(1), splitter._atx_title(new.group(2) or "")) == (old.group(1), old.group(2) or "")


@SAME
@given(made_of("`", "``", "```", "a", " ", "\n"))
def test_telegram_code_spans_are_the_pattern(text: str) -> None:
    pattern = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.DOTALL)
    expected = pattern.sub(lambda m: f"<{m.group(2)}>", text)
    assert formatting._sub_code_spans(text, lambda content: f"<{content}>") == expected


TELEGRAM_EMPHASIS = (
    r"\*\*(?=\S)(.+?)(?<=\S)\*\*",
    r"(?<!\w)__(?=\S)(.+?)(?<=\S)__(?!\w)",
    r"~~(?=\S)(.+?)(?<=\S)~~",
    r"(?<![\w*])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![\w*])",
    r"(?<![\w_])_(?=[^\s_])(.+?)(?<=[^\s_])_(?![\w_])",
)


@SAME
@given(made_of("*", "**", "_", "__", "~~", "a", "b", "é", *BLANKS))
def test_telegram_emphasis_is_the_pattern(text: str) -> None:
    for (delimited, _), pattern in zip(formatting._EMPHASIS, TELEGRAM_EMPHASIS, strict=True):
        expected = re.sub(pattern, lambda m: f"<{m.group(1)}>", text)
        assert delimited.sub(lambda _, inside: f"<{inside}>", text) == expected, pattern


@SAME
@given(made_of("[", "]", "(", ")", "](", "](  ", "![", " ", "\n", "\t", "<", ">", '"', "'", "a", "x"))
@example('[a]( "t")')
@example("[a](<x> 'y' )")
def test_telegram_links_and_images_are_the_patterns(text: str) -> None:
    image = re.compile(r"!\[([^\]]*)\]\((?:[^()\s]|\([^)]*\))*(?:\s+\"[^\"]*\")?\)")
    link = re.compile(r"\[([^\]]+)\]\(\s*<?((?:[^()\s<>]|\([^)\s]*\))*)>?(?:\s+(?:\"[^\"]*\"|'[^']*'))?\s*\)")
    images = formatting._sub_bracketed(text, "![", formatting._Targets(text).image, lambda label, _: f"{{{label}}}")
    assert images == image.sub(lambda m: f"{{{m.group(1)}}}", text)
    links = formatting._sub_bracketed(
        text, "[", formatting._Targets(text).link, lambda label, url: f"{{{label}|{url}}}", nonempty=True
    )
    assert links == link.sub(lambda m: f"{{{m.group(1)}|{m.group(2)}}}", text)


# Linear time ------------------------------------------------------------------------------------------------


def repeated(unit: str, size: int) -> str:
    return (unit * (size // len(unit) + 1))[:size]


def on_lines(unit: str, size: int, width: int = 1024) -> str:
    return "\n".join([repeated(unit, width)] * (size // width))


#: Notes of about ``size`` characters that were quadratic (or worse) for one pattern or another.
PATHOLOGICAL: dict[str, Callable[[int], str]] = {
    "`_a ` repeated": lambda n: repeated("_a ", n),
    "`**a ` repeated": lambda n: repeated("**a ", n),
    "`~~a ` repeated": lambda n: repeated("~~a ", n),
    "`` ` `` repeated": lambda n: repeated("`", n),
    "runs of 1, 2, 3... backticks": lambda n: "".join("`" * k + "a" for k in range(1, int((2 * n) ** 0.5))),
    "`[` repeated": lambda n: repeated("[", n),
    "`![` repeated": lambda n: repeated("![", n),
    "`[a](` repeated": lambda n: repeated("[a](", n),
    "`[a](x(y)` repeated": lambda n: repeated("[a](x(y)", n),
    "`<img alt='` repeated": lambda n: repeated("<img alt='", n),
    "`<script ` repeated": lambda n: repeated("<script ", n),
    "`<https://` repeated": lambda n: repeated("<https://", n),
    "`# a`, then ` \\t` repeated, then `#x`": lambda n: "# a" + repeated(" \t", n - 5) + "#x",
    "`[` repeated, on lines of 1 kB": lambda n: on_lines("[", n),
    "`<img alt='` repeated, on lines of 1 kB": lambda n: on_lines("<img alt='", n),
    "`<style>` repeated, on lines of 1 kB": lambda n: on_lines("<style>", n),
}
FUNCTIONS = ("split_markdown", "markdown_to_messages")


def cpu_seconds(function: str, text: str) -> float:
    from bot.telegram.formatting import markdown_to_messages
    from index import split_markdown

    start = time.process_time()
    if function == "split_markdown":
        split_markdown(text, "note.md")
    else:
        markdown_to_messages(text)
    return time.process_time() - start


@pytest.mark.timeout(300)
@pytest.mark.parametrize("function", FUNCTIONS)
def test_pathological_lines_take_linear_time(function: str, tmp_path: Path) -> None:
    """A guard against quadratic time, not a speed test (see the module's docstring): it fails when a note 4
    times as long takes more than 8 times as long, and more than 2 s of CPU."""
    command = [sys.executable, "-m", "tests.test_markup_linear_time", "--json", "--function", function]
    report = tmp_path / "times.jsonl"
    with report.open("w") as out:
        child = subprocess.Popen([*command, "32768", "131072"], cwd=ROOT, stdout=out, stderr=subprocess.PIPE)
        try:
            _, errors = child.communicate(timeout=240)
        except subprocess.TimeoutExpired:
            child.kill()
            child.communicate()
            pytest.fail(f"{function} still running after 4 minutes; notes done: {report.read_text()}")
    assert child.returncode == 0, errors
    rows = [json.loads(line) for line in report.read_text().splitlines()]
    assert [row["note"] for row in rows] == list(PATHOLOGICAL)
    slow = [
        f"{row['note']}: {small:.3f} s at 32 kB, {large:.3f} s at 128 kB"
        for row in rows
        for small, large in [row["seconds"]]
        if large > 2.0 and large > 8 * max(small, 0.001)
    ]
    assert not slow, f"{function} is super-linear on: {slow}"


def main(argv: list[str]) -> int:
    """Print the CPU time of each function on each pathological note, at each size (16 kB and 64 kB by
    default): a Markdown table, or with ``--json`` one JSON line per note (``--function`` picks one)."""
    as_json = "--json" in argv
    functions: tuple[str, ...] = FUNCTIONS
    if "--function" in argv:
        functions = (argv[argv.index("--function") + 1],)
    sizes = [int(a) for a in argv if a.isdigit()] or [16384, 65536]
    if not as_json:
        head = [f"{f} at {s // 1024} kB" for f in functions for s in sizes]
        print("| One note of | " + " | ".join(head) + " |")
        print("| --- " * (len(head) + 1) + "|")
    for note, make in PATHOLOGICAL.items():
        times = [cpu_seconds(f, make(s)) for f in functions for s in sizes]
        if as_json:
            print(json.dumps({"note": note, "seconds": times}), flush=True)
        else:
            print(f"| {note} | " + " | ".join(f"{t:.3f} s" for t in times) + " |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
