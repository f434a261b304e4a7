"""Reading a short message in the light of the previous turn.

A message is taken as a follow-up when the conversation has something to lean on (``State.context``), the
message is short (at most ``max_words`` words), and either it matches weakly on its own (the retriever's
verdict is not ``ANSWERED``) or it leans on the previous turn with a pronoun ("and *its* advantages?",
"how is *it* different from a VM?"). It is then asked again with the context's words added, and the
contextual answer is kept when its verdict is better; for a message with a pronoun, also when it is as good,
since the pronoun names the previous topic. Either way the section it leads with must itself contain some of
the context's words: context that only tipped a decline threshold is not a reason to answer. Without a
pronoun, context may settle a tie but not change its candidates: when the message alone is ambiguous, the
contextual answer must be one of the two sections it was torn between. A message that names a new subject without
a pronoun ("and containerd?") is answered on its own when it can be.
"""

from __future__ import annotations

import re

from index import Answer, Section, Verdict

_WORDS = re.compile(r"[^\W_]+(?:'[^\W_]+)?")
REFERRING_WORDS = frozenset(
    "it its it's itself they them their theirs this that these those".split()
)
_RANK = {Verdict.EMPTY: 0, Verdict.NOT_COVERED: 1, Verdict.AMBIGUOUS: 2, Verdict.ANSWERED: 3}


def message_words(text: str) -> list[str]:
    """The words of a message, lower case, apostrophes kept inside words ("it's")."""
    return _WORDS.findall(text.casefold().replace("’", "'"))


def leans_on_previous(text: str) -> bool:
    """Whether the message refers back with a pronoun ("its", "it", "they", "this", ...)."""
    return any(word in REFERRING_WORDS for word in message_words(text))


def may_follow_up(text: str, own: Answer, *, max_words: int) -> bool:
    """Whether a message is short and either weak on its own or refers back (see the module docstring)."""
    if len(message_words(text)) > max_words:
        return False
    return own.verdict is not Verdict.ANSWERED or leans_on_previous(text)


def leading_section(answer: Answer) -> Section | None:
    """The section an answer leads with: its hit, else its first suggestion."""
    if answer.hit is not None:
        return answer.hit.section
    return answer.suggestions[0].section if answer.suggestions else None


def prefer_contextual(text: str, own: Answer, contextual: Answer, *, context_found: bool) -> bool:
    """Whether the answer asked with context beats the message's own answer.

    ``context_found`` says whether the contextual answer's leading section contains any of the context's words.
    """
    if not context_found:
        return False
    leaning = leans_on_previous(text)
    if own.verdict is Verdict.AMBIGUOUS and not leaning:
        candidates = {h.section.id for h in (*([own.hit] if own.hit else []), *own.suggestions[:1])}
        lead = leading_section(contextual)
        if lead is None or lead.id not in candidates:
            return False
    gain = _RANK[contextual.verdict] - _RANK[own.verdict]
    return gain > 0 or (gain == 0 and leaning)
