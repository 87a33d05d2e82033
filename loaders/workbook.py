"""Reading spreadsheet files (.xlsx, .xlsm, .xls, .ods) through python-calamine, safely.

The format is decided by the file's content, not its name. Before python-calamine sees the bytes
the file is checked (``loaders/safety.py``, ``docs/SECURITY.md``): its size; for zip containers
the central directory and the real size of every part (zip bombs), encryption and DTDs; for .xls
the OLE2 container and its BIFF records. Every sheet's used range is then measured from the file
itself (sheet XML, ODS ``content.xml`` or BIFF cell records) and refused over
:data:`~loaders.safety.MAX_ROWS` × :data:`~loaders.safety.MAX_COLS`, because calamine allocates a
sheet's whole rectangle: one cell in ``XFD1048576`` would need gigabytes. Only then are the sheets
read, all of them, in the constructor: any problem with a file is a :class:`WorkbookError` raised
by ``Workbook(...)``, never an exception from a later ``sheet()`` call.

For .xlsx files the sheet XML is also scanned for formula cells, because calamine returns a formula
without a cached value as a blank, and files written by libraries (not by Excel or LibreOffice)
carry cached values that cannot be trusted (see MEASUREMENTS.md).

Cell text loses control and bidirectional-override characters (line breaks and tabs become
spaces) and is cut to :data:`~loaders.safety.MAX_CELL_CHARS` characters, so that no message
quoting a cell can carry them; :attr:`Workbook.warnings` says which cells were changed.
"""

from __future__ import annotations

import io
import itertools
import posixpath
import re
import struct
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from xml.parsers import expat

import python_calamine as calamine

from loaders.problems import Problem, Reason, cell_ref
from loaders.safety import (
    MAX_CELL_CHARS,
    MAX_CELLS,
    MAX_COLS,
    MAX_ROWS,
    MAX_SHEETS,
    MAX_XML_DEPTH,
    OLE_SIGNATURE,
    ZIP_SIGNATURE,
    Cfb,
    CfbError,
    Content,
    Refusal,
    ZipArchive,
    ZipDamaged,
    biff_records,
    check_size,
    clean_text,
    damaged,
    describe_content,
    has_hidden_characters,
    n_en,
    n_vi,
    needs_cleaning,
    parse_xml,
    password_protected,
    safe_label,
    too_deep,
    unreadable,
    xml_parser,
)

_MAIN_NS = (
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "http://purl.oclc.org/ooxml/spreadsheetml/main",
)
_REL_NS = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "http://purl.oclc.org/ooxml/officeDocument/relationships",
)
_SMALL_PART = 5 * 1024 * 1024
"""Largest workbook.xml, .rels, manifest or mimetype part read whole."""
MAX_MERGED = 10_000
"""Merged ranges kept per sheet (the template has none; each costs a check per cell read)."""


