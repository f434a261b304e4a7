"""Live reload: a note added, changed or removed is picked up in the background and swapped in at once; a broken
edit keeps the last good index; questions are answered throughout (the bot through the fake Bot API, and the
REPL through a pipe); ``/reload`` is for admins."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot import Conversation, ReplyKind
from bot.reload import LiveConversation, Reloader, ReloadResult
from bot.telegram import build_application
from bot.telegram.flood import FloodControl
from bot.telegram.handlers import APOLOGY
from index import Retriever
from tests.conftest import ROOT
from tests.fake_bot_api import FakeBotAPI
from tests.test_telegram_harness import TEST_OPTIONS, RunningBot, bot_threads

pytestmark = pytest.mark.timeout(60)

KERNEL = "# Kernel\n\nThe kernel manages memory, devices and processes.\n"
SHELL = "# Shell\n\nA shell reads a command line and runs it.\n"
ZEBRA = "# Zebra crossings\n\nA zebra crossing is a pedestrian crossing painted with white stripes.\n"
ZEBRA_QUESTION = "what is a zebra crossing?"


@pytest.fixture
def notes(tmp_path: Path) -> Path:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "kernel.md").write_text(KERNEL, encoding="utf-8")
    (folder / "shell.md").write_text(SHELL, encoding="utf-8")
    return folder


class Watched:
    """A LiveConversation kept current by a started Reloader; ``results`` collects what each rebuild did."""

    def __init__(self, notes: Path, cache: Path) -> None:
        self.results: list[ReloadResult] = []
        self.changed = threading.Condition()
        self.live = LiveConversation(Conversation(Retriever.from_directory(notes, cache_dir=cache)))
        self.reloader = Reloader(self.live, notes, cache_dir=cache, debounce_ms=100, poll_seconds=0.5,
                                 on_reload=self._note)

    def _note(self, result: ReloadResult) -> None:
        with self.changed:
            self.results.append(result)
            self.changed.notify_all()

    def wait(self, count: int, timeout: float = 10.0) -> ReloadResult:
        """The ``count``-th rebuild's result, once it has happened."""
        with self.changed:
            assert self.changed.wait_for(lambda: len(self.results) >= count, timeout), (
                f"waited {timeout}s for rebuild {count}; got {self.results}"
            )
            return self.results[count - 1]

    def title(self, question: str) -> str | None:
        reply, _ = self.live.current.respond(question)
        return reply.title if reply.kind is ReplyKind.ANSWER else None


@pytest.fixture
def watched(notes: Path, tmp_path: Path) -> Iterator[Watched]:
    watched = Watched(notes, tmp_path / "cache" / "index")
    watched.reloader.start()
    yield watched
    watched.reloader.stop()
    assert not any(t.name == "notes-qa-reload" for t in threading.enumerate())


def test_added_changed_and_removed_notes_are_swapped_in(watched: Watched, notes: Path, tmp_path: Path) -> None:
    assert watched.title(ZEBRA_QUESTION) is None
    (notes / "zebra.md").write_text(ZEBRA, encoding="utf-8")
    assert watched.wait(1).swapped
    assert watched.title(ZEBRA_QUESTION) == "Zebra crossings"
    assert watched.live.generation == 1

    (notes / "shell.md").write_text(SHELL.replace("Shell", "Terminal shell").replace("command line", "prompt"),
                                    encoding="utf-8")
    assert watched.wait(2).swapped
    assert watched.title("what reads a prompt?") == "Terminal shell"

    (notes / "zebra.md").unlink()
    assert watched.wait(3).swapped
    assert watched.title(ZEBRA_QUESTION) is None
    assert watched.title("what does the kernel manage?") == "Kernel"
    # The saved index was kept up to date: loading it now needs no rebuild and gives the same notes.
    saved = Retriever.load(tmp_path / "cache" / "index")
    assert saved.fingerprint == watched.live.current.retriever.fingerprint


