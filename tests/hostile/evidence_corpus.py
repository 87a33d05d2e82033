"""Hostile evidence attachments (built in memory): what each one is, and either the reason code
:func:`dxboard.evidence.attach` refuses it with or, for files stored as they are, the name they
are stored under."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

MB = 1024 * 1024
STORED = "stored"


@dataclass(frozen=True)
class EvidenceCase:
    name: str  # the file name as sent by the browser
    what: str
    data: bytes
    outcome: str  # a reason code, or STORED
    stored_as: str = ""  # the sanitised name of a stored file


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("payload.exe", b"MZ" + b"\0" * 100)
    return buf.getvalue()


PDF_JS = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R /OpenAction 3 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
    b"3 0 obj << /S /JavaScript /JS (app.alert('xss')) >> endobj\n"
    b"trailer << /Root 1 0 R >>\n%%EOF\n"
)
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\0" * 64


def evidence_cases() -> list[EvidenceCase]:
    return [
        EvidenceCase("quyet_dinh.pdf", "a zip renamed as PDF", _zip(), "evidence_type"),
        EvidenceCase("anh.png", "plain text named .png", b"hello, world", "evidence_type"),
        EvidenceCase(
            "setup.jpg", "a Windows program named .jpg", b"MZ\x90\0" * 50, "evidence_type"
        ),
        EvidenceCase(
            "logo.png",
            "an SVG with a script named .png",
            b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
            "evidence_type",
        ),
        EvidenceCase(
            "trang.pdf", "HTML named .pdf", b"<html><script>x()</script></html>", "evidence_type"
        ),
        EvidenceCase("rong.pdf", "an empty file", b"", "empty_file"),
        EvidenceCase(
            "lon.pdf",
            "a PDF one byte over 5 MB",
            b"%PDF-1.4\n" + b"0" * (5 * MB - 8),
            "file_too_large",
        ),
        EvidenceCase("bao_mat.pdf", "a PDF with JavaScript", PDF_JS, STORED, "bao_mat.pdf"),
        EvidenceCase(
            "../../etc/passwd.pdf", "a path that climbs out", PDF_JS, STORED, "passwd.pdf"
        ),
        EvidenceCase("C:\\Windows\\system32\\scan.png", "a Windows path", PNG, STORED, "scan.png"),
        EvidenceCase(
            "anh\u202egpj.exe", "a right-to-left override hiding .exe", JPEG, STORED, "anhgpj.jpg"
        ),
        EvidenceCase("ban_sao.exe", "a PDF named .exe", PDF_JS, STORED, "ban_sao.pdf"),
        EvidenceCase("..", "a name that is only dots", PNG, STORED, "evidence.png"),
        EvidenceCase("a\x00b\nc.pdf", "control characters in the name", PDF_JS, STORED, "abc.pdf"),
        EvidenceCase(
            "x" * 500 + ".pdf", "a 500-character name", PDF_JS, STORED, "x" * 116 + ".pdf"
        ),
    ]
