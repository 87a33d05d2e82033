"""The .xls scan: the OLE2 container through olefile, then one pass over the BIFF records.

olefile lists the container's streams (an encrypted .xlsx is an OLE2 container too; a Word or
PowerPoint file has other streams) and reads the ``Workbook`` stream, refusing broken sector
chains. The records are small and bounded: the globals give the sheets, encryption (FILEPASS)
and the number formats of the cell styles; each sheet's cell records give its used range,
merged ranges, formula cells, cells holding an error and numeric cells formatted as percent.
"""

from __future__ import annotations

import io
import re
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field

import olefile

from loaders.readers.content import not_a_spreadsheet
from loaders.readers.errors import damaged, password_protected
from loaders.readers.scan import BookScan, SheetScan, check_sheet_count, check_totals

_BOF = (0x0809, 0x0409, 0x0209)
_EOF, _FILEPASS, _BOUNDSHEET, _FORMAT, _XF = 0x000A, 0x002F, 0x0085, 0x041E, 0x00E0
_FORMULA, _BOOLERR, _NUMBER, _RK, _MULRK, _MERGED = 0x0006, 0x0205, 0x0203, 0x027E, 0x00BD, 0x00E5
# Cell records holding a value (calamine ignores BLANK/MULBLANK, which only carry a format).
_VALUE_CELLS = {0x0006, 0x0203, 0x027E, 0x00FD, 0x0204, 0x0205, 0x00D6, 0x0406, 0x0003, 0x0002}
_VALUE_CELLS |= {0x0004, 0x0005, _MULRK}
_ERRORS = {
    0x00: "#NULL!",
    0x07: "#DIV/0!",
    0x0F: "#VALUE!",
    0x17: "#REF!",
    0x1D: "#NAME?",
    0x24: "#NUM!",
    0x2A: "#N/A",
    0x2B: "#GETTING_DATA",
}
_PERCENT_FORMATS = {9, 10}
_LITERALS = re.compile(r'"[^"]*"|\\.|[_*].')
_OTHER_DOCUMENTS = {"WordDocument": "doc", "PowerPoint Document": "ppt"}
_MACRO_STORAGES = {"_VBA_PROJECT_CUR", "VBA", "Macros"}


class BiffError(Exception):
    """The Workbook stream's records are truncated or out of order."""


def scan_xls(data: bytes) -> BookScan:
    """Open the OLE2 container and scan its Workbook stream."""
    try:
        ole = olefile.OleFileIO(io.BytesIO(data), raise_defects=olefile.DEFECT_INCORRECT)
    except Exception:  # olefile.OleFileError, struct.error... on a damaged container
        raise damaged() from None
    with ole:
        entries = {"/".join(path) for path in ole.listdir(streams=True, storages=True)}
        stream = _workbook_stream(ole, entries, len(data))
        result = BookScan("xls", has_macros=bool(entries & _MACRO_STORAGES))
    try:
        _scan_records(stream, result)
    except (BiffError, struct.error, IndexError):
        raise damaged() from None
    return result


def _workbook_stream(ole: olefile.OleFileIO, entries: set[str], size: int) -> bytes:
    if entries & {"EncryptionInfo", "EncryptedPackage"}:
        raise password_protected()
    name = next((s for s in ("Workbook", "Book") if s in entries), None)
    if name is None:
        kind = next((k for s, k in _OTHER_DOCUMENTS.items() if s in entries), None)
        raise not_a_spreadsheet(kind) if kind else damaged()
    try:
        if ole.get_size(name) > size:  # a stream longer than the file: a sector loop
            raise damaged()
        return bytes(ole.openstream(name).read())
    except OSError:  # olefile.OleFileError
        raise damaged() from None


def _records(stream: bytes, pos: int = 0) -> Iterator[tuple[int, int, int]]:
    """(record type, body offset, body length) of the BIFF records from ``pos``."""
    end = len(stream)
    while pos + 4 <= end:
        rtype, length = struct.unpack_from("<HH", stream, pos)
        if pos + 4 + length > end:
            raise BiffError("truncated record")
        yield rtype, pos + 4, length
        pos += 4 + length


# --------------------------------------------------------------------------- the globals


@dataclass
class _Globals:
    """The workbook globals: sheets (stream offset, name), style → number format, formats."""

    biff8: bool = True
    sheets: list[tuple[int, str]] = field(default_factory=list)
    style_formats: list[int] = field(default_factory=list)
    percent_formats: set[int] = field(default_factory=lambda: set(_PERCENT_FORMATS))
    has_macros: bool = False

    def percent_styles(self) -> frozenset[int]:
        formats = self.style_formats
        return frozenset(i for i, fmt in enumerate(formats) if fmt in self.percent_formats)


def _scan_records(stream: bytes, result: BookScan) -> None:
    book = _read_globals(stream)
    result.has_macros |= book.has_macros
    check_sheet_count(len(book.sheets))
    styles = book.percent_styles()
    for pos, name in book.sheets:
        result.sheets[name] = _scan_sheet(stream, pos, SheetScan(name), styles)
        check_totals(result.sheets.values())


