"""Sign-in: local accounts, single sign-on (OIDC, when configured) and the demo roles.

The signed-in account is ``st.session_state["user"]`` (a :class:`dxboard.auth.User`). After a
sign-in or sign-out the app reruns so that the sidebar and the page list follow the role.
"""

from __future__ import annotations

import streamlit as st

from dxboard.auth import (
    ROLES,
    AuthError,
    User,
    authenticate,
    viewing_requires_login,
)
from dxboard.i18n import t
from dxboard.registry import load_registry
from dxboard.sessions import demo_user
from pages.common import (
    adopt_sso_user,
    demo_roles_available,
    get_store,
    lang,
    sso_configured,
    sso_logged_in,
    user,
)
from pages.state import sign_in, sign_out
from pages.upload_flow import is_demo_user, role_label


def _message(exc: AuthError) -> str:
    return exc.message(lang())


def _sign_in(account: User) -> None:
    sign_in(account)
    st.session_state["login_welcome"] = account.label
    st.rerun()


def _password_form() -> None:
    st.subheader(t("login.form_header", lang()))
    with st.form("login_form"):
        username = st.text_input(t("login.username", lang()), autocomplete="username")
        password = st.text_input(
            t("login.password", lang()), type="password", autocomplete="current-password"
        )
        submitted = st.form_submit_button(t("login.submit", lang()), type="primary")
    st.caption(t("login.accounts_note", lang()))
    if not submitted:
        return
    if not username.strip() or not password:
        st.warning(t("login.missing", lang()))
        return
    try:
        account = authenticate(get_store(), username, password)
    except AuthError as exc:
        st.error(_message(exc))
        return
    _sign_in(account)


def _sso_section() -> None:
    st.subheader(t("login.sso_header", lang()))
    if st.button(t("login.sso_button", lang()), icon=":material/key:"):
        st.login()


def _demo_section() -> None:
    """Demo roles without a password (only demo data and no accounts): session only."""
    st.subheader(t("login.demo_header", lang()))
    st.caption(t("login.demo_note", lang()))
    lg = lang()
    role = st.selectbox(
        t("login.demo_role", lg),
        ROLES,
        key="login_demo_role",
        format_func=lambda r: role_label(r, lg),
    )
    st.caption(t(f"login.may_{role}", lang()))
    code = None
    if role == "officer":
        provinces = sorted(load_registry().provinces("current"), key=lambda p: p.ascii_name)
        names = {p.code: p.short_name for p in provinces}
        code = st.selectbox(
            t("login.demo_province", lang()),
            list(names),
            key="login_demo_prov",
            format_func=names.__getitem__,
        )
    if st.button(t("login.demo_submit", lang()), type="primary"):
        _sign_in(demo_user(role, code))


def _signed_in_view(account: User) -> None:
    if welcome := st.session_state.pop("login_welcome", None):
        st.success(t("login.welcome", lang(), name=welcome))
    st.markdown(
        t("login.signed_in", lang(), name=account.label, role=role_label(account.role, lang()))
    )
    if account.province_code:
        province = load_registry().get(account.province_code, "current").short_name
        st.markdown(t("login.signed_in_province", lang(), province=province))
    st.caption(t(f"login.may_{account.role}", lang()))
    if is_demo_user(account):
        st.caption(t("login.signed_in_demo", lang()))
    urls = st.session_state.get("page_urls", {})
    links = [
        ("upload", "login.go_upload", account.uploads_anything),
        ("admin", "login.go_admin", account.is_admin),
        ("overview", "login.go_overview", True),
    ]
    for key, label, show in links:
        if show and key in urls:
            st.page_link(urls[key], label=t(label, lang()))
    if st.button(t("login.sign_out", lang()), icon=":material/logout:"):
        sign_out()
        if sso_configured() and sso_logged_in():
            st.logout()
        st.rerun()


st.title(t("nav.login", lang()))
adopt_sso_user()
current = user()
if current is not None:
    _signed_in_view(current)
    st.stop()
st.caption(t("login.intro_closed" if viewing_requires_login() else "login.intro", lang()))
if demo_roles_available():
    with st.container(border=True):
        _demo_section()
left, right = st.columns(2)
with left:
    _password_form()
if sso_configured():
    with right:
        _sso_section()
