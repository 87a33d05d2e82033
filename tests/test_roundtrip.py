"""Template and bulk round-trips through ingest, and the store's history: supersede, duplicate,
restore and dry run."""

from __future__ import annotations

import json
from datetime import date

import pytest
from helpers import (
    ALL_TABLES,
    FIXTURES,
    current_values,
    expected_rows,
    fill_template,
    good_evidence,
    good_notes,
    good_template,
    good_values,
    store_snapshot,
    upload_statuses,
)

from dxboard.errors import Reason
from dxboard.registry import load_registry
from dxboard.store import Store
from loaders.ingest import ingest_bytes, restore

pytestmark = pytest.mark.backends

LATER = date(2024, 8, 1)  # after the fixtures' period (2024-Q2)
DA_NANG = load_registry().match("Đà Nẵng", period="2024-Q2").code


@pytest.fixture
def store() -> Store:
    return Store()


def _json_rows(path: str) -> dict:
    data = json.loads((FIXTURES / path).read_text(encoding="utf-8"))
    data["rows"] = {
        code: (v, note, ref_no, date.fromisoformat(d) if d else None)
        for code, (v, note, ref_no, d) in data["values"].items()
    }
    return data


def _submissions(store: Store) -> list[tuple[int, str]]:
    return store.cursor().execute("SELECT id, status FROM submissions ORDER BY id").fetchall()


def test_template_roundtrip(store: Store) -> None:
    data = good_template()
    result = ingest_bytes(store, data, "da_nang_2024q2.xlsx")
    assert (result.status, result.kind, result.problems) == ("accepted", "template", [])
    assert current_values(store, DA_NANG, "2024-Q2") == expected_rows(
        good_values(), good_notes(), good_evidence()
    )
    upload = (
        store.cursor()
        .execute("SELECT kind, status, province_code, period, n_reports FROM uploads")
        .fetchall()
    )
    assert upload == [("template", "accepted", DA_NANG, "2024-Q2", 1)]
    assert store.data_version() == 1
    assert len(result.submission_ids) == 1


def test_blank_optional_fields_stay_blank(store: Store) -> None:
    values = {**good_values(), "dossiers_total": None, "dossiers_online": None}
    result = ingest_bytes(store, fill_template("Đà Nẵng", "2024-Q2", values), "a.xlsx")
    assert result.status == "accepted"
    assert {(p.reason, p.field) for p in result.problems} == {
        (Reason.BLANK, "dossiers_total"),
        (Reason.BLANK, "dossiers_online"),
    }
    assert all(p.severity == "warning" for p in result.problems)
    stored = current_values(store)
    assert "dossiers_total" not in stored and "dossiers_online" not in stored
    assert stored == expected_rows(values)


@pytest.mark.parametrize(
    "name",
    [
        "template_filled.xlsx",
        "template_filled.xls",
        "template_filled.ods",
        "template_filled_lo.xlsx",
    ],
)
def test_fixture_formats_roundtrip(store: Store, name: str) -> None:
    expected = _json_rows("template_filled.json")
    result = ingest_bytes(store, (FIXTURES / name).read_bytes(), name, today=LATER)
    assert (result.status, result.kind) == ("accepted", "template"), result.errors
    assert [p.reason for p in result.problems] == [Reason.BLANK]  # communes_with_tech_team
    assert current_values(store, expected["province_code"], expected["period"]) == expected["rows"]


def test_fixtures_load_identically(store: Store) -> None:
    """All four formats give the same report: the second and later are duplicates."""
    names = [
        "template_filled.xlsx",
        "template_filled.xls",
        "template_filled.ods",
        "template_filled_lo.xlsx",
    ]
    statuses = [
        ingest_bytes(store, (FIXTURES / n).read_bytes(), n, today=LATER).status for n in names
    ]
    assert statuses == ["accepted", "duplicate", "duplicate", "duplicate"]


def test_libreoffice_computed_formula_is_accepted(store: Store) -> None:
    name = "template_formula_lo.xlsx"
    result = ingest_bytes(store, (FIXTURES / name).read_bytes(), name, today=LATER)
    assert result.status == "accepted", result.errors
    assert current_values(store)["procedures_total"][0] == 100


def test_openpyxl_formula_without_cached_value_is_rejected(store: Store) -> None:
    result = ingest_bytes(
        store, good_template(procedures_total="=40+60", procedures_level4=80), "f.xlsx"
    )
    assert result.status == "rejected"
    assert [(p.reason, p.field) for p in result.errors] == [(Reason.FORMULA, "procedures_total")]


