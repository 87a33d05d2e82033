"""Ingest rules beyond validation: the same bytes twice, and the yes-to-no warning."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
from helpers import current_values, fill_template, good_values, store_snapshot

from dxboard.store import Store
from loaders.bulk_writer import write_bulk
from loaders.ingest import ingest_bytes
from loaders.problems import Reason

TODAY = date(2026, 11, 22)


def _template(period: str = "2024-Q2", **overrides: object) -> bytes:
    return fill_template("Đà Nẵng", period, {**good_values(), **overrides})


def test_same_bytes_after_a_correction_change_nothing() -> None:
    store = Store(":memory:")
    first, second = _template(procedures_total=1000), _template(procedures_total=1200)
    assert ingest_bytes(store, first, "a.xlsx", today=TODAY).status == "accepted"
    assert ingest_bytes(store, second, "b.xlsx", today=TODAY).status == "accepted"
    before, version = store_snapshot(store), store.data_version()
    again = ingest_bytes(store, first, "a.xlsx", today=TODAY)
    assert again.status == "duplicate" and not again.changes
    note = next(p for p in again.problems if p.reason == Reason.DUPLICATE_REPORT)
    assert "upload 1" in note.message_en and "lượt tải 1" in note.message_vi
    assert store_snapshot(store) == before and store.data_version() == version
    assert current_values(store, "48", "2024-Q2")["procedures_total"][0] == 1200


def test_yes_to_no_warns_for_yes_no_fields_only() -> None:
    store = Store(":memory:")
    ingest_bytes(
        store,
        _template("2024-Q1", inspections_remote=1, inspections_total=5),
        "q1.xlsx",
        today=TODAY,
    )
    second = _template("2024-Q2", dx_resolution="Không", inspections_remote=0, inspections_total=5)
    result = ingest_bytes(store, second, "q2.xlsx", today=TODAY)
    assert result.status == "accepted"  # a warning, not a rejection
    warned = [p for p in result.problems if p.reason == Reason.YES_TO_NO]
    assert [p.field for p in warned] == ["dx_resolution"]
    assert "Nghị quyết chuyên đề" in warned[0].message_vi and "2024-Q1" in warned[0].message_vi
    assert warned[0].sheet == "Báo cáo"  # the cell the "no" was read from
    sheet = openpyxl.load_workbook(io.BytesIO(second))["Báo cáo"]
    row = sheet[warned[0].cell].row
    assert sheet.cell(row, 1).value == "dx_resolution" and sheet[warned[0].cell].value == "Không"


def test_yes_to_no_in_a_bulk_table_names_the_row_and_column() -> None:
    store = Store(":memory:")
    rows = [
        {**good_values(), "province": "48", "period": p, "dx_resolution": yes}
        for p, yes in (("2024-Q1", True), ("2024-Q2", False))
    ]
    ingest_bytes(store, write_bulk(rows[:1]), "q1.xlsx", today=TODAY)
    data = write_bulk(rows[1:])
    result = ingest_bytes(store, data, "q2.xlsx", today=TODAY)
    assert result.status == "accepted"
    (warned,) = [p for p in result.problems if p.reason == Reason.YES_TO_NO]
    sheet = openpyxl.load_workbook(io.BytesIO(data))[warned.sheet]
    column = next(c.column_letter for c in sheet[1] if c.value == "dx_resolution")
    assert warned.cell == f"{column}2"  # the 2024-Q2 row, under the dx_resolution header
