"""Section 3: how fast every page answers, server side, in Streamlit's AppTest on the demo data.

The pages are those listed in ``app.py`` (``PAGES``, read with ``ast`` without running the app);
a page whose file does not exist yet is skipped and named. For each page:

- cold: the first run of the page in a new session with every Streamlit cache emptied (the
  store is opened again, nothing computed is cached), libraries already imported (one run of the
  first page before the measurements takes the imports; start-up is section 5);
- warm: a rerun after a widget change (the sidebar language toggled), the data caches warm;
  the median of ``runs`` reruns.

Signed in as an administrator, so that the admin page is listed. Two AppTest quirks are worked
around as ``tests/test_page_upload.py`` does: the v2 router is kept although a ``pages/``
folder exists, and the default language follows the toggle (AppTest formats widget options
outside the script run).
"""

from __future__ import annotations

import ast
import os
import shutil
import statistics
import time
from pathlib import Path

from bench.common import CACHE, ROOT, Figure, Options, Section, scratch
from bench.inputs import TODAY

WARM_TARGET = 0.300
COLD_TARGET = 2.0


def app_pages() -> list[tuple[str, str]]:
    """(key, file) of every page in ``app.py``'s ``PAGES``."""
    tree = ast.parse((ROOT / "app.py").read_text(encoding="utf-8"))
    node = next(
        n
        for n in tree.body
        if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "PAGES"
    )
    return [(entry[0], entry[1]) for entry in ast.literal_eval(node.value)]


def demo_database(log=print, today=None) -> Path:
    """A database with the demo data, built once per day (the demo runs to the last full
    quarter) and kept in the cache folder."""
    from dxboard.store import Store
    from loaders.demo import load_demo

    day = today or __import__("datetime").date.today()
    path = CACHE / f"demo-{day.isoformat()}.duckdb"
    if path.exists():
        return path
    log(f"  loading the demo data into {path} (once a day; not timed)…")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.unlink(missing_ok=True)
    with Store(tmp) as store:
        load_demo(store, today=day)
    tmp.rename(path)
    return path


def small_database(work: Path) -> Path:
    """Quick mode: a few templates instead of the demo data."""
    from bench.inputs import read_folder, templates
    from dxboard.store import Store
    from loaders.ingest import ingest

    path = work / "small.duckdb"
    with Store(path) as store:
        list(
            ingest(
                store,
                read_folder(templates(8, log=lambda _: None)),
                actor="bench",
                dataset="demo",
                today=TODAY,
            )
        )
    return path


def _workarounds() -> None:
    from streamlit.runtime.pages_manager import PagesManager

    if getattr(PagesManager, "_bench_patched", False):
        return
    original = PagesManager.__init__

    def init(self: PagesManager, *args: object, **kwargs: object) -> None:
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    PagesManager.__init__ = init
    PagesManager._bench_patched = True


def _quiet() -> None:
    import logging

    for name in (
        "streamlit",
        "streamlit.runtime",
        "streamlit.runtime.caching",
        "streamlit.runtime.scriptrunner_utils.script_run_context",
    ):
        logging.getLogger(name).setLevel(logging.ERROR)


def _session(path: str):  # type: ignore[no-untyped-def]
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from dxboard.auth import User
    from pages import common

    st.cache_data.clear()
    st.cache_resource.clear()
    common.DEFAULT_LANG = "vi"
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.session_state["lang"] = "vi"
    at.session_state["user"] = User(username="admin", role="admin", display_name="Bench")
    at.switch_page(str(ROOT / path))
    return at


def measure_page(path: str, reruns: int) -> tuple[float, list[float], str]:
    """(cold seconds, warm seconds of each rerun, error or '')."""
    from pages import common

    at = _session(path)
    start = time.perf_counter()
    at.run()
    cold = time.perf_counter() - start
    if at.exception:
        return cold, [], str(at.exception[0].value)[:200]
    warm = []
    lang = "vi"
    for _ in range(reruns):
        lang = "en" if lang == "vi" else "vi"
        at.radio(key="lang").set_value(lang)
        start = time.perf_counter()
        at.run()
        warm.append(time.perf_counter() - start)
        common.DEFAULT_LANG = lang
        if at.exception:
            return cold, warm, str(at.exception[0].value)[:200]
    return cold, warm, ""


def run(opts: Options) -> Section:
    section = Section("pages", "3. Pages: server-side time of every page (AppTest)")
    pages = app_pages()
    runs = max(1, opts.runs)
    _workarounds()
    _quiet()
    old_db = os.environ.get("DXBOARD_DB")
    with scratch("pages") as work:
        if opts.quick:
            db = small_database(work)
            section.notes.append("Quick mode: 8 templates instead of the demo data.")
        else:
            db = work / "demo.duckdb"
            shutil.copyfile(demo_database(opts.log), db)
        os.environ["DXBOARD_DB"] = str(db)
        try:
            existing = [(k, p) for k, p in pages if (ROOT / p).is_file()]
            missing = [p for _, p in pages if not (ROOT / p).is_file()]
            if missing:
                section.notes.append(
                    "Not measured (file not written yet): "
                    + ", ".join(f"`{m}`" for m in missing)
                    + "."
                )
            if existing:  # imports (plotly, the page modules' libraries) out of the way
                measure_page(existing[0][1], 0)
            lines = [
                "| page | cold: first run | warm: median of reruns | warm min | reruns |"
                " targets (cold < 2 s, warm < 300 ms) |",
                "|---|---|---|---|---|---|",
            ]
            for key, path in existing:
                opts.log(f"  page {key}")
                colds, warms, error = [], [], ""
                for i in range(runs if not opts.quick else 1):
                    cold, warm, error = measure_page(path, runs if i == 0 else 0)
                    colds.append(cold)
                    warms += warm
                    if error:
                        break
                if error:
                    section.notes.append(f"`{key}` raised an exception: {error}")
                cold_fig = section.add(Figure(f"{key}: cold", colds, unit="runs"))
                warm_fig = section.add(Figure(f"{key}: warm", warms, unit="runs"))
                met = (
                    cold_fig.median < COLD_TARGET and bool(warms) and warm_fig.median < WARM_TARGET
                )
                cold_fig.met = warm_fig.met = met
                lines.append(
                    f"| {key} (`{path}`) | {cold_fig.median * 1000:.0f} ms (min "
                    f"{cold_fig.best * 1000:.0f}) | "
                    + (
                        f"{statistics.median(warms) * 1000:.0f} ms | {min(warms) * 1000:.0f} ms"
                        if warms
                        else "n/a | n/a"
                    )
                    + f" | {len(warms)} | {'met' if met else 'NOT met'} |"
                )
            section.tables.append("\n".join(lines))
        finally:
            if old_db is None:
                os.environ.pop("DXBOARD_DB", None)
            else:
                os.environ["DXBOARD_DB"] = old_db
    section.notes.append(
        f"Cold: median of {runs} new sessions per page with every cache emptied; warm: "
        f"{runs} reruns after toggling the language, median. Times are AppTest's `run()` "
        "(the script run and its messages, no browser or network)."
    )
    return section
