"""Benchmark corpora built from text already on the machine: no download.

Sources, in this order:

* docstrings of the installed standard library and of the virtual environment's site-packages: every
  ``.py`` file is parsed with :mod:`ast` (never imported, so no module runs code), and each module, class
  and function docstring of at least :data:`MIN_WORDS` words becomes one section titled with its qualified
  name (``package.module.Class.method``);
* man pages under ``/usr/share/man/man*`` (English only), decompressed with :mod:`gzip`, split at their
  ``.SH``/``.SS`` headings, troff markup stripped; titled ``name(section) HEADING``.

Sections with the same text (inherited or copied docstrings) are kept once. The harvest is cached as gzipped
JSON lines under the cache folder, so only the first run pays for parsing.

Corpora of a given size are prefixes of one seeded shuffle of the pool, so the 1k corpus is inside the 10k one.
When a size exceeds the pool, the rest is synthesised (see :func:`synthesise`) and the corpus says so.
"""

from __future__ import annotations

import ast
import gzip
import json
import logging
import os
import random
import re
import sysconfig
import warnings
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

MIN_WORDS = 8
"""Docstrings and man page sections shorter than this carry too little to ask a question about."""

MAX_CHARS = 6000
"""Longer texts are cut at a paragraph break: one huge section should not dominate the corpus."""

CACHE_VERSION = 1


@dataclass(frozen=True, slots=True)
class Doc:
    """One benchmark section: a unique id, a title (the qualified name) and its text (Markdown-ish)."""

    id: str
    title: str
    text: str


@dataclass(frozen=True, slots=True)
class Corpus:
    """The sections of one benchmark size, and how many of them are synthesised rather than real."""

    docs: tuple[Doc, ...]
    synthetic: int

    @property
    def real(self) -> int:
        return len(self.docs) - self.synthetic


# Docstrings ---------------------------------------------------------------------------------------------


