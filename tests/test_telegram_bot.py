"""The Telegram bot end to end: the real Application polls the fake Bot API; the tests read what it sent.

Each test injects updates as Telegram would deliver them and asserts on the requests the fake server
recorded: the text users see (the fake parses the HTML as Telegram does), the buttons, the reply targets.
The ``fake`` fixture fails a test whose requests break the Bot API specification.
"""

from __future__ import annotations

import json
import logging
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot import Conversation, ConversationParams, Reply, State
from bot.conversation import action_key
from bot.telegram import BotOptions
from bot.telegram.flood import FloodControl
from bot.telegram.formatting import reply_messages
from index import Record, Retriever
from tests.fake_bot_api import FakeBotAPI, RecordedRequest, strip_html
from tests.test_telegram_harness import RunningBot, bundled_conversation, replying_to

pytestmark = pytest.mark.timeout(30)

ALICE, BOB = 42, 77  # private chats: the chat id is the user's id
GROUP = -100123



@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "state.sqlite3"


@pytest.fixture
def bot(fake: FakeBotAPI, db: Path) -> Iterator[RunningBot]:
    with RunningBot(fake, db) as running:
        yield running


def text_of(record: RecordedRequest) -> str:
    """What the user sees: the text of the message the fake delivered."""
    return str(record.result["text"])


def buttons(record: RecordedRequest) -> list[tuple[str, str]]:
    rows = (record.params.get("reply_markup") or {}).get("inline_keyboard", [])
    return [(b["text"], b["callback_data"]) for row in rows for b in row]


def visible(reply: Reply, **kwargs: Any) -> list[str]:
    """What the user should see for a reply of the core, part by part."""
    return [strip_html(part).strip() for part in reply_messages(reply, **kwargs)]


def core(*messages: str) -> Reply:
    """The core's reply to the last of ``messages``, asked in a fresh conversation."""
    conversation, state = bundled_conversation(), State()
    reply = None
    for message in messages:
        reply, state = conversation.respond(message, state)
    assert reply is not None
    return reply


# Commands --------------------------------------------------------------------------------------------------


def test_start_greets_and_says_how_to_ask(bot: RunningBot) -> None:
    [reply] = bot.ask(ALICE, "/start", first_name="Alice")
    assert text_of(reply).startswith("Hello, Alice! I answer questions from a folder of notes.\n\nAsk a question")
    assert reply.params["parse_mode"] == "HTML"
    assert buttons(reply) == [("Topics", "t:1")]


def test_every_command_answers_as_the_core_does(bot: RunningBot) -> None:
    transcript = [
        ("/help", core("/help")),
        ("/more", core("/more")),
        ("/source", core("/source")),
        ("what is a kernel?", core("what is a kernel?")),
        ("/source", core("what is a kernel?", "/source")),
        ("/reset", core("/reset")),
        ("/source", core("/source")),
        ("/frobnicate", core("/frobnicate")),
        ("/topics 2", core("/topics 2")),
        ("/3", core("/topics 2", "/3")),
        ("/ask what is a registry?", core("what is a registry?")),
    ]
    for said, expected in transcript:
        [reply] = bot.ask(ALICE, said)
        assert text_of(reply) == visible(expected)[0], said
    assert "no answer to give the source of" in text_of(bot.server.requests("sendMessage")[-5])


def test_topics_page_buttons_turn_the_page_in_place_and_open_a_section(bot: RunningBot) -> None:
    [page] = bot.ask(ALICE, "/topics")
    first = page.result
    assert text_of(page).startswith("Topics, page 1 of")
    labels = buttons(page)
    assert labels[0] == ("1. Docker basics", action_key("01-docker-basics.md#docker-basics"))
    assert labels[-1] == ("Next page", "~t:2")
    assert all(1 <= len(data.encode()) <= 64 for _, data in labels)

    bot.server.press_button(ALICE, first["message_id"], "~t:2")
    [edit] = bot.server.wait_for("editMessageText")
    assert edit.ok and edit.params["message_id"] == first["message_id"]
    assert edit.result["text"].startswith("Topics, page 2 of")
    assert buttons(edit)[-2:] == [("Previous page", "~t:1"), ("Next page", "~t:3")]
    assert bot.server.requests("answerCallbackQuery")[0].ok

    section_button = buttons(edit)[0]
    bot.server.press_button(ALICE, first["message_id"], section_button[1])
    [answer] = bot.replies_to(ALICE, first["message_id"])
    section = bundled_conversation().choose(section_button[1], State())[0]
    assert text_of(answer) == visible(section)[0]
    assert len(bot.server.requests("answerCallbackQuery")) == 2


