"""Reading spreadsheet files (.xlsx, .xlsm, .xls, .ods) through python-calamine.

The format is decided by the file's content, not its name. For .xlsx files the sheet XML is
also scanned for formula cells, because calamine returns a formula without a cached value as a
blank, and files written by libraries (not by Excel or LibreOffice) carry cached values that
cannot be trusted (see MEASUREMENTS.md).
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from functools import cached_property
from xml.etree import ElementTree

import python_calamine as calamine

from loaders.problems import Problem, Reason

_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}
_CELL_REF = re.compile(r"^([A-Z]+)(\d+)$")


class WorkbookError(Exception):
    """The file cannot be read as a workbook; carries the problem to report."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message_en)
        self.problem = problem


def sniff_format(data: bytes) -> str:
    """``xlsx``, ``ods``, ``xls``, ``csv`` or ``unknown``, from the first bytes and zip entries."""
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "xls"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = set(zf.namelist())
                if "xl/workbook.xml" in names:
                    return "xlsx"
                if "mimetype" in names and b"spreadsheet" in zf.read("mimetype"):
                    return "ods"
        except zipfile.BadZipFile:
            return "unknown"
        return "unknown"
    head = data[:2048]
    if b"\x00" not in head and (b"," in head or b";" in head or b"\t" in head):
        return "csv"
    return "unknown"


@dataclass
class Sheet:
    """One sheet's cell values (0-based rows and columns), merged ranges and formula cells."""

    name: str
    rows: list[list[object]]
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)
    formulas: dict[tuple[int, int], bool] = field(default_factory=dict)
    """(row, col) → whether its cached value can be trusted."""

    def value(self, row: int, col: int) -> object:
        if row < len(self.rows) and col < len(self.rows[row]):
            value = self.rows[row][col]
            return None if value == "" else value
        return None

    def merged_at(self, row: int, col: int) -> bool:
        """Whether (row, col) lies inside a merged range."""
        return any(r0 <= row <= r1 and c0 <= col <= c1 for (r0, c0), (r1, c1) in self.merged)


class Workbook:
    """An opened spreadsheet file; sheets are read on first use."""

    def __init__(self, data: bytes, file_name: str) -> None:
        self.file_name = file_name
        self.data = data
        self.format = sniff_format(data)
        if not data:
            raise WorkbookError(_file_problem(file_name, Reason.EMPTY_FILE,
                                              "Tệp rỗng (0 byte).", "The file is empty (0 bytes)."))
        if self.format not in ("xlsx", "xls", "ods"):
            raise WorkbookError(_file_problem(
                file_name, Reason.UNKNOWN_FORMAT,
                "Không phải tệp bảng tính Excel/LibreOffice (.xlsx, .xls, .ods).",
                "Not an Excel/LibreOffice spreadsheet (.xlsx, .xls, .ods)."))
        try:
            self._book = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        except Exception as exc:  # calamine raises several types for broken files
            raise WorkbookError(_file_problem(
                file_name, Reason.UNREADABLE,
                f"Không đọc được tệp (tệp hỏng, bị cắt cụt hoặc có mật khẩu): {type(exc).__name__}.",
                f"Cannot read the file (damaged, truncated or password-protected): "
                f"{type(exc).__name__}.")) from None
        self._sheets: dict[str, Sheet] = {}

    @property
    def sheet_names(self) -> list[str]:
        return list(self._book.sheet_names)

    def sheet(self, name: str) -> Sheet:
        if name not in self._sheets:
            raw = self._book.get_sheet_by_name(name)
            rows = raw.to_python(skip_empty_area=False)
            merged = [((a[0], a[1]), (b[0], b[1])) for a, b in (raw.merged_cell_ranges or [])]
            formulas = self._xlsx_formulas(name) if self.format == "xlsx" else {}
            self._sheets[name] = Sheet(name, rows, merged, formulas)
        return self._sheets[name]

    @cached_property
    def _xlsx_parts(self) -> tuple[dict[str, str], bool]:
        """Sheet name → XML part, and whether the workbook asks for recalculation on load."""
        with zipfile.ZipFile(io.BytesIO(self.data)) as zf:
            book = ElementTree.fromstring(zf.read("xl/workbook.xml"))
            rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
        targets = {r.get("Id"): r.get("Target", "") for r in rels.findall("rel:Relationship", _NS)}
        parts = {}
        for sheet in book.iterfind("m:sheets/m:sheet", _NS):
            target = targets.get(sheet.get(f"{{{_NS['r']}}}id"), "")
            path = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
            parts[sheet.get("name", "")] = posixpath.normpath(path)
        calc = book.find("m:calcPr", _NS)
        recalc = calc is not None and calc.get("fullCalcOnLoad") in ("1", "true")
        return parts, recalc

    def _xlsx_formulas(self, name: str) -> dict[tuple[int, int], bool]:
        parts, recalc = self._xlsx_parts
        part = parts.get(name)
        found: dict[tuple[int, int], bool] = {}
        if not part:
            return found
        with zipfile.ZipFile(io.BytesIO(self.data)) as zf, zf.open(part) as fh:
            for _, elem in ElementTree.iterparse(fh):
                if elem.tag != f"{{{_NS['m']}}}c":
                    continue
                if elem.find("m:f", _NS) is not None:
                    cached = elem.find("m:v", _NS)
                    has_value = cached is not None and (cached.text or "") != ""
                    found[_parse_ref(elem.get("r", ""))] = has_value and not recalc
                elem.clear()
        return found


def _parse_ref(ref: str) -> tuple[int, int]:
    m = _CELL_REF.match(ref)
    if not m:
        return (-1, -1)
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)) - 1, col - 1


def _file_problem(file_name: str, reason: Reason, vi: str, en: str) -> Problem:
    return Problem(file=file_name, reason=reason, message_vi=vi, message_en=en)
