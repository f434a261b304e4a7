"""House rules of the library's shape: a thin front door, and no channel code inside it."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import index

INDEX = Path(index.__file__).parent
FORBIDDEN_IMPORTS = ("bot", "telegram", "dotenv", "pydantic_settings", "pickle", "joblib", "dill", "cloudpickle")


def test_all_lists_exactly_the_public_names_sorted() -> None:
    public = {n for n, v in vars(index).items() if not n.startswith("_") and not isinstance(v, ModuleType)}
    assert index.__all__ == sorted(public)


def imported_modules(tree: ast.AST) -> list[str]:
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def test_index_never_imports_channels_settings_or_pickle() -> None:
    offenders = []
    for path in INDEX.rglob("*.py"):
        for name in imported_modules(ast.parse(path.read_text())):
            if name.split(".")[0] in FORBIDDEN_IMPORTS:
                offenders.append(f"{path.name}: {name}")
    assert offenders == []


def test_index_never_reads_the_environment_or_configures_logging() -> None:
    offenders = []
    for path in INDEX.rglob("*.py"):
        source = path.read_text()
        for needle in ("os.environ", "os.getenv", "logging.basicConfig", "dictConfig", ".setLevel("):
            if needle in source:
                offenders.append(f"{path.name}: {needle}")
    assert offenders == []


def test_importing_the_library_does_not_import_telegram_or_bot(tmp_path: Path) -> None:
    code = "import sys, index; print(sorted(m for m in sys.modules if m.split('.')[0] in ('bot', 'telegram')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path)
    assert out.stdout.strip() == "[]"


def test_the_library_works_from_another_folder(tmp_path: Path) -> None:
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "n.md").write_text("# Volumes\nVolumes keep data after a container is removed.\n")
    code = (
        "from index import Retriever\n"
        "r = Retriever.from_directory('notes')\n"
        "print(r.answer('where do volumes keep data').hit.section.id)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path)
    assert out.stdout.strip() == "n.md#volumes"
