"""Acronyms defined by the notes themselves widen a question that uses the short form."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from index import Record, Retriever, acronyms
from index.acronyms import find_acronyms


def test_both_ways_of_defining_an_acronym_are_found() -> None:
    texts = [
        "A virtual machine (VM) runs a whole guest OS.",
        "The OCI (Open Container Initiative) wrote the image spec.",
        "Each process gets a process ID (PID).",
        "Nothing here (really) and not an acronym (IT) whose words do not match (ABC).",
    ]
    assert find_acronyms(texts) == {
        "vm": ("virtual", "machine"),
        "oci": ("open", "container", "initiative"),
        "pid": ("process", "id"),
    }


def test_a_question_with_the_short_form_finds_the_long_form_section() -> None:
    retriever = Retriever.from_records([
        Record("a", "A", "# Glossary\nA virtual machine (VM) emulates a computer.\n"),
        Record("b", "B", "# Containers versus virtual machines\nA virtual machine boots its own kernel; a container"
               " shares the host kernel.\n"),
        Record("c", "C", "# Snapshots\nA snapshot of a VM image.\n"),
    ])
    hits = retriever.search("container vs vm")
    assert hits[0].section.title == "Containers versus virtual machines"


# The short-then-long pattern as first written: a word boundary, then a capital.
_PLAIN_SHORT_THEN_LONG = re.compile(r"\b([A-Z][A-Z0-9]{1,6})s?\s*\(([^()]{3,80})\)")


@given(st.text("aZ_ (X)Y1\u00e9\u00c9s\t", max_size=40))
def test_the_quick_pattern_finds_what_the_plain_one_does(text: str) -> None:
    quick = [m.span(1) + m.span(2) for m in acronyms._SHORT_THEN_LONG.finditer(text)]
    assert quick == [m.span(1) + m.span(2) for m in _PLAIN_SHORT_THEN_LONG.finditer(text)]
