"""An opened, checked workbook: every sheet read by python-calamine after its format's scan."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import cast

import python_calamine as calamine

from dxboard.errors import Problem, Reason
from loaders.readers.content import OLE_SIGNATURE, ZIP_SIGNATURE, not_a_spreadsheet, refuse_other
from loaders.readers.errors import WorkbookError, password_protected
from loaders.readers.limits import (
    MAX_CELL_CHARS,
    MAX_COLS,
    MAX_FILE_LABEL_CHARS,
    MAX_MERGED,
    MAX_ROWS,
    max_file_bytes,
)
from loaders.readers.ods import scan_ods
from loaders.readers.scan import (
    BookScan,
    Cell,
    Range,
    SheetScan,
    check_sheet_count,
    too_large,
    too_many_merged,
)
from loaders.readers.text import (
    cell_ref,
    clean_text,
    has_hidden_characters,
    needs_cleaning,
    safe_label,
)
from loaders.readers.xls import scan_xls
from loaders.readers.xlsx import BOOK, scan_xlsx
from loaders.readers.zipcheck import ZipArchive


@dataclass
class Sheet:
    """One sheet's cell values (0-based rows and columns) and what its scan found."""

    name: str
    rows: list[list[object]]
    merged: list[Range] = field(default_factory=list)
    formulas: dict[Cell, bool] = field(default_factory=dict)
    """(row, col) of a formula cell → whether its cached value can be trusted."""
    errors: dict[Cell, str] = field(default_factory=dict)
    """(row, col) of a cell whose cached value is an error → the error (``#N/A``...)."""
    percent: set[Cell] = field(default_factory=set)
    """(row, col) of the numeric cells formatted as a percentage."""

    def value(self, row: int, col: int) -> object:
        """The cell's value; ``None`` when it is blank."""
        if row < len(self.rows) and col < len(self.rows[row]):
            value = self.rows[row][col]
            return None if value == "" else value
        return None

    def merged_at(self, row: int, col: int) -> bool:
        """Whether (row, col) lies inside a merged range."""
        return any(r0 <= row <= r1 and c0 <= col <= c1 for (r0, c0), (r1, c1) in self.merged)


@dataclass
class Workbook:
    """A spreadsheet file whose every sheet was checked and read. ``has_macros`` and
    ``external_links`` flag files that are read but deserve a warning (macros are never run,
    links never followed); ``warnings`` holds them and the cells whose text was cleaned."""

    file_name: str
    format: str
    has_macros: bool = False
    external_links: bool = False
    warnings: list[Problem] = field(default_factory=list)
    sheets: dict[str, Sheet] = field(default_factory=dict)

    @property
    def sheet_names(self) -> list[str]:
        return list(self.sheets)

    def sheet(self, name: str) -> Sheet:
        return self.sheets[name]


def open_workbook(data: bytes, file_name: str) -> Workbook:
    """Type ``data`` by its content, run its format's safety scan, then read every sheet.

    Raises only :class:`WorkbookError`, whatever the bytes."""
    label = safe_label(file_name, MAX_FILE_LABEL_CHARS)
    try:
        return _open(data, label)
    except WorkbookError as exc:
        exc.file = label
        raise
    except Exception as exc:  # the last line: a bad file never surfaces as a traceback
        error = WorkbookError(Reason.UNREADABLE, error=type(exc).__name__)
        error.file = label
        raise error from None


def _open(data: bytes, label: str) -> Workbook:
    limit = max_file_bytes()
    if len(data) > limit:
        raise WorkbookError(Reason.FILE_TOO_LARGE, size=len(data), limit=limit)
    if not data:
        raise WorkbookError(Reason.EMPTY_FILE)
    scan = _scan(data)
    book = Workbook(label, scan.format, scan.has_macros, scan.external_links)
    _read_sheets(book, data, scan)
    if book.has_macros:
        book.warnings.append(Problem(file=label, reason=Reason.MACROS, severity="warning"))
    if book.external_links:
        book.warnings.append(Problem(file=label, reason=Reason.EXTERNAL_LINKS, severity="warning"))
    return book


def _scan(data: bytes) -> BookScan:
    """The safety scan of the format the content shows."""
    if data.startswith(OLE_SIGNATURE):
        return scan_xls(data)
    if not data.startswith(ZIP_SIGNATURE):
        raise refuse_other(data)
    archive = ZipArchive(data)
    if BOOK in archive.names:
        return scan_xlsx(archive)
    mimetype = archive.read("mimetype", 256) if "mimetype" in archive.names else b""
    if b"opendocument.spreadsheet" in mimetype:
        return scan_ods(archive)
    raise _other_zip(archive.names, mimetype)


