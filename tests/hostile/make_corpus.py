"""A corpus of hostile and broken upload files, built on demand (nothing large is committed).

    /work/venv/bin/python tests/hostile/make_corpus.py /tmp/corpus   # writes the files, lists them

:func:`build_corpus` writes every case into a folder and returns one :class:`CorpusCase` per file:
its name, what it is, the reason code ingest must reject it with (or ``accepted_with_warning``
for the macro and external-link workbooks, which are read with a flag) and its size. ``HEAVY``
names the cases whose ingest is measured for peak memory in a subprocess.

Valid-but-wrong files start from the real template (``build_template`` through
``tests/helpers.py``); the damaged ones are made by editing its zip parts or bytes; the huge sheets
are written as raw XML, streamed, so the whole corpus builds in a few seconds. Two password-
protected files made by LibreOffice are committed in ``data/`` (LibreOffice 7.4 cannot write an
encrypted .xlsx, so that one is crafted: an OLE2 container holding ``EncryptionInfo`` and
``EncryptedPackage`` streams, as Excel writes it; see ``make_encrypted.py``).
"""

from __future__ import annotations

import io
import random
import struct
import sys
import warnings
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
for _path in (str(ROOT), str(ROOT / "tests")):
    if _path not in sys.path:
        sys.path.insert(0, _path)

from helpers import FIXTURES, fill_template, good_evidence, good_template, good_values  # noqa: E402

DATA = HERE / "data"
ACCEPTED = "accepted_with_warning"
MB = 1024 * 1024

EMPTY_FILE = "empty_file"
FILE_TOO_LARGE = "file_too_large"
UNKNOWN_FORMAT = "unknown_format"
DAMAGED = "damaged_file"
PASSWORD = "password_protected"
ZIP_BOMB = "zip_bomb"
UNSAFE_XML = "unsafe_xml"
UNSAFE_CONTAINER = "unsafe_container"
TOO_MANY_SHEETS = "too_many_sheets"
SHEET_TOO_LARGE = "sheet_too_large"
UNKNOWN_LAYOUT = "unknown_layout"
MISSING_SHEET = "missing_sheet"
PROVINCE = "province"
PERIOD = "period"
NOT_A_NUMBER = "not_a_number"
FORMULA = "formula_without_value"

REPORT_PART = "xl/worksheets/sheet2.xml"  # the «Báo cáo» sheet of the template written by openpyxl


READER_REASONS = frozenset(
    {
        EMPTY_FILE,
        FILE_TOO_LARGE,
        UNKNOWN_FORMAT,
        DAMAGED,
        PASSWORD,
        ZIP_BOMB,
        UNSAFE_XML,
        UNSAFE_CONTAINER,
        TOO_MANY_SHEETS,
        SHEET_TOO_LARGE,
    }
)
"""Reasons the readers themselves refuse a file with (the others come from validation)."""


@dataclass(frozen=True)
class CorpusCase:
    name: str
    description: str
    expected: str
    """The reason code of the error ingest must report, or ``accepted_with_warning``."""
    size: int
    """Bytes written."""
    flags: tuple[str, ...] = ()
    """Workbook attributes that must be true (``has_macros``, ``external_links``)."""
    warnings: tuple[str, ...] = ()
    """The reasons of the warnings ``open_workbook`` gives for a file it reads."""

    @property
    def refused_by_reader(self) -> bool:
        return self.expected in READER_REASONS


@dataclass(frozen=True)
class _Spec:
    name: str
    description: str
    expected: str
    build: Callable[[], bytes | Iterable[bytes]]
    flags: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


# --------------------------------------------------------------------------- bases


