"""Limits and checks that keep a hostile or broken upload from crashing, hanging or eating memory.

Everything here runs *before* python-calamine sees the bytes (see ``docs/SECURITY.md``):

- :func:`max_file_bytes`: the upload size limit (``MAX_FILE_BYTES``, or ``$DXBOARD_MAX_UPLOAD_MB``);
- :func:`describe_content`: what a non-spreadsheet file is (PNG, PDF, CSV, HTML…), for the message;
- :class:`ZipArchive`: the central directory of an .xlsx/.xlsm/.ods checked for zip bombs (declared
  and real sizes, compression ratio), member count, encrypted members, unsafe names and DTDs in XML
  parts; every member is decompressed once with a byte cap to prove its declared size and CRC;
- :func:`xml_parser`: an expat parser that refuses ``<!DOCTYPE``/``<!ENTITY`` (no entity expansion);
- :class:`Cfb` and :func:`biff_records`: a small reader of OLE2 containers (.xls, encrypted OOXML)
  and of BIFF records, enough to find sheets, their used range, and encryption;
- :func:`clean_text`, :func:`safe_label`: cell text and names without control characters, cut to a
  length that fits in a message.

A check that fails raises :class:`Refusal` (reason code and messages in Vietnamese and English);
:class:`loaders.workbook.Workbook` turns it into a :class:`loaders.problems.Problem`.
"""

from __future__ import annotations

import io
import os
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from xml.etree import ElementTree
from xml.parsers import expat

from loaders.problems import Reason

MB = 1024 * 1024
MAX_FILE_BYTES = 10 * MB
"""Largest upload read (a filled template is ≈ 12 KB, a national bulk table < 1 MB)."""
MAX_UPLOAD_ENV = "DXBOARD_MAX_UPLOAD_MB"
MAX_UNCOMPRESSED_BYTES = 100 * MB
"""Largest total size of the parts of a zip container (.xlsx/.xlsm/.ods), declared and real."""
MAX_COMPRESSION_RATIO = 200
"""Largest expanded/compressed ratio of one zip member (real workbooks stay under ≈ 20)."""
RATIO_MIN_BYTES = 1 * MB
"""The ratio rule applies to members that expand to at least this many bytes."""
MAX_ZIP_MEMBERS = 1000
MAX_CENTRAL_DIRECTORY_BYTES = MAX_ZIP_MEMBERS * 1100
MAX_SHEETS = 100
MAX_ROWS = 5000
"""Rows read from one sheet (a bulk table of 63 provinces × 27 quarters has ≈ 1,700)."""
MAX_COLS = 200
MAX_CELLS = 2_000_000
"""Cells (rows × columns of each sheet's used range) read from the whole workbook."""
MAX_XML_DEPTH = 200
MAX_CELL_CHARS = 1000
"""Longer cell text is cut to this length (plus ``…``) so that it fits in a message."""
MAX_LABEL_CHARS = 120
"""File and sheet names are cut to this length in messages."""
ZIP_CHUNK = 64 * 1024
SMALL_MEMBER = 1 * MB
"""Zip members up to this size are expanded in one call (a template's parts are < 20 KB)."""
KEEP_BYTES = 8 * MB
"""Expanded small members kept per archive for a second reading (sheet scans, workbook.xml)."""

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_SIGNATURE = b"PK\x03\x04"


class Refusal(Exception):
    """A file (or one sheet or cell of it) that is refused, with the messages to show."""

    def __init__(self, reason: Reason, vi: str, en: str, sheet: str = "", cell: str = "") -> None:
        super().__init__(en)
        self.reason = reason
        self.message_vi = vi
        self.message_en = en
        self.sheet = sheet
        self.cell = cell


def unreadable(vi: str, en: str, sheet: str = "", cell: str = "") -> Refusal:
    return Refusal(Reason.UNREADABLE, vi, en, sheet, cell)


def password_protected() -> Refusal:
    return unreadable(
        "Tệp được đặt mật khẩu (mã hóa) nên không đọc được. Hãy mở tệp, gỡ mật khẩu (Tệp > "
        "Thông tin > Bảo vệ sổ làm việc > Mã hóa bằng mật khẩu: để trống) rồi lưu và gửi lại.",
        "The file is password-protected (encrypted) and cannot be read. Open it, remove the "
        "password (File > Info > Protect Workbook > Encrypt with Password: leave empty), save it "
        "and upload it again.",
    )


