"""Entry point: ``streamlit run app.py``. A router: shared sidebar state and the page list."""

from __future__ import annotations

import importlib
import pkgutil

import streamlit as st

# (key, file, icon, who sees it): "all", "admin", "reviewer" (analysts and admins), or
# "signed_out_ok" for the sign-in page.
PAGES = [
    ("overview", "pages/overview.py", ":material/dashboard:", "all"),
    ("compare", "pages/compare.py", ":material/map:", "all"),
    ("profile", "pages/profile.py", ":material/account_balance:", "all"),
    ("completeness", "pages/completeness.py", ":material/event_available:", "all"),
    ("upload", "pages/upload.py", ":material/upload_file:", "all"),
    ("review", "pages/review.py", ":material/fact_check:", "reviewer"),
    ("methodology", "pages/methodology.py", ":material/menu_book:", "all"),
    ("admin", "pages/admin.py", ":material/admin_panel_settings:", "admin"),
    ("login", "pages/login.py", ":material/login:", "signed_out_ok"),
]


@st.cache_resource(show_spinner=False)
def _import_once() -> None:
    """Import the app's modules in one session at a time. Sessions that start together after a
    restart would otherwise import them concurrently, and Python 3.11's import locks can then
    hand one a half-initialised module ("cannot import name ..."): seen with 8 browsers."""
    scripts = {path.removesuffix(".py").replace("/", ".") for _, path, _, _ in PAGES}
    for package in ("dxboard", "loaders", "metrics", "pages"):
        for info in pkgutil.walk_packages(importlib.import_module(package).__path__, f"{package}."):
            if info.name not in scripts:
                importlib.import_module(info.name)


_import_once()

from dxboard.auth import viewing_requires_login
from dxboard.catalogue import load_catalogue
from dxboard.i18n import LANGS, fmt_period, t
from pages.common import (
    BASES,
    adopt_sso_user,
    cached_periods,
    demo_banner,
    get_store,
    lang,
    scope_switch,
    user,
)
from pages.state import publish_view, restore_sign_in, restore_view, write_cookie

st.set_page_config(page_title=t("app.short_title", lang()), page_icon="📊", layout="wide")
load_catalogue()  # an invalid catalogue stops start-up here, naming the entry
restore_view()  # a bookmarked or shared link: language, period, basis, indicator, province
st.session_state.setdefault("lang", "vi")
st.session_state.setdefault("basis", "reported")
get_store()
restore_sign_in()  # after a reload: the signed cookie, before the page list follows the role


def _visible(who: str) -> bool:
    account = user()
    if viewing_requires_login() and account is None:
        return who == "signed_out_ok"
    if who == "reviewer":
        return account is not None and account.can_review
    return who != "admin" or (account is not None and account.is_admin)


def _title(key: str) -> str:
    signed_in = key == "login" and user() is not None  # the page then offers "sign out"
    return t("nav.account" if signed_in else f"nav.{key}", lang())


visible = [(key, path, icon) for key, path, icon, who in PAGES if _visible(who)]
pages = {
    key: st.Page(path, title=_title(key), icon=icon, url_path=key if i else "home", default=not i)
    for i, (key, path, icon) in enumerate(visible)
}
# Streamlit serves the first page at "/" only; its hidden twin answers a typed "/overview".
home, home_path, _ = visible[0]
twin = st.Page(home_path, title=_title(home), url_path=home, visibility="hidden")
page = st.navigation([*pages.values(), twin])  # first: Streamlit never lists pages/ by itself
page_key = next((key for key, p in pages.items() if p is page), home)
st.session_state["page_urls"] = {key: p for key, p in pages.items()}

with st.sidebar:
    st.radio(
        t("app.language", lang()),
        LANGS,
        key="lang",
        horizontal=True,
        format_func=lambda code: {"vi": "Tiếng Việt", "en": "English"}[code],
    )
adopt_sso_user()
periods = cached_periods()
with st.sidebar:
    if periods and st.session_state.get("period") not in periods:
        st.session_state["period"] = periods[-1]
    L = lang()  # bound now: widgets may format their options outside the script run
    if periods:
        st.selectbox(
            t("app.period", L), periods[::-1], key="period", format_func=lambda p: fmt_period(p, L)
        )
    # The labels change with the language, so the widget is keyed per language and the choice
    # itself lives in the plain session key "basis", which every page reads.
    st.session_state["basis"] = st.radio(
        t("app.basis", L),
        BASES,
        index=BASES.index(st.session_state["basis"]),
        key=f"basis_{L}",
        help=t("app.basis_help", L),
        format_func=lambda b: t(f"app.basis_{b}", L),
    )
    if periods:
        scope_switch(L)
    account = user()
    if account is not None:
        role = t(f"login.role_{account.role}", L)
        st.caption(t("app.signed_in_as", L, name=account.label, role=role))
    write_cookie()
if note := st.session_state.pop("demo_loaded_note", None):
    st.toast(note)
if page_key != "login":
    demo_banner()
try:
    page.run()
finally:  # also when the page stops early: the address bar holds the view
    publish_view(page_key)
