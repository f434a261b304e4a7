"""The fake Telegram Bot API server, exercised with httpx and with the real python-telegram-bot.

These tests pin down the behaviour the bot's own tests rely on: Telegram's
update-offset semantics, long polling, HTML validation with Telegram's error
wording, length limits in UTF-16 units, fault injection surfacing as the
right PTB exceptions, the spec check, webhooks, and a clean shutdown.

PTB turns an error description into an exception message by removing
"Bad Request: " and calling str.capitalize() (so "Unsupported start tag"
becomes "unsupported start tag"); ptb_message() applies the same rule.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import html
import json
import socket
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import httpx
import pytest
import telegram
from hypothesis import given, settings
from hypothesis import strategies as st
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, ReplyParameters, Update
from telegram.error import BadRequest, InvalidToken, NetworkError, RetryAfter, TimedOut
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.fake_bot_api import (
    FakeBotAPI,
    RecordedRequest,
    load_spec,
    parse_html,
    strip_html,
    telegram_text_length,
    validate_html,
)

SPEC_PATH = Path(__file__).resolve().parents[2] / "shared" / "telegram" / "api.json"
needs_spec = pytest.mark.skipif(not SPEC_PATH.is_file(), reason=f"{SPEC_PATH} is absent")

CHAT = 42  # a private chat; its id is the user's id
T = TypeVar("T")


@pytest.fixture
def server() -> Iterator[FakeBotAPI]:
    with FakeBotAPI(spec_path=SPEC_PATH) as fake:
        yield fake
        assert fake.internal_errors == []


def run_bot(server: FakeBotAPI, scenario: Callable[[telegram.Bot], Awaitable[T]]) -> T:
    """Run ``scenario(bot)`` with a real, initialised PTB Bot pointed at the fake."""

    async def main() -> T:
        async with telegram.Bot(server.token, base_url=server.base_url) as bot:
            return await scenario(bot)

    return asyncio.run(main())


def api_call(server: FakeBotAPI, method: str, **params: Any) -> httpx.Response:
    """One Bot API call with httpx, form-encoded the way PTB does it."""
    form = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
    with httpx.Client(timeout=10) as client:
        return client.post(f"{server.base_url}{server.token}/{method}", data=form)


def ptb_message(description: str) -> str:
    """The message of PTB's exception for a Bot API error description."""
    stripped = description.removeprefix("Bad Request: ")
    return stripped.capitalize() if stripped != description else stripped


def last(server: FakeBotAPI, method: str) -> RecordedRequest:
    return server.requests(method)[-1]


# -- basics ------------------------------------------------------------------------------
@pytest.mark.timeout(20)
def test_get_me_over_http_and_through_ptb(server: FakeBotAPI) -> None:
    response = api_call(server, "getMe")
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True
    assert body["result"]["is_bot"] is True
    assert body["result"]["id"] == int(server.token.split(":")[0])

    me = run_bot(server, lambda bot: bot.get_me())
    assert me.username == server.bot_username
    assert [r.method for r in server.requests()] == ["getMe", "getMe", "getMe"]


@pytest.mark.timeout(20)
def test_wrong_token_is_unauthorized(server: FakeBotAPI) -> None:
    with httpx.Client(timeout=10) as client:
        response = client.post(f"{server.base_url}999:wrong/getMe")
    assert response.status_code == 401
    assert response.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}

    async def scenario() -> None:
        async with telegram.Bot("999:wrong", base_url=server.base_url):
            pass

    with pytest.raises(InvalidToken):
        asyncio.run(scenario())


@pytest.mark.timeout(20)
def test_unknown_method_is_not_found(server: FakeBotAPI) -> None:
    response = api_call(server, "sendTelepathy", chat_id=CHAT)
    assert response.status_code == 404
    assert response.json() == {"ok": False, "error_code": 404, "description": "Not Found"}


