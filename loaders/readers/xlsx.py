"""The .xlsx/.xlsm scan: one streaming pass over each sheet's XML, before calamine reads it.

Each sheet part is streamed, and checked by expat, for: the used range of the cells holding a
value (calamine allocates that whole rectangle), formula cells and whether their cached value
can be trusted, cells whose cached value is an error (``<c t="e"><v>#N/A</v></c>``), numeric
cells whose style is a percentage format, and the merged ranges. The exact reading handles every
element, matching tags by their local name whatever their namespace, as calamine does; a sheet
written the plain way without formulas, errors or percent styles (a filled template) is read
faster by regular expressions (``tests/hostile/test_sheet_readings.py`` checks they agree).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache, partial
from typing import ClassVar
from xml.parsers import expat

from dxboard.errors import Reason
from loaders.readers.errors import WorkbookError, damaged
from loaders.readers.limits import MAX_COLS, MAX_ROWS
from loaders.readers.scan import (
    BookScan,
    SheetScan,
    check_sheet_count,
    check_totals,
    parse_all,
    read_elements,
    xml_parser,
)
from loaders.readers.text import safe_label
from loaders.readers.zipcheck import ZipArchive

BOOK = "xl/workbook.xml"
BOOK_RELS = "xl/_rels/workbook.xml.rels"
STYLES = "xl/styles.xml"
_REL_NS = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "http://purl.oclc.org/ooxml/officeDocument/relationships",
)
_PERCENT_FORMATS = {"9", "10"}  # built-in 0% and 0.00%
_BUILT_IN_PERCENT = re.compile(rb"""numFmtId\s*=\s*["']\s*(?:9|10)\s*["']""")
_LITERALS = re.compile(r'"[^"]*"|\\.|[_*].')  # quoted text, escaped and padding characters
_REF = re.compile(r"([A-Za-z]{1,3})([0-9]{1,7})")


def scan_xlsx(archive: ZipArchive) -> BookScan:
    """Check workbook.xml, its relationships and every worksheet part."""
    names = archive.names
    result = BookScan(
        "xlsx",
        has_macros="xl/vbaProject.bin" in names,
        external_links=any(name.startswith("xl/externalLinks/") for name in names),
    )
    book = read_elements(archive.read(BOOK), BOOK)
    targets = _relationships(archive)
    recalc = any(tag == "calcPr" and _true(a.get("fullCalcOnLoad")) for _, tag, a in book)
    sheets = [
        (a.get("name", ""), targets.get(_rel_id(a), ("", ""))) for _, t, a in book if t == "sheet"
    ]
    check_sheet_count(len(sheets))
    styles = percent_styles(archive.read(STYLES)) if STYLES in names else frozenset()
    for name, (target, kind) in sheets:
        result.has_macros |= kind.endswith("/macrosheet")
        if kind.endswith("/worksheet"):
            part = _part_path(target)
            if part not in names:
                raise WorkbookError(
                    Reason.DAMAGED_FILE, "missing_sheet_part", sheet=safe_label(name), part=part
                )
            chunks = partial(archive.chunks, part)
            result.sheets[name] = scan_sheet(chunks, part, name, recalc, styles)
            check_totals(result.sheets.values())
    return result


def _relationships(archive: ZipArchive) -> dict[str, tuple[str, str]]:
    """Relationship id → (target, type) of workbook.xml."""
    if BOOK_RELS not in archive.names:
        raise damaged(BOOK_RELS)
    rels = read_elements(archive.read(BOOK_RELS), BOOK_RELS)
    return {
        a.get("Id", ""): (a.get("Target", ""), a.get("Type", ""))
        for _, tag, a in rels
        if tag == "Relationship"
    }


def _rel_id(attrs: dict[str, str]) -> str:
    """The ``r:id`` of a ``<sheet>`` (namespaced attributes read as ``uri}local``)."""
    for key, value in attrs.items():
        uri, _, local = key.rpartition("}")
        if local == "id" and uri in _REL_NS:
            return value
    return ""


def _true(value: str | None) -> bool:
    return value in ("1", "true")


def _part_path(target: str) -> str:
    path = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
    return posixpath.normpath(path)


# --------------------------------------------------------------------------- percent styles


def percent_styles(data: bytes) -> frozenset[str]:
    """The cell style indexes (``s`` attributes, as text) whose number format is a percentage."""
    if not _may_hold_percent(data):
        return frozenset()
    elements = read_elements(data, STYLES)
    percent = _PERCENT_FORMATS | {
        a.get("numFmtId", "")
        for _, tag, a in elements
        if tag == "numFmt" and is_percent_format(a.get("formatCode", ""))
    }
    styles = [a.get("numFmtId", "0") for parent, tag, a in elements if (parent, tag) == _CELL_XF]
    return frozenset(str(i) for i, fmt in enumerate(styles) if fmt in percent)


_CELL_XF: tuple[str, str] = ("cellXfs", "xf")


def _may_hold_percent(styles: bytes) -> bool:
    """Without these bytes (``&#`` could spell "%") styles.xml has no percentage format: it
    need not be parsed, the common case."""
    return b"%" in styles or b"&#" in styles or _BUILT_IN_PERCENT.search(styles) is not None


def is_percent_format(code: str) -> bool:
    """Whether a number format code shows its number as a percentage (a ``%`` outside quoted
    text, escapes and padding)."""
    return "%" in _LITERALS.sub("", code)


# --------------------------------------------------------------------------- one sheet


def scan_sheet(
    chunks: Callable[[], Iterable[bytes]],
    part: str,
    name: str,
    recalc: bool = False,
    styles: frozenset[str] = frozenset(),
    plain: bool = True,
) -> SheetScan:
    """Stream one sheet part (``chunks()`` gives its bytes): the plain reading when the sheet
    is written the plain way and holds no formula, error or percent style (a filled template),
    else, or when ``plain`` is false, the exact one, which handles every element."""
    scan = SheetScan(name)
    if plain and not styles and _read_plain(chunks(), part, scan):
        return scan
    scan = SheetScan(name)
    reader = _SheetReader(scan, recalc, styles)
    parse_all(reader.parser, chunks(), part, scan.label)
    reader.close()
    return scan


# --------------------------------------------------------------------------- the plain reading

# A cell as Excel, LibreOffice and openpyxl write it: a plain ``r`` first, other plain attributes,
# then either "/>" (no value) or its first child, ``<v>``, ``<f>`` or ``<is>``.
_PLAIN_CELL = re.compile(
    rb"""<c r="([A-Za-z]{1,3})([0-9]{1,7})"(?: (?!r=)[\w:.-]+="[^"<>]*")* ?"""
    rb"""(?:(/)>|>\s*<(?:[\w.-]+:)?(?:v|f|is)[\s/>])"""
)
_ANY_CELL = re.compile(rb"<(?:[\w.-]+:)?c[\s/>]")
_UNPREFIXED_CELL = re.compile(rb"<c[\s/>]")  # the same when no tag has a prefix: faster
_MERGE_CELL = re.compile(rb"<(?:[\w.-]+:)?mergeCell[\s/>]")
_FORMULA = re.compile(rb"<(?:[\w.-]+:)?f[\s/>]")
_UNPREFIXED_FORMULA = re.compile(rb"<f[\s/>]")
_CUTS = (b"<c ", b"<c>", b":c ", b"<row", b":row")


def _read_plain(chunks: Iterable[bytes], part: str, scan: SheetScan) -> bool:
    """The used range and merged ranges from regular expressions over the XML (which expat
    checks on the way); ``False``, leaving the rest to the exact reading, at the first region
    holding a formula, an error, a comment or a cell not written the plain way."""
    parser = xml_parser()
    try:
        for region in _regions(chunks, parser):
            if not _read_region(region, scan):
                return False
    except (expat.ExpatError, ValueError, LookupError):
        raise damaged(part, scan.label) from None
    return True


def _read_region(region: bytes, scan: SheetScan) -> bool:
    if _needs_exact_reading(region):
        return False
    cells = _PLAIN_CELL.findall(region)
    if len(cells) != len((_ANY_CELL if b":c" in region else _UNPREFIXED_CELL).findall(region)):
        return False  # some cell is not written the plain way
    if b"mergeCell" in region:
        scan.add_merge(len(_MERGE_CELL.findall(region)))
    filled = [(letters, digits) for letters, digits, closed in cells if not closed]
    if filled:
        _measure(scan, filled)
    return True


def _needs_exact_reading(region: bytes) -> bool:
    """A formula, an error cell, a comment or CDATA, or UTF-16 (no ASCII tag to match)."""
    if b"\x00" in region or b' t="e"' in region or (b"!" in region and b"<!" in region):
        return True
    return (_FORMULA if b":f" in region else _UNPREFIXED_FORMULA).search(region) is not None


def _measure(scan: SheetScan, cells: list[tuple[bytes, bytes]]) -> None:
    """Fold the (letters, digits) of cells holding a value into the used range."""
    row = max(map(int, {digits for _, digits in cells})) - 1
    col = max(_column(letters) for letters in {letters for letters, _ in cells})
    if row < MAX_ROWS and col < MAX_COLS:
        scan.add_cell(row, col)
        return
    for letters, digits in cells:  # name the first cell beyond the limits
        scan.add_cell(int(digits) - 1, _column(letters))


def _regions(chunks: Iterable[bytes], parser: expat.XMLParserType) -> Iterator[bytes]:
    """The XML in pieces that end just before a ``<c``/``<row`` start tag, so that each holds
    whole cell start tags with their first child (a part read in one chunk is one piece);
    ``parser`` checks the XML on the way."""
    carry = b""
    for chunk in chunks:
        parser.Parse(chunk, False)
        cut = max(carry.rfind(mark) for mark in _CUTS) if carry else -1
        if cut > 0:
            yield carry[:cut]
            carry = carry[cut:]
        carry += chunk
    parser.Parse(b"", True)
    if carry:
        yield carry


class _SheetReader:
    """Expat handlers for one sheet. A cell is open from its ``<c>`` to the next element that
    is not its ``<f>`` or ``<v>`` (no end-tag callbacks: they would double the cost)."""

    def __init__(self, scan: SheetScan, recalc: bool, styles: frozenset[str]) -> None:
        self.scan, self.recalc, self.styles = scan, recalc, styles
        self.parser = xml_parser()
        self.parser.buffer_text = True
        self.parser.StartElementHandler = self.start
        self.handlers = dict(self.TAGS)
        self.row = self.col = -1
        self.open = self.counted = self.formula = self.percent = False
        self.kind = ""
        self.text: list[str] | None = None

    def start(self, name: str, attrs: dict[str, str]) -> None:
        handler = self.handlers.get(name)
        if handler is None:  # first time this name is seen: matched by its local name
            local = name.rpartition(":")[2]
            handler = self.handlers[name] = self.TAGS.get(local, _SheetReader.on_other)
        handler(self, attrs)

    def on_other(self, _attrs: dict[str, str]) -> None:
        if self.open:
            self.close()

    def on_row(self, attrs: dict[str, str]) -> None:
        self.close()
        ref = attrs.get("r")
        self.row = int(ref) - 1 if ref else self.row + 1
        self.col = -1

    def on_cell(self, attrs: dict[str, str]) -> None:
        self.close()
        ref = attrs.get("r")
        if ref:
            self.row, self.col = _cell_ref(ref)
        else:
            self.col += 1
        self.open, self.counted, self.formula = True, False, False
        self.kind = attrs.get("t", "")
        self.percent = self.kind in ("", "n") and attrs.get("s", "0") in self.styles

    def on_formula(self, _attrs: dict[str, str]) -> None:
        if self.open:
            self.counted = self.formula = True

    def on_value(self, _attrs: dict[str, str]) -> None:
        if not self.open:
            return
        self.counted = True
        if self.formula or self.percent or self.kind == "e":
            self.text = []
            self.parser.CharacterDataHandler = self.text.append

    def on_inline_string(self, _attrs: dict[str, str]) -> None:
        if self.open:
            self.counted = True
            self.close()

    def on_merge(self, _attrs: dict[str, str]) -> None:
        self.close()
        self.scan.add_merge()

    def close(self) -> None:
        """The open cell is complete: count it and record what its value is."""
        if not self.open:
            return
        self.open = False
        text = ""
        if self.text is not None:
            text = "".join(self.text).strip()
            self.text = None
            self.parser.CharacterDataHandler = None
        if self.counted:
            self.record(text)

    def record(self, text: str) -> None:
        scan, cell = self.scan, (self.row, self.col)
        if self.row < 0 or self.col < 0:
            raise ValueError("cell outside the sheet")
        scan.add_cell(*cell)
        if self.formula:
            scan.formulas[cell] = bool(text) and not self.recalc
        if text and self.kind == "e":
            scan.errors[cell] = text
        elif text and self.percent:
            scan.percent.add(cell)

    TAGS: ClassVar[dict[str, Callable[[_SheetReader, dict[str, str]], None]]] = {
        "row": on_row,
        "c": on_cell,
        "f": on_formula,
        "v": on_value,
        "is": on_inline_string,
        "mergeCell": on_merge,
    }


@lru_cache(maxsize=1 << 16)
def _cell_ref(ref: str) -> tuple[int, int]:
    """``"B12"`` → (11, 1); anything but a plain reference is a damaged sheet (as for calamine)."""
    m = _REF.fullmatch(ref)
    if not m:
        raise ValueError("bad cell reference")
    return int(m.group(2)) - 1, _column(m.group(1).encode())


@lru_cache(maxsize=1 << 12)
def _column(letters: bytes) -> int:
    """``b"AB"`` → 27."""
    col = 0
    for ch in letters.upper():
        col = col * 26 + ch - 64
    return col - 1
