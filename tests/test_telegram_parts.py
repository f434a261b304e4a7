"""The Telegram front end's parts on their own: settings, the token filter, routing, access, state, buttons."""

from __future__ import annotations

import logging
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import Action, Reply, ReplyKind, Source, State, Suggestion
from bot.telegram import SettingsError, StateStore, StateStoreError, load_settings
from bot.telegram.access import AllowList, RateLimiter, Verdict
from bot.telegram.keyboards import decode, reply_keyboard
from bot.telegram.logs import REDACTED, RedactSecrets, configure_logging
from bot.telegram.routing import addressed_text
from tests.fake_bot_api import FakeBotAPI
from tests.test_telegram_harness import SPEC_PATH, RunningBot

TOKEN = "123456789:AAH-secret_part-xyz"

# Settings -----------------------------------------------------------------------------------------------------


def test_settings_defaults_with_only_a_token(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    settings = load_settings(env_file=None)
    assert settings.token == TOKEN
    assert settings.telegram_base_url == "https://api.telegram.org/bot"
    assert settings.telegram_allowed_users == frozenset()
    assert settings.telegram_rate_limit_per_minute == 20
    assert settings.telegram_webhook_url == "" and settings.webhook_secret is None
    assert settings.notes_qa_notes_dir.name == "corpus"
    assert settings.state_db == tmp_path / "home" / ".local" / "state" / "notes-qa" / "telegram-state.sqlite3"
    assert settings.notes_qa_log_level == "INFO"
    assert TOKEN not in repr(settings)
    with pytest.raises(Exception, match="frozen"):
        settings.telegram_rate_limit_per_minute = 5  # type: ignore[misc]


def test_settings_from_a_dot_env_file_the_environment_winning(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(
        f"TELEGRAM_BOT_TOKEN={TOKEN}\nTELEGRAM_ALLOWED_USERS=1, 2,3\nTELEGRAM_RATE_LIMIT_PER_MINUTE=5\n"
        "TELEGRAM_WEBHOOK_URL=https://bot.example.com/notes/hook\nTELEGRAM_WEBHOOK_SECRET=abc-DEF_123\n"
        "NOTES_QA_LOG_LEVEL=debug\nTELEGRAM_BASE_URL=\nSOMETHING_ELSE=ignored\n"
    )
    monkeypatch.setenv("TELEGRAM_RATE_LIMIT_PER_MINUTE", "7")
    settings = load_settings(env_file=env_file)
    assert settings.telegram_allowed_users == frozenset({1, 2, 3})
    assert settings.telegram_rate_limit_per_minute == 7
    assert settings.webhook_path == "notes/hook" and settings.webhook_secret == "abc-DEF_123"
    assert settings.notes_qa_log_level == "DEBUG"
    assert settings.telegram_base_url == "https://api.telegram.org/bot"  # empty means the default
    assert settings.secrets == (TOKEN, "abc-DEF_123")


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({}, "TELEGRAM_BOT_TOKEN is not set: expected the bot token from @BotFather, found nothing"),
        ({"TELEGRAM_BOT_TOKEN": "not a token"}, "found a value of 11 characters that is not of that shape"),
        ({"TELEGRAM_ALLOWED_USERS": "12,@alice"}, "found '@alice'; a @username cannot be used"),
        ({"TELEGRAM_RATE_LIMIT_PER_MINUTE": "lots"}, "must be a whole number from 1 to 10000, found 'lots'"),
        ({"TELEGRAM_BASE_URL": "api.telegram.org"}, "TELEGRAM_BASE_URL must be an http(s) URL"),
        ({"TELEGRAM_WEBHOOK_URL": "http://bot.example/hook", "TELEGRAM_WEBHOOK_SECRET": "s"}, "public https:// URL"),
        ({"TELEGRAM_WEBHOOK_URL": "https://bot.example/hook"}, "TELEGRAM_WEBHOOK_SECRET must be set when"),
        ({"TELEGRAM_WEBHOOK_SECRET": "has spaces!"}, "found a value of 11 characters with others"),
        ({"NOTES_QA_LOG_LEVEL": "LOUD"}, "NOTES_QA_LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, found 'LOUD'"),
    ],
)
def test_unusable_settings_name_the_variable_and_what_was_found(
    monkeypatch: pytest.MonkeyPatch, variables: dict[str, str], message: str
) -> None:
    if "TELEGRAM_BOT_TOKEN" not in variables and variables:
        monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as raised:
        load_settings(env_file=None)
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)
    assert "has spaces" not in str(raised.value) and "not a token" not in str(raised.value)


