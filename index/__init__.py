"""notes-qa's notes library: split a folder of Markdown notes into sections and answer questions from them.

    >>> from index import Retriever
    >>> retriever = Retriever.from_directory("corpus")          # doctest: +SKIP
    >>> answer = retriever.answer("daemon vs process")            # doctest: +SKIP
    >>> answer.hit.section.title if answer.hit else "the notes don't say"   # doctest: +SKIP

Nothing here talks to Telegram, reads the environment or configures logging.
"""

from index.errors import IndexFormatError, NotesError, NotesQAError
from index.model import Answer, Hit, IngestReport, Reading, Record, Section, SkippedFile, Verdict
from index.retriever import Retriever, RetrieverParams
from index.splitter import split_markdown
from index.weighting import WeightParams

__all__ = [
    "Answer",
    "Hit",
    "IndexFormatError",
    "IngestReport",
    "NotesError",
    "NotesQAError",
    "Reading",
    "Record",
    "Retriever",
    "RetrieverParams",
    "Section",
    "SkippedFile",
    "Verdict",
    "WeightParams",
    "split_markdown",
]
