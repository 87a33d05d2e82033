"""Section 6: the PostgreSQL store — page times against the embedded DuckDB file, and load.

- Pages: every page's warm server-side time (AppTest, as section 3) on the demo data, once on
  the DuckDB file and once on PostgreSQL holding the same data (moved with
  ``dxboard migrate-store``), in the same run; the ratio per page (target ≤ 1.5×).
- Load: ``sessions`` browser sessions (Playwright contexts in Debian's Chromium, on loopback)
  each signed in nowhere, opening the overview and then moving page to page through the sidebar
  for ``seconds`` seconds, against one replica and then two (sessions spread over them); page
  views per second and the 50th/95th percentile of the time to a finished page.

PostgreSQL: ``$DXBOARD_BENCH_PG_URL`` or ``$DXBOARD_TEST_PG_URL`` if set, else a throwaway
cluster started with ``scripts/pg-test-cluster`` in a scratch folder (port 54339).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from bench.common import ROOT, Figure, Options, Section, scratch
from bench.pages import (
    _quiet,
    _workarounds,
    app_pages,
    demo_database,
    measure_page,
    small_database,
)
from bench.servers import ARGS, CHROMIUM, Streamlit
from dxboard.i18n import t

PAGE_TARGET = 1.5
LOAD_PAGES = ("compare", "profile", "completeness", "overview")


def run(opts: Options) -> Section:
    section = Section("postgres", "6. Several replicas on PostgreSQL")
    _workarounds()
    _quiet()
    with scratch("postgres") as work, ExitStack() as stack:
        url = stack.enter_context(_server(opts))
        demo = small_database(work) if opts.quick else demo_database(opts.log)
        duck = work / "duck.duckdb"
        shutil.copyfile(demo, duck)
        opts.log("  moving the demo data into PostgreSQL (not timed)")
        subprocess.run(
            [sys.executable, "-m", "cli", "migrate-store", "--from", str(demo), "--to", url],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        _pages(section, opts, duck, url)
        if not CHROMIUM:
            section.notes.append("Chromium is not installed: the load figures were not taken.")
            return section
        try:
            _load(section, opts, url)
        except Exception as error:  # the page figures above stand; say why the load ones do not
            section.notes.append(f"Load not measured: {type(error).__name__}: {error}"[:300])
    return section


@contextmanager
def _server(opts: Options) -> Iterator[str]:
    """A database of its own on the given server, or on a throwaway cluster; its URL."""
    given = os.environ.get("DXBOARD_BENCH_PG_URL") or os.environ.get("DXBOARD_TEST_PG_URL")
    script = str(ROOT / "scripts" / "pg-test-cluster")
    folder = Path("/tmp") / f"dxbench-pg-{os.getpid()}"  # reachable by the user postgres
    if given:
        admin = given
    else:
        opts.log("  starting a throwaway PostgreSQL cluster")
        started = subprocess.run(
            [script, "start", str(folder), "54339"], capture_output=True, text=True, check=True
        )
        admin = started.stdout.strip()
    database = f"bench_{os.getpid()}"
    subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {database}"], check=True)
    try:
        yield admin.rsplit("/", 1)[0] + f"/{database}"
    finally:
        subprocess.run(["psql", admin, "-qc", f"DROP DATABASE {database} WITH (FORCE)"])
        if not given:
            subprocess.run([script, "stop", str(folder)])
            shutil.rmtree(folder, ignore_errors=True)


def _pages(section: Section, opts: Options, duck: Path, url: str) -> None:
    """Warm times of every page on both backends, in turns, in this run."""
    runs = 1 if opts.quick else opts.runs
    old = {k: os.environ.get(k) for k in ("DXBOARD_DB", "DXBOARD_DATABASE_URL")}
    lines = [
        "| page | DuckDB file: warm median | PostgreSQL: warm median | ratio |",
        "|---|---|---|---|",
    ]
    try:
        for key, path in app_pages():
            if not (ROOT / path).is_file():
                continue
            opts.log(f"  page {key} on both backends")
            warm = {}
            for backend, env in (
                ("duckdb", {"DXBOARD_DB": str(duck)}),
                ("postgres", {"DXBOARD_DATABASE_URL": url}),
            ):
                os.environ.pop("DXBOARD_DATABASE_URL", None)
                os.environ.update(env)
                _, times, _ = measure_page(path, runs)
                warm[backend] = statistics.median(times) if times else float("nan")
                section.add(Figure(f"{key} on {backend}: warm", times, unit="runs"))
            ratio = warm["postgres"] / warm["duckdb"]
            lines.append(
                f"| {key} | {warm['duckdb'] * 1000:.0f} ms | "
                f"{warm['postgres'] * 1000:.0f} ms | {ratio:.2f}× |"
            )
            section.ratios.append(
                (
                    f"{key}: PostgreSQL ÷ DuckDB file (warm)",
                    ratio,
                    f"target ≤ {PAGE_TARGET}×: " + ("met" if ratio <= PAGE_TARGET else "NOT met"),
                )
            )
    finally:
        for key, value in old.items():
            os.environ.pop(key, None)
            if value is not None:
                os.environ[key] = value
    section.tables.append("\n".join(lines))
    section.notes.append(
        "Pages: warm = reruns of a session after toggling the language, median; the metric "
        "reads go to an in-memory DuckDB copy of PostgreSQL, refreshed when the data version "
        "changes (it does not change during the runs)."
    )


# --------------------------------------------------------------------------- load


def _load(section: Section, opts: Options, url: str) -> None:
    sessions = 1 if opts.quick else 8
    seconds = 4.0 if opts.quick else 40.0
    lines = [
        "| replicas | sessions | first view, all at once: median | page views after | views/s "
        "| p50 | p95 |",
        "|---|---|---|---|---|---|---|",
    ]
    for replicas in (1, 2):
        opts.log(f"  load: {sessions} sessions on {replicas} replica(s) for {seconds:.0f} s")
        with _replicas(url, replicas) as bases:
            first, times = asyncio.run(_drive(bases, sessions, seconds))
        rate = len(times) / seconds
        p50, p95 = _percentile(times, 50), _percentile(times, 95)
        section.add(Figure(f"load, {replicas} replica(s): first view", first, unit="views"))
        section.add(Figure(f"load, {replicas} replica(s): page view", times, unit="views"))
        lines.append(
            f"| {replicas} | {sessions} | {statistics.median(first):.1f} s | {len(times)} | "
            f"{rate:.1f} | {p50 * 1000:.0f} ms | {p95 * 1000:.0f} ms |"
        )
    section.tables.append("\n".join(lines))
    section.notes.append(
        f"Load: {sessions} Chromium sessions (one browser, a context each) on loopback open the "
        "overview all at once on freshly started replicas (first view), then click through "
        f"compare, profile, completeness and overview for {seconds:.0f} s; a page view ends "
        "when Streamlit's run is over and no chart is still drawing. Sessions are spread "
        "round-robin over the replicas. The browser, "
        "the replicas and PostgreSQL share the machine's 2 cores, so a second replica adds "
        "processes, not processors: the figures say what one machine does, not a cluster."
    )


@contextmanager
def _replicas(url: str, count: int) -> Iterator[list[str]]:
    servers: list[Streamlit] = []
    try:
        for _ in range(count):
            servers.append(Streamlit({"DXBOARD_DATABASE_URL": url}))
        for server in servers:
            server.wait_healthy()
        yield [server.url for server in servers]
    finally:
        for server in servers:
            server.stop()


_DONE = """(before) => {
    const title = document.querySelector('[data-testid="stMain"] h1');
    return !document.querySelector('[data-testid="stStatusWidget"]') && title
        && title.textContent !== before;
}"""
"""A page is done when its run is over and its title is not the previous page's."""
_TITLE = """() => document.querySelector('[data-testid="stMain"] h1')?.textContent ?? ''"""


