"""Coverage-guided fuzzing of the splitter and the Telegram formatter with atheris (libFuzzer for Python).

Not part of the test suite: run it by hand or in a nightly job, for as long as you like::

    pip install atheris            # wheels for CPython 3.11 on Linux x86-64
    python -m tests.fuzz.atheris_targets splitter -max_total_time=60 -rss_limit_mb=4096
    python -m tests.fuzz.atheris_targets formatter -max_total_time=60 tests/fuzz/corpus-formatter

Each input is decoded as UTF-8 (with replacement, so every byte string is a note) and checked for the same
properties as the hypothesis tests: ``splitter`` for tests/test_fuzz_splitter.py's (no non-heading character
lost, every heading a heading line), ``formatter`` for tests/test_fuzz_formatting.py's (HTML the fake accepts,
within the limit, no text lost), the limit taken from the input's first byte. A property that fails raises
``AssertionError`` and atheris writes the input to ``crash-<sha1>``; a run slower than ``-timeout`` seconds is
reported as a timeout (the super-linear regular expressions are found this way).
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports(include=["index", "bot"]):
    from bot.telegram.formatting import MAX_MESSAGE_CHARS, markdown_to_messages
    from index import split_markdown

from tests.fake_bot_api import parse_html, strip_html, telegram_text_length, validate_html
from tests.test_fuzz_splitter import expected_markdown

LIMITS = (16, 60, 200, MAX_MESSAGE_CHARS)


def splitter(data: bytes) -> None:
    text = data.decode("utf-8", "replace")
    sections = split_markdown(text, "n.md")
    assert [s.markdown for s in sections] == expected_markdown(text, sections)


def formatter(data: bytes) -> None:
    if not data:
        return
    limit = LIMITS[data[0] % len(LIMITS)]
    text = data[1:].decode("utf-8", "replace")
    parts = markdown_to_messages(text, limit=limit)
    for part in parts:
        assert validate_html(part) is None, (validate_html(part), part)
        assert telegram_text_length(parse_html(part).text) <= limit
    whole = markdown_to_messages(text, limit=10**9)
    squeeze = lambda s: "".join(s.split())  # noqa: E731
    assert squeeze("".join(map(strip_html, parts))) == squeeze("".join(map(strip_html, whole)))


TARGETS = {"splitter": splitter, "formatter": formatter}


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in TARGETS:
        sys.exit(f"usage: python -m tests.fuzz.atheris_targets {{{','.join(TARGETS)}}} [libFuzzer flags]")
    target = TARGETS[sys.argv.pop(1)]
    atheris.Setup(sys.argv, target)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