@cache
def template() -> bytes:
    """A complete, valid filled template (Đà Nẵng, 2024-Q2) as openpyxl writes it."""
    return good_template()


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def rezip(
    data: bytes,
    replace: dict[str, bytes | None] | None = None,
    add: dict[str, bytes] | None = None,
    method: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    """``data`` with members replaced (``None`` removes) or added."""
    replace = replace or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", method) as zout:
        for info in zin.infolist():
            if info.filename in replace:
                if replace[info.filename] is not None:
                    zout.writestr(info.filename, replace[info.filename])
                continue
            zout.writestr(info, zin.read(info))
        for name, content in (add or {}).items():
            zout.writestr(name, content)
    return out.getvalue()


def member(data: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return zf.read(name)


def patch_headers(
    data: bytes,
    name: str,
    *,
    flags: int | None = None,
    size: int | None = None,
    method: int | None = None,
) -> bytes:
    """Rewrite the declared flags, uncompressed size or method of ``name`` in both its local
    header and its central directory entry (the bytes themselves are left alone)."""
    buf = bytearray(data)
    raw_name = name.encode()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.getinfo(name)
    local = info.header_offset
    central = data.find(b"PK\x01\x02", 0)
    while central >= 0:
        nlen = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46 : central + 46 + nlen] == raw_name:
            break
        central = data.find(b"PK\x01\x02", central + 4)
    for base, flag_at, method_at, size_at in ((local, 6, 8, 22), (central, 8, 10, 24)):
        if flags is not None:
            struct.pack_into("<H", buf, base + flag_at, flags)
        if method is not None:
            struct.pack_into("<H", buf, base + method_at, method)
        if size is not None:
            struct.pack_into("<I", buf, base + size_at, size)
    return bytes(buf)


def with_text(data: bytes, old: str, new: str, part: str = REPORT_PART) -> bytes:
    """Replace ``old`` by ``new`` (raw XML text) in one part of an .xlsx."""
    xml = member(data, part).decode()
    assert old in xml, old
    return rezip(data, {part: xml.replace(old, new, 1).encode()})


def template_with(**meta: object) -> bytes:
    """The valid template, with the province/period/template_version cells overridden."""
    province = str(meta.pop("_for", "Đà Nẵng"))
    period = str(meta.pop("_period", "2024-Q2"))
    values = good_values()
    return fill_template(province, period, values, evidence=good_evidence(), meta=meta)


def ooxml(sheets: dict[str, Callable[[], Iterator[bytes]]], level: int = 1) -> bytes:
    """A minimal .xlsx whose sheet XML is streamed from generators (one per sheet)."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
        f'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, len(sheets) + 1)
    )
    content_types = (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="rels" ContentType="application/'
        'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
        'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType='
        '"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        f"{overrides}</Types>"
    )
    book = (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{main}" xmlns:r="{rel}">'
        "<sheets>"
        + "".join(
            f'<sheet name="{name}" sheetId="{i}" r:id="rId{i}"/>'
            for i, name in enumerate(sheets, 1)
        )
        + "</sheets></workbook>"
    )
    book_rels = (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{pkg}">'
        + "".join(
            f'<Relationship Id="rId{i}" Type="{rel}/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, len(sheets) + 1)
        )
        + "</Relationships>"
    )
    root_rels = (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{pkg}">'
        f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as zf:
        zf.writestr("[Content_Types].xml", content_types)
        zf.writestr("_rels/.rels", root_rels)
        zf.writestr("xl/workbook.xml", book)
        zf.writestr("xl/_rels/workbook.xml.rels", book_rels)
        for i, rows in enumerate(sheets.values(), 1):
            with zf.open(f"xl/worksheets/sheet{i}.xml", "w", force_zip64=True) as fh:
                fh.write(
                    f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{main}">'
                    "<sheetData>".encode()
                )
                for chunk in rows():
                    fh.write(chunk)
                fh.write(b"</sheetData></worksheet>")
    return out.getvalue()


def ods(content_rows: bytes, extra: dict[str, bytes] | None = None) -> bytes:
    """A minimal .ods with one table «Dữ liệu» holding ``content_rows``."""
    manifest = (
        b'<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
        b'"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        b'<manifest:file-entry manifest:full-path="/" manifest:media-type='
        b'"application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry '
        b'manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        b"</manifest:manifest>"
    )
    content = (
        (
            '<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office='
            '"urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:'
            'opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:'
            'text:1.0" office:version="1.2"><office:body><office:spreadsheet>'
            '<table:table table:name="Dữ liệu">'
        ).encode()
        + content_rows
        + (b"</table:table></office:spreadsheet></office:body></office:document-content>")
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), b"application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("META-INF/manifest.xml", manifest)
        zf.writestr("content.xml", content)
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return out.getvalue()


_ODS_CELL = (
    b'<table:table-cell office:value-type="float" office:value="1"><text:p>1</text:p>'
    b"</table:table-cell>"
)


def cfb(streams: dict[str, bytes]) -> bytes:
    """A minimal OLE2 compound file (version 3, 512-byte sectors) holding ``streams`` at its root.

    Streams are padded to 4,096 bytes so that none lives in the mini stream.
    """
    sector = 512
    end, fat_mark, free = 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
    body = b""
    chains: list[tuple[int, int]] = []  # (first sector, size)
    fat: list[int] = []
    for data in streams.values():
        data = data.ljust(4096, b"\x00")
        data += b"\x00" * (-len(data) % sector)
        first, count = len(fat), len(data) // sector
        fat += [first + i + 1 for i in range(count - 1)] + [end]
        chains.append((first, len(data)))
        body += data
    entries = [("Root Entry", 5, end, 0)] + [
        (name, 2, first, size) for name, (first, size) in zip(streams, chains, strict=True)
    ]
    directory = b""
    for i, (name, kind, first, size) in enumerate(entries):
        raw = (name.encode("utf-16-le") + b"\x00\x00").ljust(64, b"\x00")
        child = 1 if i == 0 and len(entries) > 1 else free
        right = i + 1 if 0 < i < len(entries) - 1 else free
        directory += raw + struct.pack("<HBBIII", len(name) * 2 + 2, kind, 1, free, right, child)
        directory += b"\x00" * 16 + b"\x00" * 4 + b"\x00" * 16 + struct.pack("<IQ", first, size)
    directory += b"\x00" * (-len(directory) % sector)
    dir_first = len(fat)
    n_dir = len(directory) // sector
    fat += [dir_first + i + 1 for i in range(n_dir - 1)] + [end]
    n_fat = 1
    while (len(fat) + n_fat) > n_fat * (sector // 4):
        n_fat += 1
    fat_first = len(fat)
    fat += [fat_mark] * n_fat
    fat += [free] * (n_fat * (sector // 4) - len(fat))
    difat = list(range(fat_first, fat_first + n_fat)) + [free] * (109 - n_fat)
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\x00" * 6
        + struct.pack("<IIIIIIIII", 0, n_fat, dir_first, 0, 4096, end, 0, end, 0)
        + struct.pack("<109I", *difat)
    )
    return header + body + directory + struct.pack(f"<{len(fat)}I", *fat)


def xls_with_far_cell() -> bytes:
    """The LibreOffice .xls fixture with one text cell of «Báo cáo» moved to IV65536."""
    import olefile

    data = bytearray(fixture("template_filled.xls"))
    with olefile.OleFileIO(bytes(data)) as ole:
        entry = ole.direntries[ole._find("Workbook")]
        chain, sector = [], entry.isectStart
        while sector != olefile.ENDOFCHAIN:
            chain.append(sector)
            sector = ole.fat[sector]
        stream = ole.openstream("Workbook").read()
        size = ole.sectorsize
    sheets = [
        struct.unpack_from("<I", stream, body)[0]
        for kind, body in _biff(stream, 0)
        if kind == 0x0085
    ]
    for kind, body in _biff(stream, sheets[1]):
        if kind == 0x00FD:  # LABELSST: row, column, format, string index
            for i, byte in enumerate(struct.pack("<HH", 65535, 255)):
                pos = body + i
                data[(chain[pos // size] + 1) * size + pos % size] = byte
            return bytes(data)
    raise AssertionError("no LABELSST record in the fixture")


def _biff(stream: bytes, pos: int) -> Iterator[tuple[int, int]]:
    """(record type, body offset) of the BIFF records from ``pos`` to the substream's EOF."""
    while pos + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, pos)
        yield kind, pos + 4
        if kind == 0x000A:
            return
        pos += 4 + length


