"""End to end in a real headless Chromium: start ``streamlit run app.py`` on a free local port
with the demo data, visit every page in both languages (a screenshot each, under
``tests/_artifacts/browser/``), and upload a filled template as a demo officer.

Needs Debian's ``chromium`` and the ``playwright`` package; skipped without them unless
``DXBOARD_REQUIRE_BROWSER=1`` (set by ``.ci/run`` once Chromium is installed).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_pages import PAGES

from bench.servers import ARGS, CHROMIUM, Streamlit
from dxboard.i18n import t

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "tests" / "_artifacts" / "browser"
if not CHROMIUM and os.environ.get("DXBOARD_REQUIRE_BROWSER") != "1":
    pytest.skip("Debian chromium is not installed", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def server(demo_db_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = tmp_path_factory.mktemp("browser") / "demo.duckdb"
    shutil.copy(demo_db_template, db)
    server = Streamlit({"DXBOARD_DB": str(db)})
    try:
        server.wait_healthy()
        yield server.url
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


def settle(page: object) -> None:
    """Wait until Streamlit has finished the current run."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=60_000)
    page.wait_for_timeout(300)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000
    )
    page.wait_for_timeout(500)


def full_shot(page: object, path: Path, width: int = 1440) -> None:
    """Screenshot the whole page: Streamlit scrolls inside its main block, so the viewport is
    first grown to the height of the content."""
    height = page.evaluate(
        '() => Math.max(...[...document.querySelectorAll(\'[data-testid="stMain"], '
        '[data-testid="stSidebarContent"]\')].map(e => e.scrollHeight), 1000)'
    )
    page.set_viewport_size({"width": width, "height": min(int(height) + 40, 12_000)})
    settle(page)
    page.screenshot(path=str(path), full_page=True)


def open_page(browser: object, url: str, key: str, lang: str) -> object:
    """Open a page by its URL and wait until its title (in ``lang``) is rendered."""
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    page.goto(f"{url}/{'' if key == PAGES[0][0] else key}")  # the default page lives at /
    page.get_by_text(t(f"nav.{key}", "vi")).first.wait_for(timeout=60_000)
    settle(page)
    if lang == "en":
        page.get_by_text("English", exact=True).first.click()
        page.get_by_text(t(f"nav.{key}", "en")).first.wait_for(timeout=60_000)
        settle(page)
    return page


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_page_in_the_browser(server: str, browser: object, lang: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for key, _ in PAGES:
        if key in ("admin", "review"):
            continue  # admins / reviewers only: not in the page list of a visitor
        page = open_page(browser, server, key, lang)
        body = page.inner_text("body")
        assert "Traceback" not in body, key
        assert t(f"nav.{key}", lang) in body, key
        full_shot(page, SHOTS / f"{key}_{lang}.png")
        page.close()


def choose(page: object, label: str, option: str) -> None:
    """Pick ``option`` in the Streamlit selectbox labelled ``label``."""
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text=label).first
    box.click()
    page.keyboard.type(option)
    page.get_by_role("option", name=option).first.click()
    settle(page)


