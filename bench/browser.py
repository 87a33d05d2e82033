"""Section 7: the pages as a person sees them, in Chromium, to the last chart drawn.

One warm server (``streamlit run app.py`` on the demo database, :class:`bench.servers.Streamlit`)
and one headless Chromium. A page is *complete* when Streamlit's
running indicator is gone, the page's title is shown and every Plotly chart
(``.js-plotly-plot``) of the page has drawn (its ``.main-svg`` is there), as many charts as a
first, untimed visit counted. Measured:

- each page opened in a new tab (as a bookmark or F5 would), warm: from ``goto`` to complete;
- interactions on a complete page: change the indicator (Compare), change the period
  (sidebar), click a province (the Compare bar chart → its profile); from the click to the new
  state complete (the address bar holds the new choice, then the charts are drawn);
- the first visit after a server restart: from the server's start to the overview complete.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from bench.common import Figure, Options, Section, load_average, scratch
from bench.servers import ARGS, CHROMIUM, Streamlit
from bench.startup import browser_available

PAGES = [
    ("overview", "/"),
    ("compare", "/compare"),
    ("profile", "/profile"),
    ("completeness", "/completeness"),
    ("upload", "/upload"),
    ("methodology", "/methodology"),
]
PAGE_TARGET = 1.5
INTERACTION_TARGET = 1.0
FIRST_VISIT_TARGET = 4.0
TIMEOUT_MS = 120_000

COMPLETE = """(charts) => {
    if (document.querySelector('[data-testid="stStatusWidget"]')) return false;
    if (!document.querySelector('[data-testid="stMain"] h1')) return false;
    const plots = [...document.querySelectorAll('[data-testid="stMain"] .js-plotly-plot')];
    return plots.length >= charts && plots.every(p => p.querySelector('.main-svg'));
}"""


def _complete(page, charts: int) -> None:  # type: ignore[no-untyped-def]
    """Wait until the page is complete, and still so a moment later (a run may start late)."""
    for _ in range(2):
        page.wait_for_function(COMPLETE, arg=charts, timeout=TIMEOUT_MS, polling=20)
        page.wait_for_timeout(60)
    page.wait_for_function(COMPLETE, arg=charts, timeout=TIMEOUT_MS, polling=20)


def _settled_charts(page) -> int:  # type: ignore[no-untyped-def]
    """Charts on a page after it has been quiet for a while (the untimed first visit)."""
    _complete(page, 0)
    page.wait_for_timeout(1500)
    _complete(page, 0)
    return int(page.evaluate("document.querySelectorAll('.js-plotly-plot').length"))


def _open(context, url: str, charts: int) -> float:  # type: ignore[no-untyped-def]
    page = context.new_page()
    started = time.perf_counter()
    page.goto(url, timeout=TIMEOUT_MS)
    _complete(page, charts)
    elapsed = time.perf_counter() - started
    page.close()
    return elapsed


def _choose(page, label: str, option: str) -> float:  # type: ignore[no-untyped-def]
    """Open the selectbox ``label``, pick ``option``; the time of the click on the option."""
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text=label).first
    box.click()
    page.get_by_role("option", name=option, exact=True).first.wait_for(timeout=TIMEOUT_MS)
    started = time.perf_counter()
    page.get_by_role("option", name=option, exact=True).first.click()
    return started


def _until_url(page, fragment: str, charts: int) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_function(
        "(f) => location.href.includes(f)", arg=fragment, timeout=TIMEOUT_MS, polling=20
    )
    _complete(page, charts)


def _indicator(context, url: str, charts: int, to: str) -> float:  # type: ignore[no-untyped-def]
    from dxboard.catalogue import load_catalogue
    from dxboard.i18n import t

    page = context.new_page()
    page.goto(f"{url}/compare?lang=vi", timeout=TIMEOUT_MS)
    _complete(page, charts)
    version = load_catalogue().version_for(_period(page))
    ind = version.indicator(to)
    label = f"{version.pillar(ind.pillar).name('vi')} › {ind.name('vi')}"
    started = _choose(page, t("compare.indicator", "vi"), label)
    _until_url(page, f"indicator={to}", charts)
    elapsed = time.perf_counter() - started
    page.close()
    return elapsed


def _period(page) -> str:  # type: ignore[no-untyped-def]
    return str(page.evaluate("new URLSearchParams(location.search).get('period')"))


def _change_period(context, url: str, path: str, charts: int) -> float:  # type: ignore[no-untyped-def]
    from dxboard.i18n import fmt_period, t
    from dxboard.periods import Period

    page = context.new_page()
    page.goto(f"{url}{path}", timeout=TIMEOUT_MS)
    _complete(page, charts)
    before = Period.parse(_period(page)).previous()
    started = _choose(page, t("app.period", "vi"), fmt_period(before, "vi"))
    _until_url(page, f"period={before}", charts)
    elapsed = time.perf_counter() - started
    page.close()
    return elapsed


def _click_province(context, url: str, charts: int, profile_charts: int) -> float:  # type: ignore[no-untyped-def]
    """Click the first bar of the Compare ranking: its profile opens."""
    page = context.new_page()
    page.goto(f"{url}/compare?lang=vi", timeout=TIMEOUT_MS)
    _complete(page, charts)
    bar = page.locator(".js-plotly-plot .trace.bars .point path").first
    bar.scroll_into_view_if_needed()
    box = bar.bounding_box()
    assert box is not None, "no bar to click on the Compare page"
    started = time.perf_counter()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    _until_url(page, "/profile", profile_charts)
    page.wait_for_function(
        "() => location.search.includes('province=')", timeout=TIMEOUT_MS, polling=20
    )
    _complete(page, profile_charts)
    elapsed = time.perf_counter() - started
    page.close()
    return elapsed


def _server(db: Path) -> Streamlit:
    return Streamlit({"DXBOARD_DB": str(db), "DXBOARD_VIEW_LOGIN": ""}, log=True)


def _first_visit(browser, db: Path, charts: int) -> float:  # type: ignore[no-untyped-def]
    """From the server's start to the overview complete."""
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    server = _server(db)
    try:
        server.wait_healthy()
        page.goto(server.url, timeout=TIMEOUT_MS)
        _complete(page, charts)
        return time.perf_counter() - server.started
    finally:
        page.close()
        server.stop()


