"""The library's exceptions. Expected outcomes ("the notes don't say") are answers, not exceptions.

    NotesQAError            base class of every error this library raises on purpose
    ├── NotesError          a notes folder that is missing, empty, or has no readable notes
    └── IndexFormatError    a saved index that is missing, truncated, corrupted or of another version
"""

from __future__ import annotations


class NotesQAError(Exception):
    """Base class of the errors raised by ``index``; the message is meant for a person."""


class NotesError(NotesQAError, ValueError):
    """The notes cannot be read: the folder is missing, empty, or holds no note files."""


class IndexFormatError(NotesQAError):
    """A saved index cannot be used: missing files, bad checksums, or a format this version cannot read."""
