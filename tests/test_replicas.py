"""Two app replicas on one PostgreSQL store, in a real browser: an upload through one is seen by
the other; ten uploads at once over both replicas and the command line leave exactly one
accepted submission per province and period and lose nothing; a replica killed in the middle
of an upload leaves no partial submission and the other keeps serving.

Needs Debian's Chromium (with the ``playwright`` package) and a PostgreSQL server
(``$DXBOARD_TEST_PG_URL``); skipped without them unless ``DXBOARD_REQUIRE_BROWSER`` /
``DXBOARD_REQUIRE_PG`` say they must run.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from backends import fresh_schema, server_url
from helpers import fill_template, good_template, good_values
from test_browser import settle, sync_api

from bench.servers import ARGS, CHROMIUM, ROOT, Streamlit
from dxboard.auth import create_user
from dxboard.i18n import fmt_period, t
from dxboard.store import Store
from loaders.ingest import ingest_bytes

TODAY = date(2026, 11, 22)
PASSWORD = "replicas are stateless"
PERIOD = "2026-Q2"

pytestmark = pytest.mark.browser


def start_replica(url: str) -> Streamlit:
    """One ``streamlit run app.py`` process on the shared store, answering."""
    server = Streamlit({"DXBOARD_DATABASE_URL": url})
    server.wait_healthy()
    return server


@pytest.fixture(scope="module")
def store_url() -> Iterator[str]:
    """A schema with a few reports (so no demo data is loaded) and an administrator."""
    with fresh_schema(server_url()) as url:
        with Store(url) as store:
            for name in ("Hà Nội", "Huế"):
                ingest_bytes(store, good_template(name, "2026-Q1"), f"{name}.xlsx", today=TODAY)
            create_user(store, "admin", PASSWORD, "admin")
        yield url


@pytest.fixture(scope="module")
def replicas(store_url: str) -> Iterator[list[Streamlit]]:
    started = [start_replica(store_url), start_replica(store_url)]
    try:
        yield started
    finally:
        for replica in started:
            replica.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


def signed_in(browser: Any, replica: Streamlit) -> Any:
    """A new session on ``replica``, signed in as the administrator, on the upload page."""
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    page.goto(f"{replica.url}/login")
    settle(page)
    page.get_by_label(t("login.username", "vi")).fill("admin")
    page.get_by_label(t("login.password", "vi")).fill(PASSWORD)
    page.get_by_role("button", name=t("login.submit", "vi")).click()
    settle(page)
    page.get_by_role("link", name=t("nav.upload", "vi")).first.click()  # same session
    settle(page)
    return page


def choose_file(page: Any, path: Path) -> None:
    """Put ``path`` in the upload box and wait for its dry run."""
    page.locator('input[type="file"]').first.set_input_files(str(path))
    settle(page)


def confirm(page: Any) -> None:
    page.get_by_role("button", name=t("upload.confirm", "vi", n=1)).click()


def template(tmp_path: Path, name: str, province: str, **values: object) -> Path:
    path = tmp_path / name
    path.write_bytes(fill_template(province, PERIOD, {**good_values(), **values}))
    return path


def counts(url: str) -> dict[str, object]:
    with Store(url) as store:
        cur = store.cursor()
        per_key = cur.execute(
            "SELECT province_code, period, count(*) FILTER (WHERE status = 'accepted') "
            "FROM submissions GROUP BY province_code, period"
        ).fetchall()
        incomplete = cur.execute(
            "SELECT count(*) FROM submissions s WHERE NOT EXISTS (SELECT 1 FROM raw_values v "
            "WHERE v.submission_id = s.id)"
        ).fetchall()[0][0]
        uploads = cur.execute("SELECT file_name, status FROM uploads ORDER BY id").fetchall()
    return {"per_key": per_key, "incomplete": incomplete, "uploads": uploads}


def test_an_upload_through_one_replica_is_seen_by_the_other(
    replicas: list[Streamlit], browser: Any, store_url: str, tmp_path: Path
) -> None:
    first, second = replicas
    filled = template(tmp_path, "da_nang_replica.xlsx", "Đà Nẵng", procedures_total=1234)
    page = signed_in(browser, first)
    choose_file(page, filled)
    confirm(page)
    settle(page)
    assert filled.name in page.inner_text("body")  # stored: the first replica says so
    other = signed_in(browser, second)  # a new session: the sidebar offers the new quarter
    chosen = other.evaluate(
        "() => [...document.querySelectorAll('[data-testid=stSidebar] input')].map(i => i.value)"
    )
    assert PERIOD in chosen or fmt_period(PERIOD, "vi") in chosen
    page.close()
    other.close()


def test_ten_uploads_at_once_over_both_replicas_and_the_command_line(
    replicas: list[Streamlit], browser: Any, store_url: str, tmp_path: Path
) -> None:
    """Four browser sessions (two per replica) and six command-line ingests, started together,
    all for a few province-periods: one accepted submission each at the end, nothing lost."""
    web = [template(tmp_path, f"web_{i}.xlsx", "Cần Thơ", it_budget=100 + i) for i in range(4)]
    cli = [
        template(tmp_path, f"cli_{i}.xlsx", "Huế" if i % 2 else "Cần Thơ", it_budget=200 + i)
        for i in range(6)
    ]
    pages = [signed_in(browser, replicas[i % 2]) for i in range(4)]
    for page, path in zip(pages, web, strict=True):
        choose_file(page, path)
    before = len(counts(store_url)["uploads"])
    env = {**os.environ, "DXBOARD_DATABASE_URL": store_url}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "cli", "ingest", str(path)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for path in cli
    ]
    for page in pages:
        confirm(page)
    for proc in procs:
        assert proc.wait(timeout=120) == 0, proc.stderr.read() if proc.stderr else ""
    for page in pages:
        settle(page)
        page.close()
    after = counts(store_url)
    new = after["uploads"][before:]
    assert sorted(name for name, _ in new) == sorted(p.name for p in web + cli)
    assert all(status == "accepted" for _, status in new)  # every file differed from the last
    assert after["incomplete"] == 0
    assert all(n == 1 for _, _, n in after["per_key"])
    assert {(p, q) for p, q, _ in after["per_key"]} >= {("92", PERIOD), ("46", PERIOD)}


def test_a_replica_killed_mid_upload_leaves_no_partial_submission(
    replicas: list[Streamlit], browser: Any, store_url: str, tmp_path: Path
) -> None:
    first, second = replicas
    filled = template(tmp_path, "killed.xlsx", "Hà Nội", procedures_total=4321)
    page = signed_in(browser, first)
    choose_file(page, filled)
    confirm(page)
    first.proc.send_signal(signal.SIGKILL)  # at once: before, during or after the write
    first.proc.wait(timeout=20)
    page.close()
    state = counts(store_url)
    assert state["incomplete"] == 0
    assert all(n == 1 for _, _, n in state["per_key"])
    stored = [status for name, status in state["uploads"] if name == filled.name]
    assert stored in ([], ["accepted"])  # all of it or nothing
    other = signed_in(browser, second)  # the other replica keeps serving
    assert "Traceback" not in other.inner_text("body")
    assert t("nav.upload", "vi") in other.inner_text("body")
    other.close()
