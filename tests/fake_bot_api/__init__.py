"""A fake Telegram Bot API server for testing the notes-qa bot end to end.

What it fakes: the HTTP Bot API at ``/bot<TOKEN>/<method>`` on 127.0.0.1, as
seen by python-telegram-bot 22 (form, multipart, JSON and query-string
parameters; Telegram-shaped ``{"ok": ..., "result" | "description"}``
answers), for the methods a Q&A bot uses: getMe, getUpdates (offset
confirmation, limit, long polling, allowed_updates, 409 conflicts),
sendMessage, sendChatAction, editMessageText, editMessageReplyMarkup,
answerCallbackQuery, answerInlineQuery, setMyCommands, getMyCommands,
deleteMyCommands, setWebhook, deleteWebhook, getWebhookInfo, close, logOut.
It validates like Telegram where it matters to a bot that sends untrusted
text: HTML parse errors with Telegram's wording, text length in UTF-16 units
after parsing, callback_data size, inline result count, reply targets,
unknown chats; and it checks every request against the Bot API
specification (api.json) when that file is available.  Tests inject user
updates, script failures (429, 5xx, dropped connections, stalls, latency),
deliver webhooks, and read back every request.

What it does not fake: files and media uploads (no sendPhoto & co.; they
get 404 like any unimplemented method), MarkdownV2 parsing, payments,
business accounts, forum topics, chat administration, rate limiting on its
own, TLS, and Telegram's exact id and date values.  Error texts that are
the fake's own (strict HTML, spec violations) say so.

Typical use::

    from tests.fake_bot_api import FakeBotAPI

    with FakeBotAPI() as server:
        bot = telegram.Bot(server.token, base_url=server.base_url)
        ...
"""

from collections.abc import Iterator

from .html_check import HTMLParseError, ParsedText, parse_html, strip_html, telegram_text_length, validate_html
from .recording import RecordedRequest
from .server import DEFAULT_TOKEN, FakeBotAPI
from .spec import DEFAULT_SPEC_PATH, ApiSpec, load_spec
from .updates import DEFAULT_GROUP_USER_ID, detect_entities

__all__ = [
    "DEFAULT_GROUP_USER_ID",
    "DEFAULT_SPEC_PATH",
    "DEFAULT_TOKEN",
    "ApiSpec",
    "FakeBotAPI",
    "HTMLParseError",
    "ParsedText",
    "RecordedRequest",
    "detect_entities",
    "fake_bot_api",
    "load_spec",
    "parse_html",
    "strip_html",
    "telegram_text_length",
    "validate_html",
]


def fake_bot_api() -> Iterator[FakeBotAPI]:
    """A fixture body: ``bot_api = pytest.fixture(fake_bot_api)`` in a conftest.

    Yields a running server and closes it afterwards, so no thread or port
    outlives the test.
    """
    with FakeBotAPI() as server:
        yield server
