"""``loaders.batch.ingest_many`` leaves the store exactly as ``ingest_bytes`` called once per file
in the same order would: uploads (status, messages, ids), submissions (status, ids), raw values,
events, and the same results, on a mixed set of files in batches of every size."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest
from helpers import good_template, good_values

from dxboard.auth import User
from dxboard.cli import main
from dxboard.store import Store
from loaders.batch import ingest_many
from loaders.bulk_writer import write_bulk
from loaders.ingest import IngestResult, ingest_bytes
from loaders.problems import Reason

TODAY = date(2026, 11, 22)
WHEN = datetime(2026, 11, 20, 9, 30)
OFFICER = User("dn", "officer", province_code="48", province_era="current")  # Đà Nẵng


def _bulk(rows: list[tuple[str, str, dict]]) -> bytes:
    base = {k: (1 if v == "Có" else 0 if v == "Không" else v) for k, v in good_values().items()}
    return write_bulk([{**base, "province": p, "period": q, **o} for p, q, o in rows])


def _other_bytes(ws) -> None:  # type: ignore[no-untyped-def]
    ws["J1"] = "bản sao"  # outside the read area: same values, other bytes


def mixed_items() -> list[tuple[str, bytes]]:
    """Good, bad, the same bytes twice, the same content in other bytes, one province and period
    several times, a yes that turns to no, a bulk table overlapping the templates, and files of
    a province the officer of Đà Nẵng may not load."""
    dn_q1 = good_template("Đà Nẵng", "2024-Q1")
    hn_v1 = good_template("Hà Nội", "2024-Q1", procedures_total=2000)
    hn_v2 = good_template("Hà Nội", "2024-Q1", procedures_total=2100)
    return [
        ("dn_q1.xlsx", dn_q1),
        ("bad.xlsx", good_template("Đà Nẵng", "2024-Q3", procedures_level4=5000)),
        ("dn_q1_again.xlsx", dn_q1),  # same bytes
        ("dn_q2_no.xlsx", good_template("Đà Nẵng", "2024-Q2", dx_resolution="Không")),
        ("hn_v1.xlsx", hn_v1),
        ("hn_v2.xlsx", hn_v2),  # supersedes v1
        (
            "hn_v2_copy.xlsx",
            good_template("Hà Nội", "2024-Q1", procedures_total=2100, mutate=_other_bytes),
        ),  # same content
        ("qn_q1.xlsx", good_template("Quảng Nam", "2024-Q1", procedures_total=1500)),
        (
            "bulk.xlsx",
            _bulk(
                [
                    ("48", "2024-Q1", {}),  # supersedes dn_q1
                    ("49", "2024-Q1", {"procedures_total": 1500}),
                    ("49", "2024-Q2", {"procedures_total": 1600}),
                    ("01", "2024-Q3", {"procedures_total": 999}),
                ]
            ),
        ),
        ("hn_v1_back.xlsx", hn_v1),  # accepted before: dup
        ("empty.xlsx", b""),
        ("dn_q3.xlsx", good_template("Đà Nẵng", "2024-Q3", dx_program="Không")),
    ]


def _run_one_by_one(
    store: Store, items: list[tuple[str, bytes]], **kwargs: object
) -> list[IngestResult]:
    return [
        ingest_bytes(store, data, name, today=TODAY, received_at=WHEN, **kwargs)
        for name, data in items
    ]


def _state(store: Store) -> dict[str, list[tuple]]:
    """Every row that matters, with ids; times left out (the clock moves between runs)."""
    cur = store.cursor()
    q = {
        "uploads": "SELECT id, kind, dataset, file_name, sha256, actor, received_at, status, "
        "province_code, period, n_reports, messages FROM uploads ORDER BY id",
        "submissions": "SELECT id, upload_id, province_code, period, era, dataset, content_hash, "
        "received_at, status, source_ref FROM submissions ORDER BY id",
        "raw_values": "SELECT * FROM raw_values ORDER BY submission_id, field",
        "events": "SELECT id, actor, action, upload_id, submission_id, detail FROM events "
        "ORDER BY id",
        "current": "SELECT * FROM current_values ORDER BY province_code, period, field",
    }
    out = {name: cur.execute(sql).fetchall() for name, sql in q.items()}
    out["uploads"] = [(*r[:-1], json.loads(r[-1])) for r in out["uploads"]]
    out["events"] = [(*r[:-1], json.loads(r[-1])) for r in out["events"]]
    return out


def _summary(results: list[IngestResult]) -> list[tuple]:
    return [
        (
            r.file_name,
            r.sha256,
            r.status,
            r.kind,
            r.upload_id,
            r.submission_ids,
            r.duplicates,
            r.changes,
            [p.model_dump() for p in r.problems],
            len(r.reports),
            r.dry_run,
        )
        for r in results
    ]


@pytest.fixture(scope="module")
def items() -> list[tuple[str, bytes]]:
    return mixed_items()


@pytest.mark.parametrize("batch_size", [1, 3, 50])
@pytest.mark.parametrize("user", [None, OFFICER], ids=["cli", "officer"])
def test_same_store_as_one_call_per_file(
    items: list[tuple[str, bytes]], batch_size: int, user: User | None
) -> None:
    one, many = Store(":memory:"), Store(":memory:")
    kwargs = {"actor": "tester", "dataset": "official", "user": user}
    expected = _run_one_by_one(one, items, **kwargs)
    results = ingest_many(
        many, items, today=TODAY, received_at=WHEN, batch_size=batch_size, **kwargs
    )
    assert _summary(results) == _summary(expected)
    assert _state(many) == _state(one)
    statuses = [r.status for r in results]
    assert "rejected" in statuses and "duplicate" in statuses and "accepted" in statuses
    assert (many.data_version() > 0) is (one.data_version() > 0)


def test_the_mixed_set_covers_every_case(items: list[tuple[str, bytes]]) -> None:
    results = {r.file_name: r for r in ingest_many(Store(":memory:"), items, today=TODAY)}
    assert results["bad.xlsx"].status == "rejected"
    assert results["empty.xlsx"].status == "rejected"
    again = results["dn_q1_again.xlsx"]
    assert again.status == "duplicate"
    assert any(
        p.reason == Reason.DUPLICATE_REPORT and "upload 1" in p.message_en for p in again.problems
    )
    assert results["hn_v2.xlsx"].status == "accepted"
    assert results["hn_v2_copy.xlsx"].status == "duplicate"
    assert results["hn_v1_back.xlsx"].status == "duplicate"
    assert [p.field for p in results["dn_q2_no.xlsx"].problems if p.reason == Reason.YES_TO_NO] == [
        "dx_resolution"
    ]
    assert results["bulk.xlsx"].status == "accepted" and results["bulk.xlsx"].duplicates >= 0
    officer = {
        r.file_name: r for r in ingest_many(Store(":memory:"), items, today=TODAY, user=OFFICER)
    }
    assert officer["hn_v1.xlsx"].status == "rejected"
    assert officer["qn_q1.xlsx"].status == "accepted"  # Quảng Nam merged into Đà Nẵng
    assert any(p.reason == Reason.PROVINCE for p in officer["bulk.xlsx"].errors)


def test_later_file_supersedes_earlier_in_the_same_batch(items: list[tuple[str, bytes]]) -> None:
    store = Store(":memory:")
    ingest_many(store, items, today=TODAY)
    rows = (
        store.cursor()
        .execute(
            "SELECT s.status, u.file_name FROM submissions s JOIN uploads u ON u.id = s.upload_id "
            "WHERE s.province_code = '01' AND s.period = '2024-Q1' ORDER BY s.id"
        )
        .fetchall()
    )
    assert rows == [("superseded", "hn_v1.xlsx"), ("accepted", "hn_v2.xlsx")]


def test_dry_run_writes_nothing_and_answers_like_one_call_per_file(
    items: list[tuple[str, bytes]],
) -> None:
    one, many = Store(":memory:"), Store(":memory:")
    ingest_bytes(one, items[0][1], items[0][0], today=TODAY, received_at=WHEN)
    ingest_bytes(many, items[0][1], items[0][0], today=TODAY, received_at=WHEN)
    before = _state(many)
    expected = _run_one_by_one(one, items, dry_run=True)
    results = ingest_many(many, items, today=TODAY, received_at=WHEN, dry_run=True, batch_size=4)
    assert _summary(results) == _summary(expected)
    assert _state(many) == before


def test_worker_processes_give_the_same_results(items: list[tuple[str, bytes]]) -> None:
    many = items * 2  # enough files for the pool
    one, pooled = Store(":memory:"), Store(":memory:")
    expected = ingest_many(one, many, today=TODAY, received_at=WHEN, batch_size=7)
    results = ingest_many(pooled, many, today=TODAY, received_at=WHEN, batch_size=7, workers=2)
    assert _summary(results) == _summary(expected)
    assert _state(pooled) == _state(one)


def test_without_pyarrow_the_same_rows_are_written(
    items: list[tuple[str, bytes]], monkeypatch: pytest.MonkeyPatch
) -> None:
    import loaders.ingest as ingest_module

    arrow, frames = Store(":memory:"), Store(":memory:")
    ingest_many(arrow, items, today=TODAY, received_at=WHEN, batch_size=4)
    monkeypatch.setattr(ingest_module, "pa", None)  # pandas frames instead of Arrow tables
    ingest_many(frames, items, today=TODAY, received_at=WHEN, batch_size=4)
    assert _state(frames) == _state(arrow)


def test_progress_is_called_per_file_in_order(items: list[tuple[str, bytes]]) -> None:
    seen: list[tuple[int, str]] = []
    ingest_many(
        Store(":memory:"),
        items,
        today=TODAY,
        batch_size=5,
        progress=lambda done, name: seen.append((done, name)),
    )
    assert seen == [(i, name) for i, (name, _) in enumerate(items, start=1)]


def test_an_empty_call_does_nothing() -> None:
    store = Store(":memory:")
    assert ingest_many(store, []) == []
    assert store.data_version() == 0


def test_cli_ingest_of_a_folder_matches(
    tmp_path: Path, items: list[tuple[str, bytes]], capsys: pytest.CaptureFixture
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    files = items * 2  # enough files for the command line's worker processes
    for i, (name, data) in enumerate(files):
        (folder / f"{i:02d}_{name}").write_bytes(data)
    db = tmp_path / "cli.duckdb"
    assert main(["--db", str(db), "ingest", "--json", str(folder)]) == 1
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    one = Store(":memory:")
    expected = _run_one_by_one(
        one, [(f"{i:02d}_{n}", d) for i, (n, d) in enumerate(files)], actor="cli"
    )
    assert [
        (x["file"], x["status"], x["upload_id"], x["reports"], x["changes"]) for x in lines
    ] == [(r.file_name, r.status, r.upload_id, len(r.reports), len(r.changes)) for r in expected]
    with Store(db) as store:
        got = _state(store)
    want = _state(one)
    cut = {"submissions": 7, "raw_values": None, "current": -1}  # without receipt times
    for table, end in cut.items():
        assert [r[:end] for r in got[table]] == [r[:end] for r in want[table]], table
    assert [u[7] for u in got["uploads"]] == [u[7] for u in want["uploads"]]
