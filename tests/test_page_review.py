"""The review page (AppTest, both languages): only reviewers see it; the queue with its counts
and the reminder list; approve; return with a comment on a field, which the officer then sees
beside that field on the upload page; reopen. And the sidebar switch: leaders see approved
figures only by default, with the number of provinces waiting."""

from __future__ import annotations

from pathlib import Path

import pytest
from apptest import ROOT, open_page, start_app, texts
from streamlit.testing.v1 import AppTest

from dxboard.auth import User
from dxboard.i18n import t
from dxboard.store import Store
from dxboard.store import reviews as rdb

PAGE = "pages/review.py"
ANALYST = User("an", "analyst")
DN_OFFICER = User("dn", "officer", province_code="48", province_era="current")


def _period(at: AppTest) -> str:
    return str(at.session_state["period"])


def _state(db: Path, code: str, period: str) -> str:
    with Store(db) as store:
        found = rdb.accepted(store.cursor(), code, period)
    assert found is not None
    return found.state


def _pick(at: AppTest, code: str, db: Path) -> int:
    with Store(db) as store:
        found = rdb.accepted(store.cursor(), code, _period(at))
    assert found is not None
    at.selectbox(key="review_pick").set_value(found.submission_id).run()
    assert not at.exception, [e.value for e in at.exception]
    return found.submission_id


@pytest.mark.parametrize("account", [None, User("le", "leader"), DN_OFFICER])
def test_hidden_from_non_reviewers(demo_db: Path, account: User | None) -> None:
    at = start_app("vi", account)
    assert "review" not in at.session_state["page_urls"]
    with pytest.raises(ValueError, match=r"review\.py"):
        at.switch_page(str(ROOT / PAGE))


def test_the_page_itself_refuses_non_reviewers(demo_db: Path) -> None:
    at = AppTest.from_file(str(ROOT / PAGE), default_timeout=60)
    at.session_state["user"] = User("le", "leader")
    at.run()
    assert [i.value for i in at.info] == [t("review.reviewers_only", "vi")]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_queue_and_approve(demo_db: Path, lang: str) -> None:
    at = open_page(PAGE, lang, ANALYST)
    text = texts(at)
    assert t("nav.review", lang) in text and t("review.reminders_header", lang) in text
    labels = [m.label for m in at.metric]
    assert labels == [
        t(f"review.state_{s}", lang) for s in ("submitted", "returned", "approved", "missing")
    ]
    waiting = int(at.metric[0].value)
    assert waiting > 0  # the demo data: nothing reviewed yet
    sid = _pick(at, "48", demo_db)
    text = texts(at)
    assert t("review.changes_first", lang) in text and t("review.flags_header", lang) in text
    at.text_input(key=f"review_note_{sid}").input("ok")
    at.button(key="review_approve").click().run()
    assert not at.exception
    assert _state(demo_db, "48", _period(at)) == "approved"
    assert any(t("review.state_approved", lang) in s.value for s in at.success)
    assert int(at.metric[0].value) == waiting - 1


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_return_with_a_field_comment_then_the_officer_sees_it(demo_db: Path, lang: str) -> None:
    at = open_page(PAGE, lang, ANALYST)
    sid = _pick(at, "48", demo_db)
    at.multiselect(key=f"review_fields_{sid}").set_value(["it_budget"]).run()
    at.text_input(key="review_c_it_budget").input("Thiếu quyết định giao dự toán").run()
    at.button(key="review_return").click().run()
    assert not at.exception
    period = _period(at)
    assert _state(demo_db, "48", period) == "returned"
    officer = open_page("pages/upload.py", lang, DN_OFFICER, upload_period=period)
    comments = next(
        tb.value for tb in officer.table if t("review.col_comment", lang) in tb.value.columns
    )
    row = comments.iloc[0]
    assert row[t("review.col_comment", lang)] == "Thiếu quyết định giao dự toán"
    assert row[t("col.field", lang)] != t("review.whole", lang)
    assert row[t("review.col_reviewer", lang)] == "an"
    assert any(t("review.state_returned", lang) in w.value for w in officer.warning)


def test_reopen_from_the_page(demo_db: Path) -> None:
    at = open_page(PAGE, "en", ANALYST)
    sid = _pick(at, "48", demo_db)
    at.button(key="review_approve").click().run()
    at.multiselect(key="review_states_en").set_value(["approved"]).run()
    at.selectbox(key="review_pick").set_value(sid).run()
    at.button(key="review_reopen").click().run()
    assert t("msg.review_reason", "en") in [e.value for e in at.error]  # a reason is needed
    at.text_input(key=f"review_reason_{sid}").input("figures corrected").run()
    at.button(key="review_reopen").click().run()
    assert _state(demo_db, "48", _period(at)) == "submitted"


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_leaders_see_approved_figures_only_by_default(demo_db: Path, lang: str) -> None:
    leader = start_app(lang, User("le", "leader"))
    assert leader.session_state["scope"] == "approved"
    captions = [c.value for c in leader.sidebar.caption]
    assert t("review.scope_waiting", lang, n=34, period=_period(leader)) in captions, captions
    analyst = start_app(lang, ANALYST)
    assert analyst.session_state["scope"] == "all"
