"""Turning text into index terms: Unicode-normalised words, question stop words removed, English stems."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from typing import Protocol

_WORD = re.compile(r"[^\W_]+")
# For ASCII text: every byte that is not a letter or digit becomes a space, so ``split`` finds the words
# that ``_WORD`` would (about twice as quick as the regular expression, and most notes are ASCII).
_ASCII_SPACES = bytes(c if chr(c).isalnum() and c < 128 else 32 for c in range(256))

# Function words, and the words people wrap around a question ("hey, can you tell me what ... means?"),
# in the forms people type them ("explained", "wondering"), and the commonest misspellings of short ones
# ("teh"): the spelling correction leaves words under four letters alone, and "teh", counted as a word the
# notes never use, had "what is teh kernel?" declined.
# Made for questions: content words that scikit-learn's general list drops ("system", "fill", "interest",
# "back", "top", "find") are kept, because notes are about exactly such things.
STOP_WORDS: frozenset[str] = frozenset(
    """
    a about above after again against all also am an and any are aren as at be because been before being
    below between both but by can cannot could couldn did didn do does doesn doing don down during each
    either else etc ever every few for from further had hadn has hasn have haven having he her here hers
    herself him himself his how i if in into is isn it its itself just let lets me might mine more most
    much must my myself need no nor not now of off on once only or other ought our ours ourselves out over
    own please same shall she should shouldn so some such than that thats the their theirs them themselves
    then there these they thing things this those though through thus to too under until up upon us very
    was wasn we were weren what whats when where whether which while who whom whose why will with within
    without won would wouldn yes yet you your yours yourself yourselves s t d ll m re ve
    hey hi hello hiya thanks thank thx pls plz ok okay so um uh hmm well really actually basically
    tell explain describe mean means meaning know want wanna like kind sort quick quickly question
    anyone somebody someone something anything way ways guess curious wondering wonder idea get got
    understand help give show say said talk tldr eli5 exactly simple simply short briefly brief
    really totally usually stuff anyway gonna kinda sorta literally yo dude guys folks bit lot lots
    wat wut u ur r y ya pls ty tho bc cuz lol btw imo idk iirc afaik vs versus
    dont doesnt didnt isnt arent wasnt werent cant couldnt wont wouldnt shouldnt hasnt havent im ive youre
    never explained explains explaining described describes describing tells telling told wants wanted
    wanting wondering wondered guessing says saying talks talking understood
    teh hte adn yuo hwo waht taht thsi wiht jsut
    """.split()
)

# Words that say what shape of answer is wanted ("an overview", "X vs Y", "tips for beginners") rather than
# what it is about. Where the notes use one it is matched like any word; where they never do, it is left
# out of the question instead of counting as a word the notes lack, so "docker internals overview" is not
# declined as off-topic because no note says "overview".
SHAPE_WORDS: frozenset[str] = frozenset(
    """
    overview overviews summary summarise summarize intro introduction introductions basics basic beginner
    beginners newbie newbies novice guide guides tutorial tutorials walkthrough tip tips trick tricks
    definition definitions define defined concept concepts topic topics chapter chapters section sections
    difference differences different differ differs compare compared comparison comparing
    example examples sample samples setup explanation details detailed purpose pros cons practice
    practices recommended recommendation advice howto cheatsheet reference
    """.split()
)


def normalize(text: str) -> str:
    """NFKC-normalise and case-fold."""
    return (text if text.isascii() else unicodedata.normalize("NFKC", text)).casefold()


def words(text: str) -> list[str]:
    """The words of ``text``, normalised: runs of letters and digits (code words split at punctuation)."""
    if text.isascii():
        return text.lower().encode("ascii").translate(_ASCII_SPACES).decode("ascii").split()
    return _WORD.findall(normalize(text))


def fingerprint(
    *, stem: bool = True, stop_words: Iterable[str] = STOP_WORDS, shape_words: Iterable[str] = SHAPE_WORDS
) -> str:
    """A short name for an analysis (stemming and word lists), the ``fingerprint`` of its ``Analyzer``."""
    stemming = "snowball-english" if stem else "none"
    text = "\n".join([stemming, " ".join(sorted(set(stop_words))), " ".join(sorted(set(shape_words)))])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class Stemmer(Protocol):
    """What ``Analyzer`` needs of a stemmer (the method name is both Snowball libraries')."""

    def stemWord(self, word: str) -> str: ...


def english_stemmer() -> Stemmer:
    """The Snowball English stemmer: PyStemmer's C implementation where installed, else snowballstemmer's.

    PyStemmer's own cache is turned off: ``Analyzer`` caches every word it stems, so that cache would
    only ever see new words, and a new word costs about three times as much to stem with it on.
    """
    try:
        import Stemmer as pystemmer
    except ImportError:
        from snowballstemmer.english_stemmer import EnglishStemmer

        stemmer: Stemmer = EnglishStemmer()
        return stemmer
    stemmer = pystemmer.Stemmer("english", 0)
    return stemmer


class Analyzer:
    """Words to index terms: stop words dropped, the rest stemmed with the Snowball English stemmer.

    Terms are cached per word (a plain dict), so analysing a question costs a look-up per word. The cache
    starts afresh when it holds ``CACHE_LIMIT`` words: an app that asks millions of different questions
    keeps at most that many (each question also adds the joined words of its compound check).
    """

    CACHE_LIMIT = 1 << 17
    """About 15 MB of cached words at the most (113 bytes a word, measured, besides the words themselves)."""

    def __init__(
        self, *, stem: bool = True, stop_words: Iterable[str] = STOP_WORDS, shape_words: Iterable[str] = SHAPE_WORDS
    ) -> None:
        self.stop_words = frozenset(stop_words)
        self._stemmer = english_stemmer() if stem else None
        shape_words = frozenset(shape_words)
        self.fingerprint: str = fingerprint(stem=stem, stop_words=self.stop_words, shape_words=shape_words)
        """Names how words become terms (stemming and word lists): an index is valid only for the same one."""
        self._cache: dict[str, str | None] = {}
        self.shape_terms: frozenset[str] = frozenset(t for w in shape_words if (t := self._term(w)) is not None)
        """The terms of ``SHAPE_WORDS``: left out of a question when the notes never use them."""

    def term(self, word: str) -> str | None:
        """The index term of one normalised word, or None for a stop word or a lone letter."""
        try:
            return self._cache[word]
        except KeyError:
            pass
        term = self._term(word)
        if len(self._cache) >= self.CACHE_LIMIT:
            self._cache.clear()  # the words in use come back in a few questions
        self._cache[word] = term
        return term

    def _term(self, word: str) -> str | None:
        if word in self.stop_words or (len(word) == 1 and not word.isdigit()):
            return None
        if self._stemmer is None or not word.isalpha():
            return word
        stem: str = self._stemmer.stemWord(word)
        return stem

    def terms(self, text: str) -> list[str]:
        """Index terms of ``text``, in order, with repeats."""
        term = self.term
        return [t for w in words(text) if (t := term(w)) is not None]
