"""Evidence for a submission: PDF, PNG or JPEG files an officer attaches on the upload page.

Rules (one place): the type is decided by the content's first bytes, never by the name; at most
:data:`MAX_BYTES` per file and :data:`MAX_FILES` per submission; the name is reduced to a plain
file name (no folders, no control characters) with the extension of the type found. Files are
stored with their SHA-256 and only ever served as downloads (never rendered inline: a PDF with
JavaScript is stored as it is, and the browser only saves it), to reviewers and to the officers
of the submission's province. Attaching and downloading are audited (``evidence_attach``,
``evidence_download``).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import datetime

from dxboard.auth import User
from dxboard.errors import Reason, UserError
from dxboard.review import APPROVED, locked_error, province_text
from dxboard.store import Store, reviews
from dxboard.store import evidence as db
from dxboard.store.audit import log_event

MAX_BYTES = 5 * 1024 * 1024
MAX_FILES = 10
MAX_NAME = 120
SIGNATURES = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
)
"""Leading bytes → (media type, extension)."""
EXTENSIONS = {media: ext for _, media, ext in SIGNATURES}


def sniff(data: bytes) -> str | None:
    """The media type the content starts as, or None when it is none of the accepted ones."""
    return next((media for magic, media, _ in SIGNATURES if data.startswith(magic)), None)


def plain_name(name: str) -> str:
    """The last part of any path, without control or format characters, reserved punctuation
    or leading and trailing dots and spaces (may be empty)."""
    base = re.split(r"[\\/]", unicodedata.normalize("NFC", name))[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] not in "CZ" or ch == " ")
    return re.sub(r"[<>:\"|?*]", "_", base).strip(" .")


def safe_name(name: str, media_type: str) -> str:
    """:func:`plain_name` cut to :data:`MAX_NAME` and ending in the type's extension."""
    base = plain_name(name)
    ext = EXTENSIONS[media_type]
    stem = base[: -len(ext)] if base.lower().endswith(ext) else base.rsplit(".", 1)[0]
    stem = stem.strip(" .")[: MAX_NAME - len(ext)] or "evidence"
    return stem + ext


def check(name: str, data: bytes) -> tuple[str, str]:
    """(safe name, media type) of an acceptable file; :class:`UserError` otherwise."""
    shown = plain_name(name)[:MAX_NAME] or "evidence"
    if not data:
        raise UserError(Reason.EMPTY_FILE, "evidence_empty", file=shown)
    if len(data) > MAX_BYTES:
        raise UserError(
            Reason.FILE_TOO_LARGE, "evidence_too_large", file=shown, size=len(data), limit=MAX_BYTES
        )
    media = sniff(data)
    if media is None:
        raise UserError(Reason.EVIDENCE_TYPE, file=shown)
    return safe_name(name, media), media


def attach(
    store: Store,
    submission_id: int,
    name: str,
    data: bytes,
    *,
    actor: str | None = None,
    user: User | None = None,
    now: datetime | None = None,
) -> int:
    """Store one evidence file for a submission (the accepted one, not approved); its id.
    With ``user``: only the officers of the province and admins."""
    file_name, media = check(name, data)
    who = actor or (user.username if user is not None else "system")
    sha = hashlib.sha256(data).hexdigest()
    with store.write() as cur:
        found = reviews.submission(cur, submission_id)
        if found is None:
            raise UserError(Reason.UNKNOWN_SUBMISSION, submission=submission_id)
        _may_attach(user, found)
        held = db.count(cur, submission_id)
        if held >= MAX_FILES:
            raise UserError(Reason.EVIDENCE_COUNT, n=held, limit=MAX_FILES)
        eid = db.insert(cur, submission_id, file_name, media, sha, data, who, now or datetime.now())
        detail = {"file": file_name, "type": media, "size": len(data), "sha256": sha}
        log_event(cur, who, "evidence_attach", None, submission_id, detail)
    return eid


def _may_attach(user: User | None, found: reviews.Reviewed) -> None:
    if user is not None and not user.can_upload(found.province_code, found.period):
        raise UserError(
            Reason.NOT_YOUR_PROVINCE,
            "evidence_not_yours",
            username=user.username,
            province=province_text(found.province_code, found.period),
        )
    if found.status != "accepted":
        raise UserError(Reason.SUPERSEDED, submission=found.submission_id)
    if found.state == APPROVED:
        raise locked_error(found)


def download(store: Store, evidence_id: int, user: User) -> db.EvidenceFile:
    """A file for a signed-in reviewer or an officer of its province (logged)."""
    found = db.fetch(store, evidence_id)
    if found is None:
        raise UserError(Reason.UNKNOWN_EVIDENCE, evidence=evidence_id)
    if not user.can_see_evidence(found.province_code, found.period):
        raise UserError(
            Reason.NOT_YOUR_PROVINCE,
            "evidence_not_yours",
            username=user.username,
            province=province_text(found.province_code, found.period),
        )
    with store.write() as cur:
        detail = {"evidence": found.id, "file": found.file_name, "sha256": found.sha256}
        log_event(cur, user.username, "evidence_download", None, found.submission_id, detail)
    return found
