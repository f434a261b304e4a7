"""Where notes-qa keeps its files for a user: the saved index, the REPL's history, the bot's databases.

Both front ends use these, so the REPL and the bot share one saved index per notes folder.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def user_dir(variable: str, fallback: str) -> Path:
    """``$variable`` when it holds an absolute path (XDG rules), else ``~/fallback``."""
    value = os.environ.get(variable, "")
    return Path(value) if os.path.isabs(value) else Path.home() / fallback


def default_cache_dir(notes: Path) -> Path:
    """``$XDG_CACHE_HOME/notes-qa/<16 hex digits of the notes folder's absolute path>``."""
    digest = hashlib.sha256(str(notes.resolve()).encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return user_dir("XDG_CACHE_HOME", ".cache") / "notes-qa" / digest


def state_dir() -> Path:
    """``$XDG_STATE_HOME/notes-qa``: history, chat state and other files that should survive restarts."""
    return user_dir("XDG_STATE_HOME", ".local/state") / "notes-qa"