def rows_1m() -> Iterator[bytes]:
    for start in range(1, 1_000_001, 20_000):
        yield b"".join(
            b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (i, i, i)
            for i in range(start, start + 20_000)
        )


def rows_at_limits() -> Iterator[bytes]:
    """5,000 rows × 200 numbers: the largest sheet the limits let through."""
    from loaders.readers.text import col_letter

    letters = [col_letter(c).encode() for c in range(200)]
    for r in range(1, 5001):
        yield (
            b'<row r="%d">' % r
            + b"".join(
                b'<c r="%s%d"><v>%d</v></c>' % (col, r, r + i) for i, col in enumerate(letters)
            )
            + b"</row>"
        )


def wide_row() -> Iterator[bytes]:
    from loaders.readers.text import col_letter

    yield b'<row r="1">' + b"".join(
        b'<c r="%s1"><v>%d</v></c>' % (col_letter(c).encode(), c) for c in range(16_384)
    )
    yield b"</row>"


def deflated(chunks: Iterable[bytes]) -> tuple[bytes, int, int]:
    """(raw deflate stream, expanded size, CRC) of ``chunks``."""
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    out, size, crc = [], 0, 0
    for chunk in chunks:
        size += len(chunk)
        crc = zlib.crc32(chunk, crc)
        out.append(comp.compress(chunk))
    out.append(comp.flush())
    return b"".join(out), size, crc


def zip_bomb_ratio() -> bytes:
    """The template plus a 90 MB part of spaces (compresses ≈ 1000:1), streamed."""
    out = io.BytesIO(template())
    with (
        zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED, compresslevel=9) as zf,
        zf.open("xl/media/padding.xml", "w", force_zip64=True) as fh,
    ):
        block = b" " * MB
        for _ in range(90):
            fh.write(block)
    return out.getvalue()


def zip_lying_size() -> bytes:
    """The report sheet replaced by 50 MB of XML whitespace whose header declares 20 KB."""
    data = rezip(template(), {REPORT_PART: b"<worksheet/>" + b" " * (50 * MB)})
    return patch_headers(data, REPORT_PART, size=20_000)