@pytest.mark.browser
def test_officer_uploads_a_filled_template(server: str, browser: object, tmp_path: Path) -> None:
    from helpers import fill_template, good_values

    filled = tmp_path / "da_nang_2026-Q3.xlsx"
    filled.write_bytes(
        fill_template("Đà Nẵng", "2026-Q3", {**good_values(), "procedures_total": 2026})
    )
    page = open_page(browser, server, "login", "vi")
    choose(page, t("login.demo_role", "vi"), t("login.role_officer", "vi"))
    choose(page, t("login.demo_province", "vi"), "Đà Nẵng")
    page.get_by_role("button", name=t("login.demo_submit", "vi")).click()
    settle(page)
    page.get_by_role("link", name=t("nav.upload", "vi")).first.click()
    settle(page)
    dropzone = page.locator('[data-testid="stFileUploaderDropzone"] button').first
    assert dropzone.get_attribute("aria-label") == t("upload.dropzone_button", "vi")
    page.locator('input[type="file"]').first.set_input_files(str(filled))
    settle(page)
    page.get_by_text("hợp lệ").first.wait_for(timeout=60_000)
    full_shot(page, SHOTS / "upload_preview_vi.png")
    page.get_by_role("button", name=t("upload.confirm", "vi", n=1)).click()
    settle(page)
    body = page.inner_text("body")
    assert "Traceback" not in body
    assert filled.name in body  # the submission history lists the new file
    full_shot(page, SHOTS / "upload_done_vi.png")


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_admin_page_for_a_demo_administrator(server: str, browser: object, lang: str) -> None:
    page = open_page(browser, server, "login", lang)
    choose(page, t("login.demo_role", lang), t("login.role_admin", lang))
    page.get_by_role("button", name=t("login.demo_submit", lang)).click()
    settle(page)
    page.get_by_role("link", name=t("nav.admin", lang)).first.click()
    settle(page)
    body = page.inner_text("body")
    assert "Traceback" not in body
    assert t("nav.admin", lang) in body
    full_shot(page, SHOTS / f"admin_{lang}.png")
    page.close()


PHONE = {"width": 390, "height": 844}


def _top(page: object, selector: str) -> float:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, selector
    return float(box["y"])


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_overview_and_compare_on_a_phone(server: str, browser: object, lang: str) -> None:
    """390 px wide: key messages and ranking before the tiles, a full-width map, no Plotly
    mode bar over the chart titles, nothing wider than the screen."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for key in ("overview", "compare"):
        page = open_page(browser, server, key, lang)
        page.set_viewport_size(PHONE)
        settle(page)
        collapse = page.locator('[data-testid="stSidebarCollapseButton"] button')
        if collapse.count() and collapse.first.is_visible():
            collapse.first.click()
            settle(page)
        width = page.evaluate(
            "() => document.querySelector('[data-testid=\"stMain\"]').scrollWidth"
        )
        assert width <= PHONE["width"] + 2, key
        assert page.locator(".modebar-container .modebar-group").count() == 0, key
        if key == "overview":
            messages = _top(page, ".st-key-ov_messages")
            ranking = _top(page, ".st-key-ov_ranks")
            assert messages < ranking < _top(page, '[data-testid="stMetric"]')
        else:
            chart = page.locator('.st-key-compare_map [data-testid="stPlotlyChart"]').first
            box = chart.bounding_box()
            assert box is not None and box["width"] >= PHONE["width"] - 60
        full_shot(page, SHOTS / f"{key}_{lang}_390.png", width=PHONE["width"])
        page.close()


@pytest.mark.browser
def test_sign_in_and_view_survive_a_reload(server: str, browser: object) -> None:
    """F5 keeps the demo officer signed in (the signed cookie) and the view (the URL); a
    hand-typed page path opens that page; signing out ends it for the next reload too."""
    page = open_page(browser, server, "login", "vi")
    choose(page, t("login.demo_role", "vi"), t("login.role_officer", "vi"))
    choose(page, t("login.demo_province", "vi"), "Đà Nẵng")
    page.get_by_role("button", name=t("login.demo_submit", "vi")).click()
    settle(page)
    page.get_by_text(t("login.signed_in_demo", "vi")).first.wait_for(timeout=60_000)
    page.wait_for_function("() => document.cookie.includes('dxboard_session=')", timeout=60_000)
    cookie = next(c for c in page.context.cookies() if c["name"] == "dxboard_session")
    assert cookie["sameSite"] == "Strict"
    page.goto(f"{server}/profile?lang=en")
    page.get_by_text(t("nav.profile", "en")).first.wait_for(timeout=60_000)
    settle(page)
    assert "province=48" in page.url  # an officer opens on its own province: Đà Nẵng
    page.reload()
    page.get_by_text(t("nav.profile", "en")).first.wait_for(timeout=60_000)
    settle(page)
    body = page.inner_text("body")
    assert "Demo — Đà Nẵng" in body  # still signed in, in English, on Đà Nẵng
    assert "lang=en" in page.url and "province=48" in page.url
    page.goto(f"{server}/overview")
    settle(page)
    assert not page.locator('[role="dialog"]').count()  # no "page not found"
    assert t("nav.overview", "vi") in page.inner_text("body")
    page.goto(f"{server}/login")
    settle(page)
    page.get_by_role("button", name=t("login.sign_out", "vi")).click()
    settle(page)
    page.reload()
    settle(page)
    assert "Demo — Đà Nẵng" not in page.inner_text("body")


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_dti_views_in_the_browser(server: str, browser: object, lang: str) -> None:
    """The published DTI: the overview panel with its source, and DTI chosen on compare."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    source = t(
        "dti.source_dated",
        lang,
        ministry=t("dti.ministry_most", lang),
        year=2024,
        date="2025-10-21",
    )
    page = open_page(browser, server, "overview", lang)
    panel = page.locator(".st-key-dti_panel")
    panel.scroll_into_view_if_needed()
    assert source in panel.inner_text()
    panel.screenshot(path=str(SHOTS / f"overview_dti_{lang}.png"))
    page.close()
    page = open_page(browser, server, "compare", lang)
    name = t("dti.option", lang, name=t("dti.index_pdti", lang))
    choose(page, t("compare.indicator", lang), name)
    page.get_by_text(source).first.wait_for(timeout=60_000)
    body = page.inner_text("body")
    assert "Traceback" not in body and t("dti.table", lang) in body
    full_shot(page, SHOTS / f"compare_dti_{lang}.png")
    page.close()
    page = open_page(browser, server, "profile", lang)
    page.get_by_text(t("dti.profile_heading", lang)).first.wait_for(timeout=60_000)
    full_shot(page, SHOTS / f"profile_dti_{lang}.png")
    page.close()


