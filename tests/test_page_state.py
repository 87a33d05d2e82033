"""State that survives a reload: the view in the URL (query parameters), the officer's province."""

from __future__ import annotations

from pathlib import Path

import pytest
from apptest import ROOT, texts
from streamlit.testing.v1 import AppTest

from dxboard.i18n import t
from pages import common


def _run(page: str, params: dict[str, str]) -> AppTest:
    common.DEFAULT_LANG = params.get("lang", "vi")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    if page != "overview":
        at.switch_page(str(ROOT / f"pages/{page}.py"))
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_query_parameters_restore_the_view(demo_db: Path) -> None:
    params = {"lang": "en", "period": "2026-Q2", "basis": "current", "indicator": "dx_resolution"}
    at = _run("compare", params)
    assert at.session_state["lang"] == "en"
    assert at.session_state["period"] == "2026-Q2"
    assert at.session_state["basis"] == "current"
    assert at.selectbox(key="compare_indicator").value == "dx_resolution"
    assert t("nav.compare", "en") in texts(at)
    assert {k: at.query_params[k] for k in params} == params


def test_the_province_is_matched_through_the_registry(demo_db: Path) -> None:
    at = _run("profile", {"province": "Da Nang", "lang": "en"})
    assert at.selectbox(key="profile_pick").value == "48"
    assert at.query_params["province"] == "48"


def test_bad_parameters_are_ignored(demo_db: Path) -> None:
    params = {"lang": "fr", "period": "2099-Q1", "basis": "x", "indicator": "nope"}
    at = _run("compare", {**params, "province": "Atlantis"})
    assert at.session_state["lang"] == "vi"
    assert at.session_state["period"] == common.cached_periods()[-1]
    assert at.session_state["basis"] == "reported"
    assert at.selectbox(key="compare_indicator").value == "readiness_index"


def test_an_officer_opens_on_its_own_province(
    demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DXBOARD_DEMO_ROLES", "1")
    at = _run("login", {})
    at.selectbox(key="login_demo_role").set_value("officer").run()
    at.selectbox(key="login_demo_prov").set_value("48").run()
    next(b for b in at.button if b.label == t("login.demo_submit", "vi")).click()
    at.run()
    at.switch_page(str(ROOT / "pages/profile.py"))
    at.run()
    assert at.selectbox(key="profile_pick").value == "48"  # Đà Nẵng, not the first province
    at.switch_page(str(ROOT / "pages/upload.py"))
    at.run()
    assert at.selectbox(key="upload_province_current").value == "48"
