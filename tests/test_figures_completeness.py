"""The completeness page's figure and table functions, on hand-made records and the demo."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from itertools import pairwise
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dxboard.i18n import t
from dxboard.store import Store
from metrics.completeness import RECORD_COLUMNS, completeness, timeliness
from pages.figures import completeness as fig

TODAY = date(2026, 11, 22)


def _records() -> pd.DataFrame:
    """Four provinces, two periods: every state once, and one province absent in 2025-Q3."""
    rows = [
        # era, code, period, name, region, reported_on, days_late, k, n, status
        ("legacy", "01", "2025-Q2", "Hà Nội", "DBSH", date(2025, 7, 10), 0, 1, 1, "on_time"),
        ("legacy", "92", "2025-Q2", "Cần Thơ", "DBSCL", date(2025, 7, 20), 5, 1, 1, "late"),
        ("legacy", "15", "2025-Q2", "Yên Bái", "TDMNPB", None, np.nan, 0, 1, "missing"),
        ("legacy", "10", "2025-Q2", "Lào Cai", "TDMNPB", None, np.nan, 0, 1, "missing"),
        ("current", "01", "2025-Q3", "Hà Nội", "DBSH", None, np.nan, 0, 1, "not_yet_due"),
        ("current", "92", "2025-Q3", "Cần Thơ", "DBSCL", None, np.nan, 2, 3, "partial"),
        ("current", "15", "2025-Q3", "Lào Cai", "TDMNPB", date(2025, 10, 1), 0, 2, 2, "on_time"),
    ]
    out = pd.DataFrame(
        rows,
        columns=[
            "era",
            "province_code",
            "period",
            "province_name",
            "region",
            "reported_on",
            "days_late",
            "constituents_reported",
            "constituents_total",
            "status",
        ],
    )
    out["deadline"] = out["period"].map(
        {"2025-Q2": date(2025, 7, 15), "2025-Q3": date(2025, 10, 15)}
    )
    return out[RECORD_COLUMNS]


def test_rows_sorted_by_region_then_name() -> None:
    rows = fig.province_rows(_records())
    assert list(rows["province_name"]) == ["Lào Cai", "Yên Bái", "Hà Nội", "Cần Thơ"]


def test_heatmap_z_holds_the_state_codes() -> None:
    records = _records()
    matrix = fig.heatmap_matrix(records)
    assert list(matrix.columns) == ["2025-Q2", "2025-Q3"]
    for rec in records.itertuples():
        assert matrix.loc[rec.province_name, rec.period] == fig.STATES.index(rec.status)
    assert np.isnan(matrix.loc["Yên Bái", "2025-Q3"])  # merged away: no cell


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_heatmap_colours_and_legend(lang: str) -> None:
    figure = fig.status_heatmap(_records(), lang, period="2025-Q3")
    heat = figure.data[0]
    assert heat.type == "heatmap" and heat.zmin == 0 and heat.zmax == len(fig.STATES)
    assert list(heat.y) == ["Lào Cai", "Yên Bái", "Hà Nội", "Cần Thơ"]
    scale = heat.colorscale
    for i, state in enumerate(fig.STATES):  # code i is drawn in the state's colour
        middle = (i + 0.5) / len(fig.STATES)
        colour = next(c for (lo, c), (hi, _) in pairwise(scale) if lo <= middle <= hi)
        assert colour == fig.COLOURS[state]
    legend = {trace.name: trace.marker.color for trace in figure.data[1:]}
    assert legend == {t(f"completeness.state_{s}", lang): fig.COLOURS[s] for s in fig.STATES}
    assert "partial" not in str(legend) and "on_time" not in str(legend)
    assert any(shape.type == "rect" for shape in figure.layout.shapes)  # selected period
    hover = heat.customdata
    assert t("completeness.state_late", lang) in hover[3][0]
    assert "2/3" in hover[3][1]


def test_not_reported_table() -> None:
    table = fig.not_reported(_records(), "2025-Q3", "vi")
    assert list(table[t("col.province", "vi")]) == ["Hà Nội", "Cần Thơ"]
    assert list(table[t("col.status", "vi")]) == ["Chưa đến hạn", "Một phần"]
    assert list(table[t("col.region", "vi")]) == ["Đồng bằng sông Hồng", "Đồng bằng sông Cửu Long"]
    assert list(table[t("completeness.col_constituents", "vi")]) == ["", "2/3"]
    assert fig.not_reported(_records(), "2025-Q2", "en").shape[0] == 2


def test_export_frame_has_no_raw_codes() -> None:
    table = fig.export_frame(_records(), "en")
    assert table.shape == (7, 10)
    assert set(table[t("col.status", "en")]) == {
        "On time",
        "Late",
        "Missing",
        "Not yet due",
        "Partial",
    }
    assert "DBSCL" not in table.to_string() and "on_time" not in table.to_string()
    assert list(table[t("col.province", "en")])[:4] == [
        "Hà Nội",
        "Lào Cai",
        "Yên Bái",
        "Cần Thơ",
    ]  # period, then code
    assert table[t("completeness.col_days_late", "en")].iloc[3] == 5


@pytest.fixture(scope="module")
def store(demo_db_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    path = tmp_path_factory.mktemp("cpfig") / "demo.duckdb"
    shutil.copy(demo_db_template, path)
    with Store(path) as opened:
        yield opened


@pytest.mark.parametrize("basis", ["reported", "current"])
def test_demo_heatmap_and_counts(store: Store, basis: str) -> None:
    periods = ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]
    records = timeliness(store, periods, basis, today=TODAY)
    matrix = fig.heatmap_matrix(records)
    expected = 63 if basis == "reported" else 34
    assert len(matrix) == expected  # current provinces continue the same-named rows
    cells = [expected, expected, 34, 34]  # the 63 former provinces report until 2025-Q2
    assert matrix.notna().sum().tolist() == cells
    summary = completeness(store, periods, basis, today=TODAY)
    bars = fig.counts_bar(summary, "vi")
    total = sum(np.asarray(trace.y, dtype=float) for trace in bars.data)
    assert total.tolist() == summary["expected"].tolist()
    assert {trace.name for trace in bars.data} <= {
        t(f"completeness.state_{s}", "vi") for s in fig.STATES
    }