@pytest.mark.timeout(20)
def test_json_and_form_bodies_are_both_understood(server: FakeBotAPI) -> None:
    server.send_text(CHAT, "hello")
    markup = {"inline_keyboard": [[{"text": "More", "callback_data": "more"}]]}
    with httpx.Client(timeout=10) as client:
        as_json = client.post(
            f"{server.base_url}{server.token}/sendMessage",
            json={"chat_id": CHAT, "text": "json", "reply_markup": markup},
        )
    as_form = api_call(server, "sendMessage", chat_id=CHAT, text="form", reply_markup=markup)
    assert as_json.status_code == as_form.status_code == 200
    recorded = [r.params for r in server.requests("sendMessage")]
    assert recorded == [
        {"chat_id": CHAT, "text": "json", "reply_markup": markup},
        {"chat_id": CHAT, "text": "form", "reply_markup": markup},
    ]


# -- getUpdates ------------------------------------------------------------------------------
@pytest.mark.timeout(20)
def test_get_updates_offset_confirms_and_forgets(server: FakeBotAPI) -> None:
    ids = [server.send_text(CHAT, f"m{i}")["update_id"] for i in range(3)]
    assert ids == [1, 2, 3]

    def fetch(**params: Any) -> list[int]:
        response = api_call(server, "getUpdates", **params)
        assert response.status_code == 200, response.text
        return [u["update_id"] for u in response.json()["result"]]

    assert fetch() == [1, 2, 3]  # nothing confirmed yet
    assert fetch() == [1, 2, 3]
    assert fetch(limit=1) == [1]
    assert fetch(offset=2) == [2, 3]  # confirms update 1
    assert server.confirmed_offset == 2
    assert fetch(offset=0) == [2, 3]  # update 1 is gone forever
    assert fetch(offset=4) == []
    assert server.pending_updates == []
    server.send_text(CHAT, "later")
    assert fetch(allowed_updates=["message"]) == [4]


@pytest.mark.timeout(20)
def test_long_poll_returns_as_soon_as_an_update_arrives(server: FakeBotAPI) -> None:
    async def scenario(bot: telegram.Bot) -> tuple[float, tuple[Update, ...]]:
        threading.Timer(0.3, server.send_text, args=(CHAT, "wake up")).start()
        started = time.monotonic()
        found = await bot.get_updates(timeout=10)
        return time.monotonic() - started, found

    elapsed, found = run_bot(server, scenario)
    assert [u.message.text for u in found if u.message] == ["wake up"]
    assert 0.2 < elapsed < 5


@pytest.mark.timeout(20)
def test_long_poll_without_updates_waits_for_its_timeout(server: FakeBotAPI) -> None:
    async def scenario(bot: telegram.Bot) -> tuple[float, tuple[Update, ...]]:
        started = time.monotonic()
        found = await bot.get_updates(timeout=1)
        return time.monotonic() - started, found

    elapsed, found = run_bot(server, scenario)
    assert found == ()
    assert 0.9 < elapsed < 5


@pytest.mark.timeout(20)
def test_newer_get_updates_ends_an_older_long_poll_with_conflict(server: FakeBotAPI) -> None:
    results: list[httpx.Response] = []
    older = threading.Thread(target=lambda: results.append(api_call(server, "getUpdates", timeout=10)))
    older.start()
    server.wait_for("getUpdates")
    assert api_call(server, "getUpdates").status_code == 200
    older.join(timeout=5)
    assert results[0].status_code == 409
    assert results[0].json()["description"].startswith("Conflict: terminated by other getUpdates")


