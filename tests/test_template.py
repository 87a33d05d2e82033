"""The report template as built: sheets, prefilled meta, one row per field, validations, locks."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from dxboard.catalogue import RawField, load_catalogue
from dxboard.periods import Period
from dxboard.registry import Province, load_registry
from loaders.template import (
    COLUMN_KEYS,
    FIRST_FIELD_ROW,
    GUIDE_SHEET,
    HEADERS,
    META_SHEET,
    REPORT_SHEET,
    build_template,
)

CATALOGUE = load_catalogue()
FIELDS = CATALOGUE.fields
CASES = [("Đà Nẵng", "2024-Q2"), ("Hậu Giang", "2025-Q1"), ("Cần Thơ", "2025-Q4")]
VALUE, REF_NO, REF_DATE, NOTE = (COLUMN_KEYS[k] for k in ("value", "ref_no", "ref_date", "note"))


def _province(name: str, period: str) -> Province:
    return load_registry().match(name, period=period)


@pytest.fixture(scope="module", params=CASES, ids=lambda c: f"{c[0]}-{c[1]}")
def case(request: pytest.FixtureRequest) -> tuple[Province, Period, Workbook]:
    name, period = request.param
    prov = _province(name, period)
    book = load_workbook(io.BytesIO(build_template(prov, Period.parse(period))))
    return prov, Period.parse(period), book


@pytest.fixture(scope="module")
def ws() -> Worksheet:
    prov = _province("Đà Nẵng", "2024-Q2")
    return load_workbook(io.BytesIO(build_template(prov, Period(2024, 2))))[REPORT_SHEET]


def _field_rows(ws: Worksheet) -> dict[str, int]:
    return {c.value: c.row for c in ws["A"] if c.row >= FIRST_FIELD_ROW and c.value}


def _validation(ws: Worksheet, cell: str):
    """The one data validation covering ``cell`` (fails when none or several)."""
    found = [dv for dv in ws.data_validations.dataValidation if cell in dv.sqref]
    assert len(found) == 1, f"{cell}: {len(found)} validations"
    return found[0]


def test_sheets_and_active_sheet(case: tuple[Province, Period, Workbook]) -> None:
    _, _, book = case
    assert book.sheetnames == [GUIDE_SHEET, REPORT_SHEET, META_SHEET]
    assert book.active.title == REPORT_SHEET
    assert book[META_SHEET].sheet_state == "hidden"


def test_province_period_and_version_prefilled(case: tuple[Province, Period, Workbook]) -> None:
    prov, period, book = case
    ws = book[REPORT_SHEET]
    meta = {ws.cell(r, 1).value: ws[f"{VALUE}{r}"].value for r in range(2, 5)}
    assert meta == {
        "province": prov.name,
        "period": str(period),
        "template_version": CATALOGUE.template_version,
    }
    assert prov.code in ws["E2"].value
    hidden = {r[0].value: r[1].value for r in book[META_SHEET].iter_rows()}
    assert hidden["template_version"] == CATALOGUE.template_version
    assert hidden["province_code"] == prov.code
    assert hidden["period"] == str(period)
    guide = " ".join(str(c.value) for c in book[GUIDE_SHEET]["A"] if c.value)
    assert prov.name in guide and str(period) in guide


def test_one_row_per_field_in_catalogue_order(ws: Worksheet) -> None:
    rows = _field_rows(ws)
    assert list(rows) == [f.code for f in FIELDS]
    assert list(rows.values()) == list(range(FIRST_FIELD_ROW, FIRST_FIELD_ROW + len(FIELDS)))
    for fld in FIELDS:
        row = rows[fld.code]
        assert ws.cell(row, 3).value == fld.name_vi + (" (*)" if fld.required else "")
        assert ws[f"{VALUE}{row}"].value is None  # nothing prefilled


def test_key_row_hidden_and_headers(ws: Worksheet) -> None:
    assert {ws[f"{col}6"].value: col for col in "ABCDEFGH" if ws[f"{col}6"].value} == COLUMN_KEYS
    assert ws.row_dimensions[6].hidden
    assert {col: ws[f"{col}7"].value for col in HEADERS} == HEADERS


@pytest.mark.parametrize("fld", FIELDS, ids=lambda f: f.code)
def test_value_cell_validation(ws: Worksheet, fld: RawField) -> None:
    dv = _validation(ws, f"{VALUE}{_field_rows(ws)[fld.code]}")
    assert dv.allow_blank and dv.showErrorMessage and dv.error
    if fld.kind == "bool":
        assert (dv.type, dv.formula1) == ("list", '"Có,Không"')
    else:
        expected = "whole" if fld.kind == "count" else "decimal"
        assert (dv.type, dv.operator, dv.formula1) == (expected, "greaterThanOrEqual", "0")


def test_sheet_protection_without_password(case: tuple[Province, Period, Workbook]) -> None:
    _, _, book = case
    for name in (REPORT_SHEET, GUIDE_SHEET, META_SHEET):
        prot = book[name].protection
        assert prot.sheet, name
        assert (prot.password, prot.hashValue, prot.algorithmName) == (None, None, None), name


@pytest.mark.parametrize("fld", FIELDS, ids=lambda f: f.code)
def test_input_cells_unlocked_labels_locked(ws: Worksheet, fld: RawField) -> None:
    row = _field_rows(ws)[fld.code]
    inputs = {VALUE, NOTE} | ({REF_NO, REF_DATE} if fld.evidence else set())
    for col in "ABCDEFGH":
        assert ws[f"{col}{row}"].protection.locked == (col not in inputs), f"{col}{row}"
    for col in "ABCDEFGH":  # meta and header rows stay locked
        for r in (2, 3, 4, 6, 7):
            assert ws[f"{col}{r}"].protection.locked


@pytest.mark.parametrize("fld", FIELDS, ids=lambda f: f.code)
def test_evidence_columns_for_yes_no_fields(ws: Worksheet, fld: RawField) -> None:
    row = _field_rows(ws)[fld.code]
    assert fld.evidence == (fld.kind == "bool")  # the catalogue asks evidence of every yes/no
    if fld.evidence:
        dv = _validation(ws, f"{REF_DATE}{row}")
        assert dv.type == "date"
        assert ws[f"{REF_DATE}{row}"].number_format == "DD/MM/YYYY"
        assert ws.cell(row, 5).value == "Có / Không"
    else:
        assert not [
            dv for dv in ws.data_validations.dataValidation if f"{REF_DATE}{row}" in dv.sqref
        ]
        assert ws.cell(row, 5).value == fld.unit_vi