def damaged(part: str = "") -> Refusal:
    where_vi = f" (phần «{safe_label(part)}»)" if part else ""
    where_en = f" (part «{safe_label(part)}»)" if part else ""
    return unreadable(
        f"Tệp bị hỏng hoặc bị cắt cụt{where_vi}, không đọc được. Hãy mở và lưu lại tệp bằng "
        "Excel/LibreOffice, hoặc gửi lại bản gốc.",
        f"The file is damaged or truncated{where_en} and cannot be read. Open and save it again "
        "in Excel/LibreOffice, or upload the original.",
    )


def unsafe(vi: str, en: str) -> Refusal:
    return unreadable(
        f"Tệp bị từ chối vì lý do an toàn: {vi} Bảng tính bình thường không có đặc điểm này; hãy "
        "mở và lưu lại bằng Excel/LibreOffice.",
        f"The file is refused for safety: {en} A normal spreadsheet does not look like this; "
        "open and save it again in Excel/LibreOffice.",
    )


# --------------------------------------------------------------------------- numbers and limits


def n_vi(n: float) -> str:
    """``1234567`` → ``1.234.567`` (Vietnamese digit grouping)."""
    return f"{n:,.0f}".replace(",", ".")


def n_en(n: float) -> str:
    return f"{n:,.0f}"


def mb_vi(n: int) -> str:
    return f"{n / MB:.1f}".replace(".", ",") + " MB"


def mb_en(n: int) -> str:
    return f"{n / MB:.1f} MB"


def max_file_bytes() -> int:
    """The upload limit: ``$DXBOARD_MAX_UPLOAD_MB`` (megabytes, > 0) or ``MAX_FILE_BYTES``."""
    raw = os.environ.get(MAX_UPLOAD_ENV, "").strip()
    if raw:
        try:
            value = float(raw.replace(",", "."))
        except ValueError:
            value = 0
        if value > 0:
            return int(value * MB)
    return MAX_FILE_BYTES


def check_size(size: int) -> None:
    limit = max_file_bytes()
    if size > limit:
        raise unreadable(
            f"Tệp quá lớn: {mb_vi(size)} (tối đa {mb_vi(limit)}). Một báo cáo theo mẫu chỉ "
            "khoảng 20 KB; hãy xóa các sheet, hình ảnh hoặc dữ liệu thừa rồi gửi lại.",
            f"The file is too large: {mb_en(size)} (the limit is {mb_en(limit)}). A filled "
            "template is about 20 KB; remove extra sheets, pictures or data and upload it again.",
        )


# --------------------------------------------------------------------------- text

# Control characters (C0 but tab/newline/carriage return, DEL, C1), bidirectional overrides and
# isolates (text that displays in a different order than it reads), and invisible marks.
_REMOVE = [
    *range(0x00, 0x09),
    0x0B,
    0x0C,
    *range(0x0E, 0x20),
    *range(0x7F, 0xA0),
    0x200E,
    0x200F,
    *range(0x202A, 0x202F),
    *range(0x2066, 0x206A),
    0xFEFF,
    0xFFFE,
    0xFFFF,
]
_SPACES = [0x09, 0x0A, 0x0D, 0x2028, 0x2029]
_TABLE = {**dict.fromkeys(_REMOVE), **dict.fromkeys(_SPACES, " ")}
_NEEDS_CLEANING = re.compile("[" + "".join(re.escape(chr(c)) for c in _TABLE) + "]")
_HIDDEN = re.compile("[" + "".join(re.escape(chr(c)) for c in _REMOVE) + "]")


def has_hidden_characters(text: str) -> bool:
    """Whether ``text`` holds characters that :func:`clean_text` removes (not mere line breaks)."""
    return _HIDDEN.search(text) is not None


def needs_cleaning(texts: list[str]) -> bool:
    """Whether :func:`clean_text` would change any of ``texts`` (one search for them all)."""
    if not texts:
        return False
    return (
        max(map(len, texts)) > MAX_CELL_CHARS or _NEEDS_CLEANING.search("".join(texts)) is not None
    )


def clean_text(text: str, limit: int = MAX_CELL_CHARS) -> str:
    """``text`` without control/bidi characters (line breaks and tabs become spaces), at most
    ``limit`` characters (longer text is cut and ends with ``…``)."""
    if _NEEDS_CLEANING.search(text):
        text = text.translate(_TABLE)
    if len(text) > limit:
        text = text[:limit] + "…"
    return text