# -- sendMessage and HTML -------------------------------------------------------------------------
@pytest.mark.timeout(20)
def test_send_message_with_valid_html(server: FakeBotAPI) -> None:
    server.send_text(CHAT, "What is TF-IDF?")
    text = (
        "<b>TF-IDF</b> weighs terms &amp; <i>ranks</i> notes: "
        '<a href="https://example.org/?a=1&amp;b=2">source</a> '
        '<pre><code class="language-python">x &lt; y</code></pre>'
    )

    message = run_bot(server, lambda bot: bot.send_message(CHAT, text, parse_mode="HTML"))

    assert message.text == "TF-IDF weighs terms & ranks notes: source x < y"
    assert message.from_user is not None and message.from_user.is_bot
    assert message.message_id == 2  # the user's message was 1
    kinds = [(e.type, e.offset, e.length) for e in message.entities]
    assert kinds == [("bold", 0, 6), ("italic", 22, 5), ("text_link", 35, 6), ("pre", 42, 5)]
    assert message.entities[2].url == "https://example.org/?a=1&b=2"
    assert [m["text"] for m in server.sent_messages(CHAT)] == [message.text]
    assert last(server, "sendMessage").params["text"] == text


INVALID_HTML = [
    ("<h1>Title</h1>", 'Unsupported start tag "h1" at byte offset 0'),
    ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
    ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
    ("x</b>", "Unexpected end tag at byte offset 1"),
    ("if 1 < 2", 'Unsupported start tag "" at byte offset 5'),
    ("trailing <b", "Unclosed start tag at byte offset 9"),
    ("<i>a</i", "Unclosed end tag at byte offset 4"),
    ("<a href>x</a>", 'Expected equal sign in declaration of an attribute of the tag "a" at byte offset 0'),
    ('<span class="x">s</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
    ("🏟 <b>x</b> <p>", 'Unsupported start tag "p" at byte offset 14'),  # offsets are UTF-8 bytes
    ("AT&T", 'Unescaped "&" at byte offset 2 (strict mode of the fake: write &amp;)'),
    ("a > b", 'Unescaped ">" at byte offset 2 (strict mode of the fake: write &gt;)'),
]


@pytest.mark.timeout(20)
@pytest.mark.parametrize(("text", "detail"), INVALID_HTML)
def test_invalid_html_is_rejected_with_telegrams_wording(server: FakeBotAPI, text: str, detail: str) -> None:
    server.send_text(CHAT, "hi")
    description = f"Bad Request: can't parse entities: {detail}"
    assert validate_html(text) == description

    with pytest.raises(BadRequest) as raised:
        run_bot(server, lambda bot: bot.send_message(CHAT, text, parse_mode="HTML"))

    assert raised.value.message == ptb_message(description)
    assert last(server, "sendMessage").status == 400
    assert last(server, "sendMessage").description == description
    assert server.sent_messages() == []


@pytest.mark.timeout(20)
def test_lenient_mode_accepts_what_telegram_accepts() -> None:
    assert validate_html("AT&T &nbsp; a > b", strict=False) is None
    assert strip_html("AT&T &nbsp; a > b", strict=False) == "AT&T &nbsp; a > b"
    assert validate_html("<b>x", strict=False) is not None


@pytest.mark.timeout(60)
@settings(database=None, deadline=None, max_examples=200)
@given(st.text())
def test_escaped_text_is_always_valid_and_round_trips(text: str) -> None:
    escaped = html.escape(text)
    assert validate_html(escaped) is None
    assert strip_html(escaped) == text
    assert telegram_text_length(text) == len(text.encode("utf-16-le")) // 2


@pytest.mark.timeout(60)
@settings(database=None, deadline=None, max_examples=100)
@given(st.lists(st.tuples(st.sampled_from(["b", "i", "u", "s", "code", "tg-spoiler"]), st.text()), max_size=5))
def test_entities_cover_the_tagged_text(parts: list[tuple[str, str]]) -> None:
    markup = "".join(f"<{tag}>{html.escape(text)}</{tag}>" for tag, text in parts)
    parsed = parse_html(markup)
    assert parsed.text == "".join(text for _, text in parts)
    offset = 0
    expected = []
    for _, text in parts:
        length = telegram_text_length(text)
        if length:
            expected.append((offset, length))
        offset += length
    assert sorted((e["offset"], e["length"]) for e in parsed.entities) == sorted(expected)


@pytest.mark.timeout(20)
def test_text_length_is_counted_in_utf16_units_after_parsing(server: FakeBotAPI) -> None:
    server.send_text(CHAT, "hi")
    accepted = ["a" * 4096, "😀" * 2048, "<b>" + "a" * 4096 + "</b>", "  " + "a" * 4096 + "\n"]
    rejected = {
        "a" * 4097: "message is too long",
        "😀" * 2049: "message is too long",
        "": "message text is empty",
        " \n ": "message text is empty",
        "<b></b>": "message text is empty",
    }

    async def scenario(bot: telegram.Bot) -> dict[str, str | None]:
        outcome: dict[str, str | None] = {}
        for text in [*accepted, *rejected]:
            try:
                await bot.send_message(CHAT, text, parse_mode="HTML")
                outcome[text] = None
            except BadRequest as error:
                outcome[text] = error.message
        return outcome

    outcome = run_bot(server, scenario)
    assert {t: outcome[t] for t in accepted} == dict.fromkeys(accepted)
    assert {t: outcome[t] for t in rejected} == {t: ptb_message(f"Bad Request: {d}") for t, d in rejected.items()}


@pytest.mark.timeout(20)
def test_callback_data_longer_than_64_bytes_is_rejected(server: FakeBotAPI) -> None:
    server.send_text(CHAT, "hi")

    def keyboard(data: str) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup([[InlineKeyboardButton("Go", callback_data=data)]])

    async def scenario(bot: telegram.Bot) -> None:
        await bot.send_message(CHAT, "ok", reply_markup=keyboard("é" * 32))  # 64 bytes
        await bot.send_message(CHAT, "too long", reply_markup=keyboard("é" * 32 + "x"))

    with pytest.raises(BadRequest) as raised:
        run_bot(server, scenario)
    assert raised.value.message == ptb_message("Bad Request: BUTTON_DATA_INVALID")
    assert last(server, "sendMessage").description == "Bad Request: BUTTON_DATA_INVALID"
    assert [m["text"] for m in server.sent_messages()] == ["ok"]


@pytest.mark.timeout(20)
def test_reply_target_and_chat_must_exist(server: FakeBotAPI) -> None:
    server.send_text(CHAT, "question")

    async def scenario(bot: telegram.Bot) -> list[str]:
        errors = []
        for chat_id, reply in [(CHAT, ReplyParameters(99)), (777, None)]:
            try:
                await bot.send_message(chat_id, "answer", reply_parameters=reply)
            except BadRequest as error:
                errors.append(error.message)
        sent = await bot.send_message(
            CHAT, "anyway", reply_parameters=ReplyParameters(99, allow_sending_without_reply=True)
        )
        replied = await bot.send_message(CHAT, "reply", reply_parameters=ReplyParameters(1))
        assert sent.reply_to_message is None
        assert replied.reply_to_message is not None
        assert replied.reply_to_message.text == "question"
        return errors

    assert run_bot(server, scenario) == ["Message to be replied not found", "Chat not found"]


@pytest.mark.timeout(20)
def test_buttons_callbacks_edits_and_inline_queries(server: FakeBotAPI) -> None:
    server.send_text(CHAT, "hi")
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("More", callback_data="more:1")]])

    async def send(bot: telegram.Bot) -> telegram.Message:
        return await bot.send_message(CHAT, "Answer", reply_markup=keyboard)

    sent = run_bot(server, send)
    update = server.press_button(CHAT, sent.message_id, "more:1")
    with pytest.raises(ValueError, match="no button"):
        server.press_button(CHAT, sent.message_id, "other")
    query_id = update["callback_query"]["id"]
    inline_id = server.inline_query(7, "tf-idf")["inline_query"]["id"]

    async def react(bot: telegram.Bot) -> list[str]:
        await bot.answer_callback_query(query_id)
        await bot.edit_message_text("Answer, longer", CHAT, sent.message_id)
        errors = []
        for attempt in (
            bot.edit_message_text("Answer, longer", CHAT, sent.message_id),
            bot.answer_callback_query(query_id),
            bot.answer_inline_query(
                inline_id,
                [
                    telegram.InlineQueryResultArticle(str(i), "t", telegram.InputTextMessageContent("x"))
                    for i in range(51)
                ],
            ),
        ):
            try:
                await attempt
            except BadRequest as error:
                errors.append(error.message)
        return errors

    errors = run_bot(server, react)
    assert errors == [
        ptb_message(
            "Bad Request: message is not modified: specified new message content and "
            "reply markup are exactly the same as a current content and reply markup "
            "of the message"
        ),
        ptb_message("Bad Request: query is too old and response timeout expired or query ID is invalid"),
        ptb_message("Bad Request: RESULTS_TOO_MUCH"),
    ]
    edited = server.sent_messages(CHAT)[-1]
    assert edited["text"] == "Answer, longer"
    assert "reply_markup" not in edited  # an edit without reply_markup drops the keyboard


