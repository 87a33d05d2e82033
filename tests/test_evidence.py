"""Evidence files on both backends: type by content, 5 MB and 10 files per submission, who may
attach and download, the lock, and the audit of both."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from helpers import good_template

from dxboard import evidence, review
from dxboard.auth import User
from dxboard.errors import Reason, UserError
from dxboard.store import Store
from dxboard.store import evidence as edb
from dxboard.store.audit import audit_log
from loaders.ingest import ingest_bytes

pytestmark = pytest.mark.backends

TODAY = date(2026, 6, 1)
PDF = b"%PDF-1.7\n" + b"1" * 100
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 100
OFFICER = User("canbo", "officer", province_code="48", province_era="current")
OTHER = User("khac", "officer", province_code="01", province_era="current")


def _submission(store: Store, **overrides: object) -> int:
    data = good_template("Đà Nẵng", "2025-Q3", **overrides)
    result = ingest_bytes(store, data, "dn.xlsx", today=TODAY, actor="canbo")
    assert result.status == "accepted", result.problems
    return result.submission_ids[0]


def _refused(reason: Reason, call: object) -> UserError:
    with pytest.raises(UserError) as info:
        call()  # type: ignore[operator]
    assert info.value.reason == reason, info.value.message("en")
    return info.value


def test_the_type_comes_from_the_content() -> None:
    store = Store()
    sid = _submission(store)
    eid = evidence.attach(store, sid, "quyet_dinh.pdf", PNG, user=OFFICER)
    listed = edb.listing(store, [sid])
    assert list(listed["media_type"]) == ["image/png"] and list(listed["file_name"]) == [
        "quyet_dinh.png"
    ]
    assert listed["sha256"][0] == hashlib.sha256(PNG).hexdigest() and listed["size"][0] == len(PNG)
    assert evidence.download(store, eid, OFFICER).content == PNG
    _refused(Reason.EVIDENCE_TYPE, lambda: evidence.attach(store, sid, "a.pdf", b"GIF89a..."))
    assert evidence.sniff(b"\xff\xd8\xff\xdb") == "image/jpeg"


def test_size_and_count_limits() -> None:
    store = Store()
    sid = _submission(store)
    exact = b"%PDF-" + b"0" * (evidence.MAX_BYTES - 5)
    evidence.attach(store, sid, "full.pdf", exact)  # exactly 5 MB is accepted
    error = _refused(
        Reason.FILE_TOO_LARGE, lambda: evidence.attach(store, sid, "big.pdf", exact + b"0")
    )
    assert "big" in error.message("vi") and "5" in error.message("en")
    for i in range(evidence.MAX_FILES - 1):
        evidence.attach(store, sid, f"f{i}.pdf", PDF)
    error = _refused(Reason.EVIDENCE_COUNT, lambda: evidence.attach(store, sid, "f11.pdf", PDF))
    assert "10" in error.message("en")
    assert len(edb.listing(store, [sid])) == evidence.MAX_FILES


def test_who_may_attach_and_download() -> None:
    store = Store()
    sid = _submission(store)
    _refused(
        Reason.NOT_YOUR_PROVINCE, lambda: evidence.attach(store, sid, "a.pdf", PDF, user=OTHER)
    )
    eid = evidence.attach(store, sid, "a.pdf", PDF, user=OFFICER)
    for user in (OFFICER, User("an", "analyst"), User("ad", "admin")):
        assert evidence.download(store, eid, user).content == PDF
    for user in (OTHER, User("le", "leader"), User("an2", "analyst", disabled=True)):
        _refused(Reason.NOT_YOUR_PROVINCE, lambda u=user: evidence.download(store, eid, u))
    _refused(Reason.UNKNOWN_EVIDENCE, lambda: evidence.download(store, 999, OFFICER))
    _refused(Reason.UNKNOWN_SUBMISSION, lambda: evidence.attach(store, 999, "a.pdf", PDF))
    actions = list(audit_log(store)["action"])
    assert actions.count("evidence_attach") == 1 and actions.count("evidence_download") == 3


def test_no_evidence_for_superseded_or_approved_submissions() -> None:
    store = Store()
    old = _submission(store)
    new = _submission(store, it_budget=300)
    _refused(Reason.SUPERSEDED, lambda: evidence.attach(store, old, "a.pdf", PDF))
    review.approve(store, new, actor="an")
    _refused(Reason.LOCKED, lambda: evidence.attach(store, new, "a.pdf", PDF))
    assert edb.listing(store, [old, new]).empty
