"""Section 5: start-up, from ``streamlit run app.py`` to the first rendered overview.

A real server process on a free local port, polled on ``/_stcore/health``, and a headless
Chromium (playwright, ``/usr/bin/chromium``) opening the app as soon as the server answers,
waiting until the overview's title (``<h1>`` "Tổng quan chuyển đổi số cấp tỉnh — …") is shown
and Streamlit's status widget is gone. The browser is started before the server, so its own
start-up is not counted. Two cases:

- an empty database: the first run loads the demo data (``pages.common.get_store``);
- a populated database (a copy of the demo database).

Without a browser the fallback is the health check plus one AppTest run of the app (said so
in the report).
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from bench.common import ROOT, Figure, Options, Section, scratch
from bench.servers import ARGS, CHROMIUM, Streamlit

EMPTY_TARGET = 30.0
POPULATED_TARGET = 5.0
TIMEOUT = 240.0


def _start(db: Path) -> Streamlit:
    return Streamlit({"DXBOARD_DB": str(db), "DXBOARD_VIEW_LOGIN": ""}, log=True)


def _title_prefix() -> str:
    from dxboard.i18n import t

    return t("overview.title", "vi", period="").rstrip(" —-")


def _browser_run(browser, db: Path) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """(seconds to healthy, seconds to the rendered overview), from the server's start."""
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    server = _start(db)
    try:
        healthy = server.wait_healthy(TIMEOUT)
        page.goto(server.url, timeout=TIMEOUT * 1000)
        prefix = _title_prefix()
        page.wait_for_function(
            """(prefix) => {
                const h = [...document.querySelectorAll('h1')].some(
                    e => e.innerText.trim().startsWith(prefix));
                return h && !document.querySelector('[data-testid="stStatusWidget"]');
            }""",
            arg=prefix,
            timeout=TIMEOUT * 1000,
            polling=50,
        )
        rendered = time.perf_counter() - server.started
    finally:
        page.close()
        server.stop()
    return healthy, rendered


def _health_run(db: Path) -> float:
    server = _start(db)
    try:
        return server.wait_healthy(TIMEOUT)
    finally:
        server.stop()


def _apptest_run(db: Path) -> tuple[float, float]:
    """Fallback without a browser: health check, then one AppTest run of the app."""
    healthy = _health_run(db)
    code = (
        "import time, sys\n"
        "from streamlit.testing.v1 import AppTest\n"
        "t = time.perf_counter()\n"
        "at = AppTest.from_file(sys.argv[1], default_timeout=300)\n"
        "at.run()\n"
        "RESULT = {'run': time.perf_counter() - t, 'error': bool(at.exception)}\n"
    )
    from bench.common import run_python

    out = run_python(code, str(ROOT / "app.py"), env={"DXBOARD_DB": str(db)})
    return healthy, healthy + out["seconds"]


def browser_available() -> tuple[bool, str]:
    if not CHROMIUM:
        return False, "chromium not found"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False, "the python package playwright is not installed"
    return True, ""


def run(opts: Options) -> Section:
    from bench.pages import demo_database, small_database

    section = Section("startup", "5. Start-up: `streamlit run app.py` to the rendered overview")
    runs = 1 if opts.quick else opts.runs
    ok, why = browser_available()
    use_browser = ok and not opts.quick
    if opts.quick:
        section.notes.append("Quick mode: the health check only (no page is rendered).")
    elif not use_browser:
        section.notes.append(
            f"Without a browser ({why}): health check, then one AppTest "
            "run of the app in a fresh process (its whole wall time)."
        )
    with scratch("startup") as work:
        populated = work / "populated.duckdb"
        if opts.quick:
            shutil.copyfile(small_database(work), populated)
        else:
            shutil.copyfile(demo_database(opts.log), populated)
        cases = [
            ("empty database (the demo data is loaded first)", None, EMPTY_TARGET),
            ("populated database", populated, POPULATED_TARGET),
        ]
        if opts.quick:
            cases = cases[1:]
            section.notes.append(
                "Quick mode: the empty-database case is skipped (it loads the whole demo data)."
            )
        playwright = browser = None
        try:
            if use_browser:
                from playwright.sync_api import sync_playwright

                playwright = sync_playwright().start()
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            for label, source, target in cases:
                opts.log(f"  {label}")
                healthy, rendered = [], []
                for i in range(runs):
                    db = work / f"run{i}.duckdb"
                    for p in (db, db.with_name(db.name + ".wal")):
                        p.unlink(missing_ok=True)
                    if source is not None:
                        shutil.copyfile(source, db)
                    if opts.quick:
                        healthy.append(_health_run(db))
                        continue
                    h, r = _browser_run(browser, db) if use_browser else _apptest_run(db)
                    healthy.append(h)
                    rendered.append(r)
                if rendered:
                    fig = section.add(
                        Figure(
                            f"{label}: to the rendered overview",
                            rendered,
                            unit="starts",
                            target=f"< {target:g} s",
                        )
                    )
                    fig.met = fig.median < target
                section.add(Figure(f"{label}: to the health check", healthy, unit="starts"))
        finally:
            if browser is not None:
                browser.close()
            if playwright is not None:
                playwright.stop()
    return section
