"""The administration page: hidden and refused for non-admins; the audit log (translated,
filtered, exported); the accounts with disable/enable; the create-account form."""

from __future__ import annotations

from pathlib import Path

import pytest
from apptest import open_page, start_app
from streamlit.testing.v1 import AppTest

from dxboard.auth import AuthError, User, authenticate, create_user, get_user, list_users
from dxboard.i18n import t
from dxboard.store import Store

ROOT = Path(__file__).resolve().parent.parent
ADMIN = User(username="quantri", role="admin", display_name="Quản trị viên")
PASSWORD = "mat-khau-dai-12"


def _page(lang: str = "vi", account: User | None = ADMIN) -> AppTest:
    return open_page("pages/admin.py", lang, account)


def _audit(at: AppTest, lang: str):
    return next(d.value for d in at.dataframe if t("admin.col_action", lang) in d.value.columns)


def _store(path: Path) -> Store:
    return Store(path)


@pytest.mark.parametrize(
    "account",
    [
        None,
        User("boss", "leader"),
        User("pt", "analyst"),
        User("dn", "officer", province_code="48", province_era="current"),
    ],
    ids=["signed_out", "leader", "analyst", "officer"],
)
def test_hidden_from_non_admins(demo_db: Path, account: User | None) -> None:
    at = start_app("vi", account)
    assert "admin" not in at.session_state["page_urls"]
    with pytest.raises(ValueError, match=r"admin\.py"):
        at.switch_page(str(ROOT / "pages" / "admin.py"))


def test_page_itself_refuses_non_admins(demo_db: Path) -> None:
    """Run on its own (no router), the page still checks the role and stops."""
    at = AppTest.from_file(str(ROOT / "pages" / "admin.py"), default_timeout=60)
    at.session_state["user"] = User("boss", "leader")
    at.run()
    assert [i.value for i in at.info] == [t("admin.only_admins", "vi")]
    assert not at.dataframe and not at.tabs


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_audit_log_is_translated(demo_db: Path, lang: str) -> None:
    with _store(demo_db) as store, pytest.raises(AuthError):
        authenticate(store, "ai-do", "sai-mat-khau-99")
    at = _page(lang)
    log = _audit(at, lang)
    actions = set(log[t("admin.col_action", lang)])
    assert {t("admin.action_upload", lang), t("admin.action_login_failed", lang)} <= actions
    assert not actions & {"upload", "login_failed"}  # never the codes
    failed = log[log[t("admin.col_action", lang)] == t("admin.action_login_failed", lang)]
    assert t("admin.reason_unknown_user", lang) in failed[t("admin.col_detail", lang)].iloc[0]
    time = log[t("admin.col_time", lang)].iloc[0]
    assert (time[2] == "/") if lang == "vi" else (time[4] == "-")
    assert [b.label for b in at.get("download_button")] == [
        t("download.xlsx", lang),  # the default first
        t("download.csv", lang),
        t("export.csv_vi_short", lang),
    ]


def test_audit_filter_by_action(demo_db: Path) -> None:
    with _store(demo_db) as store, pytest.raises(AuthError):
        authenticate(store, "ai-do", "sai-mat-khau-99")
    at = _page("vi")
    at.multiselect(key="admin_actions").set_value(["login_failed"]).run()
    log = _audit(at, "vi")
    assert len(log) == 1 and log[t("admin.col_actor", "vi")].iloc[0] == "ai-do"
    at.text_input(key="admin_actor").input("không-có-ai").run()
    assert t("admin.audit_empty", "vi") in [i.value for i in at.info]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_create_account(demo_db: Path, lang: str) -> None:
    at = _page(lang)
    at.text_input(key="admin_new_username").input("canbo.dn")
    at.text_input(key="admin_new_name").input("Cán bộ Đà Nẵng")
    at.selectbox(key="admin_new_role").set_value("officer")
    at.selectbox(key="admin_new_province").set_value("48")
    at.text_input(key="admin_new_password").input(PASSWORD)
    at.text_input(key="admin_new_password2").input(PASSWORD)
    next(b for b in at.button if b.label == t("admin.create_submit", lang)).click()
    at.run()
    assert not at.exception
    assert t("admin.created", lang, username="canbo.dn", role=t("login.role_officer", lang)) in [
        s.value for s in at.success
    ]
    with _store(demo_db) as store:
        account = get_user(store, "canbo.dn")
    assert (account.role, account.province_code) == ("officer", "48")
    assert at.text_input(key="admin_new_password").value == ""  # never left in the form
    assert "canbo.dn" in "\n".join(m.value for m in at.markdown)  # in the account list


@pytest.mark.parametrize(
    ("password", "password2", "message"),
    [
        (PASSWORD, "khac-mat-khau-1", "Hai mật khẩu không giống nhau."),
        ("ngan", "ngan", "Mật khẩu phải có ít nhất 10 ký tự."),
    ],
)
def test_create_account_errors(demo_db: Path, password: str, password2: str, message: str) -> None:
    at = _page("vi")
    at.text_input(key="admin_new_username").input("canbo.dn")
    at.selectbox(key="admin_new_province").set_value("48")
    at.text_input(key="admin_new_password").input(password)
    at.text_input(key="admin_new_password2").input(password2)
    next(b for b in at.button if b.label == t("admin.create_submit", "vi")).click()
    at.run()
    assert [e.value for e in at.error] == [message]
    with _store(demo_db) as store:
        assert get_user(store, "canbo.dn") is None


def test_officer_needs_a_province(demo_db: Path) -> None:
    at = _page("en")
    at.text_input(key="admin_new_username").input("canbo.dn")
    at.text_input(key="admin_new_password").input(PASSWORD)
    at.text_input(key="admin_new_password2").input(PASSWORD)
    next(b for b in at.button if b.label == t("admin.create_submit", "en")).click()
    at.run()
    assert [e.value for e in at.error] == ["An officer account needs a province (--province)."]


def test_disable_and_enable_an_account(demo_db: Path) -> None:
    with _store(demo_db) as store:
        create_user(store, "phantich", PASSWORD, "analyst")
        create_user(store, ADMIN.username, PASSWORD, "admin")
    at = _page("vi")
    assert at.toggle(key=f"admin_active_{ADMIN.username}").disabled  # not oneself
    at.toggle(key="admin_active_phantich").set_value(False).run()
    assert t("admin.toggle_saved_off", "vi", username="phantich") in [s.value for s in at.success]
    with _store(demo_db) as store:
        assert get_user(store, "phantich").disabled
    at.toggle(key="admin_active_phantich").set_value(True).run()
    with _store(demo_db) as store:
        assert not get_user(store, "phantich").disabled
        actions = [
            r[0]
            for r in store.cursor()
            .execute("SELECT action FROM events WHERE actor = ? ORDER BY id", [ADMIN.username])
            .fetchall()
        ]
    assert actions[-2:] == ["user_disabled", "user_enabled"]


def test_demo_admin_cannot_create_accounts(demo_db: Path) -> None:
    at = _page("vi", User("demo:admin", "admin"))
    assert t("admin.demo_no_accounts", "vi") in [i.value for i in at.info]
    assert not [b for b in at.button if b.label == t("admin.create_submit", "vi")]
    with _store(demo_db) as store:
        assert list_users(store) == []