@pytest.mark.timeout(20)
def test_user_updates_carry_telegram_entities(server: FakeBotAPI) -> None:
    update = server.send_text(
        -100123, f"😀 hey @{server.bot_username}, help", chat_type="supergroup", title="Study group"
    )
    message = update["message"]
    assert message["chat"] == {"id": -100123, "type": "supergroup", "title": "Study group"}
    assert message["entities"] == [{"type": "mention", "offset": 7, "length": 13}]
    command = server.send_text(CHAT, "/ask@notes_qa_bot what is BM25?")["message"]
    assert command["entities"] == [{"type": "bot_command", "offset": 0, "length": 17}]
    edited = server.edit_text(CHAT, command["message_id"], "/ask what is TF-IDF?")
    assert edited["edited_message"]["text"] == "/ask what is TF-IDF?"
    post = server.raw_update(
        {"channel_post": {"message_id": 1, "date": 0, "text": "news", "chat": {"id": -1009, "type": "channel"}}}
    )
    assert post["update_id"] == 4
    assert [u["update_id"] for u in server.pending_updates] == [1, 2, 3, 4]


@pytest.mark.timeout(20)
def test_injected_updates_match_the_spec_and_parse_in_ptb(server: FakeBotAPI) -> None:
    server.send_text(CHAT, "/start")
    server.send_text(-100555, "hi @notes_qa_bot", chat_type="supergroup", title="Group")
    server.send_sticker(CHAT, emoji="🦉")
    server.send_photo(CHAT, caption="whiteboard")
    server.send_voice(CHAT, duration=4)
    server.inline_query(CHAT, "bm25")
    server.edit_text(CHAT, 1, "/start again")
    server.raw_update(
        {"channel_post": {"message_id": 1, "date": 0, "text": "news", "chat": {"id": -1009, "type": "channel"}}}
    )

    async def scenario(bot: telegram.Bot) -> tuple[Update, ...]:
        sent = await bot.send_message(
            CHAT, "pick", reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="a")]])
        )
        server.press_button(CHAT, sent.message_id, "a")
        return await bot.get_updates()

    found = run_bot(server, scenario)
    assert [u.effective_message.message_id if u.effective_message else None for u in found] == [
        1,
        1,
        2,
        3,
        4,
        None,
        1,
        1,
        5,
    ]
    assert found[2].message is not None and found[2].message.sticker is not None
    assert found[2].message.sticker.emoji == "🦉"
    assert found[3].message is not None and found[3].message.caption == "whiteboard"
    assert found[4].message is not None and found[4].message.voice is not None
    assert found[5].inline_query is not None and found[5].inline_query.query == "bm25"
    assert found[6].edited_message is not None
    assert found[7].channel_post is not None and found[7].channel_post.text == "news"
    assert found[8].callback_query is not None and found[8].callback_query.data == "a"
    spec = load_spec(SPEC_PATH)
    if spec is not None:  # the shapes the fake invents are the spec's shapes
        for update in server.pending_updates:
            assert spec.check_value(update, ("Update",), "update") == []
        for message in server.sent_messages():
            assert spec.check_value(message, ("Message",), "message") == []


