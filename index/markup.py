"""Turning Markdown (with embedded HTML) into plain text for matching, and headings into slugs.

Every pattern here runs in linear time (or ``n log n``) on any input, however long its lines: a lazy pattern
such as ``\\*(.+?)\\*`` or ``!\\[([^\\]]*)\\]`` that meets an opening delimiter with no closing one scans to
the end of the line (or of the text) and fails, and tried again one character later does it again, which is
quadratic on a line full of openings (a 16 kB line of ``[`` took 5 s). So the spans that open and close are
found by small scanners that each give exactly what ``re.sub`` with the pattern in their docstring gives, but
remember what cannot match: a closing delimiter known to be absent is not looked for again.
"""

from __future__ import annotations

import bisect
import html
import re
import unicodedata
from collections.abc import Callable, Sequence

# HTML elements that notes embed in Markdown. Only these are removed as tags, so code such as
# ``docker run <image>`` keeps its placeholder words.
_HTML_ELEMENTS = (
    "a|abbr|article|aside|b|big|blockquote|br|center|code|dd|del|details|div|dl|dt|em|figcaption|figure|"
    "font|footer|h[1-6]|header|hr|i|iframe|img|input|ins|kbd|li|mark|nav|ol|p|picture|pre|s|section|small|"
    "source|span|strike|strong|sub|summary|sup|table|tbody|td|tfoot|th|thead|tr|tt|u|ul|video|var|samp"
)
_TAG = re.compile(rf"</?(?:{_HTML_ELEMENTS})\b(?:\s[^<>]*)?/?>", re.IGNORECASE)
_SCRIPT_STYLE = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_SCRIPT_STYLE_OPEN = re.compile(r"<(script|style)\b", re.IGNORECASE)
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
# An autolink, or an opening that runs into a blank or the end without its ">" (the second group is None):
# the openings inside it fail the same way, so it is skipped whole instead of being scanned again from each.
_AUTOLINK = re.compile(r"<(?:https?|ftp|mailto):[^>\s]*+(>)?", re.IGNORECASE)
_LINK_DEF_LINE = re.compile(r"^ {0,3}\[", re.MULTILINE)
_LINK_DEF_REST = re.compile(r"\s*\S.*")
_INLINE_CODE = re.compile(r"`+")
_SPACES = re.compile(r"[ \t\u00a0]+")
_BLANKS = re.compile(r"\n{3,}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class Delimited:
    """``re.sub`` with ``OPEN(.+?)CLOSE`` (``.`` not matching a line break), in linear time.

    ``pairs`` are ``(OPEN, CLOSE)`` regular expressions, tried in order at each position as the alternatives
    of one pattern are; OPEN and CLOSE may look around them but never match a line break. The inside is the
    shortest non-empty text on the same line that CLOSE follows. Where ``re.sub`` would scan the rest of the
    line for a CLOSE that is not there, and again from the next OPEN, this scans it once: no CLOSE after one
    OPEN means none after any later OPEN of the same pair on that line.
    """

    def __init__(self, pairs: Sequence[tuple[str, str]]) -> None:
        self._pairs = [(re.compile(o), re.compile(c)) for o, c in pairs]
        self._start = re.compile("|".join(f"(?:{o})" for o, _ in pairs))

    def sub(self, repl: Callable[[str, str], str], text: str) -> str:
        """``text`` with each span replaced by ``repl(span, inside)``."""
        out: list[str] = []
        done = i = 0
        line_end = -1
        dead: set[int] = set()  # pairs with no CLOSE after an OPEN already tried on this line
        while (start := self._start.search(text, i)) is not None:
            i = start.start()
            if i > line_end:
                line_end = text.find("\n", i)
                line_end = len(text) if line_end == -1 else line_end
                dead.clear()
            for n, (open_, close) in enumerate(self._pairs):
                opening = open_.match(text, i) if n not in dead else None
                if opening is None:
                    continue
                closing = close.search(text, opening.end() + 1, min(line_end + 1, len(text)))
                if closing is None:
                    dead.add(n)
                    continue
                out += [text[done:i], repl(text[i : closing.end()], text[opening.end() : closing.start()])]
                done = i = closing.end()
                break
            else:
                i += 1
        out.append(text[done:])
        return "".join(out)


# ``(\*{1,3}|_{1,3}|~~)(?=\S)(.+?)(?<=\S)\1``: the delimiter's alternatives in the order the pattern tries them.
_EMPHASIS = Delimited([(rf"{d}(?=\S)", rf"(?<=\S){d}") for d in (r"\*\*\*", r"\*\*", r"\*", "___", "__", "_", "~~")])


def _sub_inline_code(text: str) -> str:
    """``re.sub(r"(`+)(.+?)\\1", r"\\2", text)``, a line at a time (no match crosses a line break)."""
    return "\n".join(_sub_inline_code_line(line) if "`" in line else line for line in text.split("\n"))


def _sub_inline_code_line(line: str) -> str:
    # At a run of L backticks the pattern tries L, L-1, ... 1 of them as the delimiter, each time looking for
    # the same number of backticks further on. Whether k backticks follow position p is read from the runs of
    # backticks (the longest run from p on), so only the k that succeeds is looked for in the text.
    runs = [(m.start(), m.end()) for m in _INLINE_CODE.finditer(line)]
    starts = [s for s, _ in runs]
    longest_from = [0] * (len(runs) + 1)
    for r in range(len(runs) - 1, -1, -1):
        longest_from[r] = max(runs[r][1] - runs[r][0], longest_from[r + 1])

    def room(p: int) -> int:
        """The most backticks in a row at or after ``p``."""
        r = bisect.bisect_right(starts, p) - 1
        here = runs[r][1] - p if r >= 0 and runs[r][1] > p else 0
        return max(here, longest_from[r + 1])

    out: list[str] = []
    done = i = 0
    while (i := line.find("`", i)) != -1:
        run_end = runs[bisect.bisect_right(starts, i) - 1][1]
        for k in range(run_end - i, 0, -1):
            if room(i + k + 1) >= k:
                j = line.find("`" * k, i + k + 1)
                out += [line[done:i], line[i + k : j]]
                done = i = j + k
                break
        else:
            i += 1
    out.append(line[done:])
    return "".join(out)


def _sub_autolinks(text: str) -> str:
    """``re.sub(r"<(?:https?|ftp|mailto):[^>\\s]*>", " ", text, flags=re.IGNORECASE)``."""
    return _AUTOLINK.sub(lambda m: " " if m.group(1) else m.group(), text)


def _sub_images(text: str) -> str:
    """``re.sub(r"!\\[([^\\]]*)\\]\\([^)]*\\)", r"\\1", text)``."""
    out: list[str] = []
    done = i = 0
    while (i := text.find("![", i)) != -1:
        j = text.find("]", i + 2)
        if j == -1:
            break  # no "]" after this opening, nor after any later one
        if not text.startswith("(", j + 1):
            i = j  # every opening before this "]" ends at it, and fails as this one did
            continue
        k = text.find(")", j + 2)
        if k == -1:
            break
        out += [text[done:i], text[i + 2 : j]]
        done = i = k + 1
    out.append(text[done:])
    return "".join(out)


class _ParenTarget:
    """Where ``\\((?:[^()]|\\([^)]*\\))*\\)`` that starts at ``p - 1`` ends, for ``p`` that never decrease.

    The pattern reads the text up to each ``)`` in turn and stops at the first one with no ``(`` since the
    previous ``)`` (or since ``p``). The next ``)`` from ``p`` and the next such ``)`` after it are kept
    between calls, so all calls together read the text once.
    """

    def __init__(self, text: str) -> None:
        self._text = text
        self._next = (len(text) + 1, -1)  # (from, the first ")" at or after it, or -1)
        self._good = (len(text) + 1, -1)  # (from, the first ")" after it with no "(" since the ")" before, or -1)

    def end(self, p: int) -> int:
        """The end of the target whose text starts at ``p``, or -1 if there is none."""
        text = self._text
        start, first = self._next
        if not (start <= p and (first == -1 or p <= first)):
            self._next = (p, text.find(")", p))
        first = self._next[1]
        if first == -1:
            return -1
        if text.find("(", p, first) == -1:
            return first + 1
        start, good = self._good
        if not (start <= first and (good == -1 or first < good)):
            good, previous = -1, first
            while (close := text.find(")", previous + 1)) != -1:
                if text.find("(", previous + 1, close) == -1:
                    good = close
                    break
                previous = close
            self._good = (first, good)
        return good + 1 if good != -1 else -1


def _sub_links(text: str) -> str:
    """``re.sub(r"\\[([^\\]]*)\\]\\((?:[^()]|\\([^)]*\\))*\\)", r"\\1", text)``."""
    out: list[str] = []
    done = i = 0
    target = _ParenTarget(text)
    while (i := text.find("[", i)) != -1:
        j = text.find("]", i + 1)
        if j == -1:
            break
        end = target.end(j + 2) if text.startswith("(", j + 1) else -1
        if end == -1:
            i = j  # every opening before this "]" ends at it, and fails as this one did
            continue
        out += [text[done:i], text[i + 1 : j]]
        done = i = end
    out.append(text[done:])
    return "".join(out)


def _sub_reference_links(text: str) -> str:
    """``re.sub(r"\\[([^\\]]+)\\]\\[[^\\]]*\\]", r"\\1", text)``."""
    out: list[str] = []
    done = i = 0
    while (i := text.find("[", i)) != -1:
        j = text.find("]", i + 1)
        if j == -1:
            break
        if j == i + 1 or not text.startswith("[", j + 1):
            i = max(j, i + 1)
            continue
        k = text.find("]", j + 2)
        if k == -1:
            break
        out += [text[done:i], text[i + 1 : j]]
        done = i = k + 1
    out.append(text[done:])
    return "".join(out)


def _sub_link_definitions(text: str) -> str:
    """``re.sub(r"^ {0,3}\\[[^\\]]+\\]:\\s*\\S+.*$", " ", text, flags=re.MULTILINE)``."""
    out: list[str] = []
    done = i = 0
    while (line := _LINK_DEF_LINE.search(text, i)) is not None:
        bracket = line.end() - 1
        j = text.find("]", bracket + 1)
        if j == -1:
            break
        if j == bracket + 1 or not text.startswith(":", j + 1):
            i = max(j, line.start() + 1)
            continue
        rest = _LINK_DEF_REST.match(text, j + 2)
        if rest is None:
            break  # nothing but blanks after this definition, nor after any later one
        out += [text[done : line.start()], " "]
        done = i = rest.end()
    out.append(text[done:])
    return "".join(out)


def _sub_scripts(text: str) -> str:
    """``re.sub(r"<(script|style)\\b.*?</\\1\\s*>", " ", text, flags=re.IGNORECASE | re.DOTALL)``."""
    out: list[str] = []
    done = i = 0
    unclosed: set[str] = set()  # element names (as written) with no closing tag after an opening already tried
    while (opening := _SCRIPT_STYLE_OPEN.search(text, i)) is not None:
        i = opening.start()
        whole = _SCRIPT_STYLE.match(text, i) if opening.group(1) not in unclosed else None
        if whole is None:
            unclosed.add(opening.group(1))
            i += 1
            continue
        out += [text[done:i], " "]
        done = i = whole.end()
    out.append(text[done:])
    return "".join(out)


_IMG_OPEN = re.compile(r"<img\b", re.IGNORECASE)
_IMG_ALT_ATTRIBUTE = re.compile(r"\balt\s*=\s*([\"'])", re.IGNORECASE)
_ANGLE = re.compile(r"[<>]")
_QUOTE_OR_ANGLE = re.compile(r"[<>\"']")


def sub_img_alt(repl: Callable[[str], str], text: str) -> str:
    """``re.sub(r"<img\\b[^<>]*?\\balt\\s*=\\s*([\\"'])(.*?)\\1[^<>]*>", lambda m: repl(m.group(2)), text,
    flags=re.IGNORECASE | re.DOTALL)``: each ``<img>`` tag with an ``alt`` replaced by ``repl(alt)``.

    The alt text ends at the first quote like its opening one that is followed by a ``>`` before any ``<``.
    Those quotes are listed once, so each tag costs a look-up instead of a scan to the end of the text.
    """
    closers: dict[str, tuple[list[int], list[int]]] = {}
    out: list[str] = []
    done = i = 0
    while (tag := _IMG_OPEN.search(text, i)) is not None:
        i = tag.start()
        angle = _ANGLE.search(text, tag.end())
        limit = angle.start() if angle else len(text)  # the alt comes before the tag's first "<" or ">"
        alt, end = "", -1
        attribute = _IMG_ALT_ATTRIBUTE.search(text, tag.end(), limit)
        while attribute is not None:
            closers = closers or _alt_closers(text)
            positions, angles = closers[attribute.group(1)]
            n = bisect.bisect_left(positions, attribute.end())
            if n < len(positions):
                alt, end = text[attribute.end() : positions[n]], angles[n] + 1
                break
            attribute = _IMG_ALT_ATTRIBUTE.search(text, attribute.start() + 1, limit)
        if end == -1:
            i += 1
            continue
        out += [text[done:i], repl(alt)]
        done = i = end
    out.append(text[done:])
    return "".join(out)


def _alt_closers(text: str) -> dict[str, tuple[list[int], list[int]]]:
    """For each quote character, the positions of the quotes followed by ``>`` before any ``<``, and of
    that ``>``, in order."""
    closers: dict[str, tuple[list[int], list[int]]] = {'"': ([], []), "'": ([], [])}
    next_angle, next_angle_at = "", -1
    for found in reversed(list(_QUOTE_OR_ANGLE.finditer(text))):
        ch = found.group()
        if ch in "<>":
            next_angle, next_angle_at = ch, found.start()
        elif next_angle == ">":
            closers[ch][0].append(found.start())
            closers[ch][1].append(next_angle_at)
    for positions, angles in closers.values():
        positions.reverse()
        angles.reverse()
    return closers


def normalize_unicode(text: str) -> str:
    """NFKC-normalise and drop control characters other than newlines and tabs."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    return _CONTROL.sub(" ", text)


def to_plain_text(markdown: str) -> str:
    """Plain text of a Markdown fragment: tags, emphasis, image and link targets removed; code kept."""
    text = markdown
    # Each pattern needs its opening character: skipping absent ones makes plain prose cheap.
    if "<" in text:
        text = _COMMENT.sub(" ", text)
        text = _sub_scripts(text)
        text = sub_img_alt(lambda alt: f" {alt} ", text)
    if "[" in text:
        text = _sub_images(text)
        text = _sub_links(text)
        text = _sub_reference_links(text)
        text = _sub_link_definitions(text)
    if "<" in text:
        text = _sub_autolinks(text)
        text = _TAG.sub(" ", text)
    if "`" in text:
        text = _sub_inline_code(text)
    if "*" in text or "_" in text or "~" in text:
        text = _EMPHASIS.sub(lambda _, inside: inside, text)
    if "&" in text:
        text = html.unescape(text)
    text = normalize_unicode(text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.splitlines()]
    return _BLANKS.sub("\n\n", "\n".join(lines)).strip()


def clean_heading(raw: str) -> str:
    """A heading as displayed: markup removed and whitespace collapsed into single spaces."""
    return " ".join(to_plain_text(raw).split())


_SLUG_DROP = re.compile(r"[^\w\- ]")


def slugify(title: str) -> str:
    """GitHub-style anchor: lower case, punctuation dropped, spaces to hyphens (``"What is X?"`` -> ``what-is-x``)."""
    slug = _SLUG_DROP.sub("", title.casefold()).strip().replace(" ", "-")
    return re.sub(r"-{2,}", "-", slug).strip("-") or "section"
