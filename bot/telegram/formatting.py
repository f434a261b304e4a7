"""Markdown from the notes and the conversation core, turned into Telegram HTML and cut into messages.

Telegram's HTML parse mode knows a handful of tags (``b i u s code pre a blockquote``...) and rejects
anything else, so every piece of text, the notes' and the user's, is escaped (``& < >``) and only tags made
here are emitted:

- headings become bold lines; ``**bold**``/``__bold__`` ``<b>``, ``*italic*``/``_italic_`` ``<i>``,
  ``~~struck~~`` ``<s>``, `` `code` `` ``<code>``, fenced and indented code blocks
  ``<pre><code class="language-x">``, tables ``<pre>`` (they need a fixed-width font), quotes
  ``<blockquote>``, http(s) links ``<a href>``; list bullets become "•";
- HTML that notes embed is not passed through: ``<br>`` becomes a line break, an image its alt text, other
  tags are dropped and anything that merely looks like a tag (``docker run <image>``) is shown as written;
  entities (``&amp;``) are decoded first and escaped again, backslash escapes (``\\*``) give the character.

Emphasis is only emitted when its inside is balanced, so the output always nests properly.

A message holds at most 4096 characters of *visible* text (Telegram counts UTF-16 units after the tags are
removed). ``split_blocks`` packs rendered blocks into messages at paragraph boundaries; a paragraph that alone
is too long is rendered whole and its HTML cut (``split_markup``) at a line break, else a space, with the
tags open at the cut closed and opened again, so no text is lost or rendered differently; a code block is
cut into several complete code blocks.
"""

from __future__ import annotations

import bisect
import html
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial

from bot.replies import Reply, ReplyKind
from index.markup import Delimited, sub_img_alt

MAX_MESSAGE_CHARS = 4096  # telegram.constants.MessageLimit.MAX_TEXT_LENGTH
PARAGRAPH = "\n\n"

_FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,})[ \t]*([^`\s]*)[^`]*$")
_HEADING = re.compile(r"^ {0,3}#{1,6}(?:[ \t]+(.*))?$")  # the closing #s are cut by _heading_text, in linear time
_RULE = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_BULLET = re.compile(r"^([ \t]*)[-*+][ \t]+(?:\[( |x|X)\][ \t]+)?")
_LIST_START = re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+")
_QUOTE = re.compile(r"^ {0,3}>[ \t]?")
_TABLE_LINE = re.compile(r"^ {0,3}\|")
_INDENTED = re.compile(r"^(?: {4}|\t)")
_LANGUAGE = re.compile(r"[A-Za-z0-9_+#.-]{1,32}")

_BACKTICKS = re.compile(r"`+")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_BLANKS = re.compile(r"\s*")
_IMAGE_TARGET_CHARS = re.compile(r"[^()\s]+")
_LINK_TARGET_CHARS = re.compile(r"[^()\s<>]+")
_AUTOLINK = re.compile(r"<(https?://[^\s<>]+)>")
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_IMG_TAG = re.compile(r"<img\b[^<>]*>", re.IGNORECASE)
_HTML_ELEMENTS = (
    "a|abbr|article|aside|b|big|blockquote|center|code|dd|del|details|div|dl|dt|em|figcaption|figure|font|"
    "footer|h[1-6]|header|hr|i|iframe|ins|kbd|li|mark|nav|ol|p|picture|pre|s|samp|section|small|source|span|"
    "strike|strong|sub|summary|sup|table|tbody|td|tfoot|th|thead|tr|tt|u|ul|var|video"
)
_HTML_TAG = re.compile(rf"</?(?:{_HTML_ELEMENTS})\b(?:\s[^<>]*)?/?>", re.IGNORECASE)
_PLACEHOLDER = re.compile("\ue000(\\d+)\ue001")
# Each is ``OPEN(.+?)CLOSE``, found in linear time (see ``Delimited``): ``\*\*(?=\S)(.+?)(?<=\S)\*\*`` and so on.
_EMPHASIS: tuple[tuple[Delimited, str], ...] = (
    (Delimited([(r"\*\*(?=\S)", r"(?<=\S)\*\*")]), "b"),
    (Delimited([(r"(?<!\w)__(?=\S)", r"(?<=\S)__(?!\w)")]), "b"),
    (Delimited([(r"~~(?=\S)", r"(?<=\S)~~")]), "s"),
    (Delimited([(r"(?<![\w*])\*(?=[^\s*])", r"(?<=[^\s*])\*(?![\w*])")]), "i"),
    (Delimited([(r"(?<![\w_])_(?=[^\s_])", r"(?<=[^\s_])_(?![\w_])")]), "i"),
)
_TAG_IN_OUTPUT = re.compile(r"<(/?)([a-z]+)[^>]*>")
_ATOM = re.compile(r"<[^>]*>|&#?\w+;|[\s\S]")  # a tag, an entity or one character of HTML made here


# Measuring ----------------------------------------------------------------------------------------------


def visible_text(markup: str) -> str:
    """The text Telegram shows for HTML made here: tags removed, entities decoded."""
    return html.unescape(re.sub(r"<[^>]*>", "", markup))


def telegram_length(text: str) -> int:
    """Length in UTF-16 code units, as Telegram counts it (a character outside the BMP counts 2)."""
    return sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)


