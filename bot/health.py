"""A heartbeat for a running bot, and ``python -m bot.health``, the container's health check.

While ``python -m bot`` runs, its event loop touches a heartbeat file every ``BEAT_SECONDS`` (beside the
chat-state database: ``telegram-state.alive`` beside ``telegram-state.sqlite3``). Because the event loop
itself does it, a fresh file means the loop is turning, not merely that the process exists. The check exits
0 when the file was touched within ``STALE_SECONDS``, else 1, with one line saying why.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Sequence
from pathlib import Path

BEAT_SECONDS = 30.0
STALE_SECONDS = 3 * BEAT_SECONDS


def heartbeat_path(state_db: Path) -> Path:
    return state_db.with_suffix(".alive")


async def beat(path: Path, *, every: float = BEAT_SECONDS) -> None:
    """Touch ``path`` now and every ``every`` seconds until cancelled (the folder is created)."""
    await asyncio.to_thread(path.parent.mkdir, parents=True, exist_ok=True)
    while True:
        await asyncio.to_thread(path.touch)
        await asyncio.sleep(every)


def check(path: Path, *, now: float | None = None, stale: float = STALE_SECONDS) -> str | None:
    """None when ``path`` was touched within ``stale`` seconds, else why the bot looks unhealthy."""
    try:
        age = (time.time() if now is None else now) - path.stat().st_mtime
    except FileNotFoundError:
        return f"no heartbeat at {path}: the bot has not started (or NOTES_QA_STATE_DB differs)"
    except OSError as exc:
        return f"cannot read the heartbeat {path}: {exc.strerror or exc}"
    if age > stale:
        return f"the heartbeat {path} is {age:.0f} s old (more than {stale:.0f} s): the bot is stuck or stopped"
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Exit 0 when the bot's heartbeat is fresh, 1 (with a line on stderr) when not, 2 for unusable settings."""
    from bot.settings import SettingsError, load_settings

    del argv
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    problem = check(heartbeat_path(settings.state_db))
    if problem is not None:
        print(f"unhealthy: {problem}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
