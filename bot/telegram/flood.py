"""Respecting Telegram's flood limits: every Bot API call except getUpdates goes through ``FloodControl``.

Telegram answers a bot that sends too fast with 429 "Too Many Requests: retry after N". python-telegram-bot
raises ``RetryAfter`` for it and, left alone, the reply would be lost. ``FloodControl`` (a PTB
``BaseRateLimiter``, installed with ``ApplicationBuilder().rate_limiter(...)``):

- waits ``retry_after`` seconds and sends the same request again, up to ``max_retries`` times; while it
  waits, every other request waits too, because Telegram's flood control applies to the whole bot;
- sends again, after a short back-off, a request that failed with a bare ``NetworkError`` (a 5xx answer or
  a dropped connection), up to ``network_retries`` times. Not a ``TimedOut``: the request may have been
  carried out, and sending it again would duplicate the message. (A dropped connection can in rare cases
  also have been carried out; one duplicate is judged better than a lost answer.)
- paces requests before they are sent, to stay under Telegram's documented limits: about 30 messages a
  second overall and 20 a minute in one group (``overall_per_second``, ``group_per_minute``; None turns
  a limit off).
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import logging
import time
from collections import deque
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import NetworkError, RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)

JSON = bool | dict[str, Any] | list[dict[str, Any]]


def retry_after_seconds(error: RetryAfter) -> float:
    """``error.retry_after`` in seconds, whether PTB gives an int or a timedelta (``PTB_TIMEDELTA``)."""
    value = error.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


class _Window:
    """At most ``limit`` events in any ``period`` seconds; ``wait`` sleeps until one more fits."""

    def __init__(self, limit: int, period: float) -> None:
        self._limit = limit
        self._period = period
        self._times: deque[float] = deque()

    async def wait(self) -> None:
        while True:
            now = time.monotonic()
            while self._times and self._times[0] <= now - self._period:
                self._times.popleft()
            if len(self._times) < self._limit:
                self._times.append(now)
                return
            await asyncio.sleep(self._times[0] + self._period - now)


class FloodControl(BaseRateLimiter[int]):
    """Paces Bot API calls and retries them after a 429 or a 5xx (see the module docstring)."""

    def __init__(
        self,
        *,
        overall_per_second: int | None = 30,
        group_per_minute: int | None = 20,
        group_period: float = 60.0,
        max_retries: int = 3,
        network_retries: int = 2,
        backoff: float = 0.5,
    ) -> None:
        self._overall = _Window(overall_per_second, 1.0) if overall_per_second else None
        self._group_limit = group_per_minute
        self._group_period = group_period
        self._groups: dict[int | str, _Window] = {}
        self._max_retries = max_retries
        self._network_retries = network_retries
        self._backoff = backoff
        self._resume_at = 0.0

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        self._groups.clear()

    async def _pace(self, data: dict[str, Any]) -> None:
        pause = self._resume_at - time.monotonic()
        if pause > 0:  # another request hit a 429: wait out its retry_after (checked again after sleeping)
            await asyncio.sleep(pause)
            return await self._pace(data)
        chat_id = data.get("chat_id")
        if self._group_limit and isinstance(chat_id, (int, str)) and str(chat_id).startswith(("-", "@")):
            window = self._groups.get(chat_id)
            if window is None:
                window = self._groups[chat_id] = _Window(self._group_limit, self._group_period)
            await window.wait()
        if self._overall is not None:
            await self._overall.wait()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSON]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> JSON:
        flooded = failed = 0
        while True:
            await self._pace(data)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                flooded += 1
                if flooded > self._max_retries:
                    raise
                delay = retry_after_seconds(error)
                self._resume_at = max(self._resume_at, time.monotonic() + delay)
                log.warning("Telegram asked to slow down: retrying %s in %.1f s (attempt %d)", endpoint, delay, flooded)
            except NetworkError as error:
                if type(error) is not NetworkError or failed >= self._network_retries:
                    raise  # TimedOut, BadRequest, Forbidden...: sending again would not help or may duplicate
                failed += 1
                delay = self._backoff * 2 ** (failed - 1)
                log.warning("%s failed (%s): retrying in %.1f s (attempt %d)", endpoint, error, delay, failed)
                await asyncio.sleep(delay)
