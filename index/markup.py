"""Turning Markdown (with embedded HTML) into plain text for matching, and headings into slugs."""

from __future__ import annotations

import html
import re
import unicodedata

# HTML elements that notes embed in Markdown. Only these are removed as tags, so code such as
# ``docker run <image>`` keeps its placeholder words.
_HTML_ELEMENTS = (
    "a|abbr|article|aside|b|big|blockquote|br|center|code|dd|del|details|div|dl|dt|em|figcaption|figure|"
    "font|footer|h[1-6]|header|hr|i|iframe|img|input|ins|kbd|li|mark|nav|ol|p|picture|pre|s|section|small|"
    "source|span|strike|strong|sub|summary|sup|table|tbody|td|tfoot|th|thead|tr|tt|u|ul|video|var|samp"
)
_TAG = re.compile(rf"</?(?:{_HTML_ELEMENTS})\b(?:\s[^<>]*)?/?>", re.IGNORECASE)
_IMG_ALT = re.compile(r"<img\b[^<>]*?\balt\s*=\s*([\"'])(.*?)\1[^<>]*>", re.IGNORECASE | re.DOTALL)
_SCRIPT_STYLE = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\((?:[^()]|\([^)]*\))*\)")
_REF_LINK = re.compile(r"\[([^\]]+)\]\[[^\]]*\]")
_LINK_DEF = re.compile(r"^ {0,3}\[[^\]]+\]:\s*\S+.*$", re.MULTILINE)
_AUTOLINK = re.compile(r"<(?:https?|ftp|mailto):[^>\s]*>", re.IGNORECASE)
_EMPHASIS = re.compile(r"(\*{1,3}|_{1,3}|~~)(?=\S)(.+?)(?<=\S)\1")
_INLINE_CODE = re.compile(r"(`+)(.+?)\1")
_SPACES = re.compile(r"[ \t\u00a0]+")
_BLANKS = re.compile(r"\n{3,}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


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
        text = _SCRIPT_STYLE.sub(" ", text)
        text = _IMG_ALT.sub(lambda m: f" {m.group(2)} ", text)
    if "[" in text:
        text = _IMAGE.sub(r"\1", text)
        text = _LINK.sub(r"\1", text)
        text = _REF_LINK.sub(r"\1", text)
        text = _LINK_DEF.sub(" ", text)
    if "<" in text:
        text = _AUTOLINK.sub(" ", text)
        text = _TAG.sub(" ", text)
    if "`" in text:
        text = _INLINE_CODE.sub(r"\2", text)
    if "*" in text or "_" in text or "~" in text:
        text = _EMPHASIS.sub(r"\2", text)
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