def nested_zip() -> bytes:
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("bao_cao.xlsx", template())
        zf.writestr("bom.bin", b"\x00" * (5 * MB))
    outer = io.BytesIO()
    with zipfile.ZipFile(outer, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("bao_cao_quy_2.zip", inner.getvalue())
    return outer.getvalue()


def many_members() -> bytes:
    return rezip(template(), add={f"customXml/item{i}.xml": b"<a/>" for i in range(1001)})


def duplicate_member() -> bytes:
    out = io.BytesIO(template())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with zipfile.ZipFile(out, "a") as zf:
            zf.writestr("xl/workbook.xml", member(template(), "xl/workbook.xml"))
    return out.getvalue()


def bzip2_member() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(template())) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            method = zipfile.ZIP_BZIP2 if info.filename == REPORT_PART else zipfile.ZIP_DEFLATED
            zout.writestr(info.filename, zin.read(info), compress_type=method)
    return out.getvalue()


def corrupt_deflate() -> bytes:
    data = bytearray(template())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        info = zf.getinfo(REPORT_PART)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + 100 : start + 400] = bytes(300)
    return bytes(data)


_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, b"&lol%d;" % (i - 1) * 10 if i > 1 else b"&lol;" * 10)
        for i in range(1, 10)
    )
    + b"]>"
)


def billion_laughs(root: bytes, body: bytes, encoding: str = "utf-8") -> bytes:
    xml = _LAUGHS + root + body.replace(b"LAUGH", b"&lol9;")
    if encoding != "utf-8":
        xml = xml.replace(b'<?xml version="1.0"?>', b'<?xml version="1.0" encoding="UTF-16"?>')
        xml = b"\xff\xfe" + xml.decode().encode("utf-16-le")
    return xml


def report_sheet_laughs(encoding: str = "utf-8") -> bytes:
    main = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    body = (
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>LAUGH</t></is></c></row>'
        b"</sheetData></worksheet>"
    )
    return rezip(template(), {REPORT_PART: billion_laughs(main, body, encoding)})


def shared_strings_laughs() -> bytes:
    sst = billion_laughs(
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
        b'uniqueCount="1">',
        b"<si><t>LAUGH</t></si></sst>",
    )
    rels = member(template(), "xl/_rels/workbook.xml.rels").replace(
        b"</Relationships>",
        b'<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/sharedStrings" Target="sharedStrings.xml" Id="rId9" /></Relationships>',
    )
    return rezip(
        template(), {"xl/_rels/workbook.xml.rels": rels}, add={"xl/sharedStrings.xml": sst}
    )


def xxe_workbook() -> bytes:
    book = member(template(), "xl/workbook.xml")
    evil = (
        b'<?xml version="1.0"?><!DOCTYPE workbook [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        + book.replace(b'name="_meta"', b'name="&xxe;"')
    )
    return rezip(template(), {"xl/workbook.xml": evil})


def deep_nesting(part: str) -> bytes:
    """100,000 nested elements: in xl/workbook.xml (read as a tree) or in the report sheet (read
    by streaming parsers only, which do not mind; the sheet then reads as empty)."""
    depth = 100_000
    main = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    if part == REPORT_PART:
        xml = main + b"<sheetData>" + b"<x>" * depth + b"</x>" * depth + b"</sheetData></worksheet>"
    else:
        book = member(template(), part)
        xml = book.replace(b"<definedNames />", b"<x>" * depth + b"</x>" * depth)
    return rezip(template(), {part: xml})


def many_sheets() -> bytes:
    def one() -> Iterator[bytes]:
        yield b'<row r="1"><c r="A1"><v>1</v></c></row>'

    return ooxml({f"Sheet{i}": one for i in range(1, 151)})


def far_cell() -> bytes:
    def rows() -> Iterator[bytes]:
        yield b'<row r="1"><c r="A1"><v>1</v></c></row>'
        yield b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'

    return ooxml({"Dữ liệu": rows})


def long_string() -> bytes:
    """The template with a 1 MB (non-repetitive) string as the value of procedures_total."""
    rng = random.Random(7)
    letters = "abcdefghijklmnopqrstuvwxyzăâđêôơư "
    text = "".join(rng.choices(letters, k=MB))
    return good_template(procedures_total=text)


PLACEHOLDER = "PLACEHOLDER-PROVINCE"


def province_text(raw_xml_text: str) -> bytes:
    """The template whose province cell holds ``raw_xml_text`` (XML-escaped already, so that it
    can carry ``_x0000_`` escapes and characters openpyxl refuses to write)."""
    data = template_with(province=PLACEHOLDER)
    return with_text(data, PLACEHOLDER, raw_xml_text)