def test_more_button_continues_the_answer(bot: RunningBot) -> None:
    [answer] = bot.ask(ALICE, "what are the advantages of docker?")
    assert ("More", "more") in buttons(answer)
    bot.server.press_button(ALICE, answer.result["message_id"], "more")
    [more] = bot.replies_to(ALICE, answer.result["message_id"])
    assert text_of(more) == visible(core("what are the advantages of docker?", "more"))[0]
    callback = bot.server.requests("answerCallbackQuery")[0]
    assert callback.ok and callback.seq < more.seq  # the button stops spinning before the reply comes


def test_did_you_mean_suggestions_are_buttons(bot: RunningBot) -> None:
    question = "layers"
    expected = core(question)
    assert expected.suggestions, "the question should be one the notes cannot settle on"
    [reply] = bot.ask(ALICE, question)
    assert [data for _, data in buttons(reply)][: len(expected.suggestions)] == [
        s.action for s in expected.suggestions
    ]
    pick = expected.suggestions[1]
    bot.server.press_button(ALICE, reply.result["message_id"], pick.action)
    [answer] = bot.replies_to(ALICE, reply.result["message_id"])
    assert pick.title in text_of(answer).split("\n")[:2]


# Questions ------------------------------------------------------------------------------------------------

ONE_QUESTION_PER_FILE = [
    ("01-docker-basics.md", "explain in plain words what the docker tool is for"),
    ("02-docker-engine.md", "which low level tool actually creates the namespaces and starts the first process"),
    ("03-linux-foundations.md", "the core part of an operating system that schedules programs and drives the hardware"),
    ("04-images-and-builds.md", "how does the build cache decide when to rebuild a layer"),
    ("05-hashes-and-snapshots.md", "is hashing the same thing as encryption"),
    ("06-storage-and-data.md", "what is database persistence layer?"),
    ("07-networking.md", "how do containers on one host get private ip addresses and still reach the internet"),
    ("08-running-containers.md", "what does exit code 137 mean"),
    ("09-security-and-operations.md", "which hardening steps do the notes recommend overall"),
]


def test_a_question_about_each_file_of_the_bundled_notes(bot: RunningBot) -> None:
    for chat, (path, question) in enumerate(ONE_QUESTION_PER_FILE, start=100):
        expected = core(question)
        [reply] = bot.ask(chat, question)
        assert text_of(reply) == visible(expected)[0]
        assert text_of(reply).endswith(f"Source: {expected.source}")
        assert str(expected.source).startswith(path)
        entities = {e["type"] for e in reply.result.get("entities", [])}
        assert {"bold", "code"} <= entities  # the title in bold, the source as code


def test_user_text_is_escaped(bot: RunningBot) -> None:
    [reply] = bot.ask(ALICE, "/frobnicate<b>&")
    assert reply.ok  # the fake rejects unescaped markup
    assert "/frobnicate<b>&." in text_of(reply)


def test_follow_up_questions_use_the_chats_own_context(bot: RunningBot) -> None:
    bot.ask(ALICE, "what is docker?")
    bot.ask(BOB, "what is a kernel?")
    [alice] = bot.ask(ALICE, "and its advantages?")
    [bob] = bot.ask(BOB, "/source")
    assert text_of(alice) == visible(core("what is docker?", "and its advantages?"))[0]
    assert text_of(bob) == visible(core("what is a kernel?", "/source"))[0]


def test_questions_sent_at_once_are_answered_in_order_each_as_a_reply(bot: RunningBot) -> None:
    questions = ["what is a volume?", "what is a bind mount?", "what is tmpfs?", "more", "/source"]
    updates = [bot.server.send_text(ALICE, q) for q in questions]
    bot.server.wait_for(lambda r: r.method == "sendMessage" and r.ok, count=len(questions))
    sent = [r for r in bot.server.requests("sendMessage") if r.ok]
    assert [r.params["reply_parameters"]["message_id"] for r in sent] == [u["message"]["message_id"] for u in updates]
    expected = [visible(core(*questions[: i + 1]))[0] for i in range(len(questions))]
    assert [text_of(r) for r in sent] == expected


