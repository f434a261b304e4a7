"""How Bot API requests look on the wire, and how the fake reads them.

python-telegram-bot 22 (``telegram/request/_requestdata.py`` and
``_httpxrequest.py``) sends every call as ``POST /bot<TOKEN>/<method>``:

* without files: ``application/x-www-form-urlencoded``; each parameter is one
  form field, strings as they are and everything else JSON-encoded
  (``chat_id=42``, ``disable_notification=true``,
  ``reply_markup={"inline_keyboard": [[...]]}``); parameters that are None are
  left out, an empty string is sent as an empty field;
* with files: ``multipart/form-data`` with the same fields plus file parts.

Telegram also accepts a JSON body and query-string parameters, so the fake
does too.  Values therefore arrive as strings (form, multipart, query) or as
JSON values (JSON body); spec.decode_params turns them into the types the Bot
API declares.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import parse_qsl

__all__ = ["UploadedFile", "WireError", "encode_json", "parse_request_params"]


class WireError(ValueError):
    """The body could not be read; answered as 400 Bad Request."""


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request (recorded instead of the raw bytes)."""

    filename: str
    content_type: str
    size: int
    data: bytes = field(repr=False, default=b"")


def parse_request_params(content_type: str | None, body: bytes, query: str) -> dict[str, Any]:
    """Merge query-string and body parameters into one dict of raw values."""
    params: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    if not body.strip():
        return params
    if media_type == "application/json":
        try:
            decoded = json.loads(body)
        except ValueError as exc:
            raise WireError(f"can't parse JSON body: {exc}") from None
        if not isinstance(decoded, dict):
            raise WireError("JSON body must be an object")
        params.update(decoded)
    elif media_type == "multipart/form-data":
        params.update(_parse_multipart(content_type or "", body))
    elif media_type in ("application/x-www-form-urlencoded", ""):
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise WireError("request body is not valid UTF-8") from None
        params.update(parse_qsl(text, keep_blank_values=True))
    else:
        raise WireError(f"unsupported Content-Type {media_type!r}")
    return params


def _parse_multipart(content_type: str, body: bytes) -> dict[str, Any]:
    head = f"Content-Type: {content_type}\r\n\r\n".encode("latin-1")
    message = BytesParser(policy=HTTP).parsebytes(head + body)
    if not isinstance(message, EmailMessage) or not message.is_multipart():
        raise WireError("malformed multipart body")
    params: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            raise WireError("multipart part without a name")
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        if filename is not None:
            params[name] = UploadedFile(filename, part.get_content_type(), len(data), data)
        else:
            params[name] = data.decode("utf-8", "replace")
    return params


def encode_json(payload: object) -> bytes:
    """Telegram answers with compact UTF-8 JSON."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
