"""Wiring: the python-telegram-bot ``Application`` for the notes bot, and running it.

``build_application`` takes ready parts (the settings, a ``Conversation`` over an already built retriever,
or a ``LiveConversation`` that a ``Reloader`` keeps current, an open ``StateStore``, optionally a
``Recorder`` for the question log) and returns an Application that has not touched the network yet. ``serve`` runs
it with long polling, or as a webhook server when ``TELEGRAM_WEBHOOK_URL`` is set, until SIGINT (Ctrl-C),
SIGTERM or an ``asyncio.Event`` (the tests' way) stops it; PTB then finishes the updates it has taken,
confirms the update offset to Telegram and closes its connections. ``serve`` drives the Application's
life cycle itself rather than through ``run_polling``, so that a failure to start (a rejected token, an
unreachable server) reaches the caller as an exception instead of a logged traceback.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from bot.conversation import Conversation
from bot.health import beat
from bot.recorder import Recorder
from bot.reload import LiveConversation, Reloader
from bot.telegram.access import AllowList, RateLimiter
from bot.telegram.delivery import Delivery, JournalledUpdates
from bot.telegram.flood import FloodControl
from bot.telegram.handlers import BotOptions, Handlers
from bot.telegram.journal import Journal, journal_path
from bot.telegram.polling import Poller, requeue_unanswered
from bot.telegram.settings import Settings
from bot.telegram.state_store import StateStore
from bot.telegram.transport import notifying_request

log = logging.getLogger(__name__)

#: The update kinds the bot asks Telegram for; others are never delivered.
ALLOWED_UPDATES = [Update.MESSAGE, Update.EDITED_MESSAGE, Update.CALLBACK_QUERY, Update.INLINE_QUERY]
#: Updates handled at once (each chat still one at a time, see ``Handlers``).
CONCURRENT_UPDATES = 16
POLL_TIMEOUT = 30  # seconds a getUpdates long poll may wait for news

AnyApplication = Application[Any, Any, Any, Any, Any, Any]


def build_application(
    settings: Settings,
    conversation: Conversation | LiveConversation,
    store: StateStore,
    *,
    options: BotOptions | None = None,
    flood: FloodControl | None = None,
    recorder: Recorder | None = None,
    reloader: Reloader | None = None,
    journal: Journal | None = None,
) -> AnyApplication:
    """An Application with the notes bot's handlers; nothing is sent until it is initialised.

    With ``recorder``, questions are logged and recorded and answers get 👍 / 👎 buttons; with ``reloader``
    (over the same ``LiveConversation`` as ``conversation``), admins may send ``/reload``. Every update is
    recorded in ``journal`` (by default a file beside the state database, closed with the Application) and
    answered exactly once, also across a crash (``bot.telegram.delivery``, docs/reliability.md).
    """
    delivery = Delivery(journal or Journal(journal_path(store.path)), owns_journal=journal is None)
    handlers = Handlers(
        conversation,
        delivery.states(store),
        allow=AllowList.of(settings.telegram_allowed_users),
        limiter=RateLimiter(settings.telegram_rate_limit_per_minute),
        options=options,
        recorder=recorder,
        reloader=reloader,
        admins=settings.telegram_admin_users,
    )
    application = (
        ApplicationBuilder()
        .token(settings.token)
        .base_url(settings.telegram_base_url)
        .rate_limiter(delivery.limiter(flood or FloodControl()))
        .concurrent_updates(delivery.processor(CONCURRENT_UPDATES))
        .update_queue(delivery.queue())
        .request(notifying_request())  # tells ``delivery`` when a request has left (bot.telegram.transport)
        .post_init(handlers.post_init)
        .build()
    )
    application.add_handler(MessageHandler(filters.UpdateType.MESSAGE & ~filters.StatusUpdate.ALL, handlers.on_message))
    application.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE, handlers.on_edited))
    application.add_handler(CallbackQueryHandler(handlers.on_callback))
    application.add_handler(InlineQueryHandler(handlers.on_inline))
    application.add_error_handler(handlers.on_error)
    return application


async def serve(
    application: AnyApplication,
    settings: Settings,
    *,
    stop: asyncio.Event | None = None,
    stop_signals: Sequence[signal.Signals] = (signal.SIGINT, signal.SIGTERM),
    started: Callable[[], None] | None = None,
    poll_timeout: float = POLL_TIMEOUT,
) -> None:
    """Run ``application`` until ``stop`` is set or a stop signal arrives, then stop it gracefully.

    Long polling, or a webhook server when ``TELEGRAM_WEBHOOK_URL`` is set. ``started`` is called once
    updates are being received. On the way out, PTB finishes the updates it has taken, tells Telegram
    which ones were handled (the getUpdates offset) and closes its connections.

    Raises what starting raises, before any update is taken: ``telegram.error.InvalidToken`` for a
    rejected token, ``NetworkError`` when the Bot API cannot be reached, ``RuntimeError`` when webhook
    support (tornado) is missing.
    """
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in stop_signals:
        loop.add_signal_handler(sig, stop.set)
    updater = application.updater
    processor = application.update_processor
    if updater is None or not isinstance(processor, JournalledUpdates):
        raise ValueError("the application has no updater or no journal; build it with build_application")
    delivery = processor.delivery
    poller = Poller(application, delivery.journal, timeout=poll_timeout, allowed_updates=ALLOWED_UPDATES)
    try:
        async with application:  # initialize (getMe: the token is checked here) ... shutdown
            if application.post_init is not None:
                await application.post_init(application)
            if settings.telegram_webhook_url:
                await requeue_unanswered(application, delivery.journal)
                await updater.start_webhook(
                    listen=settings.telegram_webhook_listen,
                    port=settings.telegram_webhook_port,
                    url_path=settings.webhook_path,
                    webhook_url=settings.telegram_webhook_url,
                    secret_token=settings.webhook_secret,
                    allowed_updates=ALLOWED_UPDATES,
                )
                log.info(
                    "receiving updates by webhook on %s:%d/%s",
                    settings.telegram_webhook_listen, settings.telegram_webhook_port, settings.webhook_path,
                )
            else:
                await poller.start()  # not ``updater.start_polling``: see bot.telegram.polling
                log.info("polling %s for updates", settings.telegram_base_url)
            await application.start()
            if started is not None:
                started()
            await stop.wait()
            log.info("stopping: answering the questions already received")
            delivery.stopping.set()
            await poller.stop()
            if updater.running:
                await updater.stop()
            await application.stop()
    finally:
        for sig in stop_signals:
            loop.remove_signal_handler(sig)


def run(application: AnyApplication, settings: Settings, *, heartbeat: Path | None = None) -> None:
    """``serve`` in a new event loop, until SIGINT (Ctrl-C) or SIGTERM; with ``heartbeat``, the event loop
    also touches that file every 30 seconds meanwhile (``python -m bot.health`` checks it)."""

    async def main() -> None:
        beating = asyncio.create_task(beat(heartbeat)) if heartbeat is not None else None
        try:
            await serve(application, settings)
        finally:
            if beating is not None:
                beating.cancel()
                await asyncio.gather(beating, return_exceptions=True)

    asyncio.run(main())
