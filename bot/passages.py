"""Trimming a long section to the passage that answers, and continuing it on "more".

A section's Markdown is cut into *passages*: its paragraphs, lists, code blocks and tables, a paragraph that
ends with a colon kept with the block it introduces, and a block longer than the budget cut at sentence,
list-item or line boundaries (a cut code block is fenced again). Passages are numbered in order, so a
conversation's state can say which ones were shown.

The answer is the run of consecutive passages, at most ``max_chars`` long, whose relevance adds up to the
most; the section's first passage counts double, because it usually says what the section is about. Ties go
to the earlier run, so a question that matches nothing in particular gets the section from its start. A run
holds at least one passage, and a run shorter than half the budget takes the next passage even if it then
overflows, so a one-line introduction is never shown alone. "More" shows the next unseen run after the last
passage shown, then wraps to the earliest unseen one.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_LIST_ITEM = re.compile(r"^ {0,3}(?:[-*+]|\d{1,9}[.)])[ \t]")
_SENTENCE_END = re.compile(r"(?<=[.!?])[ \t]+(?=\S)")
SEPARATOR = "\n\n"


def _blocks(markdown: str) -> list[str]:
    """Blank-line separated blocks; a fenced code block is one block even when it holds blank lines."""
    blocks: list[str] = []
    current: list[str] = []
    fence: str | None = None
    for line in markdown.splitlines():
        match = _FENCE.match(line)
        if fence is None:
            if match:
                fence = match.group(1)
            elif not line.strip():
                if current:
                    blocks.append("\n".join(current))
                    current = []
                continue
        elif match and match.group(1).startswith(fence) and not line.strip().strip(fence[0]):
            fence = None
        current.append(line)
    if current:
        blocks.append("\n".join(current))
    return blocks


def _pack(pieces: Sequence[str], max_chars: int, joiner: str) -> list[str]:
    """Join consecutive pieces greedily into chunks of at most ``max_chars`` (a longer piece stays alone)."""
    chunks: list[str] = []
    current = ""
    for piece in pieces:
        if current and len(current) + len(joiner) + len(piece) > max_chars:
            chunks.append(current)
            current = piece
        else:
            current = f"{current}{joiner}{piece}" if current else piece
    if current:
        chunks.append(current)
    return chunks


def _cut(block: str, max_chars: int) -> list[str]:
    """Cut a block longer than ``max_chars`` at natural boundaries."""
    if len(block) <= max_chars:
        return [block]
    lines = block.split("\n")
    fence = _FENCE.match(lines[0])
    if fence:
        opener = lines[0]
        closed = len(lines) > 1 and _FENCE.match(lines[-1]) is not None
        closer = lines[-1] if closed else fence.group(1)
        inner = lines[1:-1] if closed else lines[1:]
        room = max(max_chars - len(opener) - len(closer) - 2, 1)
        return [f"{opener}\n{chunk}\n{closer}" for chunk in _pack(inner, room, "\n")]
    if _LIST_ITEM.match(lines[0]):
        items: list[list[str]] = []
        for line in lines:
            if _LIST_ITEM.match(line) or not items:
                items.append([line])
            else:
                items[-1].append(line)
        return _pack(["\n".join(item) for item in items], max_chars, "\n")
    if any(line.lstrip().startswith(("|", ">")) for line in lines):
        return [block]  # a table or quote stays whole rather than losing its header or markers
    sentences = _SENTENCE_END.split(" ".join(line.strip() for line in lines))
    return _pack(sentences, max_chars, " ")


def split_passages(markdown: str, *, max_chars: int) -> tuple[str, ...]:
    """Cut a section's Markdown into passages (see the module docstring); none for an empty section."""
    if max_chars < 1:
        raise ValueError(f"max_chars must be a positive number of characters, got {max_chars!r}")
    merged: list[str] = []
    for block in _blocks(markdown):
        previous = merged[-1] if merged else ""
        if previous.endswith(":") and len(previous) + len(SEPARATOR) + len(block) <= max_chars:
            merged[-1] = previous + SEPARATOR + block
        else:
            merged.append(block)
    return tuple(piece for block in merged for piece in _cut(block, max_chars))


def _extent(passages: Sequence[str], start: int, max_chars: int, allowed: Collection[int] | None = None) -> int:
    """End (exclusive) of the run from ``start``: as long as fits ``max_chars``, at least one passage, and
    one passage more while it is shorter than half of ``max_chars``."""
    end = start + 1
    size = len(passages[start])
    while end < len(passages) and (allowed is None or end in allowed):
        grown = size + len(SEPARATOR) + len(passages[end])
        if grown > max_chars and size >= max_chars // 2:
            break
        size = grown
        end += 1
    return end


def best_run(passages: Sequence[str], scores: Sequence[float], *, max_chars: int) -> range:
    """The run of consecutive passages within ``max_chars`` with the highest total score.

    ``scores`` are the passages' relevance to the question, in order; the first passage's score counts
    double. Ties, including all scores being zero, go to the earliest run.
    """
    if len(passages) != len(scores):
        raise ValueError(f"got {len(scores)} scores for {len(passages)} passages; give one score per passage")
    if not passages:
        return range(0)
    weights = [2 * scores[0], *scores[1:]]
    best = range(0, _extent(passages, 0, max_chars))
    best_score = sum(weights[i] for i in best)
    for start in range(1, len(passages)):
        run = range(start, _extent(passages, start, max_chars))
        score = sum(weights[i] for i in run)
        if score > best_score:
            best, best_score = run, score
    return best


def next_run(passages: Sequence[str], shown: Collection[int], *, max_chars: int) -> range:
    """The next unseen run after the last passage shown, wrapping to the earliest unseen; empty when done."""
    unseen = [i for i in range(len(passages)) if i not in shown]
    if not unseen:
        return range(0)
    last = max(shown, default=-1)
    start = next((i for i in unseen if i > last), unseen[0])
    return range(start, _extent(passages, start, max_chars, allowed=set(unseen)))


def join(passages: Sequence[str], run: range) -> str:
    """The Markdown of a run of passages."""
    return SEPARATOR.join(passages[i] for i in run)
