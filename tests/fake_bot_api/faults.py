"""Scripted failures: what goes wrong with the next requests to a method.

A FaultPlan is a queue of Fault entries.  Each request consumes the first
entry that matches its method (``method=None`` matches every method), so
``fail_next("sendMessage", count=2)`` fails the next two sendMessage calls and
leaves everything else alone.  Faulted requests are *not* processed (a failed
sendMessage sends nothing), except stalls: a stalled request is processed
at once and only its answer is late, which is how a bot ends up sending a
message twice after a client-side timeout.
"""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus
from typing import Literal

__all__ = ["Fault", "FaultPlan", "error_description"]

FaultKind = Literal["fail", "drop", "stall"]


def error_description(status: int, retry_after: int) -> str:
    """Telegram's description for an injected error status."""
    if status == 429:
        return f"Too Many Requests: retry after {retry_after}"
    if status == 400:
        return "Bad Request"
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return f"Error {status}"


@dataclass
class Fault:
    """One scripted failure, used up after ``remaining`` matching requests."""

    kind: FaultKind
    method: str | None
    remaining: int
    status: int = 0
    description: str = ""
    retry_after: int | None = None
    seconds: float = 0.0

    def matches(self, method: str) -> bool:
        return self.method is None or self.method.lower() == method.lower()


class FaultPlan:
    """The queue of pending faults; not thread-safe (FakeBotAPI locks around it)."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> None:
        if fault.remaining < 1:
            raise ValueError(f"count must be at least 1, got {fault.remaining}")
        self._faults.append(fault)

    def take(self, method: str) -> Fault | None:
        for fault in self._faults:
            if fault.matches(method):
                fault.remaining -= 1
                if fault.remaining == 0:
                    self._faults.remove(fault)
                return fault
        return None

    def pending(self) -> list[Fault]:
        return list(self._faults)

    def clear(self) -> None:
        self._faults.clear()
