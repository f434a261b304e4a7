"""FakeBotAPI: a Telegram Bot API server on 127.0.0.1 for tests.

The real python-telegram-bot talks to it over real HTTP::

    with FakeBotAPI() as server:
        app = ApplicationBuilder().token(server.token).base_url(server.base_url).build()
        server.send_text(42, "/start")
        ...  # run the bot
        server.wait_for("sendMessage")
        assert server.sent_messages(42)[0]["text"] == "Hello!"
        assert server.spec_violations == []

Threads: the HTTP server runs ``serve_forever`` in one background thread
and each connection in a thread of its own; the test thread injects updates
and reads recordings; PTB's event loop is a client.  One lock (a Condition)
guards all state, so every public method may be called from any thread.
Long polls and stalls wait on that Condition or on an Event, which close()
sets, so shutdown is prompt; close() then cuts idle keep-alive connections
and joins every thread it started.
"""

from __future__ import annotations

import contextlib
import copy
import http.client
import ipaddress
import json
import logging
import re
import socket
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from . import updates as build
from .faults import Fault, FaultPlan, error_description
from .methods import (
    HANDLERS,
    IMPLEMENTED_METHODS,
    ApiError,
    Options,
    getupdates_request,
)
from .recording import RecordedRequest, format_requests
from .spec import DEFAULT_SPEC_PATH, ApiSpec, decode_params, load_spec
from .state import BotState
from .wire import WireError, encode_json, parse_request_params

__all__ = ["DEFAULT_TOKEN", "FakeBotAPI"]

logger = logging.getLogger(__name__)

#: A token of Telegram's shape; the bot id is the part before the colon.
DEFAULT_TOKEN = "123456789:TEST-fake-token-for-notes-qa"

_PATH_RE = re.compile(r"/bot([^/]*)/([A-Za-z0-9_]+)/?")
_CONFLICT_OTHER_POLL = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
)
_CLOSE_TIMEOUT = 5.0


@dataclass
class _Reply:
    status: int | None
    body: dict[str, Any] | None
    delay: float = 0.0
    drop: bool = False


def _error(status: int, description: str, parameters: dict[str, Any] | None = None) -> _Reply:
    return _Reply(status, ApiError(status, description, parameters).body())


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as httpx expects
    disable_nagle_algorithm = True  # headers and body go out at once, not 40 ms apart (delayed ACK)
    server: _HTTPServer

    def do_POST(self) -> None:
        self.server.api._serve(self)

    do_GET = do_POST

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("fake Bot API: " + format, *args)


class _HTTPServer(ThreadingHTTPServer):
    """Tracks its connection threads and sockets so that close() can end them."""

    daemon_threads = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], api: FakeBotAPI) -> None:
        self.api = api
        self._connections_lock = threading.Lock()
        self.connections: dict[threading.Thread, socket.socket] = {}
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(
            target=self._serve_connection,
            args=(request, client_address),
            name=f"fake-bot-api-{self.server_address[1]}-connection",
            daemon=True,
        )
        with self._connections_lock:
            self.connections[thread] = request
        thread.start()

    def _serve_connection(self, request: socket.socket, client_address: Any) -> None:
        try:
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)
            with self._connections_lock:
                self.connections.pop(threading.current_thread(), None)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], OSError):
            return  # the client went away, or close() cut the connection
        logger.exception("fake Bot API: error while serving %s", client_address)

    def cut_connections(self) -> list[threading.Thread]:
        """Shut down every open connection; return the threads serving them."""
        with self._connections_lock:
            connections = list(self.connections.items())
        for _, sock in connections:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        return [thread for thread, _ in connections]