def test_a_note_that_breaks_keeps_the_last_good_index_until_fixed(
    watched: Watched, notes: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="bot.reload")
    (notes / "kernel.md").write_bytes(b"\x00\x01\x02 not text any more")
    kept = watched.wait(1)
    assert (kept.outcome, kept.message) == (
        "kept", "Kept the last good index: kernel.md: binary file (contains NUL bytes)"
    )
    assert watched.title("what does the kernel manage?") == "Kernel"  # still answered from the last good index
    assert [r.getMessage() for r in caplog.records if r.name == "bot.reload"] == [
        "keeping the last good index (changed: kernel.md): kernel.md: binary file (contains NUL bytes)"
    ]
    time.sleep(1.2)  # two polls: the same broken folder is not rebuilt (nor logged) again
    assert len(watched.results) == 1
    (notes / "kernel.md").write_text(KERNEL.replace("memory", "memory and time"), encoding="utf-8")
    assert watched.wait(2).swapped
    assert watched.title("what does the kernel manage?") == "Kernel"


def test_a_rebuild_that_raises_keeps_the_last_good_index(
    watched: Watched, notes: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Retriever:
        raise MemoryError("no memory for the index")

    monkeypatch.setattr(Retriever, "from_directory", broken)
    (notes / "zebra.md").write_text(ZEBRA, encoding="utf-8")
    kept = watched.wait(1)
    assert kept.outcome == "kept"
    assert kept.message == "Kept the last good index: rebuilding failed (MemoryError: no memory for the index)"
    assert watched.title("what does the kernel manage?") == "Kernel"
    [error] = [r for r in caplog.records if r.name == "bot.reload"]
    assert error.levelno == logging.ERROR and error.exc_info is not None  # logged with its traceback


def test_a_folder_left_without_notes_keeps_the_last_good_index(watched: Watched, notes: Path) -> None:
    for note in notes.iterdir():
        note.unlink()
    kept = watched.wait(1)
    assert kept.outcome == "kept" and kept.message.startswith("Kept the last good index: no notes found in ")
    assert watched.title("what does the kernel manage?") == "Kernel"


def test_a_forced_reload_rebuilds_even_when_nothing_seems_changed(notes: Path, tmp_path: Path) -> None:
    watched = Watched(notes, tmp_path / "cache" / "index")  # not started: no watcher
    assert watched.reloader.reload().outcome == "unchanged"
    forced = watched.reloader.reload(force=True)
    assert forced.swapped and forced.message.startswith("Reloaded the notes: 2 topics from 2 files in ")
    assert watched.live.generation == 1
    assert watched.results == [forced]  # "unchanged" is not reported


def test_questions_are_answered_from_the_old_index_while_the_new_one_is_built(
    notes: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = threading.Event()
    building = threading.Event()
    build = Retriever.from_directory

    def slow(path: Any, **kwargs: Any) -> Retriever:
        building.set()
        assert gate.wait(10)
        return build(path, **kwargs)

    watched = Watched(notes, tmp_path / "cache" / "index")
    monkeypatch.setattr(Retriever, "from_directory", slow)
    watched.reloader.start()
    try:
        (notes / "zebra.md").write_text(ZEBRA, encoding="utf-8")
        assert building.wait(10)
        for _ in range(20):  # the rebuild is under way: the old index answers, at once
            started = time.perf_counter()
            assert watched.title("what does the kernel manage?") == "Kernel"
            assert watched.title(ZEBRA_QUESTION) is None
            assert time.perf_counter() - started < 0.5
        gate.set()
        assert watched.wait(1).swapped
        assert watched.title(ZEBRA_QUESTION) == "Zebra crossings"
    finally:
        gate.set()
        watched.reloader.stop()


# The bot ------------------------------------------------------------------------------------------------------



def live_bot(fake: FakeBotAPI, tmp_path: Path, watched: Watched, **settings: Any) -> RunningBot:
    bot = RunningBot(fake, tmp_path / "state.sqlite3", conversation=watched.live.current, **settings)
    bot.application = build_application(
        bot.settings, watched.live, bot.store, options=TEST_OPTIONS,
        flood=FloodControl(overall_per_second=None, group_per_minute=None), reloader=watched.reloader,
    )
    return bot


def texts(fake: FakeBotAPI, chat: int) -> list[str]:
    return [str(r.result["text"]) for r in fake.requests("sendMessage") if r.ok and r.params["chat_id"] == chat]


def test_the_bot_answers_every_question_while_the_notes_are_reloaded(
    fake: FakeBotAPI, tmp_path: Path, notes: Path, watched: Watched
) -> None:
    asked = 0
    stop = threading.Event()
    errors: list[BaseException] = []

    with live_bot(fake, tmp_path, watched) as bot:

        def ask_all_the_time() -> None:
            nonlocal asked
            try:
                while not stop.is_set() and asked < 200:
                    chat = 100 + asked % 5
                    [reply] = bot.ask(chat, "what does the kernel manage?", timeout=10)
                    assert "Kernel" in reply.result["text"]
                    asked += 1
            except BaseException as error:  # reported below
                errors.append(error)

        asker = threading.Thread(target=ask_all_the_time)
        asker.start()
        try:
            time.sleep(0.3)
            (notes / "zebra.md").write_text(ZEBRA, encoding="utf-8")
            assert watched.wait(1).swapped
            time.sleep(0.3)
        finally:
            stop.set()
            asker.join(30)
        [zebra] = bot.ask(7, ZEBRA_QUESTION)
    assert errors == []
    assert asked >= 5
    assert "Zebra crossings" in zebra.result["text"]
    assert not any(APOLOGY in text for chat in range(100, 105) for text in texts(fake, chat))
    assert bot_threads() == []


def test_reload_is_for_admins(fake: FakeBotAPI, tmp_path: Path, notes: Path) -> None:
    watched = Watched(notes, tmp_path / "cache" / "index")  # no watcher: only /reload changes the index
    with live_bot(fake, tmp_path, watched, telegram_admin_users="7") as bot:
        (notes / "zebra.md").write_text(ZEBRA, encoding="utf-8")
        [refused] = bot.ask(8, "/reload")
        assert refused.result["text"].startswith("I don't know the command /reload.")
        [not_yet] = bot.ask(7, ZEBRA_QUESTION)
        assert "Zebra crossings" not in not_yet.result["text"]
        [done] = bot.ask(7, "/reload")
        assert done.result["text"].startswith("Reloaded the notes: 3 topics from 3 files in ")
        [found] = bot.ask(8, ZEBRA_QUESTION)
        assert "Zebra crossings" in found.result["text"]
    assert watched.live.generation == 1


# The REPL -----------------------------------------------------------------------------------------------------


def test_the_repl_picks_up_an_edited_note_between_two_questions(notes: Path, tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path / "home"), "PYTHONPATH": str(ROOT),
           "XDG_STATE_HOME": str(tmp_path / "state"), "XDG_CACHE_HOME": str(tmp_path / "cache-home")}
    child = subprocess.Popen(
        [sys.executable, "-m", "bot.repl", "--notes", str(notes), "--json"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path,
    )
    assert child.stdin is not None and child.stdout is not None and child.stderr is not None

    def ask(question: str) -> dict[str, Any]:
        assert child.stdin is not None and child.stdout is not None
        child.stdin.write(question + "\n")
        child.stdin.flush()
        return dict(json.loads(child.stdout.readline()))

    try:
        assert ask(ZEBRA_QUESTION)["kind"] != "answer"
        (notes / "zebra.md").write_text(ZEBRA, encoding="utf-8")
        found = until(lambda: ask(ZEBRA_QUESTION), lambda reply: reply["kind"] == "answer")
        assert found["title"] == "Zebra crossings"
        child.stdin.close()
        assert child.wait(20) == 0
        assert child.stderr.read() == ""
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(10)
        for stream in (child.stdin, child.stdout, child.stderr):
            if not stream.closed:
                stream.close()


def until(ask: Callable[[], dict[str, Any]], done: Callable[[dict[str, Any]], bool], timeout: float = 15.0
          ) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        reply = ask()
        if done(reply) or time.monotonic() > deadline:
            return reply
        time.sleep(0.1)