def test_nothing_is_read_or_configured_at_import(tmp_path: Path) -> None:
    code = (
        "import logging, bot.telegram, bot.telegram.app, bot.telegram.handlers, bot.__main__;"
        "print(len(logging.getLogger().handlers))"
    )
    env = {"PATH": "/usr/bin:/bin", "TELEGRAM_RATE_LIMIT_PER_MINUTE": "not a number"}
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert (out.returncode, out.stdout.strip(), out.stderr) == (0, "0", "")


# The token never reaches the logs -------------------------------------------------------------------------


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    quiet = {name: logging.getLogger(name).level for name in ("httpx", "httpcore")}
    yield
    for handler in root.handlers:
        for log_filter in list(handler.filters):
            if isinstance(log_filter, RedactSecrets):
                handler.removeFilter(log_filter)
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, old in quiet.items():
        logging.getLogger(name).setLevel(old)


def test_the_filter_redacts_messages_arguments_and_tracebacks() -> None:
    redact = RedactSecrets([TOKEN, ""])
    record = logging.LogRecord("httpx", logging.INFO, __file__, 1, "POST %s", (f"https://x/bot{TOKEN}/getMe",), None)
    try:
        raise ValueError(f"The token `{TOKEN}` was rejected")
    except ValueError:
        record.exc_info = sys.exc_info()
    assert redact.filter(record)
    assert record.getMessage() == f"POST https://x/bot{REDACTED}/getMe"
    assert record.exc_text is not None and TOKEN not in record.exc_text and REDACTED in record.exc_text
    assert TOKEN not in logging.Formatter().format(record)


def test_at_debug_level_no_log_line_of_a_whole_run_holds_the_token(
    caplog: pytest.LogCaptureFixture, restore_logging: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    caplog.set_level(logging.DEBUG)
    with FakeBotAPI(token=TOKEN, spec_path=SPEC_PATH) as fake:
        configure_logging("DEBUG", secrets=[fake.token])
        assert logging.getLogger("httpx").level == logging.WARNING
        logging.getLogger("httpx").warning("HTTP Request: POST %s/getMe", f"{fake.base_url}{fake.token}")
        with RunningBot(fake, tmp_path / "state.sqlite3") as bot:
            bot.ask(42, "what is a kernel?")
            bot.server.fail_next("sendMessage", 502)
            bot.ask(42, "what is a volume?")
    assert len(caplog.records) > 50
    assert any(r.name.startswith("telegram") and r.levelno == logging.DEBUG for r in caplog.records)
    assert f"HTTP Request: POST {fake.base_url}{REDACTED}/getMe" in caplog.text
    secret = TOKEN.split(":")[1]
    assert secret not in caplog.text
    assert not [r for r in caplog.records if secret in r.getMessage() or secret in (r.exc_text or "")]


# Routing --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "private", "reply_to_bot", "expected"),
    [
        ("what is a volume?", True, False, "what is a volume?"),
        ("/help", True, False, "/help"),
        ("/help@notes_qa_bot", True, False, "/help"),
        ("/topics@Notes_QA_Bot 2", False, False, "/topics 2"),
        ("/ask what is a volume?", True, False, "what is a volume?"),
        ("/ask@notes_qa_bot  what is a volume? ", False, False, "what is a volume?"),
        ("/ask", False, False, ""),
        ("/2", False, False, "/2"),
        ("what is a volume?", False, False, None),
        ("/help@other_bot", False, False, None),
        ("/help@other_bot", True, False, None),
        ("/weather", False, False, None),
        ("/weather", True, False, "/weather"),
        ("@notes_qa_bot what is a volume?", False, False, "what is a volume?"),
        ("what is a volume, @NOTES_QA_BOT?", False, False, "what is a volume?"),
        ("ask @notes_qa_botanist", False, False, None),
        ("and its advantages?", False, True, "and its advantages?"),
    ],
)
def test_which_messages_are_for_the_bot(text: str, private: bool, reply_to_bot: bool, expected: str | None) -> None:
    got = addressed_text(text, private=private, bot_username="notes_qa_bot", reply_to_bot=reply_to_bot)
    assert got == expected


