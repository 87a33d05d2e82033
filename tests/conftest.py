"""Test-wide settings: never touch the developer's database."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _isolated_db(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point ``$DXBOARD_DB`` at a temporary file for every test."""
    monkeypatch.setenv("DXBOARD_DB", str(tmp_path_factory.mktemp("db") / "test.duckdb"))