def macro_workbook() -> bytes:
    base = template()
    types = (
        member(base, "[Content_Types].xml")
        .replace(b"spreadsheetml.sheet.main+xml", b"sheet.macroEnabled.main+xml")
        .replace(
            b"</Types>",
            b'<Default Extension="bin" ContentType="application/'
            b'vnd.ms-office.vbaProject" /></Types>',
        )
    )
    rels = member(base, "xl/_rels/workbook.xml.rels").replace(
        b"</Relationships>",
        b'<Relationship Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject"'
        b' Target="vbaProject.bin" Id="rId9" /></Relationships>',
    )
    vba = cfb(
        {
            "PROJECT": b'ID="{00000000-0000-0000-0000-000000000000}"\r\nName="VBAProject"\r\n'
            b"Module=Module1\r\n",
            "dir": zlib.compress(b'Sub Auto_Open()\r\n Shell "calc.exe"\r\nEnd Sub\r\n'),
        }
    )
    return rezip(
        base,
        {"[Content_Types].xml": types, "xl/_rels/workbook.xml.rels": rels},
        add={"xl/vbaProject.bin": vba},
    )


def external_link_workbook() -> bytes:
    base = template()
    rels = member(base, "xl/_rels/workbook.xml.rels").replace(
        b"</Relationships>",
        b'<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/externalLink" Target="externalLinks/externalLink1.xml" Id="rId9" />'
        b"</Relationships>",
    )
    link = (
        b'<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        b'<externalBook r:id="rId1"><sheetNames><sheetName val="Data"/></sheetNames>'
        b"</externalBook></externalLink>"
    )
    link_rels = (
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        b'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
        b'officeDocument/2006/relationships/externalLinkPath" '
        b'Target="file:///\\\\server\\share\\so_lieu.xlsx" TargetMode="External"/>'
        b"</Relationships>"
    )
    return rezip(
        base,
        {"xl/_rels/workbook.xml.rels": rels},
        add={
            "xl/externalLinks/externalLink1.xml": link,
            "xl/externalLinks/_rels/externalLink1.xml.rels": link_rels,
        },
    )


def docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            "[Content_Types].xml",
            b'<Types xmlns="http://schemas.openxmlformats.org/'
            b'package/2006/content-types"><Override PartName="/word/document.xml" '
            b'ContentType="application/vnd.openxmlformats-officedocument.'
            b'wordprocessingml.document.main+xml"/></Types>',
        )
        zf.writestr(
            "word/document.xml",
            '<w:document xmlns:w="http://schemas.openxmlformats.org/'
            'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Báo cáo</w:t></w:r>'
            "</w:p></w:body></w:document>",
        )
    return out.getvalue()


def ods_laughs() -> bytes:
    content = billion_laughs(
        b"<office:document-content "
        b'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0">',
        b"<office:body>LAUGH</office:body></office:document-content>",
    )
    return rezip(ods(b""), {"content.xml": content})


def oversize() -> bytes:
    """The template plus an 11 MB picture (random bytes, stored): a real workbook, too big."""
    return rezip(
        template(),
        add={"xl/media/image1.png": random.Random(3).randbytes(11 * MB)},
        method=zipfile.ZIP_STORED,
    )


def renamed_sheet() -> bytes:
    book = member(template(), "xl/workbook.xml").replace("Báo cáo".encode(), b"Bao cao")
    return rezip(template(), {"xl/workbook.xml": book})


def truncated(data: bytes, fraction: float | None = None, minus: int = 0) -> bytes:
    return data[: int(len(data) * fraction)] if fraction is not None else data[:-minus]


