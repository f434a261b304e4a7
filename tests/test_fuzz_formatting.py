"""Any section text, rendered for Telegram: HTML the fake server accepts, messages within the limit, no text lost.

For every generated note, each of its sections is rendered as the bot renders an answer (``reply_messages``)
and as the whole section (``markdown_to_messages``), at Telegram's limit of 4096 and at small limits that
force many cuts (answers at 200 and up: their one-line source and follow-up note are never cut). Each message
must pass the fake server's HTML check (``validate_html``: Telegram's parser, in the fake's strict mode) and
hold at most ``limit`` UTF-16 units of visible text. "No text lost by the split": the visible text of the
messages, put together, equals the visible text of the same Markdown rendered without a limit (one message),
ignoring only whitespace (a cut may fall at a line break or a space, which Telegram does not show at the end of
a message). ``split_markup``, which cuts over-long paragraphs, keeps the text exactly, but for the whitespace of pieces
that are all whitespace (they are dropped).
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot import Reply, ReplyKind, Source
from bot.telegram.formatting import MAX_MESSAGE_CHARS, inline, markdown_to_messages, reply_messages, split_markup
from index import split_markdown
from tests.fake_bot_api import parse_html, strip_html, telegram_text_length, validate_html

pytestmark = pytest.mark.timeout(180)

FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                          HealthCheck.data_too_large])
UNLIMITED = 10**9

#: Markdown and HTML that the renderer treats specially, mixed with arbitrary text.
PIECES = [
    "**", "__", "*", "_", "~~", "`", "``", "```", "```py", "~~~", "\n", "\n\n", "# ", "## ", "- ", "* ", "1. ",
    "> ", "| a | b |\n", "|---|\n", "    ", "\t", "[a](https://x.y/z?q=1&r=2)", "[b](", "](", "[c][d]", "![i](p.png)",
    "<https://a.b/c>", "<br>", "<br/>", "<img alt='q' src=x>", "<img src=x>", "<p>", "</p>", "<b>", "</b>",
    "<script>", "<h1>", "&amp;", "&lt;", "&", "&#x41;", "&nbsp;", "<", ">", "\\", "\\*", "\\<", "<!--", "-->",
    "---", "- [x] ", "- [ ] ", "\r\n", "\r", "\u2028", "\x00", "\x1f", "\ue000", "\ue0010\ue001", "🐳", "é",
    "\u200d", "\ufeff", " ", "word", "longerword",
]
unit = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=6)), max_size=60).map("".join)
#: Up to a few hundred kB: a unit repeated, so that every limit, 4096 included, is crossed many times.
markdown = st.one_of(unit, st.builds(lambda u, n: u * n, unit, st.integers(1, 600)))
limits = st.sampled_from([16, 60, 200, MAX_MESSAGE_CHARS])


def squeeze(text: str) -> str:
    return "".join(text.split())


def visible(parts: list[str]) -> str:
    return "".join(strip_html(part) for part in parts)


def check_messages(parts: list[str], limit: int) -> None:
    for part in parts:
        assert validate_html(part) is None, f"{validate_html(part)}: {part[:300]!r}"
        assert telegram_text_length(parse_html(part).text) <= limit


@FUZZ
@given(markdown, limits)
@example("****```py[a](https://x.y/z)**```****" * 171, MAX_MESSAGE_CHARS)  # a cut inside a code span
@example("<https://a.b><https://a.b>" * 205, MAX_MESSAGE_CHARS)  # a cut inside an autolink
@example("**" + "a" * 5000 + "**", MAX_MESSAGE_CHARS)  # bold longer than a message
@example("x &amp; y " * 1000, 60)
def test_any_markdown_renders_to_accepted_messages_that_lose_no_text(text: str, limit: int) -> None:
    parts = markdown_to_messages(text, limit=limit)
    check_messages(parts, limit)
    whole = markdown_to_messages(text, limit=UNLIMITED)
    assert len(whole) <= 1
    assert squeeze(visible(parts)) == squeeze(visible(whole))


@FUZZ
@given(st.lists(st.one_of(markdown, st.sampled_from(["# Title\n", "Setext\n===\n", "<h2>H</h2> rest\n"])),
                max_size=6).map("".join), st.sampled_from([200, MAX_MESSAGE_CHARS]))
def test_every_section_of_any_note_renders_as_an_answer_within_the_limit(note: str, limit: int) -> None:
    for section in split_markdown(note, "notes/n.md"):
        reply = Reply(ReplyKind.ANSWER, section.markdown, title=section.title, trail=section.trail,
                      source=Source(section.path, section.line))
        parts = reply_messages(reply, limit=limit)
        assert parts, "an answer is never empty"
        check_messages(parts, limit)
        whole = reply_messages(reply, limit=UNLIMITED)
        assert squeeze(visible(parts)) == squeeze(visible(whole))


@FUZZ
@given(unit.map(inline), st.integers(2, 300))
def test_cutting_rendered_html_keeps_every_character_and_balances_every_piece(markup: str, limit: int) -> None:
    pieces = split_markup(markup, limit)
    check_messages(pieces, limit)
    assert squeeze(visible(pieces)) == squeeze(strip_html(markup))
    assert is_subsequence(visible(pieces), strip_html(markup))  # what differs is whitespace left out


def is_subsequence(part: str, whole: str) -> bool:
    characters = iter(whole)
    return all(ch in characters for ch in part)
