"""Figures of the Compare page (pages/figures/compare.py), tested as functions."""

from __future__ import annotations

import pandas as pd
import pytest

from dxboard.catalogue import load_catalogue
from dxboard.i18n import t
from pages.figures.compare import (
    STATUS_COLOURS,
    pillar_groups,
    rank_range,
    ranked_bars,
    series_lines,
)


def _bars(status: bool = True) -> pd.DataFrame:
    df = pd.DataFrame(
        {
            "province_code": ["01", "79", "48", "92"],
            "name": ["Hà Nội", "Hồ Chí Minh", "Đà Nẵng", "Cần Thơ"],
            "value": [0.8, 1.0, None, 0.6],
        }
    )
    if status:
        df["status"] = ["overdue", "met", "no_data", "overdue"]
    return df


def test_ranked_bars_order_colours_and_no_missing() -> None:
    fig = ranked_bars(_bars(), "vi", "Xếp hạng", kind="ratio")
    assert [tr.name for tr in fig.data] == [t("status.met", "vi"), t("status.overdue", "vi")]
    assert fig.data[0].marker.color == STATUS_COLOURS["met"]
    shown = [n for tr in fig.data for n in tr.y]
    assert sorted(shown) == sorted(["Hồ Chí Minh", "Hà Nội", "Cần Thơ"])  # Đà Nẵng: no value
    assert list(fig.layout.yaxis.categoryarray) == ["Hồ Chí Minh", "Hà Nội", "Cần Thơ"]
    assert fig.layout.yaxis.autorange == "reversed"  # best at the top
    assert list(fig.data[1].customdata) == ["01", "92"]  # codes for the click
    assert fig.layout.xaxis.tickformat == ".0%"
    assert fig.layout.separators == ",."


@pytest.mark.parametrize("code", ["level4_share", "it_budget_share", "security_budget_share"])
def test_ranked_bars_target_line_at_catalogue_target(code: str) -> None:
    target = load_catalogue().indicator(code).target
    assert target is not None
    value = target.stages[0].value
    fig = ranked_bars(_bars(), "en", "Ranking", kind="ratio", target=value, target_label="Target")
    lines = [s for s in fig.layout.shapes if s.type == "line"]
    assert len(lines) == 1
    assert lines[0].x0 == lines[0].x1 == pytest.approx(value)
    assert fig.layout.annotations[0].text == "Target"


def test_ranked_bars_no_target_line_for_the_index() -> None:
    df = _bars(status=False).assign(value=[80.0, 90.5, None, 70.0])
    fig = ranked_bars(df, "vi", "Chỉ số", kind="index")
    assert not fig.layout.shapes
    assert len(fig.data) == 1
    assert list(fig.layout.xaxis.range) == [0, 100]
    assert fig.layout.showlegend is False


def test_pillar_groups_one_trace_per_province() -> None:
    pillars = [(p.code, p.name_vi) for p in load_catalogue().pillars]
    scores = pd.DataFrame(
        {
            "name": ["Hà Nội", "Huế"],
            **{code: [0.5 + i / 10, 1.0] for i, (code, _) in enumerate(pillars)},
        }
    )
    fig = pillar_groups(scores, pillars, "vi", "Trụ cột")
    assert [tr.name for tr in fig.data] == ["Hà Nội", "Huế"]
    assert list(fig.data[0].y) == pytest.approx([0.5, 0.6, 0.7, 0.8, 0.9])
    assert len(fig.data[0].x) == 5
    assert fig.layout.barmode == "group"


def test_series_lines_one_line_per_province_in_period_order() -> None:
    df = pd.DataFrame(
        {
            "period": ["2025-Q1", "2024-Q4", "2025-Q1", "2024-Q4"],
            "name": ["A", "A", "B", "B"],
            "value": [0.5, 0.4, 0.7, 0.6],
        }
    )
    fig = series_lines(df, "vi", "Diễn biến", kind="ratio")
    assert [tr.name for tr in fig.data] == ["A", "B"]
    assert list(fig.data[0].x) == ["2024-Q4", "2025-Q1"]
    assert list(fig.data[0].y) == [0.4, 0.5]
    assert list(fig.layout.xaxis.categoryarray) == ["2024-Q4", "2025-Q1"]


def test_series_lines_colour_a_province_as_the_pillar_bars_do() -> None:
    df = pd.DataFrame(
        {"period": ["2025-Q1"] * 3, "name": ["B", "C", "A"], "value": [0.5, 0.4, 0.7]}
    )
    scores = pd.DataFrame({"name": ["A", "B", "C"], "p1": [0.1, 0.2, 0.3]})
    bars = pillar_groups(scores, [("p1", "Trụ cột 1")], "vi", "Trụ cột")
    lines = series_lines(df, "vi", "Diễn biến", order=["A", "B", "C"])
    assert [tr.name for tr in lines.data] == ["A", "B", "C"]
    assert [tr.line.color for tr in lines.data] == [tr.marker.color for tr in bars.data]


def test_rank_range_bars_from_best_to_worst() -> None:
    df = pd.DataFrame(
        {
            "name": ["A", "B", "C"],
            "rank": [2, 1, None],
            "equal_rank": [1, 2, 3],
            "best_rank": [1, 1, None],
            "worst_rank": [3, 2, None],
        }
    )
    labels = {"range": "range", "rank": "rank", "equal_rank": "equal"}
    fig = rank_range(df, "vi", "Khoảng hạng", labels)
    bar, equal, chosen = fig.data
    assert list(bar.y) == ["B", "A"]  # unranked C left out; ordered by chosen rank
    assert list(bar.base) == [1, 1]
    assert [round(x) for x in bar.x] == [1, 2]  # worst − best
    assert list(chosen.x) == [1, 2]
    assert list(equal.x) == [2, 1]
    assert [tr.name for tr in fig.data] == ["range", "equal", "rank"]


def test_yes_no_bars_span_the_axis_with_the_answer_inside() -> None:
    df = _bars().assign(
        value=[1.0, 0.0, None, 1.0],
        status=["met", "not_met", "no_data", "met"],
        text=["Có", "Không (2/3 tỉnh cũ)", "–", "Có"],
    )
    fig = ranked_bars(df, "vi", "Nghị quyết", kind="yes_no", target=1.0)
    assert [n for tr in fig.data for n in tr.x] == [1.0, 1.0, 1.0]  # a "no" stays visible
    assert list(fig.data[1].text) == ["Không (2/3 tỉnh cũ)"]
    assert fig.data[1].marker.color == STATUS_COLOURS["not_met"]
    assert list(fig.layout.yaxis.categoryarray)[-1] == "Hồ Chí Minh"  # "no" ranks last
