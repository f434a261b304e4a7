"""One Settings for every front end: defaults, precedence, validation messages, .env.example, import-time purity."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.repl import main as repl_main
from bot.settings import Settings, SettingsError, load_settings
from tests.conftest import ROOT

TOKEN = "123456789:AAH-secret_part-xyz"
KEY = "a-key-of-more-than-sixteen-characters"


@pytest.fixture(autouse=True)
def no_settings_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith(("NOTES_QA_", "TELEGRAM_")):
            monkeypatch.delenv(name)


def test_defaults_need_no_token_and_put_every_file_in_the_users_folders(tmp_path: Path) -> None:
    settings = load_settings(env_file=None)
    state = tmp_path / "home" / ".local" / "state" / "notes-qa"
    assert settings.telegram_bot_token is None
    assert settings.notes_dir.name == "corpus"
    assert settings.question_db == state / "questions.sqlite3"
    assert settings.state_db == state / "telegram-state.sqlite3"
    assert settings.cache_dir.parent == tmp_path / "home" / ".cache" / "notes-qa"
    assert (settings.notes_qa_retention_days, settings.notes_qa_watch, settings.user_hash_key) == (90, True, None)
    assert settings.secrets == ()


def test_the_bot_requires_a_token_the_repl_does_not() -> None:
    with pytest.raises(SettingsError, match=r"^TELEGRAM_BOT_TOKEN is not set: expected the bot token"):
        load_settings(env_file=None, require_token=True)
    from bot.telegram import load_settings as bot_settings

    with pytest.raises(SettingsError, match=r"^TELEGRAM_BOT_TOKEN is not set"):
        bot_settings(env_file=None)
    with pytest.raises(SettingsError, match="not set"):
        _ = load_settings(env_file=None).token


def test_a_flag_beats_the_environment_which_beats_dot_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(
        "NOTES_QA_NOTES_DIR=/from/dotenv\nNOTES_QA_QUESTION_DB=/from/dotenv.sqlite3\nNOTES_QA_RETENTION_DAYS=7\n"
        "NOTES_QA_WATCH=off\n"
    )
    monkeypatch.setenv("NOTES_QA_NOTES_DIR", "/from/environment")
    settings = load_settings(env_file=env_file, overrides={"notes_qa_question_db": Path("/from/flag.sqlite3"),
                                                           "notes_qa_watch": None})
    assert settings.notes_dir == Path("/from/environment")
    assert settings.question_db == Path("/from/flag.sqlite3")
    assert (settings.notes_qa_retention_days, settings.notes_qa_watch) == (7, False)  # None: no flag given


def test_the_log_level_defaults_per_front_end_unless_it_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings(env_file=None).log_level("WARNING") == "WARNING"
    assert load_settings(env_file=None).log_level("INFO") == "INFO"
    monkeypatch.setenv("NOTES_QA_LOG_LEVEL", "debug")
    assert load_settings(env_file=None).log_level("WARNING") == "DEBUG"
    assert load_settings(env_file=None, overrides={"notes_qa_log_level": "ERROR"}).log_level("INFO") == "ERROR"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("NOTES_QA_RETENTION_DAYS", "a month", "NOTES_QA_RETENTION_DAYS must be a whole number from 0 to 36500, "
                                               "found 'a month'"),
        ("NOTES_QA_RETENTION_DAYS", "-1", "NOTES_QA_RETENTION_DAYS must be a whole number from 0 to 36500, found '-1'"),
        ("NOTES_QA_WATCH", "sometimes", "NOTES_QA_WATCH must be true or false (or 1/0, yes/no, on/off), "
                                        "found 'sometimes'"),
        ("NOTES_QA_USER_HASH_KEY", "hunter2", "NOTES_QA_USER_HASH_KEY must be a random string of at least 16 "
                                              "characters"),
        ("NOTES_QA_LOG_LEVEL", "chatty", "NOTES_QA_LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, "
                                         "found 'chatty'"),
        ("TELEGRAM_ADMIN_USERS", "@boss", "TELEGRAM_ADMIN_USERS must be comma-separated numeric Telegram user ids"),
    ],
)
def test_an_unusable_value_names_the_variable_what_was_expected_and_what_was_found(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as raised:
        load_settings(env_file=None)
    text = str(raised.value)
    assert text.startswith(message)
    assert "\n" not in text
    if name == "NOTES_QA_USER_HASH_KEY":
        assert "hunter2" not in text and "found a value of 7 characters" in text


def test_several_problems_are_reported_together(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTES_QA_RETENTION_DAYS", "x")
    monkeypatch.setenv("NOTES_QA_WATCH", "x")
    with pytest.raises(SettingsError) as raised:
        load_settings(env_file=None)
    assert re.fullmatch(r"NOTES_QA_RETENTION_DAYS .*; NOTES_QA_WATCH .*", str(raised.value))


def test_the_hash_key_is_a_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTES_QA_USER_HASH_KEY", KEY)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    settings = load_settings(env_file=None)
    assert settings.user_hash_key == KEY.encode()
    assert settings.secrets == (TOKEN, KEY)
    assert KEY not in repr(settings) and TOKEN not in repr(settings)


def test_a_bad_setting_stops_the_repl_with_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NOTES_QA_RETENTION_DAYS", "forever")
    code = repl_main(["--ask", "what is a volume?"])
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert err == "error: NOTES_QA_RETENTION_DAYS must be a whole number from 0 to 36500, found 'forever'\n"


def test_dot_env_example_documents_every_setting_and_nothing_else() -> None:
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    documented = re.findall(r"^([A-Z][A-Z0-9_]+)=", example, flags=re.MULTILINE)
    assert sorted(documented) == sorted(name.upper() for name in Settings.model_fields)
    assert len(documented) == len(set(documented))
    for name in documented:  # each one has a comment line right above it (or above its group)
        assert re.search(rf"^# .*\n(?:[A-Z_]+=.*\n)*{name}=", example, flags=re.MULTILINE), name


def test_every_setting_loads_from_dot_env_example_as_shipped(tmp_path: Path) -> None:
    """The template, copied to .env with only a token filled in, is a valid configuration."""
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    env_file = tmp_path / ".env"
    env_file.write_text(example.replace("TELEGRAM_BOT_TOKEN=\n", f"TELEGRAM_BOT_TOKEN={TOKEN}\n"), encoding="utf-8")
    settings = load_settings(env_file=env_file, require_token=True)
    assert settings.token == TOKEN


def test_nothing_is_read_or_configured_at_import(tmp_path: Path) -> None:
    code = (
        "import logging, bot.settings, bot.repl, bot.report, bot.report.cli, bot.reload, bot.questionlog, "
        "bot.recorder, bot.health, bot.logs;"
        "print(len(logging.getLogger().handlers), len(logging.getLogger('bot').handlers))"
    )
    work = tmp_path / "work"
    work.mkdir()
    env = {"PATH": "/usr/bin:/bin", "HOME": str(work), "NOTES_QA_RETENTION_DAYS": "not a number",
           "NOTES_QA_WATCH": "maybe"}
    out = subprocess.run([sys.executable, "-c", code], cwd=work, env=env, capture_output=True, text=True)
    assert (out.returncode, out.stdout.strip(), out.stderr) == (0, "0 0", "")
    assert list(work.iterdir()) == []  # no file written either
