"""What a built index keeps is compact but exact: its counts, sections and word frequencies give back
exactly what they were made from."""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from index import Retriever, RetrieverParams, Section
from index.analysis import Analyzer
from index.counting import PackedCounts
from index.retriever import _count
from index.spelling import SpellingCorrector
from index.storage import SectionTable
from index.weighting import TermMatrix, WeightParams
from tests.conftest import CORPUS


def section(i: int, text: str, **fields: object) -> Section:
    values: dict[str, object] = {
        "id": f"n{i}.md#s", "path": f"n{i}.md", "title": f"Title {i}", "trail": (), "level": 1, "line": 1,
        "markdown": text, "text": text,
    }
    values.update(fields)
    return Section(**values)  # type: ignore[arg-type]


SECTIONS = [
    section(0, "The kernel manages memory and processes. " * 3, trail=("Operating systems",)),
    section(1, "A daemon is a background process.", markdown="A *daemon* is a background process.", level=2),
    section(2, "word " * 5000, title="word word"),  # a count so large that neighbouring weights coincide
    section(3, "", navigation=True, level=0, line=7),
    section(4, "Containers share the host kernel; images are layered.", trail=("Docker", "Basics"), line=40),
]


def counted(sections: list[Section], weights: WeightParams) -> tuple[TermMatrix, np.ndarray]:
    searchable = [s for s in sections if s.searchable]
    counts = _count(searchable, Analyzer(), weights, Counter())
    return TermMatrix.with_counts(counts, weights)


@pytest.mark.parametrize(
    "weights",
    [WeightParams(), WeightParams(title_weight=2.5, trail_weight=0.3), WeightParams(k1=0.0), WeightParams(b=0.0)],
    ids=["default", "fractional fields", "no saturation", "no length normalisation"],
)
def test_packed_counts_unpack_to_the_same_bits(weights: WeightParams) -> None:
    matrix, tf = counted(SECTIONS, weights)
    unpacked = PackedCounts.pack(tf, matrix, weights).unpack(matrix)
    assert unpacked.dtype == np.float32
    assert unpacked.tobytes() == tf.tobytes()
    built = Retriever.from_sections(SECTIONS, params=RetrieverParams(weights=weights))
    assert built._counted_tf().tobytes() == tf.tobytes()


def test_whole_counts_are_mostly_worked_out_from_the_weights() -> None:
    corpus = Retriever.from_directory(CORPUS)
    matrix, tf = corpus._matrix, corpus._counted_tf()
    packed = PackedCounts.pack(tf, matrix, WeightParams())
    assert packed.positions is not None and len(packed.positions) <= len(tf) // 100
    assert packed.unpack(matrix).tobytes() == tf.tobytes()


def test_counts_that_cannot_be_worked_out_are_all_kept() -> None:
    matrix, tf = counted(SECTIONS, WeightParams(k1=0.0))  # every weight is the idf: it says nothing of the count
    packed = PackedCounts.pack(tf, matrix, WeightParams(k1=0.0))
    assert packed.positions is None and packed.others.tobytes() == tf.tobytes()


def test_a_section_table_gives_back_equal_sections() -> None:
    table = SectionTable(SECTIONS)
    assert list(table) == SECTIONS
    assert table == SECTIONS and table == tuple(SECTIONS)
    assert [table[i] for i in range(-len(SECTIONS), 0)] == SECTIONS
    assert table[1:4] == tuple(SECTIONS[1:4])
    assert table.position("n4.md#s") == 4 and table.position("nowhere") is None
    with pytest.raises(IndexError):
        table[len(SECTIONS)]
    assert len(SectionTable([])) == 0 and list(SectionTable([])) == []


