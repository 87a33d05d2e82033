"""The published DTI as a dataset of its own: loading (idempotent), validation of a reference
file (every rule names its row and column, nothing stored on error), versions and restore —
on both store backends."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from pathlib import Path

import openpyxl
import pytest
from helpers import ALL_TABLES, store_snapshot

from dxboard.errors import Reason
from dxboard.registry import load_registry
from dxboard.store import Store
from dxboard.store.reference import reference_history, reference_scores
from loaders.reference import (
    BUNDLED,
    COLUMNS,
    ensure_reference,
    load_reference,
    restore_reference,
)

pytestmark = pytest.mark.backends
TABLES = (*ALL_TABLES, "reference_versions", "reference_scores")
SHARED = Path("/work/shared/reference/dti_published.csv")


@pytest.fixture
def store(backend: str) -> Iterator[Store]:
    with Store() as s:
        yield s


def _rows() -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(BUNDLED.read_text(encoding="utf-8"))))


def _csv(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def test_the_bundled_table_is_the_shared_one_with_all_tables() -> None:
    if SHARED.is_file():
        assert BUNDLED.read_bytes() == SHARED.read_bytes()
    counts: dict[tuple[str, str], int] = {}
    for row in _rows():
        counts[row["year"], row["provinces"]] = counts.get((row["year"], row["provinces"]), 0) + 1
    assert counts == {
        ("2022", "63"): 63,
        ("2023", "63"): 63,
        ("2024", "63"): 63,
        ("2024", "34"): 34,
    }


def test_every_province_name_matches_through_the_registry() -> None:
    registry = load_registry()
    for row in _rows():
        era = "legacy" if row["provinces"] == "63" else "current"
        province = registry.match(row["province_as_published"], era=era)
        assert province.code == row["province_code"], row


def test_loading_is_idempotent(store: Store) -> None:
    first = ensure_reference(store)
    assert first is not None and first.status == "accepted"
    assert first.tables == ["2022/63", "2023/63", "2024/34", "2024/63"]
    before = store_snapshot(store, TABLES)
    assert ensure_reference(store) is None
    again = load_reference(store, BUNDLED.read_bytes(), "copy.csv")
    assert again.status == "duplicate" and again.tables == []
    assert store_snapshot(store, TABLES) == before
    scores = reference_scores(store)
    assert len(scores) == 223 and scores["published"].all()
    assert set(scores["era"]) == {"legacy", "current"}


def test_a_changed_year_is_a_new_version_and_the_old_one_restorable(store: Store) -> None:
    ensure_reference(store)
    rows = [r for r in _rows() if r["year"] == "2023"]
    rows[0] = {**rows[0], "pdti": "0.7001"}
    result = load_reference(store, _csv(rows), "dti_2023_fix.csv")
    assert result.status == "accepted" and result.tables == ["2023/63"]
    history = reference_history(store)
    mine = history[history["year"] == 2023]
    assert list(mine["status"]) == ["accepted", "superseded"]
    first_code = rows[0]["province_code"]
    scores = reference_scores(store)
    now = scores[(scores["year"] == 2023) & (scores["province_code"] == first_code)]
    assert now["pdti"].tolist() == [0.7001]
    old = int(mine["version_id"].iloc[1])
    replaced = restore_reference(store, old)
    assert replaced == int(mine["version_id"].iloc[0])
    scores = reference_scores(store)
    now = scores[(scores["year"] == 2023) & (scores["province_code"] == first_code)]
    assert now["pdti"].tolist() != [0.7001]
    assert len(scores) == 223
    # loading the corrected bytes again makes the kept version current, no copy
    again = load_reference(store, _csv(rows), "dti_2023_fix.csv")
    assert again.tables == ["2023/63"]
    assert len(reference_history(store)) == 5


def test_restoring_an_unknown_version_is_a_clear_error(store: Store) -> None:
    with pytest.raises(Exception) as info:
        restore_reference(store, 999)
    assert getattr(info.value, "reason", None) == Reason.UNKNOWN_SUBMISSION
    assert "999" in info.value.message("en")  # type: ignore[attr-defined]


def _set(index: int, **values: str) -> Callable[[list[dict[str, str]]], None]:
    def change(rows: list[dict[str, str]]) -> None:
        rows[index] = {**rows[index], **values}

    return change


def _duplicate(rows: list[dict[str, str]]) -> None:
    rows[5] = {**rows[4], "rank": rows[5]["rank"]}


# (change, reason, cell, column): row i of the data is on line i + 2 of the file
BAD = {
    "unmatched province": (
        _set(2, province_as_published="Quang Nimh"),
        Reason.PROVINCE,
        "E4",
        "province_as_published",
    ),
    "score above 1": (_set(0, pdti="1.2"), Reason.SCORE_RANGE, "F2", "pdti"),
    "negative index": (_set(200, society="-0.1"), Reason.SCORE_RANGE, "N202", "society"),
    "year not four digits": (_set(7, year="24"), Reason.REFERENCE_YEAR, "A9", "year"),
    "province list not 63 or 34": (
        _set(3, provinces="62"),
        Reason.REFERENCE_BASIS,
        "B5",
        "provinces",
    ),
    "34 provinces in 2022": (_set(1, provinces="34"), Reason.REFERENCE_BASIS, "B3", "provinces"),
    "63-list row with a current code": (
        _set(0, province_code="01", province_as_published="Đà Nẵng"),
        Reason.REFERENCE_BASIS,
        "D2",
        "province_code",
    ),
    "34-list row with a legacy-only name": (
        _set(190, province_as_published="Quảng Nam"),
        Reason.PROVINCE,
        "E192",
        "province_as_published",
    ),
    "duplicate province in a year": (_duplicate, Reason.DUPLICATE_ROW, "D7", "province_code"),
    "not a number": (_set(10, pdti="abc"), Reason.NOT_A_NUMBER, "F12", "pdti"),
    "blank score": (_set(11, pdti=""), Reason.REQUIRED, "F13", "pdti"),
}


@pytest.mark.parametrize("name", list(BAD))
def test_a_bad_file_is_refused_whole_naming_row_and_column(store: Store, name: str) -> None:
    ensure_reference(store)
    change, reason, cell, column = BAD[name]
    rows = _rows()
    change(rows)
    before = store_snapshot(store, TABLES)
    result = load_reference(store, _csv(rows), "bad.csv")
    assert result.status == "rejected"
    found = [(p.reason, p.cell, p.field) for p in result.problems]
    assert (reason, cell, column) in found, found
    assert all(p.message_vi and p.message_en for p in result.problems)
    assert all(p.message_vi != p.message_en for p in result.problems)
    assert store_snapshot(store, TABLES) == before


def test_missing_columns_and_empty_files_are_refused(store: Store) -> None:
    text = BUNDLED.read_text(encoding="utf-8").replace(",society,", ",social,", 1)
    result = load_reference(store, text.encode("utf-8"), "cols.csv")
    assert result.status == "rejected" and "society" in result.problems[0].message("en")
    assert load_reference(store, b"", "empty.csv").problems[0].reason == Reason.EMPTY_FILE
    assert store_snapshot(store, ("reference_versions", "uploads")) == {
        "reference_versions": [],
        "uploads": [],
    }


def test_a_csv_over_the_upload_limit_is_refused(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DXBOARD_MAX_UPLOAD_MB", "0.001")
    result = load_reference(store, BUNDLED.read_bytes(), "big.csv")
    assert [p.reason for p in result.problems] == [Reason.FILE_TOO_LARGE]


def test_an_xlsx_table_loads_like_the_csv(store: Store) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(COLUMNS))
    for row in _rows():
        if row["year"] == "2024" and row["provinces"] == "34":
            sheet.append(
                [
                    int(row["year"]),
                    int(row["provinces"]),
                    int(row["rank"]),
                    row["province_code"],
                    row["province_as_published"],
                    *(float(row[c]) if row[c] else None for c in COLUMNS[5:-1]),
                    row["source"],
                ]
            )
    out = io.BytesIO()
    book.save(out)
    result = load_reference(store, out.getvalue(), "dti_2024_34.xlsx")
    assert result.status == "accepted" and result.tables == ["2024/34"]
    scores = reference_scores(store)
    assert len(scores) == 34
    assert scores.loc[scores["rank"] == 1, "province_as_published"].item() == "TP. Hà Nội"
    # the same table again from the csv changes nothing
    assert load_reference(store, BUNDLED.read_bytes(), "dti.csv").tables == [
        "2022/63",
        "2023/63",
        "2024/63",
    ]
