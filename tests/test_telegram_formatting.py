"""Markdown to Telegram HTML: what each construct becomes, that every note renders to HTML the fake accepts,
and that long text is split into messages of at most 4096 visible characters without losing a word."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
import telegram
from hypothesis import given, settings
from hypothesis import strategies as st
from telegram.constants import ParseMode

from bot import Conversation, Reply, ReplyKind, Source, State
from bot.conversation import action_key
from bot.telegram.formatting import (
    MAX_MESSAGE_CHARS,
    inline,
    markdown_to_messages,
    reply_messages,
    telegram_length,
    visible_text,
)
from index import Retriever, Section
from tests.fake_bot_api import FakeBotAPI, parse_html, validate_html
from tests.fake_bot_api.methods import ApiError, Options, format_text
from tests.test_telegram_harness import SHARED, SPEC_PATH, bundled_conversation

CORPORA = SHARED / "corpora"


def squeeze(text: str) -> str:
    return "".join(text.split())


@pytest.mark.parametrize(
    ("markdown", "html"),
    [
        ("**bold** and __bold__", "<b>bold</b> and <b>bold</b>"),
        ("*it* and _it_ but snake_case_name", "<i>it</i> and <i>it</i> but snake_case_name"),
        ("~~gone~~", "<s>gone</s>"),
        ("run `docker ps -a` now", "run <code>docker ps -a</code> now"),
        ("`a <b> & c`", "<code>a &lt;b&gt; &amp; c</code>"),
        ("1 < 2 & 3 > 2", "1 &lt; 2 &amp; 3 &gt; 2"),
        ("docker run <image>", "docker run &lt;image&gt;"),
        ("AT&amp;T &lt;tag&gt;", "AT&amp;T &lt;tag&gt;"),
        (r"\*not italic\* and \<b\>", "*not italic* and &lt;b&gt;"),
        ("[the docs](https://docs.docker.com/?a=1&b=2)", '<a href="https://docs.docker.com/?a=1&amp;b=2">the docs</a>'),
        ("[local](./other.md) link", "local link"),
        ("![a diagram](img.png)", "a diagram"),
        ("line<br>break", "line\nbreak"),
        ('<img src="x.png" alt="logo"> <p>para</p>', "logo para"),
        ("**bold with `code` inside**", "<b>bold with <code>code</code> inside</b>"),
        ("**a *b** c*", "<b>a *b</b> c*"),  # crossing emphasis: only the pair that nests is kept
    ],
)
def test_inline_markdown(markdown: str, html: str) -> None:
    assert inline(markdown) == html
    assert validate_html(html) is None


def test_blocks_headings_lists_quotes_tables_and_code() -> None:
    markdown = (
        "## Sub heading\n\nText with a list:\n\n- one\n  - nested\n- [x] done\n\n> quoted *words*\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n```python\nprint('<hi>')\n```\n\n    indented code\n\n---\n"
    )
    [message] = markdown_to_messages(markdown)
    assert message == (
        "<b>Sub heading</b>\n\nText with a list:\n\n• one\n  • nested\n• ☑ done\n\n"
        "<blockquote>quoted <i>words</i></blockquote>\n\n<pre>| a | b |\n|---|---|\n| 1 | 2 |</pre>\n\n"
        "<pre><code class=\"language-python\">print('&lt;hi&gt;')</code></pre>\n\n<pre><code>indented code</code></pre>"
    )
    assert validate_html(message) is None


def test_a_reply_has_its_trail_title_follow_up_note_and_source() -> None:
    reply = Reply(
        ReplyKind.ANSWER,
        "Body *text*.",
        title="Kernel <core>",
        trail=("Linux", "Basics"),
        source=Source("03-linux.md", 5),
        context="What is Linux?",
    )
    [message] = reply_messages(reply, lead="Hello, <Ann>!")
    assert message == (
        "Hello, &lt;Ann&gt;!\n\n<i>Linux › Basics</i>\n<b>Kernel &lt;core&gt;</b>\n\n"
        "<i>(read as a follow-up to: What is Linux?)</i>\n\nBody <i>text</i>.\n\n"
        "<i>Source:</i> <code>03-linux.md:5</code>"
    )


@pytest.mark.parametrize("limit", [MAX_MESSAGE_CHARS, 500, 120])
def test_long_text_is_split_at_boundaries_and_loses_nothing(limit: int) -> None:
    paragraph = "A sentence with **bold**, `code` and an emoji 🐳 that counts twice. " * 12
    code = "```\n" + "\n".join(f"line {i} <x>" for i in range(400)) + "\n```"
    markdown = "\n\n".join([paragraph] * 8 + [code, "- item " * 300, "x" * (limit * 2)])
    parts = markdown_to_messages(markdown, limit=limit)
    assert len(parts) > 1
    for part in parts:
        parsed = parse_html(part)
        assert telegram_length(parsed.text) <= limit
        assert parsed.text.count("🐳") * 2 <= limit
    whole = markdown_to_messages(markdown, limit=10**9)
    assert squeeze("".join(visible_text(p) for p in parts)) == squeeze(visible_text(whole[0]))


markdownish = st.text(alphabet=st.sampled_from(list("ab *_`~#>|-[]()!<>&;\\\n 1.é🐳")), max_size=400)


@settings(max_examples=300, deadline=None)
@given(markdownish, st.sampled_from([60, 200, MAX_MESSAGE_CHARS]))
def test_any_text_renders_to_valid_html_within_the_limit(markdown: str, limit: int) -> None:
    for part in markdown_to_messages(markdown, limit=limit):
        assert validate_html(part) is None, part
        assert telegram_length(parse_html(part).text) <= limit


# Every section of the bundled notes and of the third-party corpora, through the fake's sendMessage -----------


def rendered_parts(sections: tuple[Section, ...], conversation: Conversation) -> Iterator[tuple[str, str]]:
    """(section id, HTML message) for each section: the core's answer, and the whole section at 4096."""
    for section in sections:
        if section.searchable:
            reply, _ = conversation.choose(action_key(section.id), State())
            for part in reply_messages(reply):
                yield section.id, part
        for part in markdown_to_messages(section.markdown):
            yield section.id, part


