"""Ingest rules beyond validation: the same bytes again (still current, or replaced since and
restorable), batches and dry runs, and the yes-to-no warning."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest
from helpers import current_values, fill_template, good_values, store_snapshot, upload_statuses

from dxboard.errors import Reason
from dxboard.store import Store
from loaders.ingest import ingest, ingest_bytes, restore
from loaders.writers import write_bulk

TODAY = date(2026, 11, 22)
pytestmark = pytest.mark.backends


def _template(period: str = "2024-Q2", **overrides: object) -> bytes:
    return fill_template("Đà Nẵng", period, {**good_values(), **overrides})


def test_same_bytes_again_change_nothing_and_say_the_figures_are_still_current() -> None:
    store = Store()
    first = _template(procedures_total=1000)
    assert ingest_bytes(store, first, "a.xlsx", today=TODAY).status == "accepted"
    before, version = store_snapshot(store), store.data_version()
    again = ingest_bytes(store, first, "a.xlsx", today=TODAY)
    assert again.status == "duplicate" and not again.changes and not again.restorable
    note = next(p for p in again.problems if p.reason == Reason.SAME_FILE)
    assert "upload 1" in note.message_en and "lượt tải 1" in note.message_vi
    assert "nothing changes" in note.message_en
    assert store_snapshot(store) == before and store.data_version() == version


def test_same_bytes_after_a_correction_name_what_replaced_them_and_change_nothing() -> None:
    store = Store()
    first, second = _template(procedures_total=1000), _template(procedures_total=1200)
    a = ingest_bytes(store, first, "a.xlsx", today=TODAY)
    b = ingest_bytes(store, second, "b.xlsx", today=TODAY)
    before, version = store_snapshot(store), store.data_version()
    again = ingest_bytes(store, first, "a.xlsx", today=TODAY)
    assert again.status == "duplicate" and not again.changes
    assert again.restorable == a.submission_ids
    note = next(p for p in again.problems if p.reason == Reason.REPLACED_SINCE)
    earlier, current = a.submission_ids[0], b.submission_ids[0]
    assert f"submission {earlier}" in note.message_en and f"submission {current}" in note.message_en
    assert "“b.xlsx”" in note.message_en and f"bản nộp số {current}" in note.message_vi
    assert "identical" not in note.message_en and "nothing changes" not in note.message_en
    assert store_snapshot(store) == before and store.data_version() == version
    assert current_values(store, "48", "2024-Q2")["procedures_total"][0] == 1200


def test_the_replaced_file_comes_back_by_one_restore_with_a_preview() -> None:
    """Restore an older submission, upload the newer file again: it was replaced by the
    restore, so the result says so and restoring its submission makes it current again."""
    store = Store()
    a = ingest_bytes(store, _template(procedures_total=1000), "a.xlsx", today=TODAY)
    newer = _template(procedures_total=1200)
    b = ingest_bytes(store, newer, "b.xlsx", today=TODAY)
    restore(store, a.submission_ids)
    assert current_values(store, "48", "2024-Q2")["procedures_total"][0] == 1000
    again = ingest_bytes(store, newer, "b.xlsx", today=TODAY, dry_run=True)
    assert again.status == "duplicate" and again.restorable == b.submission_ids
    preview = restore(store, again.restorable, dry_run=True)
    assert [(c.field, c.old, c.new) for c in preview.changes] == [("procedures_total", 1000, 1200)]
    assert current_values(store, "48", "2024-Q2")["procedures_total"][0] == 1000
    done = restore(store, again.restorable)
    assert done.replaced == {b.submission_ids[0]: a.submission_ids[0]}
    assert current_values(store, "48", "2024-Q2")["procedures_total"][0] == 1200
    last = ingest_bytes(store, newer, "b.xlsx", today=TODAY)
    assert last.status == "duplicate" and not last.restorable
    assert [p.reason for p in last.problems if p.severity == "warning"] == [Reason.SAME_FILE]


def test_a_folder_loaded_twice_changes_nothing() -> None:
    store = Store()
    items = [
        ("a.xlsx", _template(procedures_total=1000)),
        ("b.xlsx", _template(procedures_total=1200)),
        ("c.xlsx", _template("2024-Q1", procedures_total=1900)),
    ]
    first = list(ingest(store, items, today=TODAY))
    assert [r.status for r in first] == ["accepted", "accepted", "accepted"]
    before, version = store_snapshot(store), store.data_version()
    second = list(ingest(store, items, today=TODAY))
    assert [r.status for r in second] == ["duplicate", "duplicate", "duplicate"]
    assert store_snapshot(store) == before and store.data_version() == version
    assert second[0].restorable == first[0].submission_ids  # replaced by b.xlsx, and says so
    assert not second[1].restorable and not second[2].restorable


def test_a_dry_run_of_a_batch_sees_its_earlier_files() -> None:
    store = Store()
    items = [
        ("a.xlsx", _template(procedures_total=1000)),
        ("b.xlsx", _template(procedures_total=1200)),
    ]
    results = list(ingest(store, items, today=TODAY, dry_run=True))
    assert [r.status for r in results] == ["accepted", "accepted"]
    assert [(c.old, c.new) for c in results[1].changes if c.field == "procedures_total"] == [
        (1000, 1200)
    ]
    assert upload_statuses(store) == [] and store.data_version() == 0


def test_yes_to_no_warns_for_yes_no_fields_only() -> None:
    store = Store()
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
    assert "Nghị quyết chuyên đề" in warned[0].message_vi and "Quý I/2024" in warned[0].message_vi
    assert "(Q1 2024)" in warned[0].message_en
    assert warned[0].sheet == "Báo cáo"  # the cell the "no" was read from
    sheet = openpyxl.load_workbook(io.BytesIO(second))["Báo cáo"]
    row = sheet[warned[0].cell].row
    assert sheet.cell(row, 1).value == "dx_resolution" and sheet[warned[0].cell].value == "Không"


def test_yes_to_no_in_a_bulk_table_names_the_row_and_column() -> None:
    store = Store()
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
