"""The Bot API methods the fake answers, with Telegram's validation and wording.

Each handler takes the BotState and the decoded parameters and returns the
``result`` of a successful call or raises ApiError.  getUpdates is split: its
parameter handling lives here (getupdates_request) while the waiting of long
polling lives in the server.

Error descriptions are Telegram's own where they are known to be
("Bad Request: chat not found", "Bad Request: message is too long",
"Bad Request: BUTTON_DATA_INVALID", "Bad Request: RESULTS_TOO_MUCH", ...).
Validation the fake does not do: link previews, message effects, business
connections, forum topics, rate limits (inject them with fail_next), and
MarkdownV2/Markdown parsing (such text is measured as sent).
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .html_check import HTMLParseError, parse_html, telegram_text_length
from .state import BotState

__all__ = ["HANDLERS", "IMPLEMENTED_METHODS", "ApiError", "Options", "getupdates_request"]

MAX_TEXT_LENGTH = 4096
MAX_CALLBACK_DATA_BYTES = 64
MAX_INLINE_RESULTS = 50
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_BUTTON_ACTIONS = frozenset(
    {
        "url",
        "callback_data",
        "web_app",
        "login_url",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "copy_text",
        "callback_game",
        "pay",
    }
)
_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")
_SECRET_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")
_WEBHOOK_PORTS = frozenset({80, 88, 443, 8443})
_TRIM = " \t\r\n\v\f"


class ApiError(Exception):
    """A Bot API error answer: HTTP status, description and optional parameters."""

    def __init__(self, status: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(detail: str) -> ApiError:
    return ApiError(400, f"Bad Request: {detail}")


@dataclass(frozen=True)
class Options:
    """Server settings the handlers need."""

    strict_html: bool = True


Handler = Callable[[BotState, dict[str, Any], Options], Any]


# -- shared checks --------------------------------------------------------------
def _require_chat(state: BotState, chat_id: object) -> dict[str, Any]:
    if chat_id is None or chat_id == "":
        raise bad_request("chat_id is empty")
    chat = state.find_chat(chat_id)
    if chat is None:
        raise bad_request("chat not found")
    return chat


def _trim(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Telegram strips leading and trailing whitespace and moves entities with the text."""
    stripped = text.strip(_TRIM)
    if stripped == text:
        return text, entities
    lead = telegram_text_length(text[: len(text) - len(text.lstrip(_TRIM))])
    total = telegram_text_length(stripped)
    moved = []
    for entity in entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, total)
        if end > start:
            moved.append({**entity, "offset": start, "length": end - start})
    return stripped, moved


def format_text(
    text: object,
    parse_mode: object,
    entities: object,
    options: Options,
    *,
    empty_error: str = "message text is empty",
) -> tuple[str, list[dict[str, Any]]]:
    """Visible text and entities of a message, validated like sendMessage's ``text``."""
    if not isinstance(text, str) or text == "":
        raise bad_request(empty_error)
    found: list[dict[str, Any]]
    mode = parse_mode.lower() if isinstance(parse_mode, str) else None
    if mode in (None, ""):
        visible = text
        found = [dict(e) for e in entities] if isinstance(entities, list) else []
    elif mode == "html":
        try:
            parsed = parse_html(text, strict=options.strict_html)
        except HTMLParseError as error:
            raise ApiError(400, error.description) from None
        visible, found = parsed.text, [dict(e) for e in parsed.entities]
    elif mode in ("markdownv2", "markdown"):
        visible, found = text, []  # not parsed by the fake: measured as sent
    else:
        raise bad_request("unsupported parse_mode")
    visible, found = _trim(visible, found)
    if not visible:
        raise bad_request(empty_error)
    if telegram_text_length(visible) > MAX_TEXT_LENGTH:
        raise bad_request("message is too long")
    return visible, found


