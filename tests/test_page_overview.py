"""The overview page under AppTest, in Vietnamese and English, on the demo database."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from apptest import open_page, texts

from dxboard.catalogue import load_catalogue
from dxboard.i18n import fmt_period, t
from pages.figures import keymsg

PAGE = "pages/overview.py"
DTI_METRICS, DTI_TABLES = 1, 3
"""The published-DTI panel: its average, and its top, bottom and risers tables."""


def _tiles(at: object) -> list:
    """The metrics of the target tiles (bold labels; the DTI panel's average left out)."""
    return [m for m in at.metric if m.label.startswith("**")]  # type: ignore[attr-defined]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_overview_renders(demo_db: Path, lang: str) -> None:
    at = open_page(PAGE, lang)
    catalogue = load_catalogue()
    scored = [i for i in catalogue.indicators if i.scored and i.target is not None]
    informational = [i for i in catalogue.indicators if i not in scored]
    assert len(informational) == 1
    assert len(at.metric) == len(scored) + 1 + DTI_METRICS
    assert sorted(m.label for m in _tiles(at)) == sorted(
        f"**{i.name(lang)}**" for i in catalogue.indicators
    )
    period = at.session_state["period"]  # the latest quarter with data
    assert re.fullmatch(r"\d{4}-Q[1-4]", period)
    assert at.title[0].value == t("overview.title", lang, period=period)
    assert fmt_period(period, lang) in at.title[0].value  # Quý III/2026, Q3 2026
    text = texts(at)
    for pillar in catalogue.pillars:
        assert (pillar.name_vi if lang == "vi" else pillar.name_en) in text
    assert t("overview.top_heading", lang) in text and t("overview.risers_heading", lang) in text
    assert t("completeness.state_on_time", lang) in text
    assert len(at.get("plotly_chart")) == 1
    assert len(at.table) == 4 + DTI_TABLES
    assert "level4_share" not in text and "DBSCL" not in text and "on_time" not in text


def test_seed_quarter_tiles(demo_db: Path) -> None:
    at = open_page(PAGE, "vi", period="2022-Q2")
    values = {m.label.strip("*"): m.value for m in at.metric}
    version = load_catalogue().version_for("2022-Q2")
    assert values[version.indicator("steering_committee").name_vi] == "63/63"
    assert values[version.indicator("dx_resolution").name_vi] == "55/63"
    assert values[version.indicator("dx_program").name_vi] == "59/63"


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_no_comparable_quarter_across_the_merger(demo_db: Path, lang: str) -> None:
    at = open_page(PAGE, lang, period="2025-Q3")
    text = texts(at)
    assert t("overview.no_previous", lang) in text
    assert t("overview.no_previous_short", lang) in text
    assert not any(m.delta for m in at.metric)
    assert len(at.table) == 2 + DTI_TABLES  # leaders only; no movers


def test_current_basis_compares_across_the_merger(demo_db: Path) -> None:
    at = open_page(PAGE, "vi", period="2025-Q3", basis="current")
    assert t("overview.no_previous", "vi") not in texts(at)
    assert any(m.delta for m in at.metric)
    assert at.metric[0].value.endswith("/34")


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_key_messages_and_ranking_come_before_the_tiles(demo_db: Path, lang: str) -> None:
    at = open_page(PAGE, lang)
    markdown = [str(m.value) for m in at.markdown]
    messages = next(i for i, v in enumerate(markdown) if t("keymsg.heading", lang) in v)
    legend = next(i for i, v in enumerate(markdown) if t("keymsg.legend", lang) in v)
    assert messages < legend
    listed = markdown[messages + 1]
    assert listed.count("\n") == 2 and listed.startswith("1. ")  # three messages
    headers = [str(h.value) for h in at.subheader]
    assert headers.index(t("keymsg.ranks_heading", lang)) < headers.index(
        t("overview.targets_heading", lang)
    )
    # every tile carries its national status in words (and an icon), not colour alone
    statuses = [keymsg.status_word(s, lang) for s in keymsg.STATUS_ORDER]
    tiles = [v for v in markdown[legend + 1 :] if any(f"{w}]" in v for w in statuses)]
    tile_metrics = [m for m in at.metric if m.label.startswith("**")]  # not the DTI panel's
    assert len(tiles) == len(tile_metrics) - 1  # the informational tile has no status
    labels = [b.label for b in at.get("download_button")]
    assert labels[0] == t("keymsg.download_pdf", lang)


def test_tiles_nobody_meets_show_the_gap_and_the_best_province(demo_db: Path) -> None:
    at = open_page(PAGE, "vi")
    text = texts(at)
    assert "0/34" in [m.value for m in at.metric]
    assert "điểm phần trăm" in text and "Tốt nhất:" in text
