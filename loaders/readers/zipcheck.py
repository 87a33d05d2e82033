"""The zip container of .xlsx/.xlsm/.ods: directory checks, then every part expanded once.

The directory is checked before any part is expanded (member count, declared sizes and ratios,
names, encryption, compression methods); then every part is expanded once, never beyond its
declared size, its length and CRC are compared with the directory, and XML parts are searched
for DTDs. python-calamine then reads exactly the bytes that were checked.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator

from dxboard.errors import Reason
from loaders.readers.content import not_a_spreadsheet
from loaders.readers.errors import WorkbookError, damaged, unsafe_dtd
from loaders.readers.limits import (
    MAX_CENTRAL_DIRECTORY_BYTES,
    MAX_COMPRESSION_RATIO,
    MAX_SMALL_PART,
    MAX_UNCOMPRESSED_BYTES,
    MAX_ZIP_MEMBERS,
    MB,
    RATIO_MIN_BYTES,
)
from loaders.readers.text import safe_label

CHUNK = 64 * 1024
SMALL_MEMBER = 1 * MB
"""Members up to this size are kept expanded for a second reading (a template's are < 20 KB)."""
KEEP_BYTES = 8 * MB
"""Expanded small members kept per archive."""
# A DTD is never needed in a workbook part; refusing it rules out entity expansion ("billion
# laughs") and external entities whatever the parser. Searched in UTF-8 and UTF-16 spellings.
_DTD = re.compile(
    b"|".join(
        re.escape(word.encode(codec))
        for word in ("<!DOCTYPE", "<!ENTITY")
        for codec in ("utf-8", "utf-16-le", "utf-16-be")
    ),
    re.IGNORECASE,
)
_DTD_OVERLAP = 32
_XML_PART = (".xml", ".rels", ".vml")
_UNSAFE_NAME = re.compile(r"(^|/)\.\.(/|$)|^/|^[A-Za-z]:|\x00")
_SPREADSHEET_MARKS = (
    b"[Content_Types].xml",
    b"xl/workbook.xml",
    b"xl/worksheets/",
    b"opendocument.spreadsheet",
)


class ZipArchive:
    """A zip container whose directory and parts passed the safety checks."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.infos = _directory(data)
        self.names = set(self.infos)
        self._kept: dict[str, bytes] = {}
        self._verify()

    def read(self, name: str, cap: int = MAX_SMALL_PART) -> bytes:
        """Member ``name`` expanded (at most ``cap`` bytes, or the file is refused)."""
        if name not in self.infos:
            raise damaged(name)
        if self.infos[name].file_size > cap:
            raise WorkbookError(Reason.UNSAFE_CONTAINER, "part_too_large", part=safe_label(name))
        kept = self._kept.get(name)
        return kept if kept is not None else b"".join(self.chunks(name))

    def chunks(self, name: str) -> Iterator[bytes]:
        """Member ``name`` expanded, in chunks."""
        kept = self._kept.get(name)
        if kept is not None:
            yield kept
            return
        yield from _expand(self.data, self.infos[name], name)

    def _verify(self) -> None:
        kept = 0
        for name, info in self.infos.items():
            xml = name.lower().endswith(_XML_PART)
            if info.file_size <= SMALL_MEMBER:
                data = _expand_small(self.data, info, name)
                _check_dtd(data, xml)
                if kept + len(data) <= KEEP_BYTES:
                    self._kept[name] = data
                    kept += len(data)
                continue
            tail = b""
            for chunk in _expand(self.data, info, name):
                _check_dtd(tail + chunk, xml)
                tail = chunk[-_DTD_OVERLAP:]


def _check_dtd(data: bytes, xml: bool) -> None:
    if xml and b"!" in data and (b"<!" in data or b"<\x00!" in data) and _DTD.search(data):
        unsafe_dtd()


# --------------------------------------------------------------------------- the directory


def _directory(data: bytes) -> dict[str, zipfile.ZipInfo]:
    """The members by name, once the end record and every directory entry passed the checks."""
    count, size = _end_record(data)
    if count > MAX_ZIP_MEMBERS or size > MAX_CENTRAL_DIRECTORY_BYTES:
        raise _too_many_members(count)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except Exception:  # BadZipFile, struct/overflow errors on crafted headers
        raise _lost_directory(data) from None
    if len(infos) > MAX_ZIP_MEMBERS:
        raise _too_many_members(len(infos))
    members: dict[str, zipfile.ZipInfo] = {}
    total = 0
    for info in infos:
        name = info.filename.replace("\\", "/")
        _check_member(name, info, members)
        total += info.file_size
        if total > MAX_UNCOMPRESSED_BYTES:
            raise WorkbookError(Reason.ZIP_BOMB, "zip_bomb_total", limit=MAX_UNCOMPRESSED_BYTES)
        _check_ratio(name, info)
        members[name] = info
    return members


def _check_member(name: str, info: zipfile.ZipInfo, seen: dict[str, zipfile.ZipInfo]) -> None:
    if _UNSAFE_NAME.search(name):
        raise WorkbookError(Reason.UNSAFE_CONTAINER, "unsafe_name", part=safe_label(name))
    if name in seen:
        raise WorkbookError(Reason.UNSAFE_CONTAINER, "duplicate_part", part=safe_label(name))
    if info.flag_bits & 0x1:
        raise WorkbookError(Reason.PASSWORD_PROTECTED)
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        method = info.compress_type
        raise WorkbookError(
            Reason.UNSAFE_CONTAINER, "odd_compression", part=safe_label(name), method=method
        )


def _check_ratio(name: str, info: zipfile.ZipInfo) -> None:
    packed = max(info.compress_size, 1)
    if info.file_size >= RATIO_MIN_BYTES and info.file_size > MAX_COMPRESSION_RATIO * packed:
        ratio, limit = info.file_size // packed, MAX_COMPRESSION_RATIO
        raise WorkbookError(
            Reason.ZIP_BOMB, "zip_bomb_ratio", part=safe_label(name), n=ratio, limit=limit
        )


def _end_record(data: bytes) -> tuple[int, int]:
    """(member count, central directory size) from the end record (zip64 aware)."""
    pos = data.rfind(b"PK\x05\x06", max(0, len(data) - 22 - 65535))
    if pos < 0 or pos + 22 > len(data):
        raise _lost_directory(data)
    count, size = struct.unpack_from("<HI", data, pos + 10)
    if count != 0xFFFF and size != 0xFFFFFFFF:
        return count, size
    loc = pos - 20
    if loc < 0 or data[loc : loc + 4] != b"PK\x06\x07":
        raise _lost_directory(data)
    (record,) = struct.unpack_from("<Q", data, loc + 8)
    if record + 56 > len(data) or data[record : record + 4] != b"PK\x06\x06":
        raise _lost_directory(data)
    count, size = struct.unpack_from("<QQ", data, record + 32)
    return count, size


def _lost_directory(data: bytes) -> WorkbookError:
    """A zip whose directory is missing or unreadable: a damaged workbook when it shows signs of
    one, else a damaged zip of something else."""
    if _first_member_name(data) or any(mark in data for mark in _SPREADSHEET_MARKS):
        return damaged()
    return not_a_spreadsheet("bad_zip")


def _first_member_name(data: bytes) -> str:
    """The name in the first local header ('' if implausible)."""
    if len(data) < 30:
        return ""
    (length,) = struct.unpack_from("<H", data, 26)
    raw = data[30 : 30 + length]
    if not length or len(raw) < length or any(b < 0x20 for b in raw):
        return ""
    return raw.decode("utf-8", errors="replace")


def _too_many_members(count: int) -> WorkbookError:
    return WorkbookError(Reason.UNSAFE_CONTAINER, "too_many_parts", n=count, limit=MAX_ZIP_MEMBERS)


# --------------------------------------------------------------------------- expanding a member


def _expand(data: bytes, info: zipfile.ZipInfo, name: str) -> Iterator[bytes]:
    """The expanded bytes of a member in chunks, never more than its declared size; the file is
    refused when the real size or CRC differs from the declared one."""
    raw = _stored_bytes(data, info, name)
    if info.compress_type == zipfile.ZIP_STORED:
        if info.compress_size != info.file_size or zlib.crc32(raw) != info.CRC:
            raise damaged(name)
        for pos in range(0, len(raw), CHUNK):
            yield bytes(raw[pos : pos + CHUNK])
        return
    yield from _inflate(raw, info, name)


def _expand_small(data: bytes, info: zipfile.ZipInfo, name: str) -> bytes:
    """A small member expanded in one call, with the checks of :func:`_expand`."""
    raw = _stored_bytes(data, info, name)
    if info.compress_type == zipfile.ZIP_STORED:
        return b"".join(_expand(data, info, name))
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    try:
        out = inflater.decompress(raw, info.file_size + 1)
    except zlib.error:
        raise damaged(name) from None
    if len(out) > info.file_size:
        raise WorkbookError(Reason.ZIP_BOMB, "zip_bomb_lying", part=safe_label(name))
    if not inflater.eof or len(out) != info.file_size or zlib.crc32(out) != info.CRC:
        raise damaged(name)
    return out


def _stored_bytes(data: bytes, info: zipfile.ZipInfo, name: str) -> memoryview:
    """The compressed bytes of a member, checked against the archive's length."""
    offset = info.header_offset
    if offset + 30 > len(data) or data[offset : offset + 4] != b"PK\x03\x04":
        raise damaged(name)
    name_len, extra_len = struct.unpack_from("<HH", data, offset + 26)
    start = offset + 30 + name_len + extra_len
    end = start + info.compress_size
    if end > len(data):
        raise damaged(name)
    return memoryview(data)[start:end]


def _inflate(raw: memoryview, info: zipfile.ZipInfo, name: str) -> Iterator[bytes]:
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    produced = crc = pos = 0
    try:
        while not inflater.eof:
            pending: bytes | memoryview = inflater.unconsumed_tail
            if not pending:
                pending, pos = raw[pos : pos + CHUNK], pos + CHUNK
            if not pending:
                break
            out = inflater.decompress(pending, CHUNK)
            produced += len(out)
            if produced > info.file_size:
                raise WorkbookError(Reason.ZIP_BOMB, "zip_bomb_lying", part=safe_label(name))
            crc = zlib.crc32(out, crc)
            if out:
                yield out
    except zlib.error:
        raise damaged(name) from None
    if not inflater.eof or produced != info.file_size or crc != info.CRC:
        raise damaged(name)
