"""Checking requests against the Bot API specification in ``api.json``.

``api.json`` (from PaulSonOfLars/telegram-bot-api-spec, kept outside the
repository in ``shared/telegram/``) describes every method and type::

    {"version": "Bot API 10.1", "release_date": ..., "changelog": ...,
     "methods": {"sendMessage": {"name", "href", "description": [...],
                                 "returns": ["Message"],
                                 "fields": [{"name": "chat_id",
                                             "types": ["Integer", "String"],
                                             "required": true,
                                             "description": ...}, ...]}},
     "types": {"Message": {"name", "href", "description", "fields": [...]},
               "InlineQueryResult": {..., "subtypes": ["InlineQueryResultArticle", ...]}}}

A method without parameters (getMe, close, logOut) has no "fields" key.  A
type name is one of the primitives ``Integer String Boolean Float``, an
``Array of X`` (nested: ``Array of Array of InlineKeyboardButton``), a type
with "fields", or a union with "subtypes" (whose entries may themselves be
type expressions, as in RichText).  Nested type fields say ``"required":
false`` and start their description with "Optional.".

The fake uses the declared types twice: to decode form values (``"42"`` is
the integer 42 for chat_id but the string "42" for text), and to report
*spec violations*: unknown parameter or field names, missing required ones,
and values of the wrong type, checked recursively into nested objects.

When the file is absent the fake still runs: it decodes with a small built-in
table (FALLBACK_PARAM_TYPES) and skips the check.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .wire import UploadedFile

__all__ = [
    "DEFAULT_SPEC_PATH",
    "FALLBACK_PARAM_TYPES",
    "ApiSpec",
    "Param",
    "decode_params",
    "load_spec",
]

#: ``<checkout>/../shared/telegram/api.json``: shared/ sits beside the repository.
DEFAULT_SPEC_PATH = Path(__file__).resolve().parents[3] / "shared" / "telegram" / "api.json"

#: Parameter types used for decoding when api.json is unavailable (and for
#: parameters the spec does not know).  Only parameters of the methods the
#: fake implements, plus a few common ones, are listed.
FALLBACK_PARAM_TYPES: dict[str, tuple[str, ...]] = {
    "chat_id": ("Integer", "String"),
    "message_id": ("Integer",),
    "message_thread_id": ("Integer",),
    "text": ("String",),
    "parse_mode": ("String",),
    "entities": ("Array of MessageEntity",),
    "link_preview_options": ("LinkPreviewOptions",),
    "disable_notification": ("Boolean",),
    "protect_content": ("Boolean",),
    "reply_parameters": ("ReplyParameters",),
    "reply_markup": ("InlineKeyboardMarkup",),
    "action": ("String",),
    "callback_query_id": ("String",),
    "show_alert": ("Boolean",),
    "url": ("String",),
    "cache_time": ("Integer",),
    "inline_query_id": ("String",),
    "inline_message_id": ("String",),
    "results": ("Array of InlineQueryResult",),
    "is_personal": ("Boolean",),
    "next_offset": ("String",),
    "button": ("InlineQueryResultsButton",),
    "commands": ("Array of BotCommand",),
    "scope": ("BotCommandScope",),
    "language_code": ("String",),
    "offset": ("Integer",),
    "limit": ("Integer",),
    "timeout": ("Integer",),
    "allowed_updates": ("Array of String",),
    "drop_pending_updates": ("Boolean",),
    "secret_token": ("String",),
    "max_connections": ("Integer",),
    "ip_address": ("String",),
    "certificate": ("InputFile",),
    "business_connection_id": ("String",),
    "message_effect_id": ("String",),
    "allow_paid_broadcast": ("Boolean",),
}

_INT_RE = re.compile(r"-?\d+")
_PRIMITIVES = frozenset({"Integer", "Float", "String", "Boolean", "True", "InputFile"})


@dataclass(frozen=True)
class Param:
    """One declared parameter (or field) of a method (or type)."""

    name: str
    types: tuple[str, ...]
    required: bool


def _params(fields: list[Mapping[str, Any]]) -> dict[str, Param]:
    return {f["name"]: Param(f["name"], tuple(f["types"]), bool(f["required"])) for f in fields}


class ApiSpec:
    """The methods and types of one api.json, with a request checker."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.version: str = str(data.get("version", "unknown"))
        self.methods: dict[str, dict[str, Param]] = {
            name: _params(method.get("fields", [])) for name, method in data["methods"].items()
        }
        self.types: dict[str, dict[str, Param]] = {}
        self.unions: dict[str, tuple[str, ...]] = {}
        for name, type_ in data["types"].items():
            if "subtypes" in type_:
                self.unions[name] = tuple(type_["subtypes"])
            else:
                self.types[name] = _params(type_.get("fields", []))
        self._methods_lower = {name.lower(): name for name in self.methods}

    @classmethod
    def from_file(cls, path: Path) -> ApiSpec:
        with path.open(encoding="utf-8") as stream:
            return cls(json.load(stream))

    def canonical_method(self, name: str) -> str | None:
        """Telegram matches method names case-insensitively."""
        return self._methods_lower.get(name.lower())

    def param_types(self, method: str) -> dict[str, tuple[str, ...]]:
        return {name: p.types for name, p in self.methods.get(method, {}).items()}

    def check_request(self, method: str, params: Mapping[str, Any]) -> list[str]:
        """Violations of the spec by a decoded request, as readable sentences."""
        declared = self.methods.get(method)
        if declared is None:
            return [f"{method}: method is not in the Bot API specification ({self.version})"]
        problems = [f'{method}: unknown parameter "{name}"' for name in params if name not in declared]
        problems += [
            f'{method}: missing required parameter "{p.name}"'
            for p in declared.values()
            if p.required and p.name not in params
        ]
        for name, value in params.items():
            if name in declared:
                problems += [f"{method}: {problem}" for problem in self.check_value(value, declared[name].types, name)]
        return problems

    def check_value(self, value: Any, types: tuple[str, ...], path: str) -> list[str]:
        """Problems with ``value`` against any of ``types`` (empty when one matches)."""
        attempts = [self._check_expr(value, expr, path) for expr in types]
        if not attempts or any(not problems for problems in attempts):
            return []
        if isinstance(value, dict | list):
            structured = [a for a, expr in zip(attempts, types, strict=True) if expr not in _PRIMITIVES]
            if structured:
                return min(structured, key=len)
        return [f'"{path}" must be {" or ".join(types)}, got {_short(value)}']

    def _check_expr(self, value: Any, expr: str, path: str) -> list[str]:
        if expr.startswith("Array of "):
            if not isinstance(value, list):
                return [f'"{path}" must be {expr}, got {_short(value)}']
            inner = expr[len("Array of ") :]
            problems: list[str] = []
            for index, item in enumerate(value):
                problems += self.check_value(item, (inner,), f"{path}[{index}]")
            return problems
        if expr in _PRIMITIVES:
            return [] if _is_primitive(value, expr) else [f'"{path}" must be {expr}, got {_short(value)}']
        if expr in self.unions:
            return self.check_value(value, self.unions[expr], path)
        fields = self.types.get(expr)
        if fields is None:
            return []  # a type the spec does not describe: nothing to check against
        if not fields:
            return [] if isinstance(value, dict) else [f'"{path}" must be {expr}, got {_short(value)}']
        if not isinstance(value, dict):
            return [f'"{path}" must be {expr}, got {_short(value)}']
        problems = [f'"{path}" has unknown field "{key}" for {expr}' for key in value if key not in fields]
        problems += [
            f'"{path}" lacks required field "{f.name}" of {expr}'
            for f in fields.values()
            if f.required and f.name not in value
        ]
        for key, item in value.items():
            if key in fields:
                problems += self.check_value(item, fields[key].types, f"{path}.{key}")
        return problems


