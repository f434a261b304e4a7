"""Any text as a note: the splitter never crashes, loses no text, and finds no heading inside a code fence.

What "loses no text" means, precisely. The note is cut into lines as the splitter cuts it
(``str.splitlines``: ``\\n``, ``\\r\\n``, ``\\r`` and the other Unicode line breaks). A *heading line* is the
line of an ATX heading (``# Title``), the line of an HTML heading (``<h2>Title</h2>``) and, for a setext
heading, the title line together with its ``===``/``---`` underline; the text of heading lines is the
section's title, not its body. Every other line is body text. Then, for every section, its ``markdown`` is
exactly the body lines from after its heading up to the next heading line, joined with ``\\n``, with empty
lines at either end removed (``strip("\\n")``), and

- an HTML heading's trailing text (``<h2>Title</h2> more``) is the first line of the body, stripped;
- the text before the first heading is a section only when it is not blank.

So the concatenated sections hold every non-heading character of the note, in order; the oracle below
rebuilds each section's Markdown from the heading lines the splitter reported, after checking that each of
those lines really is heading-shaped (so the splitter cannot "lose" a line by calling it a heading).
Headings inside fences are checked with notes built from known fenced blocks whose content is full of
heading-like lines.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from index import Section, split_markdown

pytestmark = pytest.mark.timeout(120)

# Heading shapes, written independently of the splitter's own patterns (and more permissive).
ATX_LINE = re.compile(r"^ {0,3}#{1,6}(?:[ \t].*)?$")
HTML_HEADING_LINE = re.compile(r"^\s*<h([1-6])(?:\s[^>]*)?>(.*?)</h\1\s*>(.*)$", re.IGNORECASE)
UNDERLINE = re.compile(r"^ {0,3}(?:=+|-+)[ \t]*$")

FUZZ = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])

#: Pieces that exercise every rule of the splitter; joined at random, with arbitrary text in between.
PIECES = [
    "#", "# ", "## ", "###### ", "####### ", " #", "    #", "#\t", " ##", "\n", "\r\n", "\r", "\n\n",
    "===", "---", "-", "=", "***", "```", "~~~", "````", "``` `", "~~~~", "<!--", "-->", "<h1>", "</h1>",
    "<H2 class='x'>", "</h2>", "<h3>", "</h3 >", "<h7>", "- ", "1. ", "> ", "| ", "<p>", "\t", "    ", "...",
    "\u2028", "\x85", "\x0b", "\x0c", "\x1c", "\u2029", "\ufeff", "é", "𝔘", "中", "\u200b", "\x00", "&amp;",
    "*", "_", "`", "[x](y)", "a", "b c", " ",
]
pieces = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=5)), max_size=80).map("".join)
any_note = st.one_of(st.text(), pieces)


def heading_lines(lines: list[str], sections: list[Section]) -> dict[int, str]:
    """Line index -> what of that line belongs to the body (an HTML heading's trailing text, else "").

    Fails when the splitter reports a heading on a line that does not look like one.
    """
    taken: dict[int, str] = {}
    for section in sections:
        if section.level == 0:
            continue
        i = section.line - 1
        line = lines[i]
        if ATX_LINE.match(line):
            taken[i] = ""
        elif html := HTML_HEADING_LINE.match(line):
            taken[i] = html.group(3).strip()
        else:
            assert i + 1 < len(lines) and UNDERLINE.match(lines[i + 1]), (
                f"section {section.title!r} starts at line {section.line}, which is no heading: {line!r}"
            )
            assert line.strip(), f"a setext heading needs a title line, got {line!r}"
            taken[i] = taken[i + 1] = ""
    return taken


def expected_markdown(markdown: str, sections: list[Section]) -> list[str]:
    """Each section's Markdown, rebuilt from the note and the heading lines the splitter reported."""
    lines = markdown.splitlines()
    taken = heading_lines(lines, sections)
    starts = sorted(s.line - 1 for s in sections if s.level > 0)
    bodies: list[str] = []
    preamble = "\n".join(lines[: starts[0] if starts else len(lines)]).strip("\n")
    if preamble.strip():
        bodies.append(preamble)
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(lines)
        body = [taken[start]] if taken[start] else []
        body += [line for i, line in enumerate(lines[start:end], start) if i not in taken]
        bodies.append("\n".join(body).strip("\n"))
    return bodies


def non_space(text: str) -> str:
    return "".join(text.split())


@FUZZ
@given(any_note)
@example("<h2>Title</h2>  trailing words\nbody")
@example("Title\n===\n\n\nbody\n\n")
@example("\n\n  \npreamble\n# H\n")
@example("a\u2028# not a line start?\x85# H\rtext")
def test_no_text_is_lost_and_every_heading_is_a_heading_line(markdown: str) -> None:
    sections = split_markdown(markdown, "notes/n.md")
    assert [s.markdown for s in sections] == expected_markdown(markdown, sections)
    lines = markdown.splitlines()
    taken = heading_lines(lines, sections)
    kept = "".join(non_space(taken.get(i, line)) for i, line in enumerate(lines))
    assert non_space("".join(s.markdown for s in sections)) == kept  # every non-heading character, in order
    assert len({s.id for s in sections}) == len(sections)
    assert all(s.id.startswith("notes/n.md#") and s.path == "notes/n.md" for s in sections)
    assert [s.line for s in sections] == sorted(s.line for s in sections)


# Fences ------------------------------------------------------------------------------------------------------

#: Lines that would be headings outside a fence.
HEADING_LIKE = ["# fake", "## fake ##", "<h2>fake</h2>", "fake", "===", "---", "   # fake", "#", "<!--", "-->"]
plain_line = st.text(alphabet=st.characters(blacklist_characters="`~#<>=-\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"),
                     max_size=12)


@st.composite
def fenced_block(draw: st.DrawFn) -> list[str]:
    char = draw(st.sampled_from("`~"))
    width = draw(st.integers(3, 6))
    opening = " " * draw(st.integers(0, 3)) + char * width + draw(st.sampled_from(["", "python", " bash x"]))
    content = draw(st.lists(st.one_of(st.sampled_from(HEADING_LIKE), plain_line,
                                      st.just(char * (width - 1)), st.just(("~" if char == "`" else "`") * width)),
                            max_size=8))
    closing = draw(st.sampled_from([char * width, char * (width + 2), " " * 2 + char * width + "  "]))
    return [opening, *content, closing]


@st.composite
def note_with_fences(draw: st.DrawFn) -> tuple[str, list[int], list[tuple[int, int]]]:
    """A note of ATX headings, text and fenced blocks; returns it, the heading lines and each fence's span."""
    lines: list[str] = []
    headings: list[int] = []
    fences: list[tuple[int, int]] = []
    for kind in draw(st.lists(st.sampled_from(["heading", "text", "blank", "fence"]), max_size=14)):
        if kind == "heading":
            headings.append(len(lines))
            lines.append("#" * draw(st.integers(1, 6)) + " " + draw(plain_line))
        elif kind == "text":
            lines.append("text " + draw(plain_line))
        elif kind == "blank":
            lines.append("")
        else:
            block = draw(fenced_block())
            fences.append((len(lines), len(lines) + len(block) - 1))
            lines += block
    if draw(st.booleans()):  # a fence left open runs to the end of the note
        block = draw(fenced_block())[:-1]
        fences.append((len(lines), len(lines) + len(block) + 10))
        lines += block
    return "\n".join(lines), headings, fences


@FUZZ
@given(note_with_fences())
def test_no_heading_comes_from_inside_a_code_fence(case: tuple[str, list[int], list[tuple[int, int]]]) -> None:
    markdown, headings, fences = case
    sections = split_markdown(markdown, "n.md")
    found = [s.line - 1 for s in sections if s.level]
    for line in found:
        inside = [f for f in fences if f[0] <= line <= f[1]]
        assert not inside, f"a heading at line {line + 1} is inside the fence at lines {inside}"
    assert found == headings  # and the real headings around the fences are all found
    assert [s.markdown for s in sections] == expected_markdown(markdown, sections)