async def _drive(
    bases: list[str], sessions: int, seconds: float
) -> tuple[list[float], list[float]]:
    """(first views, page views after): every session opens the overview at once, then clicks
    through the pages for ``seconds`` once all first views are done."""
    from playwright.async_api import async_playwright

    first: list[float] = []
    times: list[float] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        pages = await asyncio.gather(
            *(_first_view(browser, bases[i % len(bases)], first) for i in range(sessions))
        )
        stop = time.monotonic() + seconds
        await asyncio.gather(*(_click_through(page, stop, times) for page in pages))
        await browser.close()
    return first, times


async def _first_view(browser: Any, base: str, first: list[float]) -> Any:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    start = time.monotonic()
    await page.goto(base)
    await page.wait_for_function(_DONE, arg="", timeout=240_000)
    first.append(time.monotonic() - start)
    return page


async def _click_through(page: Any, stop: float, times: list[float]) -> None:
    turn = 0
    while time.monotonic() < stop:
        key = LOAD_PAGES[turn % len(LOAD_PAGES)]
        turn += 1
        before = await page.evaluate(_TITLE)
        start = time.monotonic()
        link = page.get_by_role("link", name=t(f"nav.{key}", "vi")).first
        await link.click(timeout=120_000, no_wait_after=True)
        await page.wait_for_function(_DONE, arg=before, timeout=120_000)
        times.append(time.monotonic() - start)
    await page.context.close()


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q / 100))] if ordered else 0.0
