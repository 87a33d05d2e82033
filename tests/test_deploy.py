"""The deployment of docs/DEPLOY.md, run for real where it can be: the committed HAProxy
configuration in front of two replicas on one PostgreSQL (all on loopback). A browser session
sticks to one replica (cookie), the app's WebSocket goes through, and when that replica dies the
session is served by the other. The compose file itself needs a Docker engine, which this machine
has not: it is checked only for the services and settings the document names.

Needs HAProxy (Debian ``haproxy``), Chromium and PostgreSQL; skipped without them.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from backends import fresh_schema, server_url
from helpers import good_template
from test_browser import settle, sync_api
from test_replicas import start_replica

from bench.servers import ARGS, CHROMIUM, Streamlit, free_port
from dxboard.store import Store
from loaders.ingest import ingest_bytes

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"

pytestmark = pytest.mark.browser


def test_the_compose_file_names_what_the_document_says() -> None:
    compose = (DEPLOY / "compose.yaml").read_text(encoding="utf-8")
    for needed in (
        "postgres:15",
        "haproxy",
        "DXBOARD_DATABASE_URL",
        "app1:",
        "app2:",
        'dxboard", "init',
        "/_stcore/health",
    ):
        assert needed in compose, needed
    haproxy = (DEPLOY / "haproxy.cfg").read_text(encoding="utf-8")
    assert "cookie SERVERID insert" in haproxy and "timeout tunnel" in haproxy


@pytest.fixture(scope="module")
def balanced(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[Streamlit]]]:
    if not Path(HAPROXY).is_file():
        pytest.skip("HAProxy is not installed (Debian package haproxy)")
    with fresh_schema(server_url()) as url:
        with Store(url) as store:
            ingest_bytes(store, good_template("Huế", "2026-Q1"), "hue.xlsx")
        replicas = [start_replica(url), start_replica(url)]
        port = free_port()
        config = (DEPLOY / "haproxy.cfg").read_text(encoding="utf-8")
        config = config.replace("bind :8080", f"bind 127.0.0.1:{port}")
        for name, replica in zip(("app1", "app2"), replicas, strict=True):
            config = config.replace(f"{name}:8501", f"127.0.0.1:{replica.port}")
        config = config.replace("log stdout format raw local0", "")
        cfg = tmp_path_factory.mktemp("haproxy") / "haproxy.cfg"
        cfg.write_text(config, encoding="utf-8")
        proxy = subprocess.Popen(
            [HAPROXY, "-f", str(cfg), "-db"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            time.sleep(1.5)  # the first health checks
            yield f"http://127.0.0.1:{port}", replicas
        finally:
            proxy.terminate()
            proxy.wait(timeout=20)
            for replica in replicas:
                replica.stop()


def test_a_session_sticks_and_moves_when_its_replica_dies(
    balanced: tuple[str, list[Streamlit]],
) -> None:
    base, replicas = balanced
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page: Any = browser.new_page()
        page.goto(base)
        page.locator('[data-testid="stMain"] h1').first.wait_for(timeout=90_000)  # via the WS
        settle(page)
        cookies = {c["name"]: c["value"] for c in page.context.cookies()}
        first = cookies["SERVERID"]
        assert first in ("app1", "app2")
        assert "Traceback" not in page.inner_text("body")
        page.reload()
        settle(page)
        assert {c["name"]: c["value"] for c in page.context.cookies()}["SERVERID"] == first
        dead = replicas[0 if first == "app1" else 1]
        dead.proc.kill()
        dead.proc.wait(timeout=20)
        page.reload()  # the cookie names a dead replica: HAProxy redispatches
        page.locator('[data-testid="stMain"] h1').first.wait_for(timeout=90_000)  # served again
        settle(page)
        assert "Traceback" not in page.inner_text("body")
        cookies = {c["name"]: c["value"] for c in page.context.cookies()}
        assert cookies["SERVERID"] != first
        browser.close()
