"""The retrievers under benchmark, one adapter module each, behind one ``System`` description."""

from benchmarks.adapters.base import Engine, System
from benchmarks.adapters.bm25s_engine import BM25S
from benchmarks.adapters.project import PROJECT
from benchmarks.adapters.rank_bm25_engine import RANK_BM25
from benchmarks.adapters.sklearn_tfidf import SKLEARN

ALL: tuple[System, ...] = (PROJECT, BM25S, RANK_BM25, SKLEARN)
"""Every system, in report order."""

__all__ = ["ALL", "BM25S", "PROJECT", "RANK_BM25", "SKLEARN", "Engine", "System"]