def safe_label(text: str, limit: int = MAX_LABEL_CHARS) -> str:
    """A file or sheet name fit for a message: cleaned, and cut in the middle when too long."""
    text = clean_text(str(text), limit=10 * limit).strip()
    if len(text) > limit:
        tail = limit // 4
        text = text[: limit - tail - 1] + "…" + text[-tail:]
    return text


# --------------------------------------------------------------------------- content sniffing


@dataclass(frozen=True)
class Content:
    """What a file that is not a readable workbook is, for the message (vi/en) and advice."""

    vi: str
    en: str
    advice_vi: str = ""
    advice_en: str = ""


_SAVE_AS_VI = "Hãy mở bằng Excel hoặc LibreOffice rồi lưu lại dạng .xlsx."
_SAVE_AS_EN = "Open it in Excel or LibreOffice and save it as .xlsx."
_BINARY_SIGNATURES: list[tuple[bytes, Content]] = [
    (b"\x89PNG\r\n\x1a\n", Content("ảnh PNG", "a PNG image")),
    (b"\xff\xd8\xff", Content("ảnh JPEG", "a JPEG image")),
    (b"GIF87a", Content("ảnh GIF", "a GIF image")),
    (b"GIF89a", Content("ảnh GIF", "a GIF image")),
    (
        b"%PDF-",
        Content(
            "tài liệu PDF",
            "a PDF document",
            "Không thể đọc số liệu từ PDF: hãy nhập vào mẫu Excel.",
            "Figures cannot be read from a PDF: type them into the Excel template.",
        ),
    ),
    (b"{\\rtf", Content("văn bản RTF", "an RTF document")),
    (
        b"Rar!\x1a\x07",
        Content(
            "tệp nén RAR",
            "a RAR archive",
            "Hãy giải nén và gửi tệp bảng tính bên trong.",
            "Extract it and upload the spreadsheet inside.",
        ),
    ),
    (
        b"7z\xbc\xaf\x27\x1c",
        Content(
            "tệp nén 7z",
            "a 7z archive",
            "Hãy giải nén và gửi tệp bảng tính bên trong.",
            "Extract it and upload the spreadsheet inside.",
        ),
    ),
    (
        b"\x1f\x8b",
        Content(
            "tệp nén gzip",
            "a gzip archive",
            "Hãy giải nén và gửi tệp bảng tính bên trong.",
            "Extract it and upload the spreadsheet inside.",
        ),
    ),
    (b"MZ", Content("chương trình Windows (.exe)", "a Windows program (.exe)")),
    (b"\x7fELF", Content("chương trình (ELF)", "a program (ELF)")),
    (b"PK\x05\x06", Content("tệp nén zip rỗng", "an empty zip archive")),
]


def describe_content(data: bytes) -> Content | None:
    """What ``data`` is when it is neither a zip nor an OLE2 container; ``None`` for unknown
    binary content (random bytes, a damaged file)."""
    for signature, content in _BINARY_SIGNATURES:
        if data.startswith(signature):
            return content
    text = _as_text(data[:4096])
    if text is None:
        return None
    head = text.lstrip().lower()
    if head.startswith(("<!doctype html", "<html", "<table", "<head", "<meta", "<body")) or (
        "<html" in head[:1024]
    ):
        return Content(
            "trang web (HTML) mang đuôi bảng tính, thường do phần mềm xuất ra",
            "a web page (HTML) with a spreadsheet name, as some systems export",
            "Hãy mở bằng Excel và chọn Lưu thành (Save As) dạng .xlsx.",
            "Open it in Excel and use Save As .xlsx.",
        )
    if head.startswith("<?xml") or head.startswith("<"):
        if "urn:schemas-microsoft-com:office:spreadsheet" in head:
            return Content(
                "bảng tính XML 2003 (SpreadsheetML)",
                "an Excel 2003 XML spreadsheet",
                _SAVE_AS_VI,
                _SAVE_AS_EN,
            )
        return Content("tệp XML", "an XML file")
    lines = [ln for ln in text.splitlines()[:5] if ln.strip()]
    if lines and all(any(sep in ln for sep in ",;\t") for ln in lines):
        return Content(
            "tệp văn bản CSV đã đổi đuôi",
            "a CSV text file that was renamed",
            _SAVE_AS_VI,
            _SAVE_AS_EN,
        )
    return Content("tệp văn bản", "a text file")


