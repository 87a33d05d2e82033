"""Ingest rules beyond validation: the same bytes twice, and the yes-to-no warning."""

from __future__ import annotations

from datetime import date

from helpers import current_values, fill_template, good_values, store_snapshot

from dxboard.store import Store
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
    ingest_bytes(store, _template("2024-Q1", inspections_remote=1, inspections_total=5),
                 "q1.xlsx", today=TODAY)
    result = ingest_bytes(store, _template("2024-Q2", dx_resolution="Không",
                                           inspections_remote=0, inspections_total=5),
                          "q2.xlsx", today=TODAY)
    assert result.status == "accepted"  # a warning, not a rejection
    warned = [p for p in result.problems if p.reason == Reason.YES_TO_NO]
    assert [p.field for p in warned] == ["dx_resolution"]
    assert "Nghị quyết chuyên đề" in warned[0].message_vi and "2024-Q1" in warned[0].message_vi