def _is_primitive(value: Any, expr: str) -> bool:
    if expr == "Integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if expr == "Float":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if expr == "String":
        return isinstance(value, str)
    if expr == "Boolean":
        return isinstance(value, bool)
    if expr == "True":
        return value is True
    return isinstance(value, UploadedFile | str)  # InputFile: an upload, a file_id or a URL


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, UploadedFile) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


_cache: dict[Path, ApiSpec] = {}
_cache_lock = threading.Lock()


def load_spec(path: Path | None = DEFAULT_SPEC_PATH) -> ApiSpec | None:
    """The spec at ``path`` (parsed once per process), or None when there is no such file."""
    if path is None or not path.is_file():
        return None
    resolved = path.resolve()
    with _cache_lock:
        if resolved not in _cache:
            _cache[resolved] = ApiSpec.from_file(resolved)
        return _cache[resolved]


def decode_value(value: Any, types: tuple[str, ...] | None) -> Any:
    """Turn a raw string into the first declared type it can be read as.

    Form fields carry ``42``, ``true`` or ``{"inline_keyboard": ...}`` as text;
    JSON bodies may also carry nested objects as JSON strings.  Values that
    cannot be read as any declared type stay strings (and the spec check then
    reports them).  Without declared types, only JSON objects and arrays are
    decoded.
    """
    if not isinstance(value, str):
        return value
    if types is None:
        types = ("Object", "String") if value[:1] in ("{", "[") else ("String",)
    for expr in types:
        if expr == "String":
            return value
        if expr == "Integer" and _INT_RE.fullmatch(value.strip()):
            return int(value)
        if expr == "Float":
            try:
                number = json.loads(value)
            except ValueError:
                continue
            if isinstance(number, int | float) and not isinstance(number, bool):
                return number
        elif expr in ("Boolean", "True") and value.strip().lower() in ("true", "false", "1", "0"):
            return value.strip().lower() in ("true", "1")
        elif expr not in _PRIMITIVES and value.lstrip()[:1] in ("{", "["):
            try:
                return json.loads(value)
            except ValueError:
                continue
    return value


def decode_params(raw: Mapping[str, Any], declared: Mapping[str, tuple[str, ...]]) -> dict[str, Any]:
    """Decode every raw parameter by its declared (or fallback) types."""
    return {
        name: decode_value(value, declared.get(name) or FALLBACK_PARAM_TYPES.get(name)) for name, value in raw.items()
    }
