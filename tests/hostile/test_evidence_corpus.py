"""Hostile evidence attachments: each is refused with its reason and a clean bilingual message
naming the file, writing nothing; or stored byte for byte under a sanitised name, and only ever
handed back as a download."""

from __future__ import annotations

import hashlib
import unicodedata

import pytest
from evidence_corpus import STORED, EvidenceCase, evidence_cases
from helpers import good_template

from dxboard import evidence
from dxboard.auth import User
from dxboard.errors import UserError
from dxboard.store import Store
from dxboard.store import evidence as edb
from loaders.ingest import ingest_bytes

CASES = evidence_cases()
REVIEWER = User("an", "analyst")


@pytest.fixture(scope="module")
def store_and_submission() -> tuple[Store, int]:
    store = Store(":memory:")
    result = ingest_bytes(store, good_template("Đà Nẵng", "2024-Q2"), "dn.xlsx")
    return store, result.submission_ids[0]


@pytest.mark.parametrize("case", CASES, ids=[c.what for c in CASES])
def test_hostile_attachment(case: EvidenceCase, store_and_submission: tuple[Store, int]) -> None:
    store, sid = store_and_submission
    before = list(edb.listing(store, [sid])["id"])
    if case.outcome != STORED:
        with pytest.raises(UserError) as info:
            evidence.attach(store, sid, case.name, case.data, actor="officer")
        assert info.value.reason == case.outcome
        for lang in ("vi", "en"):
            text = info.value.message(lang)
            assert not any(unicodedata.category(ch) == "Cc" for ch in text)
            assert len(text) < 400
        assert list(edb.listing(store, [sid])["id"]) == before
        return
    eid = evidence.attach(store, sid, case.name, case.data, actor="officer")
    got = evidence.download(store, eid, REVIEWER)
    assert (
        got.file_name == case.stored_as and "/" not in got.file_name and "\\" not in got.file_name
    )
    assert got.content == case.data  # stored as it is, never altered or rendered
    assert got.sha256 == hashlib.sha256(case.data).hexdigest()
    with store.write() as cur:  # keep the submission under its 10-file limit
        cur.execute("DELETE FROM evidence WHERE id = ?", [eid])
