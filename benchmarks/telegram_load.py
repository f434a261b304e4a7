"""Load: 5,000 questions from 500 chats through the fake Bot API, twice, against ``python -m bot`` in a process
of its own; replies per second, reply latency, and the bot's memory (flat from one run to the next?).

    .venv/bin/python -m benchmarks.telegram_load [--chats 500] [--per-chat 10] [--runs 2]
                                                 [--telegram-limits] [--json]

The bot is the product as ``python -m bot`` runs it (settings from the environment, the bundled notes, the
chat state, update journal and question log in a temporary folder, live reload off), except that by default
its pacing to Telegram's limits (``FloodControl``: about 30 messages a second) is off, to measure the bot
rather than the limit; ``--telegram-limits`` keeps it (a run then takes about three minutes).

First, 50 questions one at a time (the warm-up) give the idle round trip. Then each run queues ``chats`` x
``per_chat`` questions at once at the fake server (ten rounds of one question from
each chat; the labelled questions of ``eval/bundled.jsonl``, cycled) and waits for every reply. Latency is
per question, from the moment it is queued to the moment the fake server receives the first message of its
reply, both on the benchmark's clock: the burst's queueing is part of it, as it is for the users. Memory is
the bot process's resident set (``/proc/<pid>/status``: VmRSS now, VmHWM the peak) after the warm-up and
after each run; a leak shows as RSS growing from run to run.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def questions() -> list[str]:
    lines = (ROOT / "eval" / "bundled.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["q"] for line in lines if line.strip()]


def memory_kb(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of ``pid``, in kB (Linux)."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            values[name] = int(rest.split()[0])
    return values


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def one_run(fake: Any, asked: list[str], *, chats: int, per_chat: int, first_chat: int) -> dict[str, Any]:
    seen = len(fake.requests())
    queued: dict[tuple[int, int], float] = {}
    for round_ in range(per_chat):
        for n in range(chats):
            chat = first_chat + n
            update = fake.send_text(chat, asked[(n * per_chat + round_) % len(asked)])
            queued[(chat, update["message"]["message_id"])] = time.monotonic()
    start = min(queued.values())
    first_reply: dict[tuple[int, int], float] = {}
    parts: Counter[tuple[int, int]] = Counter()
    deadline = time.monotonic() + 1800
    while len(first_reply) < len(queued):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{len(queued) - len(first_reply)} questions were not answered in 30 minutes")
        time.sleep(0.2)
        records = fake.requests()[seen:]
        seen += len(records)
        for record in records:
            if record.method != "sendMessage" or not record.ok:
                continue
            key = (int(record.params["chat_id"]), int((record.params.get("reply_parameters") or {})["message_id"]))
            parts[key] += 1
            first_reply.setdefault(key, record.time)
    latencies = [first_reply[key] - queued[key] for key in queued]
    seconds = max(first_reply.values()) - start
    return {
        "questions": len(queued),
        "messages": sum(parts.values()),
        "seconds": round(seconds, 2),
        "replies_per_second": round(len(queued) / seconds, 1),
        "latency_ms": {
            "p50": round(statistics.median(latencies) * 1000),
            "p90": round(percentile(latencies, 0.90) * 1000),
            "p99": round(percentile(latencies, 0.99) * 1000),
            "max": round(max(latencies) * 1000),
        },
    }


def round_trips(fake: Any, asked: list[str], count: int) -> dict[str, float]:
    """One question at a time (an idle bot): queued to first reply message, in ms."""
    from tests.bot_process import replied_to

    times = []
    for n in range(count):
        queued = time.monotonic()
        message_id = fake.send_text(99, asked[n % len(asked)])["message"]["message_id"]
        [reply] = fake.wait_for(
            lambda r, m=message_id: r.method == "sendMessage" and r.ok and replied_to(r) == (99, m), timeout=30
        )
        times.append(reply.time - queued)
    return {"p50": round(statistics.median(times) * 1000, 1), "p99": round(percentile(times, 0.99) * 1000, 1),
            "n": count}


def measure(*, chats: int, per_chat: int, runs: int, telegram_limits: bool) -> dict[str, Any]:
    from tests.bot_process import BotProcess
    from tests.fake_bot_api import FakeBotAPI
    from tests.test_telegram_harness import SPEC_PATH

    asked = questions()
    results: dict[str, Any] = {"chats": chats, "per_chat": per_chat, "telegram_limits": telegram_limits}
    with tempfile.TemporaryDirectory() as folder, FakeBotAPI(spec_path=SPEC_PATH) as fake:
        bot = BotProcess(fake, Path(folder), TELEGRAM_RATE_LIMIT_PER_MINUTE="10000", PYTHONPATH=str(ROOT))
        bot.env["NOTES_QA_LOAD_LIMITS"] = "1" if telegram_limits else "0"
        command = [sys.executable, "-m", "benchmarks.telegram_load", "--serve"]
        with bot:
            _start(bot, command)
            time.sleep(1.0)
            results["idle_round_trip_ms"] = round_trips(fake, asked, 50)
            results["memory_kb"] = [{"after": "warm-up", **memory_kb(bot.pid)}]
            results["runs"] = []
            for run in range(runs):
                results["runs"].append(one_run(fake, asked, chats=chats, per_chat=per_chat, first_chat=100_000))
                time.sleep(1.0)  # let the question log's writer and the journal settle
                results["memory_kb"].append({"after": f"run {run + 1}", **memory_kb(bot.pid)})
            assert bot.stop(120) == 0, bot.stderr[-2000:]
        results["spec_violations"] = len(fake.spec_violations)
    rss = [m["VmRSS"] for m in results["memory_kb"]]
    results["rss_growth_last_run_kb"] = rss[-1] - rss[-2] if len(rss) > 2 else None
    results["machine"] = f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs"
    return results


def _start(bot: Any, command: list[str]) -> None:
    """``BotProcess.start`` with another command: the bot with its pacing set by NOTES_QA_LOAD_LIMITS."""
    polls = len(bot.fake.requests("getUpdates"))
    with (bot.home / "stderr.log").open("ab") as stderr:
        bot._process = subprocess.Popen(command, cwd=ROOT, env=bot.env, stdin=subprocess.DEVNULL,
                                        stdout=subprocess.DEVNULL, stderr=stderr)
    deadline = time.monotonic() + 60
    while len(bot.fake.requests("getUpdates")) <= polls:
        if bot._process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the bot did not start:\n{bot.stderr[-3000:]}")
        time.sleep(0.05)


def serve() -> int:
    """``python -m bot``, with FloodControl's pacing off unless NOTES_QA_LOAD_LIMITS=1 (the benchmark's child)."""
    import bot.telegram.app as app
    from bot.__main__ import main
    from bot.telegram.flood import FloodControl

    if os.environ.get("NOTES_QA_LOAD_LIMITS") != "1":
        app.FloodControl = functools.partial(  # type: ignore[misc]
            FloodControl, overall_per_second=None, group_per_minute=None
        )
    return main([])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.telegram_load", description=__doc__.split("\n")[0])
    parser.add_argument("--chats", type=int, default=500)
    parser.add_argument("--per-chat", type=int, default=10)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--telegram-limits", action="store_true", help="keep the bot's pacing to 30 messages/s")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        return serve()
    result = measure(chats=args.chats, per_chat=args.per_chat, runs=args.runs, telegram_limits=args.telegram_limits)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    pacing = "paced to Telegram's 30 messages/s" if args.telegram_limits else "pacing off"
    print(f"{args.chats * args.per_chat} questions from {args.chats} chats, {args.runs} runs ({pacing}); "
          f"{result['machine']}")
    for number, run in enumerate(result["runs"], start=1):
        latency = run["latency_ms"]
        print(f"  run {number}: {run['replies_per_second']} replies/s ({run['questions']} questions, "
              f"{run['messages']} messages, {run['seconds']} s); latency p50 {latency['p50']} ms, "
              f"p90 {latency['p90']} ms, p99 {latency['p99']} ms, max {latency['max']} ms")
    trip = result["idle_round_trip_ms"]
    print(f"  one question at a time ({trip['n']}): p50 {trip['p50']} ms, p99 {trip['p99']} ms")
    for memory in result["memory_kb"]:
        print(f"  memory after {memory['after']}: RSS {memory['VmRSS'] / 1024:.1f} MB, "
              f"peak {memory['VmHWM'] / 1024:.1f} MB")
    print(f"  RSS growth during the last run: {result['rss_growth_last_run_kb']} kB; "
          f"spec violations: {result['spec_violations']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