class FakeBotAPI:
    """A fake Telegram Bot API server, started on construction; close() stops it.

    Keyword arguments:
        token: the only token accepted; others get 401 Unauthorized.
        bot_username, bot_first_name: what getMe returns (the bot id is the
            number before the colon in ``token``).
        first_update_id: update_id of the first injected update.
        spec_path: api.json to check requests against; when it is None or the
            file does not exist the check is skipped and ``spec_checked`` is False.
        strict_html: reject bare ``&``/``>`` and unknown entities in HTML
            (stricter than Telegram; see html_check).
    """

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        bot_username: str = "notes_qa_bot",
        bot_first_name: str = "Notes QA",
        first_update_id: int = 1,
        spec_path: Path | None = DEFAULT_SPEC_PATH,
        strict_html: bool = True,
    ) -> None:
        bot_id_text = token.split(":", 1)[0]
        if not bot_id_text.isdigit():
            raise ValueError(f"token must look like '<bot id>:<secret>', got {token!r}")
        self._token = token
        self._spec: ApiSpec | None = load_spec(spec_path)
        self._options = Options(strict_html=strict_html)
        self._state = BotState(
            bot_user={
                "id": int(bot_id_text),
                "is_bot": True,
                "first_name": bot_first_name,
                "username": bot_username,
                "can_join_groups": True,
                "can_read_all_group_messages": False,
                "supports_inline_queries": True,
            },
            next_update_id=first_update_id,
        )
        self._cond = threading.Condition(threading.RLock())
        self._closing = threading.Event()
        self._closed = False
        self._records: list[RecordedRequest] = []
        self._violations: list[str] = []
        self._internal_errors: list[str] = []
        self._faults = FaultPlan()
        self._latency = 0.0
        self._in_flight = 0
        self._poll_generation = 0
        self._httpd = _HTTPServer(("127.0.0.1", 0), self)
        self._port = int(self._httpd.server_address[1])
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"fake-bot-api-{self._port}",
            daemon=True,
        )
        self._thread.start()

    # -- lifecycle ---------------------------------------------------------------
    def __enter__(self) -> FakeBotAPI:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stop serving: end long polls and stalls, close every connection, join every thread.

        Raises RuntimeError if a thread of the server is still alive after
        a few seconds (a bug worth hearing about rather than a silent leak).
        """
        with self._cond:
            if self._closed:
                return
            self._closed = True
            self._closing.set()
            self._cond.notify_all()
        deadline = time.monotonic() + _CLOSE_TIMEOUT
        self._httpd.shutdown()
        self._thread.join(timeout=_CLOSE_TIMEOUT)
        with self._cond:  # let answers already being written finish
            self._cond.wait_for(lambda: self._in_flight == 0, timeout=_CLOSE_TIMEOUT)
        threads = self._httpd.cut_connections()
        for thread in threads:
            thread.join(timeout=max(deadline - time.monotonic(), 0.1))
        self._httpd.server_close()
        alive = [t.name for t in [self._thread, *threads] if t.is_alive()]
        if alive:
            raise RuntimeError(f"FakeBotAPI.close(): threads still running: {alive}")

    def __repr__(self) -> str:
        state = "closed" if self._closed else "running"
        return f"<FakeBotAPI {self.base_url} {state}>"

    # -- addresses and identity ----------------------------------------------------------
    @property
    def port(self) -> int:
        return self._port

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url(...)`` / ``Bot(base_url=...)``."""
        return f"http://127.0.0.1:{self._port}/bot"

    @property
    def token(self) -> str:
        return self._token

    @property
    def bot_user(self) -> dict[str, Any]:
        with self._cond:
            return copy.deepcopy(self._state.bot_user)

    @property
    def bot_username(self) -> str:
        return str(self._state.bot_user["username"])

    # -- spec ------------------------------------------------------------------------
    @property
    def spec_checked(self) -> bool:
        """True when requests are checked against api.json (the file was found)."""
        return self._spec is not None

    @property
    def spec_version(self) -> str | None:
        return self._spec.version if self._spec else None

    @property
    def spec_violations(self) -> list[str]:
        """Every spec violation seen so far, e.g. ``sendMessage: unknown parameter "foo"``."""
        with self._cond:
            return list(self._violations)

    @property
    def internal_errors(self) -> list[str]:
        """Tracebacks of bugs in the fake itself (answered as 500)."""
        with self._cond:
            return list(self._internal_errors)

    def assert_no_spec_violations(self) -> None:
        violations = self.spec_violations
        assert not violations, "requests that break the Bot API spec:\n" + "\n".join(violations)

    # -- injecting updates ---------------------------------------------------------------
    def _enqueue(self, make: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        with self._cond:
            update = make()
            self._state.pending_updates.append(update)
            self._cond.notify_all()
            return copy.deepcopy(update)

    def send_text(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        chat_type: str = "private",
        username: str | None = None,
        first_name: str = "Test",
        title: str | None = None,
        reply_to_message_id: int | None = None,
        entities: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """Queue a text message from a user; returns the update.

        In a private chat the user id defaults to ``chat_id``; in groups
        (negative ids, ``chat_type="group"``/``"supergroup"``, with ``title``)
        to DEFAULT_GROUP_USER_ID.  ``username`` defaults to ``user<id>``.
        Entities default to what Telegram would mark: a leading
        ``/command`` and ``@mentions``; pass ``entities=[]`` for none.
        """
        return self._enqueue(
            lambda: build.text_message_update(
                self._state,
                chat_id,
                text,
                user_id=user_id,
                chat_type=chat_type,
                username=username,
                first_name=first_name,
                title=title,
                reply_to_message_id=reply_to_message_id,
                entities=entities,
            )
        )

    def press_button(
        self,
        chat_id: int,
        message_id: int,
        data: str,
        *,
        user_id: int | None = None,
        require_button: bool = True,
    ) -> dict[str, Any]:
        """Queue a callback_query for an inline button of a message the bot sent."""
        return self._enqueue(
            lambda: build.callback_query_update(
                self._state,
                chat_id,
                message_id,
                data,
                user_id=user_id,
                require_button=require_button,
            )
        )

    def inline_query(self, user_id: int, query: str, offset: str = "") -> dict[str, Any]:
        """Queue an inline_query (``@bot query`` typed by ``user_id``)."""
        return self._enqueue(lambda: build.inline_query_update(self._state, user_id, query, offset))

    def send_sticker(
        self,
        chat_id: int,
        *,
        emoji: str = "👍",
        user_id: int | None = None,
        chat_type: str = "private",
        title: str | None = None,
    ) -> dict[str, Any]:
        """Queue a message carrying a sticker."""
        sticker = {
            "file_id": "sticker-file-id",
            "file_unique_id": "sticker-unique",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
        }
        return self._enqueue(
            lambda: build.media_message_update(
                self._state,
                chat_id,
                "sticker",
                sticker,
                user_id=user_id,
                chat_type=chat_type,
                title=title,
            )
        )

    def send_photo(
        self,
        chat_id: int,
        *,
        caption: str | None = None,
        user_id: int | None = None,
        chat_type: str = "private",
        title: str | None = None,
    ) -> dict[str, Any]:
        """Queue a message carrying a photo (two sizes), with an optional caption."""
        photo = [
            {"file_id": "photo-small", "file_unique_id": "photo-s", "width": 90, "height": 60},
            {"file_id": "photo-large", "file_unique_id": "photo-l", "width": 1280, "height": 853},
        ]
        return self._enqueue(
            lambda: build.media_message_update(
                self._state,
                chat_id,
                "photo",
                photo,
                caption=caption,
                user_id=user_id,
                chat_type=chat_type,
                title=title,
            )
        )

    def send_voice(
        self,
        chat_id: int,
        *,
        duration: int = 3,
        user_id: int | None = None,
        chat_type: str = "private",
        title: str | None = None,
    ) -> dict[str, Any]:
        """Queue a message carrying a voice note."""
        voice = {
            "file_id": "voice-file-id",
            "file_unique_id": "voice-unique",
            "duration": duration,
            "mime_type": "audio/ogg",
        }
        return self._enqueue(
            lambda: build.media_message_update(
                self._state,
                chat_id,
                "voice",
                voice,
                user_id=user_id,
                chat_type=chat_type,
                title=title,
            )
        )

    def edit_text(self, chat_id: int, message_id: int, new_text: str) -> dict[str, Any]:
        """Queue an edited_message: the user changed the text of their message."""
        return self._enqueue(lambda: build.edited_text_update(self._state, chat_id, message_id, new_text))

    def raw_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue any update dict (channel_post, no ``from``, unknown fields...).

        It gets the next update_id unless it carries one; chats in it become known.
        """
        return self._enqueue(lambda: build.raw_update(self._state, update))

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates queued and not yet confirmed by a getUpdates offset."""
        with self._cond:
            return copy.deepcopy(self._state.pending_updates)

    @property
    def confirmed_offset(self) -> int:
        """Every update with a lower update_id has been confirmed (0: none yet)."""
        with self._cond:
            return self._state.confirmed_offset

    @property
    def allowed_updates(self) -> list[str] | None:
        """The last allowed_updates the bot set (None: Telegram's default)."""
        with self._cond:
            return copy.deepcopy(self._state.allowed_updates)

    # -- what the bot did -----------------------------------------------------------------
    def requests(self, method: str | None = None) -> list[RecordedRequest]:
        """Every request so far (or every request to ``method``), in arrival order."""
        with self._cond:
            return [r for r in self._records if method is None or r.method == method]

    def sent_messages(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        """Messages returned by successful sendMessage/editMessageText calls, in order."""
        with self._cond:
            return [copy.deepcopy(m) for m in self._state.sent if chat_id is None or m["chat"]["id"] == chat_id]

    def chat_history(self, chat_id: int) -> list[dict[str, Any]]:
        """Current state of every message in a chat (users' and bot's), by message_id."""
        with self._cond:
            messages = self._state.messages.get(chat_id, {})
            return [copy.deepcopy(messages[k]) for k in sorted(messages)]

    def wait_for(
        self,
        predicate_or_method: str | Callable[[RecordedRequest], bool],
        *,
        count: int = 1,
        timeout: float = 5.0,
    ) -> list[RecordedRequest]:
        """Block until ``count`` requests match; return all matching requests.

        A string matches the method name (whatever the outcome: a long poll
        still waiting counts); a callable receives each RecordedRequest.
        Raises AssertionError with a dump of the traffic on timeout.
        """
        predicate: Callable[[RecordedRequest], bool]
        if isinstance(predicate_or_method, str):
            wanted = predicate_or_method
            predicate = lambda record: record.method == wanted  # noqa: E731
            label = f"method {wanted!r}"
        else:
            predicate = predicate_or_method
            label = getattr(predicate, "__name__", repr(predicate))

        with self._cond:

            def matching() -> list[RecordedRequest]:
                return [r for r in self._records if predicate(r)]

            if not self._cond.wait_for(lambda: len(matching()) >= count, timeout=timeout):
                found = matching()
                raise AssertionError(
                    f"waited {timeout}s for {count} request(s) matching {label}, "
                    f"got {len(found)}.\nTraffic:\n{format_requests(self._records)}"
                    + (f"\nSpec violations: {self._violations}" if self._violations else "")
                    + (f"\nFake server errors: {self._internal_errors}" if self._internal_errors else "")
                )
            return matching()

    # -- webhooks -----------------------------------------------------------------------
    @property
    def webhook_url(self) -> str:
        """The URL setWebhook registered ("" when none)."""
        with self._cond:
            return self._state.webhook.url

    @property
    def webhook_secret_token(self) -> str | None:
        with self._cond:
            return self._state.webhook.secret_token

    def deliver_webhook(
        self,
        url: str,
        update: dict[str, Any],
        *,
        secret_token: str | None = None,
        timeout: float = 5.0,
    ) -> int:
        """POST ``update`` to the bot's webhook at ``url`` as Telegram does; return the status.

        ``secret_token=None`` sends the one setWebhook registered (if any) in
        X-Telegram-Bot-Api-Secret-Token; pass a string to send that instead,
        or ``""`` to send no header.  ``url`` must point at this machine
        (the real webhook URL is https and public; tests listen locally).
        A 2xx answer removes the update from the pending queue.
        """
        parts = urlsplit(url)
        host = parts.hostname or ""
        if parts.scheme != "http" or not _is_loopback(host):
            raise ValueError(f"deliver_webhook only posts to http://127.0.0.1/..., got {url!r}")
        if secret_token is None:
            secret_token = self.webhook_secret_token
        headers = {"Content-Type": "application/json"}
        if secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret_token
        connection = http.client.HTTPConnection(host, parts.port or 80, timeout=timeout)
        try:
            path = parts.path or "/"
            if parts.query:
                path += "?" + parts.query
            connection.request("POST", path, body=json.dumps(update).encode("utf-8"), headers=headers)
            response = connection.getresponse()
            response.read()
            status = response.status
        finally:
            connection.close()
        if 200 <= status < 300:
            with self._cond:
                self._state.pending_updates = [
                    u for u in self._state.pending_updates if u["update_id"] != update.get("update_id")
                ]
        return status

    # -- fault injection --------------------------------------------------------------------
    def fail_next(
        self,
        method: str | None,
        status: int = 429,
        retry_after: int = 1,
        count: int = 1,
        *,
        description: str | None = None,
    ) -> None:
        """Answer the next ``count`` calls of ``method`` (None: any method) with an error.

        429 carries ``parameters.retry_after`` (PTB raises RetryAfter); 500
        and 502 are "Internal Server Error"/"Bad Gateway" (PTB: NetworkError);
        ``description`` overrides the text, e.g. status=403 with
        "Forbidden: bot was blocked by the user".
        """
        self._add_fault(
            Fault(
                "fail",
                method,
                count,
                status=status,
                description=description or error_description(status, retry_after),
                retry_after=retry_after if status == 429 else None,
            )
        )

    def drop_next(self, method: str | None, count: int = 1) -> None:
        """Close the connection without answering the next ``count`` calls (not processed)."""
        self._add_fault(Fault("drop", method, count))

    def stall_next(self, method: str | None, seconds: float, count: int = 1) -> None:
        """Process the next ``count`` calls at once but answer ``seconds`` late."""
        self._add_fault(Fault("stall", method, count, seconds=seconds))

    def set_latency(self, seconds: float) -> None:
        """Delay every answer by ``seconds`` (0 to stop)."""
        if seconds < 0:
            raise ValueError(f"latency must be >= 0 seconds, got {seconds}")
        with self._cond:
            self._latency = seconds

    def clear_faults(self) -> None:
        with self._cond:
            self._faults.clear()
            self._latency = 0.0

    def _add_fault(self, fault: Fault) -> None:
        with self._cond:
            self._faults.add(fault)

    # -- serving -----------------------------------------------------------------------
    def _canonical_method(self, name: str) -> str:
        for known in IMPLEMENTED_METHODS:
            if known.lower() == name.lower():
                return known
        if self._spec is not None:
            return self._spec.canonical_method(name) or name
        return name

    def _serve(self, handler: _Handler) -> None:
        """Answer one HTTP request (runs in the connection's thread)."""
        with self._cond:
            self._in_flight += 1
        try:
            path, _, query = handler.path.partition("?")
            length = int(handler.headers.get("Content-Length") or 0)
            body = handler.rfile.read(length) if length > 0 else b""
            if len(body) < length:
                # The client went away mid-request (a bot killed while sending): like a real server, answer
                # nothing and never act on the half that arrived.
                handler.close_connection = True
                return
            reply = self._process(path, query, handler.headers.get("Content-Type"), body)
            if reply.delay > 0:
                self._closing.wait(reply.delay)
            if reply.drop or reply.status is None or reply.body is None:
                handler.close_connection = True
                return
            payload = encode_json(reply.body)
            handler.send_response(reply.status)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(payload)))
            if self._closing.is_set():
                handler.send_header("Connection", "close")
                handler.close_connection = True
            handler.end_headers()
            handler.wfile.write(payload)
            handler.wfile.flush()
        finally:
            with self._cond:
                self._in_flight -= 1
                self._cond.notify_all()

    def _process(self, path: str, query: str, content_type: str | None, body: bytes) -> _Reply:
        match = _PATH_RE.fullmatch(path)
        method = self._canonical_method(match.group(2)) if match else path
        wire_error: WireError | None = None
        try:
            raw = parse_request_params(content_type, body, query)
        except WireError as error:
            raw, wire_error = {}, error
        declared = self._spec.param_types(method) if self._spec else {}
        params = decode_params(raw, declared)
        with self._cond:
            record = RecordedRequest(len(self._records), method, params, time.monotonic())
            self._records.append(record)
            self._cond.notify_all()
            token = match.group(1) if match else None
            reply = self._answer(token, method, params, wire_error)
            self._records[record.seq] = replace(
                record,
                status=None if reply.drop else reply.status,
                response=reply.body,
                dropped=reply.drop,
            )
            reply.delay += self._latency
            self._cond.notify_all()
            return reply

    def _answer(self, token: str | None, method: str, params: dict[str, Any], wire_error: WireError | None) -> _Reply:
        """Decide the answer; called with the lock held (long polls wait on it).

        ``token`` is None when the path is not ``/bot<token>/<method>``.
        """
        if token is None:
            return _error(404, "Not Found")
        if token != self._token:
            return _error(401, "Unauthorized")
        delay = 0.0
        fault = self._faults.take(method)
        if fault is not None:
            if fault.kind == "fail":
                parameters = {"retry_after": fault.retry_after} if fault.retry_after else None
                return _error(fault.status, fault.description, parameters)
            if fault.kind == "drop":
                return _Reply(None, None, drop=True)
            delay = fault.seconds
        if wire_error is not None:
            return _error(400, f"Bad Request: {wire_error}")
        if method not in IMPLEMENTED_METHODS:
            return _error(404, "Not Found")
        if self._spec is not None:
            problems = self._spec.check_request(method, params)
            if problems:
                self._violations.extend(problems)
                return _error(400, "Bad Request: " + "; ".join(problems))
        try:
            if method == "getUpdates":
                result: Any = self._get_updates(params)
            else:
                result = HANDLERS[method](self._state, params, self._options)
        except ApiError as error:
            return _Reply(error.status, error.body(), delay)
        except Exception as exc:  # a bug in the fake: make it loud
            self._internal_errors.append(traceback.format_exc())
            logger.exception("fake Bot API: %s failed", method)
            return _error(500, f"Internal Server Error: fake Bot API bug: {exc!r}")
        return _Reply(200, {"ok": True, "result": result}, delay)

    def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        request = getupdates_request(self._state, params)
        self._poll_generation += 1
        generation = self._poll_generation
        self._cond.notify_all()  # an older long poll ends with 409 Conflict
        deadline = time.monotonic() + request.timeout
        while True:
            found = self._state.take_updates(request.offset, request.limit)
            if found or self._closing.is_set():
                return found
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return []
            self._cond.wait(remaining)
            if self._poll_generation != generation:
                raise ApiError(409, _CONFLICT_OTHER_POLL)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