def _balanced(markup: str) -> bool:
    stack: list[str] = []
    for closing, name in _TAG_IN_OUTPUT.findall(markup):
        if not closing:
            stack.append(name)
        elif not stack or stack.pop() != name:
            return False
    return not stack


# Inline Markdown -----------------------------------------------------------------------------------------


def escape(text: str) -> str:
    """``text`` safe between Telegram HTML tags: ``&``, ``<`` and ``>`` escaped."""
    return _escape_text(text)


def _attribute(text: str) -> str:
    return html.escape(text, quote=True)


def _safe_url(url: str) -> str | None:
    url = html.unescape(url.strip())
    if re.match(r"(?i)https?://[^\s]+$", url):
        return url
    return None


def inline(markdown: str) -> str:
    """One line (or paragraph) of Markdown as Telegram HTML."""
    markdown = markdown.replace("\ue000", "").replace("\ue001", "")
    saved: list[str] = []

    def keep(markup: str) -> str:
        saved.append(markup)
        return f"\ue000{len(saved) - 1}\ue001"

    def code(content: str) -> str:
        if content.startswith(" ") and content.endswith(" ") and content.strip():
            content = content[1:-1]
        return keep(f"<code>{_escape_text(content)}</code>")

    def link(label: str, target: str) -> str:
        label = inline(label)
        url = _safe_url(target)
        if url is None or not visible_text(label).strip():
            return keep(label)
        return keep(f'<a href="{_attribute(url)}">{label}</a>')

    def autolink(match: re.Match[str]) -> str:
        url = match.group(1)
        return keep(f'<a href="{_attribute(url)}">{escape(url)}</a>')

    text = _sub_code_spans(markdown, code)
    text = _ESCAPE.sub(lambda m: keep(escape(m.group(1))), text)
    text = _COMMENT.sub("", text)
    text = _sub_bracketed(text, "![", _Targets(text).image, lambda label, _: label)
    text = _sub_bracketed(text, "[", _Targets(text).link, link, nonempty=True)
    text = _AUTOLINK.sub(autolink, text)
    text = _BREAK.sub("\n", text)
    text = sub_img_alt(lambda alt: alt, text)
    text = _IMG_TAG.sub("", text)
    text = _HTML_TAG.sub("", text)
    text = "".join(
        piece if index % 2 else _escape_text(html.unescape(piece))
        for index, piece in enumerate(re.split(r"(\ue000\d+\ue001)", text))
    )
    for pattern, tag in _EMPHASIS:
        text = pattern.sub(partial(_wrap, tag=tag, saved=saved), text)
    return _PLACEHOLDER.sub(lambda m: saved[int(m.group(1))], text)


def _escape_text(text: str) -> str:
    """Escape text between tags: ``&``, ``<``, ``>`` (quotes need no escaping there)."""
    return html.escape(text.replace("\ue000", "").replace("\ue001", ""), quote=False)


def _wrap(whole: str, inner: str, *, tag: str, saved: Sequence[str]) -> str:
    expanded = _PLACEHOLDER.sub(lambda m: saved[int(m.group(1))], inner)
    if not _balanced(inner) or not _balanced(expanded):
        return whole
    return f"<{tag}>{inner}</{tag}>"


