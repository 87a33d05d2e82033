"""One bad file per validation rule: rejected, with the reason, the cell, the field and a message
in both languages, and nothing stored but the ``rejected`` upload row."""

from __future__ import annotations

import io
import json
import unicodedata
import zipfile
from datetime import date
from functools import cache

import pytest
from helpers import (
    FIXTURES,
    current_values,
    expected_rows,
    fill_template,
    good_evidence,
    good_notes,
    good_template,
    good_values,
    row_of,
    store_snapshot,
    upload_statuses,
    value_cell,
)
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from dxboard.catalogue import load_catalogue
from dxboard.errors import Problem, Reason
from dxboard.registry import DATA_PATH, Registry
from dxboard.store import Store
from loaders.ingest import IngestResult, ingest_bytes
from loaders.readers.text import col_letter
from loaders.template import REPORT_SHEET
from loaders.writers import bulk_columns, write_bulk

pytestmark = pytest.mark.backends

CATALOGUE = load_catalogue()
FRAMEWORK = CATALOGUE.version_for("2024-Q1")
"""The version of the 2024 files most tests use (tests/test_frameworks.py: the other ones)."""
KINDS = {f.code: f.kind for f in FRAMEWORK.fields}
PARTS = [f for f in FRAMEWORK.fields if f.part_of]
REQUIRED = [f.code for f in FRAMEWORK.fields if f.required]
REPORT = REPORT_SHEET


def at(code: str) -> str:
    """``Báo cáo!D12``: where a field's (or meta key's) value cell is in the template."""
    return f"{REPORT}!{value_cell(code)}"


@cache
def _seed() -> bytes:
    return good_template("Đà Nẵng", "2024-Q1")


@pytest.fixture
def store() -> Store:
    """A store already holding one accepted report, so that "unchanged" means something."""
    s = Store()
    assert ingest_bytes(s, _seed(), "seed.xlsx").status == "accepted"
    return s


@pytest.fixture
def empty_store() -> Store:
    return Store()


def reject(store: Store, data: bytes, name: str = "bad.xlsx", **kwargs: object) -> IngestResult:
    """Ingest a bad file: rejected, data tables unchanged, exactly one ``rejected`` upload."""
    before = store_snapshot(store)
    uploads = upload_statuses(store)
    result = ingest_bytes(store, data, name, **kwargs)
    assert result.status == "rejected", result.problems
    assert result.reports == [] and result.submission_ids == []
    assert store_snapshot(store) == before
    assert upload_statuses(store) == [*uploads, "rejected"]
    return result


def accept(store: Store, data: bytes, name: str = "ok.xlsx", **kwargs: object) -> IngestResult:
    result = ingest_bytes(store, data, name, **kwargs)
    assert result.status == "accepted", result.errors
    return result


def problem(
    result: IngestResult, reason: Reason, where: str, fld: str = "", severity: str = "error"
) -> Problem:
    """The one problem with ``reason``; checks its place, field and both messages."""
    found = [p for p in result.problems if p.reason == reason]
    assert len(found) == 1, result.problems
    p = found[0]
    assert (p.where, p.field, p.severity) == (where, fld, severity)
    assert p.message_vi.strip() and p.message_en.strip()
    assert p.file == result.file_name
    return p


def only_error(result: IngestResult, reason: Reason, where: str, fld: str = "") -> Problem:
    """Like :func:`problem`, and it is the only error."""
    assert [p.reason for p in result.errors] == [reason], result.errors
    return problem(result, reason, where, fld)


def _xlsx(rows: list[list[object]], title: str = "Dữ liệu") -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _bulk_row(province: str, period: str, **overrides: object) -> dict[str, object]:
    return {"province": province, "period": period, **good_values(), **overrides}


# --------------------------------------------------------------------------- sheet and layout


def test_renamed_report_sheet_is_a_missing_sheet(store: Store) -> None:
    def rename(ws: Worksheet) -> None:
        ws.title = "Bao cao"

    result = reject(store, good_template(mutate=rename))
    assert result.kind == "template"  # the guide and meta sheets identify our template
    only_error(result, Reason.MISSING_SHEET, "Báo cáo")
    assert "Bao cao)" in result.errors[0].message_vi