def _as_text(head: bytes) -> str | None:
    """``head`` decoded when it looks like text (UTF-8/UTF-16 with BOM, or mostly printable)."""
    for bom, codec in (
        (b"\xef\xbb\xbf", "utf-8"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
    ):
        if head.startswith(bom):
            return head[len(bom) :].decode(codec, errors="replace")
    if b"\x00" in head:
        return None
    controls = sum(1 for b in head if b < 0x09 or 0x0E <= b < 0x20)
    if controls > len(head) // 100:
        return None
    return head.decode("utf-8", errors="replace")


# --------------------------------------------------------------------------- XML

# A DTD is never needed in a workbook part; refusing it rules out entity expansion ("billion
# laughs") and external entities whatever the parser. Checked in UTF-8 and UTF-16 spellings.
_DTD_WORDS = (b"<!DOCTYPE", b"<!ENTITY")
_DTD = re.compile(
    b"|".join(
        re.escape(w.decode().encode(codec))
        for w in _DTD_WORDS
        for codec in ("utf-8", "utf-16-le", "utf-16-be")
    ),
    re.IGNORECASE,
)
_DTD_OVERLAP = 32


def _refuse_dtd(*_args: object) -> None:
    raise unsafe(
        "một phần XML khai báo DTD/thực thể (<!DOCTYPE>, <!ENTITY>).",
        "an XML part declares a DTD or entities (<!DOCTYPE>, <!ENTITY>).",
    )


def xml_parser() -> expat.XMLParserType:
    """An expat parser with namespaces (``uri}local`` names) that refuses any DTD."""
    parser = expat.ParserCreate(namespace_separator="}")
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    parser.ExternalEntityRefHandler = _refuse_dtd
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    return parser


def parse_xml(data: bytes, part: str) -> ElementTree.Element:
    """A small XML part (workbook.xml, its rels) as a tree; :class:`Refusal` when malformed or
    when it declares a DTD."""
    if _DTD.search(data):
        _refuse_dtd()
    depth = [0]

    def start(*_args: object) -> None:
        depth[0] += 1
        if depth[0] > MAX_XML_DEPTH:
            raise too_deep()

    def end(*_args: object) -> None:
        depth[0] -= 1

    parser = xml_parser()
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        parser.Parse(data, True)
        return ElementTree.fromstring(data)
    except (expat.ExpatError, ElementTree.ParseError):
        raise damaged(part) from None


def too_deep() -> Refusal:
    return unsafe(
        f"cấu trúc XML lồng nhau quá sâu (hơn {MAX_XML_DEPTH} cấp).",
        f"the XML is nested too deeply (more than {MAX_XML_DEPTH} levels).",
    )


# --------------------------------------------------------------------------- zip containers

_UNSAFE_NAME = re.compile(r"(^|/)\.\.(/|$)|^/|^[A-Za-z]:|\x00")
_XML_PART = (".xml", ".rels", ".vml")


class ZipArchive:
    """A zip container whose central directory passed the safety checks.

    Construction reads only the end record and the central directory: too many members, a total
    declared size or a compression ratio over the limits, encrypted members, unusual compression
    methods, duplicate or unsafe names are refused. :meth:`verify` then expands every member once,
    with a cap, to prove the declared sizes and CRCs and that no XML part declares a DTD.
    """

    def __init__(self, data: bytes) -> None:
        self.data = data
        count, cd_size = _end_record(data)
        if count > MAX_ZIP_MEMBERS or cd_size > MAX_CENTRAL_DIRECTORY_BYTES:
            raise _too_many_members(count)
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                infos = zf.infolist()
        except Exception:  # BadZipFile, struct/overflow errors on crafted headers
            raise ZipDamaged from None
        if len(infos) > MAX_ZIP_MEMBERS:
            raise _too_many_members(len(infos))
        self.infos: dict[str, zipfile.ZipInfo] = {}
        total = 0
        for info in infos:
            name = info.filename.replace("\\", "/")
            if _UNSAFE_NAME.search(name):
                raise unsafe(
                    f"tên thành phần không an toàn «{safe_label(name)}» (đường dẫn "
                    "tuyệt đối hoặc có «..»).",
                    f"a member has an unsafe name «{safe_label(name)}» (absolute path or «..»).",
                )
            if name in self.infos:
                raise unsafe(
                    f"thành phần «{safe_label(name)}» xuất hiện hai lần.",
                    f"the member «{safe_label(name)}» appears twice.",
                )
            if info.flag_bits & 0x1:
                raise password_protected()
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise unsafe(
                    f"thành phần «{safe_label(name)}» dùng kiểu nén lạ (mã {info.compress_type}).",
                    f"the member «{safe_label(name)}» uses an unusual compression "
                    f"method (code {info.compress_type}).",
                )
            total += info.file_size
            if total > MAX_UNCOMPRESSED_BYTES:
                raise _bomb(
                    f"tổng dung lượng khi giải nén vượt {mb_vi(MAX_UNCOMPRESSED_BYTES)}",
                    f"it expands to more than {mb_en(MAX_UNCOMPRESSED_BYTES)}",
                )
            if info.file_size >= RATIO_MIN_BYTES and info.file_size > MAX_COMPRESSION_RATIO * max(
                info.compress_size, 1
            ):
                ratio = info.file_size // max(info.compress_size, 1)
                raise _bomb(
                    f"thành phần «{safe_label(name)}» nén với tỷ lệ {n_vi(ratio)}:1 "
                    f"(tối đa {MAX_COMPRESSION_RATIO}:1)",
                    f"the member «{safe_label(name)}» is compressed {n_en(ratio)}:1 "
                    f"(the limit is {MAX_COMPRESSION_RATIO}:1)",
                )
            self.infos[name] = info
        self.names = set(self.infos)
        self._expanded: dict[str, bytes] = {}

    def verify(self) -> None:
        """Expand every member once (capped at its declared size) and scan XML parts for DTDs.

        Members of at most :data:`SMALL_MEMBER` bytes are expanded in one call and kept (up to
        :data:`KEEP_BYTES` in all), so that reading them again costs nothing."""
        kept = 0
        for name, info in self.infos.items():
            xml = name.lower().endswith(_XML_PART)
            if info.file_size <= SMALL_MEMBER:
                data = self._expand_small(name, info)
                if xml and (b"<!" in data or b"<\x00!" in data) and _DTD.search(data):
                    _refuse_dtd()
                if kept + len(data) <= KEEP_BYTES:
                    self._expanded[name] = data
                    kept += len(data)
                continue
            tail = b""
            for chunk in self.iter_member(name):
                if xml:
                    window = tail + chunk
                    if (b"<!" in window or b"<\x00!" in window) and _DTD.search(window):
                        _refuse_dtd()
                    tail = chunk[-_DTD_OVERLAP:]

    def _raw(self, name: str, info: zipfile.ZipInfo) -> memoryview:
        """The stored (compressed) bytes of member ``name``, checked against the archive."""
        data = self.data
        offset = info.header_offset
        if data[offset : offset + 4] != ZIP_SIGNATURE or offset + 30 > len(data):
            raise damaged(name)
        name_len, extra_len = struct.unpack_from("<HH", data, offset + 26)
        start = offset + 30 + name_len + extra_len
        end = start + info.compress_size
        if end > len(data):
            raise damaged(name)
        return memoryview(data)[start:end]

    def _expand_small(self, name: str, info: zipfile.ZipInfo) -> bytes:
        """A small member expanded in one call, with the checks of :meth:`iter_member`: never
        more than its declared size (a zip bomb otherwise), and the declared size and CRC."""
        raw = self._raw(name, info)
        if info.compress_type == zipfile.ZIP_STORED:
            out = bytes(raw)
            if info.compress_size != info.file_size or zlib.crc32(out) != info.CRC:
                raise damaged(name)
            return out
        decomp = zlib.decompressobj(-zlib.MAX_WBITS)
        try:
            out = decomp.decompress(raw, info.file_size + 1)
        except zlib.error:
            raise damaged(name) from None
        if len(out) > info.file_size:
            raise _bomb(
                f"thành phần «{safe_label(name)}» giải nén ra nhiều hơn dung lượng đã khai báo",
                f"the member «{safe_label(name)}» expands to more than its declared size",
            )
        if not decomp.eof or len(out) != info.file_size or zlib.crc32(out) != info.CRC:
            raise damaged(name)
        return out

    def iter_member(self, name: str) -> Iterator[bytes]:
        """The expanded bytes of member ``name`` in chunks, never more than its declared size;
        :class:`Refusal` when the real size or CRC differs from the declared one."""
        kept = self._expanded.get(name)
        if kept is not None:
            if kept:
                yield kept
            return
        info = self.infos[name]
        raw = self._raw(name, info)
        if info.compress_type == zipfile.ZIP_STORED:
            if info.compress_size != info.file_size:
                raise damaged(name)
            crc = 0
            for pos in range(0, len(raw), ZIP_CHUNK):
                chunk = bytes(raw[pos : pos + ZIP_CHUNK])
                crc = zlib.crc32(chunk, crc)
                yield chunk
            if crc != info.CRC:
                raise damaged(name)
            return
        yield from _inflate(raw, info, name)

    def read(self, name: str, cap: int = MAX_UNCOMPRESSED_BYTES) -> bytes:
        """Member ``name`` expanded (it must expand to at most ``cap`` bytes)."""
        if self.infos[name].file_size > cap:
            raise unsafe(
                f"thành phần «{safe_label(name)}» quá lớn.",
                f"the member «{safe_label(name)}» is too large.",
            )
        kept = self._expanded.get(name)
        return kept if kept is not None else b"".join(self.iter_member(name))


class ZipDamaged(Exception):
    """The zip end record or central directory is missing or unreadable (truncated file)."""


def _inflate(raw: memoryview, info: zipfile.ZipInfo, name: str) -> Iterator[bytes]:
    decomp = zlib.decompressobj(-zlib.MAX_WBITS)
    produced = crc = pos = 0
    try:
        while not decomp.eof:
            if decomp.unconsumed_tail:
                pending = decomp.unconsumed_tail
            elif pos < len(raw):
                pending = raw[pos : pos + ZIP_CHUNK]
                pos += ZIP_CHUNK
            else:
                break
            out = decomp.decompress(pending, ZIP_CHUNK)
            produced += len(out)
            if produced > info.file_size:
                raise _bomb(
                    f"thành phần «{safe_label(name)}» giải nén ra nhiều hơn dung lượng đã khai báo",
                    f"the member «{safe_label(name)}» expands to more than its declared size",
                )
            crc = zlib.crc32(out, crc)
            if out:
                yield out
    except zlib.error:
        raise damaged(name) from None
    if not decomp.eof or produced != info.file_size or crc != info.CRC:
        raise damaged(name)


def _end_record(data: bytes) -> tuple[int, int]:
    """(member count, central directory size) from the end record (zip64 aware)."""
    pos = data.rfind(b"PK\x05\x06", max(0, len(data) - 22 - 65535))
    if pos < 0 or pos + 22 > len(data):
        raise ZipDamaged
    count, cd_size = struct.unpack_from("<HI", data, pos + 10)
    if count == 0xFFFF or cd_size == 0xFFFFFFFF:
        loc = pos - 20
        if loc < 0 or data[loc : loc + 4] != b"PK\x06\x07":
            raise ZipDamaged
        (rec,) = struct.unpack_from("<Q", data, loc + 8)
        if rec + 56 > len(data) or data[rec : rec + 4] != b"PK\x06\x06":
            raise ZipDamaged
        count, cd_size = struct.unpack_from("<QQ", data, rec + 32)
    return count, cd_size


def _too_many_members(count: int) -> Refusal:
    return unsafe(
        f"tệp nén chứa {n_vi(count)} thành phần (tối đa {n_vi(MAX_ZIP_MEMBERS)}).",
        f"the container holds {n_en(count)} members (the limit is {n_en(MAX_ZIP_MEMBERS)}).",
    )


def _bomb(vi: str, en: str) -> Refusal:
    return unsafe(f"đây có thể là «bom nén» (zip bomb): {vi}.", f"this may be a zip bomb: {en}.")


# --------------------------------------------------------------------------- OLE2 / CFB


class CfbError(Exception):
    """The OLE2 compound file is damaged (bad header, broken sector chains, truncated)."""


_FREE, _END_OF_CHAIN = 0xFFFFFFFF, 0xFFFFFFFE


class Cfb:
    """Just enough of an OLE2 compound file reader: stream names and stream bytes.

    Every sector chain is bounded by the file size (a loop or an out-of-range sector is
    :class:`CfbError`), so a crafted container cannot make it run or allocate without end.
    """

    def __init__(self, data: bytes) -> None:
        if len(data) < 512 or not data.startswith(OLE_SIGNATURE):
            raise CfbError("no OLE2 header")
        self.data = data
        shift, mini_shift = struct.unpack_from("<HH", data, 0x1E)
        if shift not in (9, 12) or mini_shift != 6:
            raise CfbError("bad sector size")
        self.sector = 1 << shift
        self.n_sectors = (len(data) + self.sector - 1) // self.sector - 1
        (n_fat, first_dir, _, self.cutoff, first_mini, n_mini, first_difat, n_difat) = (
            struct.unpack_from("<IIIIIIII", data, 0x2C)
        )
        if n_fat > self.n_sectors + 1 or n_difat > self.n_sectors + 1:
            raise CfbError("bad FAT size")
        difat = list(struct.unpack_from("<109I", data, 0x4C))
        sector, per = first_difat, self.sector // 4 - 1
        for _ in range(n_difat):
            if sector >= self.n_sectors:
                break
            entries = struct.unpack_from(f"<{per + 1}I", self._sector(sector))
            difat += entries[:per]
            sector = entries[per]
        fat_sectors = [s for s in difat[:n_fat] if s < self.n_sectors]
        if len(fat_sectors) != n_fat:
            raise CfbError("FAT sector out of range")
        self.fat = struct.unpack(
            f"<{n_fat * self.sector // 4}I", b"".join(self._sector(s) for s in fat_sectors)
        )
        directory = self._chain_bytes(first_dir, self.fat)
        self.entries: dict[str, tuple[int, int, int]] = {}
        self.root: tuple[int, int, int] | None = None
        for pos in range(0, len(directory) - 127, 128):
            name_len, kind = struct.unpack_from("<HB", directory, pos + 0x40)
            start, size = struct.unpack_from("<IQ", directory, pos + 0x74)
            if kind not in (1, 2, 5) or not 2 <= name_len <= 64:
                continue
            name = directory[pos : pos + name_len - 2].decode("utf-16-le", errors="replace")
            if self.sector == 512:
                size &= 0xFFFFFFFF
            if kind == 5 and self.root is None:
                self.root = (kind, start, size)
            else:
                self.entries.setdefault(name, (kind, start, size))
        self.minifat: tuple[int, ...] = ()
        if n_mini and first_mini < len(self.fat):
            raw = self._chain_bytes(first_mini, self.fat)
            self.minifat = struct.unpack(f"<{len(raw) // 4}I", raw[: len(raw) // 4 * 4])

    @property
    def streams(self) -> set[str]:
        return {name for name, (kind, _, _) in self.entries.items() if kind == 2}

    @property
    def storages(self) -> set[str]:
        return {name for name, (kind, _, _) in self.entries.items() if kind == 1}

    def read(self, name: str, cap: int) -> bytes:
        """Stream ``name`` (at most ``cap`` bytes, or :class:`CfbError`)."""
        _, start, size = self.entries[name]
        if size > cap:
            raise CfbError("stream too large")
        if size < self.cutoff:
            if self.root is None:
                raise CfbError("no root entry")
            ministream = self._chain_bytes(self.root[1], self.fat)
            out = self._chain_bytes(start, self.minifat, ministream, 64)
        else:
            out = self._chain_bytes(start, self.fat)
        if len(out) < size:
            raise CfbError("stream truncated")
        return out[:size]

    def _sector(self, index: int) -> bytes:
        start = (index + 1) * self.sector
        chunk = self.data[start : start + self.sector]
        if len(chunk) < self.sector:
            raise CfbError("truncated")
        return chunk

    def _chain_bytes(
        self, start: int, table: tuple[int, ...], source: bytes | None = None, size: int = 0
    ) -> bytes:
        parts = []
        seen = 0
        sector = start
        while sector != _END_OF_CHAIN:
            if sector >= len(table) or seen > len(table):
                raise CfbError("broken sector chain")
            if source is None:
                parts.append(self._sector(sector))
            else:
                chunk = source[sector * size : (sector + 1) * size]
                if len(chunk) < size:
                    raise CfbError("truncated mini stream")
                parts.append(chunk)
            seen += 1
            sector = table[sector]
        return b"".join(parts)


def biff_records(stream: bytes, start: int = 0) -> Iterator[tuple[int, int, int]]:
    """(record type, body offset, body length) of the BIFF records in ``stream`` from ``start``."""
    pos = start
    end = len(stream)
    while pos + 4 <= end:
        rtype, length = struct.unpack_from("<HH", stream, pos)
        if pos + 4 + length > end:
            raise CfbError("truncated BIFF record")
        yield rtype, pos + 4, length
        pos += 4 + length
