"""``python -m bench --quick`` runs every benchmark section on tiny inputs and writes the report
with each section, the machine and the versions. No timing is asserted: only that everything
ran and was written."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> str:
    work = tmp_path_factory.mktemp("bench")
    out = work / "BENCHMARKS.md"
    env = {**os.environ, "DXBOARD_BENCH_CACHE": str(work / "cache")}
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--output", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out.read_text(encoding="utf-8")


def test_every_section_is_written(report: str) -> None:
    for title in (
        "## Machine",
        "## Targets",
        "## 1. A quarter's uploads",
        "## 2. Historical bulk imports",
        "## 3. Pages",
        "## 4. Metrics on a store",
        "## 5. Start-up",
        "## 6. Several replicas on PostgreSQL",
        "## 7. In the browser",
    ):
        assert title in report, title
    assert "Not measured" not in report
    assert "quick mode" in report


def test_machine_versions_and_figures(report: str) -> None:
    for words in (
        "| cores |",
        "| CPU |",
        "| memory |",
        "load average",
        "| python |",
        "| duckdb |",
        "| pandas |",
        "| python-calamine |",
        "| openpyxl |",
        "| streamlit |",
    ):
        assert words in report, words
    for figure in (
        "limit: python-calamine",
        "ours: ingest, in one process",
        "naive peer",
        "cli ingest",
        "readiness_index",
        "indicator_values",
        "completeness(",
        "to the health check",
        "| overview (`pages/overview.py`) |",
    ):
        assert figure in report, figure
    assert "÷ limit" in report and "peak RSS" in report


def test_only_and_bad_options(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "--only", "nothing"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2 and "unknown section" in proc.stderr
