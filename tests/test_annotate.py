"""The marked copy of an uploaded workbook (loaders/annotate.py)."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from dxboard.errors import Problem, Reason
from dxboard.store import Store
from loaders.annotate import annotate, annotated_name, can_annotate
from loaders.ingest import ingest_bytes
from tests.helpers import good_template, value_cell


def test_problem_cells_are_filled_and_commented() -> None:
    bad = good_template("Đà Nẵng", "2025-Q4", procedures_level4=2500, procedures_total=1800)
    result = ingest_bytes(Store(), bad, "dn.xlsx", dry_run=True)
    assert result.status == "rejected"
    marked = annotate(bad, result.problems, "vi")
    assert marked is not None
    sheet = load_workbook(io.BytesIO(marked))["Báo cáo"]
    cell = sheet[value_cell("procedures_level4")]
    assert cell.fill.start_color.rgb == "FFF4B6B6"
    assert "1.800" in cell.comment.text  # the message, in Vietnamese numbers
    untouched = sheet[value_cell("procedures_total")]
    assert untouched.comment is None
    assert untouched.value == 1800  # the officer's figures are kept


def test_warnings_are_yellow_and_files_without_cells_give_nothing() -> None:
    data = good_template("Đà Nẵng", "2025-Q4")
    cell = value_cell("procedures_total")
    warn = Problem(
        file="a.xlsx",
        sheet="Báo cáo",
        cell=cell,
        reason=Reason.BLANK,
        severity="warning",
        params={"field_name": "x"},
    )
    marked = annotate(data, [warn], "en")
    assert marked is not None
    got = load_workbook(io.BytesIO(marked))["Báo cáo"][cell]
    assert got.fill.start_color.rgb == "FFFFE699" and "left blank" in got.comment.text
    whole_file = Problem(file="a.xlsx", reason=Reason.EMPTY_FILE)
    assert annotate(data, [whole_file], "en") is None


def test_which_files_get_a_copy() -> None:
    assert can_annotate("a.xlsx") and can_annotate("B.XLSM")
    assert not can_annotate("a.xls") and not can_annotate("a.ods")
    assert annotated_name("bao_cao.xls", "can_sua") == "bao_cao_can_sua.xlsx"
