"""Figures of the Province profile page (pages/figures/profile.py)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from dxboard.store import Store
from metrics.brief import province_brief
from pages.figures.profile import index_history, pillar_bars


def test_pillar_bars_equal_the_brief(demo_db: Path) -> None:
    with Store(demo_db) as store:
        brief = province_brief(store, "92", "2024-Q4", "current")
    labels = ("Cần Thơ", "Cả nước", "Vùng")
    fig = pillar_bars(brief.pillars, "vi", "Trụ cột", labels)
    assert [tr.name for tr in fig.data] == list(labels)
    for trace, column in zip(fig.data, ("score", "national_mean", "regional_mean"), strict=True):
        assert list(trace.y) == pytest.approx(list(brief.pillars[column]))
    assert [x.replace("<br>", " ") for x in fig.data[0].x] == list(brief.pillars["name_vi"])
    english = pillar_bars(brief.pillars, "en", "Pillars", labels)
    assert [x.replace("<br>", " ") for x in english.data[0].x] == list(brief.pillars["name_en"])
    assert fig.layout.yaxis.tickformat == ".0%"


def test_index_history_index_and_reversed_rank() -> None:
    df = pd.DataFrame(
        {
            "period": ["2025-Q2", "2025-Q1"],
            "readiness_index": [80.0, 75.5],
            "rank": pd.array([3, 5], dtype="Int64"),
            "n_ranked": [34, 34],
        }
    )
    fig = index_history(df, "vi", "Lịch sử", "Chỉ số", "Hạng")
    index, rank = fig.data
    assert list(index.x) == ["2025-Q1", "2025-Q2"]
    assert list(index.y) == [75.5, 80.0]
    assert list(rank.y) == [5.0, 3.0]
    assert rank.yaxis == "y2"
    assert list(fig.layout.yaxis2.range) == [34.5, 0.5]  # rank 1 at the top
    assert 1 in fig.layout.yaxis2.tickvals
    assert list(fig.layout.yaxis.range) == [0, 100]


def test_profile_export_has_numbers_codes_and_dates(demo_db: Path) -> None:
    import io

    import openpyxl

    from dxboard.catalogue import load_catalogue
    from loaders.writers import to_xlsx_bytes
    from pages.figures.profile import export_frame

    with Store(demo_db) as store:
        brief = province_brief(store, "01", "2026-Q3")
    frame = export_frame(brief, load_catalogue(), "vi")
    assert (frame["Mã tỉnh"] == "01").all()
    rows = frame.set_index("Mã chỉ tiêu")
    level4 = rows.loc["level4_share"]
    expected = float(brief.indicators.set_index("indicator").loc["level4_share", "value"]) * 100
    assert level4["Giá trị"] == pytest.approx(expected)  # a number in %, not "100,0 %"
    assert level4["Mục tiêu"] == 100 and level4["Đơn vị"] == "%"
    assert rows.loc["steering_committee", "Giá trị"] in (0, 1)
    ws = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(frame))).active
    header = [c.value for c in ws[1]]
    value = ws.cell(
        row=2 + list(rows.index).index("level4_share"), column=header.index("Giá trị") + 1
    )
    assert value.data_type == "n"
    deadline = ws.cell(
        row=2 + list(rows.index).index("level4_share"), column=header.index("Thời hạn") + 1
    )
    assert deadline.is_date