def inline_markup(markup: object) -> dict[str, Any] | None:
    """Validate reply_markup; return the inline keyboard a Message would carry, if any."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" not in markup:
        if {"keyboard", "remove_keyboard", "force_reply"} & markup.keys():
            return None  # reply keyboards are not part of the returned Message
        raise bad_request("can't parse reply keyboard markup JSON object")
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request('can\'t parse inline keyboard button: field "inline_keyboard" must be an Array of Arrays')
    for row in rows:
        for button in row:
            if not isinstance(button, dict):
                raise bad_request("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
            if not isinstance(button.get("text"), str) or not button["text"]:
                raise bad_request("can't parse inline keyboard button: Text must be non-empty")
            if not _BUTTON_ACTIONS & button.keys():
                raise bad_request(
                    "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
                )
            if "callback_data" in button:
                data = button["callback_data"]
                size = len(data.encode("utf-8")) if isinstance(data, str) else 0
                if not 1 <= size <= MAX_CALLBACK_DATA_BYTES:
                    raise bad_request("BUTTON_DATA_INVALID")
    return {"inline_keyboard": copy.deepcopy(rows)}


def _reply_target(state: BotState, chat: dict[str, Any], reply: object) -> dict[str, Any] | None:
    if reply is None:
        return None
    if not isinstance(reply, dict):
        raise bad_request("can't parse reply parameters JSON object")
    target_chat = chat
    if reply.get("chat_id") not in (None, chat["id"]):
        target_chat = _require_chat(state, reply["chat_id"])
    replied = state.find_message(int(target_chat["id"]), reply.get("message_id"))
    if replied is None:
        if reply.get("allow_sending_without_reply") is True:
            return None
        raise bad_request("message to be replied not found")
    embedded = copy.deepcopy(replied)
    embedded.pop("reply_to_message", None)
    return embedded


def _record_sent(state: BotState, message: dict[str, Any]) -> dict[str, Any]:
    state.store_message(message)
    state.sent.append(copy.deepcopy(message))
    return copy.deepcopy(message)


# -- methods --------------------------------------------------------------------
def get_me(state: BotState, params: dict[str, Any], options: Options) -> Any:
    return copy.deepcopy(state.bot_user)


def send_message(state: BotState, params: dict[str, Any], options: Options) -> Any:
    chat = _require_chat(state, params.get("chat_id"))
    text, entities = format_text(params.get("text"), params.get("parse_mode"), params.get("entities"), options)
    markup = inline_markup(params.get("reply_markup"))
    replied = _reply_target(state, chat, params.get("reply_parameters"))
    message: dict[str, Any] = {
        "message_id": state.new_message_id(int(chat["id"])),
        "from": copy.deepcopy(state.bot_user),
        "chat": copy.deepcopy(chat),
        "date": state.now(),
        "text": text,
    }
    if entities:
        message["entities"] = entities
    if markup:
        message["reply_markup"] = markup
    if replied:
        message["reply_to_message"] = replied
    return _record_sent(state, message)


def send_chat_action(state: BotState, params: dict[str, Any], options: Options) -> Any:
    _require_chat(state, params.get("chat_id"))
    if params.get("action") not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    return True


def _message_to_edit(state: BotState, params: dict[str, Any]) -> dict[str, Any]:
    chat = _require_chat(state, params.get("chat_id"))
    if params.get("message_id") is None:
        raise bad_request("message identifier is not specified")
    message = state.find_message(int(chat["id"]), params.get("message_id"))
    if message is None:
        raise bad_request("message to edit not found")
    if not state.is_from_bot(message):
        raise bad_request("message can't be edited")
    return message


def _finish_edit(state: BotState, old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    keys = ("text", "entities", "reply_markup")
    if all(old.get(k) == new.get(k) for k in keys):
        raise bad_request(NOT_MODIFIED)
    new["edit_date"] = state.now()
    return _record_sent(state, new)


def edit_message_text(state: BotState, params: dict[str, Any], options: Options) -> Any:
    if params.get("inline_message_id") is not None:
        format_text(params.get("text"), params.get("parse_mode"), params.get("entities"), options)
        inline_markup(params.get("reply_markup"))
        return True  # inline messages are not tracked by the fake
    message = _message_to_edit(state, params)
    if "text" not in message:
        raise bad_request("there is no text in the message to edit")
    text, entities = format_text(params.get("text"), params.get("parse_mode"), params.get("entities"), options)
    markup = inline_markup(params.get("reply_markup"))
    edited = copy.deepcopy(message)
    edited["text"] = text
    edited.pop("entities", None)
    edited.pop("reply_markup", None)  # an edit without reply_markup removes the keyboard
    if entities:
        edited["entities"] = entities
    if markup:
        edited["reply_markup"] = markup
    return _finish_edit(state, message, edited)


def edit_message_reply_markup(state: BotState, params: dict[str, Any], options: Options) -> Any:
    if params.get("inline_message_id") is not None:
        inline_markup(params.get("reply_markup"))
        return True
    message = _message_to_edit(state, params)
    markup = inline_markup(params.get("reply_markup"))
    edited = copy.deepcopy(message)
    edited.pop("reply_markup", None)
    if markup:
        edited["reply_markup"] = markup
    return _finish_edit(state, message, edited)


def answer_callback_query(state: BotState, params: dict[str, Any], options: Options) -> Any:
    if state.open_callback_queries.pop(str(params.get("callback_query_id")), None) is None:
        raise bad_request(QUERY_TOO_OLD)
    return True


def answer_inline_query(state: BotState, params: dict[str, Any], options: Options) -> Any:
    query_id = str(params.get("inline_query_id"))
    if query_id not in state.open_inline_queries:
        raise bad_request(QUERY_TOO_OLD)
    results = params.get("results")
    if not isinstance(results, list):
        raise bad_request("can't parse inline query results JSON object")
    if len(results) > MAX_INLINE_RESULTS:
        raise bad_request("RESULTS_TOO_MUCH")
    seen: set[str] = set()
    for result in results:
        if not isinstance(result, dict):
            raise bad_request("can't parse inline query result JSON object")
        result_id = str(result.get("id", ""))
        if not 1 <= len(result_id.encode("utf-8")) <= 64:
            raise bad_request("RESULT_ID_INVALID")
        if result_id in seen:
            raise bad_request("RESULT_ID_DUPLICATE")
        seen.add(result_id)
        content = result.get("input_message_content")
        if isinstance(content, dict) and "message_text" in content:
            format_text(content["message_text"], content.get("parse_mode"), content.get("entities"), options)
        inline_markup(result.get("reply_markup"))
    next_offset = params.get("next_offset")
    if isinstance(next_offset, str) and len(next_offset.encode("utf-8")) > 64:
        raise bad_request("NEXT_OFFSET_INVALID")
    del state.open_inline_queries[query_id]
    return True


def _commands_key(params: dict[str, Any]) -> str:
    scope = params.get("scope") or {"type": "default"}
    return json.dumps(scope, sort_keys=True) + "|" + str(params.get("language_code") or "")


def set_my_commands(state: BotState, params: dict[str, Any], options: Options) -> Any:
    commands = params.get("commands")
    if not isinstance(commands, list) or len(commands) > 100:
        raise bad_request("can't parse commands JSON object")
    for command in commands:
        if not isinstance(command, dict) or not _COMMAND_RE.fullmatch(str(command.get("command"))):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(str(command.get("description", ""))) <= 256:
            raise bad_request("command description must be non-empty")
    state.commands[_commands_key(params)] = copy.deepcopy(commands)
    return True


def get_my_commands(state: BotState, params: dict[str, Any], options: Options) -> Any:
    return copy.deepcopy(state.commands.get(_commands_key(params), []))


def delete_my_commands(state: BotState, params: dict[str, Any], options: Options) -> Any:
    state.commands.pop(_commands_key(params), None)
    return True


def set_webhook(state: BotState, params: dict[str, Any], options: Options) -> Any:
    url = params.get("url")
    if not isinstance(url, str):
        raise bad_request("bad webhook: url is empty")
    if url:
        match = re.fullmatch(r"https://([^/:?#]+)(?::(\d+))?(?:[/?#].*)?", url)
        if match is None:
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        if int(match.group(2) or 443) not in _WEBHOOK_PORTS:
            raise bad_request("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")
    secret = params.get("secret_token")
    if secret is not None and not (isinstance(secret, str) and _SECRET_RE.fullmatch(secret)):
        raise bad_request("secret token contains unallowed characters")
    state.webhook.url = url
    state.webhook.secret_token = secret if url else None
    state.webhook.max_connections = int(params.get("max_connections") or 40)
    state.webhook.ip_address = params.get("ip_address")
    if "allowed_updates" in params:
        state.allowed_updates = list(params["allowed_updates"]) or None
    state.webhook.allowed_updates = state.allowed_updates
    if params.get("drop_pending_updates") is True:
        state.pending_updates.clear()
    return True


def delete_webhook(state: BotState, params: dict[str, Any], options: Options) -> Any:
    state.webhook.url = ""
    state.webhook.secret_token = None
    if params.get("drop_pending_updates") is True:
        state.pending_updates.clear()
    return True


def get_webhook_info(state: BotState, params: dict[str, Any], options: Options) -> Any:
    info: dict[str, Any] = {
        "url": state.webhook.url,
        "has_custom_certificate": False,
        "pending_update_count": len(state.pending_updates),
    }
    if state.webhook.url:
        info["max_connections"] = state.webhook.max_connections
        if state.webhook.ip_address:
            info["ip_address"] = state.webhook.ip_address
        if state.allowed_updates:
            info["allowed_updates"] = list(state.allowed_updates)
    return info


def simply_true(state: BotState, params: dict[str, Any], options: Options) -> Any:
    return True


@dataclass(frozen=True)
class GetUpdatesRequest:
    offset: int | None
    limit: int
    timeout: float


def getupdates_request(state: BotState, params: dict[str, Any]) -> GetUpdatesRequest:
    """Read getUpdates' parameters (clamped as Telegram does) and apply allowed_updates."""
    if state.webhook.url:
        raise ApiError(
            409,
            "Conflict: can't use getUpdates method while webhook is active; "
            "use deleteWebhook to delete the webhook first",
        )
    offset = params.get("offset")
    limit = params.get("limit", 100)
    timeout = params.get("timeout", 0)
    if offset is not None and not isinstance(offset, int):
        raise bad_request("wrong parameter offset in request")
    if not isinstance(limit, int) or not isinstance(timeout, int | float):
        raise bad_request("wrong parameter limit or timeout in request")
    if "allowed_updates" in params:
        allowed = params["allowed_updates"]
        if not isinstance(allowed, list):
            raise bad_request("can't parse allowed updates JSON array")
        state.allowed_updates = [str(kind) for kind in allowed] or None
    return GetUpdatesRequest(offset, min(max(limit, 1), 100), max(float(timeout), 0.0))


HANDLERS: dict[str, Handler] = {
    "getMe": get_me,
    "sendMessage": send_message,
    "sendChatAction": send_chat_action,
    "editMessageText": edit_message_text,
    "editMessageReplyMarkup": edit_message_reply_markup,
    "answerCallbackQuery": answer_callback_query,
    "answerInlineQuery": answer_inline_query,
    "setMyCommands": set_my_commands,
    "getMyCommands": get_my_commands,
    "deleteMyCommands": delete_my_commands,
    "setWebhook": set_webhook,
    "deleteWebhook": delete_webhook,
    "getWebhookInfo": get_webhook_info,
    "close": simply_true,
    "logOut": simply_true,
}

#: Every method the fake answers; anything else is 404 Not Found.
IMPLEMENTED_METHODS = frozenset(HANDLERS) | {"getUpdates"}
