"""What a file that is not a readable workbook is (PNG, PDF, CSV, HTML…), for the message."""

from __future__ import annotations

from dxboard.errors import Reason
from dxboard.i18n import tr
from loaders.readers.errors import WorkbookError

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_SIGNATURE = b"PK\x03\x04"

# (signature, kind, advice): message keys ``msg.kind_<kind>`` and ``msg.advice_<advice>``.
_SIGNATURES: list[tuple[bytes, str, str]] = [
    (b"\x89PNG\r\n\x1a\n", "png", "default"),
    (b"\xff\xd8\xff", "jpeg", "default"),
    (b"GIF87a", "gif", "default"),
    (b"GIF89a", "gif", "default"),
    (b"%PDF-", "pdf", "pdf"),
    (b"{\\rtf", "rtf", "default"),
    (b"Rar!\x1a\x07", "rar", "extract"),
    (b"7z\xbc\xaf\x27\x1c", "7z", "extract"),
    (b"\x1f\x8b", "gzip", "extract"),
    (b"MZ", "exe", "default"),
    (b"\x7fELF", "elf", "default"),
    (b"PK\x05\x06", "empty_zip", "default"),
]
_HTML_STARTS = ("<!doctype html", "<html", "<table", "<head", "<meta", "<body")
_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


def not_a_spreadsheet(kind: str, advice: str = "default") -> WorkbookError:
    """The refusal of a file that is ``kind`` (``msg.kind_<kind>``), not a spreadsheet."""
    return WorkbookError(
        Reason.UNKNOWN_FORMAT,
        "unknown_format",
        what=tr(f"msg.kind_{kind}"),
        advice=tr(f"msg.advice_{advice}"),
    )


def refuse_other(data: bytes) -> WorkbookError:
    """The refusal of ``data``, which is neither a zip nor an OLE2 container."""
    for signature, kind, advice in _SIGNATURES:
        if data.startswith(signature):
            return not_a_spreadsheet(kind, advice)
    text = _as_text(data[:4096])
    if text is None:
        return WorkbookError(Reason.UNKNOWN_FORMAT, "unknown_content")
    return not_a_spreadsheet(*_text_kind(text))


def _text_kind(text: str) -> tuple[str, str]:
    """(kind, advice) of a file that reads as text."""
    head = text.lstrip().lower()
    if head.startswith("<") or "<html" in head[:1024]:
        return _markup_kind(head)
    lines = [line for line in text.splitlines()[:5] if line.strip()]
    if lines and all(any(sep in line for sep in ",;\t") for line in lines):
        return "csv", "save_as"
    return "text", "default"


def _markup_kind(head: str) -> tuple[str, str]:
    if head.startswith(_HTML_STARTS) or "<html" in head[:1024]:
        return "html", "html"
    if "urn:schemas-microsoft-com:office:spreadsheet" in head:
        return "spreadsheetml", "save_as"
    return "xml", "default"


def _as_text(head: bytes) -> str | None:
    """``head`` decoded when it looks like text (UTF-8/UTF-16 with BOM, or mostly printable)."""
    for bom, codec in _BOMS:
        if head.startswith(bom):
            return head[len(bom) :].decode(codec, errors="replace")
    if b"\x00" in head:
        return None
    controls = sum(1 for b in head if b < 0x09 or 0x0E <= b < 0x20)
    if controls > len(head) // 100:
        return None
    return head.decode("utf-8", errors="replace")
