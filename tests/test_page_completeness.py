"""The completeness page under AppTest, in Vietnamese and English, on the demo database."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dxboard.i18n import t

ROOT = Path(__file__).parent.parent
PAGE = "pages/completeness.py"
MISSING_PERIOD = "2026-Q2"  # the demo has one province without a report for this quarter


def _open(monkeypatch: pytest.MonkeyPatch, lang: str, **state: str) -> AppTest:
    # app.py's sidebar radios format their labels with lang() read at call time; AppTest calls
    # that outside a script run, where it falls back to the default language.
    monkeypatch.setattr("pages.common.DEFAULT_LANG", lang)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["lang"] = lang
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _texts(at: AppTest) -> str:
    kinds = ("title", "subheader", "markdown", "caption", "info", "success", "warning")
    return "\n".join(str(e.value) for kind in kinds for e in getattr(at, kind))


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_completeness_renders(demo_db: Path, monkeypatch: pytest.MonkeyPatch, lang: str) -> None:
    at = _open(monkeypatch, lang, period=MISSING_PERIOD)
    assert at.title[0].value == t("completeness.title", lang)
    assert len(at.get("plotly_chart")) == 2  # counts per period and the heatmap
    text = _texts(at)
    assert t("completeness.heatmap_heading", lang) in text
    assert t("completeness.missing_heading", lang, period=MISSING_PERIOD) in text
    assert len(at.dataframe) == 1
    missing = at.dataframe[0].value
    assert list(missing.columns[:3]) == [t("col.province", lang), t("col.region", lang),
                                         t("col.status", lang)]
    assert len(missing) >= 1
    assert set(missing[t("col.status", lang)]) <= {t(f"completeness.state_{s}", lang)
                                                   for s in ("missing", "partial",
                                                             "not_yet_due")}
    assert "on_time" not in text and "DBSH" not in text


def test_deadline_input_changes_the_counts(demo_db: Path, monkeypatch: pytest.MonkeyPatch
                                           ) -> None:
    at = _open(monkeypatch, "vi", period=MISSING_PERIOD)
    days = at.number_input(key="cp_days")
    assert days.value == 15 and days.min == 1 and days.max == 90
    before = at.markdown[[t("completeness.state_late", "vi") in m.value
                          for m in at.markdown].index(True)].value
    days.set_value(90).run()
    assert not at.exception
    assert t("completeness.intro", "vi", days=90) in _texts(at)
    after = at.markdown[[t("completeness.state_late", "vi") in m.value
                         for m in at.markdown].index(True)].value
    assert f"{t('completeness.state_late', 'vi')}: 0" in after and after != before


def test_all_reported_quarter(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _open(monkeypatch, "en", period="2026-Q3", basis="current")
    assert len(at.dataframe) == 0
    assert t("completeness.all_reported", "en", n=34, period="2026-Q3") in _texts(at)
