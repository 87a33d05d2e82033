"""Review and approval on both backends: every transition and every refused one, the lock on
each upload path (web, bulk table, command line) and on restore, review state per submission
across restores, and a concurrent approve and upload."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from datetime import date, datetime

import pytest
from helpers import good_template, good_values, store_snapshot

from cli.main import main as cli_main
from dxboard import review
from dxboard.auth import User
from dxboard.errors import Reason, UserError
from dxboard.store import Store, submissions
from dxboard.store import reviews as rdb
from dxboard.store.audit import audit_log
from loaders.ingest import IngestResult, RestoreError, ingest_bytes, restore
from loaders.writers import write_bulk

pytestmark = pytest.mark.backends

TODAY = date(2026, 6, 1)
PERIOD = "2024-Q2"
ANALYST = User("an", "analyst")
ADMIN = User("ad", "admin")
LEADER = User("le", "leader")
ALL_TABLES = ("uploads", "submissions", "raw_values", "reviews", "review_comments", "meta")


def _load(store: Store, name: str = "dn.xlsx", **overrides: object) -> IngestResult:
    data = good_template("Đà Nẵng", PERIOD, **overrides)
    return ingest_bytes(store, data, name, today=TODAY, actor="officer")


def _submitted(store: Store, **overrides: object) -> tuple[int, str]:
    result = _load(store, **overrides)
    assert result.status == "accepted", result.problems
    return result.submission_ids[0], result.reports[0].province.code


def _state(store: Store, sid: int) -> str:
    found = rdb.submission(store.cursor(), sid)
    assert found is not None
    return found.state


def _refused(call: Callable[[], object], reason: Reason) -> UserError:
    with pytest.raises(UserError) as info:
        call()
    assert info.value.reason == reason, info.value.message("en")
    return info.value


def _actions(store: Store) -> list[str]:
    return list(audit_log(store)["action"])[::-1]


def test_a_new_submission_waits_and_is_approved() -> None:
    store = Store()
    sid, code = _submitted(store)
    assert _state(store, sid) == "submitted"
    version = store.data_version()
    out = review.approve(store, sid, note="khớp minh chứng", user=ANALYST)
    assert (out.state, out.actor, out.province_code, out.period) == ("approved", "an", code, PERIOD)
    assert _state(store, sid) == "approved"
    assert store.data_version() > version  # approved-only views change
    history = rdb.review_history(store, sid)
    assert list(history["action"]) == ["approve"] and history["note"][0] == "khớp minh chứng"
    assert _actions(store)[-1] == "review_approve"


def test_return_with_comments_then_correct_then_approve() -> None:
    store = Store()
    sid, code = _submitted(store)
    comments = [("it_budget", "Thiếu quyết định giao dự toán"), (None, "Kiểm tra lại số liệu")]
    assert review.send_back(store, sid, comments, user=ADMIN).state == "returned"
    stored = rdb.comments(store, [sid])
    assert sorted(stored["comment"]) == sorted(c for _, c in comments)
    assert set(stored["field"].fillna("")) == {"it_budget", ""}
    # a returned report cannot be approved as it is: it is corrected by a new upload
    _refused(lambda: review.approve(store, sid, user=ANALYST), Reason.REVIEW_STATE)
    new, _ = _submitted(store, it_budget=300)
    assert new != sid and _state(store, new) == "submitted" and _state(store, sid) == "returned"
    assert review.approve(store, new, user=ANALYST).state == "approved"
    assert rdb.last_approved(store, code, PERIOD) == new


@pytest.mark.parametrize("user", [User("o", "officer", province_code="48"), LEADER])
def test_only_reviewers_review(user: User) -> None:
    store = Store()
    sid, _ = _submitted(store)
    error = _refused(lambda: review.approve(store, sid, user=user), Reason.NOT_REVIEWER)
    assert user.username in error.message("vi") and user.username in error.message("en")
    _refused(lambda: review.send_back(store, sid, [(None, "x")], user=user), Reason.NOT_REVIEWER)
    assert _state(store, sid) == "submitted"
    events = audit_log(store)
    refused = events[events["action"] == "review_refused"]
    assert len(refused) == 2 and set(refused["actor"]) == {user.username}
    assert json.loads(refused["detail"].iloc[0])["reason"] == "not_reviewer"


def test_a_disabled_analyst_does_not_review() -> None:
    store = Store()
    sid, _ = _submitted(store)
    gone = User("old", "analyst", disabled=True)
    _refused(lambda: review.approve(store, sid, user=gone), Reason.NOT_REVIEWER)


def test_a_superseded_submission_is_not_reviewed() -> None:
    store = Store()
    old, _ = _submitted(store)
    _submitted(store, it_budget=300)
    _refused(lambda: review.approve(store, old, user=ANALYST), Reason.SUPERSEDED)
    _refused(lambda: review.send_back(store, old, [(None, "x")]), Reason.SUPERSEDED)
    assert _state(store, old) == "submitted"


def test_refused_transitions_leave_the_state() -> None:
    store = Store()
    sid, code = _submitted(store)
    _refused(lambda: review.reopen(store, code, PERIOD, "sai", user=ANALYST), Reason.REVIEW_STATE)
    review.approve(store, sid, user=ANALYST)
    error = _refused(lambda: review.approve(store, sid, user=ANALYST), Reason.REVIEW_STATE)
    assert "đã duyệt" in error.message("vi") and "approved" in error.message("en")
    _refused(lambda: review.send_back(store, sid, [(None, "x")]), Reason.REVIEW_STATE)
    _refused(lambda: review.approve(store, 999, user=ANALYST), Reason.UNKNOWN_SUBMISSION)
    _refused(lambda: review.reopen(store, code, "2025-Q2", "x"), Reason.UNKNOWN_SUBMISSION)
    assert _state(store, sid) == "approved"


def test_comments_and_reasons_are_checked() -> None:
    store = Store()
    sid, code = _submitted(store)
    _refused(lambda: review.send_back(store, sid, []), Reason.REVIEW_COMMENT)
    _refused(lambda: review.send_back(store, sid, [(None, "  ")]), Reason.REVIEW_COMMENT)
    error = _refused(lambda: review.send_back(store, sid, [("nope", "x")]), Reason.REVIEW_COMMENT)
    assert "nope" in error.message("en")
    review.approve(store, sid)
    _refused(lambda: review.reopen(store, code, PERIOD, " "), Reason.REVIEW_COMMENT)
    assert _state(store, sid) == "approved"


def test_an_approved_period_refuses_web_uploads_until_reopened() -> None:
    store = Store()
    sid, code = _submitted(store)
    review.approve(store, sid, user=ANALYST, now=datetime(2024, 7, 20, 9, 30))
    before = store_snapshot(store, ALL_TABLES[1:])
    result = _load(store, "sua.xlsx", it_budget=300)
    assert result.status == "rejected" and [p.reason for p in result.errors] == [Reason.LOCKED]
    for lang, words in (("vi", "an duyệt lúc 20/07/2024 09:30"), ("en", "an at 2024-07-20 09:30")):
        text = result.errors[0].message(lang)
        assert words in text and "Đà Nẵng" in text
    assert result.errors[0].cell == "D2"
    assert store_snapshot(store, ALL_TABLES[1:]) == before
    assert _actions(store)[-1] == "upload_locked"
    locked = json.loads(audit_log(store)["detail"].iloc[0])
    assert locked == {"file": "sua.xlsx", "locked": [f"{code} {PERIOD}"], "approved_by": ["an"]}
    dry = ingest_bytes(
        store, good_template("Đà Nẵng", PERIOD, it_budget=301), "d.xlsx", dry_run=True
    )
    assert dry.status == "rejected" and dry.errors[0].reason == Reason.LOCKED
    # the same figures again change nothing and are not refused
    assert _load(store, "lai.xlsx").status == "duplicate"
    out = review.reopen(store, code, PERIOD, "tỉnh báo sai ngân sách", user=ADMIN)
    assert out.state == "submitted" and _state(store, sid) == "submitted"
    assert _load(store, "sua2.xlsx", it_budget=300).status == "accepted"
    events = audit_log(store)
    reopen = events[events["action"] == "review_reopen"].iloc[0]
    assert json.loads(reopen["detail"])["note"] == "tỉnh báo sai ngân sách"


def _bulk(store: Store, code: str, budget: float) -> IngestResult:
    values = {
        k: (1 if v == "Có" else 0 if v == "Không" else v)
        for k, v in {**good_values(), "it_budget": budget}.items()
    }
    rows = [{"province": code, "period": PERIOD, **values}]
    rows.append({"province": "01", "period": PERIOD, **values})
    return ingest_bytes(store, write_bulk(rows), "bulk.xlsx", today=TODAY)


def test_an_approved_period_refuses_a_bulk_table() -> None:
    store = Store()
    sid, code = _submitted(store)
    review.approve(store, sid)
    before = store_snapshot(store, ALL_TABLES[1:])
    result = _bulk(store, code, 300)
    assert result.status == "rejected"
    assert [p.reason for p in result.errors] == [Reason.LOCKED]
    assert result.errors[0].sheet and result.errors[0].cell  # the row of the locked report
    assert store_snapshot(store, ALL_TABLES[1:]) == before


def test_an_approved_period_refuses_the_command_line(
    tmp_path: object, capsys: pytest.CaptureFixture[str]
) -> None:
    store = Store()
    sid, _ = _submitted(store)
    review.approve(store, sid, actor="ana")
    path = tmp_path / "sua.xlsx"  # type: ignore[operator]
    path.write_bytes(good_template("Đà Nẵng", PERIOD, it_budget=300))
    capsys.readouterr()
    code = cli_main(["--lang", "en", "ingest", str(path), "--json"])
    assert code == 1
    out = json.loads(capsys.readouterr().out)
    assert out["status"] == "rejected" and out["messages"][0]["reason"] == "locked"
    assert "ana" in out["messages"][0]["message_en"]


def test_a_restore_brings_back_the_submissions_own_state() -> None:
    store = Store()
    first, code = _submitted(store)
    review.send_back(store, first, [("it_budget", "sai")], user=ANALYST)
    second, _ = _submitted(store, it_budget=300)
    restore(store, first)
    assert rdb.accepted(store.cursor(), code, PERIOD).state == "returned"  # type: ignore[union-attr]
    restore(store, second)
    review.approve(store, second)
    # the approved submission locks the period against a restore too
    before = store_snapshot(store, ALL_TABLES[1:])
    error = _refused(lambda: restore(store, first), Reason.LOCKED)
    assert isinstance(error, RestoreError)  # what the upload page catches
    assert store_snapshot(store, ALL_TABLES[1:]) == before
    review.reopen(store, code, PERIOD, "khôi phục bản cũ")
    restore(store, first)
    assert rdb.accepted(store.cursor(), code, PERIOD).state == "returned"  # type: ignore[union-attr]
    review_states = rdb.review_states(store, PERIOD)
    assert list(review_states["review_state"]) == ["returned"]


@pytest.mark.parametrize("round_", range(3))
def test_a_concurrent_approve_and_upload_one_wins(
    monkeypatch: pytest.MonkeyPatch, round_: int
) -> None:
    store = Store()
    sid, code = _submitted(store)
    real = submissions.read_state

    def slow(*args: object) -> submissions.IngestState:
        found = real(*args)  # type: ignore[arg-type]
        time.sleep(0.05)  # widen the window between the lock check and the write
        return found

    monkeypatch.setattr(submissions, "read_state", slow)
    start = threading.Barrier(2)
    outcome: dict[str, object] = {}

    def approve() -> None:
        start.wait()
        if round_ == 1:
            time.sleep(0.02)
        try:
            outcome["approve"] = review.approve(store, sid, user=ANALYST)
        except UserError as exc:
            outcome["approve"] = exc

    def upload() -> None:
        start.wait()
        if round_ == 2:
            time.sleep(0.02)
        outcome["upload"] = _load(store, "sua.xlsx", it_budget=300)

    threads = [threading.Thread(target=approve), threading.Thread(target=upload)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    uploaded = outcome["upload"]
    assert isinstance(uploaded, IngestResult)
    current = rdb.accepted(store.cursor(), code, PERIOD)
    assert current is not None
    if isinstance(outcome["approve"], review.Outcome):  # the approval won
        assert uploaded.status == "rejected" and uploaded.errors[0].reason == Reason.LOCKED
        assert (current.submission_id, current.state) == (sid, "approved")
    else:  # the upload won: the approval names a superseded submission
        assert isinstance(outcome["approve"], UserError)
        assert outcome["approve"].reason == Reason.SUPERSEDED
        assert uploaded.status == "accepted"
        assert (current.submission_id, current.state) == (uploaded.submission_ids[0], "submitted")
    # nothing lost: both uploads are recorded, the first submission is still there
    statuses = store.cursor().execute("SELECT status FROM uploads ORDER BY id").fetchall()
    assert len(statuses) == 2
    assert rdb.submission(store.cursor(), sid) is not None


def test_due_dates_default_and_overridden() -> None:
    assert review.due_date("2026-Q3") == date(2026, 10, 15)
    assert review.due_date("2026-Q4") == date(2027, 1, 15)
    assert review.due_date("2026-Q3", {"2026-Q3": "2026-10-31"}) == date(2026, 10, 31)
    store = Store()
    with store.write() as cur:
        rdb.set_due(cur, "2026-Q3", "2026-10-20")
    assert review.due_date("2026-Q3", rdb.due_overrides(store)) == date(2026, 10, 20)
