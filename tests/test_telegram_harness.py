"""The harness of the Telegram tests: the real bot application, running against the fake Bot API server.

``RunningBot`` runs ``bot.telegram.serve`` (the same code as ``python -m bot``) in an event loop of its own
thread, so a test body stays synchronous: it injects updates into the fake with ``FakeBotAPI.send_text``
and friends, and waits on the requests the fake records. ``stop()`` sets the stop event (as SIGTERM would)
and joins the thread; the updates already taken are answered first. The tests at the bottom pin down the
harness itself: it starts, stops, and leaves no thread behind.
"""

from __future__ import annotations

import asyncio
import functools
import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

import pytest

from bot import Conversation
from bot.telegram import BotOptions, Settings, StateStore, build_application, serve
from bot.telegram.flood import FloodControl
from index import Retriever
from tests.fake_bot_api import FakeBotAPI, RecordedRequest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
SHARED = Path(__file__).resolve().parents[2] / "shared"
SPEC_PATH = SHARED / "telegram" / "api.json"
START_TIMEOUT = 10.0

#: Options for tests: inline results never cached, "typing…" only for answers slower than a second.
TEST_OPTIONS = BotOptions(inline_cache_time=0, typing_after=1.0)


@functools.cache
def bundled_conversation() -> Conversation:
    """A conversation over the bundled notes, built once per test session (it holds no per-chat data)."""
    return Conversation(Retriever.from_directory(CORPUS))


def settings_for(server: FakeBotAPI, **values: Any) -> Settings:
    """Settings pointing at ``server``, from keyword values only (no environment file)."""
    fields = {"telegram_bot_token": server.token, "telegram_base_url": server.base_url, **values}
    return Settings(_env_file=None, **fields)  # type: ignore[call-arg]


class RunningBot:
    """The notes bot's Application polling (or serving a webhook for) a FakeBotAPI, in a thread."""

    def __init__(
        self,
        server: FakeBotAPI,
        db: Path,
        *,
        conversation: Conversation | None = None,
        options: BotOptions = TEST_OPTIONS,
        flood: FloodControl | None = None,
        poll_timeout: float = 5.0,
        **settings: Any,
    ) -> None:
        self.server = server
        self.settings = settings_for(server, **settings)
        self.store = StateStore(db)
        self.application = build_application(
            self.settings,
            conversation or bundled_conversation(),
            self.store,
            options=options,
            flood=flood or FloodControl(overall_per_second=None, group_per_minute=None),
        )
        self._poll_timeout = poll_timeout
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="notes-qa-bot-under-test", daemon=True)

    # life cycle ------------------------------------------------------------------------------------
    def _run(self) -> None:
        async def main() -> None:
            self._loop = asyncio.get_running_loop()
            self._stop = asyncio.Event()
            await serve(
                self.application,
                self.settings,
                stop=self._stop,
                stop_signals=(),
                started=self._ready.set,
                poll_timeout=self._poll_timeout,
            )

        try:
            asyncio.run(main())
        except BaseException as error:  # reported by start() or stop()
            self._error = error
        finally:
            self._ready.set()

    def start(self) -> RunningBot:
        self._thread.start()
        if not self._ready.wait(START_TIMEOUT):
            raise AssertionError("the bot did not start polling in time")
        if self._error is not None or not self._thread.is_alive():
            self.store.close()
            raise AssertionError(f"the bot failed to start: {self._error!r}") from self._error
        return self

    def stop(self) -> None:
        """Stop as SIGTERM does: the updates taken are answered, the offset confirmed, the thread ends."""
        if self._loop is not None and self._stop is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(START_TIMEOUT)
        self.store.close()
        assert not self._thread.is_alive(), "the bot's thread did not end"
        if self._error is not None:
            raise AssertionError(f"the bot stopped with an error: {self._error!r}") from self._error

    def __enter__(self) -> RunningBot:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # talking to it ----------------------------------------------------------------------------------
    def replies_to(self, chat_id: int, message_id: int, count: int = 1, timeout: float = 5.0) -> list[RecordedRequest]:
        """Wait for ``count`` delivered messages that reply to ``message_id`` in ``chat_id``."""
        return self.server.wait_for(replying_to(chat_id, message_id), count=count, timeout=timeout)

    def ask(
        self, chat_id: int, text: str, *, parts: int = 1, timeout: float = 5.0, **kwargs: Any
    ) -> list[RecordedRequest]:
        """Send ``text`` as a user in ``chat_id``; return the bot's ``parts`` delivered replies to it."""
        update = self.server.send_text(chat_id, text, **kwargs)
        return self.replies_to(chat_id, update["message"]["message_id"], parts, timeout)


def replying_to(chat_id: int, message_id: int) -> Callable[[RecordedRequest], bool]:
    def predicate(record: RecordedRequest) -> bool:
        reply = record.params.get("reply_parameters") or {}
        return (
            record.method == "sendMessage"
            and record.ok
            and record.params.get("chat_id") == chat_id
            and reply.get("message_id") == message_id
        )

    predicate.__name__ = f"sendMessage in chat {chat_id} replying to message {message_id}"
    return predicate


def bot_threads() -> list[str]:
    """Threads that a bot run may leave behind if it is not stopped properly."""
    return [t.name for t in threading.enumerate() if t.name.startswith(("notes-qa-bot", "asyncio_"))]


# The harness's own tests ---------------------------------------------------------------------------------


@pytest.mark.timeout(30)
def test_the_bot_starts_registers_its_commands_and_stops_cleanly(fake: FakeBotAPI, tmp_path: Path) -> None:
    with RunningBot(fake, tmp_path / "state.sqlite3") as bot:
        [reply] = bot.ask(42, "/help")
    methods = [r.method for r in fake.requests()]
    assert methods[:3] == ["getMe", "setMyCommands", "deleteWebhook"]
    assert [c["command"] for c in fake.requests("setMyCommands")[0].params["commands"]] == [
        "ask", "help", "topics", "more", "source", "reset",
    ]
    assert fake.allowed_updates == ["message", "edited_message", "callback_query", "inline_query"]
    assert "Ask a question about the notes" in reply.result["text"]
    assert fake.pending_updates == []
    assert fake.confirmed_offset == 2  # the offset past the only update was confirmed on the way out
    assert bot_threads() == []


@pytest.mark.timeout(30)
def test_stopping_answers_the_questions_already_taken(fake: FakeBotAPI, tmp_path: Path) -> None:
    bot = RunningBot(fake, tmp_path / "state.sqlite3").start()
    updates = [fake.send_text(chat, "what is a container?") for chat in range(1, 6)]
    fake.wait_for(lambda r: r.method == "getUpdates" and r.params.get("offset") == updates[-1]["update_id"] + 1)
    bot.stop()
    answered = {r.params["chat_id"] for r in fake.requests("sendMessage") if r.ok}
    assert answered == {1, 2, 3, 4, 5}
    assert fake.confirmed_offset == updates[-1]["update_id"] + 1