def test_bulk_ods_fixture(store: Store) -> None:
    expected = json.loads((FIXTURES / "bulk_small.json").read_text(encoding="utf-8"))["reports"]
    result = ingest_bytes(
        store, (FIXTURES / "bulk_small.ods").read_bytes(), "bulk_small.ods", today=LATER
    )
    assert (result.status, result.kind, result.errors) == ("accepted", "bulk", [])
    assert len(result.reports) == len(expected) == 6
    for report in expected:
        stored = current_values(store, report["province_code"], report["period"])
        assert {k: v[0] for k, v in stored.items()} == report["values"]
    refs = store.cursor().execute("SELECT source_ref FROM submissions ORDER BY id").fetchall()
    assert [r[0] for r in refs] == [f"Dữ liệu!{row}" for row in range(2, 8)]
    (kind, n_reports) = store.cursor().execute("SELECT kind, n_reports FROM uploads").fetchone()
    assert (kind, n_reports) == ("bulk", 6)


def test_second_file_supersedes_first(store: Store) -> None:
    first = ingest_bytes(store, good_template(), "v1.xlsx")
    second = ingest_bytes(store, good_template(procedures_total=2000, it_budget=300), "v2.xlsx")
    assert (first.status, second.status) == ("accepted", "accepted")
    assert _submissions(store) == [
        (first.submission_ids[0], "superseded"),
        (second.submission_ids[0], "accepted"),
    ]
    stored = current_values(store)
    assert (stored["procedures_total"][0], stored["it_budget"][0]) == (2000, 300)
    assert {
        r[0]
        for r in store.cursor()
        .execute("SELECT DISTINCT submission_id FROM current_values")
        .fetchall()
    } == set(second.submission_ids)
    assert {(c.field, c.old, c.new) for c in second.changes} == {
        ("procedures_total", 1800, 2000),
        ("it_budget", 260.25, 300),
    }
    assert store.data_version() == 2


def test_same_bytes_again_is_a_duplicate(store: Store) -> None:
    data = good_template()
    ingest_bytes(store, data, "a.xlsx")
    before, version = store_snapshot(store), store.data_version()
    again = ingest_bytes(store, data, "a (1).xlsx")
    assert (again.status, again.duplicates, again.submission_ids) == ("duplicate", 1, [])
    assert again.changes == []
    assert store_snapshot(store) == before
    assert store.data_version() == version
    assert upload_statuses(store) == ["accepted", "duplicate"]


def test_restore_makes_the_first_current_again(store: Store) -> None:
    first = ingest_bytes(store, good_template(), "v1.xlsx")
    second = ingest_bytes(store, good_template(procedures_total=2000), "v2.xlsx")
    version = store.data_version()
    result = restore(store, first.submission_ids[0])
    assert result.replaced == {first.submission_ids[0]: second.submission_ids[0]}
    assert _submissions(store) == [
        (first.submission_ids[0], "accepted"),
        (second.submission_ids[0], "superseded"),
    ]
    assert current_values(store) == expected_rows(good_values(), good_notes(), good_evidence())
    assert store.data_version() == version + 1
    again = restore(store, first.submission_ids[0])  # already current: nothing to do
    assert again.replaced == {} and again.changes == []
    assert store.data_version() == version + 1


def test_dry_run_reports_changes_and_writes_nothing(store: Store) -> None:
    ingest_bytes(store, good_template(), "v1.xlsx")
    before = store_snapshot(store, ALL_TABLES)
    result = ingest_bytes(
        store, good_template(procedures_total=2000, annual_dx_plan="Có"), "v2.xlsx", dry_run=True
    )
    assert (result.status, result.dry_run, result.upload_id) == ("accepted", True, None)
    assert {(c.province_code, c.period, c.field, c.old, c.new) for c in result.changes} == {
        (DA_NANG, "2024-Q2", "procedures_total", 1800, 2000),
        (DA_NANG, "2024-Q2", "annual_dx_plan", 0, 1),
    }
    assert store_snapshot(store, ALL_TABLES) == before


def test_dry_run_on_an_empty_store_lists_every_value(store: Store) -> None:
    result = ingest_bytes(store, good_template(), "v1.xlsx", dry_run=True)
    expected = expected_rows(good_values())
    assert {(c.field, c.old, c.new) for c in result.changes} == {
        (code, None, row[0]) for code, row in expected.items()
    }
    assert store_snapshot(store, ALL_TABLES) == store_snapshot(Store(), ALL_TABLES)


def test_dry_run_of_a_rejected_file_writes_nothing(store: Store) -> None:
    before = store_snapshot(store, ALL_TABLES)
    result = ingest_bytes(store, good_template(procedures_total=-1), "bad.xlsx", dry_run=True)
    assert result.status == "rejected" and result.upload_id is None
    assert store_snapshot(store, ALL_TABLES) == before
