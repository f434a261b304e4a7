"""Telegram's ``parse_mode="HTML"`` parser, re-implemented for tests.

The Bot API turns HTML into plain text plus "message entities" with a small,
hand-written parser (tdlib's ``parse_html``), not with a browser-grade HTML
parser.  This module follows that parser closely enough that the error text a
bot gets from the fake server is the error text it would get from Telegram::

    >>> validate_html("<h1>Title</h1>")
    'Bad Request: can\\'t parse entities: Unsupported start tag "h1" at byte offset 0'
    >>> validate_html("<b>bold")
    'Bad Request: can\\'t parse entities: Can\\'t find end tag corresponding to start tag "b"'

What Telegram accepts: the tags ``b strong i em u ins s strike del
tg-spoiler span(class="tg-spoiler") a(href) code(class="language-x") pre
blockquote(expandable) tg-emoji(emoji-id) tg-time(unix, format)``, tag names
case-insensitive, nested and closed in order (``</>`` closes the innermost
tag), and the entities ``&lt; &gt; &amp; &quot;`` plus numeric ones.

**Strict mode (the default) is stricter than Telegram** in one respect: real
Telegram keeps a bare ``&``, an unknown entity such as ``&nbsp;`` and a bare
``>`` as literal text, while ``strict=True`` rejects them, because a bot that
leaves them unescaped is one character away from an error (and a note that
literally says ``&lt;`` would be shown as ``<``).  Those extra errors have wording of
our own (``Unescaped "&" at byte offset 3 ...``); everything else uses
Telegram's wording.  Pass ``strict=False`` for Telegram's exact leniency.

Lengths are measured like Telegram measures them: in UTF-16 code units of the
text *after* the tags are removed and entities decoded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "ENTITY_ERROR_PREFIX",
    "HTMLParseError",
    "ParsedText",
    "parse_html",
    "strip_html",
    "telegram_text_length",
    "validate_html",
]

ENTITY_ERROR_PREFIX = "Bad Request: can't parse entities: "

#: Tags tdlib's parser accepts (anything else: "Unsupported start tag").
SUPPORTED_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "s",
        "strike",
        "del",
        "u",
        "ins",
        "tg-spoiler",
        "tg-emoji",
        "tg-time",
        "span",
        "pre",
        "code",
        "blockquote",
    }
)

# tdlib's is_space(): note that NUL counts as a space (it ends C strings).
_SPACES = frozenset(" \t\r\n\0\v\f")
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SIMPLE_ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}


class HTMLParseError(ValueError):
    """The text is not HTML that Telegram (or strict mode) accepts.

    ``detail`` is the parser's message (``Unsupported start tag "h1" at byte
    offset 0``); ``description`` is what the Bot API answers with.
    """

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail

    @property
    def description(self) -> str:
        return ENTITY_ERROR_PREFIX + self.detail


@dataclass(frozen=True)
class ParsedText:
    """Visible text and Bot-API-shaped entities (offsets in UTF-16 units)."""

    text: str
    entities: tuple[dict[str, Any], ...] = field(default=())


@dataclass
class _OpenTag:
    name: str
    attributes: dict[str, str]
    utf16_start: int
    text_start: int  # index into the output character list


def telegram_text_length(text_without_tags: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji outside the BMP counts 2)."""
    return sum(2 if ord(ch) > 0xFFFF else 1 for ch in text_without_tags)


def _utf8_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8", "surrogatepass"))


def _decode_entity(text: str, pos: int) -> tuple[str, int] | None:
    """Decode the HTML entity starting at ``text[pos] == "&"`` the way tdlib does.

    Returns (character, index after the entity) or None when tdlib would keep
    the ``&`` literally.  Like tdlib, the closing ``;`` is optional.
    """
    n = len(text)
    end = pos + 1
    if end < n and text[end] == "#":
        end += 1
        hexadecimal = end < n and text[end] == "x"
        if hexadecimal:
            end += 1
        digits_start = end
        allowed = "0123456789abcdefABCDEF" if hexadecimal else "0123456789"
        while end < n and text[end] in allowed:
            end += 1
        digits = text[digits_start:end]
        if not digits or end - pos >= 10:
            return None
        code = int(digits, 16 if hexadecimal else 10)
        if code == 0 or code >= 0x10FFFF:
            return None
        char = chr(code)
    else:
        while end < n and text[end].isascii() and text[end].isalpha():
            end += 1
        name = text[pos + 1 : end]
        if name not in _NAMED_ENTITIES:
            return None
        char = _NAMED_ENTITIES[name]
    if end < n and text[end] == ";":
        end += 1
    return char, end