@pytest.mark.parametrize("kind", ["table", "store"])
def test_the_first_sections_returned_are_kept_made_up_to_a_bound(kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from index.storage import SectionStore, _SectionSequence

    def made() -> _SectionSequence:
        if kind == "table":
            return SectionTable(SECTIONS)
        arrays = SectionStore.encode(SECTIONS)
        return SectionStore(arrays["section_text"], arrays["section_offsets"], arrays["section_meta"])

    sections = made()
    first = sections.returned(4)
    assert first == SECTIONS[4] and sections.returned(4) is first  # one object for every search
    assert sections[4] == first and sections[4] is not first  # the sequence itself still makes them anew
    monkeypatch.setattr(_SectionSequence, "KEEP_LIMIT", 2)
    sections = made()
    kept = [sections.returned(0), sections.returned(1)]
    third = sections.returned(2)  # past the bound: made anew each time, and the kept ones stay
    assert third == SECTIONS[2] and sections.returned(2) is not third
    assert kept == SECTIONS[:2] and all(sections.returned(i) is kept[i] for i in (0, 1))
    monkeypatch.setattr(_SectionSequence, "KEEP_CHARS", 100)
    sections = made()
    big = sections.returned(2)  # 25,000 characters: the text bound is reached with the first one
    assert sections.returned(2) is big and sections.returned(0) is not sections.returned(0)


def test_a_search_returns_the_same_hits_from_kept_sections(tmp_path: Path) -> None:
    built = Retriever.from_directory(CORPUS)
    loaded = Retriever.load(built.save(tmp_path / "index"))
    questions = ["what is a volume", "how do layers work", "what is a volume", "kernel namespaces"]
    for retriever in (built, loaded):
        fresh = [Retriever.load(tmp_path / "index").search(q) for q in questions]
        assert [retriever.search(q) for q in questions] == fresh
    again = built.search("what is a volume")
    assert all(a.section is b.section for a, b in zip(again, built.search("what is a volume"), strict=True))


def test_sections_with_large_lines_and_levels_are_kept_exactly() -> None:
    odd = [section(0, "x y z", line=2**40, level=6), section(1, "a b c", line=-3, level=0, navigation=True)]
    assert list(SectionTable(odd)) == odd


def test_a_built_index_keeps_sections_frequencies_and_counts_that_save_and_load_unchanged(tmp_path: Path) -> None:
    built = Retriever.from_directory(CORPUS)
    loaded = Retriever.load(built.save(tmp_path / "index"))
    assert built.sections == loaded.sections
    assert built._frequencies == loaded._frequencies
    assert built._counted_tf().tobytes() == loaded._counted_tf().tobytes()
    assert built.section(built.sections[3].id) == loaded.sections[3]


def test_spelling_word_numbers_are_narrow_in_memory_and_int32_on_disk(tmp_path: Path) -> None:
    built = Retriever.from_directory(CORPUS)
    assert built._speller is not None
    assert built._speller.table()[1].dtype == np.uint16
    loaded = Retriever.load(built.save(tmp_path / "index"))
    assert np.load(tmp_path / "index" / "spell_ids.npy").dtype == np.int32
    typos = ["kernal", "contaner", "volumse", "dokcer", "netwrok"]
    assert loaded._speller is not None
    assert [built._speller.correct(w) for w in typos] == [loaded._speller.correct(w) for w in typos]


def test_more_words_than_sixteen_bits_number_keep_int32() -> None:
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = {a + b + c + d: 2 for a in letters[:11] for b in letters for c in letters for d in letters[:9]}
    assert len(words) > 1 << 16
    corrector = SpellingCorrector(words)
    assert corrector.table()[1].dtype == np.int32
    assert corrector.correct("abbcz") == "abbc"


def test_a_section_table_saves_exactly_like_its_sections() -> None:
    from index.storage import SectionStore

    from_table, from_list = SectionStore.encode(SectionTable(SECTIONS)), SectionStore.encode(SECTIONS)
    assert from_table.keys() == from_list.keys()
    for name in from_list:
        assert from_table[name].dtype == from_list[name].dtype
        assert from_table[name].tobytes() == from_list[name].tobytes()
    store = SectionStore(from_table["section_text"], from_table["section_offsets"], from_table["section_meta"])
    assert list(store) == SECTIONS
    assert SectionStore.encode([])["section_meta"].shape == (0, 3)


def test_each_term_lists_first_the_sections_whose_heading_holds_it() -> None:
    """A row of postings is two runs in section order: the sections whose heading holds the term, then the
    others; a heading posting's weight holds the heading bonus, the term's share of its heading's idf mass."""
    notes = [
        section(0, "kernel text", title="Kernel memory"),
        section(1, "the kernel and its memory", title="Other things"),
        section(2, "kernel kernel", title="Kernel"),
        section(3, "memory only", title="Memory memory"),
        section(4, "no heading terms here", title="The"),
    ]
    matrix, _ = counted(notes, WeightParams())
    plain, _ = counted(notes, WeightParams(heading_bonus=0.0))
    analyzer = Analyzer()
    headings = [set(analyzer.terms(n.title)) for n in notes]
    for term, row in matrix.vocabulary.items():
        postings = matrix.indices[matrix.indptr[row] : matrix.indptr[row + 1]].tolist()
        titled = [i for i, heading in enumerate(headings) if term in heading]
        assert postings == titled + sorted(set(postings) - set(titled)), term
        assert int(matrix.heading_count[row]) == len(titled), term
        bonuses = (matrix.data - plain.data)[matrix.indptr[row] : matrix.indptr[row + 1]].tolist()
        idf = float(matrix.idf[row])
        rarest = math.log(1 + matrix.n_docs) + 1  # the idf of a word in one section
        expected = [WeightParams().heading_bonus * rarest * idf / _mass(headings[i], matrix) for i in titled]
        assert bonuses == pytest.approx(expected + [0.0] * (len(postings) - len(titled)), rel=1e-5), term


def _mass(heading: set[str], matrix: TermMatrix) -> float:
    return sum(float(matrix.idf[matrix.vocabulary[t]]) for t in heading)
