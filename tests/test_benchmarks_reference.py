"""The fast paths rank exactly as a slow, obvious implementation of the weighting in ``index/weighting.py``.

The reference recomputes every score with plain Python loops from the sections' terms:

    w(t, d)  = idf(t) * tf(t, d) * (k1 + 1) / (tf(t, d) + k1 * (1 - b + b * len(d) / avg_len))
    tf(t, d) = count in body + title_weight * count in title + trail_weight * count in ancestor headings
    idf(t)   = ln((1 + n) / (1 + df(t))) + 1
    score    = sum of w(t, d) over the question's distinct terms,
               + heading_bonus * (ln(1 + n) + 1) * the share of the heading's idf mass that the question holds

and ranks by score, best first, ties by section order. ``Retriever.search`` must give the same sections in
the same order with the same scores (to float32 rounding), and ``TermMatrix.top``, on every one of its
paths, exactly what ``TermMatrix.score`` (the index's own definition, in float32) followed by a sort gives.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import pytest

from benchmarks.corpus import module_docstrings, shuffled
from benchmarks.questions import document_frequencies, make_questions
from index import Retriever, RetrieverParams, Section
from index.analysis import Analyzer
from index.weighting import TermMatrix

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
    bonus = weights.heading_bonus
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
    terms = [term for term in dict.fromkeys(analyzer.terms(question)) if term in idf]
    scores = {}
    for section_id, tf, length, (title, _, _) in zip(ids, tfs, lengths, fields, strict=True):
        score = 0.0
        for term in terms:
            count = tf.get(term, 0.0)
            if count:
                norm = weights.k1 * (1 - weights.b + weights.b * length / average)
                score += idf[term] * count * (weights.k1 + 1) / (count + norm)
        heading = set(title)
        if heading:
            share = sum(idf[t] for t in heading if t in terms) / sum(idf[t] for t in heading)
            score += bonus * (math.log(1 + n) + 1) * share
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


@pytest.fixture(scope="module")
def docstring_retriever() -> Retriever:
    from benchmarks.adapters.project import to_section

    docs = shuffled(module_docstrings(("argparse", "json", "email", "logging", "pathlib", "csv")), seed=3)[:400]
    return Retriever.from_sections([to_section(d) for d in docs])


def _sorted_scores(matrix: TermMatrix, term_ids: Sequence[int], extra: Sequence[int], k: int) -> list:
    """What ``top`` must return: ``score`` for every section, sorted by (score descending, section)."""
    import numpy as np

    scores, matched = matrix.score(term_ids, extra)
    hit = np.flatnonzero(scores)
    best = hit[np.lexsort((hit, -scores[hit]))][:k]
    return [best.tolist(), scores[best].tolist(), matched[best].tolist()]


# The ways ``top`` can run: the small path (every score sorted) and the large one (block maxima), each with
# scipy's scatter-add or numpy's; and the matched mass scattered for every term, looked up in the k best for
# every term, or for the terms with more than a few postings only.
PATHS = {
    "small": {},
    "blocks": {"SMALL": 0},
    "blocks-numpy-add": {"SMALL": 0, "scatter_add": "numpy"},
    "small-numpy-add": {"scatter_add": "numpy"},
    "blocks-mass-looked-up": {"SMALL": 0, "SCATTERED": 0},
    "blocks-mass-mixed": {"SMALL": 0, "SCATTERED": 6},
}


def _use_path(monkeypatch: pytest.MonkeyPatch, path: str) -> None:
    from index import ranking

    for name, value in PATHS[path].items():
        monkeypatch.setattr(ranking, name, ranking._scatter_add_numpy if value == "numpy" else value)


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("k", [1, 2, 5, 10, 40])
def test_the_top_k_equals_scoring_every_section(
    docstring_retriever: Retriever, k: int, path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Same sections, same order (ties by section order at the cut too), same scores and idf mass, bit for bit.

    Questions of generated fragments, of the commonest words only, of rare words with common ones, with
    acronym long forms (``extra_ids``), and of words in headings (whose weights hold the heading bonus).
    """
    import random

    import numpy as np

    _use_path(monkeypatch, path)
    retriever = docstring_retriever
    matrix = retriever._matrix
    lengths = np.diff(matrix.indptr)
    common = np.argsort(-lengths, kind="stable")[:40].tolist()
    rare = np.flatnonzero(lengths <= 2).tolist()
    headed = np.flatnonzero(matrix.heading_count).tolist()
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
        words = rng.sample(headed, 5)
        cases.append((tuple(words[:3]), tuple(words[3:])))
    assert sum(bool(extra) for _, extra in cases) >= 80
    for term_ids, extra in cases:
        if term_ids:
            term_ids = tuple(dict.fromkeys(term_ids))
            got = [a.tolist() for a in matrix.top(term_ids, extra, k)]
            assert got == _sorted_scores(matrix, term_ids, extra, k), (term_ids, extra, k)


