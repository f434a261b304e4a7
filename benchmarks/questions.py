"""Known-item questions: a distinctive fragment of one section, asked clean and with one typo.

For a gold section, the question is a window of 5 to 8 consecutive words from one of its sentences (never
from its title), chosen among the windows with the highest summed word rarity (idf over the pool) and
holding at least three content words, and occurring nowhere else in the corpus (:class:`Fragments`): the
pool holds near-duplicates (the same man page for three release tracks, inherited docstrings with one word
changed), and a fragment they share would make top-1 a lottery between equally good answers. The typo
variant changes one content word of 5 letters or more by one edit (delete, swap of neighbours, substitute,
insert) into a string that is not a word of the pool, so it is a genuine non-word misspelling. Everything
is driven by one seeded ``random.Random``.
"""

from __future__ import annotations

import math
import random
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from benchmarks.corpus import Doc, sentences

_WORD = re.compile(r"[A-Za-z][A-Za-z']*[A-Za-z]|[A-Za-z]")
_LETTERS = "abcdefghijklmnopqrstuvwxyz"

# A short English function-word list: content words are the others (any retriever's stop list differs).
STOP = frozenset(
    """a about above after again all also an and any are as at be because been before being below between
    both but by can could did do does doing down during each few for from further had has have having he her
    here him his how i if in into is it its itself just me more most my no nor not now of off on once only or
    other our out over own same she should so some such than that the their them then there these they this
    those through to too under until up very was we were what when where which while who whom why will with
    would you your""".split()
)

MIN_WINDOW, MAX_WINDOW = 5, 8


@dataclass(frozen=True, slots=True)
class Question:
    """One known-item question: its text, the id of the section that answers it, and its kind."""

    text: str
    gold: str
    kind: str  # "clean" or "typo"


def document_frequencies(docs: Iterable[Doc]) -> Counter[str]:
    """In how many sections each lower-cased word occurs (title and text)."""
    df: Counter[str] = Counter()
    for doc in docs:
        df.update({w.lower() for w in _WORD.findall(doc.text)})
    return df


class Fragments:
    """Every section's words, lower-cased, one line per section: to check that a fragment occurs once."""

    def __init__(self, docs: Iterable[Doc]) -> None:
        self._text = "\n".join(" ".join(_WORD.findall(f"{d.title} {d.text}")).lower() for d in docs)

    def unique(self, fragment: str) -> bool:
        """Whether ``fragment`` (words joined by spaces) occurs exactly once, as a substring of the words."""
        needle = fragment.lower()
        first = self._text.find(needle)
        return first >= 0 and self._text.find(needle, first + 1) < 0


def _content(word: str) -> bool:
    return len(word) >= 3 and word.lower() not in STOP


def _best_window(
    doc: Doc, df: Counter[str], n_docs: int, rng: random.Random, fragments: Fragments | None
) -> list[str] | None:
    title_words = {w.lower() for w in _WORD.findall(doc.title)}
    scored: list[tuple[float, list[str]]] = []
    for sentence in sentences(doc.text)[:30]:
        tokens = _WORD.findall(sentence)
        if len(tokens) < MIN_WINDOW:
            continue
        size = min(MAX_WINDOW, len(tokens), rng.randint(MIN_WINDOW, MAX_WINDOW))
        for start in range(0, len(tokens) - size + 1):
            window = tokens[start : start + size]
            content = [w for w in window if _content(w)]
            if len(content) < 3 or {w.lower() for w in content} <= title_words:
                continue
            rarity = sum(math.log(n_docs / (1 + df.get(w.lower(), 0))) for w in content)
            scored.append((rarity, window))
    if not scored:
        return None
    scored.sort(key=lambda item: -item[0])
    first = rng.randrange(min(3, len(scored)))
    for _, window in scored[first : first + 3]:
        if fragments is None or fragments.unique(" ".join(window)):
            return window
    return None


def misspell(word: str, rng: random.Random, known: Counter[str] | set[str]) -> str | None:
    """One edit of ``word`` (not its first letter) that is not a known word; None if none is found."""
    for _ in range(20):
        i = rng.randrange(1, len(word))
        edit = rng.randrange(4)
        if edit == 0:
            typo = word[:i] + word[i + 1 :]
        elif edit == 1 and i + 1 < len(word) and word[i] != word[i + 1]:
            typo = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        elif edit == 2:
            typo = word[:i] + rng.choice(_LETTERS.replace(word[i].lower(), "")) + word[i + 1 :]
        else:
            typo = word[:i] + rng.choice(_LETTERS) + word[i:]
        if typo != word and typo.lower() not in known:
            return typo
    return None


def make_questions(
    docs: Sequence[Doc],
    count: int,
    *,
    df: Counter[str],
    n_docs: int,
    seed: int,
    fragments: Fragments | None = None,
) -> list[Question]:
    """``count`` clean questions and their ``count`` typo twins, gold sections drawn from ``docs``.

    With ``fragments`` (built from the whole corpus), only fragments that occur once in it are asked.
    Sections that yield no usable window or no typo are skipped, so fewer may come back for tiny corpora.
    """
    rng = random.Random(seed)
    order = list(range(len(docs)))
    rng.shuffle(order)
    clean: list[Question] = []
    typo: list[Question] = []
    for i in order:
        if len(clean) >= count:
            break
        doc = docs[i]
        window = _best_window(doc, df, n_docs, rng, fragments)
        if window is None:
            continue
        slots = [j for j, w in enumerate(window) if len(w) >= 5 and w.isalpha() and w.lower() not in STOP]
        if not slots:
            continue
        j = rng.choice(slots)
        wrong = misspell(window[j], rng, df)
        if wrong is None:
            continue
        clean.append(Question(" ".join(window), doc.id, "clean"))
        typo.append(Question(" ".join([*window[:j], wrong, *window[j + 1 :]]), doc.id, "typo"))
    return clean + typo
