"""Knowing when a request has left: an httpx transport that says when the last byte of a request is written.

The line between "a crash means the request never arrived: send it again" and "it arrived, or may have: do
not" is the moment the whole request is in the kernel's hands: from then on the kernel delivers it even if
the process is killed (it closes the socket after the data), before then the server gets a truncated request
and drops it. ``NotifyingTransport`` wraps httpx's own transport and, for a request sent while ``ON_WRITTEN``
holds a callback, calls it at the last moment before the request's last bytes are written (see ``_Watched``).
``delivery.ExactlyOnceSends`` records the send as ``sending`` in that callback (docs/reliability.md).
"""

from __future__ import annotations

import contextvars
from collections.abc import AsyncIterator, Callable

import httpx
from telegram.request import HTTPXRequest

#: Called as the request sent in this context is completely written (None: nobody wants to know).
ON_WRITTEN: contextvars.ContextVar[Callable[[], None] | None] = contextvars.ContextVar(
    "notes_qa_on_written", default=None
)

POOL_SIZE = 256  # connections, python-telegram-bot's default for its non-getUpdates requests


class _Watched(httpx.AsyncByteStream):
    """A request body that calls ``written`` just before httpcore writes its last chunk.

    From that call to the bytes reaching the kernel nothing else runs: httpcore turns the chunk into an h11
    event and hands it to anyio, whose ``send`` writes to the socket before it first yields to the event loop.
    So a kill lands in between only within microseconds of plain Python; before the call, the server has at
    most a truncated request (dropped), after it, the whole request."""

    def __init__(self, stream: httpx.AsyncByteStream, written: Callable[[], None]) -> None:
        self._stream = stream
        self._written = written

    async def __aiter__(self) -> AsyncIterator[bytes]:
        previous: bytes | None = None
        async for chunk in self._stream:
            if previous is not None:
                yield previous
            previous = chunk
        self._written()
        if previous is not None:
            yield previous

    async def aclose(self) -> None:
        await self._stream.aclose()


class NotifyingTransport(httpx.AsyncBaseTransport):
    """httpx's HTTP/1.1 transport (``POOL_SIZE`` connections), calling ``ON_WRITTEN`` when a request has left."""

    def __init__(self) -> None:
        self._inner = httpx.AsyncHTTPTransport(limits=httpx.Limits(max_connections=POOL_SIZE), http1=True)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        written = ON_WRITTEN.get()
        if written is not None and isinstance(request.stream, httpx.AsyncByteStream):
            request.stream = _Watched(request.stream, written)
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


def notifying_request() -> HTTPXRequest:
    """python-telegram-bot's request object for the Bot API calls (not getUpdates), over ``NotifyingTransport``."""
    return HTTPXRequest(connection_pool_size=POOL_SIZE, httpx_kwargs={"transport": NotifyingTransport()})