def _trim(text: str) -> str:
    text = text.strip()
    if len(text) > MAX_CHARS:
        cut = text.rfind("\n\n", 0, MAX_CHARS)
        text = text[: cut if cut > MAX_CHARS // 2 else MAX_CHARS]
    return text


def _long_enough(text: str) -> bool:
    return len(text.split()) >= MIN_WORDS


def _docstrings(path: Path, module: str) -> list[Doc]:
    """Module, class and function docstrings of one source file, without importing it."""
    try:
        source = path.read_bytes()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escape sequences in old sources
            tree = ast.parse(source, filename=str(path))
    except (OSError, SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    docs: list[Doc] = []

    def visit(node: ast.AST, qualname: str) -> None:
        doc = ast.get_docstring(node, clean=True) if isinstance(node, _DOCUMENTED) else None
        if doc and _long_enough(doc):
            docs.append(Doc(id=f"py:{qualname}", title=qualname, text=_trim(doc)))
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                visit(child, f"{qualname}.{child.name}")

    visit(tree, module)
    return docs


_DOCUMENTED = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)


def python_roots() -> list[Path]:
    """The standard library folder and the environment's site-packages, without duplicates."""
    paths = sysconfig.get_paths()
    roots: list[Path] = []
    for key in ("stdlib", "purelib", "platlib"):
        root = Path(paths[key])
        if root.is_dir() and root not in roots:
            roots.append(root)
    return roots


def _source_files(roots: Sequence[Path]) -> Iterator[tuple[Path, str]]:
    for root in roots:
        for folder, dirs, files in os.walk(root):
            here = Path(folder)
            # site-packages inside the standard library folder is walked as its own root, if at all
            dirs[:] = sorted(d for d in dirs if d not in ("site-packages", "dist-packages", "__pycache__"))
            for name in sorted(files):
                if not name.endswith(".py"):
                    continue
                relative = (here / name).relative_to(root).with_suffix("")
                parts = [p for p in relative.parts if p != "__init__"]
                if parts and all(p.isidentifier() for p in parts):
                    yield here / name, ".".join(parts)


def _docstrings_of(job: tuple[str, str]) -> list[tuple[str, str, str]]:
    docs = _docstrings(Path(job[0]), job[1])
    return [(d.id, d.title, d.text) for d in docs]


def module_docstrings(names: Sequence[str], *, root: Path | None = None) -> list[Doc]:
    """Docstrings of a few standard-library modules or packages (parsed, not imported), deduplicated.

    For small corpora (tests, examples) that do not need the whole harvest.
    """
    base = root or Path(sysconfig.get_paths()["stdlib"])
    rows: list[tuple[str, str, str]] = []
    for name in names:
        if (base / f"{name}.py").is_file():
            found = _docstrings(base / f"{name}.py", name)
        else:
            found = [d for path, module in _source_files([base / name]) for d in _docstrings(path, f"{name}.{module}")]
        rows.extend((d.id, d.title, d.text) for d in found)
    return _dedupe(iter(rows))


# Man pages ----------------------------------------------------------------------------------------------

_FONT = re.compile(r"\\f(?:\[[^\]]*\]|\(..|.)")
_ESCAPE = re.compile(r"\\(?:\(..|\[[^\]]*\]|\*\(..|\*\[[^\]]*\]|\*.|[&|^%:~0cdeu]|s[-+]?\d+|.)")
_MACRO_TEXT = re.compile(r"^\.(?:B|I|BI|BR|IB|IR|RB|RI|SM|SB|Nm|Nd|Ar|Fl|Cm|Em|Pa|Va|Fn|Xr|Dv|Er|Ev|Ic|Li|Sy)\s+")
_QUOTED = re.compile(r'"([^"]*)"')


def _troff_text(line: str) -> str:
    line = line.replace("\\-", "-").replace("\\e", "\\").replace("\\ ", " ")
    line = _FONT.sub("", line)
    line = _ESCAPE.sub("", line)
    return line.replace('"', "").strip()


def _man_sections(raw: str, page: str) -> list[Doc]:
    docs: list[Doc] = []
    heading: list[str] = []
    body: list[str] = []

    def flush() -> None:
        text = " ".join(body)
        text = re.sub(r"\s+", " ", text).strip()
        if heading and _long_enough(text):
            title = f"{page} {' '.join(heading)}"
            docs.append(Doc(id=f"man:{page}#{len(docs)}", title=title, text=_trim(text)))

    for line in raw.splitlines():
        if line.startswith((".SH", ".Sh", ".SS", ".Ss")):
            flush()
            name = _troff_text(_QUOTED.sub(r"\1", line[3:])).title()
            heading = [name] if line[1:3].upper() == "SH" else [*heading[:1], name]
            body = []
        elif line.startswith(('.\\"', "'\\\"", '.\\"')):
            continue
        elif line.startswith(".") or line.startswith("'"):
            match = _MACRO_TEXT.match(line)
            if match:
                body.append(_troff_text(_QUOTED.sub(r"\1", line[match.end() :])))
            elif line.startswith((".PP", ".P ", ".LP", ".TP", ".IP", ".Pp", ".It")):
                body.append("\n")
        else:
            body.append(_troff_text(line))
    flush()
    return docs


def _man_page(job: tuple[str, str]) -> list[tuple[str, str, str]]:
    path, page = job
    try:
        with gzip.open(path, "rt", encoding="utf-8", errors="replace") as handle:
            raw = handle.read()
    except (OSError, EOFError):
        return []
    if raw.lstrip().startswith(".so "):
        return []  # a redirect to another page
    return [(d.id, d.title, d.text) for d in _man_sections(raw, page)]


def _man_files(root: Path) -> Iterator[tuple[str, str]]:
    if not root.is_dir():
        return
    for folder in sorted(root.glob("man[0-9]*")):
        for path in sorted(folder.glob("*.gz")):
            name = path.name[: -len(".gz")]
            stem, _, section = name.rpartition(".")
            yield str(path), f"{stem}({section})"


# The pool -----------------------------------------------------------------------------------------------


def _dedupe(rows: Iterator[tuple[str, str, str]]) -> list[Doc]:
    seen_text: set[str] = set()
    seen_id: set[str] = set()
    docs = []
    for id_, title, text in rows:
        key = " ".join(text.casefold().split())
        if key in seen_text or id_ in seen_id:
            continue
        seen_text.add(key)
        seen_id.add(id_)
        docs.append(Doc(id_, title, text))
    return docs


def harvest(*, man_root: Path = Path("/usr/share/man"), workers: int = 2) -> list[Doc]:
    """Every docstring and man page section on the machine, deduplicated, in a stable order."""
    jobs = [(str(p), m) for p, m in _source_files(python_roots())]
    man_jobs = list(_man_files(man_root))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        python_rows = pool.map(_docstrings_of, jobs, chunksize=32)
        man_rows = pool.map(_man_page, man_jobs, chunksize=64)
        rows = [row for rows in python_rows for row in rows] + [row for rows in man_rows for row in rows]
    docs = _dedupe(iter(rows))
    log.info("harvested %d sections from %d source files and %d man pages", len(docs), len(jobs), len(man_jobs))
    return docs


def load_pool(cache_dir: Path, *, refresh: bool = False) -> list[Doc]:
    """The harvested pool, from the cache when it is there (and of this cache version)."""
    cache = cache_dir / f"pool-v{CACHE_VERSION}.jsonl.gz"
    if cache.is_file() and not refresh:
        with gzip.open(cache, "rt", encoding="utf-8") as handle:
            return [Doc(*json.loads(line)) for line in handle]
    docs = harvest()
    cache_dir.mkdir(parents=True, exist_ok=True)
    partial = cache.with_suffix(".partial")
    with gzip.open(partial, "wt", encoding="utf-8", compresslevel=3) as handle:
        for doc in docs:
            handle.write(json.dumps([doc.id, doc.title, doc.text], ensure_ascii=False) + "\n")
    partial.replace(cache)
    return docs


# Corpora of a given size --------------------------------------------------------------------------------

_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n\s*\n")


def sentences(text: str) -> list[str]:
    """Rough sentence split: after ``.``, ``!``, ``?`` followed by space, and at blank lines."""
    return [s.strip() for s in _SENTENCE.split(text) if s.strip()]


def synthesise(sources: Sequence[Doc], count: int, *, seed: int, start: int = 0) -> list[Doc]:
    """``count`` new sections made by perturbing real ones.

    Each takes a random source section, keeps a random 2/3 of its sentences in order, and adds one sentence
    of another random source section. The vocabulary therefore stays that of the sources: a real corpus of
    that size would keep adding rare words (Heaps' law), so the synthetic part understates vocabulary growth.
    """
    rng = random.Random(seed)
    split = [sentences(d.text) or [d.text] for d in sources]
    docs = []
    for n in range(start, start + count):
        i = rng.randrange(len(sources))
        kept = [s for s in split[i] if rng.random() < 0.67] or split[i][:1]
        other = split[rng.randrange(len(sources))]
        kept.insert(rng.randrange(len(kept) + 1), other[rng.randrange(len(other))])
        docs.append(Doc(id=f"synth:{n}", title=f"{sources[i].title} (variant {n})", text=" ".join(kept)))
    return docs


def shuffled(pool: Sequence[Doc], *, seed: int) -> list[Doc]:
    """One fixed permutation of the pool; every corpus is a prefix of it."""
    order = list(pool)
    random.Random(seed).shuffle(order)
    return order


def make_corpus(order: Sequence[Doc], size: int, *, seed: int, protected: frozenset[str] = frozenset()) -> Corpus:
    """The first ``size`` sections of ``order``, topped up with synthesised ones when it is too short.

    Sections whose ids are in ``protected`` (the gold sections of the questions) are never used as
    sources for synthesis, so no synthetic variant competes with a question's gold section.
    """
    if size <= len(order):
        return Corpus(tuple(order[:size]), 0)
    sources = [d for d in order if d.id not in protected]
    extra = synthesise(sources, size - len(order), seed=seed)
    return Corpus((*order, *extra), len(extra))
