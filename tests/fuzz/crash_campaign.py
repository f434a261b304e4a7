"""The fault campaign: kill -9 ``python -m bot`` at random moments while it answers bursts; count what was lost.

Not part of the test suite (it takes minutes): ``tests/test_faults_crash.py`` kills at two chosen moments;
this kills at random ones, as often as asked, to measure the windows no bot on the Bot API can close
(docs/reliability.md)::

    python -m tests.fuzz.crash_campaign --rounds 10 --every 0.05 0.8 --max-kills 40 --seed 11

Each round queues the same burst of 200 questions from 20 chats at a fresh fake server, kills the bot after a
random pause (uniform between the two ``--every`` values) and starts it again, until every question has an
answer or ``--max-kills`` is reached, then waits for the rest. Per round and in total it prints the kills, the
questions lost and answered twice, the sends found ``sending`` after a crash, and the updates given up.
"""

from __future__ import annotations

import argparse
import random
import shutil
import tempfile
import time
from collections import Counter
from pathlib import Path

from tests.bot_process import BotProcess, replied_to, replies
from tests.fake_bot_api import FakeBotAPI
from tests.test_faults_crash import burst
from tests.test_telegram_harness import SPEC_PATH


def one_round(rng: random.Random, folder: Path, cache: Path, low: float, high: float, max_kills: int) -> Counter[str]:
    with FakeBotAPI(spec_path=SPEC_PATH) as fake, BotProcess(
        fake, folder, cache_dir=cache, TELEGRAM_RATE_LIMIT_PER_MINUTE="1000"
    ) as bot:
        bot.start()
        asked = burst(fake)
        kills = 0
        while len(replies(fake)) < len(asked) and kills < max_kills:
            time.sleep(rng.uniform(low, high))
            if len(replies(fake)) >= len(asked):
                break
            bot.kill()
            kills += 1
            bot.start()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            counts = Counter(replied_to(r) for r in replies(fake))
            if all(counts[q] for q in asked):
                break
            time.sleep(0.2)
        time.sleep(1.0)
        bot.stop()
    counts = Counter(replied_to(r) for r in replies(fake))
    return Counter(
        kills=kills,
        lost=sum(1 for q in asked if counts[q] == 0),
        duplicates=sum(n - 1 for n in counts.values() if n > 1),
        sending_after_crash=bot.stderr.count("was being sent when the bot stopped"),
        given_up=bot.stderr.count("giving up on update"),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz.crash_campaign", description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--every", type=float, nargs=2, default=(0.05, 0.8), metavar=("LOW", "HIGH"))
    parser.add_argument("--max-kills", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    total: Counter[str] = Counter()
    with tempfile.TemporaryDirectory() as temporary:
        cache = Path(temporary) / "cache"
        for number in range(args.rounds):
            folder = Path(temporary) / f"round{number}"
            result = one_round(rng, folder, cache, *args.every, args.max_kills)
            shutil.rmtree(folder, ignore_errors=True)
            total.update(result)
            line = ", ".join(f"{key} {value}" for key, value in sorted(result.items()))
            print(f"round {number}: {line}", flush=True)
    print("total: " + ", ".join(f"{key} {value}" for key, value in sorted(total.items())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