def _sub_code_spans(text: str, repl: Callable[[str], str]) -> str:
    """Each code span replaced by ``repl(content)``: ``re.sub(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\\1(?!`)",
    lambda m: repl(m.group(2)), text, flags=re.DOTALL)``.

    A span opens with a run of backticks and closes at the next run of exactly as many. The runs are listed by
    length, so an opening with no closing run costs a look-up, not a scan to the end of the text (a note of
    runs of 1, 2, 3... backticks took time growing as the power 1.5 of its length).
    """
    runs = [(m.start(), m.end()) for m in _BACKTICKS.finditer(text)]
    by_length: dict[int, list[int]] = {}
    for start, end in runs:
        by_length.setdefault(end - start, []).append(start)
    out: list[str] = []
    done = 0
    for start, end in runs:
        if start < done:
            continue
        same = by_length[end - start]
        n = bisect.bisect_right(same, end)
        if n < len(same):
            out += [text[done:start], repl(text[end : same[n]])]
            done = same[n] + end - start
    out.append(text[done:])
    return "".join(out)


def _sub_bracketed(
    text: str,
    opener: str,
    tail: Callable[[int], tuple[int, str] | None],
    repl: Callable[[str, str], str],
    *,
    nonempty: bool = False,
) -> str:
    """Each ``OPENER label TAIL`` replaced by ``repl(label, target)``, where the label is everything up to the
    first ``]`` (at least one character if ``nonempty``) and ``tail(j)`` gives the end and the target of the
    tail that starts at the ``]`` at ``j``, or None: ``re.sub`` with ``OPENER([^\\]]*)TAIL``.

    Every opening before a ``]`` has the same tail and fails when one does: the next opening looked at is after
    it, so a line of ``[`` takes linear time, not quadratic.
    """
    out: list[str] = []
    done = i = 0
    while (i := text.find(opener, i)) != -1:
        j = text.find("]", i + len(opener))
        if j == -1:
            break  # no "]" after this opening, nor after any later one
        rest = tail(j) if j > i + len(opener) or not nonempty else None
        if rest is None:
            i = j
            continue
        out += [text[done:i], repl(text[i + len(opener) : j], rest[1])]
        done = i = rest[0]
    out.append(text[done:])
    return "".join(out)


def _blanks_end(text: str, at: int) -> int:
    """Where the blanks (``\\s*``) that start at ``at`` end."""
    blanks = _BLANKS.match(text, at)
    return blanks.end() if blanks else at


class _Targets:
    """Where the ``(target "title")`` after an image's or a link's ``]`` ends, as these patterns find it:

    - image: ``\\]\\((?:[^()\\s]|\\([^)]*\\))*(?:\\s+"[^"]*")?\\)``
    - link: ``\\]\\(\\s*<?((?:[^()\\s<>]|\\([^)\\s]*\\))*)>?(?:\\s+(?:"[^"]*"|'[^']*'))?\\s*\\)``

    in time linear in the text for all the ``]`` of a text together. The patterns read a target up to the
    first ``(`` with no ``)`` after it (before a blank, for a link), and then look again from every later ``]``
    inside it: a line of ``[a](`` or of ``[a](x(y)`` took seconds. Here where each ``(`` closes is looked up in
    the list of ``)`` (and blanks), and where a target read from a given position ends is remembered.
    """

    def __init__(self, text: str) -> None:
        self._text = text
        self._stops: dict[bool, list[int]] = {}  # link? -> positions of ")" (and, for links, of blanks)
        self._ends: dict[tuple[bool, int], int] = {}  # (link?, start) -> end of the target read from start

    def image(self, j: int) -> tuple[int, str] | None:
        text = self._text
        if not text.startswith("(", j + 1):
            return None
        end = self._target_end(j + 2, link=False)
        blanks = _blanks_end(text, end)
        if blanks > end and text.startswith('"', blanks):
            close = text.find('"', blanks + 1)
            if close != -1 and text.startswith(")", close + 1):
                return close + 2, ""
        return (end + 1, "") if text.startswith(")", end) else None

    def link(self, j: int) -> tuple[int, str] | None:
        text = self._text
        if not text.startswith("(", j + 1):
            return None
        start = j + 2
        blank_end = _blanks_end(text, start)
        # The pattern's own order of attempts: all the blanks, "<" taken or not, ">" taken or not; then fewer
        # blanks, which leaves an empty target followed by blanks.
        for url_start in ([blank_end + 1] if text.startswith("<", blank_end) else []) + [blank_end]:
            url_end = self._target_end(url_start, link=True)
            for after in ([url_end + 1] if text.startswith(">", url_end) else []) + [url_end]:
                if (end := self._after_link_target(after)) is not None:
                    return end, text[url_start:url_end]
        if blank_end > start and (end := self._after_link_target(blank_end - 1)) is not None:
            return end, ""
        return None

    def _after_link_target(self, at: int) -> int | None:
        """The end of ``(?:\\s+(?:"[^"]*"|'[^']*'))?\\s*\\)`` at ``at``, or None."""
        text = self._text
        blank_end = _blanks_end(text, at)
        quote = text[blank_end : blank_end + 1]
        if blank_end > at and quote in ('"', "'"):
            close = text.find(quote, blank_end + 1)
            if close != -1:
                after = _blanks_end(text, close + 1)
                if text.startswith(")", after):
                    return after + 1
        return blank_end + 1 if text.startswith(")", blank_end) else None

    def _target_end(self, start: int, *, link: bool) -> int:
        """Where the target's characters and ``(...)`` groups read from ``start`` end (the patterns never need
        to give any back)."""
        text = self._text
        chars = _LINK_TARGET_CHARS if link else _IMAGE_TARGET_CHARS
        if link not in self._stops:
            self._stops[link] = [m.start() for m in re.finditer(r"[)\s]" if link else r"\)", text)]
        stops = self._stops[link]
        visited: list[int] = []
        at = start
        while (end := self._ends.get((link, at))) is None:
            visited.append(at)
            after = at
            if run := chars.match(text, after):
                after = run.end()
            if text.startswith("(", after):
                n = bisect.bisect_left(stops, after + 1)
                if n < len(stops) and text[stops[n]] == ")":
                    after = stops[n] + 1
            if after == at:
                end = at
                break
            at = after
        for position in visited:
            self._ends[(link, position)] = end
        return end


