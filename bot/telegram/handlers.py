"""The Telegram handlers: translate updates into calls of the conversation core and replies into messages.

Every answer is computed in a worker thread (``asyncio.to_thread``): the chat's state is read from the
SQLite store, the core answers, the new state is saved and the reply rendered, so the event loop never
waits on retrieval or the disk. Updates are handled concurrently, but one chat at a time (a lock per chat),
so a chat's questions are answered in order and its state is never updated twice at once.

Rules worth knowing (see docs/telegram.md):

- Text in a private chat is a question or a command; in a group only what ``routing.addressed_text`` says
  is addressed to the bot.
- An *edited* message is answered again, as a new reply to it, when it is in a private chat and the edit
  comes within ``edit_window`` seconds (an hour) of the original: people fix a typo and expect the fixed
  question to be answered. Edits in groups and later edits are ignored.
- A message without text (sticker, photo, voice) gets a one-line hint in a private chat, nothing in a group.
- "typing…" is shown when an answer is not ready within ``typing_after`` seconds, and renewed every 4.5 s.
- Every update, of every kind, first passes ``_admit``: the per-user rate limit, then the allow-list.
- Each question is logged and recorded (``bot.recorder``) when a recorder is given; an answer to a question
  then carries 👍 / 👎 buttons, whose votes go to the question log.
- The notes may be swapped for a rebuilt index at any time (``bot.reload``): each turn reads the current
  conversation once. ``/reload`` from a user in ``TELEGRAM_ADMIN_USERS`` forces a rebuild and says how it
  went; for anyone else it is an unknown command.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import logging
import time
import weakref
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any, TypeVar

from telegram import (
    BotCommand,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    LinkPreviewOptions,
    Message,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatAction, ChatType, ParseMode
from telegram.error import BadRequest, NetworkError, TelegramError
from telegram.ext import Application, ContextTypes

from bot.commands import COMMANDS, parse_command
from bot.conversation import Conversation, action_key
from bot.recorder import Recorder
from bot.reload import LiveConversation, Reloader
from bot.replies import Reply
from bot.state import State
from bot.telegram.access import AllowList, RateLimiter, Verdict
from bot.telegram.formatting import escape, reply_messages
from bot.telegram.keyboards import Vote, decode, decode_vote, reply_keyboard, with_vote
from bot.telegram.routing import ASK, addressed_text, is_start
from bot.telegram.state_store import StateStore

log = logging.getLogger(__name__)
T = TypeVar("T")

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
TYPING_RENEWAL = 4.5  # Telegram shows "typing…" for 5 seconds
MAX_INLINE_RESULTS = 50  # telegram.constants.InlineQueryLimit.RESULTS

NOT_TEXT = "I can only read text. Ask your question in words, or type /help."
APOLOGY = "Sorry, something went wrong while answering that. Please try again in a moment."
INLINE_REFUSAL = "This bot is private"
THANKS = "Thanks for the feedback!"
RELOADING = "Reloading the notes…"


def refusal(user_id: int) -> str:
    return (
        "Sorry, this bot only answers the people it was set up for. "
        f"If you should have access, send its owner your Telegram user id: {user_id}."
    )


def slow_down(seconds: int) -> str:
    return f"You're sending messages faster than I can answer them well. Please wait {seconds} s and ask again."


@dataclass(frozen=True, slots=True)
class BotOptions:
    """How the bot behaves, beyond the settings a deployment changes.

    Attributes:
        typing_after: Show "typing…" when an answer takes longer than this many seconds.
        edit_window: Answer an edited question again when edited within this many seconds.
        inline_results: Sections offered for an inline query (at most 50, Telegram's limit).
        inline_cache_time: Seconds Telegram may cache inline results (0 while testing).
        inline_rate_factor: Inline queries allowed per minute, as a multiple of the message rate limit
            (clients send one per pause in typing).
    """

    typing_after: float = 0.5
    edit_window: float = 3600.0
    inline_results: int = 10
    inline_cache_time: int = 300
    inline_rate_factor: int = 3

    def __post_init__(self) -> None:
        if not 1 <= self.inline_results <= MAX_INLINE_RESULTS:
            raise ValueError(f"inline_results must be from 1 to {MAX_INLINE_RESULTS}, got {self.inline_results!r}")
        if self.typing_after < 0 or self.edit_window < 0 or self.inline_cache_time < 0:
            raise ValueError("typing_after, edit_window and inline_cache_time must be 0 or more")


@dataclass(frozen=True, slots=True)
class Rendered:
    """A reply ready to send: its HTML messages and the keyboard for the last one."""

    parts: tuple[str, ...]
    keyboard: InlineKeyboardMarkup | None


def render(reply: Reply, *, lead: str | None = None, question_id: int | None = None) -> Rendered:
    parts = reply_messages(reply, lead=lead)
    return Rendered(tuple(parts), reply_keyboard(reply, question_id=question_id))


class Handlers:
    """The bot's handlers, sharing one conversation core, state store, allow-list and rate limiters."""

    def __init__(
        self,
        conversation: Conversation | LiveConversation,
        store: StateStore,
        *,
        allow: AllowList,
        limiter: RateLimiter,
        options: BotOptions | None = None,
        recorder: Recorder | None = None,
        reloader: Reloader | None = None,
        admins: frozenset[int] = frozenset(),
    ) -> None:
        self.live = conversation if isinstance(conversation, LiveConversation) else LiveConversation(conversation)
        self.recorder = recorder
        self.reloader = reloader
        self.admins = admins
        self.store = store
        self.allow = allow
        self.options = options or BotOptions()
        self.limiter = limiter
        self.inline_limiter = RateLimiter(limiter.limit * self.options.inline_rate_factor)
        self._locks: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()

    @property
    def conversation(self) -> Conversation:
        """The conversation over the current index (read it once per turn)."""
        return self.live.current

    # Start-up -------------------------------------------------------------------------------------------

    async def post_init(self, application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        """Register the command menu that Telegram clients show after "/"."""
        commands = [BotCommand(ASK, "ask the notes a question"), *(BotCommand(c.name, c.summary) for c in COMMANDS)]
        await application.bot.set_my_commands(commands)

    # Messages -------------------------------------------------------------------------------------------

    async def on_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.message
        if message is not None:
            await self._message(update, message, context)

    async def on_edited(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.edited_message
        if message is None or message.chat.type != ChatType.PRIVATE or message.text is None:
            return
        edited = message.edit_date or message.date
        if edited - message.date > dtm.timedelta(seconds=self.options.edit_window):
            log.debug("ignoring a late edit of message %s in chat %s", message.message_id, message.chat.id)
            return
        await self._message(update, message, context)

    async def _message(self, update: Update, message: Message, context: ContextTypes.DEFAULT_TYPE) -> None:
        private = message.chat.type == ChatType.PRIVATE
        if message.text is None:
            if private and await self._admit(update, context):
                await self._send_text(context, message.chat.id, escape(NOT_TEXT), reply_to=message.message_id)
            return
        replied = message.reply_to_message
        text = addressed_text(
            message.text,
            private=private,
            bot_username=context.bot.username,
            reply_to_bot=bool(replied and replied.from_user and replied.from_user.id == context.bot.id),
        )
        if text is None or not await self._admit(update, context):
            return
        lead = None
        if is_start(text):
            name = message.from_user.first_name if message.from_user else ""
            lead = f"Hello{', ' + name if name else ''}! I answer questions from a folder of notes."
        chat_id = message.chat.id
        user_id = message.from_user.id if message.from_user else None
        command = parse_command(text)
        if command is not None and command.name == "reload" and self.reloader is not None and user_id in self.admins:
            await self._reload(context, message)
            return
        log.debug("chat %s asks %r", chat_id, text)
        async with self._lock(chat_id):
            rendered = await self._typing_while(
                context, chat_id, asyncio.to_thread(self._respond, chat_id, user_id, text, lead)
            )
            await self._send(context, chat_id, rendered, reply_to=message.message_id)

    def _respond(self, chat_id: int, user_id: int | None, text: str, lead: str | None) -> Rendered:
        """Runs in a worker thread: load the chat's state, answer, save the new state, record, render."""
        conversation = self.conversation
        started = time.perf_counter()
        reply, state = conversation.respond(text, self.store.get(chat_id))
        latency = time.perf_counter() - started
        self.store.put(chat_id, state)
        question_id = None
        if self.recorder is not None:
            question_id = self.recorder.turn(user=user_id, chat=chat_id, text=text, reply=reply, latency=latency)
        return render(reply, lead=lead, question_id=question_id)

    async def _reload(self, context: ContextTypes.DEFAULT_TYPE, message: Message) -> None:
        """``/reload`` from an admin: rebuild the index from the files now, and say how it went."""
        assert self.reloader is not None
        log.info("reload forced by an admin")
        work = asyncio.to_thread(self.reloader.reload, force=True, reason="/reload")
        result = await self._typing_while(context, message.chat.id, work)
        await self._send_text(context, message.chat.id, escape(result.message), reply_to=message.message_id)

    # Buttons --------------------------------------------------------------------------------------------

    async def on_callback(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None or not await self._admit(update, context):
            return
        vote = decode_vote(query.data) if query.data is not None else None
        if vote is not None:
            await query.answer(THANKS)
            await self._vote(query.from_user.id, query.message, vote)
            return
        await query.answer()
        message = query.message
        if message is None or query.data is None:
            return  # a button on an inline-mode message: the bot never sends those
        pressed = decode(query.data)
        chat_id = message.chat.id
        user_id = query.from_user.id
        async with self._lock(chat_id):
            work = asyncio.to_thread(self._choose, chat_id, user_id, pressed.action)
            rendered = await self._typing_while(context, chat_id, work)
            if pressed.in_place and len(rendered.parts) == 1 and isinstance(message, Message):
                try:
                    await message.edit_text(
                        rendered.parts[0],
                        parse_mode=ParseMode.HTML,
                        reply_markup=rendered.keyboard,
                        link_preview_options=NO_PREVIEW,
                    )
                except BadRequest as error:
                    if "not modified" not in error.message:
                        raise
                return
            reply_to = message.message_id if isinstance(message, Message) else None
            await self._send(context, chat_id, rendered, reply_to=reply_to)

    def _choose(self, chat_id: int, user_id: int, action: str) -> Rendered:
        started = time.perf_counter()
        reply, state = self.conversation.choose(action, self.store.get(chat_id))
        latency = time.perf_counter() - started
        self.store.put(chat_id, state)
        question_id = None
        if self.recorder is not None:
            question_id = self.recorder.turn(user=user_id, chat=chat_id, action=action, reply=reply, latency=latency)
        return render(reply, question_id=question_id)

    async def _vote(self, user_id: int, message: object, vote: Vote) -> None:
        """Store a 👍 / 👎 and mark the pressed button (the message's other buttons stay as they were)."""
        if self.recorder is not None:
            self.recorder.feedback(user=user_id, question_id=vote.question_id, good=vote.good)
        if not isinstance(message, Message):
            return
        markup = with_vote(message.reply_markup, vote)
        if markup is None:
            return
        try:
            await message.edit_reply_markup(reply_markup=markup)
        except BadRequest as error:
            if "not modified" not in error.message:
                raise

    # Inline mode ----------------------------------------------------------------------------------------

    async def on_inline(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.inline_query
        if query is None:
            return
        user_id = query.from_user.id
        decision = self.inline_limiter.check(user_id)
        if not decision.allowed:
            if decision.verdict is Verdict.WARN:
                log.info("user %s is over the inline rate limit", user_id)
            await query.answer([], cache_time=0, is_personal=True)
            return
        if not self.allow.allows(user_id):
            log.warning("refused an inline query from user %s: not on TELEGRAM_ALLOWED_USERS", user_id)
            button = InlineQueryResultsButton(INLINE_REFUSAL, start_parameter="private")
            await query.answer([], cache_time=0, is_personal=True, button=button)
            return
        results = await asyncio.to_thread(self._inline_results, query.query)
        await query.answer(
            results,
            cache_time=self.options.inline_cache_time,
            is_personal=self.allow.restricted,  # else Telegram may show cached results to anyone
        )

    def _inline_results(self, text: str) -> list[InlineQueryResultArticle]:
        if not text.strip():
            return []
        results = []
        conversation = self.conversation
        for hit in conversation.retriever.search(text, k=self.options.inline_results):
            key = action_key(hit.section.id)
            reply, _ = conversation.choose(key, State())
            section = hit.section
            results.append(
                InlineQueryResultArticle(
                    id=key,
                    title=section.title,
                    description=" › ".join(section.trail) or section.source,
                    input_message_content=InputTextMessageContent(
                        reply_messages(reply)[0], parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW
                    ),
                )
            )
        return results

    # Errors ---------------------------------------------------------------------------------------------

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log the error with its traceback; tell the user, briefly, that their message was not answered."""
        error = context.error
        if not isinstance(update, Update):
            if isinstance(error, NetworkError):
                log.warning("Bot API request failed: %s", error)
            else:
                log.error("error outside an update", exc_info=error)
            return
        log.error("error while handling update %s", update.update_id, exc_info=error)
        chat = update.effective_chat
        if chat is None or update.inline_query is not None:
            return
        message = update.effective_message
        try:
            await self._send_text(context, chat.id, escape(APOLOGY), reply_to=message.message_id if message else None)
        except TelegramError as failure:
            log.warning("could not send the apology to chat %s: %s", chat.id, failure)

    # Helpers --------------------------------------------------------------------------------------------

    def _lock(self, chat_id: int) -> asyncio.Lock:
        lock = self._locks.get(chat_id)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[chat_id] = lock
        return lock

    async def _admit(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
        """Rate limit, then allow-list; answer politely when refusing. True when the update may be served."""
        user = update.effective_user
        if user is None:
            return not self.allow.restricted
        decision = self.limiter.check(user.id)
        if decision.verdict is Verdict.DROP:
            if update.callback_query is not None:
                await update.callback_query.answer()  # stop the button's spinner, say nothing
            return False
        if decision.verdict is Verdict.WARN:
            log.info("user %s is over the rate limit of %d a minute", user.id, self.limiter.limit)
            await self._tell(update, context, slow_down(decision.retry_seconds))
            return False
        if not self.allow.allows(user.id):
            log.warning("refused update %s from user %s: not on TELEGRAM_ALLOWED_USERS", update.update_id, user.id)
            await self._tell(update, context, refusal(user.id))
            return False
        return True

    async def _tell(self, update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
        query = update.callback_query
        if query is not None:
            await query.answer(text, show_alert=True)
            return
        message = update.effective_message
        if message is not None:
            await self._send_text(context, message.chat.id, escape(text), reply_to=message.message_id)

    async def _typing_while(self, context: ContextTypes.DEFAULT_TYPE, chat_id: int, work: Awaitable[T]) -> T:
        """Await ``work``; show "typing…" in the chat if it takes longer than ``typing_after`` seconds."""
        task = asyncio.ensure_future(work)
        timeout = self.options.typing_after
        while True:
            try:
                return await asyncio.wait_for(asyncio.shield(task), timeout)
            except TimeoutError:
                pass
            try:
                await context.bot.send_chat_action(chat_id, ChatAction.TYPING)
            except TelegramError as error:  # a missing "typing…" is no reason to lose the answer
                log.debug("could not show typing in chat %s: %s", chat_id, error)
            timeout = TYPING_RENEWAL

    async def _send(
        self, context: ContextTypes.DEFAULT_TYPE, chat_id: int, rendered: Rendered, *, reply_to: int | None
    ) -> None:
        last = len(rendered.parts) - 1
        for number, part in enumerate(rendered.parts):
            await self._send_text(
                context, chat_id, part, reply_to=reply_to, keyboard=rendered.keyboard if number == last else None
            )

    async def _send_text(
        self,
        context: ContextTypes.DEFAULT_TYPE,
        chat_id: int,
        html: str,
        *,
        reply_to: int | None,
        keyboard: InlineKeyboardMarkup | None = None,
    ) -> None:
        reply = ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to is not None else None
        await context.bot.send_message(
            chat_id,
            html,
            parse_mode=ParseMode.HTML,
            reply_parameters=reply,
            reply_markup=keyboard,
            link_preview_options=NO_PREVIEW,
        )