def long_notes_conversation() -> Conversation:
    """One section of about 14,000 characters: paragraphs, a long list and a code block of 150 lines."""
    paragraphs = "\n\n".join(
        f"Paragraph {i} explains **layer {i}** with `docker image inspect` & <angle> brackets, "
        + "and keeps going for a while to make the section long. " * 4
        for i in range(20)
    )
    items = "\n".join(f"- item {i}: an *emphasised* word and a [link](https://example.com/{i})" for i in range(60))
    code = "```bash\n" + "\n".join(f"echo 'line {i}' > /tmp/out{i}  # <{i}>" for i in range(150)) + "\n```"
    markdown = f"# Huge\n\n{paragraphs}\n\n{items}\n\n{code}\n"
    retriever = Retriever.from_records([Record("huge.md", "Huge", markdown)])
    return Conversation(retriever, params=ConversationParams(passage_chars=100_000))


def test_long_answers_are_split_at_block_boundaries(fake: FakeBotAPI, db: Path) -> None:
    conversation = long_notes_conversation()
    expected = conversation.respond("huge", State())[0]
    parts = reply_messages(expected)
    assert len(parts) >= 3
    with RunningBot(fake, db, conversation=conversation) as bot:
        replies = bot.ask(ALICE, "huge", parts=len(parts))
    texts = [text_of(r) for r in replies]
    assert all(r.ok for r in replies)
    assert all(len(t.encode("utf-16-le")) // 2 <= 4096 for t in texts)
    assert "".join("".join(texts).split()) == "".join(strip_html("".join(parts)).split())
    assert [bool(buttons(r)) for r in replies] == [False] * len(replies)  # the whole section: no "more"
    for record in replies:
        for entity in record.result.get("entities", []):  # code blocks are whole in each message
            if entity["type"] == "pre":
                body = text_of(record)[entity["offset"] : entity["offset"] + entity["length"]]
                assert body.startswith("echo 'line ") and body.endswith(">")


# Inline mode ----------------------------------------------------------------------------------------------


def test_inline_query_offers_matching_sections_with_stable_ids(bot: RunningBot) -> None:
    bot.server.inline_query(ALICE, "kernel namespaces")
    bot.server.inline_query(BOB, "kernel namespaces")
    bot.server.inline_query(ALICE, "")
    answers = bot.server.wait_for("answerInlineQuery", count=3)
    first, second, empty = sorted(answers, key=lambda r: int(r.params["inline_query_id"]))
    assert first.ok and second.ok and empty.ok
    results = first.params["results"]
    hits = bundled_conversation().retriever.search("kernel namespaces", k=10)
    assert 1 <= len(results) <= 50
    assert [r["id"] for r in results] == [action_key(h.section.id) for h in hits]
    assert [r["id"] for r in second.params["results"]] == [r["id"] for r in results]
    assert results[0]["title"] == hits[0].section.title
    assert results[0]["input_message_content"]["parse_mode"] == "HTML"
    assert first.params["cache_time"] == 0 and first.params.get("is_personal") is False
    assert empty.params["results"] == []


# Groups -----------------------------------------------------------------------------------------------------


def group_says(bot: RunningBot, text: str, **kwargs: Any) -> dict[str, Any]:
    return bot.server.send_text(GROUP, text, chat_type="supergroup", title="Study group", **kwargs)


def test_in_groups_the_bot_answers_only_when_addressed(bot: RunningBot) -> None:
    username = bot.server.bot_username
    quiet = [
        group_says(bot, "what is a kernel?"),
        group_says(bot, "/help@some_other_bot"),
        group_says(bot, "/weather"),
        bot.server.send_sticker(GROUP, chat_type="supergroup"),
    ]
    asked = group_says(bot, "/ask what is a kernel?")
    [answer] = bot.replies_to(GROUP, asked["message"]["message_id"])
    assert text_of(answer) == visible(core("what is a kernel?"))[0]

    mention = group_says(bot, f"@{username} what is a registry?")
    [by_mention] = bot.replies_to(GROUP, mention["message"]["message_id"])
    assert text_of(by_mention) == visible(core("what is a registry?"))[0]

    reply = group_says(bot, "what is an image?", reply_to_message_id=by_mention.result["message_id"])
    [by_reply] = bot.replies_to(GROUP, reply["message"]["message_id"])
    assert text_of(by_reply) == visible(core("what is a registry?", "what is an image?"))[0]

    command = group_says(bot, f"/help@{username}")
    bot.replies_to(GROUP, command["message"]["message_id"])

    targets = [r.params["reply_parameters"]["message_id"] for r in bot.server.requests("sendMessage")]
    assert not {u["message"]["message_id"] for u in quiet} & set(targets)
    assert len(targets) == 4


# Other kinds of messages -------------------------------------------------------------------------------------


def test_stickers_photos_and_voice_get_a_hint(bot: RunningBot) -> None:
    updates = [bot.server.send_sticker(ALICE), bot.server.send_photo(ALICE), bot.server.send_voice(ALICE)]
    for update in updates:
        [hint] = bot.replies_to(ALICE, update["message"]["message_id"])
        assert text_of(hint) == "I can only read text. Ask your question in words, or type /help."


def test_an_edited_question_is_answered_again_in_private_chats_only(bot: RunningBot) -> None:
    question = bot.server.send_text(ALICE, "what is a kernal?")["message"]
    bot.replies_to(ALICE, question["message_id"])
    bot.server.edit_text(ALICE, question["message_id"], "what is a registry?")
    _, again = bot.replies_to(ALICE, question["message_id"], count=2)
    assert text_of(again) == visible(core("what is a registry?"))[0]

    in_group = group_says(bot, "/ask what is a volume?")["message"]
    bot.replies_to(GROUP, in_group["message_id"])
    bot.server.edit_text(GROUP, in_group["message_id"], "/ask what is a network?")
    later = group_says(bot, "/ask what is a port?")["message"]
    bot.replies_to(GROUP, later["message_id"])
    assert len(bot.server.sent_messages(GROUP)) == 2


def test_an_edit_long_after_the_question_is_ignored(fake: FakeBotAPI, db: Path) -> None:
    options = BotOptions(inline_cache_time=0, edit_window=0.0)
    with RunningBot(fake, db, options=options) as bot:
        question = bot.server.send_text(ALICE, "what is a kernel?")["message"]
        bot.replies_to(ALICE, question["message_id"])
        time.sleep(1.1)  # Telegram dates have one-second resolution
        bot.server.edit_text(ALICE, question["message_id"], "what is a registry?")
        bot.ask(ALICE, "/help")
    assert len(fake.sent_messages(ALICE)) == 2


# Access ----------------------------------------------------------------------------------------------------


def test_only_allowed_users_are_served_and_others_are_refused_politely(
    fake: FakeBotAPI, db: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="bot")
    with RunningBot(fake, db, telegram_allowed_users=frozenset({ALICE})) as bot:
        [answer] = bot.ask(ALICE, "what is a kernel?")
        [refusal] = bot.ask(BOB, "what is a kernel?")
        bot.server.press_button(ALICE, answer.result["message_id"], "more", user_id=BOB, require_button=False)
        [alert] = bot.server.wait_for("answerCallbackQuery")
        bot.server.inline_query(BOB, "kernel")
        [inline] = bot.server.wait_for("answerInlineQuery")
        sticker = bot.server.send_sticker(BOB)
        bot.replies_to(BOB, sticker["message"]["message_id"])
    assert text_of(answer) == visible(core("what is a kernel?"))[0]
    assert text_of(refusal) == (
        "Sorry, this bot only answers the people it was set up for. "
        f"If you should have access, send its owner your Telegram user id: {BOB}."
    )
    assert alert.params["show_alert"] is True and str(BOB) in alert.params["text"]
    assert inline.params["results"] == [] and inline.params["is_personal"] is True
    assert inline.params["button"]["text"] == "This bot is private"
    refused = [r for r in caplog.records if "not on TELEGRAM_ALLOWED_USERS" in r.getMessage()]
    assert len(refused) == 4 and all(f"user {BOB}" in r.getMessage() for r in refused)
    assert len(fake.sent_messages(ALICE)) == 1


def test_the_rate_limit_warns_once_then_stays_quiet(fake: FakeBotAPI, db: Path) -> None:
    with RunningBot(fake, db, telegram_rate_limit_per_minute=3) as bot:
        updates = [bot.server.send_text(ALICE, f"what is a volume? ({i})") for i in range(6)]
        bot.ask(BOB, "what is a volume?")  # another user is not slowed down
        [warning] = bot.server.wait_for(replying_to(ALICE, updates[3]["message"]["message_id"]))
        bot.server.press_button(ALICE, warning.result["message_id"], "more", require_button=False)
        [pressed] = bot.server.wait_for("answerCallbackQuery")
    assert pressed.ok and "text" not in pressed.params  # the spinner stops, nothing else happens
    replies = {r.params["reply_parameters"]["message_id"]: text_of(r) for r in fake.requests("sendMessage")}
    ids = [u["message"]["message_id"] for u in updates]
    assert all(replies[i].startswith("What is a volume?") or "volume" in replies[i] for i in ids[:3])
    assert replies[ids[3]].startswith("You're sending messages faster than I can answer them well. Please wait")
    assert ids[4] not in replies and ids[5] not in replies


# Flood limits and failures -----------------------------------------------------------------------------------


def test_a_429_is_waited_out_and_the_reply_delivered(bot: RunningBot) -> None:
    bot.server.fail_next("sendMessage", 429, retry_after=1)
    [reply] = bot.ask(ALICE, "what is a kernel?", timeout=10)
    attempts = bot.server.requests("sendMessage")
    assert [r.status for r in attempts] == [429, 200]
    assert attempts[1].time - attempts[0].time >= 1.0
    assert text_of(reply) == visible(core("what is a kernel?"))[0]


def test_flood_control_paces_messages_to_a_group(fake: FakeBotAPI, db: Path) -> None:
    flood = FloodControl(overall_per_second=None, group_per_minute=2, group_period=1.0)
    with RunningBot(fake, db, flood=flood) as bot:
        for text in ("/ask what is a kernel?", "/ask what is a volume?", "/ask what is a port?"):
            group_says(bot, text)
        bot.ask(ALICE, "/help")  # private chats are not held back
        sent = fake.wait_for(lambda r: r.method == "sendMessage" and r.ok and r.params["chat_id"] == GROUP, count=3)
    private = [r for r in fake.requests("sendMessage") if r.params["chat_id"] == ALICE]
    assert private[0].seq < sent[2].seq
    assert sent[2].time - sent[0].time >= 0.9  # two messages a "minute" (here: a second) in one group


@pytest.mark.parametrize("status", [500, 502])
def test_5xx_answers_are_retried(bot: RunningBot, status: int) -> None:
    bot.server.fail_next("getUpdates", status)
    bot.server.fail_next("sendMessage", status)
    [reply] = bot.ask(ALICE, "what is a kernel?", timeout=10)
    assert [r.status for r in bot.server.requests("sendMessage")] == [status, 200]
    assert text_of(reply) == visible(core("what is a kernel?"))[0]


def test_an_error_in_a_handler_is_logged_and_the_user_gets_an_apology(
    fake: FakeBotAPI, db: Path, caplog: pytest.LogCaptureFixture
) -> None:
    class Broken(Conversation):
        def respond(self, text: str, state: State | None = None) -> tuple[Reply, State]:
            if "crash" in text:
                raise RuntimeError("the notes caught fire")
            return super().respond(text, state)

    caplog.set_level(logging.ERROR, logger="bot")
    with RunningBot(fake, db, conversation=Broken(bundled_conversation().retriever)) as bot:
        [apology] = bot.ask(ALICE, "crash please")
        [answer] = bot.ask(ALICE, "what is a kernel?")
    assert text_of(apology) == "Sorry, something went wrong while answering that. Please try again in a moment."
    assert text_of(answer) == visible(core("what is a kernel?"))[0]
    [record] = [r for r in caplog.records if r.name == "bot.telegram.handlers"]
    assert record.exc_info is not None and "the notes caught fire" in str(record.exc_info[1])


def test_a_failure_to_send_is_logged_and_retried_until_the_answer_goes_through(
    bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    bot.server.fail_next("sendMessage", 502, count=6)  # more than FloodControl's own retries (docs/reliability.md)
    [first] = bot.ask(ALICE, "what is a kernel?", timeout=15)
    [answer] = bot.ask(ALICE, "what is a volume?")
    assert text_of(first) == visible(core("what is a kernel?"))[0]
    assert text_of(answer) == visible(core("what is a volume?"))[0]
    assert [r.status for r in bot.server.requests("sendMessage")] == [502] * 6 + [200, 200]
    assert any("trying again" in r.getMessage() for r in caplog.records)


def test_typing_is_shown_while_a_slow_answer_is_prepared(fake: FakeBotAPI, db: Path) -> None:
    class Slow(Conversation):
        def respond(self, text: str, state: State | None = None) -> tuple[Reply, State]:
            if "slow" in text:
                time.sleep(0.4)
            return super().respond(text, state)

    options = BotOptions(inline_cache_time=0, typing_after=0.1)
    with RunningBot(fake, db, conversation=Slow(bundled_conversation().retriever), options=options) as bot:
        bot.ask(ALICE, "what is a kernel?")
        bot.ask(ALICE, "slow: what is a volume?")
    actions = fake.requests("sendChatAction")
    assert [(a.params["chat_id"], a.params["action"]) for a in actions] == [(ALICE, "typing")]
    assert actions[0].seq < fake.requests("sendMessage")[-1].seq


# Restart ----------------------------------------------------------------------------------------------------


def test_per_chat_state_survives_a_restart(fake: FakeBotAPI, db: Path) -> None:
    with RunningBot(fake, db) as bot:
        bot.ask(ALICE, "what are the advantages of docker?")
        bot.ask(BOB, "/topics 3")
    with RunningBot(fake, db) as bot:
        [more] = bot.ask(ALICE, "more")
        [picked] = bot.ask(BOB, "2")
    assert text_of(more) == visible(core("what are the advantages of docker?", "more"))[0]
    assert text_of(picked) == visible(core("/topics 3", "2"))[0]
    assert len(fake.requests("getMe")) == 2


# Webhook mode -----------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_webhook_mode_accepts_telegrams_posts_and_rejects_a_wrong_secret(fake: FakeBotAPI, db: Path) -> None:
    pytest.importorskip("tornado", reason="webhook mode needs python-telegram-bot[webhooks]")
    port = free_port()
    settings = {
        "telegram_webhook_url": "https://bot.example:8443/notes-qa/hook",
        "telegram_webhook_listen": "127.0.0.1",
        "telegram_webhook_port": port,
        "telegram_webhook_secret": "s3cret-Token_1",
    }
    local = f"http://127.0.0.1:{port}/notes-qa/hook"
    with RunningBot(fake, db, **settings) as bot:
        assert fake.webhook_url == "https://bot.example:8443/notes-qa/hook"
        assert fake.webhook_secret_token == "s3cret-Token_1"
        forged = fake.send_text(ALICE, "what is a kernel?")
        assert fake.deliver_webhook(local, forged, secret_token="wrong") == 403
        assert fake.deliver_webhook(local, forged, secret_token="") == 403
        update = fake.send_text(ALICE, "what is a volume?")
        assert fake.deliver_webhook(local, update) == 200
        [reply] = bot.replies_to(ALICE, update["message"]["message_id"])
    assert text_of(reply) == visible(core("what is a volume?"))[0]
    assert [r.params["reply_parameters"]["message_id"] for r in fake.requests("sendMessage")] == [
        update["message"]["message_id"]
    ]
    assert not fake.requests("getUpdates")
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port), timeout=1):
        pass  # the webhook server is gone with the bot


