"""Reading a short message in the light of the previous turn.

The conversation keeps some context (``State.context``: the last answer's title, or the last question when
the reply was unsure). A message may be a follow-up when it is short (at most ``max_words`` words), the notes
know its words (the retriever did not decline it as mostly words the notes never use: such a decline comes
without suggestions), and it either matches weakly on its own (the verdict is not ``ANSWERED``) or refers back
with a pronoun ("and *its* advantages?", "how is *it* different from a VM?"). It is then asked again with the context's
words added, and the contextual answer is kept when

1. its verdict is better than the message's own, or, for a message with a pronoun, as good (the pronoun names
   the previous topic); and
2. the section it leads with contains some of the context's words (context that only tipped a decline
   threshold is no reason to answer); and
3. without a pronoun, when the message alone was a tie, it is one of the two tied sections (context may
   settle a tie, not replace its candidates); and
4. the message does not already name the heading of its own confident answer: in "what is the docker engine
   and its architecture?" the pronoun points inside the sentence, at the "Docker Engine architecture" it names.

When a message with a pronoun, asked with the context, ties the previous answer's section with another, the
pronoun settles the tie in favour of the previous answer ("is *it* baked with salt?" after sourdough).

A message that names a new subject without a pronoun ("and containerd?") is answered on its own when it can be.
"""

from __future__ import annotations

import re
from dataclasses import replace

from index import Answer, Section, Verdict

_WORDS = re.compile(r"[^\W_]+(?:'[^\W_]+)?")
REFERRING_WORDS = frozenset("it its it's itself they them their theirs this that these those".split())
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
    if own.verdict is Verdict.NOT_COVERED and not own.suggestions:
        return False  # a new subject the notes know nothing of: context must not drag in the last topic
    return own.verdict is not Verdict.ANSWERED or leans_on_previous(text)


def leading_section(answer: Answer) -> Section | None:
    """The section an answer leads with: its hit, else its first suggestion."""
    if answer.hit is not None:
        return answer.hit.section
    return answer.suggestions[0].section if answer.suggestions else None


def prefer_contextual(
    text: str, own: Answer, contextual: Answer, *, context_found: bool, names_own_heading: bool
) -> bool:
    """Whether the answer asked with context beats the message's own answer (rules 1-4 of the module docstring).

    Args:
        context_found: The contextual answer's leading section contains some of the context's words.
        names_own_heading: Every word of the heading of the message's own best section is in the message.
    """
    leaning = leans_on_previous(text)
    if not context_found or (own.verdict is Verdict.ANSWERED and names_own_heading):
        return False
    if own.verdict is Verdict.AMBIGUOUS and not leaning:
        tied = {h.section.id for h in (*([own.hit] if own.hit else []), *own.suggestions[:1])}
        lead = leading_section(contextual)
        if lead is None or lead.id not in tied:
            return False
    gain = _RANK[contextual.verdict] - _RANK[own.verdict]
    return gain > 0 or (gain == 0 and leaning)


def settled_by_reference(text: str, contextual: Answer, previous_id: str | None) -> Answer:
    """``contextual``, with a tie settled in favour of the previous answer's section when ``text`` refers back."""
    if contextual.verdict is not Verdict.AMBIGUOUS or contextual.hit is None or not leans_on_previous(text):
        return contextual
    if contextual.hit.section.id == previous_id:
        return replace(contextual, verdict=Verdict.ANSWERED)
    runner_up = contextual.suggestions[0] if contextual.suggestions else None
    if runner_up is None or runner_up.section.id != previous_id:
        return contextual
    rest = (contextual.hit, *contextual.suggestions[1:])
    return replace(contextual, hit=runner_up, suggestions=rest, verdict=Verdict.ANSWERED)
