"""The wording of the conversation's replies, as Markdown. Section titles are escaped; nothing else here
depends on the notes."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.commands import COMMANDS
from bot.replies import Suggestion
from bot.topics import TopicPage

_SPECIAL = re.compile(r"([\\`*_\[\]<>|&])")


def escape(text: str) -> str:
    """``text`` with the characters that Markdown would read as markup backslash-escaped."""
    return _SPECIAL.sub(r"\\\1", text)


def choice_list(suggestions: Sequence[Suggestion]) -> str:
    """A numbered list of sections: ``1. **Title** · Outer › Inner``.

    When two entries would read the same (notes often repeat a heading in several files), every entry also
    names its file: ``1. **Title** · Outer › Inner (`guide/intro.md`)``.
    """
    labels = [f"**{escape(s.title)}**" + (f" · {escape(' › '.join(s.trail))}" if s.trail else "") for s in suggestions]
    with_paths = len(set(labels)) < len(labels)
    return "\n".join(
        f"{s.number}. {label}" + (f" (`{s.source.path}`)" if with_paths else "")
        for s, label in zip(suggestions, labels, strict=True)
    )


def _for_example(example: str | None) -> str:
    """", for example *<a topic>*", or nothing without a topic to name."""
    return f", for example *{escape(example)}*" if example else ""


def help_text(example: str | None) -> str:
    """The help message; ``example`` is a topic of the notes to suggest asking about."""
    commands = "\n".join(f"- `{c.usage}`: {c.summary}" for c in COMMANDS)
    example_text = _for_example(example)
    stop = "" if example and example[-1] in "?!." else "."
    return (
        f"Ask a question about the notes in plain words{example_text}{stop} "
        "I answer with the part of the notes that fits best and say where it comes from.\n\n"
        f"{commands}\n"
        "- a number such as `2` (or `/2`): pick from the numbered list of the last reply\n\n"
        "A short follow-up such as *and its advantages?* is read in the light of the last answer. "
        "When I'm not sure, I say so and offer the closest topics."
    )


MAX_NAMED = 3
"""How many of a question's words the notes never use a reply names."""

MAX_NAMED_CHARS = 30
"""A longer word is cut (a pasted blob is one "word"; the reply must not echo it)."""


def never_mentioned(unknown: Sequence[str]) -> str:
    """"they never mention *pizza* or *naples*": the words of a question the notes never use (a few)."""
    named = [
        f"*{escape(word if len(word) <= MAX_NAMED_CHARS else word[: MAX_NAMED_CHARS - 1] + '…')}*"
        for word in unknown[:MAX_NAMED]
    ]
    if len(unknown) > len(named):
        more = len(unknown) - len(named)
        return f"they never mention {', '.join(named)} or {more} other word{'s' if more > 1 else ''}"
    if len(named) > 1:
        return f"they never mention {', '.join(named[:-1])} or {named[-1]}"
    return f"they never mention {named[0]}"


def not_covered_text(unknown: Sequence[str] = ()) -> str:
    """The reply when nothing in the notes comes close; ``unknown``: the question's words the notes never use."""
    if not unknown:
        return NOT_COVERED
    return f"I couldn't find that in the notes: {never_mentioned(unknown)}. Type /topics to see what they cover."


def unsure_text(suggestions: Sequence[Suggestion], *, tied: bool, unknown: Sequence[str] = ()) -> str:
    """The reply that offers numbered sections: ``tied`` when two match nearly as well, else the nearest to a
    question the notes do not answer (``unknown``: its words the notes never use)."""
    lacking = f" ({never_mentioned(unknown)})" if unknown else ""
    lead = (
        "I'm not sure which part of the notes you mean. Did you mean:"
        if tied
        else f"I couldn't find a good match for that in the notes{lacking}. The nearest sections are:"
    )
    tail = "Pick a number, or ask again in other words." if tied else (
        "Pick a number, ask again in other words, or browse the topics with /topics."
    )
    return f"{lead}\n\n{choice_list(suggestions)}\n\n{tail}"


def same_title_text(suggestions: Sequence[Suggestion]) -> str:
    return f"Several topics have that title. Which one?\n\n{choice_list(suggestions)}"


NOT_COVERED = "I couldn't find that in the notes. Type /topics to see what they cover."
EMPTY = "That has no words I can look up. Ask about a topic in a few words, or type /topics to browse them."
THANKS = "Glad to help. Ask another question whenever you like."


def greeting_text(example: str | None) -> str:
    """The reply to "hi"; ``example`` is a topic of the notes to suggest asking about."""
    example_text = _for_example(example)
    return f"Hi! Ask me about the notes in plain words{example_text}, or type /topics to browse them."


NOTHING_TO_CONTINUE = "There is no answer to continue yet. Ask a question first."
NO_SOURCE = "There is no answer to give the source of. Ask a question first."
RESET = "Starting afresh: I've forgotten this conversation."
NO_TOPICS = "The notes have no topics to list."
STALE_CHOICE = "That choice is no longer available: the notes have changed. Ask again, or type /topics."


def end_of_section(title: str, following: Sequence[Suggestion]) -> str:
    text = f"That is all the notes say under **{escape(title)}**."
    if following:
        text += f" Next in the notes:\n\n{choice_list(following)}"
    return text


def no_such_choice(number: int, available: int) -> str:
    if available == 0:
        return f"There is no numbered list to pick {number} from. Ask a question, or type /topics."
    return f"Pick a number from 1 to {available}; {number} is not on the list."


def unknown_command(name: str) -> str:
    known = ", ".join(f"/{c.name}" for c in COMMANDS)
    return f"I don't know the command /{escape(name)}. The commands are {known}."


def bad_page(argument: str, pages: int) -> str:
    return f"There are pages 1 to {pages} of topics; {escape(argument)!s} is not one of them."


def source_text(title: str, trail: Sequence[str], source: str) -> str:
    under = f" (under {escape(' › '.join(trail))})" if trail else ""
    return f"**{escape(title)}**{under} is at `{source}` in the notes."


def topics_text(page: TopicPage, pages: int) -> str:
    lines = [f"**Topics**, page {page.number} of {pages}: `{page.path}`", ""]
    for number, entry in enumerate(page.entries, start=1):
        lines.append(f"{'  ' * entry.depth}- **{number}** {escape(entry.section.title)}")
    lines += ["", "Pick a number to read a topic."]
    return "\n".join(lines)