@pytest.mark.timeout(20)
def test_commands_are_stored_per_scope_and_validated(server: FakeBotAPI) -> None:
    async def scenario(bot: telegram.Bot) -> tuple[Any, Any]:
        await bot.set_my_commands([("ask", "Ask the notes"), ("help", "How to ask")])
        commands = await bot.get_my_commands()
        in_groups = await bot.get_my_commands(scope=telegram.BotCommandScopeAllGroupChats())
        with pytest.raises(BadRequest, match=r"(?i)bot_command_invalid"):
            await bot.set_my_commands([("Ask!", "bad name")])
        return commands, in_groups

    commands, in_groups = run_bot(server, scenario)
    assert [(c.command, c.description) for c in commands] == [("ask", "Ask the notes"), ("help", "How to ask")]
    assert in_groups == ()


# -- faults -------------------------------------------------------------------------------
@pytest.mark.timeout(20)
def test_429_surfaces_as_retry_after(server: FakeBotAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "1")  # else PTB 22 warns when it builds RetryAfter
    server.send_text(CHAT, "hi")
    server.fail_next("sendMessage", 429, retry_after=7)

    with pytest.raises(RetryAfter) as raised:
        run_bot(server, lambda bot: bot.send_message(CHAT, "first try"))
    assert raised.value.retry_after == dtm.timedelta(seconds=7)
    assert last(server, "sendMessage").response == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 7",
        "parameters": {"retry_after": 7},
    }
    run_bot(server, lambda bot: bot.send_message(CHAT, "second try"))
    assert [m["text"] for m in server.sent_messages()] == ["second try"]


