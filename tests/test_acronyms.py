"""Acronyms defined by the notes themselves widen a question that uses the short form."""

from __future__ import annotations

from index import Record, Retriever
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
