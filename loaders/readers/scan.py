"""What a format's safety scan learns about each sheet before python-calamine reads it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from xml.parsers import expat

from dxboard.errors import Reason
from loaders.readers.errors import WorkbookError, damaged, too_deep, unsafe_dtd
from loaders.readers.limits import (
    MAX_CELLS,
    MAX_COLS,
    MAX_MERGED,
    MAX_ROWS,
    MAX_SHEETS,
    MAX_XML_DEPTH,
)
from loaders.readers.text import cell_ref, safe_label

Cell = tuple[int, int]
"""(row, column), 0-based."""
Range = tuple[Cell, Cell]
"""(top-left, bottom-right) of a merged range."""


@dataclass
class SheetScan:
    """One sheet as its scan saw it: the used range of the cells holding a value (-1 when
    empty), merged ranges, formula cells (→ whether the cached value can be trusted), cells
    holding an error (→ ``#N/A``...) and numeric cells formatted as a percentage."""

    name: str
    max_row: int = -1
    max_col: int = -1
    merges: int = 0
    merged: list[Range] = field(default_factory=list)
    formulas: dict[Cell, bool] = field(default_factory=dict)
    errors: dict[Cell, str] = field(default_factory=dict)
    percent: set[Cell] = field(default_factory=set)

    @property
    def label(self) -> str:
        return safe_label(self.name)

    @property
    def cells(self) -> int:
        return (self.max_row + 1) * (self.max_col + 1)

    def add_cell(self, row: int, col: int) -> None:
        """A cell holding a value: refused beyond the row and column limits."""
        if row >= MAX_ROWS or col >= MAX_COLS:
            raise too_large(self.label, row, col)
        if row > self.max_row:
            self.max_row = row
        if col > self.max_col:
            self.max_col = col

    def add_merge(self, count: int = 1) -> None:
        self.merges += count
        if self.merges > MAX_MERGED:
            raise too_many_merged(self.label)


@dataclass
class BookScan:
    """What a format's scan found in the whole workbook: its sheets by their names in the file."""

    format: str
    sheets: dict[str, SheetScan] = field(default_factory=dict)
    has_macros: bool = False
    external_links: bool = False


def too_large(label: str, row: int, col: int) -> WorkbookError:
    key = "too_many_rows" if row >= MAX_ROWS else "too_many_columns"
    cell = cell_ref(row, col)
    return WorkbookError(
        Reason.SHEET_TOO_LARGE, key, sheet=label, cell=cell, rows=MAX_ROWS, cols=MAX_COLS
    )


def too_many_merged(label: str) -> WorkbookError:
    return WorkbookError(Reason.SHEET_TOO_LARGE, "too_many_merged", sheet=label, limit=MAX_MERGED)


def check_sheet_count(count: int) -> None:
    if count > MAX_SHEETS:
        raise WorkbookError(Reason.TOO_MANY_SHEETS, n=count, limit=MAX_SHEETS)


def check_totals(scans: Iterable[SheetScan]) -> None:
    """The sheets' count and their cells in all, within the limits."""
    scans = list(scans)
    check_sheet_count(len(scans))
    if sum(scan.cells for scan in scans) > MAX_CELLS:
        raise WorkbookError(
            Reason.SHEET_TOO_LARGE, "too_many_cells", sheet=scans[-1].label, limit=MAX_CELLS
        )


# --------------------------------------------------------------------------- XML


def xml_parser(namespaces: bool = False) -> expat.XMLParserType:
    """An expat parser that refuses any DTD (no entity can be declared, so none expands)."""
    parser = expat.ParserCreate(namespace_separator="}" if namespaces else None)
    parser.StartDoctypeDeclHandler = unsafe_dtd
    parser.EntityDeclHandler = unsafe_dtd
    parser.ExternalEntityRefHandler = unsafe_dtd
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    return parser


Element = tuple[str, str, dict[str, str]]
"""(parent's local name, local name, attributes) of one element of a small XML part."""


def read_elements(data: bytes, part: str) -> list[Element]:
    """Every element of a small XML part (workbook.xml, rels, styles.xml) in document order;
    refused when malformed, when it declares a DTD or nests deeper than ``MAX_XML_DEPTH``."""
    found: list[Element] = []
    stack = [""]

    def start(name: str, attrs: dict[str, str]) -> None:
        local = name.rsplit("}", 1)[-1]
        found.append((stack[-1], local, attrs))
        stack.append(local)
        if len(stack) > MAX_XML_DEPTH:
            raise too_deep(MAX_XML_DEPTH)

    parser = xml_parser(namespaces=True)
    parser.StartElementHandler = start
    parser.EndElementHandler = lambda _name: stack.pop()
    parse_all(parser, [data], part)
    return found


def parse_all(
    parser: expat.XMLParserType, chunks: Iterable[bytes], part: str, sheet: str = ""
) -> None:
    """Feed ``chunks`` to ``parser``; a malformed part is a damaged file."""
    try:
        for chunk in chunks:
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except (expat.ExpatError, ValueError, LookupError):
        raise damaged(part, sheet) from None