def test_the_block_path_looks_only_at_blocks_that_reach_the_kth_best(docstring_retriever: Retriever) -> None:
    """The k-th largest block maximum bounds the k-th best score from below, so few blocks are read again."""
    import numpy as np

    from index import ranking

    matrix = docstring_retriever._matrix
    work = ranking._Scratch(matrix.n_docs)
    rng = np.random.default_rng(7)
    work.scores[: matrix.n_docs] = rng.random(matrix.n_docs, dtype=np.float32)
    sections, values = ranking.Ranking._best(work, 5)
    expected = np.argsort(-work.scores[: matrix.n_docs], kind="stable")[:5]
    assert sections.tolist() == expected.tolist()
    assert values.tolist() == work.scores[expected].tolist()


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_scipy_and_numpy_add_postings_the_same_way(dtype: str) -> None:
    """Weights times one into the float32 scores, ones times an idf into the float64 mass."""
    import numpy as np

    from index import ranking

    rng = np.random.default_rng(3)
    target = [np.zeros(500, dtype=dtype) for _ in range(2)]
    for _ in range(30):
        sections = rng.choice(500, 120, replace=False).astype(np.int32)
        idf = np.float32(rng.random() * 20)
        if dtype == "float32":
            values, times = (rng.random(120) * 20).astype(np.float32), np.ones(1, dtype=np.float32)
        else:
            values, times = np.ones(120), np.array([idf], dtype=np.float64)
        for add, out in zip((ranking.scatter_add, ranking._scatter_add_numpy), target, strict=True):
            add(out, sections, values, times, np.zeros(2, dtype=np.int32))
    assert target[0].tobytes() == target[1].tobytes()
    assert target[0].any()


@pytest.mark.parametrize("path", ["small", "blocks"])
def test_top_is_safe_to_share_between_threads(
    docstring_retriever: Retriever, path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each thread has its own scratch arrays: concurrent searches give the answers of one at a time."""
    from concurrent.futures import ThreadPoolExecutor

    _use_path(monkeypatch, path)
    docs = shuffled(module_docstrings(("argparse", "json", "email", "logging", "pathlib", "csv")), seed=3)[:400]
    questions = [q.text for q in make_questions(docs, 40, df=document_frequencies(docs), n_docs=len(docs), seed=5)]
    search = docstring_retriever.search
    expected = [[(h.section.id, h.score, h.coverage) for h in search(q, 10)] for q in questions]
    with ThreadPoolExecutor(max_workers=8) as pool:
        for _ in range(5):
            got = list(pool.map(lambda q: [(h.section.id, h.score, h.coverage) for h in search(q, 10)], questions))
            assert got == expected


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


@pytest.mark.parametrize("path", ["small", "blocks"])
def test_ties_at_the_cut_are_decided_by_section_order_at_every_k(path: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Groups of identical sections tie; whatever k cuts through a group, the first sections of it are kept,
    and every path returns what scoring every section and sorting by (score desc, section) returns."""
    _use_path(monkeypatch, path)
    tied = [
        Section(id=f"t#{i}", path="t.md", title=title, trail=(), level=1, line=i + 1, markdown=text, text=text)
        for i, (title, text) in enumerate(TIED)
    ]
    retriever = Retriever.from_sections(tied, params=PARAMS)
    matrix = retriever._matrix
    for question in ("kernel", "kernel memory", "threads processes", "kernel processes memory threads devices"):
        query = retriever._query(question)
        for k in range(1, 41):
            expected = _sorted_scores(matrix, query.term_ids, query.extra_ids, k)
            got = matrix.top(query.term_ids, query.extra_ids, k)
            assert [a.tolist() for a in got] == expected, (question, k)
            assert [h.section.id for h in retriever.search(question, k)] == [f"t#{i}" for i in expected[0]]
