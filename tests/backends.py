"""The two store backends in the tests: the embedded DuckDB file and PostgreSQL.

Test modules marked ``pytestmark = pytest.mark.backends`` run every test once per backend. The
PostgreSQL run needs a server: ``$DXBOARD_TEST_PG_URL`` (``.ci/run`` starts a throwaway cluster
with ``scripts/pg-test-cluster``); without it those runs are skipped, unless
``$DXBOARD_REQUIRE_PG`` is set, when they fail. Each PostgreSQL test gets a schema of its own,
named in the URL (``options=-csearch_path=…``) and dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote

import psycopg
import pytest

PG_URL_ENV = "DXBOARD_TEST_PG_URL"
REQUIRE_PG_ENV = "DXBOARD_REQUIRE_PG"
BACKENDS = ("duckdb", "postgres")


def server_url() -> str:
    """The test server's URL; skips (or fails when PostgreSQL is required) without one."""
    url = os.environ.get(PG_URL_ENV, "").strip()
    if not url:
        message = f"no PostgreSQL for the tests (${PG_URL_ENV})"
        if os.environ.get(REQUIRE_PG_ENV):
            pytest.fail(message)
        pytest.skip(message)
    return url


@contextmanager
def fresh_schema(url: str) -> Iterator[str]:
    """A new empty schema; yields a URL whose connections use it."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {name}".encode())
    separator = "&" if "?" in url else "?"
    try:
        yield f"{url}{separator}options={quote(f'-csearch_path={name}')}"
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {name} CASCADE".encode())
