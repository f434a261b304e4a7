"""notes-qa's Telegram front end: a python-telegram-bot application over the conversation core.

``python -m bot`` runs it (see ``bot.__main__`` and docs/telegram.md). The pieces, one job each:

- ``settings``: the frozen ``Settings``, read once from the environment and ``.env`` by ``load_settings``;
- ``app``: ``build_application`` wires the handlers into a PTB ``Application``; ``serve`` (``run``) polls
  or serves a webhook until a stop signal;
- ``handlers``: updates in, conversation core calls, messages out; ``routing``: which messages are for the
  bot (the group rules);
- ``formatting``: the core's Markdown as Telegram HTML, split into messages of at most 4096 characters;
- ``keyboards``: inline buttons and their callback data;
- ``state_store``: per-chat conversation state in SQLite;
- ``access``: the allow-list and per-user rate limit; ``flood``: Telegram's flood limits and retries;
- ``logs``: logging set-up that never writes the token.

Nothing here runs at import time.
"""

from bot.telegram.app import ALLOWED_UPDATES, build_application, run, serve
from bot.telegram.handlers import BotOptions
from bot.telegram.settings import Settings, SettingsError, load_settings
from bot.telegram.state_store import StateStore, StateStoreError

__all__ = [
    "ALLOWED_UPDATES",
    "BotOptions",
    "Settings",
    "SettingsError",
    "StateStore",
    "StateStoreError",
    "build_application",
    "load_settings",
    "run",
    "serve",
]