@pytest.mark.browser
def test_sessions_that_start_together_after_a_restart_all_render(
    demo_db_template: Path, tmp_path: Path, browser: object
) -> None:
    """Six browsers open a server nobody has visited yet, at once: each gets the overview (before
    app.py imported the app in one session at a time, most got "cannot import name ...")."""
    db = tmp_path / "demo.duckdb"
    shutil.copy(demo_db_template, db)
    server = Streamlit({"DXBOARD_DB": str(db)})
    try:
        server.wait_healthy()
        contexts = [browser.new_context() for _ in range(6)]
        pages = [context.new_page() for context in contexts]
        for page in pages:
            page.goto(server.url, wait_until="commit")
        title = t("overview.title", "vi", period="").rstrip(" —-")
        for page in pages:
            page.get_by_text(title).first.wait_for(timeout=180_000)
            settle(page)
            body = page.inner_text("body")
            assert "Error" not in body and "Traceback" not in body
        for context in contexts:
            context.close()
    finally:
        server.stop()


def sign_in_demo(browser: object, url: str, role: str, province: str | None = None) -> object:
    """A new browser session signed in with a demo role (no password in demo mode)."""
    page = open_page(browser, url, "login", "vi")
    choose(page, t("login.demo_role", "vi"), t(f"login.role_{role}", "vi"))
    if province:
        choose(page, t("login.demo_province", "vi"), province)
    page.get_by_role("button", name=t("login.demo_submit", "vi")).click()
    settle(page)
    return page


def click_until(page: object, button: str, done: str, tries: int = 3) -> None:
    """Click ``button`` until the text matching ``done`` shows (a click landing while
    Streamlit reruns for an earlier widget change is dropped)."""
    for _ in range(tries):
        page.get_by_role("button", name=button).last.click()
        settle(page)
        try:
            page.get_by_text(re.compile(done)).first.wait_for(timeout=10_000)
            return
        except sync_api.TimeoutError:
            continue
    raise AssertionError(f"{button}: {done} never showed")


