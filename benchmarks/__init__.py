"""Benchmarks of notes-qa (run with ``python -m benchmarks``; see ``benchmarks/README.md``).

The retriever benchmark is split into small modules: ``corpus`` (sections from docstrings and man pages),
``questions`` (known-item questions, clean and with a typo), ``adapters`` (one per retriever), ``measure``,
``report``, ``run`` and ``incremental``.
"""
