"""The Province profile page under AppTest, and opening it from another page."""

from __future__ import annotations

from pathlib import Path

import pytest
from apptest import open_page, texts
from streamlit.testing.v1 import AppTest

from dxboard.catalogue import load_catalogue
from dxboard.i18n import t

PAGE = "pages/profile.py"


def frames(at: AppTest) -> list:
    return [d.value for d in at.dataframe]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_renders_province_indicators_and_submissions(demo_db: Path, lang: str) -> None:
    at = open_page(PAGE, lang)
    assert t("nav.profile", lang) in texts(at)
    assert at.header[0].value == "Thành phố Hà Nội"  # default: the first province
    indicators, *_, history = frames(at)
    names = set(indicators[t("col.indicator", lang)])
    assert names == {i.name(lang) for i in load_catalogue().indicators}
    assert "level4_share" not in texts(at)
    statuses = {s.removeprefix("● ") for s in indicators[t("col.status", lang)]}
    assert statuses <= {
        t(f"status.{s}", lang)
        for s in ("met", "on_track", "off_track", "overdue", "not_met", "no_data", "not_scored")
    }
    files = history[t("profile.col_file", lang)]
    assert files.str.startswith("demo_").all()
    assert t("profile.submissions_title", lang) in texts(at)
    assert t("profile.gaps_title", lang) in texts(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[t("col.rank", lang)].split("/")[0].split(" ")[0].isdigit()
    charts = {e.proto.id.rsplit("-", 1)[-1] for e in at.get("plotly_chart")}
    assert {"profile_history", "profile_pillars"} <= charts


def test_dates_are_vietnamese(demo_db: Path) -> None:
    history = frames(open_page(PAGE, "vi"))[-1]
    assert history[t("profile.col_received", "vi")].str.fullmatch(r"\d{2}/\d{2}/\d{4}").all()


def test_province_from_session_state(demo_db: Path) -> None:
    at = open_page(PAGE, "vi", profile_province="79")
    assert at.header[0].value == "Thành phố Hồ Chí Minh"
    assert at.selectbox(key="profile_pick").value == "79"


def test_switch_from_compare_opens_that_province(demo_db: Path) -> None:
    """What a click on the Compare map does: set the code, switch page."""
    at = open_page("pages/compare.py")
    at.session_state["profile_province"] = "92"
    at.session_state["profile_era"] = "current"
    at.switch_page(PAGE)
    at.run()
    assert not at.exception
    assert at.header[0].value == "Thành phố Cần Thơ"


def test_former_province_opens_its_successor(demo_db: Path) -> None:
    # Quảng Nam (legacy 49) merged into Đà Nẵng (48); the latest quarter is current-era
    at = open_page(PAGE, "vi", profile_province="49", profile_era="legacy")
    assert at.header[0].value == "Thành phố Đà Nẵng"


def test_current_basis_for_a_legacy_quarter(demo_db: Path) -> None:
    at = open_page(PAGE, "en", profile_province="92", period="2022-Q2", basis="current")
    assert at.header[0].value == "Thành phố Cần Thơ"
    assert "3 of 3 former provinces" in texts(at)  # k of n constituents
    indicators, *_, history = frames(at)
    assert indicators[t("col.value", "en")].str.contains(r"\(\d/3 former\)").any()
    provinces = set(history[t("col.province", "en")])
    assert {"Hậu Giang (former)", "Sóc Trăng (former)"} <= provinces


def test_reported_legacy_quarter_uses_legacy_provinces(demo_db: Path) -> None:
    at = open_page(PAGE, "vi", profile_province="36", profile_era="legacy", period="2024-Q4")
    assert at.header[0].value == "Tỉnh Nam Định"
    assert len(at.selectbox(key="profile_pick").options) == 63
    flags = frames(at)[1]  # Nam Định has an outlier flag in the demo data for 2024-Q4
    assert t("profile.flag_outlier", "vi") in set(flags[t("profile.col_flag", "vi")])
    assert load_catalogue().indicator("online_dossier_share").name("vi") in set(
        flags[t("profile.col_item", "vi")]
    )