def _other_zip(names: set[str], mimetype: bytes) -> WorkbookError:
    """The refusal of a sound zip that is neither .xlsx nor .ods."""
    if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
        if "xl/workbook.bin" in names:
            return not_a_spreadsheet("xlsb", "xlsb")
        return WorkbookError(Reason.DAMAGED_FILE, "missing_part", part=BOOK)
    if "word/document.xml" in names or b"opendocument.text" in mimetype:
        return not_a_spreadsheet("document")
    if "ppt/presentation.xml" in names or b"opendocument.presentation" in mimetype:
        return not_a_spreadsheet("presentation")
    if b"opendocument" in mimetype:
        return WorkbookError(Reason.DAMAGED_FILE, "damaged_opendocument")
    return not_a_spreadsheet("zip", "zip")


# --------------------------------------------------------------------------- reading the sheets

_WORKSHEET = calamine.SheetTypeEnum.WorkSheet


def _read_sheets(book: Workbook, data: bytes, scan: BookScan) -> None:
    try:
        reader = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        kinds = {m.name: m.typ for m in reader.sheets_metadata}
    except calamine.PasswordError:
        raise password_protected() from None
    except Exception as exc:
        raise WorkbookError(
            Reason.DAMAGED_FILE, "damaged_reader", error=type(exc).__name__
        ) from None
    check_sheet_count(len(kinds))
    scans = _scans_by_name(scan, [n for n, k in kinds.items() if k == _WORKSHEET])
    for raw_name, kind in kinds.items():
        label = safe_label(raw_name)
        while label in book.sheets:
            label += "_"
        book.has_macros |= kind == calamine.SheetTypeEnum.MacroSheet
        sheet_scan = scans.get(raw_name)
        if kind != _WORKSHEET:
            book.sheets[label] = Sheet(label, [])
        elif sheet_scan is None:  # not measured: loading it could allocate without bound
            raise WorkbookError(Reason.DAMAGED_FILE, "sheet_unchecked", sheet=label)
        else:
            book.sheets[label] = _read_sheet(reader, raw_name, label, sheet_scan, book)


def _scans_by_name(scan: BookScan, worksheets: list[str]) -> dict[str, SheetScan]:
    """The scans of calamine's worksheets. An .xls sheet name may be decoded differently by the
    BIFF scan (old code pages): its worksheets are then matched in order."""
    if scan.format == "xls" and len(worksheets) == len(scan.sheets):
        return dict(zip(worksheets, scan.sheets.values(), strict=True))
    return scan.sheets


def _read_sheet(
    reader: calamine.CalamineWorkbook,
    raw_name: str,
    label: str,
    scan: SheetScan,
    book: Workbook,
) -> Sheet:
    try:
        raw = reader.get_sheet_by_name(raw_name)
        if raw.height > MAX_ROWS or raw.width > MAX_COLS:
            raise too_large(
                label, min(raw.height, MAX_ROWS + 1) - 1, min(raw.width, MAX_COLS + 1) - 1
            )
        rows = cast(list[list[object]], raw.to_python(skip_empty_area=False))
        merged = [((a[0], a[1]), (b[0], b[1])) for a, b in raw.merged_cell_ranges or []]
    except WorkbookError:
        raise
    except Exception as exc:
        raise WorkbookError(
            Reason.DAMAGED_FILE, "sheet_unreadable", sheet=label, error=type(exc).__name__
        ) from None
    merged = merged or scan.merged
    if len(merged) > MAX_MERGED:
        raise too_many_merged(label)
    book.warnings += _clean_rows(book.file_name, label, rows)
    return Sheet(label, rows, merged, scan.formulas, scan.errors, scan.percent)


def _clean_rows(file: str, label: str, rows: list[list[object]]) -> list[Problem]:
    """Remove control characters and cut long text in place; one warning of each kind."""
    if not needs_cleaning([v for row in rows for v in row if type(v) is str]):
        return []  # the common case: one search over the whole sheet
    hidden: list[str] = []
    long: list[str] = []
    for r, c, value in _texts(rows):
        if has_hidden_characters(value):
            hidden.append(cell_ref(r, c))
        if len(value) > MAX_CELL_CHARS:
            long.append(cell_ref(r, c))
        rows[r][c] = clean_text(value)
    warnings = []
    if hidden:
        warnings.append(_warning(file, label, Reason.HIDDEN_CHARACTERS, hidden))
    if long:
        warnings.append(_warning(file, label, Reason.TEXT_CUT, long, limit=MAX_CELL_CHARS))
    return warnings


def _texts(rows: list[list[object]]) -> Iterator[tuple[int, int, str]]:
    """(row, column, text) of every text cell."""
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if type(value) is str:
                yield r, c, value


def _warning(file: str, label: str, reason: Reason, cells: list[str], **params: object) -> Problem:
    return Problem(
        file=file,
        sheet=label,
        cell=cells[0],
        reason=reason,
        severity="warning",
        params={"n": len(cells), "cell": cells[0], **params},
    )
