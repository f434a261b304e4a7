"""Pseudonymous user ids: a keyed hash (HMAC-SHA256) of the channel and the user's id, never the id itself.

The same person gets the same pseudonym on every question, so the question log can count people and the
logs can follow one conversation, but nobody without the key can tell who asked: a plain hash of a Telegram
user id would not do, as ids are small numbers that can be hashed one by one. The key is
``NOTES_QA_USER_HASH_KEY`` when set; otherwise a random key is generated once and kept in a file beside the
question log (``questions.key`` beside ``questions.sqlite3``, readable by its owner only). Changing or losing
the key gives everyone new pseudonyms; nothing else breaks.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import secrets
from pathlib import Path

KEY_BYTES = 32
PSEUDONYM_HEX = 16  # 64 bits: no collisions among any plausible number of users


class PseudonymKeyError(Exception):
    """The key file beside the question log cannot be read or created; the message names the file."""


class Pseudonyms:
    """Turns ``(channel, user id)`` into a 16-hex-digit pseudonym with a secret key.

    >>> Pseudonyms(b"k" * 32)("telegram", 42)
    'a6e1e958c5aebde2'
    """

    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError(f"the pseudonym key must be at least 16 bytes, got {len(key)}")
        self._key = key

    def __call__(self, channel: str, user: object) -> str:
        message = f"{channel}\0{user}".encode("utf-8", "surrogateescape")
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()[:PSEUDONYM_HEX]

    def __repr__(self) -> str:
        return "Pseudonyms(<key hidden>)"

    @classmethod
    def beside(cls, database: Path, *, key: bytes | None = None) -> Pseudonyms:
        """Pseudonyms with ``key``, or with the key kept in ``key_path(database)`` (created on first use).

        Raises:
            PseudonymKeyError: the key file cannot be created or read, or holds too short a key.
        """
        if key is not None:
            return cls(key)
        path = key_path(database)
        if not path.exists():
            try:
                _create_key_file(path)
            except OSError as exc:
                raise PseudonymKeyError(f"cannot create the pseudonym key file {path}: {exc.strerror or exc}") from None
        try:
            text = path.read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise PseudonymKeyError(f"cannot read the pseudonym key file {path}: {exc}") from None
        if len(text) < 32:
            raise PseudonymKeyError(
                f"the pseudonym key file {path} holds {len(text)} characters, expected 64 hex digits; "
                "delete it to have a new key made (everyone then gets new pseudonyms)"
            )
        return cls(text.encode("ascii"))


def _create_key_file(path: Path) -> None:
    """Write a new random key to ``path`` unless another thread or process got there first.

    The key is written to a private temporary file which is then hard-linked into place: the link either
    appears whole or fails because the file exists, so a reader never sees a half-written key and two
    first starts agree on one key.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    try:
        draft.touch(mode=0o600, exist_ok=False)
        draft.write_text(secrets.token_hex(KEY_BYTES) + "\n", encoding="ascii")
        with contextlib.suppress(FileExistsError):  # another thread or process made it first: use theirs
            path.hardlink_to(draft)
    finally:
        draft.unlink(missing_ok=True)


def key_path(database: Path) -> Path:
    """Where the generated key is kept: ``questions.key`` beside ``questions.sqlite3``."""
    return database.with_suffix(".key")
