"""How fast the Telegram bot answers through the fake Bot API server: round trip, and a burst's throughput.

    .venv/bin/python -m benchmarks.telegram_burst [--chats 100] [--per-chat 10] [--round-trips 200]
                                                  [--telegram-limits] [--json]

The real bot (``bot.telegram.serve``, as ``python -m bot`` runs it) polls a ``FakeBotAPI`` on 127.0.0.1,
with the state store in a temporary SQLite file and the bundled notes.

- Round trip: one question at a time, from the moment the update is queued at the fake server to the moment
  the bot's ``sendMessage`` for it arrives there: long-poll wake-up, PTB's dispatch, retrieval and rendering
  in a worker thread, the state store, the HTTP call. Median, 95th percentile and maximum.
- Burst: ``chats`` x ``per_chat`` questions queued at once (1,000 from 100 chats by default); replies per
  second from the first question queued to the last reply delivered, all replies checked.

Telegram itself allows a bot about 30 messages a second; the bot paces itself to that (``FloodControl``).
By default the benchmark turns that pacing off, to measure the bot; ``--telegram-limits`` keeps it on.
The questions are the labelled questions of ``eval/bundled.jsonl``, in order, cycled.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def questions() -> list[str]:
    lines = (ROOT / "eval" / "bundled.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["q"] for line in lines if line.strip()]


def burst_replies(fake: Any, after: int, expected: int, timeout: float = 600.0) -> list[Any]:
    """The burst's delivered replies, once all have arrived (polled every 20 ms: the fake's ``wait_for``
    would re-scan every request under the server's lock at each one, slowing the server it measures)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        replies = [r for r in fake.requests("sendMessage") if r.seq > after and r.ok and r.params["chat_id"] >= 1000]
        if len(replies) >= expected:
            return replies
        time.sleep(0.02)
    raise TimeoutError(f"only {len(replies)} of {expected} replies arrived in {timeout} s")


def measure(*, chats: int, per_chat: int, round_trips: int, telegram_limits: bool) -> dict[str, Any]:
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    from bot.telegram.flood import FloodControl
    from tests.fake_bot_api import FakeBotAPI
    from tests.test_telegram_harness import SPEC_PATH, RunningBot, bundled_conversation

    asked = questions()
    bundled_conversation()  # build the index before timing anything
    flood = FloodControl() if telegram_limits else FloodControl(overall_per_second=None, group_per_minute=None)
    with tempfile.TemporaryDirectory() as folder, FakeBotAPI(spec_path=SPEC_PATH) as fake:
        state = Path(folder) / "state.sqlite3"
        with RunningBot(fake, state, flood=flood, poll_timeout=10, telegram_rate_limit_per_minute=10_000) as bot:
            trips = []
            for i in range(round_trips):
                question = asked[i % len(asked)]
                queued = time.monotonic()
                [reply] = bot.ask(1, question, timeout=30)
                trips.append(reply.time - queued)

            first = fake.requests()[-1].seq
            queued = time.monotonic()
            expected = 0
            for round_ in range(per_chat):
                for chat in range(chats):
                    fake.send_text(1000 + chat, asked[(chat * per_chat + round_) % len(asked)])
                    expected += 1
            replies = burst_replies(fake, first, expected)
            elapsed = max(r.time for r in replies) - queued
        violations = fake.spec_violations
    return {
        "round_trip_ms": {
            "median": round(statistics.median(trips) * 1000, 2),
            "p95": round(sorted(trips)[int(0.95 * (len(trips) - 1))] * 1000, 2),
            "max": round(max(trips) * 1000, 2),
            "n": len(trips),
        },
        "burst": {
            "questions": expected,
            "chats": chats,
            "replies": len(replies),
            "seconds": round(elapsed, 2),
            "replies_per_second": round(len(replies) / elapsed, 1),
        },
        "telegram_limits": telegram_limits,
        "spec_violations": len(violations),
        "machine": f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.telegram_burst", description=__doc__.split("\n")[0])
    parser.add_argument("--chats", type=int, default=100)
    parser.add_argument("--per-chat", type=int, default=10)
    parser.add_argument("--round-trips", type=int, default=200)
    parser.add_argument("--telegram-limits", action="store_true", help="keep the bot's pacing to 30 messages/s")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    result = measure(
        chats=args.chats, per_chat=args.per_chat, round_trips=args.round_trips, telegram_limits=args.telegram_limits
    )
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    trip, burst = result["round_trip_ms"], result["burst"]
    print(
        f"round trip ({trip['n']} questions, one at a time): median {trip['median']} ms, "
        f"p95 {trip['p95']} ms, max {trip['max']} ms"
    )
    print(
        f"burst: {burst['questions']} questions from {burst['chats']} chats answered in {burst['seconds']} s: "
        f"{burst['replies_per_second']} replies/s"
        + (" (paced to Telegram's limits)" if result["telegram_limits"] else " (pacing off)")
    )
    print(f"spec violations: {result['spec_violations']}; {result['machine']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
