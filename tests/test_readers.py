"""The readers (``loaders/readers/``): what an officer meant, or a refusal.

- a cached formula error (``#N/A`` from a VLOOKUP, ``#DIV/0!``, ``#REF!``) is exposed in
  ``Sheet.errors`` naming its cell, in .xlsx, .xls and .ods saved by LibreOffice;
- ``100%`` typed into a count cell (1 formatted ``0%``) is in ``Sheet.percent``;
- a truly blank cell is in neither, and reads as ``None``;
- every format of the filled template reads the same values;
- messages come from the translation table in both languages, numbers in the language's format;
- no mutation of a valid file makes ``open_workbook`` raise anything but ``WorkbookError``.
"""

from __future__ import annotations

import io
import random
import struct
import sys
import zipfile
from pathlib import Path

import pytest
from helpers import FIXTURES, good_template, row_of

from dxboard.errors import Reason
from dxboard.i18n import TEXTS
from loaders.readers import WorkbookError, open_workbook
from loaders.readers.scan import SheetScan
from loaders.readers.xlsx import is_percent_format, percent_styles, scan_sheet

sys.path.insert(0, str(Path(__file__).resolve().parent / "hostile"))
from make_corpus import cfb, member, rezip

FORMATS = ("xlsx", "xls", "ods")
REPORT = "Báo cáo"
VALUE_COL = 3  # column D


def _book(name: str):
    return open_workbook((FIXTURES / name).read_bytes(), name)


def _cell(code: str) -> tuple[int, int]:
    return row_of(code) - 1, VALUE_COL


# --------------------------------------------------------------------------- the officer's traps


@pytest.mark.parametrize("fmt", FORMATS)
def test_cached_formula_errors_are_named(fmt: str) -> None:
    sheet = _book(f"template_errors.{fmt}").sheet(REPORT)
    assert sheet.errors == {
        _cell("procedures_total"): "#N/A",
        _cell("dossiers_total"): "#DIV/0!",
        _cell("inspections_total"): "#REF!",
    }
    for cell in sheet.errors:
        assert sheet.value(*cell) is None  # calamine reads an error as blank: hence the scan
    blank = _cell("communes_with_tech_team")
    assert blank not in sheet.errors and blank not in sheet.percent and sheet.value(*blank) is None
    assert sheet.percent == set()


@pytest.mark.parametrize("fmt", FORMATS)
def test_percent_in_a_count_cell_is_found(fmt: str) -> None:
    sheet = _book(f"template_percent.{fmt}").sheet(REPORT)
    cell = _cell("procedures_total")
    assert sheet.percent == {cell}
    assert sheet.value(*cell) == 1
    blank = _cell("communes_with_tech_team")
    assert blank not in sheet.percent and blank not in sheet.errors and sheet.value(*blank) is None
    assert sheet.errors == {}


@pytest.mark.parametrize("fmt", FORMATS)
def test_filled_template_has_no_error_or_percent(fmt: str) -> None:
    book = _book(f"template_filled.{fmt}")
    assert book.format == fmt and book.warnings == [] and not book.has_macros
    for name in book.sheet_names:
        sheet = book.sheet(name)
        assert sheet.errors == {} and sheet.percent == set()


def test_formats_read_the_same_values() -> None:
    rows = {fmt: _book(f"template_filled.{fmt}").sheet(REPORT) for fmt in FORMATS}
    for code in ("procedures_total", "budget_total", "steering_committee", "province"):
        row = row_of(code) - 1
        values = {fmt: sheet.value(row, VALUE_COL) for fmt, sheet in rows.items()}
        assert len({str(v).removesuffix(".0") for v in values.values()}) == 1, values


@pytest.mark.parametrize(
    ("code", "percent"),
    [
        ("0%", True),
        ("0.00%", True),
        ("[Red]0.0%", True),
        ('0.0" %"', False),
        ("0\\%", False),
        ("0_%", False),
        ("#,##0", False),
        ("General", False),
        ('"%"0%', True),
    ],
)
def test_percent_format_codes(code: str, percent: bool) -> None:
    assert is_percent_format(code) is percent