# Access ---------------------------------------------------------------------------------------------------


def test_the_allow_list_is_by_numeric_id_and_empty_means_everyone() -> None:
    assert AllowList().allows(1) and AllowList().allows(None)
    only = AllowList.of([42])
    assert only.restricted and only.allows(42)
    assert not only.allows(7) and not only.allows(None)


def test_the_rate_limit_warns_once_per_window_and_frees_up() -> None:
    now = [0.0]
    limiter = RateLimiter(3, 60.0, clock=lambda: now[0])
    verdicts = [limiter.check(1).verdict for _ in range(5)]
    assert verdicts == [Verdict.ALLOW] * 3 + [Verdict.WARN, Verdict.DROP]
    assert limiter.check(2).allowed  # per user
    now[0] = 30.0
    decision = limiter.check(1)
    assert decision.verdict is Verdict.DROP and decision.retry_seconds == 30
    now[0] = 60.5
    assert limiter.check(1).allowed
    with pytest.raises(ValueError, match="limit must be a whole number of requests of at least 1, got 0"):
        RateLimiter(0)


# State store ----------------------------------------------------------------------------------------------


def test_state_is_kept_per_chat_across_reopening(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "state.sqlite3"
    state = State(section_id="n.md#kernel", shown=(0, 1), context="Kernel", choices=("a", "b"))
    with StateStore(path) as store:
        assert store.get(42) == State()
        store.put(42, state)
        store.put(-100, State(context="group"))
        store.put(42, state)
    with StateStore(path) as store:
        assert store.get(42) == state
        assert store.get(-100).context == "group"
        assert len(store) == 2


def test_an_unreadable_row_starts_afresh_and_a_newer_schema_is_refused(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "state.sqlite3"
    StateStore(path).close()
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO chat_state VALUES (7, '{\"v\": 99}', 0)")
    db.close()
    with StateStore(path) as store:
        assert store.get(7) == State()
    assert "starting chat 7 afresh" in caplog.text
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 2")
    db.close()
    with pytest.raises(StateStoreError, match="has schema version 2; this version of notes-qa reads version 1"):
        StateStore(path)
    (tmp_path / "file").write_text("")
    with pytest.raises(StateStoreError, match="cannot open the state database"):
        StateStore(tmp_path / "file" / "state.sqlite3")


# Buttons --------------------------------------------------------------------------------------------------


def test_buttons_carry_the_cores_action_ids_and_page_buttons_turn_in_place() -> None:
    suggestion = Suggestion(1, "s:0123456789abcdef", "n.md#x", "A very long title " * 5, (), Source("n.md", 1))
    unsure = Reply(ReplyKind.UNSURE, "?", suggestions=(suggestion,), actions=(Action("t:1", "Topics", "/topics"),))
    keyboard = reply_keyboard(unsure)
    assert keyboard is not None
    [[pick], [topics]] = keyboard.inline_keyboard
    assert pick.callback_data == "s:0123456789abcdef" and len(pick.text) == 48 and pick.text.endswith("…")
    assert topics.callback_data == "t:1"
    page = Reply(ReplyKind.TOPICS, "...", actions=(Action("t:3", "Next page", "/topics 3"),))
    page_keyboard = reply_keyboard(page)
    assert page_keyboard is not None
    assert page_keyboard.inline_keyboard[0][0].callback_data == "~t:3"
    assert decode("~t:3").in_place and decode("~t:3").action == "t:3"
    assert not decode("more").in_place
    assert reply_keyboard(Reply(ReplyKind.HELP, "help")) is None