class WorkbookError(Exception):
    """The file cannot be read as a workbook; carries the problem to report."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message_en)
        self.problem = problem


def sniff_format(data: bytes) -> str:
    """``xlsx``, ``ods``, ``xls``, ``csv`` or ``unknown``, from the first bytes and zip entries.

    Cheap and never raises: it reads the zip directory and at most 256 bytes of ``mimetype``.
    """
    if data.startswith(OLE_SIGNATURE):
        return "xls"
    if data.startswith(ZIP_SIGNATURE):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = set(zf.namelist())
                if "xl/workbook.xml" in names:
                    return "xlsx"
                if "mimetype" in names:
                    with zf.open("mimetype") as fh:
                        if b"spreadsheet" in fh.read(256):
                            return "ods"
        except Exception:  # BadZipFile, zlib.error, NotImplementedError, RuntimeError...
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


@dataclass
class _Scan:
    """What the pre-scan of one sheet found: used range (-1 when empty) and formula cells."""

    name: str
    max_row: int = -1
    max_col: int = -1
    formulas: dict[tuple[int, int], bool] = field(default_factory=dict)
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)
    """Merged ranges seen by the pre-scan (ODS only: calamine gives none for .ods)."""


class Workbook:
    """An opened, checked spreadsheet file with every sheet read.

    Raises :class:`WorkbookError` for any file that cannot be read safely. ``has_macros`` (VBA
    project, Excel 4.0 macro sheet or LibreOffice Basic present: never run, values are read) and
    ``external_links`` (links to other workbooks: their values are not fetched) flag files that
    are read but deserve a warning; ``warnings`` holds ready-made warning problems for them and
    for cells whose text was cleaned or cut.
    """

    def __init__(self, data: bytes, file_name: str) -> None:
        self.file_name = safe_label(file_name, limit=255)
        self.data = data
        self.format = "unknown"
        self.has_macros = False
        self.external_links = False
        self.warnings: list[Problem] = []
        self._sheets: dict[str, Sheet] = {}
        self._scans: dict[str, _Scan] = {}
        try:
            self._open()
        except Refusal as refusal:
            raise WorkbookError(
                Problem(
                    file=self.file_name,
                    sheet=refusal.sheet,
                    cell=refusal.cell,
                    reason=refusal.reason,
                    message_vi=refusal.message_vi,
                    message_en=refusal.message_en,
                )
            ) from None
        except WorkbookError:
            raise
        except Exception as exc:  # the last line: a bad file never surfaces as a traceback
            raise WorkbookError(
                _file_problem(
                    self.file_name,
                    Reason.UNREADABLE,
                    f"Không đọc được tệp (tệp hỏng hoặc không đúng định dạng): {type(exc).__name__}.",
                    f"Cannot read the file (damaged or not a valid spreadsheet): "
                    f"{type(exc).__name__}.",
                )
            ) from None

    @property
    def sheet_names(self) -> list[str]:
        return list(self._sheets)

    def sheet(self, name: str) -> Sheet:
        return self._sheets[name]

    # ------------------------------------------------------------------ opening

    def _open(self) -> None:
        data = self.data
        check_size(len(data))
        if not data:
            raise Refusal(Reason.EMPTY_FILE, "Tệp rỗng (0 byte).", "The file is empty (0 bytes).")
        if data.startswith(ZIP_SIGNATURE):
            self._open_zip()
        elif data.startswith(OLE_SIGNATURE):
            self._open_ole()
        else:
            content = describe_content(data)
            if content is None:
                raise unreadable(
                    "Không nhận ra nội dung tệp: tệp bị hỏng hoặc không phải bảng tính "
                    "(.xlsx, .xls, .ods). Hãy gửi lại bản gốc.",
                    "The file's content is not recognisable: it is damaged or not a spreadsheet "
                    "(.xlsx, .xls, .ods). Upload the original again.",
                )
            raise _not_a_spreadsheet(content)
        self._read_sheets()

    def _open_zip(self) -> None:
        try:
            archive = ZipArchive(self.data)
        except ZipDamaged:
            if _first_zip_member(self.data) or any(m in self.data for m in _SPREADSHEET_MARKS):
                raise damaged() from None
            raise _not_a_spreadsheet(
                Content(
                    "tệp nén zip bị hỏng hoặc không chứa bảng tính",
                    "a damaged zip archive or one without a spreadsheet",
                )
            ) from None
        archive.verify()
        names = archive.names
        if "xl/workbook.xml" in names:
            self.format = "xlsx"
            self.has_macros = "xl/vbaProject.bin" in names
            self.external_links = any(n.startswith("xl/externalLinks/") for n in names)
            self._scan_xlsx(archive)
            return
        mimetype = archive.read("mimetype", 256) if "mimetype" in names else b""
        if b"opendocument.spreadsheet" in mimetype:
            self.format = "ods"
            self.has_macros = any(n.startswith(("Basic/", "Scripts/")) for n in names)
            self._scan_ods(archive)
            return
        raise _zip_kind(names, mimetype)

    def _open_ole(self) -> None:
        try:
            cfb = Cfb(self.data)
        except CfbError:
            raise damaged() from None
        streams = cfb.streams
        if streams & {"EncryptionInfo", "EncryptedPackage"}:
            raise password_protected()
        book = next((s for s in ("Workbook", "Book") if s in streams), None)
        if book is None:
            for stream, content in _OLE_KINDS.items():
                if stream in streams:
                    raise _not_a_spreadsheet(content)
            raise damaged()
        self.format = "xls"
        self.has_macros = bool(cfb.storages & {"_VBA_PROJECT_CUR", "VBA", "Macros"})
        try:
            self._scan_xls(cfb.read(book, len(self.data)))
        except (CfbError, struct.error):
            raise damaged() from None

    def _read_sheets(self) -> None:
        try:
            self._book = calamine.CalamineWorkbook.from_filelike(io.BytesIO(self.data))
            names = list(self._book.sheet_names)
            kinds = {m.name: m.typ for m in self._book.sheets_metadata}
        except calamine.PasswordError:
            raise password_protected() from None
        except Exception as exc:
            raise unreadable(
                f"Không đọc được tệp (tệp hỏng hoặc có mật khẩu): {type(exc).__name__}.",
                f"Cannot read the file (damaged or password-protected): {type(exc).__name__}.",
            ) from None
        _check_sheet_count(len(names))
        for raw_name in names:
            label = safe_label(raw_name)
            while label in self._sheets:
                label += "_"
            if kinds.get(raw_name) != calamine.SheetTypeEnum.WorkSheet:
                if kinds.get(raw_name) == calamine.SheetTypeEnum.MacroSheet:
                    self.has_macros = True
                self._sheets[label] = Sheet(label, [])
                continue
            self._sheets[label] = self._read_sheet(raw_name, label)
        self._flag_warnings()

    def _read_sheet(self, raw_name: str, label: str) -> Sheet:
        scan = self._scans.get(raw_name)
        if scan is None and self.format != "xls":
            # Not measured by the pre-scan: loading it could allocate without bound.
            raise unreadable(
                f"Không kiểm tra được sheet «{label}» (cấu trúc tệp bất thường). Hãy mở và lưu "
                "lại tệp bằng Excel/LibreOffice.",
                f"Sheet «{label}» could not be checked (unusual file structure). Open and save "
                "the file again in Excel/LibreOffice.",
                sheet=label,
            )
        try:
            raw = self._book.get_sheet_by_name(raw_name)
            if raw.height > MAX_ROWS or raw.width > MAX_COLS:
                raise _too_large(
                    label, min(raw.height, MAX_ROWS + 1) - 1, min(raw.width, MAX_COLS + 1) - 1
                )
            rows = raw.to_python(skip_empty_area=False)
            ranges = raw.merged_cell_ranges
            merged = (
                [((a[0], a[1]), (b[0], b[1])) for a, b in ranges]
                if ranges
                else list(scan.merged)
                if scan
                else []
            )
        except Refusal:
            raise
        except Exception as exc:
            raise unreadable(
                f"Không đọc được sheet «{label}» (dữ liệu hỏng): {type(exc).__name__}.",
                f"Cannot read sheet «{label}» (damaged data): {type(exc).__name__}.",
                sheet=label,
            ) from None
        if len(merged) > MAX_MERGED:
            raise _too_many_merged(label, len(merged))
        self._clean_rows(label, rows)
        return Sheet(label, rows, merged, scan.formulas if scan else {})

    def _clean_rows(self, label: str, rows: list[list[object]]) -> None:
        """Remove control characters and cut long text in place; warn once per sheet."""
        if not needs_cleaning([v for row in rows for v in row if type(v) is str]):
            return  # the common case: one search over the whole sheet
        hidden: list[str] = []
        long: list[str] = []
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if type(value) is not str:
                    continue
                cleaned = clean_text(value)
                if cleaned is value:
                    continue
                if has_hidden_characters(value):
                    hidden.append(cell_ref(r, c))
                if len(value) > MAX_CELL_CHARS:
                    long.append(cell_ref(r, c))
                row[c] = cleaned
        if hidden:
            self.warnings.append(
                self._warning(
                    label,
                    hidden,
                    f"Đã xóa ký tự điều khiển/ký tự ẩn trong {n_vi(len(hidden))} ô (ô đầu tiên: "
                    f"{hidden[0]}). Hãy kiểm tra lại nội dung các ô này.",
                    f"Control or hidden characters were removed from {n_en(len(hidden))} cells "
                    f"(first: {hidden[0]}). Please check them.",
                )
            )
        if long:
            self.warnings.append(
                self._warning(
                    label,
                    long,
                    f"{n_vi(len(long))} ô có nội dung dài hơn {n_vi(MAX_CELL_CHARS)} ký tự đã bị cắt "
                    f"ngắn (ô đầu tiên: {long[0]}).",
                    f"{n_en(len(long))} cells longer than {n_en(MAX_CELL_CHARS)} characters were cut "
                    f"short (first: {long[0]}).",
                )
            )

    def _warning(self, sheet: str, cells: list[str], vi: str, en: str) -> Problem:
        return Problem(
            file=self.file_name,
            sheet=sheet,
            cell=cells[0],
            reason=Reason.UNREADABLE,
            severity="warning",
            message_vi=vi,
            message_en=en,
        )

    def _flag_warnings(self) -> None:
        if self.has_macros:
            self.warnings.append(
                _file_problem(
                    self.file_name,
                    Reason.UNKNOWN_FORMAT,
                    "Tệp có chứa macro. Macro không được chạy; chỉ đọc giá trị trong các ô. Nên gửi "
                    "tệp .xlsx không có macro.",
                    "The file contains macros. They were not run; only cell values were read. "
                    "Prefer an .xlsx file without macros.",
                    severity="warning",
                )
            )
        if self.external_links:
            self.warnings.append(
                _file_problem(
                    self.file_name,
                    Reason.UNKNOWN_FORMAT,
                    "Tệp có liên kết tới tệp khác. Giá trị liên kết không được cập nhật; chỉ đọc giá "
                    "trị đã lưu trong tệp. Hãy kiểm tra các ô lấy số từ tệp khác.",
                    "The file links to other workbooks. Links were not refreshed; only the values "
                    "saved in this file were read. Check cells that take figures from other files.",
                    severity="warning",
                )
            )

    # ------------------------------------------------------------------ pre-scans

    def _add_scan(self, scan: _Scan) -> None:
        self._scans[scan.name] = scan
        _check_sheet_count(len(self._scans))
        cells = sum((s.max_row + 1) * (s.max_col + 1) for s in self._scans.values())
        if cells > MAX_CELLS:
            raise Refusal(
                Reason.UNKNOWN_LAYOUT,
                f"Bảng tính quá lớn: các sheet có tổng cộng hơn {n_vi(MAX_CELLS)} ô. Hãy xóa các "
                "sheet hoặc vùng dữ liệu thừa, hoặc tách thành nhiều tệp.",
                f"The workbook is too large: its sheets hold more than {n_en(MAX_CELLS)} cells in "
                "all. Remove extra sheets or data, or split it into several files.",
                sheet=safe_label(scan.name),
            )

    def _scan_xlsx(self, archive: ZipArchive) -> None:
        book = parse_xml(_small(archive, "xl/workbook.xml"), "xl/workbook.xml")
        rels_part = "xl/_rels/workbook.xml.rels"
        if rels_part not in archive.names:
            raise damaged(rels_part)
        rels = parse_xml(_small(archive, rels_part), rels_part)
        targets = {}
        for rel in rels.iter():
            if _local(rel.tag) == "Relationship":
                targets[rel.get("Id")] = (rel.get("Target", ""), rel.get("Type", ""))
        recalc = False
        sheets = []
        for elem in book.iter():
            tag = _local(elem.tag)
            if tag == "sheet":
                rid = next(
                    (
                        v
                        for k, v in elem.attrib.items()
                        if _local(k) == "id" and k.split("}")[0].lstrip("{") in _REL_NS
                    ),
                    "",
                )
                sheets.append((elem.get("name", ""), *targets.get(rid, ("", ""))))
            elif tag == "calcPr":
                recalc = elem.get("fullCalcOnLoad") in ("1", "true")
        _check_sheet_count(len(sheets))
        for name, target, rel_type in sheets:
            if rel_type.endswith("/macrosheet"):
                self.has_macros = True
            if not rel_type.endswith("/worksheet"):
                continue
            part = _part_path(target)
            if part not in archive.names:
                raise unreadable(
                    f"Thiếu phần dữ liệu của sheet «{safe_label(name)}» ({safe_label(part)}): tệp "
                    "bị hỏng. Hãy mở và lưu lại bằng Excel/LibreOffice.",
                    f"The data part of sheet «{safe_label(name)}» ({safe_label(part)}) is "
                    "missing: the file is damaged. Open and save it again in Excel/LibreOffice.",
                    sheet=safe_label(name),
                )
            scan = _Scan(name)
            _scan_xlsx_sheet(scan, lambda p=part: archive.iter_member(p), part, recalc)
            self._add_scan(scan)

    def _scan_ods(self, archive: ZipArchive) -> None:
        manifest = "META-INF/manifest.xml"
        if manifest in archive.names and b"encryption-data" in _small(archive, manifest):
            raise password_protected()
        if "content.xml" not in archive.names:
            raise damaged("content.xml")
        _OdsScanner(self._add_scan).run(archive.iter_member("content.xml"), "content.xml")

    def _scan_xls(self, stream: bytes) -> None:
        records = biff_records(stream)
        first = next(records, None)
        if first is None or first[0] not in (0x0809, 0x0409, 0x0209):
            raise damaged()
        biff8 = struct.unpack_from("<H", stream, first[1])[0] == 0x0600
        sheets = []
        for rtype, body, length in records:
            if rtype == 0x000A:  # EOF of the globals
                break
            if rtype == 0x002F:  # FILEPASS
                raise password_protected()
            if rtype == 0x0085 and length >= 8:  # BOUNDSHEET
                pos, _, kind = struct.unpack_from("<IBB", stream, body)
                if kind in (0x01, 0x06):  # Excel 4.0 macro sheet, VBA module (BIFF5)
                    self.has_macros = True
                if kind == 0x00:
                    sheets.append((pos, _biff_name(stream, body + 6, length - 6, biff8)))
        _check_sheet_count(len(sheets))
        for pos, name in sheets:
            scan = _Scan(name)
            _scan_biff_sheet(stream, pos, scan)
            self._add_scan(scan)


# --------------------------------------------------------------------------- xlsx sheet XML

# The fast scan tokenizes the sheet XML with regular expressions (expat checks it is well formed
# in the same pass). It reads ``r`` attributes as calamine does, from the raw bytes: a ``<c>`` that
# is not self-closing counts as a value, several ``r`` count by the largest, and an ``r`` that is
# not a plain reference makes the sheet unreadable. "<" cannot occur inside an attribute value, so
# a chunk is cut at its last "<" and the tail carried to the next one.
_TOKEN = re.compile(rb"""<(?:[\w.-]+:)?(row|c)(?=[\s/>])((?:[^>"']|"[^"]*"|'[^']*')*?)(/?)>""")
_R_ATTR = re.compile(rb"""(?<![\w:.-])r\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_REF = re.compile(rb"([A-Za-z]{1,3})(\d{1,7})")
_FORMULA_TAG = re.compile(rb"<(?:[\w.-]+:)?f[\s/>]")
_ANY_CELL = re.compile(rb"<(?:[\w.-]+:)?c[\s/>]")
_UNPREFIXED_CELL = re.compile(rb"<c[\s/>]")
# A ``<c>`` whose first attribute is a plain ``r`` and whose other attributes are plain too (as
# Excel, LibreOffice and openpyxl write them): (letters, digits, "/" when self-closing).
_SIMPLE_CELL = re.compile(
    rb"""<(?:[\w.-]+:)?c\s+r="([A-Za-z]{1,3})(\d{1,7})"(?:\s+(?!r\s*=)[\w:.-]+="[^"<>]*")*\s*(/?)>"""
)
# The same, narrower and about twice as fast: no namespace prefix, attributes separated by one
# space (and maybe one before "/>", as openpyxl writes). When it misses a cell, the region is
# read with ``_SIMPLE_CELL``; a cell matched by both gives the same groups.
_PLAIN_CELL = re.compile(
    rb"""<c r="([A-Za-z]{1,3})(\d{1,7})"(?: (?!r=)[\w:.-]+="[^"<>]*")*(?: ?(/))?>"""
)
# A formula cell as written by Excel/LibreOffice/openpyxl: ``<f>`` first, then maybe ``<v>``
# (letters, digits, cached value text).
_FORMULA_CELL = re.compile(
    rb"""<(?:[\w.-]+:)?c\s+r="([A-Za-z]{1,3})(\d{1,7})"(?:\s+(?!r\s*=)[\w:.-]+="[^"<>]*")*\s*>"""
    rb"""\s*<(?:[\w.-]+:)?f(?:\s+[\w:.-]+="[^"<>]*")*\s*(?:/>|>[^<]*</(?:[\w.-]+:)?f>)"""
    rb"""\s*(?:<(?:[\w.-]+:)?v(?:\s+[\w:.-]+="[^"<>]*")*\s*(?:/>|>([^<]*)</(?:[\w.-]+:)?v>))?"""
)
_MERGE_TAG = re.compile(rb"<(?:[\w.-]+:)?mergeCell[\s/>]")


def _scan_xlsx_sheet(
    scan: _Scan, open_part: Callable[[], Iterable[bytes]], part: str, recalc: bool
) -> None:
    """Measure a sheet's used range and find its formula cells without a callback per element;
    falls back to reading every tag (:func:`_scan_xlsx_tokens`, :class:`_XlsxSheetScanner`) when
    a tag is not spelled the plain way Excel, LibreOffice and openpyxl spell it."""
    label = safe_label(scan.name)
    parser = xml_parser()
    merges = 0
    simple = plain_formulas = True
    try:
        for region in _regions(open_part(), parser):
            if b"mergeCell" in region:
                merges += len(_MERGE_TAG.findall(region))
                if merges > MAX_MERGED:
                    raise _too_many_merged(label, merges)
            if simple:
                count = _count_cells(region)
                cells = _PLAIN_CELL.findall(region)  # the spelling of Excel, LibreOffice...
                if len(cells) != count:
                    cells = _SIMPLE_CELL.findall(region)
                simple = len(cells) == count
                if simple and cells:
                    _measure(scan, label, cells)
            if plain_formulas and _may_hold_formulas(region):
                found = _FORMULA_CELL.findall(region)
                plain_formulas = len(found) == len(_FORMULA_TAG.findall(region))
                for letters, digits, cached in found:
                    cell = (int(digits) - 1, _col(letters.upper()))
                    scan.formulas[cell] = bool(cached) and not recalc
    except (expat.ExpatError, ValueError):
        raise _damaged_sheet(label, part) from None
    if not simple:  # some cell without a plain first ``r``: read every tag
        scan.max_row = scan.max_col = -1
        try:
            _scan_xlsx_tokens(scan, label, open_part())
        except ValueError:
            raise _damaged_sheet(label, part) from None
    if not plain_formulas:  # a formula cell spelled otherwise: the exact, slower reading
        fresh = _Scan(scan.name)
        _XlsxSheetScanner(fresh, recalc).run(open_part(), part)
        scan.formulas = fresh.formulas


def _regions(chunks: Iterable[bytes], parser: expat.XMLParserType | None = None) -> Iterator[bytes]:
    """The XML in pieces that end before a ``<c``/``<row`` start tag, so that each holds whole
    cells (cells do not nest, and "<" cannot occur in text or attributes); ``parser`` checks the
    XML on the way."""
    carry = b""
    for chunk in itertools.chain(chunks, (b"",)):
        if parser is not None:
            parser.Parse(chunk, not chunk)
        buf = carry + chunk
        cut = max(buf.rfind(b"<", 0, buf.rfind(mark) + 1) for mark in _CUTS) if chunk else len(buf)
        if cut <= 0:
            carry = buf
            continue
        carry = buf[cut:]
        yield buf[:cut]


_CUTS = (b"<c ", b"<c>", b":c ", b"<row", b":row", b"</sheetData", b":sheetData")


def _scan_xlsx_tokens(scan: _Scan, label: str, chunks: Iterable[bytes]) -> None:
    """The used range from every ``<row>``/``<c>`` tag, for cells without a plain ``r``: a cell
    without ``r`` follows the previous one, several ``r`` count by the largest (calamine takes
    the last), and an ``r`` that is not a plain reference is :class:`ValueError`."""
    row = col = -1
    for region in _regions(chunks):
        for match in _TOKEN.finditer(region):
            name, attrs, closed = match.groups()
            refs = [_ref(a or b) for a, b in _R_ATTR.findall(attrs)] if b"r" in attrs else []
            if name == b"row":
                row = max(r for r, _ in refs) if refs else row + 1
                col = -1
                continue
            if refs:
                row = max(row, *(r for r, _ in refs))
                col = max(c for _, c in refs)
            else:
                col += 1
            if closed or row < 0:
                continue
            if row >= MAX_ROWS or col >= MAX_COLS:
                raise _too_large(label, row, col)
            scan.max_row = max(scan.max_row, row)
            scan.max_col = max(scan.max_col, col)


def _may_hold_formulas(region: bytes) -> bool:
    """Whether ``region`` may hold an ``<f>`` tag (``_FORMULA_TAG``); ``<formula1>`` of a data
    validation does not count."""
    if b":f" in region:
        return True
    at = region.find(b"<f")
    while at >= 0:
        if region[at + 2 : at + 3] in _AFTER_F:
            return True
        at = region.find(b"<f", at + 2)
    return False


_AFTER_F = (b">", b" ", b"/", b"\t", b"\n", b"\r")


def _count_cells(region: bytes) -> int:
    """How many ``<c>`` start tags ``region`` holds (without the namespace-prefix alternative
    when no tag has a prefix, which is the common case)."""
    if b":c" in region:
        return len(_ANY_CELL.findall(region))
    return len(_UNPREFIXED_CELL.findall(region))  # one pass


def _measure(scan: _Scan, label: str, cells: list[tuple[bytes, bytes, bytes]]) -> None:
    """Fold the (letters, digits, "/" when self-closing) of a run of ``<c>`` tags into the used
    range; self-closing cells hold no value."""
    letters, digits, slashes = zip(*cells, strict=True)
    if b"/" in slashes:
        keep = [not s for s in slashes]
        letters = tuple(itertools.compress(letters, keep))
        digits = tuple(itertools.compress(digits, keep))
        if not letters:
            return
    max_row = max(map(int, set(digits))) - 1
    max_col = max(_col(col.upper()) for col in set(letters))
    if max_row >= MAX_ROWS or max_col >= MAX_COLS:
        for col, row in zip(letters, digits, strict=True):
            r, c = int(row) - 1, _col(col.upper())
            if r >= MAX_ROWS or c >= MAX_COLS:
                raise _too_large(label, r, c)
    scan.max_row = max(scan.max_row, max_row)
    scan.max_col = max(scan.max_col, max_col)


def _col(letters: bytes) -> int:
    col = 0
    for ch in letters:
        col = col * 26 + ch - 64
    return col - 1


def _ref(raw: bytes) -> tuple[int, int]:
    """``b"B12"`` → (11, 1); a row number alone (``<row r="12">``) → (11, -1)."""
    if raw.isdigit():
        return int(raw) - 1, -1
    m = _REF.fullmatch(raw)
    if not m:
        raise ValueError("bad cell reference")
    col = 0
    for ch in m.group(1).upper():
        col = col * 26 + ch - 64
    return int(m.group(2)) - 1, col - 1


_XLSX_TAGS = {f"{ns}}}{tag}": tag for ns in _MAIN_NS for tag in ("row", "c", "v", "f", "mergeCell")}


class _XlsxSheetScanner:
    """Streams one sheet part: used range of the cells with a value, formula cells, merges."""

    def __init__(self, scan: _Scan, recalc: bool) -> None:
        self.scan = scan
        self.recalc = recalc
        self.label = safe_label(scan.name)
        self.depth = 0
        self.row = -1
        self.col = -1
        self.formula = False
        self.cached = False
        self.in_cell = False
        self.counted = False
        self.merges = 0

    def run(self, chunks: Iterable[bytes], part: str) -> None:
        parser = self.parser = xml_parser()
        parser.buffer_text = True
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        try:
            for chunk in chunks:
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
        except (expat.ExpatError, ValueError, LookupError):
            raise _damaged_sheet(self.label, part) from None

    def start(self, name: str, attrs: dict[str, str]) -> None:
        self.depth += 1
        if self.depth > MAX_XML_DEPTH:
            raise too_deep()
        if self.in_cell and not self.counted:  # a cell with any child counts as a value
            self.counted = True
            self.content()
        tag = _XLSX_TAGS.get(name)
        if tag is None:
            return
        if tag == "c":
            ref = attrs.get("r")
            if ref:
                self.row, self.col = _ref(ref.encode())
                if self.col < 0:
                    raise ValueError("bad cell reference")
            else:
                self.col += 1
            self.formula = self.cached = self.counted = False
            self.in_cell = True
        elif tag == "row":
            ref = attrs.get("r")
            self.row = int(ref) - 1 if ref else self.row + 1
            self.col = -1
        elif tag == "f":
            self.formula = True
        elif tag == "v" and self.formula:
            self.parser.CharacterDataHandler = self.text
        else:  # mergeCell
            self.merges += 1
            if self.merges > MAX_MERGED:
                raise _too_many_merged(self.label, self.merges)

    def content(self) -> None:
        row, col = self.row, self.col
        if row < 0 or col < 0:
            raise ValueError("cell outside the sheet")
        if row >= MAX_ROWS or col >= MAX_COLS:
            raise _too_large(self.label, row, col)
        scan = self.scan
        scan.max_row = max(scan.max_row, row)
        scan.max_col = max(scan.max_col, col)

    def text(self, data: str) -> None:
        if data:
            self.cached = True

    def end(self, name: str) -> None:
        self.depth -= 1
        tag = _XLSX_TAGS.get(name)
        if tag == "v":
            self.parser.CharacterDataHandler = None
        elif tag == "c":
            self.in_cell = False
            if self.formula:
                self.scan.formulas[(self.row, self.col)] = self.cached and not self.recalc


# --------------------------------------------------------------------------- ods content.xml

_TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_ODS_TABLE = f"{_TABLE_NS}}}table"
_ODS_ROW = f"{_TABLE_NS}}}table-row"
_ODS_CELLS = {f"{_TABLE_NS}}}table-cell", f"{_TABLE_NS}}}covered-table-cell"}
_ODS_NAME = f"{_TABLE_NS}}}name"
_ODS_ROWS_REP = f"{_TABLE_NS}}}number-rows-repeated"
_ODS_COLS_REP = f"{_TABLE_NS}}}number-columns-repeated"
_ODS_SPANS = (f"{_TABLE_NS}}}number-columns-spanned", f"{_TABLE_NS}}}number-rows-spanned")
_ODS_VALUE_TYPE = f"{_OFFICE_NS}}}value-type"


class _OdsScanner:
    """Streams content.xml: each table's used range, counting repeated rows and cells."""

    def __init__(self, add: Callable[[_Scan], None]) -> None:
        self.add = add
        self.scan: _Scan | None = None
        self.label = ""
        self.depth = 0
        self.cell_depth = 0  # depth of the open cell, 0 outside cells
        self.counted = False
        self.rows = (0, 0)
        self.cols = (0, 0)
        self.next_row = 0
        self.next_col = 0
        self.merges = 0

    def run(self, chunks: Iterable[bytes], part: str) -> None:
        parser = xml_parser()
        parser.buffer_text = True
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        try:
            for chunk in chunks:
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
        except (expat.ExpatError, ValueError, LookupError):
            raise damaged(part) from None

    def start(self, name: str, attrs: dict[str, str]) -> None:
        self.depth += 1
        if self.depth > MAX_XML_DEPTH:
            raise too_deep()
        if self.cell_depth:
            if not self.counted:
                self.content()
            return
        if name == _ODS_TABLE:
            self.scan = _Scan(attrs.get(_ODS_NAME, ""))
            self.label = safe_label(self.scan.name)
            self.next_row = 0
            self.merges = 0
        elif name == _ODS_ROW:
            count = _repeat(attrs.get(_ODS_ROWS_REP))
            self.rows = (self.next_row, self.next_row + count - 1)
            self.next_row += count
            self.next_col = 0
        elif name in _ODS_CELLS:
            count = _repeat(attrs.get(_ODS_COLS_REP))
            self.cols = (self.next_col, self.next_col + count - 1)
            self.next_col += count
            self.cell_depth = self.depth
            self.counted = False
            span_cols, span_rows = (_repeat(attrs.get(a)) for a in _ODS_SPANS)
            if (span_cols > 1 or span_rows > 1) and self.scan is not None:
                self.merges += 1
                if self.merges > MAX_MERGED:
                    raise _too_many_merged(self.label, self.merges)
                (r0, _), (c0, _) = self.rows, self.cols
                self.scan.merged.append(((r0, c0), (r0 + span_rows - 1, c0 + span_cols - 1)))
            if _ODS_VALUE_TYPE in attrs:
                self.content()

    def content(self) -> None:
        self.counted = True
        scan = self.scan
        if scan is None:
            return
        (r0, r1), (c0, c1) = self.rows, self.cols
        if r1 >= MAX_ROWS or c1 >= MAX_COLS:
            raise _too_large(
                self.label,
                r1 if r1 < MAX_ROWS else max(r0, MAX_ROWS),
                c1 if c1 < MAX_COLS else max(c0, MAX_COLS),
            )
        scan.max_row = max(scan.max_row, r1)
        scan.max_col = max(scan.max_col, c1)

    def end(self, name: str) -> None:
        if self.depth == self.cell_depth:
            self.cell_depth = 0
        self.depth -= 1
        if name == _ODS_TABLE and not self.cell_depth and self.scan is not None:
            self.add(self.scan)
            self.scan = None


def _repeat(value: str | None) -> int:
    if value is None:
        return 1
    count = int(value)
    if count < 1:
        raise ValueError("bad repeat count")
    return count


# --------------------------------------------------------------------------- xls BIFF records

# Cell records that hold a value (calamine ignores BLANK/MULBLANK, which only carry a format).
_BIFF_CELLS = {
    0x0006,
    0x0203,
    0x027E,
    0x00FD,
    0x0204,
    0x0205,
    0x00D6,
    0x0406,
    0x0003,
    0x0002,
    0x0004,
    0x0005,
}
_BIFF_MULRK = 0x00BD
_BIFF_MERGED = 0x00E5


def _scan_biff_sheet(stream: bytes, pos: int, scan: _Scan) -> None:
    label = safe_label(scan.name)
    records = biff_records(stream, pos)
    first = next(records, None)
    if first is None or first[0] not in (0x0809, 0x0409, 0x0209):
        raise CfbError("sheet substream without BOF")
    merges = 0
    for rtype, body, length in records:
        if rtype == 0x000A:
            return
        if rtype in _BIFF_CELLS or rtype == _BIFF_MULRK:
            if length < 4:
                raise CfbError("short cell record")
            row, col = struct.unpack_from("<HH", stream, body)
            if rtype == _BIFF_MULRK and length >= 6:
                (col,) = struct.unpack_from("<H", stream, body + length - 2)
            if row >= MAX_ROWS or col >= MAX_COLS:
                raise _too_large(label, row, col)
            scan.max_row = max(scan.max_row, row)
            scan.max_col = max(scan.max_col, col)
        elif rtype == _BIFF_MERGED and length >= 2:
            merges += struct.unpack_from("<H", stream, body)[0]
            if merges > MAX_MERGED:
                raise _too_many_merged(label, merges)
        elif rtype == 0x0809 or rtype == 0x0409:  # a nested substream (chart): skip to its EOF
            for inner, _, _ in records:
                if inner == 0x000A:
                    break


def _biff_name(stream: bytes, pos: int, length: int, biff8: bool) -> str:
    if length < 1:
        return ""
    count = stream[pos]
    if not biff8:
        return stream[pos + 1 : pos + 1 + count].decode("cp1252", errors="replace")
    wide = length > 1 and stream[pos + 1] & 0x01
    raw = stream[pos + 2 : pos + 2 + count * (2 if wide else 1)]
    return raw.decode("utf-16-le" if wide else "latin-1", errors="replace")


# --------------------------------------------------------------------------- helpers

_SPREADSHEET_MARKS = (
    b"[Content_Types].xml",
    b"xl/workbook.xml",
    b"xl/worksheets/",
    b"opendocument.spreadsheet",
)
_OLE_KINDS = {
    "WordDocument": Content("tài liệu Word (.doc)", "a Word document (.doc)"),
    "PowerPoint Document": Content(
        "bài trình chiếu PowerPoint (.ppt)", "a PowerPoint presentation (.ppt)"
    ),
}


def _first_zip_member(data: bytes) -> str:
    """The name in the first local header of a zip whose directory is lost ('' if implausible)."""
    if len(data) < 30:
        return ""
    name_len = struct.unpack_from("<H", data, 26)[0]
    raw = data[30 : 30 + name_len]
    if not name_len or len(raw) < name_len or any(b < 0x20 for b in raw):
        return ""
    return raw.decode("utf-8", errors="replace")


def _zip_kind(names: set[str], mimetype: bytes) -> Refusal:
    """The refusal for a sound zip that is neither .xlsx nor .ods."""
    if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
        if "xl/workbook.bin" in names:
            return _not_a_spreadsheet(
                Content(
                    "sổ làm việc nhị phân Excel (.xlsb)",
                    "an Excel binary workbook (.xlsb)",
                    "Hãy lưu lại dạng .xlsx.",
                    "Save it as .xlsx.",
                )
            )
        return unreadable(
            "Tệp Excel bị hỏng: thiếu phần «xl/workbook.xml» (danh sách sheet). Hãy mở và lưu "
            "lại bằng Excel/LibreOffice, hoặc gửi lại bản gốc.",
            "The Excel file is damaged: the part «xl/workbook.xml» (the list of sheets) is "
            "missing. Open and save it again in Excel/LibreOffice, or upload the original.",
        )
    if "word/document.xml" in names or b"opendocument.text" in mimetype:
        return _not_a_spreadsheet(
            Content("tài liệu văn bản (Word/Writer)", "a text document (Word/Writer)")
        )
    if "ppt/presentation.xml" in names or b"opendocument.presentation" in mimetype:
        return _not_a_spreadsheet(Content("bài trình chiếu", "a presentation"))
    if b"opendocument" in mimetype:
        return unreadable(
            "Tệp OpenDocument bị hỏng hoặc không phải bảng tính (.ods).",
            "The OpenDocument file is damaged or not a spreadsheet (.ods).",
        )
    return _not_a_spreadsheet(
        Content(
            "tệp nén zip",
            "a zip archive",
            "Nếu bên trong có bảng tính, hãy giải nén và gửi từng tệp.",
            "If it holds spreadsheets, extract them and upload each file.",
        )
    )


def _not_a_spreadsheet(content: Content) -> Refusal:
    return Refusal(
        Reason.UNKNOWN_FORMAT,
        f"Tệp này là {content.vi}, không phải bảng tính Excel/LibreOffice (.xlsx, .xls, .ods). "
        f"{content.advice_vi or 'Hãy gửi tệp theo mẫu báo cáo.'}",
        f"This file is {content.en}, not an Excel/LibreOffice spreadsheet (.xlsx, .xls, .ods). "
        f"{content.advice_en or 'Upload the filled report template.'}",
    )


def _too_large(label: str, row: int, col: int) -> Refusal:
    rows = row >= MAX_ROWS
    what_vi = "quá nhiều dòng" if rows else "quá nhiều cột"
    what_en = "too many rows" if rows else "too many columns"
    fix_vi = "các dòng" if rows else "các cột"
    fix_en = "rows" if rows else "columns"
    return Refusal(
        Reason.UNKNOWN_LAYOUT,
        f"Sheet «{label}» có {what_vi}: có dữ liệu ở ô {cell_ref(row, col)}, vượt giới hạn "
        f"{n_vi(MAX_ROWS)} dòng × {MAX_COLS} cột. Hãy xóa {fix_vi} thừa (kể cả ô chỉ có khoảng "
        "trắng) hoặc tách thành nhiều tệp.",
        f"Sheet «{label}» has {what_en}: there is data in cell {cell_ref(row, col)}, beyond the "
        f"limit of {n_en(MAX_ROWS)} rows × {MAX_COLS} columns. Delete the extra {fix_en} "
        "(including cells holding only spaces) or split the file.",
        sheet=label,
        cell=cell_ref(row, col),
    )


def _too_many_merged(label: str, count: int) -> Refusal:
    return Refusal(
        Reason.UNKNOWN_LAYOUT,
        f"Sheet «{label}» có quá nhiều vùng gộp ô (hơn {n_vi(MAX_MERGED)}). Hãy bỏ gộp ô.",
        f"Sheet «{label}» has too many merged ranges (more than {n_en(MAX_MERGED)}). "
        "Unmerge the cells.",
        sheet=label,
    )


def _check_sheet_count(count: int) -> None:
    if count > MAX_SHEETS:
        raise Refusal(
            Reason.UNKNOWN_LAYOUT,
            f"Bảng tính có {n_vi(count)} sheet (tối đa {MAX_SHEETS}). Hãy xóa các sheet thừa.",
            f"The workbook has {n_en(count)} sheets (the limit is {MAX_SHEETS}). Remove the "
            "extra sheets.",
        )


def _damaged_sheet(label: str, part: str) -> Refusal:
    refusal = damaged(part)
    refusal.message_vi = refusal.message_vi.replace("Tệp bị hỏng", f"Sheet «{label}» bị hỏng", 1)
    refusal.message_en = refusal.message_en.replace(
        "The file is damaged", f"Sheet «{label}» is damaged", 1
    )
    refusal.sheet = label
    return refusal


def _small(archive: ZipArchive, part: str) -> bytes:
    if part not in archive.names:
        raise damaged(part)
    return archive.read(part, _SMALL_PART)


def _part_path(target: str) -> str:
    path = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
    return posixpath.normpath(path)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _file_problem(
    file_name: str, reason: Reason, vi: str, en: str, severity: str = "error"
) -> Problem:
    return Problem(file=file_name, reason=reason, severity=severity, message_vi=vi, message_en=en)