def _random(n: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(n)


SPECS: list[_Spec] = [
    # -- not a spreadsheet at all
    _Spec("empty.xlsx", "0 bytes", EMPTY_FILE, lambda: b""),
    _Spec("one_byte.xlsx", "a single byte «P»", UNKNOWN_FORMAT, lambda: b"P"),
    _Spec("random_bytes.xlsx", "8 KB of random bytes", UNKNOWN_FORMAT, lambda: _random(8192, 5)),
    _Spec(
        "csv_renamed.xlsx",
        "a CSV table renamed .xlsx",
        UNKNOWN_FORMAT,
        lambda: "province,period,procedures_total\nHà Nội,2024-Q1,1800\n".encode(),
    ),
    _Spec(
        "png_renamed.xlsx",
        "a PNG image renamed .xlsx",
        UNKNOWN_FORMAT,
        lambda: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + _random(500, 1),
    ),
    _Spec(
        "pdf_renamed.xlsx",
        "a PDF renamed .xlsx",
        UNKNOWN_FORMAT,
        lambda: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n",
    ),
    _Spec(
        "html_renamed.xls",
        "an HTML table saved as .xls (web-system export)",
        UNKNOWN_FORMAT,
        lambda: (
            "<html><head><meta charset='utf-8'></head><body><table><tr><td>Tỉnh</td>"
            "<td>Kỳ</td></tr></table></body></html>".encode()
        ),
    ),
    _Spec(
        "spreadsheetml_2003.xls",
        "an Excel 2003 XML spreadsheet renamed .xls",
        UNKNOWN_FORMAT,
        lambda: (
            b'<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:'
            b'spreadsheet"><Worksheet ss:Name="Data"/></Workbook>'
        ),
    ),
    _Spec(
        "text_renamed.ods",
        "plain words renamed .ods",
        UNKNOWN_FORMAT,
        lambda: "Báo cáo quý 2 gửi kèm".encode(),
    ),
    _Spec("docx_renamed.xlsx", "a Word .docx renamed .xlsx", UNKNOWN_FORMAT, docx),
    _Spec(
        "word_doc_renamed.xls",
        "an OLE2 Word .doc renamed .xls",
        UNKNOWN_FORMAT,
        lambda: cfb({"WordDocument": b"\xec\xa5" + bytes(600)}),
    ),
    _Spec(
        "nested_zip.xlsx",
        "a zip holding a zip (with the template and a 5 MB bomb) renamed .xlsx",
        UNKNOWN_FORMAT,
        nested_zip,
    ),
    _Spec(
        "zip_header_only.xlsx",
        "«PK\\x03\\x04» followed by zeros",
        UNKNOWN_FORMAT,
        lambda: b"PK\x03\x04" + bytes(100),
    ),
    _Spec(
        "empty_zip.xlsx",
        "an empty zip archive (end record only)",
        UNKNOWN_FORMAT,
        lambda: b"PK\x05\x06" + bytes(18),
    ),
    # -- size and zip container
    _Spec(
        "oversize_11mb.xlsx",
        "a real workbook made 11 MB by a stored picture",
        FILE_TOO_LARGE,
        oversize,
    ),
    _Spec(
        "truncated_10pct.xlsx",
        "the template cut to 10 %",
        DAMAGED,
        lambda: truncated(template(), 0.1),
    ),
    _Spec(
        "truncated_50pct.xlsx",
        "the template cut to 50 %",
        DAMAGED,
        lambda: truncated(template(), 0.5),
    ),
    _Spec(
        "truncated_90pct.xlsx",
        "the template cut to 90 %",
        DAMAGED,
        lambda: truncated(template(), 0.9),
    ),
    _Spec(
        "truncated_minus1.xlsx",
        "the template without its last byte",
        DAMAGED,
        lambda: truncated(template(), minus=1),
    ),
    _Spec(
        "corrupt_deflate.xlsx",
        "300 zero bytes inside the deflated report sheet",
        DAMAGED,
        corrupt_deflate,
    ),
    _Spec("zip_bomb_ratio.xlsx", "a 90 MB part compressed ≈ 1000:1", ZIP_BOMB, zip_bomb_ratio),
    _Spec(
        "zip_bomb_declared.xlsx",
        "a part declaring 4 GB expanded",
        ZIP_BOMB,
        lambda: patch_headers(template(), "xl/styles.xml", size=4_000_000_000),
    ),
    _Spec(
        "zip_lying_size.xlsx",
        "a part declaring 20 KB that expands to 50 MB",
        ZIP_BOMB,
        zip_lying_size,
    ),
    _Spec("too_many_members.xlsx", "the template plus 1,001 parts", UNSAFE_CONTAINER, many_members),
    _Spec(
        "zip_slip.xlsx",
        "a part named «../../evil.xml»",
        UNSAFE_CONTAINER,
        lambda: rezip(template(), add={"../../evil.xml": b"<a/>"}),
    ),
    _Spec(
        "absolute_path.xlsx",
        "a part named «/etc/cron.d/evil»",
        UNSAFE_CONTAINER,
        lambda: rezip(template(), add={"/etc/cron.d/evil": b"* * * * * root id"}),
    ),
    _Spec(
        "encrypted_member.xlsx",
        "the workbook part flagged as zip-encrypted",
        PASSWORD,
        lambda: patch_headers(template(), "xl/workbook.xml", flags=0x1),
    ),
    _Spec(
        "bzip2_member.xlsx",
        "the report sheet compressed with bzip2",
        UNSAFE_CONTAINER,
        bzip2_member,
    ),
    _Spec(
        "duplicate_member.xlsx", "xl/workbook.xml present twice", UNSAFE_CONTAINER, duplicate_member
    ),
    _Spec(
        "missing_workbook_xml.xlsx",
        "the template without xl/workbook.xml",
        DAMAGED,
        lambda: rezip(template(), {"xl/workbook.xml": None}),
    ),
    _Spec(
        "malformed_workbook_xml.xlsx",
        "xl/workbook.xml cut mid-tag",
        DAMAGED,
        lambda: rezip(template(), {"xl/workbook.xml": b"<workbook xmlns="}),
    ),
    _Spec(
        "malformed_sheet_xml.xlsx",
        "the report sheet XML with an unclosed element",
        DAMAGED,
        lambda: rezip(template(), {REPORT_PART: member(template(), REPORT_PART)[:5000]}),
    ),
    _Spec(
        "missing_sheet_part.xlsx",
        "the report sheet's part removed",
        DAMAGED,
        lambda: rezip(template(), {REPORT_PART: None}),
    ),
    _Spec(
        "raw_nul_in_sheet_xml.xlsx",
        "a raw NUL byte inside the report sheet XML",
        DAMAGED,
        lambda: with_text(template(), "Thành phố Đà Nẵng", "Thành phố Đà\x00Nẵng"),
    ),
    _Spec(
        "billion_laughs_sheet.xlsx",
        "entity expansion (billion laughs) in the sheet XML",
        UNSAFE_XML,
        report_sheet_laughs,
    ),
    _Spec(
        "billion_laughs_utf16.xlsx",
        "billion laughs in a UTF-16 sheet XML",
        UNSAFE_XML,
        lambda: report_sheet_laughs("utf-16"),
    ),
    _Spec(
        "billion_laughs_shared_strings.xlsx",
        "billion laughs in xl/sharedStrings.xml",
        UNSAFE_XML,
        shared_strings_laughs,
    ),
    _Spec(
        "xxe_workbook.xlsx",
        "an external entity (file:///etc/passwd) in xl/workbook.xml",
        UNSAFE_XML,
        xxe_workbook,
    ),
    _Spec(
        "deep_nesting_workbook.xlsx",
        "100,000 nested elements in xl/workbook.xml",
        UNSAFE_XML,
        lambda: deep_nesting("xl/workbook.xml"),
    ),
    _Spec(
        "deep_nesting_sheet.xlsx",
        "100,000 nested elements in the report sheet: harmless to "
        "the streaming readers, the sheet reads as empty",
        UNKNOWN_LAYOUT,
        lambda: deep_nesting(REPORT_PART),
    ),
    # -- huge sheets
    _Spec(
        "million_rows.xlsx",
        "a sheet of 1,000,000 rows (53 MB of XML)",
        SHEET_TOO_LARGE,
        lambda: ooxml({"Dữ liệu": rows_1m}),
    ),
    _Spec(
        "columns_16384.xlsx",
        "a row of 16,384 cells (A1:XFD1)",
        SHEET_TOO_LARGE,
        lambda: ooxml({"Dữ liệu": wide_row}),
    ),
    _Spec("far_cell.xlsx", "two cells, A1 and XFD1048576", SHEET_TOO_LARGE, far_cell),
    _Spec(
        "at_limits_5000x200.xlsx",
        "5,000 × 200 numbers: read whole (the limits let it "
        "through), then refused as a bulk table without a header row",
        UNKNOWN_LAYOUT,
        lambda: ooxml({"Dữ liệu": rows_at_limits}),
    ),
    _Spec("many_sheets.xlsx", "150 sheets", TOO_MANY_SHEETS, many_sheets),
    _Spec(
        "ods_repeated_rows.ods",
        "one row with a value repeated 1,000,000 times",
        SHEET_TOO_LARGE,
        lambda: ods(
            b'<table:table-row table:number-rows-repeated="1000000">'
            + _ODS_CELL
            + b"</table:table-row>"
        ),
    ),
    _Spec(
        "ods_repeated_columns.ods",
        "one cell with a value repeated over 16,384 columns",
        SHEET_TOO_LARGE,
        lambda: ods(
            b'<table:table-row><table:table-cell table:number-columns-repeated="16384" '
            b'office:value-type="float" office:value="1"><text:p>1</text:p>'
            b"</table:table-cell></table:table-row>"
        ),
    ),
    _Spec(
        "xls_far_cell.xls",
        "the .xls template with a cell moved to IV65536",
        SHEET_TOO_LARGE,
        xls_with_far_cell,
    ),
    # -- cell content
    _Spec(
        "string_1mb.xlsx",
        "a 1 MB string as a value",
        NOT_A_NUMBER,
        long_string,
        warnings=("text_cut",),
    ),
    _Spec(
        "nul_escape_in_province.xlsx",
        "NUL, BEL and ESC (_x0000_ escapes) in the province",
        PROVINCE,
        lambda: province_text("_x0000_Tỉnh_x0000_ Không Tồn Tại_x0007__x001B_[2J"),
        warnings=("hidden_characters",),
    ),
    _Spec(
        "control_chars_province.xlsx",
        "terminal escape codes around the province name",
        PROVINCE,
        lambda: province_text("_x001B_[31mĐà Nẵng Xanh_x001B_[0m_x0008__x0008_"),
        warnings=("hidden_characters",),
    ),
    _Spec(
        "bidi_override_province.xlsx",
        "a right-to-left override reversing the province",
        PROVINCE,
        lambda: province_text("\u202egnẴN àĐ"),
        warnings=("hidden_characters",),
    ),
    _Spec(
        "formula_no_cached_value.xlsx",
        "=40+60 without a cached value (openpyxl)",
        FORMULA,
        lambda: good_template(procedures_total="=40+60"),
    ),
    # -- valid workbooks with wrong content
    _Spec(
        "wrong_province_unknown.xlsx",
        "a province that does not exist",
        PROVINCE,
        lambda: template_with(province="Tỉnh Atlantis"),
    ),
    _Spec(
        "wrong_province_era.xlsx",
        "Yên Bái (merged in 2025) reporting 2025-Q4",
        PROVINCE,
        lambda: template_with(_for="Lào Cai", _period="2025-Q4", province="Yên Bái"),
    ),
    _Spec(
        "wrong_period_format.xlsx",
        "period 2024-Q5",
        PERIOD,
        lambda: template_with(period="2024-Q5"),
    ),
    _Spec("future_period.xlsx", "period 2099-Q4", PERIOD, lambda: template_with(period="2099-Q4")),
    _Spec(
        "period_too_old.xlsx",
        "period 2001-Q1 (before 2015)",
        PERIOD,
        lambda: template_with(period="2001-Q1"),
    ),
    _Spec(
        "template_sheet_renamed.xlsx", "«Báo cáo» renamed «Bao cao»", MISSING_SHEET, renamed_sheet
    ),
    # -- passwords, macros, links
    _Spec(
        "encrypted_ooxml.xlsx",
        "an OLE2 container with EncryptionInfo/EncryptedPackage "
        "(how Excel stores a password-protected .xlsx; crafted)",
        PASSWORD,
        lambda: cfb(
            {
                "EncryptionInfo": b"\x04\x00\x04\x00\x40\x00\x00\x00<encryption/>",
                "EncryptedPackage": _random(6000, 9),
            }
        ),
    ),
    _Spec(
        "encrypted_libreoffice.xls",
        "a password-protected .xls (LibreOffice, RC4)",
        PASSWORD,
        lambda: (DATA / "encrypted.xls").read_bytes(),
    ),
    _Spec(
        "encrypted_libreoffice.ods",
        "a password-protected .ods (LibreOffice, AES)",
        PASSWORD,
        lambda: (DATA / "encrypted.ods").read_bytes(),
    ),
    _Spec(
        "macros.xlsm",
        "the template with a VBA project (Auto_Open)",
        ACCEPTED,
        macro_workbook,
        ("has_macros",),
        ("macros",),
    ),
    _Spec(
        "external_links.xlsx",
        "the template linking to \\\\server\\share\\so_lieu.xlsx",
        ACCEPTED,
        external_link_workbook,
        ("external_links",),
        ("external_links",),
    ),
    # -- other formats, broken
    _Spec(
        "ods_malformed_content.ods",
        "the .ods template with content.xml cut in half",
        DAMAGED,
        lambda: rezip(
            fixture("template_filled.ods"),
            {"content.xml": member(fixture("template_filled.ods"), "content.xml")[:20000]},
        ),
    ),
    _Spec(
        "ods_truncated.ods",
        "the .ods template cut to 50 %",
        DAMAGED,
        lambda: truncated(fixture("template_filled.ods"), 0.5),
    ),
    _Spec("ods_billion_laughs.ods", "billion laughs in content.xml", UNSAFE_XML, ods_laughs),
    _Spec(
        "xls_truncated.xls",
        "the .xls template cut to 50 %",
        DAMAGED,
        lambda: truncated(fixture("template_filled.xls"), 0.5),
    ),
    _Spec(
        "xls_garbage_body.xls",
        "an OLE2 signature followed by random bytes",
        DAMAGED,
        lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + _random(8192, 11),
    ),
]

HEAVY = (
    "oversize_11mb.xlsx",
    "zip_bomb_ratio.xlsx",
    "zip_bomb_declared.xlsx",
    "zip_lying_size.xlsx",
    "nested_zip.xlsx",
    "million_rows.xlsx",
    "columns_16384.xlsx",
    "far_cell.xlsx",
    "at_limits_5000x200.xlsx",
    "ods_repeated_rows.ods",
    "xls_far_cell.xls",
    "string_1mb.xlsx",
    "deep_nesting_workbook.xlsx",
    "deep_nesting_sheet.xlsx",
)
"""Cases whose ingest is measured for peak memory, each in a fresh subprocess."""

NAMES = [spec.name for spec in SPECS]


def build_corpus(dest: Path) -> list[CorpusCase]:
    """Write every case into ``dest`` (created if needed); one :class:`CorpusCase` per file."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    cases = []
    for spec in SPECS:
        data = spec.build()
        if not isinstance(data, bytes):
            data = b"".join(data)
        (dest / spec.name).write_bytes(data)
        cases.append(
            CorpusCase(
                spec.name, spec.description, spec.expected, len(data), spec.flags, spec.warnings
            )
        )
    return cases


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "corpus")
    for case in build_corpus(target):
        print(f"{case.name:40} {case.size:>12,}  {case.expected:22} {case.description}")
