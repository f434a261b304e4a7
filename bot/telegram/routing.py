"""Which messages the bot answers, and with what text: the group rules, as a pure function.

In a private chat every text message is for the bot. In a group the bot stays quiet unless it is
addressed: ``/ask question`` (or ``/ask@thisbot``), one of its commands (``/help``, ``/topics 2``,
``/more``...; a command addressed to another bot, ``/help@otherbot``, is left alone), a message that
mentions it (``@thisbot what is a volume?``; the mention is removed), or a reply to one of its messages.
``/ask`` is understood in private chats too.
"""

from __future__ import annotations

import re

from bot.commands import ALIASES, COMMANDS

ASK = "ask"
BOT_COMMANDS = frozenset({ASK, *(c.name for c in COMMANDS), *ALIASES})
_COMMAND = re.compile(r"/([A-Za-z0-9_]+)(?:@([A-Za-z0-9_]+))?(?=\s|$)")


def addressed_text(text: str, *, private: bool, bot_username: str, reply_to_bot: bool = False) -> str | None:
    """The text to hand the conversation core, or None when the message is not for the bot.

    >>> addressed_text("/ask@notes_bot what is a volume?", private=False, bot_username="notes_bot")
    'what is a volume?'
    >>> addressed_text("lunch?", private=False, bot_username="notes_bot") is None
    True
    """
    stripped = text.strip()
    me = bot_username.casefold()
    command = _COMMAND.match(stripped)
    if command:
        name, target = command.group(1).casefold(), command.group(2)
        if target is not None and target.casefold() != me:
            return None
        rest = stripped[command.end() :].strip()
        if name == ASK:
            return rest
        if private or target is not None or name in BOT_COMMANDS or name.isdecimal():
            return f"/{name} {rest}".strip()
        return None
    if private:
        return stripped
    mention = re.compile(rf"(?:,\s*)?(?<![\w@])@{re.escape(bot_username)}(?!\w)(?:\s*[,:])?", re.IGNORECASE)
    if mention.search(stripped):
        return re.sub(r"\s+([?!.])", r"\1", " ".join(mention.sub(" ", stripped).split()))
    if reply_to_bot:
        return stripped
    return None


def is_start(text: str) -> bool:
    """Whether the (addressed) text is the /start command."""
    return text.split(maxsplit=1)[0].casefold() == "/start" if text.strip() else False
