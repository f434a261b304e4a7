"""bm25s with its own tokenizer (PyStemmer English stems, English stop words): numba backend when numba is
importable, its numpy backend otherwise. Single questions go through ``Tokenizer.tokenize([q],
update_vocab=False)`` and ``BM25.retrieve(..., n_threads=1)``, the fastest documented path.

numba is a benchmark-only dependency: it is never a dependency of notes-qa.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.adapters.base import System, full_text
from benchmarks.corpus import Doc


def backend() -> str:
    """``numba`` when numba is importable, else ``numpy``."""
    return "numba" if importlib.util.find_spec("numba") is not None else "numpy"


def _missing() -> str | None:
    for package in ("bm25s", "Stemmer"):
        if importlib.util.find_spec(package) is None:
            return f"{package} is not installed (pip install bm25s PyStemmer)"
    return None


def _tokenizer() -> Any:
    import bm25s.tokenization
    import Stemmer

    return bm25s.tokenization.Tokenizer(stemmer=Stemmer.Stemmer("english"), stopwords="en")


class Bm25sEngine:
    def __init__(self, model: Any, tokenizer: Any, ids: list[str]) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.ids = ids

    @classmethod
    def build(cls, docs: Sequence[Doc]) -> Bm25sEngine:
        import bm25s

        tokenizer = _tokenizer()
        tokens = tokenizer.tokenize([full_text(d) for d in docs], return_as="tuple", show_progress=False)
        model = bm25s.BM25(backend=backend())
        model.index(tokens, show_progress=False)
        return cls(model, tokenizer, [d.id for d in docs])

    @classmethod
    def load(cls, directory: Path) -> Bm25sEngine:
        import bm25s

        model = bm25s.BM25.load(directory, mmap=True, show_progress=False)
        tokenizer = _tokenizer()
        tokenizer.load_vocab(str(directory))
        ids = json.loads((directory / "ids.json").read_text(encoding="utf-8"))
        return cls(model, tokenizer, ids)

    def _retrieve(self, questions: Sequence[str], k: int) -> list[list[str]]:
        query_ids = self.tokenizer.tokenize(list(questions), update_vocab=False, show_progress=False)
        k = min(k, len(self.ids))
        found = self.model.retrieve(query_ids, k=k, show_progress=False, n_threads=1, return_as="tuple")
        ids = self.ids
        return [
            [ids[d] for d, s in zip(docs, scores, strict=True) if s > 0]
            for docs, scores in zip(found.documents.tolist(), found.scores.tolist(), strict=True)
        ]

    def search(self, question: str, k: int) -> list[str]:
        return self._retrieve([question], k)[0]

    def search_many(self, questions: Sequence[str], k: int) -> list[list[str]]:
        return self._retrieve(questions, k)

    def save(self, directory: Path) -> None:
        self.model.save(str(directory), show_progress=False)
        self.tokenizer.save_vocab(str(directory))
        (directory / "ids.json").write_text(json.dumps(self.ids, ensure_ascii=False), encoding="utf-8")


BM25S = System(
    name=f"bm25s-{backend()}",
    description=f"bm25s BM25(method='lucene', backend='{backend()}'), PyStemmer, English stop words, k=10, 1 thread",
    build=Bm25sEngine.build,
    load=Bm25sEngine.load,
    unavailable=_missing,
)
