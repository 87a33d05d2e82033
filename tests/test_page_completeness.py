"""The completeness page under AppTest, in Vietnamese and English, on the demo database."""

from __future__ import annotations

from pathlib import Path

import pytest
from apptest import open_page, texts

from dxboard.i18n import t

PAGE = "pages/completeness.py"
MISSING_PERIOD = "2026-Q2"  # the demo has one province without a report for this quarter


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_completeness_renders(demo_db: Path, lang: str) -> None:
    at = open_page(PAGE, lang, period=MISSING_PERIOD)
    assert at.title[0].value == t("completeness.title", lang)
    assert len(at.get("plotly_chart")) == 2  # counts per period and the heatmap
    text = texts(at)
    assert t("completeness.heatmap_heading", lang) in text
    assert t("completeness.missing_heading", lang, period=MISSING_PERIOD) in text
    assert len(at.dataframe) == 3  # missing provinces; review states per quarter, per province
    missing = at.dataframe[0].value
    assert list(missing.columns[:3]) == [
        t("col.province", lang),
        t("col.region", lang),
        t("col.status", lang),
    ]
    assert len(missing) >= 1
    assert set(missing[t("col.status", lang)]) <= {
        t(f"completeness.state_{s}", lang) for s in ("missing", "partial", "not_yet_due")
    }
    assert "on_time" not in text and "DBSH" not in text


def test_deadline_input_changes_the_counts(demo_db: Path) -> None:
    at = open_page(PAGE, "vi", period=MISSING_PERIOD)
    days = at.number_input(key="cp_days")
    assert days.value == 15 and days.min == 1 and days.max == 90
    before = at.markdown[
        [t("completeness.state_late", "vi") in m.value for m in at.markdown].index(True)
    ].value
    days.set_value(90).run()
    assert not at.exception
    assert t("completeness.intro", "vi", days=90) in texts(at)
    after = at.markdown[
        [t("completeness.state_late", "vi") in m.value for m in at.markdown].index(True)
    ].value
    assert f"{t('completeness.state_late', 'vi')}: 0" in after and after != before


def test_all_reported_quarter(demo_db: Path) -> None:
    at = open_page(PAGE, "en", period="2026-Q3", basis="current")
    assert len(at.dataframe) == 2  # the review tables only: no table of missing provinces
    assert t("col.region", "en") not in at.dataframe[0].value.columns
    assert t("completeness.all_reported", "en", n=34, period="2026-Q3") in texts(at)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_review_states_per_quarter_and_province(demo_db: Path, lang: str) -> None:
    at = open_page(PAGE, lang, period=MISSING_PERIOD)
    assert t("review.completeness_heading", lang) in texts(at)
    counts = at.dataframe[1].value
    states = [
        t(f"review.state_{s}", lang) for s in ("approved", "submitted", "returned", "missing")
    ]
    assert list(counts.columns) == [t("col.period", lang), *states]
    row = counts[counts[t("col.period", lang)] == MISSING_PERIOD].iloc[0]
    assert row[states[0]] == 0 and row[states[1]] > 0 and row[states[3]] > 0  # nothing reviewed
    provinces = at.dataframe[2].value
    assert set(provinces[t("review.col_state", lang)]) <= set(states)
    badges = [m.value for m in at.markdown if t("review.badges_heading", lang) in m.value]
    assert badges and states[1] in badges[0]
