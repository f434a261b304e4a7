"""The fast paths rank exactly as a slow, obvious implementation of the weighting in ``index/weighting.py``.

The reference recomputes every score with plain Python loops from the sections' terms:

    w(t, d)  = idf(t) * tf(t, d) * (k1 + 1) / (tf(t, d) + k1 * (1 - b + b * len(d) / avg_len))
    tf(t, d) = count in body + title_weight * count in title + trail_weight * count in ancestor headings
    idf(t)   = ln((1 + n) / (1 + df(t))) + 1
    score    = sum of w(t, d) over the question's distinct terms, times 1 + heading_boost * h(q, d),
    h(q, d)  = min(the share of the heading's idf mass that the question holds,
                   the share of the question's idf mass that the heading holds)

where the question's idf mass counts a word the notes never use as ln(1 + n) + 1.

and ranks by score, best first, ties by section order. Both ``Retriever.search`` and the benchmark's
prototype (``benchmarks/prototypes.py``) must give the same sections in the same order with the same scores.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import pytest

from benchmarks.corpus import module_docstrings, shuffled
from benchmarks.prototypes import FastSearch
from benchmarks.questions import document_frequencies, make_questions
from index import Retriever, RetrieverParams, Section
from index.analysis import Analyzer

NOTES = [
    ("Containers", (), "A container is a running instance of an image. Containers share the host kernel."),
    ("Images", (), "An image is a read-only template with layers. Images are built from a Dockerfile."),
    ("Layers", ("Images",), "Each instruction in a Dockerfile adds a layer. Layers are cached and shared."),
    ("Volumes", (), "Volumes keep data after a container is removed. Mount a volume with -v."),
    ("Kernel", ("Linux",), "The kernel manages memory, processes and devices. The kernel schedules processes."),
    ("Processes", ("Linux",), "A process is a running program. Each process has a PID and its own memory."),
    ("Daemons", ("Linux",), "A daemon is a background process, such as the Docker daemon dockerd."),
    ("Hashes", (), "A hash maps data to a fixed-size digest. SHA-256 digests name image layers."),
    ("Snapshots", (), "A snapshot records the state of a volume or a filesystem at one moment."),
    ("Networks", (), "Containers on one network reach each other by name. The bridge network is the default."),
    ("Twin A", (), "Identical text decides ties by section order."),
    ("Twin B", (), "Identical text decides ties by section order."),
]

QUESTIONS = [
    "what is a container",
    "how are images built from a Dockerfile",
    "which layers are cached",
    "kernel memory processes",
    "daemon background process",
    "sha-256 digest of image layers",
    "volume snapshot state",
    "network bridge default name",
    "identical text ties",
    "process",
    "container container container image",
    "nothing matches zebra",
]


def sections() -> list[Section]:
    return [
        Section(
            id=f"n#{i}",
            path="n.md",
            title=title,
            trail=trail,
            level=1 + len(trail),
            line=i + 1,
            markdown=text,
            text=text,
        )
        for i, (title, trail, text) in enumerate(NOTES)
    ]


def reference_scores(sections: Sequence[Section], question: str, params: RetrieverParams) -> dict[str, float]:
    """Every section's score for ``question``, with loops: the documented weighting and nothing else."""
    weights = params.weights
    boost = getattr(weights, "heading_boost", 0.0)
    analyzer = Analyzer(stem=params.stem)
    fields = [
        (analyzer.terms(s.title), analyzer.terms(" ".join(s.trail)), analyzer.terms(s.text))
        for s in sections
        if s.searchable
    ]
    ids = [s.id for s in sections if s.searchable]
    n = len(fields)
    tfs: list[dict[str, float]] = []
    for title, trail, body in fields:
        tf: dict[str, float] = {}
        for term in body:
            tf[term] = tf.get(term, 0.0) + 1.0
        for term in title:
            tf[term] = tf.get(term, 0.0) + weights.title_weight
        for term in trail:
            tf[term] = tf.get(term, 0.0) + weights.trail_weight
        tfs.append({t: c for t, c in tf.items() if c})
    df = Counter(t for title, trail, body in fields for t in {*title, *trail, *body})
    idf = {t: math.log((1 + n) / (1 + d)) + 1 for t, d in df.items()}
    lengths = [math.fsum(tf.values()) for tf in tfs]
    total_length = math.fsum(lengths)
    average = total_length / n if n and total_length else 1.0
    terms = []
    question_mass = 0.0
    for term in dict.fromkeys(analyzer.terms(question)):
        question_mass += idf.get(term, math.log(1 + n) + 1)
        if term in idf:
            terms.append(term)
    scores = {}
    for section_id, tf, length, (title, _, _) in zip(ids, tfs, lengths, fields, strict=True):
        score = 0.0
        for term in terms:
            count = tf.get(term, 0.0)
            if count:
                norm = weights.k1 * (1 - weights.b + weights.b * length / average)
                score += idf[term] * count * (weights.k1 + 1) / (count + norm)
        heading = set(title)
        if boost and heading:
            held = sum(idf[t] for t in heading if t in terms)
            share = min(held / sum(idf[t] for t in heading), held / question_mass)
            score *= 1 + boost * share
        if score > 0:
            scores[section_id] = score
    return scores


