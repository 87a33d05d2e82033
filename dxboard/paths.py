"""Where things live: the source tree's data folder and the database file."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
DB_ENV = "DXBOARD_DB"


def db_path() -> Path:
    """The DuckDB file: ``$DXBOARD_DB`` when set, else ``var/dxboard.duckdb`` in the project."""
    return Path(os.environ.get(DB_ENV) or ROOT / "var" / "dxboard.duckdb")
