"""The layers hold (read from the source, not by running it): the core imports nothing above it,
loaders and metrics never import Streamlit, only the store package runs SQL, and no module
hides an import inside a function."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("dxboard", "loaders", "metrics", "pages", "cli")
STORE = ROOT / "dxboard" / "store"

MAY_NOT_IMPORT = {
    "dxboard": {"loaders", "metrics", "pages", "cli", "app", "streamlit"},
    "loaders": {"metrics", "pages", "cli", "app", "streamlit"},
    "metrics": {"loaders", "pages", "cli", "app", "streamlit"},
    "cli": {"pages", "app", "streamlit"},
    "pages": {"cli"},
}
SQL_CALLS = {"execute", "executemany", "sql"}


def _sources() -> list[Path]:
    files = [ROOT / "app.py"]
    for package in PACKAGES:
        files += sorted((ROOT / package).rglob("*.py"))
    return files


def _package(path: Path) -> str:
    relative = path.relative_to(ROOT)
    return relative.parts[0] if len(relative.parts) > 1 else "app"


def _imports(tree: ast.AST) -> Iterator[tuple[str, int]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from ((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.module, node.lineno


def _parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


SOURCES = _sources()
IDS = [str(p.relative_to(ROOT)) for p in SOURCES]


@pytest.mark.parametrize("path", SOURCES, ids=IDS)
def test_imports_follow_the_layers(path: Path) -> None:
    banned = MAY_NOT_IMPORT.get(_package(path), set())
    wrong = [
        f"{module} (line {line})"
        for module, line in _imports(_parse(path))
        if module.split(".")[0] in banned
    ]
    assert not wrong, f"{path.name} imports {wrong}"


@pytest.mark.parametrize("path", SOURCES, ids=IDS)
def test_only_the_store_runs_sql(path: Path) -> None:
    if STORE in path.parents:
        return
    tree = _parse(path)
    duckdb = [line for module, line in _imports(tree) if module.split(".")[0] == "duckdb"]
    calls = [
        f"{node.func.attr} (line {node.lineno})"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in SQL_CALLS
    ]
    assert not duckdb and not calls, f"{path.name}: duckdb at {duckdb}, calls {calls}"


@pytest.mark.parametrize("path", SOURCES, ids=IDS)
def test_no_import_hides_inside_a_function(path: Path) -> None:
    tree = _parse(path)
    hidden = [
        f"line {inner.lineno}"
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        for inner in ast.walk(node)
        if isinstance(inner, ast.Import | ast.ImportFrom)
    ]
    assert not hidden, f"{path.name}: imports inside functions at {hidden}"


def test_the_rules_catch_a_violation(tmp_path: Path) -> None:
    """The checks above find what they look for (a test that could not fail proves nothing)."""
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import streamlit\n"
        "def f(store):\n"
        "    import loaders\n"
        "    return store.cursor().execute('SELECT 1')\n"
    )
    tree = _parse(bad)
    assert [m for m, _ in _imports(tree)] == ["streamlit", "loaders"]
    calls = [
        n
        for n in ast.walk(tree)
        if isinstance(n, ast.Call)
        and isinstance(n.func, ast.Attribute)
        and n.func.attr in SQL_CALLS
    ]
    assert len(calls) == 1