def test_workbook_without_a_header_row(store: Store) -> None:
    data = _xlsx([["foo", "bar"], [1, 2], ["Hà Nội", "2024-Q1"]], title="Sheet1")
    result = reject(store, data, "other.xlsx")
    only_error(result, Reason.UNKNOWN_LAYOUT, "Sheet1")


def test_template_without_its_key_row(store: Store) -> None:
    result = reject(store, good_template(mutate=lambda ws: ws.delete_rows(6)))
    only_error(result, Reason.UNKNOWN_LAYOUT, REPORT)


@pytest.mark.parametrize("version", ["2019.1", "2025.2", None])
def test_unknown_template_version(store: Store, version: object) -> None:
    data = fill_template("Đà Nẵng", "2024-Q2", good_values(), meta={"template_version": version})
    result = reject(store, data)
    only_error(result, Reason.TEMPLATE_VERSION, at("template_version"), "template_version")


# --------------------------------------------------------------------------- province and period


@pytest.mark.parametrize(
    ("name", "period", "names"),
    [
        ("Atlantis", "2024-Q2", ""),
        (None, "2024-Q2", ""),
        ("Hậu Giang", "2025-Q4", "Cần Thơ"),
        ("93", "2025-Q4", "Cần Thơ"),
        ("Tỉnh Hà Giang", "2025-Q3", "Tuyên Quang"),
    ],
)
def test_unknown_or_wrong_era_province(store: Store, name: object, period: str, names: str) -> None:
    base = "Đà Nẵng" if period < "2025-Q3" else "Cần Thơ"
    data = fill_template(base, period, good_values(), meta={"province": name})
    result = reject(store, data, today=date(2026, 1, 20))
    p = only_error(result, Reason.PROVINCE, at("province"), "province")
    assert names in p.message_vi and names in p.message_en


def test_ambiguous_province(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    data = json.loads(DATA_PATH.read_text(encoding="utf-8"))
    for rec in data["provinces"]:
        if rec["era"] == "legacy" and rec["code"] in ("92", "93"):
            rec["aliases"] = [*rec["aliases"], "Tây Đô"]
    monkeypatch.setattr("loaders.report.load_registry", lambda: Registry(data))
    file = fill_template("Cần Thơ", "2024-Q2", good_values(), meta={"province": "Tây Đô"})
    p = only_error(reject(store, file), Reason.PROVINCE, at("province"), "province")
    for text in (p.message_vi, p.message_en):
        assert "Cần Thơ" in text and "Hậu Giang" in text


@pytest.mark.parametrize("period", ["Q5/2024", "2024", "quý hai", "2014-Q4", "2024-Q3", None])
def test_bad_or_future_period(store: Store, period: object) -> None:
    data = fill_template("Đà Nẵng", "2024-Q2", good_values(), meta={"period": period})
    result = reject(store, data, today=date(2024, 5, 10))  # 2024-Q3 has not started
    only_error(result, Reason.PERIOD, at("period"), "period")


def test_bad_period_does_not_invent_a_province_error(store: Store) -> None:
    data = fill_template("Hậu Giang", "2024-Q2", good_values(), meta={"period": "Q5/2024"})
    result = reject(store, data)
    only_error(result, Reason.PERIOD, at("period"), "period")


# --------------------------------------------------------------------------- values


@pytest.mark.parametrize("code", REQUIRED)
def test_missing_required_value(store: Store, code: str) -> None:
    result = reject(store, good_template(**{code: None}))
    only_error(result, Reason.REQUIRED, at(code), code)


def test_blank_template_lists_every_required_field(store: Store) -> None:
    result = reject(store, fill_template("Đà Nẵng", "2024-Q2", {}))
    assert {(p.reason, p.where, p.field) for p in result.errors} == {
        (Reason.REQUIRED, at(code), code) for code in REQUIRED
    }
    assert {p.field for p in result.problems if p.reason == Reason.BLANK} == {
        f.code for f in FRAMEWORK.fields if not f.required
    }


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("procedures_total", "nhiều"),
        ("budget_total", "khoảng 5 tỷ"),
        ("households", "N/A"),
        ("adults", "12a"),
        ("it_budget", "1.2.3"),
    ],
)
def test_text_where_a_number_belongs(store: Store, code: str, text: str) -> None:
    result = reject(store, good_template(**{code: text}))
    p = only_error(result, Reason.NOT_A_NUMBER, at(code), code)
    assert text in p.message_vi and text in p.message_en


