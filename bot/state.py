"""The conversation's state: a small immutable value that a front end keeps per chat and passes back."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

STATE_VERSION = 1
MAX_CONTEXT_CHARS = 200


@dataclass(frozen=True, slots=True)
class State:
    """What the conversation remembers between turns.

    Attributes:
        section_id: The section of the last answer ("more" continues it, /source names it), or None.
        shown: Indices of that section's passages already shown (see ``bot.passages``).
        context: Words a short follow-up leans on: the last answer's title, or the last question when the
            reply was unsure; empty when there is nothing to lean on.
        choices: Section ids of the last numbered list (suggestions or a topics page); typing ``2`` or
            ``/2`` picks the second.

    ``State()`` is a fresh conversation. Store it with ``to_json`` and read it back with ``from_json``.
    """

    section_id: str | None = None
    shown: tuple[int, ...] = ()
    context: str = ""
    choices: tuple[str, ...] = ()

    def to_json(self) -> str:
        """A compact JSON text of the state (a few hundred bytes)."""
        value = {
            "v": STATE_VERSION,
            "section": self.section_id,
            "shown": list(self.shown),
            "context": self.context,
            "choices": list(self.choices),
        }
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | bytes) -> State:
        """Read a state written by ``to_json``.

        Raises:
            ValueError: the text is not a state of this version; a front end can start afresh with
                ``State()``.
        """
        try:
            value = json.loads(text)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ValueError(f"not a conversation state (invalid JSON: {exc})") from None
        if not isinstance(value, dict) or value.get("v") != STATE_VERSION:
            raise ValueError(f"not a conversation state of version {STATE_VERSION}: {str(text)[:80]!r}")
        section = value.get("section")
        shown = value.get("shown", [])
        context = value.get("context", "")
        choices = value.get("choices", [])
        if not (
            (section is None or isinstance(section, str))
            and _list_of(shown, int)
            and isinstance(context, str)
            and _list_of(choices, str)
        ):
            raise ValueError(f"not a conversation state: unexpected field types in {str(text)[:80]!r}")
        return cls(section, tuple(shown), context[:MAX_CONTEXT_CHARS], tuple(choices))


def _list_of(value: Any, kind: type) -> bool:
    return isinstance(value, list) and all(isinstance(v, kind) and not isinstance(v, bool) for v in value)
