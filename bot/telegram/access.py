"""Who may use the bot, and how fast: an allow-list of numeric user ids and a per-user rate limit.

User ids, not usernames, because a username can be changed or taken over by someone else. An empty
allow-list lets everyone in.

The rate limit is a sliding window: a user may make ``limit`` requests in any ``period`` seconds (by default
20 a minute). The first request over the limit is told to slow down and how long to wait; the ones after
it, until the window frees a place, are dropped silently, so a flood gets one warning and not one reply per
message. Each kind of request (messages and buttons; inline queries, which clients send while the user
types) has its own ``RateLimiter``.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum


@dataclass(frozen=True, slots=True)
class AllowList:
    """Numeric Telegram user ids allowed to use the bot; empty means everyone."""

    user_ids: frozenset[int] = frozenset()

    @classmethod
    def of(cls, user_ids: Iterable[int]) -> AllowList:
        return cls(frozenset(user_ids))

    @property
    def restricted(self) -> bool:
        return bool(self.user_ids)

    def allows(self, user_id: int | None) -> bool:
        """Whether this user may use the bot (an update without a user is allowed only when unrestricted)."""
        if not self.user_ids:
            return True
        return user_id is not None and user_id in self.user_ids


class Verdict(Enum):
    ALLOW = "allow"
    WARN = "warn"
    """Over the limit for the first time in this window: tell the user to slow down."""
    DROP = "drop"
    """Over the limit again: say nothing."""


@dataclass(frozen=True, slots=True)
class Decision:
    verdict: Verdict
    retry_in: float = 0.0
    """Seconds until the window has room again (0 when allowed)."""

    @property
    def allowed(self) -> bool:
        return self.verdict is Verdict.ALLOW

    @property
    def retry_seconds(self) -> int:
        """``retry_in`` rounded up to whole seconds, at least 1: what to tell a person."""
        return max(1, math.ceil(self.retry_in))


class RateLimiter:
    """At most ``limit`` requests per user in any ``period`` seconds; ``clock`` is injectable for tests."""

    def __init__(self, limit: int, period: float = 60.0, *, clock: Callable[[], float] = time.monotonic) -> None:
        if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
            raise ValueError(f"limit must be a whole number of requests of at least 1, got {limit!r}")
        if period <= 0:
            raise ValueError(f"period must be a positive number of seconds, got {period!r}")
        self._limit = limit
        self._period = period
        self._clock = clock
        self._seen: dict[int, deque[float]] = {}
        self._warned: dict[int, float] = {}

    @property
    def limit(self) -> int:
        return self._limit

    def check(self, user_id: int) -> Decision:
        """Count a request from ``user_id`` (when allowed) and say whether to serve it."""
        now = self._clock()
        times = self._seen.setdefault(user_id, deque())
        while times and times[0] <= now - self._period:
            times.popleft()
        if len(times) < self._limit:
            times.append(now)
            self._warned.pop(user_id, None)
            self._forget_idle(now)
            return Decision(Verdict.ALLOW)
        retry_in = times[0] + self._period - now
        if user_id in self._warned:
            return Decision(Verdict.DROP, retry_in)
        self._warned[user_id] = now
        return Decision(Verdict.WARN, retry_in)

    def _forget_idle(self, now: float) -> None:
        """Drop users whose every request is outside the window, so memory stays bounded by active users."""
        if len(self._seen) < 1024:
            return
        for user_id in [u for u, t in self._seen.items() if not t or t[-1] <= now - self._period]:
            del self._seen[user_id]
