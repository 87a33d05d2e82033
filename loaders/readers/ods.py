"""The .ods scan: one streaming pass over content.xml, before calamine reads it.

Repeated rows and cells (``number-rows-repeated``: 800 bytes can declare a million rows) are
counted, never expanded, and refused beyond the limits. The scan also finds merged ranges
(calamine gives none for .ods), formula cells without a cached value, cells whose cached value
is an error (LibreOffice writes ``calcext:value-type="error"`` and the error text) and cells of
``office:value-type="percentage"``.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from loaders.readers.errors import damaged, password_protected, too_deep
from loaders.readers.limits import MAX_COLS, MAX_ROWS, MAX_XML_DEPTH
from loaders.readers.scan import BookScan, SheetScan, check_totals, parse_all, xml_parser
from loaders.readers.zipcheck import ZipArchive

CONTENT = "content.xml"
MANIFEST = "META-INF/manifest.xml"
_ERROR_TEXT = re.compile(r"#(?:N/A|REF!|DIV/0!|VALUE!|NAME\?|NUM!|NULL!)|Err:\d{3}")
_CELLS = ("table:table-cell", "table:covered-table-cell")


def scan_ods(archive: ZipArchive) -> BookScan:
    """Check the manifest for encryption, then stream content.xml."""
    names = archive.names
    if MANIFEST in names and b"encryption-data" in archive.read(MANIFEST):
        raise password_protected()
    if CONTENT not in names:
        raise damaged(CONTENT)
    result = BookScan("ods", has_macros=any(n.startswith(("Basic/", "Scripts/")) for n in names))
    reader = _ContentReader(result.sheets)
    parse_all(reader.parser, archive.chunks(CONTENT), CONTENT)
    return result


@dataclass
class _Cell:
    """The open cell: the rows and columns it covers (repeats) and what it holds."""

    rows: range
    cols: range
    formula: bool
    cached: bool
    error: bool
    percent: bool
    counted: bool = False
    text: list[str] = field(default_factory=list)


class _ContentReader:
    """Expat handlers for content.xml. Names are matched with their ``table:`` and ``office:``
    prefixes, as calamine matches them: elements under any other prefix are skipped by both."""

    def __init__(self, sheets: dict[str, SheetScan]) -> None:
        self.sheets = sheets
        self.parser = xml_parser()
        self.parser.buffer_text = True
        self.parser.StartElementHandler = self.start
        self.parser.EndElementHandler = self.end
        self.scan: SheetScan | None = None
        self.depth = self.cell_depth = 0
        self.cell: _Cell | None = None
        self.rows = range(0)
        self.next_row = self.next_col = 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        self.depth += 1
        if self.depth > MAX_XML_DEPTH:
            raise too_deep(MAX_XML_DEPTH)
        if self.cell is not None:
            self.count()  # a cell with any child holds a value
        elif name == "table:table":
            self.scan = SheetScan(attrs.get("table:name", ""))
            self.next_row = 0
        elif name == "table:table-row":
            count = _repeat(attrs.get("table:number-rows-repeated"))
            self.rows = range(self.next_row, self.next_row + count)
            self.next_row += count
            self.next_col = 0
        elif name in _CELLS:
            self.open_cell(attrs)

    def open_cell(self, attrs: dict[str, str]) -> None:
        count = _repeat(attrs.get("table:number-columns-repeated"))
        cols = range(self.next_col, self.next_col + count)
        self.next_col += count
        value_type = attrs.get("office:value-type")
        self.cell = _Cell(
            self.rows,
            cols,
            formula="table:formula" in attrs,
            cached=value_type is not None,
            error=attrs.get("calcext:value-type") == "error",
            percent=value_type == "percentage",
        )
        self.cell_depth = self.depth
        if self.cell.formula:
            self.parser.CharacterDataHandler = self.cell.text.append
        self.merge(attrs)
        if value_type is not None:
            self.count()

    def merge(self, attrs: dict[str, str]) -> None:
        span_cols = _repeat(attrs.get("table:number-columns-spanned"))
        span_rows = _repeat(attrs.get("table:number-rows-spanned"))
        if (span_cols > 1 or span_rows > 1) and self.scan is not None and self.cell is not None:
            self.scan.add_merge()
            r0, c0 = self.cell.rows.start, self.cell.cols.start
            self.scan.merged.append(((r0, c0), (r0 + span_rows - 1, c0 + span_cols - 1)))

    def count(self) -> None:
        """The open cell holds a value: its last row and column must be within the limits."""
        cell, scan = self.cell, self.scan
        if cell is None or cell.counted or scan is None:
            return
        cell.counted = True
        last_row, last_col = cell.rows[-1], cell.cols[-1]
        if last_row >= MAX_ROWS or last_col >= MAX_COLS:
            first_row = last_row if last_row < MAX_ROWS else max(cell.rows.start, MAX_ROWS)
            first_col = last_col if last_col < MAX_COLS else max(cell.cols.start, MAX_COLS)
            scan.add_cell(first_row, first_col)  # refused, naming the first cell beyond
        scan.add_cell(last_row, last_col)

    def end(self, name: str) -> None:
        if self.cell is not None and self.depth == self.cell_depth:
            self.close_cell(self.cell)
        self.depth -= 1
        if name == "table:table" and self.cell is None and self.scan is not None:
            self.sheets[self.scan.name] = self.scan
            check_totals(self.sheets.values())
            self.scan = None

    def close_cell(self, cell: _Cell) -> None:
        self.cell = None
        self.parser.CharacterDataHandler = None
        if self.scan is None or not cell.counted:
            return
        if cell.formula or cell.percent:
            _record(self.scan, cell)


def _record(scan: SheetScan, cell: _Cell) -> None:
    """A formula or percent cell, at every position it covers (repeats within the limits)."""
    text = "".join(cell.text).strip()
    error = cell.formula and (cell.error or _ERROR_TEXT.fullmatch(text) is not None)
    for position in itertools.product(cell.rows, cell.cols):
        if cell.formula:
            scan.formulas[position] = cell.cached
        if error:
            scan.errors[position] = text
        if cell.percent:
            scan.percent.add(position)


def _repeat(value: str | None) -> int:
    if value is None:
        return 1
    count = int(value)
    if count < 1:
        raise ValueError("bad repeat count")
    return count
