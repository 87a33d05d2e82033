"""``dxboard review list | approve | return | reopen``: output in both languages, ``--json``,
exit codes as for ``ingest``, account rights through ``--actor`` and the province matcher."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from helpers import good_template

from cli.main import main
from dxboard.auth import create_user
from dxboard.store import Store
from loaders.ingest import ingest_bytes

TODAY = date(2026, 6, 1)


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture()
def submission() -> int:
    with Store() as store:
        result = ingest_bytes(store, good_template("Đà Nẵng", "2024-Q2"), "dn.xlsx", today=TODAY)
    return result.submission_ids[0]


def test_list_approve_and_locked(submission: int, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "review", "list", "--state", "submitted")
    assert code == 0 and "chờ duyệt" in out and str(submission) in out
    code, out, _ = _run(
        capsys, "--lang", "en", "review", "approve", str(submission), "--note", "ok"
    )
    assert code == 0 and "approved" in out and "Đà Nẵng" in out
    code, out, _ = _run(capsys, "review", "list", "--state", "approved", "--json")
    row = json.loads(out.splitlines()[0])
    assert row["submission_id"] == submission and row["reviewed_by"] == "cli"
    code, out, _ = _run(capsys, "review", "list", "--state", "approved", "--json")
    assert "NaT" not in out and "NaN" not in out
    code, out, _ = _run(capsys, "review", "list", "--state", "submitted")
    assert "không có bản nộp" in out
    code, out, _ = _run(capsys, "review", "approve", str(submission), "--json")
    refusal = json.loads(out)
    assert code == 1 and refusal["status"] == "refused" and refusal["reason"] == "review_state"
    code, _, err = _run(capsys, "--lang", "en", "review", "approve", str(submission))
    assert code == 1 and "cannot be approved" in err


def test_return_with_a_field_then_reopen(
    submission: int, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["review", "return", str(submission), "--comment", "Thiếu QĐ", "--field", "it_budget"]
    code, out, _ = _run(capsys, *argv, "--json")
    assert code == 0 and json.loads(out)["state"] == "returned"
    code, _, err = _run(
        capsys, "review", "return", str(submission), "--comment", "x", "--field", "zz"
    )
    assert code == 1 and "zz" in err
    # reopen: province by any spelling; a period that is not approved is refused
    code, out, _ = _run(capsys, "review", "reopen", "da nang", "2024-Q2", "--reason", "r", "--json")
    assert code == 1 and json.loads(out)["reason"] == "review_state"
    code, _, err = _run(capsys, "review", "reopen", "Atlantis", "2024-Q2", "--reason", "r")
    assert code == 2 and "Atlantis" in err
    code, _, _ = _run(capsys, "review", "approve", "999")
    assert code == 2


def test_reopen_an_approved_period(submission: int, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(capsys, "review", "approve", str(submission))[0] == 0
    code, out, _ = _run(capsys, "review", "reopen", "48", "2024-Q2", "--reason", "sai", "--json")
    assert code == 0 and json.loads(out)["state"] == "submitted"


def test_an_officer_account_may_not_review(
    submission: int, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with Store() as store:
        create_user(store, "canbo", "mat-khau-dai-du", "officer", "Đà Nẵng")
    code, out, _ = _run(capsys, "review", "approve", str(submission), "--actor", "canbo", "--json")
    assert code == 1 and json.loads(out)["reason"] == "not_reviewer"
    assert "canbo" in json.loads(out)["message_en"]