@pytest.mark.parametrize(
    ("code", "value"),
    [
        ("procedures_total", -5),
        ("dossiers_online", -1),
        ("budget_total", -0.5),
        ("adults", "-1.000"),
        ("security_budget", "-2,5"),
    ],
)
def test_negative_value(store: Store, code: str, value: object) -> None:
    result = reject(store, good_template(**{code: value}))
    only_error(result, Reason.NEGATIVE, at(code), code)


@pytest.mark.parametrize("fld", PARTS, ids=lambda f: f"{f.code}>{f.part_of}")
def test_part_exceeds_whole(store: Store, fld) -> None:
    whole = good_values()[fld.part_of]
    result = reject(store, good_template(**{fld.code: whole + 1}))
    p = only_error(result, Reason.PART_EXCEEDS_WHOLE, at(fld.code), fld.code)
    assert value_cell(fld.part_of) in p.message_vi and value_cell(fld.part_of) in p.message_en


@pytest.mark.parametrize("fld", PARTS, ids=lambda f: f"{f.code}={f.part_of}")
def test_part_equal_to_whole_is_accepted(empty_store: Store, fld) -> None:
    whole = good_values()[fld.part_of]
    accept(empty_store, good_template(**{fld.code: whole}))


YES_NO = [
    ("Có", 1),
    ("có", 1),
    ("CÓ", 1),
    ("Co", 1),
    (unicodedata.normalize("NFD", "Có"), 1),
    (" Có ", 1),
    ("Yes", 1),
    ("yes", 1),
    ("YES", 1),
    ("X", 1),
    ("x", 1),
    ("1", 1),
    (1, 1),
    (True, 1),
    ("Không", 0),
    ("không", 0),
    ("KHÔNG", 0),
    ("khong", 0),
    ("No", 0),
    ("no", 0),
    ("NO", 0),
    ("0", 0),
    (0, 0),
    (False, 0),
]


@pytest.mark.parametrize(("text", "stored"), YES_NO, ids=[repr(t) for t, _ in YES_NO])
def test_yes_no_spellings_accepted(empty_store: Store, text: object, stored: int) -> None:
    accept(empty_store, good_template(steering_committee=text, dx_program=text))
    values = current_values(empty_store)
    assert values["steering_committee"][0] == values["dx_program"][0] == stored


@pytest.mark.parametrize("text", ["maybe", "2", "ok", 2, 0.5, "Có/Không", "đã"])
def test_other_yes_no_answers_rejected(store: Store, text: object) -> None:
    result = reject(store, good_template(dx_resolution=text))
    only_error(result, Reason.NOT_YES_NO, at("dx_resolution"), "dx_resolution")


@pytest.mark.parametrize(
    ("code", "text", "number", "others"),
    [
        ("budget_total", "1.234.567", 1234567, {}),
        ("it_budget", "12,5", 12.5, {"security_budget": 1}),
        ("budget_total", "1.234,5", 1234.5, {}),
        ("security_budget", "12,75", 12.75, {}),
        ("procedures_total", "1.800", 1800, {}),
        ("adults", "900 000", 900000, {}),
    ],
)
def test_vietnamese_text_numbers_accepted(
    empty_store: Store, code: str, text: str, number: float, others: dict
) -> None:
    accept(empty_store, good_template(**{code: text, **others}))
    assert current_values(empty_store)[code][0] == number


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("budget_total", "1,234"),
        ("budget_total", "1.234"),
        ("it_budget", "12.5"),
        ("procedures_total", "1,234"),
    ],
)
def test_ambiguous_number_rejected(store: Store, code: str, text: str) -> None:
    result = reject(store, good_template(**{code: text}))
    p = only_error(result, Reason.AMBIGUOUS_NUMBER, at(code), code)
    assert text in p.message_vi and text in p.message_en


@pytest.mark.parametrize(
    ("code", "value"),
    [
        ("procedures_total", 12.5),
        ("communes", "56,5"),
        ("households", "1.234,5"),
    ],
)
def test_count_with_a_fraction(store: Store, code: str, value: object) -> None:
    result = reject(store, good_template(**{code: value}))
    only_error(result, Reason.NOT_WHOLE, at(code), code)