@pytest.mark.timeout(20)
@pytest.mark.parametrize(("status", "description"), [(500, "Internal Server Error"), (502, "Bad Gateway")])
def test_server_errors_surface_as_network_error(server: FakeBotAPI, status: int, description: str) -> None:
    server.fail_next(None, status)
    with pytest.raises(NetworkError) as raised:
        run_bot(server, lambda bot: bot.get_me())
    assert raised.value.message == description
    assert type(raised.value) is NetworkError


@pytest.mark.timeout(20)
def test_dropped_connection_surfaces_as_network_error(server: FakeBotAPI) -> None:
    server.send_text(CHAT, "hi")
    server.drop_next("sendMessage")

    async def scenario(bot: telegram.Bot) -> None:
        with pytest.raises(NetworkError, match="disconnected"):
            await bot.send_message(CHAT, "lost")
        await bot.send_message(CHAT, "delivered")

    run_bot(server, scenario)
    assert [r.dropped for r in server.requests("sendMessage")] == [True, False]
    assert [m["text"] for m in server.sent_messages()] == ["delivered"]


@pytest.mark.timeout(20)
def test_a_request_cut_off_mid_body_is_neither_recorded_nor_acted_on(server: FakeBotAPI) -> None:
    # What a bot killed while sending leaves behind: headers that promise more body than ever arrives.
    server.send_text(CHAT, "hi")
    body = f"chat_id={CHAT}&text=never+finished".encode()
    host, port = server.base_url.split("//")[1].split("/")[0].split(":")
    with socket.create_connection((host, int(port)), timeout=5) as raw:
        raw.sendall(
            f"POST /bot{server.token}/sendMessage HTTP/1.1\r\nHost: {host}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body[: len(body) // 2]
        )
        raw.shutdown(socket.SHUT_WR)
        assert raw.recv(1024) == b""  # closed without an answer
    assert server.requests("sendMessage") == []
    assert server.sent_messages() == []
    assert server.spec_violations == []

    run_bot(server, lambda bot: bot.send_message(CHAT, "whole"))
    assert [m["text"] for m in server.sent_messages()] == ["whole"]


