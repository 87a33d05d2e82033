"""Test-wide settings: never touch the developer's database; a demo database for page tests."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from backends import BACKENDS, fresh_schema, server_url

DEMO_TODAY = date(2026, 11, 22)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if metafunc.definition.get_closest_marker("backends"):
        metafunc.parametrize("backend", BACKENDS, indirect=True)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """``duckdb`` (default) or ``postgres`` for tests of modules marked ``backends``."""
    name: str = getattr(request, "param", "duckdb")
    if name == "postgres":
        server_url()  # skip or fail now when there is no server
    return name


@pytest.fixture(autouse=True)
def _isolated_db(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch, backend: str
) -> Iterator[None]:
    """Point ``$DXBOARD_DB`` at a temporary file for every test; on the PostgreSQL run also
    ``$DXBOARD_DATABASE_URL`` at a schema of the test's own, so ``Store()`` opens it."""
    monkeypatch.setenv("DXBOARD_DB", str(tmp_path_factory.mktemp("db") / "test.duckdb"))
    monkeypatch.delenv("DXBOARD_DATABASE_URL", raising=False)
    if backend != "postgres":
        yield
        return
    with fresh_schema(server_url()) as url:
        monkeypatch.setenv("DXBOARD_DATABASE_URL", url)
        yield


@pytest.fixture(autouse=True)
def _no_legacy_pages_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    """AppTest resets Streamlit's legacy ``pages/`` flag before every run; clear it again so
    every run goes through ``app.py`` as it does on the real server (see pages/common.py)."""
    from streamlit.runtime.pages_manager import PagesManager

    original = PagesManager.__init__

    def init(self: PagesManager, *args: object, **kwargs: object) -> None:
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)


@pytest.fixture(autouse=True)
def _default_language(monkeypatch: pytest.MonkeyPatch) -> None:
    """Page tests set ``pages.common.DEFAULT_LANG`` to their language (tests/apptest.py);
    put it back after each test."""
    from pages import common

    monkeypatch.setattr(common, "DEFAULT_LANG", common.DEFAULT_LANG)


@pytest.fixture(scope="session")
def demo_db_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with the demo data loaded, built once per test session."""
    from dxboard.store import Store
    from loaders.demo import load_demo
    from loaders.reference import ensure_reference

    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    with Store(path) as store:
        load_demo(store, today=DEMO_TODAY)
        ensure_reference(store)  # as the app's first start does
    return path


@pytest.fixture()
def demo_db(
    demo_db_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """A private copy of the demo database as ``$DXBOARD_DB``, with Streamlit caches cleared."""
    import streamlit as st

    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_db_template, path)
    monkeypatch.setenv("DXBOARD_DB", str(path))
    st.cache_resource.clear()
    st.cache_data.clear()
    yield path
    st.cache_resource.clear()
    st.cache_data.clear()