def review_da_nang(page: object) -> None:
    """Open the review page on Đà Nẵng's current submission (any state)."""
    page.get_by_role("link", name=t("nav.review", "vi")).first.click()
    settle(page)
    states = page.locator('[data-testid="stMultiSelect"]').first
    for state in ("returned", "approved"):
        if t(f"review.state_{state}", "vi") in states.inner_text():
            continue  # chosen on an earlier visit
        states.click()
        page.get_by_role("option", name=t(f"review.state_{state}", "vi")).first.click()
        settle(page)
    page.keyboard.press("Escape")
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text=t("review.pick", "vi"))
    box.first.click()
    page.keyboard.type("Đà Nẵng")
    page.keyboard.press("Enter")
    settle(page)
    page.get_by_text(t("review.actions_header", "vi")).first.wait_for(timeout=60_000)
    settle(page)


@pytest.mark.browser
def test_return_correct_approve(server: str, browser: object, tmp_path: Path) -> None:
    """A reviewer returns Đà Nẵng's report with a comment, the officer sees it and uploads a
    correction, the reviewer approves it, and a further upload is refused as locked."""
    from helpers import fill_template, good_values

    reviewer = sign_in_demo(browser, server, "admin")
    review_da_nang(reviewer)
    reviewer.get_by_role("tab", name=t("review.tab_return", "vi")).click()
    area = reviewer.get_by_label(t("review.return_whole", "vi")).last
    area.fill("Thiếu quyết định giao dự toán")
    area.press("Tab")  # Streamlit takes a text area's value when it loses focus
    settle(reviewer)
    click_until(reviewer, t("review.send_back", "vi"), r"Bản nộp số \d+: trả lại\.")
    full_shot(reviewer, SHOTS / "review_returned_vi.png")

    officer = sign_in_demo(browser, server, "officer", "Đà Nẵng")
    officer.get_by_role("link", name=t("nav.upload", "vi")).first.click()
    settle(officer)
    officer.get_by_text("Thiếu quyết định giao dự toán").first.wait_for(timeout=60_000)
    full_shot(officer, SHOTS / "review_officer_sees_vi.png")
    body = officer.inner_text("body")
    assert "Thiếu quyết định giao dự toán" in body and t("review.state_returned", "vi") in body
    found = re.search(r"Đà Nẵng, Quý ([IV]+)/(\d{4})", body)  # the review section's heading
    assert found is not None
    period = {"I": 1, "II": 2, "III": 3, "IV": 4}[found.group(1)]
    year = found.group(2)
    corrected = tmp_path / "da_nang_sua.xlsx"
    corrected.write_bytes(
        fill_template("Đà Nẵng", f"{year}-Q{period}", {**good_values(), "it_budget": 301})
    )
    officer.locator('input[type="file"]').first.set_input_files(str(corrected))
    settle(officer)
    officer.get_by_role("button", name=t("upload.confirm", "vi", n=1)).click()
    settle(officer)
    full_shot(officer, SHOTS / "review_corrected_vi.png")
    officer.get_by_text(re.compile(r": chờ duyệt\.$")).first.wait_for(timeout=60_000)
    full_shot(officer, SHOTS / "review_corrected_vi.png")
    assert t("review.state_submitted", "vi") in officer.inner_text("body"), officer.inner_text(
        "body"
    )

    review_da_nang(reviewer)
    click_until(reviewer, t("review.approve", "vi"), r"Bản nộp số \d+: đã duyệt\.")
    full_shot(reviewer, SHOTS / "review_approved_vi.png")

    again = tmp_path / "da_nang_lan_nua.xlsx"
    again.write_bytes(
        fill_template("Đà Nẵng", f"{year}-Q{period}", {**good_values(), "it_budget": 302})
    )
    officer.get_by_role("link", name=t("nav.upload", "vi")).first.click()
    settle(officer)
    officer.locator('input[type="file"]').first.set_input_files(str(again))
    settle(officer)
    officer.get_by_text(re.compile("đã khóa")).first.wait_for(timeout=60_000)
    full_shot(officer, SHOTS / "review_locked_vi.png")
    assert "demo:admin duyệt lúc" in officer.inner_text("body")  # refused: who approved, when