@pytest.mark.timeout(20)
def test_stalled_answer_times_out_but_the_message_was_sent(server: FakeBotAPI) -> None:
    server.send_text(CHAT, "hi")
    server.stall_next("sendMessage", 3)

    with pytest.raises(TimedOut):
        run_bot(server, lambda bot: bot.send_message(CHAT, "slow", read_timeout=0.5))
    assert [m["text"] for m in server.sent_messages()] == ["slow"]


# -- spec -----------------------------------------------------------------------------------
@needs_spec
@pytest.mark.timeout(20)
def test_spec_check_flags_unknown_and_missing_parameters(server: FakeBotAPI) -> None:
    assert server.spec_checked
    server.send_text(CHAT, "hi")

    with pytest.raises(BadRequest, match="bogus_param"):
        run_bot(server, lambda bot: bot.send_message(CHAT, "x", api_kwargs={"bogus_param": 1}))
    assert server.spec_violations == ['sendMessage: unknown parameter "bogus_param"']

    response = api_call(
        server, "sendMessage", chat_id=CHAT, reply_parameters={"message_id": 1, "quote_position": "x", "bogus": 1}
    )
    assert response.status_code == 400
    assert server.spec_violations[1:] == [
        'sendMessage: missing required parameter "text"',
        'sendMessage: "reply_parameters" has unknown field "bogus" for ReplyParameters',
        'sendMessage: "reply_parameters.quote_position" must be Integer, got "x"',
    ]


@pytest.mark.timeout(20)
def test_without_the_spec_file_the_check_is_skipped(tmp_path: Path) -> None:
    with FakeBotAPI(spec_path=tmp_path / "absent.json") as fake:
        assert not fake.spec_checked
        fake.send_text(CHAT, "hi")
        response = api_call(fake, "sendMessage", chat_id=CHAT, text="x", bogus_param=1)
        assert response.status_code == 200
        assert fake.spec_violations == []
        # a parameter of unknown type stays the string the form carried
        assert fake.requests("sendMessage")[0].params == {"chat_id": CHAT, "text": "x", "bogus_param": "1"}


# -- webhooks -------------------------------------------------------------------------------------
class _Receiver(BaseHTTPRequestHandler):
    """Plays the bot's webhook endpoint: records the secret header and the update."""

    received: ClassVar[list[tuple[str | None, dict[str, Any]]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((self.headers.get("X-Telegram-Bot-Api-Secret-Token"), json.loads(body)))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.mark.timeout(20)
def test_webhook_registration_and_delivery(server: FakeBotAPI) -> None:
    _Receiver.received = []

    async def register(bot: telegram.Bot) -> telegram.WebhookInfo:
        await bot.set_webhook("https://bot.example/hook", secret_token="s3cret")
        return await bot.get_webhook_info()

    info = run_bot(server, register)
    assert (info.url, server.webhook_secret_token) == ("https://bot.example/hook", "s3cret")
    assert api_call(server, "getUpdates").status_code == 409

    receiver = HTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=receiver.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        update = server.send_text(CHAT, "via webhook")
        url = f"http://127.0.0.1:{receiver.server_address[1]}/hook"
        assert server.deliver_webhook(url, update) == 200
        assert server.deliver_webhook(url, update, secret_token="wrong") == 200
    finally:
        receiver.shutdown()
        receiver.server_close()
        thread.join()
    assert _Receiver.received == [("s3cret", update), ("wrong", update)]
    assert server.pending_updates == []
    with pytest.raises(ValueError, match=r"only posts to http://127\.0\.0\.1"):
        server.deliver_webhook("http://bot.example/hook", update)


# -- the real Application ----------------------------------------------------------------------
@pytest.mark.timeout(30)
def test_a_polling_application_round_trip(server: FakeBotAPI) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(
            "Ask me about your notes.",
            reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("Help", callback_data="help")]]),
        )

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None and update.effective_message.text
        await update.effective_chat.send_action("typing")  # type: ignore[union-attr]
        await update.effective_message.reply_html(f"<b>You asked:</b> {html.escape(update.effective_message.text)}")

    async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer()
        await query.edit_message_text("Type a question.")

    async def scenario() -> None:
        app = ApplicationBuilder().token(server.token).base_url(server.base_url).build()
        app.add_handler(CommandHandler("start", start))
        app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
        app.add_handler(CallbackQueryHandler(button))
        async with app:
            await app.start()
            assert app.updater is not None
            await app.updater.start_polling(poll_interval=0, timeout=1)
            server.send_text(CHAT, "/start")
            await asyncio.to_thread(server.wait_for, lambda r: r.method == "sendMessage" and r.ok)
            server.send_text(CHAT, "is 1 < 2 & 3 > 2?")
            await asyncio.to_thread(server.wait_for, lambda r: r.method == "sendMessage" and r.ok, count=2)
            server.press_button(CHAT, server.sent_messages(CHAT)[0]["message_id"], "help")
            await asyncio.to_thread(server.wait_for, "editMessageText")
            await app.updater.stop()
            await app.stop()

    asyncio.run(scenario())
    assert [m["text"] for m in server.sent_messages(CHAT)] == [
        "Ask me about your notes.",
        "You asked: is 1 < 2 & 3 > 2?",
        "Type a question.",
    ]
    assert server.requests("answerCallbackQuery")[0].ok
    assert server.pending_updates == []  # PTB confirmed everything on shutdown
    assert server.confirmed_offset == 4
    if server.spec_checked:
        assert server.spec_violations == []


