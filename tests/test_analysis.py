"""Words and terms: the ASCII fast path of ``words`` splits exactly like the Unicode regular expression."""

from __future__ import annotations

import string
import sys

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from index.analysis import _WORD, Analyzer, english_stemmer, fingerprint, normalize, words
from tests.conftest import CORPUS


def test_words_split_at_everything_but_letters_and_digits() -> None:
    assert words("Foo_bar-baz9 (QUX), x86_64!") == ["foo", "bar", "baz9", "qux", "x86", "64"]
    assert words("") == []
    assert words("  \t\n--__ ") == []


def test_non_ascii_text_is_normalised_then_split() -> None:
    assert words("Straße ﬁle Ｋｅｒｎｅｌ café_au-lait") == ["strasse", "file", "kernel", "café", "au", "lait"]


@given(st.text(alphabet=string.printable + "\x00\x7f", max_size=60))
@example("a\x0bb\x1cc\x1fd")  # separators that str.split() also splits at, unlike the regular expression
def test_the_ascii_fast_path_finds_what_the_regular_expression_finds(text: str) -> None:
    assert words(text) == _WORD.findall(normalize(text))


@given(st.text(max_size=40))
def test_any_text_splits_like_the_regular_expression(text: str) -> None:
    assert words(text) == _WORD.findall(normalize(text))


def test_stemming_runs_in_c_and_stems_every_word_of_the_bundled_notes_as_the_pure_python_snowball() -> None:
    # PyStemmer is a dependency: snowballstemmer hands the work to it (3x quicker builds). An index saved
    # where only the pure-Python stemmer exists must mean the same terms, so the two must agree.
    import Stemmer
    from snowballstemmer.english_stemmer import EnglishStemmer

    assert isinstance(Analyzer()._stemmer, Stemmer.Stemmer)
    vocabulary = {w for path in CORPUS.glob("*.md") for w in words(path.read_text("utf-8")) if w.isalpha()}
    pure, c = EnglishStemmer(), Analyzer()._stemmer  # PyStemmer as the analyzer makes it (no cache of its own)
    assert len(vocabulary) > 1000
    assert {w: pure.stemWord(w) for w in vocabulary} == {w: c.stemWord(w) for w in vocabulary}


def test_without_pystemmer_the_pure_python_snowball_stems(monkeypatch: pytest.MonkeyPatch) -> None:
    from snowballstemmer.english_stemmer import EnglishStemmer

    monkeypatch.setitem(sys.modules, "Stemmer", None)  # as if PyStemmer were not installed
    analyzer = Analyzer()
    assert isinstance(english_stemmer(), EnglishStemmer)
    assert isinstance(analyzer._stemmer, EnglishStemmer)
    assert analyzer.terms("Running containers") == ["run", "contain"]


def test_the_fingerprint_names_the_word_lists_and_the_stemming() -> None:
    """A saved index is valid only for the analysis it was made with: any change to it changes the name."""
    from index.analysis import STOP_WORDS

    same = Analyzer().fingerprint
    assert Analyzer().fingerprint == same
    assert Analyzer(stem=False).fingerprint != same
    assert Analyzer(stop_words=STOP_WORDS - {"never"}).fingerprint != same
    assert Analyzer(shape_words=["overview"]).fingerprint != same
    assert fingerprint() == same and fingerprint(stem=False) == Analyzer(stem=False).fingerprint  # what load reads


def test_the_word_cache_stays_within_its_limit_and_answers_alike_when_it_starts_afresh() -> None:
    analyzer, fresh = Analyzer(), Analyzer()
    analyzer.CACHE_LIMIT = 50
    questions = [f"containers{i} volumes networking images running kernels daemons layers" for i in range(40)]
    for question in questions * 2:
        assert [analyzer.term(w) for w in words(question)] == [fresh._term(w) for w in words(question)]
        assert len(analyzer._cache) <= 50
    assert analyzer.term("containers") == "contain"
    analyzer.term("rebuilding")
    assert "rebuilding" in analyzer._cache, "a full cache starts afresh rather than caching nothing more"
