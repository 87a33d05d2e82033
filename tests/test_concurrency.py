"""Concurrent writers: ten uploads at once from threads on one on-disk store, readers meanwhile,
and the command line against a database another process holds open.

Writes are serialised by the store's writer lock, and the duplicate check runs inside the same
transaction as the write, so "latest" for a province and period is the highest submission id.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pytest

from dxboard.store import (
    DEFAULT_WAIT_SECONDS,
    Store,
    StoreBusyError,
    submissions,
    wait_seconds_default,
)
from dxboard.store.database import bump_version
from dxboard.store.submissions import raw_values
from loaders.ingest import IngestResult, ingest_bytes
from loaders.writers import write_bulk
from tests.helpers import good_template, good_values

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 6, 1)


def _bulk(rows: list[tuple[str, str]], **overrides: object) -> bytes:
    values = {
        k: (1 if v == "Có" else 0 if v == "Không" else v)
        for k, v in {**good_values(), **overrides}.items()
    }
    return write_bulk([{"province": code, "period": period, **values} for code, period in rows])


def _uploads() -> list[tuple[str, bytes, set[str]]]:
    """(name, bytes, statuses it may end with) for ten files."""
    same = good_template("Hà Nội", "2024-Q2")
    files = [
        (f"danang_{i}.xlsx", good_template("Đà Nẵng", "2024-Q2", it_budget=100 + i), {"accepted"})
        for i in range(5)
    ]
    files += [
        ("hanoi_a.xlsx", same, {"accepted", "duplicate"}),
        ("hanoi_b.xlsx", same, {"accepted", "duplicate"}),
        (
            "quangnam_bad.xlsx",
            good_template("Quảng Nam", "2024-Q2", procedures_level4=5000),
            {"rejected"},
        ),
        ("bulk.xlsx", _bulk([("92", "2024-Q2"), ("31", "2024-Q2")]), {"accepted"}),
        ("cantho_q3.xlsx", good_template("Cần Thơ", "2024-Q3"), {"accepted"}),
    ]
    return files


@pytest.fixture(scope="module")
def uploads() -> list[tuple[str, bytes, set[str]]]:
    return _uploads()


def _slow_compare(monkeypatch: pytest.MonkeyPatch) -> None:
    """Widen the window between reading the current state and writing: if the duplicate check
    ran outside the write transaction, two equal files would both be accepted."""
    real = submissions.read_state

    def slow(*args: object) -> submissions.IngestState:
        found = real(*args)  # type: ignore[arg-type]
        time.sleep(0.05)
        return found

    monkeypatch.setattr(submissions, "read_state", slow)


@pytest.mark.backends
@pytest.mark.parametrize("round_", range(3))
def test_ten_uploads_at_once(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    uploads: list[tuple[str, bytes, set[str]]],
    round_: int,
) -> None:
    _slow_compare(monkeypatch)
    store = Store()  # the test's DuckDB file, or its PostgreSQL schema
    start = threading.Barrier(len(uploads) + 2)
    done = threading.Event()
    seen_versions: list[list[int]] = [[], []]
    reader_rows: list[int] = []

    def upload(item: tuple[str, bytes, set[str]]) -> IngestResult:
        name, data, _ = item
        start.wait()
        return ingest_bytes(store, data, name, actor=name, today=TODAY)

    def read(slot: int) -> None:
        start.wait()
        while not done.is_set():
            seen_versions[slot].append(store.data_version())
            reader_rows.append(len(raw_values(store, "2024-Q2")))

    with ThreadPoolExecutor(max_workers=len(uploads) + 2) as pool:
        readers = [pool.submit(read, i) for i in range(2)]
        futures = [pool.submit(upload, item) for item in uploads]
        results = [f.result(timeout=120) for f in futures]
        done.set()
        for r in readers:
            r.result(timeout=30)

    # every file ended as it should
    for (name, _, allowed), result in zip(uploads, results, strict=True):
        assert result.status in allowed, (
            name,
            result.status,
            [p.message_en for p in result.errors],
        )
    hanoi = sorted(r.status for r in results if r.file_name.startswith("hanoi"))
    assert hanoi == ["accepted", "duplicate"]

    cur = store.cursor()
    rows = cur.execute("SELECT id, file_name, status FROM uploads ORDER BY id").fetchall()
    assert len(rows) == len(uploads)
    assert {(r.upload_id, r.file_name, r.status) for r in results} == set(rows)

    # none lost: every accepted upload has its submissions and every value
    accepted = [r for r in results if r.status == "accepted"]
    for result in accepted:
        subs = cur.execute(
            "SELECT id FROM submissions WHERE upload_id = ? ORDER BY id", [result.upload_id]
        ).fetchall()
        assert [s[0] for s in subs] == result.submission_ids
        assert len(subs) == len(result.reports)
        for sid, report in zip(result.submission_ids, result.reports, strict=True):
            n = cur.execute(
                "SELECT count(*) FROM raw_values WHERE submission_id = ?", [sid]
            ).fetchone()[0]
            assert n == len(report.values) > 0
    for result in results:
        if result.status != "accepted":
            assert (
                cur.execute(
                    "SELECT count(*) FROM submissions WHERE upload_id = ?", [result.upload_id]
                ).fetchone()[0]
                == 0
            )

    # exactly one accepted submission per province and period, the others superseded
    per_key = cur.execute(
        "SELECT province_code, period, count(*) FILTER (WHERE status = 'accepted'), "
        "count(*), max(id), max(id) FILTER (WHERE status = 'accepted') "
        "FROM submissions GROUP BY province_code, period ORDER BY province_code, period"
    ).fetchall()
    assert [(p, q) for p, q, *_ in per_key] == [
        ("01", "2024-Q2"),
        ("31", "2024-Q2"),
        ("48", "2024-Q2"),
        ("92", "2024-Q2"),
        ("92", "2024-Q3"),
    ]
    for province, period, n_accepted, _n_all, max_id, accepted_id in per_key:
        assert n_accepted == 1, (province, period)
        assert accepted_id == max_id, (province, period)  # the latest (highest id) wins
    statuses = Counter(r[0] for r in cur.execute("SELECT status FROM submissions").fetchall())
    assert statuses == {"accepted": 5, "superseded": 4}

    # Đà Nẵng: the current values are those of the highest-id accepted submission
    danang = {r.submission_ids[0]: r for r in accepted if r.file_name.startswith("danang")}
    assert len(danang) == 5
    latest = danang[max(danang)]
    current = dict(
        cur.execute(
            "SELECT field, value FROM current_values WHERE province_code = '48' AND period = "
            "'2024-Q2'"
        ).fetchall()
    )
    assert current == {code: v.value for code, v in latest.reports[0].values.items()}
    assert current["it_budget"] == 100 + int(latest.file_name[7])
    # serialised: submission ids grow with upload ids
    by_upload = sorted(accepted, key=lambda r: r.upload_id)
    ids = [sid for r in by_upload for sid in r.submission_ids]
    assert ids == sorted(ids)

    # the data version moved once per accepted upload; readers never saw it go back
    assert store.data_version() == len(accepted) == 8
    for versions in seen_versions:
        assert versions and versions == sorted(versions)
    assert reader_rows and all(n >= 0 for n in reader_rows)
    events = cur.execute("SELECT count(*) FROM events WHERE action = 'upload'").fetchone()[0]
    assert events == len(uploads) - 1  # the rejected file has only its upload row
    store.close()


def test_each_write_gets_its_own_cursor(tmp_path: Path) -> None:
    """``store.write()`` hands every thread a fresh cursor (DuckDB connections are not shared
    across threads) and closes it afterwards."""
    store = Store(tmp_path / "c.duckdb")
    seen: list[object] = []
    barrier = threading.Barrier(4)

    def work() -> None:
        barrier.wait()
        with store.write() as cur:
            seen.append(cur)
            bump_version(cur)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(c) for c in seen}) == 4 and store.cursor() not in seen
    assert all(c is not store.con for c in seen)
    with pytest.raises(Exception, match=r"(?i)closed"):
        seen[0].execute("SELECT 1")
    assert store.data_version() == 4
    store.close()


def test_wait_time_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DXBOARD_DB_WAIT", raising=False)
    assert wait_seconds_default() == DEFAULT_WAIT_SECONDS == 10
    monkeypatch.setenv("DXBOARD_DB_WAIT", "2.5")
    assert wait_seconds_default() == 2.5
    monkeypatch.setenv("DXBOARD_DB_WAIT", "soon")
    assert wait_seconds_default() == 10


def _hold(path: Path) -> subprocess.Popen:
    """A process holding the database open, like the running web app."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
        import duckdb, time
        con = duckdb.connect({str(path)!r})
        print("ready", flush=True)
        time.sleep(60)
    """),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
    return holder


def _counts(path: Path) -> tuple:
    with Store(path) as store:
        cur = store.cursor()
        return (
            *(
                cur.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("uploads", "submissions", "raw_values", "events")
            ),
            store.data_version(),
        )


def test_cli_ingest_while_another_process_holds_the_database(tmp_path: Path) -> None:
    path = tmp_path / "held.duckdb"
    with Store(path) as store:
        assert (
            ingest_bytes(store, good_template("Đà Nẵng", "2024-Q2"), "a.xlsx", today=TODAY).status
            == "accepted"
        )
    before = _counts(path)
    new_file = tmp_path / "hue.xlsx"
    new_file.write_bytes(good_template("Huế", "2024-Q2"))
    env = {**os.environ, "DXBOARD_DB_WAIT": "1"}
    command = [sys.executable, "-m", "cli", "--db", str(path), "ingest", str(new_file)]
    holder = _hold(path)
    try:
        started = time.monotonic()
        run = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
        elapsed = time.monotonic() - started
        with pytest.raises(StoreBusyError):  # in-process, the same wait applies
            Store(path, wait_seconds=0.2)
    finally:
        holder.kill()
        holder.wait()
    assert run.returncode == 1, run.stderr
    assert "đang được một tiến trình khác sử dụng" in run.stderr  # Vietnamese by default
    assert "Traceback" not in run.stderr
    assert 1.0 <= elapsed < DEFAULT_WAIT_SECONDS  # waited DXBOARD_DB_WAIT, not the default
    assert _counts(path) == before  # intact
    run = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    after = _counts(path)
    assert after[0] == before[0] + 1 and after[4] == before[4] + 1