@pytest.mark.timeout(30)
def test_a_webhook_application_round_trip(server: FakeBotAPI) -> None:
    pytest.importorskip("tornado", reason="PTB's webhook server needs python-telegram-bot[webhooks]")
    with socket.socket() as probe:  # a free local port for PTB's webhook listener
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(f"got {update.effective_message.text}")

    async def scenario() -> tuple[int, int]:
        app = ApplicationBuilder().token(server.token).base_url(server.base_url).build()
        app.add_handler(MessageHandler(filters.TEXT, echo))
        async with app:
            await app.start()
            assert app.updater is not None
            await app.updater.start_webhook(
                listen="127.0.0.1",
                port=port,
                url_path="hook",
                webhook_url="https://bot.example/hook",
                secret_token="s3cret",
            )
            update = server.send_text(CHAT, "hello")
            url = f"http://127.0.0.1:{port}/hook"
            accepted = await asyncio.to_thread(server.deliver_webhook, url, update)
            refused = await asyncio.to_thread(server.deliver_webhook, url, update, secret_token="forged")
            await asyncio.to_thread(server.wait_for, "sendMessage")
            await app.updater.stop()
            await app.stop()
        return accepted, refused

    assert asyncio.run(scenario()) == (200, 403)
    assert server.webhook_url == "https://bot.example/hook"
    assert [m["text"] for m in server.sent_messages(CHAT)] == ["got hello"]
    if server.spec_checked:
        assert server.spec_violations == []


# -- shutdown ------------------------------------------------------------------------------------
@pytest.mark.timeout(20)
def test_close_ends_long_polls_and_frees_port_and_threads() -> None:
    fake = FakeBotAPI()
    port = fake.port
    results: list[httpx.Response | Exception] = []

    def long_poll() -> None:
        try:
            results.append(api_call(fake, "getUpdates", timeout=30))
        except httpx.HTTPError as error:
            results.append(error)

    poller = threading.Thread(target=long_poll)
    poller.start()
    fake.wait_for("getUpdates")
    with httpx.Client(timeout=10) as idle_client:  # holds a keep-alive connection open
        assert idle_client.post(f"{fake.base_url}{fake.token}/getMe").status_code == 200
        started = time.monotonic()
        fake.close()
        poller.join(timeout=5)

    assert time.monotonic() - started < 3
    assert not poller.is_alive()
    assert isinstance(results[0], httpx.Response) and results[0].json() == {"ok": True, "result": []}
    assert [t.name for t in threading.enumerate() if t.name.startswith(f"fake-bot-api-{port}")] == []
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port), timeout=1):
        pass
    fake.close()  # closing twice is harmless