def _strict_entity_error(text: str, pos: int) -> HTMLParseError | None:
    """In strict mode, an ``&`` must begin a complete, known entity ending in ``;``."""
    decoded = _decode_entity(text, pos)
    if decoded is not None and text[decoded[1] - 1] == ";":
        return None
    end = pos + 1
    while end < len(text) and end - pos < 12 and (text[end].isalnum() or text[end] == "#"):
        end += 1
    offset = _utf8_offset(text, pos)
    if end == pos + 1 or end >= len(text) or text[end] != ";":
        return HTMLParseError(f'Unescaped "&" at byte offset {offset} (strict mode of the fake: write &amp;)')
    return HTMLParseError(
        f'Unsupported HTML entity "{text[pos : end + 1]}" at byte offset {offset} '
        "(strict mode of the fake: only &lt; &gt; &amp; &quot; and &#N; are allowed)"
    )


def parse_html(html: str, *, strict: bool = True) -> ParsedText:
    """Parse Telegram HTML into visible text and entities, or raise HTMLParseError.

    The walk mirrors tdlib: ``&`` decodes an entity, ``<`` starts a tag whose
    name runs to the first space or ``>``, attributes are ``name=value`` with
    quoted or bare values, and ``</...>`` must close the innermost open tag.
    """
    n = len(html)

    def at(index: int) -> str:
        return html[index] if index < n else "\0"

    out: list[str] = []
    utf16 = 0
    stack: list[_OpenTag] = []
    entities: list[dict[str, Any]] = []
    i = 0
    while i < n:
        c = html[i]
        if c == "&":
            if strict and (error := _strict_entity_error(html, i)) is not None:
                raise error
            decoded = _decode_entity(html, i)
            if decoded is not None:
                char, i = decoded
                if 0xD800 <= ord(char) <= 0xDFFF:
                    raise HTMLParseError(
                        "Text contains invalid Unicode characters after decoding HTML "
                        "entities, check for unmatched surrogate code units"
                    )
                out.append(char)
                utf16 += 2 if ord(char) > 0xFFFF else 1
                continue
        if c == ">" and strict:
            raise HTMLParseError(
                f'Unescaped ">" at byte offset {_utf8_offset(html, i)} (strict mode of the fake: write &gt;)'
            )
        if c != "<":
            out.append(c)
            utf16 += 2 if ord(c) > 0xFFFF else 1
            i += 1
            continue

        begin = i
        i += 1
        if at(i) != "/":
            tag = _parse_start_tag(html, begin, strict)
            i = tag.end
            stack.append(_OpenTag(tag.name, tag.attributes, utf16, len(out)))
        else:
            if not stack:
                raise HTMLParseError(f"Unexpected end tag at byte offset {_utf8_offset(html, begin)}")
            while at(i) not in _SPACES and at(i) != ">":
                i += 1
            end_name = html[begin + 2 : i].lower()
            while at(i) in _SPACES and i < n:
                i += 1
            if at(i) != ">":
                raise HTMLParseError(f"Unclosed end tag at byte offset {_utf8_offset(html, begin)}")
            open_tag = stack[-1]
            if end_name and end_name != open_tag.name:
                raise HTMLParseError(
                    f"Unmatched end tag at byte offset {_utf8_offset(html, begin)}, "
                    f'expected "</{open_tag.name}>", found "</{end_name}>"'
                )
            stack.pop()
            i += 1
            if utf16 > open_tag.utf16_start:
                entity = _make_entity(open_tag, utf16, "".join(out[open_tag.text_start :]))
                if entity is not None:
                    _add_entity(entities, entity)
    if stack:
        raise HTMLParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    for entity in entities:
        if entity["type"] == "code":
            entity.pop("language", None)  # the Bot API keeps a language on "pre" only
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return ParsedText("".join(out), tuple(entities))


@dataclass(frozen=True)
class _StartTag:
    name: str
    attributes: dict[str, str]
    end: int  # index just past the closing ">"


