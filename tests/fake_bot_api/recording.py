"""What the fake server saw: one RecordedRequest per HTTP request."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

__all__ = ["RecordedRequest", "format_requests"]


@dataclass(frozen=True)
class RecordedRequest:
    """A request as the fake understood it, and how it answered.

    ``params`` are decoded: numbers are ints, nested JSON (reply_markup,
    reply_parameters, entities, results, ...) is dicts and lists.  ``status``
    is None while a long poll is still waiting and for dropped connections
    (``dropped`` is True then); ``response`` is the JSON body sent back.
    ``time`` is ``time.monotonic()`` at arrival.
    """

    seq: int
    method: str
    params: dict[str, Any]
    time: float
    status: int | None = None
    response: dict[str, Any] | None = None
    dropped: bool = False

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def result(self) -> Any:
        return (self.response or {}).get("result")

    @property
    def description(self) -> str | None:
        return (self.response or {}).get("description")

    def summary(self) -> str:
        params = json.dumps(self.params, ensure_ascii=False, default=repr)
        if len(params) > 300:
            params = params[:297] + "..."
        if self.dropped:
            outcome = "dropped"
        elif self.status is None:
            outcome = "pending"
        elif self.ok:
            outcome = "200 ok"
        else:
            outcome = f"{self.status} {self.description}"
        return f"#{self.seq} {self.method} {params} -> {outcome}"


def format_requests(requests: Iterable[RecordedRequest], limit: int = 40) -> str:
    """The last ``limit`` requests, one line each, for assertion messages."""
    lines = [r.summary() for r in requests]
    skipped = len(lines) - limit
    if skipped > 0:
        lines = [f"... {skipped} earlier requests", *lines[-limit:]]
    return "\n".join(lines) if lines else "(no requests)"
