"""Nothing loaded from disk can run code, and no dependency is at a release with a known vulnerability.

- An AST scan of ``index/`` and ``bot/``: no import of pickle, cPickle, joblib, dill, cloudpickle, marshal or
  shelve, no ``allow_pickle=True``, no ``np.load``/``numpy.load`` that does not say ``allow_pickle=False``, no
  ``pandas.read_pickle``, no ``eval``/``exec``, no ``yaml.load``.
- A saved index is only JSON and ``.npy`` arrays of plain numbers, each loadable with ``allow_pickle=False``.
- The offline audit: each installed distribution in ``KNOWN_BAD`` is at or above the first release that fixed
  the advisories listed there (a pip-audit-style check that needs no network; the table is kept by hand
  when pyproject's lower bounds change), and pyproject's own lower bounds exclude those releases.
"""

from __future__ import annotations

import ast
import json
import re
import tomllib
from importlib import metadata
from pathlib import Path

import numpy as np
import pytest
from packaging.requirements import Requirement
from packaging.version import Version

from index import Retriever
from tests.test_telegram_harness import CORPUS, ROOT

FORBIDDEN_MODULES = {"pickle", "cPickle", "_pickle", "joblib", "dill", "cloudpickle", "marshal", "shelve"}
FORBIDDEN_CALLS = {"eval", "exec", "read_pickle"}

#: distribution -> (first safe release, the advisories below it). Direct dependencies, and the transitive ones
#: that parse input from the network (tornado serves the webhook; h11, idna and certifi carry Bot API calls)
#: or files (pillow, through matplotlib).
KNOWN_BAD: dict[str, tuple[str, str]] = {
    "scikit-learn": ("1.5.0", "CVE-2024-5206: TfidfVectorizer keeps every discarded token in stop_words_"),
    "tornado": ("6.5", "CVE-2025-47287 multipart DoS; CVE-2024-52804 cookie parsing DoS; CVE-2023-28370"),
    "h11": ("0.16.0", "CVE-2025-43859: lenient chunked-encoding parsing (request smuggling)"),
    "idna": ("3.7", "CVE-2024-3651: quadratic time in idna.encode"),
    "certifi": ("2024.7.4", "CVE-2024-39689: GLOBALTRUST root certificates still trusted"),
    "pillow": ("10.3.0", "CVE-2024-28219 buffer overflow; CVE-2023-50447 ImageMath.eval code execution"),
    "numpy": ("1.22.2", "CVE-2021-41495, CVE-2021-41496, CVE-2021-34141"),
    "scipy": ("1.11.0", "CVE-2023-25399, CVE-2023-29824: use-after-free and refcount bugs"),
    "pydantic": ("2.4.0", "CVE-2024-3772: regular expression DoS in email validation"),
    "python-telegram-bot": ("22.0", "the supported major release (no published advisory)"),
}


def python_files() -> list[Path]:
    return sorted(p for package in ("index", "bot") for p in (ROOT / package).rglob("*.py"))


def dangerous(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [f"import {a.name}" for a in node.names if a.name.split(".")[0] in FORBIDDEN_MODULES]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in FORBIDDEN_MODULES:
            found.append(f"from {node.module} import ...")
        elif isinstance(node, ast.keyword) and node.arg == "allow_pickle" and not (
            isinstance(node.value, ast.Constant) and node.value.value is False
        ):
            found.append(f"allow_pickle={ast.unparse(node.value)}")
        elif isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            owner = ast.unparse(node.func.value) if isinstance(node.func, ast.Attribute) else ""
            if name in FORBIDDEN_CALLS:
                found.append(f"{ast.unparse(node.func)}(...)")
            if name == "load" and owner in ("np", "numpy") and not any(
                k.arg == "allow_pickle" for k in node.keywords
            ):
                found.append("np.load without allow_pickle=False")
            if name == "load" and owner == "yaml":
                found.append("yaml.load")
    return found


def test_the_scan_finds_what_it_looks_for() -> None:
    sample = (
        "import pickle\nfrom joblib import load\nimport dill.settings\nnp.load(f)\n"
        "numpy.load(f, allow_pickle=True)\neval('1')\nyaml.load(s)\npd.read_pickle(p)\nnp.load(f, allow_pickle=False)\n"
    )
    assert sorted(dangerous(ast.parse(sample))) == sorted([
        "import pickle", "from joblib import ...", "import dill.settings", "np.load without allow_pickle=False",
        "allow_pickle=True", "eval(...)", "yaml.load", "pd.read_pickle(...)",
    ])


def test_no_module_of_index_or_bot_can_unpickle_or_evaluate() -> None:
    files = python_files()
    assert len(files) > 40
    findings = {str(p.relative_to(ROOT)): found for p in files if (found := dangerous(ast.parse(p.read_text())))}
    assert findings == {}


def test_a_saved_index_is_json_and_plain_numeric_arrays(tmp_path: Path) -> None:
    Retriever.from_directory(CORPUS).save(tmp_path / "index")
    files = sorted((tmp_path / "index").iterdir())
    assert {p.suffix for p in files} == {".json", ".npy"}
    for path in files:
        if path.suffix == ".npy":
            array = np.load(path, allow_pickle=False)
            assert array.dtype.kind in "iuf", f"{path.name} holds {array.dtype}"
        else:
            json.loads(path.read_text(encoding="utf-8"))


def installed(name: str) -> Version | None:
    try:
        return Version(metadata.version(name))
    except metadata.PackageNotFoundError:
        return None


@pytest.mark.parametrize("name", sorted(KNOWN_BAD))
def test_no_installed_dependency_is_at_a_release_with_a_known_advisory(name: str) -> None:
    safe, advisories = KNOWN_BAD[name]
    version = installed(name)
    if version is None:
        pytest.skip(f"{name} is not installed")
    assert version >= Version(safe), f"{name} {version} is older than {safe}: {advisories}"


def test_pyproject_lower_bounds_exclude_the_known_bad_releases() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    floors = {}
    for line in project["dependencies"]:
        requirement = Requirement(line)
        lower = [Version(s.version) for s in requirement.specifier if s.operator in (">=", "~=", "==")]
        floors[re.sub(r"[-_.]+", "-", requirement.name).lower()] = max(lower) if lower else None
    too_low = {
        name: (str(floors[name]), safe)
        for name, (safe, _) in KNOWN_BAD.items()
        if name in floors and (floors[name] is None or floors[name] < Version(safe))  # type: ignore[operator]
    }
    assert too_low == {}
    assert {"tornado", "h11", "idna", "certifi", "pillow", "scikit-learn"} <= set(floors)