# Transcript -------------------------------------------------------------------------------------------------


def transcript(server: FakeBotAPI, chat_id: int) -> list[str]:
    """The chat as the fake server recorded it: who said what, buttons in brackets."""
    lines = []
    for message in server.chat_history(chat_id):
        who = "bot" if message["from"]["is_bot"] else "user"
        text = message.get("text") or "<" + next(k for k in ("sticker", "photo", "voice") if k in message) + ">"
        keys = [b["text"] for row in message.get("reply_markup", {}).get("inline_keyboard", []) for b in row]
        lines.append(f"{who}: {text}" + (f"  [{' | '.join(keys)}]" if keys else ""))
    return lines


def test_a_conversation_as_the_fake_server_recorded_it(bot: RunningBot) -> None:
    for said in ("/start", "what is a kernel?", "and why do containers need it?", "/source"):
        bot.ask(ALICE, said)
    lines = transcript(bot.server, ALICE)
    assert lines[0] == "user: /start"
    assert lines[2] == "user: what is a kernel?"
    assert lines[3].startswith("bot: Linux foundations for containers\nWhat is a kernel?\n\nThe kernel is the core")
    assert lines[-1].startswith("bot: ") and "is at" in lines[-1]
    assert len(lines) == 8
    print(json.dumps(lines, indent=1, ensure_ascii=False))
