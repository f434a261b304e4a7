"""The README's promises: two commands first, and an embedding example that runs as written."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.conftest import ROOT

README = (ROOT / "README.md").read_text()


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.DOTALL)


def test_readme_opens_with_the_two_commands_and_ci_runs_the_second() -> None:
    first, second = blocks("bash")[:2]
    assert "python -m bot.repl" in first and "pip install -e ." in first
    assert 'pip install -e ".[test]"' in second and "python -m pytest" in second
    assert second.strip() in (ROOT / ".ci" / "run").read_text()


def test_the_embedding_example_runs_as_written(tmp_path: object) -> None:
    (example,) = blocks("python")
    assert len(example.strip().splitlines()) <= 12
    run = subprocess.run([sys.executable, "-c", example], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == [
        "how do I publish a port? -> Ports (coverage 1.00)",
        "what's the weather in Paris? -> not in the notes",
    ]
