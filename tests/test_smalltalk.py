"""Small talk: a message counts as a greeting, thanks or a request for help only when every word is one."""

from __future__ import annotations

import pytest

from bot.smalltalk import SmallTalk, small_talk


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("hi", SmallTalk.GREETING),
        ("Hey there 👋", SmallTalk.GREETING),
        ("good evening", SmallTalk.GREETING),
        ("thx!!", SmallTalk.THANKS),
        ("thank you very much", SmallTalk.THANKS),
        ("ok, got it", SmallTalk.THANKS),
        ("That’s great, thanks!", SmallTalk.THANKS),
        ("help", SmallTalk.HELP),
        ("What can you do?", SmallTalk.HELP),
    ],
)
def test_small_talk_is_recognised(text: str, kind: SmallTalk) -> None:
    assert small_talk(text) is kind


@pytest.mark.parametrize(
    "text",
    [
        "help me use the shell",  # a question that starts like a request for help
        "hi, what is a volume?",
        "ok so how do I prune images",
        "what is this?",  # after an answer, "this" is the topic: a follow-up, not a question about the bot
        "how does it work?",
        "good",  # a word of the kind, but none that says which kind
        "why?",
        "???",
        "",
    ],
)
def test_anything_else_is_not(text: str) -> None:
    assert small_talk(text) is None
