"""Crash safety: a process killed (SIGKILL) in the middle of a large upload leaves no trace.

A national bulk table of 63 provinces × 22 quarters (1,386 reports, every field) is ingested by a
child process into an on-disk database. With a hook the child stops inside the write transaction
(after every file of the batch was decided, or after every row, the version bump and the audit
entries were written, just before COMMIT)
and is killed there; without the hook it is killed after a varying delay. Reopened, the database
holds either the whole upload or nothing of it, and the same file then loads cleanly.
"""

from __future__ import annotations

import random
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import date
from pathlib import Path

import pytest
from backends import fresh_schema, server_url

from dxboard.periods import period_range
from dxboard.registry import load_registry
from dxboard.store import Store
from loaders.ingest import ingest_bytes
from loaders.writers import write_bulk
from tests.helpers import good_template, good_values

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 6, 1)
N_REPORTS = 63 * 22

CHILD = textwrap.dedent("""
    import importlib, sys, time
    from datetime import date
    from pathlib import Path
    import loaders.ingest as ingest
    from dxboard.store import Store

    db, file, hook = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
    if hook != "none":
        module_name, _, name = hook.partition(":")
        module = importlib.import_module(module_name)
        real = getattr(module, name)

        def stop_here(*args, **kwargs):
            out = real(*args, **kwargs)
            print("writing", flush=True)  # inside the write transaction, before COMMIT
            time.sleep(120)
            return out

        setattr(module, name, stop_here)
    store = Store(db)
    print("open", flush=True)
    result = ingest.ingest_bytes(store, file.read_bytes(), file.name, actor="crash-test",
                                 today=date(2026, 6, 1))
    print("done", result.status, len(result.submission_ids), flush=True)
""")


def _big_rows() -> list[dict[str, object]]:
    rng = random.Random(63 * 22)
    base = {k: (1 if v == "Có" else 0 if v == "Không" else v) for k, v in good_values().items()}
    rows = []
    for period in period_range("2020-Q1", "2025-Q2"):
        for province in load_registry().provinces("legacy"):
            total = rng.randint(500, 3000)
            rows.append(
                {
                    **base,
                    "province": province.code,
                    "period": str(period),
                    "procedures_total": total,
                    "procedures_level4": rng.randint(0, total),
                    "budget_total": round(rng.uniform(5000, 90000), 1),
                    "dx_resolution": rng.random() < 0.7,
                }
            )
    return rows


@pytest.fixture(scope="module")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rows = _big_rows()
    assert len(rows) == N_REPORTS
    path = tmp_path_factory.mktemp("crash") / "national_2020-2025.xlsx"
    path.write_bytes(write_bulk(rows))
    return path


