"""Messages that are not questions about the notes: a greeting, thanks, or asking what the bot can do.

They have no words to look up, so the retriever would decline them, and right after an answer the
conversation would read them as a follow-up and show that answer again ("thanks!" repeating the whole
section). They are recognised by their words alone: every word must be one of the kind's, and at least one
must say which kind it is ("hi there", "thanks a lot", "ok thank you"), so "hi, what is a volume?" is still
a question.
"""

from __future__ import annotations

from enum import Enum

from bot.followups import message_words


class SmallTalk(str, Enum):
    """What a message that is not a question says."""

    GREETING = "greeting"
    THANKS = "thanks"
    """Thanks, or an acknowledgement ("ok", "got it")."""
    HELP = "help"
    """Asks what the bot is or how to use it ("help", "what can you do?")."""


_GREETING_MARKS = frozenset("hi hello hey hiya heya howdy yo hallo morning afternoon evening greetings".split())
_GREETING_WORDS = _GREETING_MARKS | frozenset("good there all everyone folks bot again oh".split())
# Thanks, and the words that close a turn the same way ("ok", "got it", "great"): nothing to look up.
_THANKS_MARKS = frozenset(
    "thanks thank thx ty tysm cheers thankyou ta ok okay k kk cool nice great awesome perfect alright "
    "understood got".split()
)
_THANKS_WORDS = _THANKS_MARKS | frozenset(
    "you very so much a lot many that's thats it that helpful again for the help answer oh ah".split()
)
# Not "how does it work?" or "what is this?": after an answer "it" and "this" are its topic (a follow-up).
_HELP_PHRASES: frozenset[tuple[str, ...]] = frozenset(
    tuple(phrase.split())
    for phrase in (
        "help", "help me", "help please", "please help", "what can you do", "what do you do", "what are you",
        "who are you", "how do i use you", "what is this bot", "how does this bot work", "how do i use this bot",
    )
)


def small_talk(text: str) -> SmallTalk | None:
    """The kind of small talk ``text`` is, or None for a question (or anything else)."""
    words = message_words(text)
    if not words:
        return None
    if tuple(words) in _HELP_PHRASES:
        return SmallTalk.HELP
    used = set(words)
    if used <= _THANKS_WORDS and used & _THANKS_MARKS:
        return SmallTalk.THANKS
    if used <= _GREETING_WORDS and used & _GREETING_MARKS:
        return SmallTalk.GREETING
    return None