def _parse_start_tag(html: str, begin: int, strict: bool) -> _StartTag:
    n = len(html)

    def at(index: int) -> str:
        return html[index] if index < n else "\0"

    byte_begin = _utf8_offset(html, begin)
    i = begin + 1
    while at(i) not in _SPACES and at(i) != ">":
        i += 1
    if at(i) == "\0":
        raise HTMLParseError(f"Unclosed start tag at byte offset {byte_begin}")
    name = html[begin + 1 : i].lower()
    if name not in SUPPORTED_TAGS:
        raise HTMLParseError(f'Unsupported start tag "{name}" at byte offset {byte_begin}')

    attributes: dict[str, str] = {}
    while at(i) != ">":
        while at(i) != "\0" and at(i) in _SPACES and i < n:
            i += 1
        if at(i) == ">":
            break
        attr_begin = i
        while at(i) not in _SPACES and at(i) not in "=>":
            i += 1
        attr_name = html[attr_begin:i]
        if not attr_name:
            raise HTMLParseError(f'Empty attribute name in the tag "{name}" at byte offset {byte_begin}')
        while i < n and at(i) in _SPACES:
            i += 1
        if at(i) != "=":
            if name == "blockquote" and attr_name.lower() == "expandable":
                attributes["expandable"] = ""
                continue
            raise HTMLParseError(
                f'Expected equal sign in declaration of an attribute of the tag "{name}" at byte offset {byte_begin}'
            )
        i += 1
        while i < n and at(i) in _SPACES:
            i += 1
        if i >= n:
            raise HTMLParseError(f'Unclosed start tag "{name}" at byte offset {byte_begin}')
        if at(i) not in "'\"":
            token_begin = i
            while at(i).isascii() and (at(i).isalnum() or at(i) in ".-"):
                i += 1
            value = html[token_begin:i].lower()
            if at(i) not in _SPACES and at(i) != ">":
                raise HTMLParseError(f"Unexpected end of name token at byte offset {_utf8_offset(html, token_begin)}")
        else:
            quote = html[i]
            i += 1
            chars: list[str] = []
            while i < n and html[i] != quote:
                if html[i] == "&":
                    if strict and (error := _strict_entity_error(html, i)) is not None:
                        raise error
                    decoded = _decode_entity(html, i)
                    if decoded is not None:
                        chars.append(decoded[0])
                        i = decoded[1]
                        continue
                chars.append(html[i])
                i += 1
            if at(i) == quote:
                i += 1
            value = "".join(chars)
        if i >= n:
            raise HTMLParseError(f"Unclosed start tag at byte offset {byte_begin}")
        attributes[attr_name.lower()] = value

    if name == "span" and attributes.get("class") != "tg-spoiler":
        raise HTMLParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {byte_begin}')
    return _StartTag(name, attributes, i + 1)


def _make_entity(tag: _OpenTag, utf16_end: int, inner_text: str) -> dict[str, Any] | None:
    offset = tag.utf16_start
    base: dict[str, Any] = {"offset": offset, "length": utf16_end - offset}
    if tag.name in _SIMPLE_ENTITY_TYPES:
        return {"type": _SIMPLE_ENTITY_TYPES[tag.name], **base}
    if tag.name == "a":
        url = tag.attributes.get("href") or inner_text
        if url.startswith("tg://user?id=") and url[len("tg://user?id=") :].isdigit():
            user = {"id": int(url[len("tg://user?id=") :]), "is_bot": False, "first_name": ""}
            return {"type": "text_mention", **base, "user": user}
        if not url or any(ch.isspace() for ch in url):
            return None  # Telegram drops links it cannot parse instead of failing
        return {"type": "text_link", **base, "url": url}
    if tag.name == "code":
        language = tag.attributes.get("class", "")
        entity = {"type": "code", **base}
        if language.startswith("language-") and language != "language-":
            entity["language"] = language[len("language-") :]
        return entity
    if tag.name == "pre":
        return {"type": "pre", **base}
    if tag.name == "blockquote":
        kind = "expandable_blockquote" if "expandable" in tag.attributes else "blockquote"
        return {"type": kind, **base}
    if tag.name == "tg-emoji":
        emoji_id = tag.attributes.get("emoji-id", "")
        if not emoji_id.isdigit() or int(emoji_id) == 0:
            raise HTMLParseError("Invalid custom emoji identifier specified")
        return {"type": "custom_emoji", **base, "custom_emoji_id": emoji_id}
    if tag.name == "tg-time":
        unix = tag.attributes.get("unix", "")
        entity = {"type": "date_time", **base}
        if unix.isdigit():
            entity["unix_time"] = int(unix)
        if "format" in tag.attributes:
            entity["date_time_format"] = tag.attributes["format"]
        return entity
    return None  # pragma: no cover - SUPPORTED_TAGS and this function agree


def _add_entity(entities: list[dict[str, Any]], entity: dict[str, Any]) -> None:
    """Merge ``<pre><code class="language-x">`` into one ``pre`` entity with a language."""
    if entities:
        last = entities[-1]
        same_span = last["offset"] == entity["offset"] and last["length"] == entity["length"]
        pair = {last["type"], entity["type"]} == {"pre", "code"}
        if same_span and pair:
            language = last.get("language") or entity.get("language")
            if language:
                entities[-1] = {
                    "type": "pre",
                    "offset": entity["offset"],
                    "length": entity["length"],
                    "language": language,
                }
                return
    entities.append(entity)


def validate_html(text: str, *, strict: bool = True) -> str | None:
    """None when Telegram would accept ``text`` with parse_mode HTML, else the error description.

    The description is the whole string the Bot API answers with, e.g.
    ``Bad Request: can't parse entities: Unsupported start tag "h1" at byte offset 0``.
    Only the markup is checked here, not the length (see telegram_text_length).
    """
    try:
        parse_html(text, strict=strict)
    except HTMLParseError as error:
        return error.description
    return None


def strip_html(text: str, *, strict: bool = True) -> str:
    """The visible text of an HTML message: tags removed, entities decoded, nothing trimmed.

    Raises HTMLParseError (a ValueError) when the markup is invalid.
    """
    return parse_html(text, strict=strict).text