def reference_ranking(sections: Sequence[Section], question: str, params: RetrieverParams, k: int) -> list[str]:
    scores = reference_scores(sections, question, params)
    order = {s.id: i for i, s in enumerate(sections)}
    # Ties are decided on the float32 score the index stores, then by section order.
    return sorted(scores, key=lambda i: (-_f32(scores[i]), order[i]))[:k]


def _f32(value: float) -> float:
    import numpy as np

    return float(np.float32(value))


PARAMS = RetrieverParams(spelling=False)


@pytest.fixture(scope="module")
def notes() -> list[Section]:
    return sections()


@pytest.mark.parametrize("question", QUESTIONS)
def test_retriever_search_matches_the_reference(notes: list[Section], question: str) -> None:
    retriever = Retriever.from_sections(notes, params=PARAMS)
    hits = retriever.search(question, k=len(notes))
    expected = reference_scores(notes, question, PARAMS)
    assert [h.section.id for h in hits] == reference_ranking(notes, question, PARAMS, len(notes))
    assert {h.section.id: h.score for h in hits} == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize("k", [1, 2, 3, 5, 12])
@pytest.mark.parametrize("question", QUESTIONS)
def test_prototype_matches_the_reference_at_every_k(notes: list[Section], question: str, k: int) -> None:
    fast = FastSearch(Retriever.from_sections(notes, params=PARAMS))
    hits = fast.search(question, k)
    expected = reference_scores(notes, question, PARAMS)
    assert [h.section.id for h in hits] == reference_ranking(notes, question, PARAMS, k)
    assert {h.section.id: h.score for h in hits} == pytest.approx({h.section.id: expected[h.section.id] for h in hits})


def test_prototype_equals_the_library_on_real_docstrings() -> None:
    """200 real sections, generated questions, k = 10: same ids, scores and coverage as ``Retriever.search``.

    Where several sections tie at the 10th score the library may keep any of them (``argpartition``), so
    ties at the cut are compared as sets of equal scores.
    """
    from benchmarks.adapters.project import to_section

    docs = shuffled(module_docstrings(("argparse", "json", "email", "logging", "pathlib", "csv")), seed=2)[:200]
    questions = make_questions(docs, 25, df=document_frequencies(docs), n_docs=len(docs), seed=2)
    retriever = Retriever.from_sections([to_section(d) for d in docs])
    fast = FastSearch(retriever)
    for question in questions:
        slow = [(h.section.id, h.score, h.coverage) for h in retriever.search(question.text, 10)]
        quick = [(h.section.id, h.score, h.coverage) for h in fast.search(question.text, 10)]
        assert [s for _, s, _ in quick] == [s for _, s, _ in slow], question
        cut = slow[-1][1] if len(slow) == 10 else None
        assert [x for x in quick if x[1] != cut] == [x for x in slow if x[1] != cut], question


@pytest.fixture(scope="module")
def docstring_retriever() -> Retriever:
    from benchmarks.adapters.project import to_section

    docs = shuffled(module_docstrings(("argparse", "json", "email", "logging", "pathlib", "csv")), seed=3)[:400]
    return Retriever.from_sections([to_section(d) for d in docs])


def _dense_and_pruned(
    retriever: Retriever, term_ids: tuple[int, ...], extra: tuple[int, ...], k: int, unknown: float = 0.0
) -> None:
    """``unknown``: the idf mass of question words the notes lack, which lowers the question's heading shares."""
    matrix = retriever._matrix
    total = float(matrix.idf[list(term_ids)].sum()) + unknown
    dense = [a.tolist() for a in matrix._top_dense(term_ids, extra, k, total)]
    pruned = [a.tolist() for a in matrix._top_pruned(term_ids, extra, k, total)]
    assert pruned == dense, (term_ids, extra, k)