def _target(fig: Figure, seconds: float) -> Figure:
    fig.target = f"< {seconds:g} s"
    fig.met = fig.median < seconds
    return fig


def run(opts: Options) -> Section:
    from playwright.sync_api import sync_playwright

    from bench.pages import demo_database, small_database

    section = Section("browser", "7. In the browser: to the last chart drawn (Chromium)")
    ok, why = browser_available()
    if not ok:
        section.notes.append(f"Not run: {why}.")
        return section
    runs = 1 if opts.quick else opts.runs
    section.notes.append(f"Load average at the start of this section: {load_average()}.")
    with scratch("browser") as work, sync_playwright() as pw:
        db = work / "warm.duckdb"
        shutil.copyfile(small_database(work) if opts.quick else demo_database(opts.log), db)
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        server = _server(db)
        url = server.url
        try:
            server.wait_healthy()
            context = browser.new_context(viewport={"width": 1440, "height": 1000})
            pages = PAGES[:1] if opts.quick else PAGES
            charts = {}
            for key, path in pages:  # untimed: warms the server and counts the charts
                page = context.new_page()
                page.goto(f"{url}{path}", timeout=TIMEOUT_MS)
                charts[key] = _settled_charts(page)
                page.close()
            for key, path in pages:
                opts.log(f"  {key}")
                times = [_open(context, f"{url}{path}", charts[key]) for _ in range(runs)]
                fig = Figure(f"open {key} (warm, {charts[key]} charts)", times, unit="visits")
                section.add(_target(fig, PAGE_TARGET))
            if not opts.quick:
                _interactions(section, context, url, charts, runs, opts)
            context.close()
        finally:
            server.stop()
        if not opts.quick:
            opts.log("  first visit after a restart")
            first = [_first_visit(browser, db, charts["overview"]) for _ in range(runs)]
            fig = Figure("first visit after a server restart (to the overview complete)", first)
            section.add(_target(fig, FIRST_VISIT_TARGET))
        browser.close()
    section.notes.append(f"Load average at the end: {load_average()}.")
    if opts.quick:
        section.notes.append("Quick mode: the overview only, once, on a few templates.")
    return section


def _interactions(section, context, url, charts, runs, opts) -> None:  # type: ignore[no-untyped-def]
    steps = [
        (
            "change the indicator (Compare)",
            lambda i: _indicator(
                context, url, charts["compare"], ("dx_resolution", "fiber_share")[i % 2]
            ),
        ),
        (
            "change the period (Overview, sidebar)",
            lambda i: _change_period(context, url, "/", charts["overview"]),
        ),
        (
            "change the period (Compare, sidebar)",
            lambda i: _change_period(context, url, "/compare", charts["compare"]),
        ),
        (
            "click a province (Compare bar → profile)",
            lambda i: _click_province(context, url, charts["compare"], charts["profile"]),
        ),
    ]
    for label, step in steps:
        opts.log(f"  {label}")
        times = [step(i) for i in range(runs)]
        section.add(_target(Figure(label, times, unit="clicks"), INTERACTION_TARGET))
