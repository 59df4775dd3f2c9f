"""Rules of the code base that no linter states: private names stay in their module."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _private_imports(path: Path) -> list[str]:
    """``from <biomodular module> import _name`` in one file (relative imports included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom):
            continue
        module = node.module or ""
        if node.level == 0 and not module.startswith("biomodular"):
            continue  # third-party or standard library
        if node.level:
            package = path.parent
            for _ in range(node.level - 1):
                package = package.parent
        else:
            package = ROOT
        package = package.joinpath(*module.split(".")) if module else package
        for alias in node.names:
            # a package may import its own private submodules; private functions and classes stay put
            submodule = package / alias.name
            if _private(alias.name) and not (submodule.with_suffix(".py").exists() or submodule.is_dir()):
                found.append(f"{path.name}:{node.lineno} imports {alias.name} from {'.' * node.level}{module}")
    return found


def test_no_private_name_is_imported_across_modules():
    files = sorted((ROOT / "biomodular").rglob("*.py")) + sorted((ROOT / "benchmarks").glob("*.py"))
    offences = [line for path in files for line in _private_imports(path)]
    assert not offences, "private names imported across modules:\n" + "\n".join(offences)


def test_the_rule_sees_relative_and_absolute_private_imports(tmp_path):
    sample = tmp_path / "probe.py"
    sample.write_text(
        "from .solvers.energy import _hidden\nfrom biomodular.sources import _x as y\n"
        "from numpy import _private_ok\nfrom .cli import __version__\n",
        encoding="utf-8",
    )
    found = _private_imports(sample)
    assert len(found) == 2 and "_hidden" in found[0] and "_x" in found[1]


def test_a_package_may_import_its_own_private_submodules(tmp_path):
    (tmp_path / "_helpers.py").write_text("VALUE = 1\n", encoding="utf-8")
    sample = tmp_path / "__init__.py"
    sample.write_text("from . import _helpers\nfrom ._helpers import VALUE\n", encoding="utf-8")
    assert _private_imports(sample) == []