def test_bad_evidence_date(store: Store) -> None:
    cell = f"G{row_of('steering_committee')}"
    result = reject(store, good_template(mutate=lambda ws: ws.__setitem__(cell, "hôm qua")))
    only_error(result, Reason.BAD_DATE, f"{REPORT}!{cell}", "steering_committee")


@pytest.mark.parametrize(
    ("code", "formula"),
    [
        ("procedures_total", "=40+60"),
        ("steering_committee", '=IF(1,"Có","Không")'),
        ("budget_total", "=SUM(D8:D11)"),
    ],
)
def test_formula_without_cached_value(store: Store, code: str, formula: str) -> None:
    result = reject(store, good_template(**{code: formula}))
    only_error(result, Reason.FORMULA, at(code), code)


# --------------------------------------------------------------------------- damaged layout


def test_merged_cells_over_a_value_cell(store: Store) -> None:
    row = row_of("procedures_total")
    result = reject(store, good_template(mutate=lambda ws: ws.merge_cells(f"D{row}:E{row}")))
    only_error(result, Reason.MERGED_CELL, at("procedures_total"), "procedures_total")


def test_merged_value_cells_each_reported(store: Store) -> None:
    top, bottom = row_of("dossiers_total"), row_of("dossiers_online")
    result = reject(store, good_template(mutate=lambda ws: ws.merge_cells(f"D{top}:D{bottom}")))
    assert {(p.reason, p.where, p.field) for p in result.errors} == {
        (Reason.MERGED_CELL, at("dossiers_total"), "dossiers_total"),
        (Reason.MERGED_CELL, at("dossiers_online"), "dossiers_online"),
    }


def test_merged_value_cells_in_ods(store: Store) -> None:
    data = (FIXTURES / "template_merged.ods").read_bytes()
    result = reject(store, data, "template_merged.ods", today=date(2024, 8, 1))
    assert {(p.reason, p.where, p.field) for p in result.errors} == {
        (Reason.MERGED_CELL, at("dossiers_total"), "dossiers_total"),
        (Reason.MERGED_CELL, at("dossiers_online"), "dossiers_online"),
    }


@pytest.mark.parametrize("code", ["procedures_total", "communes"])
def test_deleted_field_row(store: Store, code: str) -> None:
    result = reject(store, good_template(mutate=lambda ws: ws.delete_rows(row_of(code))))
    only_error(result, Reason.MISSING_ROW, REPORT, code)


def test_duplicated_field_row(store: Store) -> None:
    row = row_of("procedures_total")

    def copy_row(ws: Worksheet) -> None:
        ws.insert_rows(row + 1)
        for col in "ABCD":
            ws[f"{col}{row + 1}"] = ws[f"{col}{row}"].value

    result = reject(store, good_template(mutate=copy_row))
    only_error(result, Reason.DUPLICATE_ROW, f"{REPORT}!A{row + 1}", "procedures_total")


@pytest.mark.parametrize("before", [3, 4])  # before «Chỉ tiêu» (C) or before «Giá trị» (D)
def test_inserted_column_still_reads(empty_store: Store, before: int) -> None:
    data = good_template(mutate=lambda ws: ws.insert_cols(before))
    assert accept(empty_store, data).problems == []
    assert current_values(empty_store) == expected_rows(
        good_values(), good_notes(), good_evidence()
    )


def test_inserted_column_problems_name_the_moved_cell(store: Store) -> None:
    data = good_template(procedures_total="nhiều", mutate=lambda ws: ws.insert_cols(4))
    result = reject(store, data)
    only_error(
        result, Reason.NOT_A_NUMBER, f"{REPORT}!E{row_of('procedures_total')}", "procedures_total"
    )


# --------------------------------------------------------------------------- not a workbook


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.xlsx", b"", Reason.EMPTY_FILE),
        ("picture.xlsx", b"\x89PNG\r\n\x1a\n" + bytes(200), Reason.UNKNOWN_FORMAT),
        ("table.xlsx", "province,period\nHà Nội,2024-Q1\n".encode(), Reason.UNKNOWN_FORMAT),
        ("notes.xlsx", b"just some words", Reason.UNKNOWN_FORMAT),
        ("archive.xlsx", b"PK\x03\x04" + bytes(100), Reason.UNKNOWN_FORMAT),
    ],
)
def test_not_a_spreadsheet(store: Store, name: str, data: bytes, reason: Reason) -> None:
    result = reject(store, data, name)
    assert result.kind == "unknown"
    only_error(result, reason, "")