# Blocks --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Block:
    """A piece of a message that is never cut: balanced HTML, its visible length, and how it joins the
    block before it (a blank line between paragraphs, a newline between the lines of a long paragraph)."""

    html: str
    length: int
    joiner: str = PARAGRAPH


def _block(markup: str, joiner: str = PARAGRAPH) -> Block:
    return Block(markup, telegram_length(visible_text(markup)), joiner)


def _code_blocks(lines: Sequence[str], language: str, limit: int) -> list[Block]:
    """A code block, cut into complete code blocks of at most ``limit`` visible characters."""
    attribute = f' class="language-{language}"' if language else ""

    def wrap(chunk: Sequence[str]) -> str:
        return f"<pre><code{attribute}>{_escape_text(chr(10).join(chunk))}</code></pre>"

    pieces: list[str] = []
    for line in lines or [""]:
        while telegram_length(line) > limit:
            cut = _cut_point(line, limit)
            pieces.append(line[:cut])
            line = line[cut:]
        pieces.append(line)
    blocks: list[Block] = []
    chunk: list[str] = []
    size = 0
    for piece in pieces:
        grown = size + (1 if chunk else 0) + telegram_length(piece)
        if chunk and grown > limit:
            blocks.append(_block(wrap(chunk), PARAGRAPH if not blocks else "\n"))
            chunk, grown = [], telegram_length(piece)
        chunk.append(piece)
        size = grown
    blocks.append(_block(wrap(chunk), PARAGRAPH if not blocks else "\n"))
    return blocks


def _cut_point(text: str, limit: int) -> int:
    """Where to cut ``text`` so the first piece has at most ``limit`` UTF-16 units: at a space if possible."""
    end = 0
    units = 0
    for index, ch in enumerate(text):
        units += 2 if ord(ch) > 0xFFFF else 1
        if units > limit:
            break
        end = index + 1
    space = text.rfind(" ", 0, end)
    return space + 1 if space > end // 2 else max(end, 1)


def _text_blocks(lines: Sequence[str], render: Callable[[str], str], limit: int) -> list[Block]:
    """A paragraph as one block or, when it is too long, its HTML cut into blocks by ``split_markup``.

    The whole paragraph is rendered once and the HTML is cut, never the Markdown: a cut in the Markdown can
    fall inside a code span, a link or an emphasis and change how both pieces render (text lost or markup
    shown); a cut in the HTML cannot. The pieces join with nothing, so put together they are the whole.
    """
    whole = _block(render("\n".join(lines)))
    if whole.length <= limit:
        return [whole]
    return [_block(piece, PARAGRAPH if n == 0 else "") for n, piece in enumerate(split_markup(whole.html, limit))]


