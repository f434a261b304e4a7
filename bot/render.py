"""Showing replies in a terminal: plain text for pipes, rich Markdown for terminals, JSON Lines for programs.

``rich`` is imported only when a reply is rendered for a terminal, so scripted use starts quickly.
"""

from __future__ import annotations

import json
from typing import IO, Any, Protocol

from bot.replies import Reply, ReplyKind


class Renderer(Protocol):
    """Writes one reply to the REPL's output."""

    def show(self, question: str, reply: Reply) -> None: ...


def heading(reply: Reply) -> str | None:
    """``Outer › Inner › Title`` for a reply about a section, else None."""
    if reply.title is None or reply.kind is ReplyKind.SOURCE:
        return None
    return " › ".join((*reply.trail, reply.title))


def notes(reply: Reply) -> list[str]:
    """The small print under or above a reply: the source, what a follow-up was read with, the next steps."""
    lines = []
    if reply.context is not None:
        lines.append(f"(read as a follow-up to: {reply.context})")
    if reply.source is not None and reply.kind is not ReplyKind.SOURCE:
        lines.append(f"source: {reply.source}")
    return lines


def hints(reply: Reply) -> str | None:
    """The reply's actions as typed commands: ``(more: /more · next page: /topics 3)``."""
    if not reply.actions:
        return None
    return "(" + " · ".join(f"{a.label.lower()}: {a.command}" for a in reply.actions) + ")"


def plain_text(reply: Reply) -> str:
    """The reply as plain text (Markdown left as written), ending with a blank line."""
    parts = [line for line in (heading(reply), *notes(reply)) if line]
    if parts:
        parts.append("")
    parts.append(reply.body)
    if (hint := hints(reply)) is not None:
        parts += ["", hint]
    return "\n".join(parts) + "\n"


def reply_json(question: str, reply: Reply) -> dict[str, Any]:
    """The reply as a JSON-ready object (one line of ``--json`` output)."""
    return {
        "question": question,
        "kind": reply.kind.value,
        "answered": reply.answered,
        "section_id": reply.section_id,
        "title": reply.title,
        "trail": list(reply.trail),
        "source": str(reply.source) if reply.source else None,
        "score": None if reply.score is None else round(reply.score, 4),
        "context": reply.context,
        "body": reply.body,
        "suggestions": [
            {"number": s.number, "action": s.action, "section_id": s.section_id, "title": s.title,
             "source": str(s.source)}
            for s in reply.suggestions
        ],
        "actions": [{"id": a.id, "label": a.label, "command": a.command} for a in reply.actions],
    }


class PlainRenderer:
    """Plain text, one reply after another separated by a blank line: for pipes and files."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream

    def show(self, question: str, reply: Reply) -> None:
        self._stream.write(plain_text(reply) + "\n")
        self._stream.flush()


class JsonRenderer:
    """One JSON object per line (JSON Lines)."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream

    def show(self, question: str, reply: Reply) -> None:
        self._stream.write(json.dumps(reply_json(question, reply), ensure_ascii=False) + "\n")
        self._stream.flush()


class RichRenderer:
    """Markdown rendered for a terminal: headings, bold, lists and code blocks; the small print dimmed.

    ``color=False`` (for ``NO_COLOR``) keeps bold, italics and layout but uses no colour.
    """

    def __init__(self, stream: IO[str], *, color: bool) -> None:
        from rich.console import Console

        self._console = Console(file=stream, force_terminal=True, no_color=not color, highlight=False)

    def show(self, question: str, reply: Reply) -> None:
        from rich.markdown import Markdown
        from rich.text import Text

        console = self._console
        if (title := heading(reply)) is not None:
            console.print(Text(title, style="bold"))
        for line in notes(reply):
            console.print(Text(line, style="dim"))
        console.print(Markdown(reply.body))
        if (hint := hints(reply)) is not None:
            console.print(Text(hint, style="dim"))
        console.print()
