"""The bundled study guide: its shape, and the user's thirteen table-of-contents topics answered."""

from __future__ import annotations

import re

import pytest

from index import Retriever, Verdict
from tests.conftest import CORPUS

# The user's table of contents, as they typed it (typos included), and the section that answers it.
TABLE_OF_CONTENTS = {
    "What is docker and it's advantage?": "Advantages of Docker",
    "Difference between container and virtual machine": "Container vs virtual machine",
    "What is docker engine and it's architecutre?": "Docker Engine architecture",
    "What is Docker image,registry and container?": "Images, registries and containers",
    "What is snapshot ?": "What is a snapshot?",
    "Why guest OS not required in the docker container?": "Why a container needs no guest OS",
    "What is kernel?": "What is a kernel?",
    "Difference between kernel space and user space": "Kernel space vs user space",
    "Deference between deamon and process?": "Daemon vs process",
    "Deep drive regarding hasing function": "Hashing functions in depth",
    "What is the meaning of ephemeral ?": "What does ephemeral mean for containers?",
    "What is REST API and how it's work.": "What is a REST API?",
    "What is database persistence layer?": "What is a database persistence layer?",
}


@pytest.fixture(scope="module")
def bundled() -> Retriever:
    return Retriever.from_directory(CORPUS)


def test_every_file_reads_cleanly(bundled: Retriever) -> None:
    assert len(bundled.report.files) >= 8
    assert bundled.report.skipped == () and bundled.report.warnings == () and bundled.report.ignored == ()


def test_at_least_45_answerable_sections_of_60_to_350_words(bundled: Retriever) -> None:
    searchable = [s for s in bundled.sections if s.searchable]
    assert len(searchable) >= 45
    sizes = {s.id: len(re.findall(r"\S+", s.markdown)) for s in bundled.sections}
    assert {sid: n for sid, n in sizes.items() if not 60 <= n <= 350} == {}


def test_headings_are_unique(bundled: Retriever) -> None:
    titles = [s.title for s in bundled.sections]
    assert len(titles) == len(set(titles))


@pytest.mark.parametrize(("question", "title"), TABLE_OF_CONTENTS.items())
def test_each_table_of_contents_topic_finds_its_section(bundled: Retriever, question: str, title: str) -> None:
    answer = bundled.answer(question)
    assert answer.verdict in (Verdict.ANSWERED, Verdict.AMBIGUOUS)
    offered = [h.section.title for h in (answer.hit, *answer.suggestions) if h is not None]
    if answer.verdict is Verdict.ANSWERED:
        assert offered[0] == title
    else:  # a near tie must still put the right section among the first two choices
        assert title in offered[:2]


def test_the_daemon_question_and_the_pizza_question(bundled: Retriever) -> None:
    daemon = bundled.answer("what is the difference between a daemon and a process")
    assert daemon.hit is not None and daemon.hit.section.title == "Daemon vs process"
    assert bundled.answer("what's the best pizza in Naples").hit is None
