"""At-least-once delivery: a getUpdates loop that records each batch in the journal before confirming it.

python-telegram-bot's ``Updater.start_polling`` asks for the next batch (which confirms the last one to
Telegram) as soon as it has put the last one on the update queue, before any handler ran: a process killed
then loses every question fetched and not yet answered. ``Poller`` replaces it. Each round:

1. ``getUpdates(offset)``: Telegram returns the updates from ``offset`` on; asking with an offset confirms
   (and makes Telegram forget) every update below it;
2. the batch is recorded in the ``Journal`` in one transaction (fsync'ed), new updates only;
3. the new updates go on the Application's update queue, in order;
4. the offset moves past the batch, so the next round confirms it, after step 2 made it durable.

On start, updates the journal holds but the handlers never finished (the process was killed) are put on the
queue first, oldest first, so every chat's questions stay in order. An update recorded before is not queued
again, so one that Telegram delivers twice is answered once. The first getUpdates of a run has no offset:
Telegram then sends every update not yet confirmed, and those the journal already holds are dropped. (An
offset kept from an earlier run could skip new updates: after a week without updates Telegram numbers the next
one at random, possibly below it. The journal forgets finished updates after two days, so a number reused
after a week is never mistaken for a duplicate.) An update python-telegram-bot cannot read is
marked failed and skipped with a WARNING, instead of being fetched for ever and blocking every update after it
(what ``start_polling`` does). Failures of getUpdates itself (429, 5xx, dropped or stalled connections, a
conflict with another instance) are logged and retried with back-off; the loop ends only when stopped.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

from telegram import Update
from telegram.error import Conflict, InvalidToken, RetryAfter, TelegramError
from telegram.ext import Application

from bot.telegram.delivery import RetryPolicy
from bot.telegram.flood import retry_after_seconds
from bot.telegram.journal import Journal

log = logging.getLogger(__name__)

AnyApplication = Application[Any, Any, Any, Any, Any, Any]

BATCH = 100  # updates per getUpdates, Telegram's maximum
READ_MARGIN = 10.0  # seconds beyond the long-poll timeout before a getUpdates counts as stalled


class Poller:
    """Long-polls ``application.bot`` and feeds ``application.update_queue``; see the module docstring."""

    def __init__(
        self,
        application: AnyApplication,
        journal: Journal,
        *,
        timeout: float,
        allowed_updates: Sequence[str],
        policy: RetryPolicy | None = None,
    ) -> None:
        self._application = application
        self._journal = journal
        self._timeout = timeout
        self._allowed = list(allowed_updates)
        self._policy = policy or RetryPolicy(max_delay=10.0)
        self._offset: int | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Drop any webhook (as ``start_polling`` does), queue what the journal holds unanswered, and start
        polling. Raises what deleteWebhook raises (``InvalidToken``, ``NetworkError``)."""
        await self._application.bot.delete_webhook()
        await requeue_unanswered(self._application, self._journal)
        self._offset = None  # see the module docstring: never an offset kept from an earlier run
        self._task = asyncio.create_task(self._run(), name="notes-qa:getUpdates")

    async def stop(self) -> None:
        """Stop polling; the updates already queued are answered by the Application's own ``stop``."""
        if self._task is None:
            return
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)
        self._task = None
        if self._offset is not None:  # confirm the last batch now rather than on the next start
            try:
                await self._get_updates(wait=0, limit=1)
            except (TelegramError, OSError) as error:
                log.debug("could not confirm the last updates on the way out: %s", error)

    async def _get_updates(self, *, wait: float, limit: int) -> list[dict[str, Any]]:
        data = {"offset": self._offset, "timeout": round(wait), "limit": limit, "allowed_updates": self._allowed}
        # ``Bot.get_updates`` parses the whole batch and raises if one update does not parse, losing the
        # others; the raw JSON is needed to journal first and to skip an unreadable update on its own.
        result = await self._application.bot._post("getUpdates", data, read_timeout=wait + READ_MARGIN)
        return list(result) if isinstance(result, list) else []

    async def _run(self) -> None:
        delay = self._policy.first_delay
        while True:
            try:
                batch = await self._get_updates(wait=self._timeout, limit=BATCH)
            except RetryAfter as error:
                wait = retry_after_seconds(error)
                log.warning("getUpdates: Telegram asked to wait %.0f s", wait)
            except InvalidToken:
                wait = self._policy.max_delay
                log.error("getUpdates: Telegram rejects the token now (revoked?); trying again in %.0f s", wait)
            except Conflict as error:
                wait = self._policy.max_delay
                log.error("getUpdates: %s; trying again in %.0f s", error.message, wait)
            except TelegramError as error:  # NetworkError, TimedOut, BadRequest: the server or the way to it
                wait = delay
                log.warning("getUpdates failed (%s): trying again in %.1f s", error.message, wait)
            except Exception:  # never let polling die: a bug here would silently stop the bot
                wait = self._policy.max_delay
                log.exception("getUpdates: unexpected error; trying again in %.0f s", wait)
            else:
                delay = self._policy.first_delay
                if batch:
                    await self._take(batch)
                continue
            await asyncio.sleep(wait)
            delay = min(delay * 2, self._policy.max_delay)

    async def _take(self, batch: list[dict[str, Any]]) -> None:
        readable = [u for u in batch if isinstance(u, dict) and isinstance(u.get("update_id"), int)]
        new = await asyncio.to_thread(self._journal.record, readable)
        self._offset = max(u["update_id"] for u in readable) + 1 if readable else self._offset
        for raw in new:
            await enqueue(self._application, self._journal, raw)


async def requeue_unanswered(application: AnyApplication, journal: Journal) -> int:
    """Put the updates the journal holds unanswered on the update queue, oldest first (on start, by polling
    or by webhook); forget those answered long ago. Returns how many were queued."""
    pruned = await asyncio.to_thread(journal.prune)
    if pruned:
        log.debug("forgot %d updates answered more than two days ago", pruned)
    left = await asyncio.to_thread(journal.pending)
    if left:
        log.info("answering %d updates received before the last stop but never answered", len(left))
    for raw in left:
        await enqueue(application, journal, raw)
    return len(left)


async def enqueue(application: AnyApplication, journal: Journal, raw: dict[str, Any]) -> None:
    """Parse a journalled update and put it on the update queue; one that cannot be parsed is marked failed."""
    bot = application.bot
    try:
        update = Update.de_json(raw, bot)
    except Exception as error:
        log.warning("update %s cannot be read (%r); skipped", raw.get("update_id"), error)
        await asyncio.to_thread(journal.finish, int(raw["update_id"]), "failed", f"unreadable: {error!r}")
        return
    bot.insert_callback_data(update)
    application.update_queue.put_nowait(update)