@pytest.fixture(scope="module")
def base_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with one earlier upload, closed cleanly (no write-ahead log)."""
    path = tmp_path_factory.mktemp("base") / "base.duckdb"
    with Store(path) as store:
        assert (
            ingest_bytes(store, good_template("Đà Nẵng", "2024-Q2"), "dn.xlsx", today=TODAY).status
            == "accepted"
        )
    return path


@pytest.fixture
def new_db(backend: str, base_db: Path, tmp_path: Path) -> Iterator[Callable[[str], str]]:
    """``new_db(name)``: a database holding what ``base_db`` holds — a copy of the file, or a
    new PostgreSQL schema with the same upload — named by its location."""
    with ExitStack() as stack:

        def make(name: str) -> str:
            if backend == "duckdb":
                return str(shutil.copyfile(base_db, tmp_path / f"{name}.duckdb"))
            url = stack.enter_context(fresh_schema(server_url()))
            with Store(url) as store:
                ingest_bytes(store, good_template("Đà Nẵng", "2024-Q2"), "dn.xlsx", today=TODAY)
            return url

        yield make


def _state(location: str) -> dict[str, int]:
    """Row counts and the data version, read from a freshly opened store."""
    with Store(location) as store:
        cur = store.cursor()
        state = {
            t: cur.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("uploads", "submissions", "raw_values", "events")
        }
        state["accepted"] = cur.execute(
            "SELECT count(*) FROM submissions WHERE status = 'accepted'"
        ).fetchone()[0]
        state["data_version"] = store.data_version()
        # the tables are readable end to end and consistent with each other
        orphans = cur.execute(
            "SELECT count(*) FROM raw_values v LEFT JOIN submissions s ON s.id = v.submission_id "
            "WHERE s.id IS NULL"
        ).fetchone()[0]
        assert orphans == 0
    return state


def _start(db: str, file: Path, hook: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(db), str(file), hook],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for(child: subprocess.Popen, word: str, timeout: float = 60) -> float:
    deadline = time.monotonic() + timeout
    assert child.stdout is not None
    while time.monotonic() < deadline:
        line = child.stdout.readline()
        if not line:
            raise AssertionError(f"child ended before {word!r}: {child.stderr.read()}")
        if line.split()[0] == word:
            return time.monotonic()
    raise AssertionError(f"no {word!r} within {timeout} s")


def _kill(child: subprocess.Popen, may_have_finished: bool = False) -> bool:
    """SIGKILL the child; False when it had already exited normally (only if allowed)."""
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    if may_have_finished and child.returncode == 0:
        return False
    assert child.returncode == -signal.SIGKILL, child.stderr.read() if child.stderr else ""
    return True


@pytest.mark.slow
@pytest.mark.backends
@pytest.mark.parametrize(
    "hook",
    [
        "loaders.ingest:_decide_all",  # the state read and every file decided, nothing written
        "dxboard.store.submissions:write_batch",  # every row written, the version bumped
    ],
)
def test_kill_inside_the_write_transaction_leaves_no_trace(
    big_file: Path, new_db: Callable[[str], str], hook: str
) -> None:
    db = new_db("db")
    before = _state(db)
    child = _start(db, big_file, hook)
    try:
        _wait_for(child, "writing")
    finally:
        _kill(child)
    assert _state(db) == before  # no upload, submission, value or event; same data version
    with Store(db) as store:
        result = ingest_bytes(store, big_file.read_bytes(), big_file.name, today=TODAY)
        assert result.status == "accepted", [p.message_en for p in result.errors][:3]
        assert len(result.submission_ids) == N_REPORTS
    after = _state(db)
    assert after["uploads"] == before["uploads"] + 1
    assert after["submissions"] == before["submissions"] + N_REPORTS
    assert after["raw_values"] == before["raw_values"] + N_REPORTS * 22
    assert after["accepted"] == N_REPORTS  # Đà Nẵng 2024-Q2 superseded by the table's row
    assert after["data_version"] == before["data_version"] + 1


@pytest.mark.slow
@pytest.mark.backends
def test_kill_at_random_moments_all_or_nothing(
    big_file: Path, new_db: Callable[[str], str]
) -> None:
    full_db = new_db("full")
    before = _state(full_db)
    # a full run: what "all" looks like, and how long the child needs after opening the store
    child = _start(full_db, big_file, "none")
    opened = _wait_for(child, "open")
    finished = _wait_for(child, "done")
    child.wait(timeout=30)
    assert child.returncode == 0
    full = _state(full_db)
    assert full["submissions"] == before["submissions"] + N_REPORTS
    assert full["data_version"] == before["data_version"] + 1
    duration = finished - opened

    rng = random.Random(20250701)
    outcomes = []
    # one delay from each band, as a fraction of the measured run: reading, writing, late
    bands = [(0.2, 0.5), (0.5, 0.8), (0.8, 0.9), (0.9, 1.0), (1.0, 1.1), (1.1, 1.3)]
    for i, (low, high) in enumerate(bands):
        db = new_db(f"kill_{i}")
        delay = duration * rng.uniform(low, high)
        child = _start(db, big_file, "none")
        try:
            _wait_for(child, "open")
            time.sleep(delay)
        finally:
            killed = _kill(child, may_have_finished=True)
        state = _state(db)
        assert state in (before, full), (i, delay, state)
        assert killed or state == full
        outcome = "finished" if not killed else "all" if state == full else "nothing"
        outcomes.append(f"{delay:.2f}s:{outcome}")
    with Store(db) as store:  # the file loads (or is a duplicate) cleanly afterwards
        result = ingest_bytes(store, big_file.read_bytes(), big_file.name, today=TODAY)
    assert result.status == ("duplicate" if state == full else "accepted")
    assert _state(db)["accepted"] == full["accepted"]
    print(f"write took {duration:.2f} s after opening; outcomes: {outcomes}")
