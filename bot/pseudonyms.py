"""Pseudonymous user ids: a keyed hash (HMAC-SHA256) of the channel and the user's id, never the id itself.

The same person gets the same pseudonym on every question, so the question log can count people and the
logs can follow one conversation, but nobody without the key can tell who asked: a plain hash of a Telegram
user id would not do, as ids are small numbers that can be hashed one by one. The key is
``NOTES_QA_USER_HASH_KEY`` when set; otherwise a random key is generated once and kept in a file beside the
question log (``questions.key`` beside ``questions.sqlite3``, readable by its owner only). Changing or losing
the key gives everyone new pseudonyms; nothing else breaks.
"""

from __future__ import annotations

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
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("x", encoding="ascii") as file:  # fails if another process made it first
                path.chmod(0o600)
                file.write(secrets.token_hex(KEY_BYTES) + "\n")
        except FileExistsError:
            pass
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


def key_path(database: Path) -> Path:
    """Where the generated key is kept: ``questions.key`` beside ``questions.sqlite3``."""
    return database.with_suffix(".key")
