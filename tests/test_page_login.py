"""The sign-in page: local accounts (right, wrong, disabled, locked), demo roles, sign-out."""

from __future__ import annotations

from pathlib import Path

import pytest
from apptest import open_page, texts
from streamlit.testing.v1 import AppTest

from dxboard.auth import AuthError, User, authenticate, create_user, set_disabled
from dxboard.i18n import t
from dxboard.store import Store

PAGE = "pages/login.py"
PASSWORD = "mat-khau-dai-12"


@pytest.fixture(autouse=True)
def _demo_roles_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    """AppTest has no server address; demo roles are allowed here by the setting."""
    monkeypatch.setenv("DXBOARD_DEMO_ROLES", "1")


def _button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def _sign_in(at: AppTest, lang: str, username: str, password: str) -> AppTest:
    at.text_input[0].input(username)
    at.text_input[1].input(password)
    _button(at, t("login.submit", lang)).click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _add_account(
    path: Path, name: str = "phantich", role: str = "analyst", province: str | None = None
) -> None:
    with Store(path) as store:
        create_user(store, name, PASSWORD, role, province, "Chuyên viên A")


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_signed_out_page_offers_form_and_demo_roles(demo_db: Path, lang: str) -> None:
    at = open_page(PAGE, lang)
    text = texts(at)
    assert t("nav.login", lang) in text
    assert t("login.demo_header", lang) in text  # demo data, no account yet
    assert [w.label for w in at.text_input] == [
        t("login.username", lang),
        t("login.password", lang),
    ]
    assert t("login.sso_header", lang) not in text  # no [auth] secrets here


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_demo_officer_role(demo_db: Path, lang: str) -> None:
    at = open_page(PAGE, lang)
    at.selectbox(key="login_demo_role").set_value("officer").run()
    at.selectbox(key="login_demo_prov").set_value("48").run()
    _button(at, t("login.demo_submit", lang)).click()
    at.run()
    account = at.session_state["user"]
    assert (account.role, account.province_code, account.province_era) == (
        "officer",
        "48",
        "current",
    )
    assert account.username.startswith("demo:")
    text = texts(at)
    assert "Đà Nẵng" in text and t("login.signed_in_demo", lang) in text
    assert "upload" in at.session_state["page_urls"]
    assert at.session_state["page_urls"]["login"].title == t("nav.account", lang)


def test_demo_admin_sees_admin_page(demo_db: Path) -> None:
    at = open_page(PAGE, "vi")
    at.selectbox(key="login_demo_role").set_value("admin").run()
    _button(at, t("login.demo_submit", "vi")).click()
    at.run()
    assert at.session_state["user"].is_admin
    assert "admin" in at.session_state["page_urls"]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_password_sign_in(demo_db: Path, lang: str) -> None:
    _add_account(demo_db)
    at = open_page(PAGE, lang)
    assert t("login.demo_header", lang) not in texts(at)  # accounts exist: no demo roles
    _sign_in(at, lang, "phantich", "sai-mat-khau-99")
    assert [e.value for e in at.error] == [
        "Tên đăng nhập hoặc mật khẩu không đúng." if lang == "vi" else "Wrong username or password."
    ]
    assert "user" not in at.session_state
    _sign_in(at, lang, "PhanTich ", PASSWORD)
    assert at.session_state["user"].role == "analyst"
    text = texts(at)
    assert t("login.welcome", lang, name="Chuyên viên A") in text
    assert t("login.role_analyst", lang) in text


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_disabled_and_locked_accounts(demo_db: Path, lang: str) -> None:
    _add_account(demo_db)
    _add_account(demo_db, "khoa", "leader")
    with Store(demo_db) as store:
        set_disabled(store, "phantich", True)
        for _ in range(5):
            with pytest.raises(AuthError):
                authenticate(store, "khoa", "sai-mat-khau-99")
    at = _sign_in(open_page(PAGE, lang), lang, "phantich", PASSWORD)
    assert at.error[0].value == (
        "Tài khoản đã bị vô hiệu hoá. Hãy liên hệ quản trị viên."
        if lang == "vi"
        else "This account is disabled. Contact an administrator."
    )
    _sign_in(at, lang, "khoa", PASSWORD)
    assert (
        "Đăng nhập sai quá nhiều lần" if lang == "vi" else "Too many failed sign-ins"
    ) in at.error[0].value
    assert "user" not in at.session_state


def test_empty_form_asks_for_both_fields(demo_db: Path) -> None:
    at = open_page(PAGE, "en")
    _button(at, t("login.submit", "en")).click()
    at.run()
    assert at.warning[-1].value == t("login.missing", "en")


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_sign_out(demo_db: Path, lang: str) -> None:
    at = open_page(PAGE, lang, User("admin", "admin", "Quản trị viên"))
    text = texts(at)
    assert (
        t("login.signed_in", lang, name="Quản trị viên", role=t("login.role_admin", lang)) in text
    )
    _button(at, t("login.sign_out", lang)).click()
    at.run()
    assert "user" not in at.session_state
    assert "admin" not in at.session_state["page_urls"]


@pytest.mark.parametrize(
    ("address", "setting", "headers", "offered"),
    [
        ("", "", {}, False),  # every interface (the default of `streamlit run`)
        ("0.0.0.0", "", {}, False),
        ("192.168.1.5", "", {}, False),
        ("127.0.0.1", "", {}, True),
        ("::1", "", {}, True),
        ("localhost", "", {}, True),
        ("127.0.0.1", "", {"X-Forwarded-For": "203.0.113.9"}, False),  # behind a proxy
        ("0.0.0.0", "1", {}, True),
        ("0.0.0.0", "0", {}, False),
    ],
)
def test_demo_roles_only_on_loopback_or_when_allowed(
    monkeypatch: pytest.MonkeyPatch, address: str, setting: str, headers: dict, offered: bool
) -> None:
    from pages import common

    monkeypatch.setenv("DXBOARD_DEMO_ROLES", setting)
    monkeypatch.setattr(common.st, "get_option", lambda name: address)
    monkeypatch.setattr(common.st, "context", type("C", (), {"headers": headers})())
    assert (common.demo_roles_enabled() or common.on_loopback()) is offered


def test_demo_roles_hidden_when_not_on_loopback(
    demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DXBOARD_DEMO_ROLES")  # AppTest: no loopback server address either
    at = open_page(PAGE, "en")
    assert t("login.demo_header", "en") not in texts(at)
    assert not [s for s in at.selectbox if s.key == "login_demo_role"]