def test_every_section_of_the_bundled_notes_is_accepted_by_sendmessage(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    conversation = bundled_conversation()
    retriever = conversation.retriever
    parts = sorted(set(rendered_parts(retriever.sections, conversation)))
    assert len({sid for sid, _ in parts}) == len(retriever.sections)
    with FakeBotAPI(spec_path=SPEC_PATH) as fake:
        fake.send_text(1, "hi")

        async def send_all() -> list[tuple[str, str]]:
            failures = []
            async with telegram.Bot(fake.token, base_url=fake.base_url) as bot:
                for section_id, html in parts:
                    try:
                        await bot.send_message(1, html, parse_mode=ParseMode.HTML)
                    except telegram.error.TelegramError as error:
                        failures.append((section_id, repr(error)))
            return failures

        assert asyncio.run(send_all()) == []
        assert len(fake.sent_messages(1)) == len(parts)
        assert fake.spec_violations == []


@pytest.mark.timeout(60)
@pytest.mark.parametrize("name", ["curriculum", "dockerlabs", "lz-qa"])
def test_every_section_of_the_third_party_corpora_passes_the_fakes_checks(name: str) -> None:
    """The check sendMessage makes (``format_text``: Telegram's HTML parser in strict mode, then the length),
    called in-process: sending the corpora's ~4,000 messages over HTTP would take the fake half a minute."""
    notes = CORPORA / name
    if not notes.is_dir():
        pytest.skip(f"{notes} is absent (it exists only beside the project's own checkout and in CI)")
    retriever = Retriever.from_directory(notes)
    failures = []
    for section_id, html in set(rendered_parts(retriever.sections, Conversation(retriever))):
        try:
            format_text(html, "HTML", None, Options(strict_html=True))
        except ApiError as error:
            failures.append((section_id, error.description))
    assert failures == []
