"""Splitting one note's Markdown into flat sections along its headings.

Headings are Markdown ATX (``#``..``######``), setext (a one-line paragraph underlined with ``===`` or
``---``) and HTML ``<h1>``..``<h6>`` on a line of their own. Nothing inside a fenced code block, an HTML
comment or YAML front matter is a heading. A section is the text under a heading up to the next heading of
any level; it keeps the trail of its ancestors' headings. Text before the first heading becomes a section
titled after the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.markup import clean_heading, slugify, to_plain_text
from index.model import Section

_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*))?$")  # the closing #s are cut by _atx_title, in linear time
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_HTML_HEADING = re.compile(r"^\s*<h([1-6])(?:\s[^>]*)?>(.*?)</h\1\s*>(.*)$", re.IGNORECASE)
_FENCE = re.compile(r"^\s*(`{3,}|~{3,})(.*)$")
_LIST_OR_BLOCK = re.compile(r"^ {0,3}(?:[-*+]\s|\d+[.)]\s|>|\||<)")


@dataclass(frozen=True, slots=True)
class _Heading:
    line_index: int  # 0-based index of the heading's first line
    body_start: int  # 0-based index of the first body line
    level: int
    title: str
    rest: str = ""  # text after an HTML heading on the same line, part of the body


def _code_mask(lines: list[str]) -> list[bool]:
    """Mark lines inside fenced code blocks, HTML comments and front matter (where no heading can be)."""
    masked = [False] * len(lines)
    fence: str | None = None
    in_comment = False
    if lines and lines[0].strip() == "---":
        for end in range(1, min(len(lines), 60)):
            if lines[end].strip() in ("---", "..."):
                for i in range(end + 1):
                    masked[i] = True
                break
    for i, line in enumerate(lines):
        if masked[i]:
            continue
        if fence is not None:
            masked[i] = True
            stripped = line.strip()
            if stripped.startswith(fence) and set(stripped) == {fence[0]}:
                fence = None
            continue
        if in_comment:
            masked[i] = True
            if "-->" in line:
                in_comment = False
            continue
        match = _FENCE.match(line)
        if match and not (match.group(1)[0] == "`" and "`" in match.group(2)):
            fence = match.group(1)
            masked[i] = True
            continue
        start = line.find("<!--")
        if start != -1 and "-->" not in line[start:]:
            in_comment = True
            masked[i] = line.lstrip().startswith("<!--")
    return masked


def _find_headings(lines: list[str]) -> list[_Heading]:
    masked = _code_mask(lines)
    headings: list[_Heading] = []
    for i, line in enumerate(lines):
        if masked[i]:
            continue
        atx = _ATX.match(line)
        if atx:
            headings.append(_Heading(i, i + 1, len(atx.group(1)), clean_heading(_atx_title(atx.group(2) or ""))))
            continue
        html_heading = _HTML_HEADING.match(line)
        if html_heading:
            level, inner, rest = html_heading.groups()
            headings.append(_Heading(i, i + 1, int(level), clean_heading(inner), rest.strip()))
            continue
        if _is_setext_underline(lines, masked, headings, i):
            underline = lines[i].strip()
            level = 1 if underline.startswith("=") else 2
            headings.append(_Heading(i - 1, i + 1, level, clean_heading(lines[i - 1])))
    return headings


def _atx_title(rest: str) -> str:
    """An ATX heading's text without its closing sequence: ``Title ##`` -> ``Title``, but ``##`` stays ``##``.

    The same as ``(.*?)(?:[ \\t]+#+)?[ \\t]*$`` on ``rest``, which takes quadratic time on a long line of blanks.
    """
    text = rest.rstrip(" \t")
    bare = text.rstrip("#")
    if bare != text and bare[-1:] in (" ", "\t"):
        text = bare.rstrip(" \t")
    return text


def _is_setext_underline(lines: list[str], masked: list[bool], found: list[_Heading], i: int) -> bool:
    """A one-line paragraph followed by ``===`` or ``---`` (longer paragraphs keep ``---`` as a rule)."""
    if i == 0 or not _SETEXT.match(lines[i]):
        return False
    text = lines[i - 1]
    if masked[i - 1] or not text.strip() or _LIST_OR_BLOCK.match(text) or text.startswith(("    ", "\t")):
        return False
    if found and found[-1].body_start > i - 1:  # the line above is itself a heading
        return False
    return i == 1 or not lines[i - 2].strip() or (bool(found) and found[-1].body_start == i - 1)


def _file_title(path: str) -> str:
    stem = path.rsplit("/", 1)[-1]
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    return " ".join(stem.replace("_", " ").replace("-", " ").split()) or stem


def split_markdown(markdown: str, path: str, *, title: str | None = None) -> list[Section]:
    """Split one note into sections.

    Args:
        markdown: The note's text.
        path: Its path relative to the notes folder (forward slashes); sections' ids start with it.
        title: Title of the text before the first heading; defaults to the file's name.

    Returns:
        The sections in file order. Ids are unique within the file (a repeated heading gets ``-1``, ``-2``
        appended, as GitHub does for anchors).
    """
    lines = markdown.splitlines()
    headings = _find_headings(lines)
    sections: list[Section] = []
    used: dict[str, int] = {}

    def make_id(heading_title: str) -> str:
        slug = slugify(heading_title)
        count = used.get(slug, 0)
        used[slug] = count + 1
        return f"{path}#{slug}" if count == 0 else f"{path}#{slug}-{count}"

    first = headings[0].line_index if headings else len(lines)
    preamble = "\n".join(lines[:first]).strip("\n")
    if preamble.strip():
        name = title or _file_title(path)
        line = next(n for n, text in enumerate(lines, start=1) if text.strip())
        sections.append(_section(make_id(name), path, name, (), 0, line, preamble))

    stack: list[tuple[int, str]] = []
    for n, heading in enumerate(headings):
        end = headings[n + 1].line_index if n + 1 < len(headings) else len(lines)
        body_lines = lines[heading.body_start : end]
        if heading.rest:
            body_lines = [heading.rest, *body_lines]
        while stack and stack[-1][0] >= heading.level:
            stack.pop()
        trail = tuple(t for _, t in stack if t)
        heading_title = heading.title or _file_title(path)
        body = "\n".join(body_lines).strip("\n")
        sections.append(
            _section(make_id(heading_title), path, heading_title, trail, heading.level, heading.line_index + 1, body)
        )
        stack.append((heading.level, heading.title))
    return sections


def _section(id_: str, path: str, title: str, trail: tuple[str, ...], level: int, line: int, body: str) -> Section:
    return Section(
        id=id_, path=path, title=title, trail=trail, level=level, line=line, markdown=body, text=to_plain_text(body)
    )