def split_markup(markup: str, limit: int) -> list[str]:
    """Cut balanced HTML made here into pieces of at most ``limit`` visible UTF-16 units each.

    A piece ends after the last line break that leaves it at least half full, else after the last such space,
    else anywhere between two characters (never inside a tag or an entity). Tags open at a cut are closed at the
    end of the piece and opened again, with their attributes, at the start of the next, so every piece is
    balanced and the pieces' visible text, put together, is the whole's.
    """
    atoms = _ATOM.findall(markup)
    widths = [0 if a.startswith("<") else telegram_length(html.unescape(a)) for a in atoms]
    open_after: list[tuple[str, ...]] = []  # the tags open after each atom
    stack: tuple[str, ...] = ()
    for atom in atoms:
        if atom.startswith("</"):
            stack = stack[:-1]
        elif atom.startswith("<"):
            stack = (*stack, atom)
        open_after.append(stack)
    pieces: list[str] = []
    start, reopen = 0, ""
    while start < len(atoms):
        units, end, line_cut, space_cut = 0, start, start, start
        while end < len(atoms) and units + widths[end] <= limit:
            units += widths[end]
            end += 1
            if atoms[end - 1] == "\n" and units * 2 >= limit:
                line_cut = end
            elif atoms[end - 1] == " " and units * 2 >= limit:
                space_cut = end
        if end == len(atoms):
            cut = end
        elif line_cut > start:
            cut = line_cut
        elif space_cut > start:
            cut = space_cut
        else:
            cut = max(end, start + 1)
        while cut - 1 > start and atoms[cut - 1].startswith("<") and not atoms[cut - 1].startswith("</"):
            cut -= 1  # an element opened just before the cut starts the next piece instead
        while cut < len(atoms) and atoms[cut].startswith("</"):
            cut += 1  # an element closed just after the cut ends this piece
        still_open = open_after[cut - 1]
        closing = "".join(f"</{tag[1:-1].split(' ', 1)[0]}>" for tag in reversed(still_open))
        pieces.append(reopen + "".join(atoms[start:cut]) + closing)
        start, reopen = cut, "".join(still_open)
    return [piece for piece in pieces if visible_text(piece).strip()]


def _list_line(line: str) -> str:
    match = _BULLET.match(line)
    if match is None:
        return inline(line)
    box = {" ": "☐ ", "x": "☑ ", "X": "☑ "}.get(match.group(2) or "", "")
    return f"{match.group(1)}• {box}{inline(line[match.end():])}"


def _paragraph(text: str) -> str:
    return "\n".join(_list_line(line) for line in text.split("\n"))


def _quote(text: str) -> str:
    return f"<blockquote>{_paragraph(text)}</blockquote>"


def _table(text: str) -> str:
    return f"<pre>{_escape_text(text)}</pre>"


def _groups(markdown: str) -> Iterable[tuple[str, list[str], str]]:
    """(kind, lines, language) for each block of the Markdown: code, heading, table, quote or text."""
    lines = markdown.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    i = 0
    previous = ""
    while i < len(lines):
        line = lines[i]
        fence = _FENCE.match(line)
        if fence:
            indent, marker, language = len(fence.group(1)), fence.group(2), fence.group(3)
            body: list[str] = []
            i += 1
            while i < len(lines):
                closing = lines[i].strip()
                if closing.startswith(marker) and not closing.strip(marker[0]):
                    i += 1
                    break
                body.append(lines[i][indent:] if lines[i][:indent].isspace() else lines[i].lstrip())
                i += 1
            previous = "code"
            yield "code", body, language if _LANGUAGE.fullmatch(language) else ""
            continue
        if not line.strip() or _RULE.match(line):
            i += 1
            continue
        heading = _HEADING.match(line)
        if heading:
            i += 1
            previous = "heading"
            if title := _heading_text(heading.group(1) or ""):
                yield "heading", [title], ""
            continue
        kind = "text"
        if _TABLE_LINE.match(line):
            kind = "table"
        elif _QUOTE.match(line):
            kind = "quote"
        elif _INDENTED.match(line) and previous != "list" and not _LIST_START.match(line):
            kind = "indented"
        group: list[str] = []
        while i < len(lines) and lines[i].strip() and not _FENCE.match(lines[i]) and not _HEADING.match(lines[i]):
            current = lines[i]
            if kind == "table" and not _TABLE_LINE.match(current):
                break
            if kind == "quote" and not _QUOTE.match(current):
                break
            if kind == "indented" and not _INDENTED.match(current):
                break
            if kind == "text" and (_TABLE_LINE.match(current) or _QUOTE.match(current)) and group:
                break
            group.append(current)
            i += 1
        if kind == "indented":
            yield "code", [g[4:] if g.startswith("    ") else g[1:] for g in group], ""
            previous = "code"
            continue
        previous = "list" if kind == "text" and _LIST_START.match(group[0]) else kind
        yield kind, group, ""