# How the pruned path reads the other terms' postings: as chosen by their length (and probing again for the
# k-th best score whatever the number of candidates), always whole (through the per-thread section map),
# always by binary search; and with every posting read at once below a size.
READINGS = [
    {"_GROUP_ALL": 0, "_REPROBE": 0},
    {"_GROUP_ALL": 0, "_GATHER": 10**9},
    {"_GROUP_ALL": 0, "_GATHER": 0},
    {},
]


@pytest.mark.parametrize("reading", READINGS, ids=["chosen", "whole", "looked-up", "small-read-at-once"])
@pytest.mark.parametrize("k", [1, 2, 5, 10, 40])
def test_the_pruned_top_k_equals_scoring_every_section(
    docstring_retriever: Retriever, k: int, reading: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Same sections, same order (ties by section order at the cut too), same scores and idf mass, bit for bit.

    Questions of generated fragments, of the commonest words only (nothing can be skipped), of rare words
    with common ones (most postings are skipped), and with acronym long forms (``extra_ids``).
    """
    from index import ranking

    for name, value in reading.items():
        monkeypatch.setattr(ranking, name, value)
    import random

    import numpy as np

    retriever = docstring_retriever
    matrix = retriever._matrix
    lengths = np.diff(matrix.indptr)
    common = np.argsort(-lengths, kind="stable")[:40].tolist()
    rare = np.flatnonzero(lengths <= 2).tolist()
    rng = random.Random(k)
    docs = shuffled(module_docstrings(("argparse", "json", "email", "logging", "pathlib", "csv")), seed=3)[:400]
    questions = make_questions(docs, 30, df=document_frequencies(docs), n_docs=len(docs), seed=k)
    cases: list[tuple[tuple[int, ...], tuple[int, ...]]] = [
        (q.term_ids, q.extra_ids) for q in map(retriever._query, (x.text for x in questions))
    ]
    for _ in range(40):
        cases.append((tuple(rng.sample(common, rng.randint(1, 6))), ()))
        words = [*rng.sample(rare, 2), *rng.sample(common, 3)]
        cases.append((tuple(words[:4]), tuple(words[4:])))
    for n, (term_ids, extra) in enumerate(cases):
        if term_ids:
            _dense_and_pruned(retriever, tuple(dict.fromkeys(term_ids)), extra, k, unknown=(n % 3) * 4.0)


def test_the_pruned_top_k_falls_back_when_sums_might_round(docstring_retriever: Retriever) -> None:
    import dataclasses

    matrix = docstring_retriever._matrix
    strict = dataclasses.replace(matrix, exact_terms=1)
    terms = tuple(range(6))
    total = float(matrix.idf[list(terms)].sum())
    assert [a.tolist() for a in strict._top_pruned(terms, (), 10, total)] == [
        a.tolist() for a in matrix._top_dense(terms, (), 10, total)
    ]


def test_exact_terms_follows_the_spread_of_the_values() -> None:
    import numpy as np

    from index.weighting import exact_terms

    assert exact_terms(np.array([1.0, 1.5], dtype=np.float32)) == 2**20
    assert exact_terms(np.array([0.0, 1.0, 2.0**10], dtype=np.float32)) == 2**19
    assert exact_terms(np.array([2.0**-20, 2.0**20], dtype=np.float32)) == 1


def test_the_pruned_path_is_safe_to_share_between_threads(
    docstring_retriever: Retriever, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pruned path keeps no state between calls: concurrent searches give the answers of one at a time."""
    from concurrent.futures import ThreadPoolExecutor

    from index import ranking

    monkeypatch.setattr(ranking, "DENSE_LIMIT", 0)  # the pruned path even on 400 sections
    monkeypatch.setattr(ranking, "_GROUP_ALL", 0)  # with its per-thread section map
    docs = shuffled(module_docstrings(("argparse", "json", "email", "logging", "pathlib", "csv")), seed=3)[:400]
    questions = [q.text for q in make_questions(docs, 40, df=document_frequencies(docs), n_docs=len(docs), seed=5)]
    search = docstring_retriever.search
    expected = [[(h.section.id, h.score, h.coverage) for h in search(q, 10)] for q in questions]
    with ThreadPoolExecutor(max_workers=8) as pool:
        for _ in range(5):
            got = list(pool.map(lambda q: [(h.section.id, h.score, h.coverage) for h in search(q, 10)], questions))
            assert got == expected


def test_the_three_ways_of_summing_postings_agree_with_a_loop(docstring_retriever: Retriever) -> None:
    """Binary search, the per-thread section map and grouping give each section the sums a loop over the
    postings gives: weights, heading shares, idf mass in the heading and idf mass (a section past a term's
    last posting is not mistaken for the next term's first one; the last term's postings end the arrays)."""
    import numpy as np

    matrix = docstring_retriever._matrix
    terms = [*range(0, len(matrix.idf) - 1, 5), len(matrix.idf) - 1]
    spans = [(int(matrix.indptr[t]), int(matrix.indptr[t + 1])) for t in terms]
    idf = matrix.idf[terms]
    expected = np.zeros((4, matrix.n_docs))
    for (start, end), mass in zip(spans, idf.tolist(), strict=True):
        for posting in range(start, end):
            doc, share = int(matrix.indices[posting]), float(matrix.heading_data[posting])
            expected[:, doc] += [float(matrix.data[posting]), share, mass if share > 0 else 0.0, mass]
    every = np.arange(matrix.n_docs, dtype=np.int32)
    assert matrix._sums(every, spans, idf[:, None]).tolist() == expected.tolist()
    assert matrix._gathered(every, spans, idf).tolist() == expected.tolist()
    assert (matrix._slots() == -1).all()  # the map is left clean for the next question
    docs, sums = matrix._grouped(spans, idf)
    assert docs.tolist() == np.flatnonzero(expected[3]).tolist()
    assert sums.tolist() == expected[:, docs].tolist()


def test_hits_are_built_as_the_dataclass_builds_them(notes: list[Section]) -> None:
    """``search`` sets a hit's slots directly; the hit equals, hashes and prints as ``Hit(...)`` does."""
    from index.model import Hit
    from index.retriever import _hit

    fast, slow = _hit(notes[0], 1.5, 0.25), Hit(section=notes[0], score=1.5, coverage=0.25)
    assert fast == slow and hash(fast) == hash(slow) and repr(fast) == repr(slow)
    with pytest.raises(AttributeError):
        fast.score = 2.0  # type: ignore[misc]


TIED = [
    *(("Kernel", "The kernel schedules processes and threads.") for _ in range(14)),
    *(("Kernel memory", "The kernel manages memory for processes.") for _ in range(9)),
    *(("Threads", "Threads share the memory of their process.") for _ in range(12)),
    *(("Kernel", f"The kernel {word} devices.") for word in ("drives", "lists", "names", "probes", "resets")),
]


@pytest.mark.parametrize("reading", READINGS, ids=["chosen", "whole", "looked-up", "small-read-at-once"])
def test_ties_at_the_cut_are_decided_by_section_order_at_every_k(
    reading: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Groups of identical sections tie; whatever k cuts through a group, the first sections of it are kept,
    and every path returns what scoring every section and sorting by (score desc, section) returns."""
    import numpy as np

    from index import ranking

    monkeypatch.setattr(ranking, "DENSE_LIMIT", 0)
    for name, value in reading.items():
        monkeypatch.setattr(ranking, name, value)
    tied = [
        Section(id=f"t#{i}", path="t.md", title=title, trail=(), level=1, line=i + 1, markdown=text, text=text)
        for i, (title, text) in enumerate(TIED)
    ]
    retriever = Retriever.from_sections(tied, params=PARAMS)
    matrix = retriever._matrix
    for question in ("kernel", "kernel memory", "threads processes", "kernel processes memory threads devices"):
        query = retriever._query(question)
        scores, matched = matrix.score(query.term_ids, query.extra_ids, query.total_mass)
        hit = np.flatnonzero(scores)
        ordered = hit[np.lexsort((hit, -scores[hit]))]
        for k in range(1, 41):
            expected = ordered[:k]
            got = matrix._top_pruned(query.term_ids, query.extra_ids, k, query.total_mass)
            assert [a.tolist() for a in got] == [expected.tolist(), scores[expected].tolist(),
                                                 matched[expected].tolist()], (question, k)
            assert [h.section.id for h in retriever.search(question, k)] == [f"t#{i}" for i in expected.tolist()]