def test_percent_styles_shortcut_agrees_with_parsing() -> None:
    """styles.xml is parsed only when it can hold a percentage format; parsing the others finds
    none either."""
    for name in ("template_filled.xlsx", "template_filled_lo.xlsx", "template_percent.xlsx"):
        styles = member((FIXTURES / name).read_bytes(), "xl/styles.xml")
        parsed = percent_styles(styles + b"<!-- % -->")  # the comment defeats the shortcut
        assert percent_styles(styles) == parsed
    assert percent_styles(member(good_template(), "xl/styles.xml")) == frozenset()


# --------------------------------------------------------------------------- the .xlsx readings


def test_utf16_sheet_is_read_exactly() -> None:
    """A sheet in UTF-16 holds no ASCII tag: the plain reading must hand it to the exact one."""
    xml = (
        '<?xml version="1.0" encoding="UTF-16"?><worksheet xmlns="http://schemas.openxmlformats'
        '.org/spreadsheetml/2006/main"><sheetData><row r="1048576"><c r="XFD1048576"><v>1</v>'
        "</c></row></sheetData></worksheet>"
    ).encode("utf-16")
    with pytest.raises(WorkbookError) as exc:
        scan_sheet(lambda: [xml], "sheet.xml", "S")
    assert exc.value.reason == Reason.SHEET_TOO_LARGE
    assert exc.value.problem().cell == "XFD1048576"


def test_cell_in_a_foreign_namespace_counts() -> None:
    """calamine matches tags by their local name, whatever their namespace: so does the scan."""
    xml = (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        b'<row r="1"><c r="A1"><v>1</v></c><x:c xmlns:x="urn:other" r="B7000"><x:v>2</x:v></x:c>'
        b"</row></sheetData></worksheet>"
    )
    with pytest.raises(WorkbookError) as exc:
        scan_sheet(lambda: [xml], "sheet.xml", "S")
    assert exc.value.problem().cell == "B7000"


def test_error_and_formula_cells_of_a_sheet() -> None:
    xml = (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        b'<row r="2"><c r="B2" t="e"><f>VLOOKUP(1,A1:A2,2,0)</f><v>#N/A</v></c>'
        b'<c r="C2"><f>1+1</f></c><c r="D2"><f>1+1</f><v>2</v></c><c r="E2" s="1"><v>0.5</v></c>'
        b'<c r="F2" s="1" t="s"><v>0</v></c><c r="G2" s="1"/></row></sheetData></worksheet>'
    )
    scan = scan_sheet(lambda: [xml], "sheet.xml", "S", styles=frozenset({"1"}))
    assert scan.errors == {(1, 1): "#N/A"}
    assert scan.formulas == {(1, 1): True, (1, 2): False, (1, 3): True}
    assert scan.percent == {(1, 4)}  # not the text cell F2, not the empty G2
    assert (scan.max_row, scan.max_col) == (1, 5)
    recalc = scan_sheet(lambda: [xml], "sheet.xml", "S", recalc=True)
    assert set(recalc.formulas.values()) == {False}


# --------------------------------------------------------------------------- OLE2 containers


def _xls_stream() -> bytes:
    return b"\x09\x08\x10\x00" + struct.pack("<HH", 0x0600, 0x0005) + bytes(12)


def test_ole_stream_longer_than_the_file_is_damaged() -> None:
    data = bytearray(cfb({"Workbook": _xls_stream()}))
    entry = data.find("Workbook".encode("utf-16-le"))
    struct.pack_into("<Q", data, entry + 0x78, 50 * 1024 * 1024)  # the declared stream size
    with pytest.raises(WorkbookError) as exc:
        open_workbook(bytes(data), "loop.xls")
    assert exc.value.reason == Reason.DAMAGED_FILE