def _rezip(data: bytes, member: str, content: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            zout.writestr(info, content if info.filename == member else zin.read(info))
    return out.getvalue()


def test_damaged_workbook_part_is_unreadable(store: Store) -> None:
    data = _rezip(good_template(), "xl/workbook.xml", b"<workbook")
    only_error(reject(store, data), Reason.DAMAGED_FILE, "")


def test_truncated_xls_is_unreadable(store: Store) -> None:
    data = (FIXTURES / "template_filled.xls").read_bytes()
    only_error(reject(store, data[: len(data) // 2], "cut.xls"), Reason.DAMAGED_FILE, "")


@pytest.mark.parametrize("name", ["template_filled.xlsx", "template_filled.ods"])
def test_truncated_zip_workbook_is_unreadable(store: Store, name: str) -> None:
    data = (FIXTURES / name).read_bytes()
    only_error(reject(store, data[: len(data) // 2], name), Reason.DAMAGED_FILE, "")


def test_corrupt_sheet_part_is_unreadable(store: Store) -> None:
    data = bytearray(good_template())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        info = zf.getinfo("xl/worksheets/sheet2.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + 100 : start + 400] = bytes(300)  # inside the deflated report sheet
    only_error(reject(store, bytes(data)), Reason.DAMAGED_FILE, "")


def test_every_problem_is_collected(store: Store) -> None:
    data = good_template(procedures_total="nhiều", dossiers_total=-5, steering_committee=None)
    result = reject(store, data)
    assert {(p.reason, p.where, p.field) for p in result.errors} == {
        (Reason.NOT_A_NUMBER, at("procedures_total"), "procedures_total"),
        (Reason.NEGATIVE, at("dossiers_total"), "dossiers_total"),
        (Reason.REQUIRED, at("steering_committee"), "steering_committee"),
    }
    stored = json.loads(
        store.cursor()
        .execute("SELECT messages FROM uploads ORDER BY id DESC LIMIT 1")
        .fetchone()[0]
    )
    assert {m["reason"] for m in stored} == {"not_a_number", "negative", "required"}


# --------------------------------------------------------------------------- bulk tables


def test_bulk_duplicate_province_and_period(store: Store) -> None:
    rows = [
        _bulk_row("Hà Nội", "2024-Q1"),
        _bulk_row("01", "Q1/2024"),
        _bulk_row("Huế", "2024-Q1"),
    ]
    result = reject(store, write_bulk(rows))
    p = only_error(result, Reason.DUPLICATE_REPORT, "Dữ liệu!A3", "province")
    assert "dòng 2" in p.message_vi and "row 2" in p.message_en


def test_bulk_unknown_column_is_a_warning(empty_store: Store) -> None:
    header = [*bulk_columns(), "ghi chú nội bộ"]
    values = good_values()
    data = _xlsx([header, ["Hà Nội", "2024-Q1", *(values.get(c) for c in header[2:-1]), "x"]])
    result = accept(empty_store, data)
    problem(
        result, Reason.UNKNOWN_COLUMN, f"Dữ liệu!{col_letter(len(header) - 1)}1", severity="warning"
    )
    assert len(current_values(empty_store)) == len(values)


@pytest.mark.parametrize("lang", ["vi", "vi*", "en"])
def test_bulk_label_headers(empty_store: Store, lang: str) -> None:
    def label(f) -> str:
        if lang == "en":
            return f.name_en
        return f.name_vi + (" (*)" if lang == "vi*" and f.required else "")

    header = ["Tỉnh", "Kỳ báo cáo", *(label(f) for f in FRAMEWORK.fields)]
    values = good_values()
    rows = [
        [p, "Quý 1/2024", *(values[f.code] for f in FRAMEWORK.fields)]
        for p in ("Hà Nội", "Đà Nẵng")
    ]
    result = accept(empty_store, _xlsx([["Báo cáo tổng hợp"], header, *rows]))
    assert (result.kind, len(result.reports), result.problems) == ("bulk", 2, [])
    assert current_values(empty_store, "48", "2024-Q1") == expected_rows(values)


def test_bulk_bad_cell_is_named_by_row(store: Store) -> None:
    rows = [_bulk_row(p, "2024-Q1") for p in ("Hà Nội", "Huế", "Đà Nẵng")]
    rows.append(_bulk_row("Cần Thơ", "2024-Q1", procedures_total="abc"))
    result = reject(store, write_bulk(rows))
    col = col_letter(bulk_columns().index("procedures_total"))
    only_error(result, Reason.NOT_A_NUMBER, f"Dữ liệu!{col}5", "procedures_total")


def test_bulk_errors_in_several_rows_all_reported(store: Store) -> None:
    rows = [
        _bulk_row("Hà Nội", "2024-Q1", procedures_level4=5000),
        _bulk_row("Atlantis", "2024-Q1"),
        _bulk_row("Huế", "2024-Q9"),
    ]
    result = reject(store, write_bulk(rows))
    pcol, qcol = col_letter(0), col_letter(1)
    l4 = col_letter(bulk_columns().index("procedures_level4"))
    assert {(p.reason, p.where) for p in result.errors} == {
        (Reason.PART_EXCEEDS_WHOLE, f"Dữ liệu!{l4}2"),
        (Reason.PROVINCE, f"Dữ liệu!{pcol}3"),
        (Reason.PERIOD, f"Dữ liệu!{qcol}4"),
    }


# --------------------------------------------------------------------------- read what was meant


@pytest.mark.parametrize("fmt", ["xlsx", "xls", "ods"])
def test_a_cached_formula_error_is_refused_at_its_cell(store: Store, fmt: str) -> None:
    """A VLOOKUP that found nothing is not "no data": the officer typed something."""
    data = (FIXTURES / f"template_errors.{fmt}").read_bytes()
    result = reject(store, data, f"errors.{fmt}")
    errors = {(p.field, p.cell): p for p in result.errors if p.reason == Reason.FORMULA_ERROR}
    codes = {"procedures_total": "#N/A", "dossiers_total": "#DIV/0!", "inspections_total": "#REF!"}
    assert {f for f, _ in errors} == set(codes)
    for (fld, cell), p in errors.items():
        assert cell == f"D{row_of(fld)}" and p.sheet == REPORT_SHEET
        assert codes[fld] in p.message_vi and codes[fld] in p.message_en
    assert not [p for p in result.problems if p.reason == Reason.BLANK and p.field in codes]


@pytest.mark.parametrize("fmt", ["xlsx", "xls", "ods"])
def test_a_percentage_in_a_count_cell_is_refused_with_a_hint(store: Store, fmt: str) -> None:
    data = (FIXTURES / f"template_percent.{fmt}").read_bytes()
    result = reject(store, data, f"percent.{fmt}")
    where = f"{REPORT_SHEET}!D{row_of('procedures_total')}"
    p = only_error(result, Reason.PERCENT_FORMAT, where, "procedures_total")
    assert "100 %" in p.message_vi and "phần trăm" in p.message_vi and "1234" in p.message_vi
    assert "percentage" in p.message_en


def test_a_percentage_in_an_amount_cell_of_a_bulk_table_is_refused(store: Store) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Dữ liệu"
    ws.append(["province", "period", "budget_total", "it_budget"])
    ws.append(["Đà Nẵng", "2024-Q2", 1000, 0.015])
    ws["D2"].number_format = "0.0%"
    buf = io.BytesIO()
    wb.save(buf)
    result = reject(store, buf.getvalue(), "bulk.xlsx")
    p = only_error(result, Reason.PERCENT_FORMAT, "Dữ liệu!D2", "it_budget")
    assert "1,5 %" in p.message_vi and "1.5%" in p.message_en and "triệu đồng" in p.message_vi


# --------------------------------------------------------------------------- framework versions


def _values_2025(**overrides: object) -> dict[str, object]:
    """Valid values for a report under the 2025 version (with ``sti_dx_budget``)."""
    return {**good_values(), "sti_dx_budget": 700.5, **overrides}


def test_2024_template_for_2025_q4_is_rejected_at_the_version_cell(store: Store) -> None:
    """Last year's file with its period changed: the version cell names the 2021 template, the
    period needs the 2025 one; the message says which template to download, and no row of the
    old layout is reported missing."""
    data = fill_template("Hà Nội", "2024-Q4", good_values(), meta={"period": "2025-Q4"})
    result = reject(store, data)
    p = only_error(result, Reason.TEMPLATE_VERSION, at("template_version"), "template_version")
    assert p.key == "template_other_version"
    assert "«2021» của Khung chỉ tiêu 2021" in p.message_vi
    assert "Quý IV/2025 báo cáo theo Khung chỉ tiêu 2025 (áp dụng từ Quý III/2025)" in p.message_vi
    assert "Hãy tải mẫu của kỳ Quý IV/2025 (phiên bản «2025»)" in p.message_vi
    assert "Download the template for Q4 2025 (version “2025”)" in p.message_en


def test_2025_template_for_an_older_period_is_rejected_too(store: Store) -> None:
    data = fill_template("Hà Nội", "2025-Q4", _values_2025(), meta={"period": "2024-Q4"})
    result = reject(store, data)
    p = only_error(result, Reason.TEMPLATE_VERSION, at("template_version"), "template_version")
    assert "phiên bản «2021»" in p.message_vi


def test_template_made_before_versions_still_loads(empty_store: Store) -> None:
    """Templates written before framework versions carry «2025.1»: the 2021 version's."""
    data = fill_template("Hà Nội", "2024-Q4", good_values(), meta={"template_version": "2025.1"})
    assert accept(empty_store, data).reports[0].values["procedures_total"].value == 1800


def test_2025_template_stores_sti_budget(empty_store: Store) -> None:
    data = fill_template("Hà Nội", "2025-Q4", _values_2025())
    result = accept(empty_store, data)
    assert result.problems == []
    stored = current_values(empty_store, "01", "2025-Q4")
    assert stored["sti_dx_budget"][0] == 700.5 and len(stored) == len(_values_2025())


def test_sti_budget_above_the_budget_is_rejected(store: Store) -> None:
    data = fill_template("Hà Nội", "2025-Q4", _values_2025(sti_dx_budget=25000.6))
    result = reject(store, data)
    p = only_error(result, Reason.PART_EXCEEDS_WHOLE, _cell_2025("sti_dx_budget"), "sti_dx_budget")
    assert "25.000,6" in p.message_vi and "25.000,5" in p.message_vi
    assert "khoa học, công nghệ, đổi mới sáng tạo" in p.message_vi


def _cell_2025(code: str) -> str:
    """Where a field's value cell is in a 2025-version template."""
    fields = CATALOGUE.version("2025").field_codes
    return f"{REPORT}!D{fields.index(code) + row_of(FRAMEWORK.field_codes[0])}"


def test_bulk_rows_are_validated_against_the_version_of_their_period(empty_store: Store) -> None:
    """One table across the change: the 2025 rows may fill ``sti_dx_budget``, a 2024 row may
    not (its version has no such field), so the file is rejected at that cell."""
    rows = [
        _bulk_row("Hà Nội", "2025-Q3", sti_dx_budget=800),
        _bulk_row("Hà Nội", "2024-Q4"),
        _bulk_row("Đà Nẵng", "2024-Q4", sti_dx_budget=500),
    ]
    result = reject(empty_store, write_bulk(rows))
    col = col_letter(bulk_columns().index("sti_dx_budget"))
    p = only_error(result, Reason.FRAMEWORK, f"Dữ liệu!{col}4", "sti_dx_budget")
    assert "Khung chỉ tiêu 2021 áp dụng cho kỳ Quý IV/2024 (đến Quý II/2025)" in p.message_vi
    accepted = accept(empty_store, write_bulk(rows[:2]))
    assert sorted(str(r.period) for r in accepted.reports) == ["2024-Q4", "2025-Q3"]
    assert current_values(empty_store, "01", "2025-Q3")["sti_dx_budget"][0] == 800


def test_bulk_header_may_use_a_former_name(empty_store: Store) -> None:
    """A renamed field is found under its former name too (``mức độ 4`` for ``toàn trình``)."""
    version = CATALOGUE.version("2025")
    old = version.field("procedures_level4").former_name_vi
    header = [
        "Tỉnh",
        "Kỳ báo cáo",
        *(old if c == "procedures_level4" else c for c in version.field_codes),
    ]
    values = _values_2025()
    data = _xlsx([header, ["Hà Nội", "2025-Q4", *(values[c] for c in version.field_codes)]])
    result = accept(empty_store, data)
    assert result.problems == []
    assert result.reports[0].values["procedures_level4"].value == 950