def _heading_text(rest: str) -> str:
    """An ATX heading's text without its closing sequence (``## Title ##`` -> ``Title``). A regular expression
    that does this (``(.*?)(?:[ \t]+#+)?[ \t]*$``) takes quadratic time on a long line of blanks."""
    text = rest.rstrip(" \t")
    bare = text.rstrip("#")
    if bare != text and (not bare or bare[-1] in " \t"):
        text = bare.rstrip(" \t")
    return text


def markdown_blocks(markdown: str, *, limit: int = MAX_MESSAGE_CHARS) -> list[Block]:
    """The Markdown as rendered blocks, each at most ``limit`` visible characters."""
    blocks: list[Block] = []
    for kind, lines, language in _groups(markdown):
        if kind == "code":
            blocks += _code_blocks(lines, language, limit)
        elif kind == "heading":
            blocks += _text_blocks(lines, lambda text: f"<b>{inline(text)}</b>", limit)
        elif kind == "table":
            blocks += _text_blocks(lines, _table, limit)
        elif kind == "quote":
            stripped = [_QUOTE.sub("", line, count=1) for line in lines]
            blocks += _text_blocks(stripped, _quote, limit)
        else:
            blocks += _text_blocks(lines, _paragraph, limit)
    return [b for b in blocks if visible_text(b.html).strip()]


def split_blocks(blocks: Sequence[Block], *, limit: int = MAX_MESSAGE_CHARS) -> list[str]:
    """Pack blocks into as few messages as fit ``limit`` visible characters each, in order."""
    messages: list[str] = []
    current = ""
    size = 0
    for block in blocks:
        if current and size + telegram_length(block.joiner) + block.length <= limit:
            current += block.joiner + block.html
            size += telegram_length(block.joiner) + block.length
            continue
        if current:
            messages.append(current)
        current, size = block.html, block.length
    if current:
        messages.append(current)
    return messages


def markdown_to_messages(markdown: str, *, limit: int = MAX_MESSAGE_CHARS) -> list[str]:
    """Markdown as one or more Telegram HTML messages of at most ``limit`` visible characters each."""
    return split_blocks(markdown_blocks(markdown, limit=limit), limit=limit)


# Replies -------------------------------------------------------------------------------------------------


def reply_blocks(reply: Reply, *, lead: str | None = None, limit: int = MAX_MESSAGE_CHARS) -> list[Block]:
    """A reply of the conversation core as blocks: ``lead`` (plain text, such as a greeting), heading,
    follow-up note, body, source."""
    blocks: list[Block] = []
    if lead:
        blocks += _text_blocks([lead], escape, limit)
    if reply.title is not None and reply.kind is not ReplyKind.SOURCE:
        trail = f"<i>{escape(' › '.join(reply.trail))}</i>\n" if reply.trail else ""
        blocks += _text_blocks([reply.title], lambda title: f"{trail}<b>{escape(title)}</b>", limit)
    if reply.context is not None:
        blocks.append(_block(f"<i>(read as a follow-up to: {escape(reply.context)})</i>"))
    blocks += markdown_blocks(reply.body, limit=limit)
    if reply.source is not None and reply.kind is not ReplyKind.SOURCE:
        blocks.append(_block(f"<i>Source:</i> <code>{escape(str(reply.source))}</code>"))
    if not any(b.length for b in blocks):
        blocks = [_block(escape(reply.body.strip() or "…"))]
    return blocks


def reply_messages(reply: Reply, *, lead: str | None = None, limit: int = MAX_MESSAGE_CHARS) -> list[str]:
    """A reply as Telegram HTML messages, each within Telegram's length limit."""
    return split_blocks(reply_blocks(reply, lead=lead, limit=limit), limit=limit)