def test_ole_sector_loop_reads_at_most_the_file() -> None:
    """A sector chain that loops is read no further than the declared size, itself no larger
    than the file (olefile with DEFECT_INCORRECT refuses a size beyond the FAT)."""
    data = bytearray(cfb({"Workbook": _xls_stream()}))
    fat_at = len(data) - 512  # the one FAT sector is last
    struct.pack_into("<I", data, fat_at + 4 * 7, 0)  # the stream's last sector points to its first
    entry = data.find("Workbook".encode("utf-16-le"))
    struct.pack_into("<Q", data, entry + 0x78, len(data))
    try:
        book = open_workbook(bytes(data), "loop.xls")
    except WorkbookError as exc:
        assert exc.reason == Reason.DAMAGED_FILE
    else:
        assert all(book.sheet(n).rows == [] for n in book.sheet_names)


# --------------------------------------------------------------------------- messages


def test_messages_are_in_the_table_and_localised() -> None:
    with pytest.raises(WorkbookError) as exc:
        open_workbook(rezip(good_template(), add={f"x/{i}": b"" for i in range(1001)}), "m.xlsx")
    problem = exc.value.problem()
    assert problem.reason == Reason.UNSAFE_CONTAINER and problem.file == "m.xlsx"
    assert "1.012" in problem.message_vi and "1,012" in problem.message_en
    for key, (vi, en) in TEXTS.items():
        if key.startswith(("msg.kind_", "msg.advice_")):
            assert vi.strip() and en.strip()
    assert TEXTS["msg.unknown_format"][0].startswith("Tệp này là {what}")


def test_unexpected_failure_is_a_generic_refusal(monkeypatch: pytest.MonkeyPatch) -> None:
    import loaders.readers.workbook as workbook

    def boom(_data: bytes) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(workbook, "_scan", boom)
    with pytest.raises(WorkbookError) as exc:
        open_workbook(good_template(), "t.xlsx")
    problem = exc.value.problem()
    assert problem.reason == Reason.UNREADABLE and "RuntimeError" in problem.message_en
    assert problem.file == "t.xlsx"


# --------------------------------------------------------------------------- mutations


def _mutations(data: bytes, seed: int, count: int) -> list[bytes]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        buf = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            pos = rng.randrange(len(buf))
            buf[pos] = rng.randrange(256)
        out.append(bytes(buf))
    return out


def _inner_mutations(data: bytes, part: str, seed: int, count: int) -> list[bytes]:
    """Mutations of one part's expanded XML, zipped again (so the CRC check passes)."""
    xml = member(data, part)
    return [rezip(data, {part: m}) for m in _mutations(xml, seed, count)]


@pytest.mark.parametrize("fmt", FORMATS)
def test_mutated_files_never_escape(fmt: str) -> None:
    data = (FIXTURES / f"template_filled.{fmt}").read_bytes()
    cases = _mutations(data, seed=len(fmt), count=60)
    if fmt == "xlsx":
        cases += _inner_mutations(data, "xl/worksheets/sheet2.xml", seed=1, count=60)
    elif fmt == "ods":
        cases += _inner_mutations(data, "content.xml", seed=2, count=60)
    for case in cases:
        try:
            book = open_workbook(case, f"mutated.{fmt}")
        except WorkbookError as exc:
            assert exc.problem().message_vi
            continue
        for name in book.sheet_names:
            assert isinstance(book.sheet(name).rows, list)


def test_scan_of_each_sheet_is_a_sheet_scan() -> None:
    with zipfile.ZipFile(io.BytesIO(good_template())) as zf:
        xml = zf.read("xl/worksheets/sheet2.xml")
    scan = scan_sheet(lambda: [xml], "sheet2.xml", REPORT)
    assert isinstance(scan, SheetScan) and scan.max_col >= VALUE_COL
