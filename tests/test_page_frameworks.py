"""Pages by framework version: the overview, profile and compare pages show the 2025 regime
(Sở KH&CN → Bộ KH&CN, its indicators) from 2025-Q3 and the former one before; across the change
the break marker is shown and rank changes are not comparable."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from apptest import open_page, texts

from dxboard.catalogue import load_catalogue
from dxboard.i18n import t
from pages.figures.breaks import mark_breaks
from pages.figures.profile import index_history
from pages.upload_flow import field_label

REGIME = {
    ("2025-Q3", "vi"): "Khung chỉ tiêu 2025 (từ Quý III/2025): Sở KH&CN báo cáo Bộ KH&CN.",
    ("2025-Q2", "vi"): "Khung chỉ tiêu 2021 (đến Quý II/2025): Sở TT&TT báo cáo Bộ TT&TT.",
    ("2025-Q3", "en"): (
        "2025 framework (from Q3 2025): the Department of Science and Technology reports to "
        "the Ministry of Science and Technology."
    ),
    ("2025-Q2", "en"): (
        "2021 framework (until Q2 2025): the Department of Information and Communications "
        "reports to the Ministry of Information and Communications."
    ),
}
MARKER = {"vi": "Phương pháp thay đổi từ 2025-Q3", "en": "Method changed in 2025-Q3"}


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("period", ["2025-Q2", "2025-Q3"])
def test_overview_shows_the_regime_of_the_quarter(demo_db: Path, period: str, lang: str) -> None:
    at = open_page("pages/overview.py", lang, period=period)
    shown = texts(at)
    assert REGIME[(period, lang)] in shown
    version = load_catalogue().version_for(period)
    labels = sorted(m.label for m in at.metric if m.label.startswith("**"))  # tiles, not the DTI
    assert labels == sorted(f"**{i.name(lang)}**" for i in version.indicators)
    sti = load_catalogue().version("2025").indicator("sti_dx_budget_share").name(lang)
    assert (f"**{sti}**" in labels) == (period == "2025-Q3")


def test_overview_across_the_change_on_current_boundaries(demo_db: Path) -> None:
    at = open_page("pages/overview.py", "vi", period="2025-Q3", basis="current")
    shown = texts(at)
    assert f"**{MARKER['vi']}.**" in shown
    assert t("framework.rank_not_comparable", "vi", marker=MARKER["vi"]) in shown
    assert len(at.table) == 2 + 3  # leaders only: no movers across the change; the DTI panel's 3
    version = load_catalogue().version("2025")
    tiles = {m.label.strip("*"): m for m in at.metric}
    for code in ("steering_committee", "tech_team_share"):  # re-defined: no change shown
        tile = tiles[version.indicator(code).name_vi]
        assert not tile.delta
        assert tile.proto.delta_description == t("framework.redefined", "vi", p="2025-Q2")
    assert tiles[version.indicator("fiber_share").name_vi].delta  # unchanged: compared


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_profile_shows_the_regime_and_the_break(demo_db: Path, lang: str) -> None:
    at = open_page("pages/profile.py", lang, period="2025-Q3", basis="current")
    shown = texts(at)
    assert REGIME[("2025-Q3", lang)] in shown
    indicators = at.dataframe[0].value
    names = set(indicators[t("col.indicator", lang)])
    assert names == {i.name(lang) for i in load_catalogue().version("2025").indicators}
    rank = next(m for m in at.metric if m.label == t("col.rank", lang))
    assert t("framework.not_comparable", lang) in str(rank.proto.delta)
    assert t("framework.trend_marker", lang, marker=MARKER[lang]) in shown


def test_profile_before_the_change(demo_db: Path) -> None:
    at = open_page("pages/profile.py", "vi", period="2024-Q4")
    assert REGIME[("2025-Q2", "vi")] in texts(at)
    names = set(at.dataframe[0].value[t("col.indicator", "vi")])
    assert names == {i.name_vi for i in load_catalogue().version("2021").indicators}
    assert "Dịch vụ công trực tuyến mức độ 4" in names


def test_compare_marks_the_rank_change_as_not_comparable(demo_db: Path) -> None:
    at = open_page("pages/compare.py", "en", period="2025-Q3", basis="current")
    table = at.dataframe[0].value
    assert set(table[t("compare.rank_change", "en")]) == {t("framework.not_comparable", "en")}
    assert t("framework.rank_not_comparable", "en", marker=MARKER["en"]) in texts(at)
    assert REGIME[("2025-Q3", "en")] in texts(at)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_charts_over_the_change_carry_the_marker(lang: str) -> None:
    """The index history of a province crossing 2025-Q3: a dashed line between 2025-Q2 and
    2025-Q3, labelled with the marker; none when the periods stay within one version."""
    df = pd.DataFrame(
        {
            "period": ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"],
            "readiness_index": [60.0, 62.0, 58.0, 61.0],
            "rank": [10, 9, 12, 11],
            "n_ranked": [63, 63, 34, 34],
        }
    )
    fig = index_history(df, lang, "t", "i", "r")
    (line,) = fig.layout.shapes
    assert (line.x0, line.x1, line.line.dash) == (1.5, 1.5, "dash")
    assert [a.text for a in fig.layout.annotations] == [MARKER[lang]]
    within = index_history(df.iloc[2:], lang, "t", "i", "r")
    assert not within.layout.shapes and not within.layout.annotations
    assert not mark_breaks(index_history(df.iloc[:2], lang, "t", "i", "r"), [], lang).layout.shapes


def test_upload_preview_names_fields_as_the_period_s_version() -> None:
    old = field_label("procedures_level4", "vi", "2024-Q4")
    new = field_label("procedures_level4", "vi", "2025-Q4")
    assert "mức độ 4" in old and "toàn trình" in new and "mức độ 4" not in new
    assert field_label("sti_dx_budget", "en", "2024-Q4") == field_label("sti_dx_budget", "en")