def _read_globals(stream: bytes) -> _Globals:
    records = _records(stream)
    first = next(records, None)
    if first is None or first[0] not in _BOF:
        raise BiffError("no BOF")
    book = _Globals(biff8=struct.unpack_from("<H", stream, first[1])[0] == 0x0600)
    for rtype, body, length in records:
        if rtype == _EOF:
            break
        if rtype == _FILEPASS:
            raise password_protected()
        _read_global(book, stream, rtype, body, length)
    return book


def _read_global(book: _Globals, stream: bytes, rtype: int, body: int, length: int) -> None:
    if rtype == _BOUNDSHEET and length >= 8:
        pos, _, kind = struct.unpack_from("<IBB", stream, body)
        book.has_macros |= kind in (0x01, 0x06)  # Excel 4.0 macro sheet, VBA module (BIFF5)
        if kind == 0x00:
            book.sheets.append((pos, _short_string(stream, body + 6, length - 6, book.biff8)))
    elif rtype == _XF and length >= 4:
        book.style_formats.append(struct.unpack_from("<H", stream, body + 2)[0])
    elif rtype == _FORMAT and length >= 3:
        (index,) = struct.unpack_from("<H", stream, body)
        code = _format_string(stream, body + 2, length - 2, book.biff8)
        if "%" in _LITERALS.sub("", code):
            book.percent_formats.add(index)


def _short_string(stream: bytes, pos: int, length: int, biff8: bool) -> str:
    """A sheet name: 8-bit length, then (BIFF8) an options byte and the characters."""
    if length < 1:
        return ""
    count = stream[pos]
    if not biff8:
        return stream[pos + 1 : pos + 1 + count].decode("cp1252", errors="replace")
    wide = length > 1 and stream[pos + 1] & 0x01
    raw = stream[pos + 2 : pos + 2 + count * (2 if wide else 1)]
    return raw.decode("utf-16-le" if wide else "latin-1", errors="replace")


def _format_string(stream: bytes, pos: int, length: int, biff8: bool) -> str:
    """A FORMAT record's code: (BIFF8) 16-bit length, options byte, characters."""
    if not biff8:
        count = stream[pos]
        return stream[pos + 1 : pos + 1 + count].decode("cp1252", errors="replace")
    (count,) = struct.unpack_from("<H", stream, pos)
    wide = length > 2 and stream[pos + 2] & 0x01
    raw = stream[pos + 3 : pos + 3 + count * (2 if wide else 1)]
    return raw.decode("utf-16-le" if wide else "latin-1", errors="replace")


# --------------------------------------------------------------------------- one sheet


def _scan_sheet(stream: bytes, pos: int, scan: SheetScan, styles: frozenset[int]) -> SheetScan:
    records = _records(stream, pos)
    first = next(records, None)
    if first is None or first[0] not in _BOF:
        raise BiffError("sheet without BOF")
    for rtype, body, length in records:
        if rtype == _EOF:
            break
        if rtype in _VALUE_CELLS:
            _read_cell(stream, rtype, body, length, scan, styles)
        elif rtype == _MERGED and length >= 2:
            scan.add_merge(struct.unpack_from("<H", stream, body)[0])
        elif rtype in _BOF:  # a nested substream (a chart): skip to its EOF
            _skip_substream(records)
    return scan


def _skip_substream(records: Iterator[tuple[int, int, int]]) -> None:
    next((rtype for rtype, _, _ in records if rtype == _EOF), None)


def _read_cell(
    stream: bytes, rtype: int, body: int, length: int, scan: SheetScan, styles: frozenset[int]
) -> None:
    if length < 6:
        raise BiffError("short cell record")
    if rtype == _MULRK:
        _read_mulrk(stream, body, length, scan, styles)
        return
    row, col, style = struct.unpack_from("<HHH", stream, body)
    scan.add_cell(row, col)
    if rtype == _FORMULA:
        scan.formulas[(row, col)] = True
    result = _result(stream, rtype, body, length)
    if result is None and style in styles:
        scan.percent.add((row, col))
    elif result and result.startswith("#"):
        scan.errors[(row, col)] = result


def _result(stream: bytes, rtype: int, body: int, length: int) -> str | None:
    """What a cell record holds: ``None`` for a number, its error (``#N/A``...) for an error,
    ``""`` for anything else (text, a truth value)."""
    if rtype in (_NUMBER, _RK):
        return None
    if rtype == _BOOLERR and length >= 8:
        return _ERRORS.get(stream[body + 6], "#ERROR") if stream[body + 7] == 1 else ""
    if rtype != _FORMULA or length < 14:
        return ""
    if stream[body + 12 : body + 14] != b"\xff\xff":
        return None  # the cached result is a number
    return _ERRORS.get(stream[body + 8], "#ERROR") if stream[body + 6] == 2 else ""


def _read_mulrk(
    stream: bytes, body: int, length: int, scan: SheetScan, styles: frozenset[int]
) -> None:
    """MULRK: row, first column, (style, number) × n, last column."""
    row, first = struct.unpack_from("<HH", stream, body)
    (last,) = struct.unpack_from("<H", stream, body + length - 2)
    scan.add_cell(row, max(first, last))
    count = (length - 6) // 6
    for i in range(count):
        col = first + i
        scan.add_cell(row, col)
        if struct.unpack_from("<H", stream, body + 4 + 6 * i)[0] in styles:
            scan.percent.add((row, col))
