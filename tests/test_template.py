"""The report template as built: sheets, prefilled meta, one row per field, validations, locks;
and the template follows the framework version of its period (fields, reporter, version cell)."""

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
    field_label,
)

CATALOGUE = load_catalogue()
FIELDS = CATALOGUE.version_for("2024-Q2").fields
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
    version = CATALOGUE.version_for(period)
    meta = {ws.cell(r, 1).value: ws[f"{VALUE}{r}"].value for r in range(2, 5)}
    assert meta == {
        "province": prov.name,
        "period": str(period),
        "template_version": version.template_version,
    }
    assert prov.code in ws["E2"].value
    assert version.name_vi in ws["E4"].value
    hidden = {r[0].value: r[1].value for r in book[META_SHEET].iter_rows()}
    assert hidden["template_version"] == version.template_version
    assert hidden["framework"] == version.id
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


def _texts(book: Workbook) -> str:
    """Every text of the guide and report sheets."""
    sheets = (book[GUIDE_SHEET], book[REPORT_SHEET])
    cells = (c for ws in sheets for row in ws.iter_rows() for c in row)
    return "\n".join(str(c.value) for c in cells if c.value)


def test_2025_template_has_sti_budget_and_names_the_department_of_science() -> None:
    """A 2025-Q4 template: the 2025 version's fields, reporter, ministry and legal basis."""
    prov = _province("Hà Nội", "2025-Q4")
    book = load_workbook(io.BytesIO(build_template(prov, Period(2025, 4))))
    ws, version = book[REPORT_SHEET], CATALOGUE.version("2025")
    rows = _field_rows(ws)
    assert list(rows) == version.field_codes and "sti_dx_budget" in rows
    sti = version.field("sti_dx_budget")
    assert ws.cell(rows["sti_dx_budget"], 3).value == sti.name_vi
    assert _validation(ws, f"{VALUE}{rows['sti_dx_budget']}").type == "decimal"
    texts = _texts(book)
    assert "Sở Khoa học và Công nghệ Hà Nội (Sở KH&CN)" in texts
    assert "Bộ Khoa học và Công nghệ (Bộ KH&CN)" in texts
    assert "Thông tin và Truyền thông" not in texts.replace(sti.name_vi, "").split("Căn cứ")[0]
    assert "Nghị quyết 57-NQ/TW ngày 22/12/2024" in texts
    level4 = ws.cell(rows["procedures_level4"], 3).value
    assert level4 == field_label(version.field("procedures_level4"))
    assert "toàn trình" in level4 and "trước đây: «" in level4 and "mức độ 4" in level4


def test_2024_template_has_neither() -> None:
    """A 2024-Q4 template: no ``sti_dx_budget`` row and the Department of Information and
    Communications, as before 2025-Q3."""
    prov = _province("Hà Nội", "2024-Q4")
    book = load_workbook(io.BytesIO(build_template(prov, Period(2024, 4))))
    rows = _field_rows(book[REPORT_SHEET])
    assert list(rows) == CATALOGUE.version("2021").field_codes
    assert "sti_dx_budget" not in rows
    texts = _texts(book)
    assert "Sở Thông tin và Truyền thông Hà Nội (Sở TT&TT)" in texts
    assert "Bộ Thông tin và Truyền thông (Bộ TT&TT)" in texts
    assert "KH&CN" not in texts and "Khoa học và Công nghệ" not in texts
    assert "Quyết định 749/QĐ-TTg ngày 03/06/2020" in texts


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
