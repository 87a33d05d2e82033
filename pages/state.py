"""State that survives a reload: the sign-in (a signed cookie) and the view (the URL).

- Sign-in: :func:`sign_in` keeps the account in the session and asks the browser to store a
  signed, expiring token (``dxboard.sessions``) in the cookie ``dxboard_session``;
  :func:`restore_sign_in` reads it back (``st.context.cookies``) on the first run of a new
  session, i.e. after F5; :func:`sign_out` clears both. Streamlit has no cookie setter, so the
  cookie is written by a two-line script (``st.html`` with JavaScript): it cannot be HttpOnly
  (docs/SECURITY.md).
- View: language, period, basis, indicator (Compare) and province (Profile) are query
  parameters (:data:`URL_PARAMS`); :func:`restore_view` applies them once per session, and
  :func:`publish_view` writes the current choices back on every run, so the address bar always
  holds a link to what is on screen.
"""

from __future__ import annotations

import json

import streamlit as st

from dxboard.auth import User
from dxboard.i18n import LANGS
from dxboard.periods import Period
from dxboard.registry import load_registry
from dxboard.sessions import COOKIE, DEMO_PREFIX, LIFETIME, issue, restore
from pages.common import BASES, cached_periods, demo_roles_available, get_store, user

URL_PARAMS = ("lang", "period", "basis", "indicator", "province")
INDICATOR_KEY = "compare_indicator"  # the Compare page's widget (its copy: "_compare_indicator")
_COOKIE_JS = "dxboard_cookie_js"
_SIGNED_OUT = "dxboard_signed_out"
_RESTORED = "dxboard_view_restored"


# ----------------------------------------------------------------------------- sign-in
def sign_in(account: User) -> None:
    """Keep ``account`` in the session and in the browser's cookie; open its own province."""
    st.session_state["user"] = account
    st.session_state.pop(_SIGNED_OUT, None)
    token = issue(get_store(), account)
    if token:
        st.session_state[_COOKIE_JS] = _cookie_script(token, int(LIFETIME.total_seconds()))
    _home_province(account)


def sign_out() -> None:
    """Forget the account in the session and clear the cookie (this session ignores the old
    cookie it was opened with)."""
    st.session_state.pop("user", None)
    st.session_state[_SIGNED_OUT] = True
    st.session_state[_COOKIE_JS] = _cookie_script("", 0)


def restore_sign_in() -> None:
    """On a new session (a reload), the account of a valid cookie, if any."""
    if user() is not None or st.session_state.get(_SIGNED_OUT):
        return
    token = st.context.cookies.get(COOKIE)
    if not isinstance(token, str) or not token:
        return
    account = restore(get_store(), token)
    if account is not None and account.username.startswith(DEMO_PREFIX):
        account = account if demo_roles_available() else None
    if account is None:  # bad, expired, disabled: drop the cookie
        st.session_state[_SIGNED_OUT] = True
        st.session_state[_COOKIE_JS] = _cookie_script("", 0)
        return
    st.session_state["user"] = account
    _home_province(account)


def write_cookie() -> None:
    """Run the pending cookie script once (after a sign-in or sign-out)."""
    script = st.session_state.pop(_COOKIE_JS, None)
    if script:
        st.html(f"<script>{script}</script>", unsafe_allow_javascript=True, width="content")


def _cookie_script(token: str, max_age: int) -> str:
    """``document.cookie = …``: path /, SameSite=Strict, Secure over HTTPS."""
    value = json.dumps(f"{COOKIE}={token}; Path=/; Max-Age={max_age}; SameSite=Strict")
    secure = "(location.protocol === 'https:' ? '; Secure' : '')"
    return f"document.cookie = {value} + {secure};"


def _home_province(account: User) -> None:
    """An officer opens on its own province (Profile), unless the link named another."""
    if account.province_code and not st.query_params.get("province"):
        st.session_state["profile_province"] = account.province_code
        st.session_state["profile_era"] = "current"


# ----------------------------------------------------------------------------- the URL
def restore_view() -> None:
    """Apply the query parameters once per session: valid values win, others are ignored."""
    if st.session_state.get(_RESTORED):
        return
    st.session_state[_RESTORED] = True
    params = st.query_params
    if params.get("lang") in LANGS:
        st.session_state["lang"] = params["lang"]
    if params.get("basis") in BASES:
        st.session_state["basis"] = params["basis"]
    if params.get("period") in cached_periods():
        st.session_state["period"] = params["period"]
    if indicator := params.get("indicator"):  # the page falls back when it is not offered
        st.session_state[f"_{INDICATOR_KEY}"] = indicator
    if province := params.get("province"):
        _restore_province(province)


def _restore_province(value: str) -> None:
    era = Period.parse(st.session_state.get("period") or cached_periods()[-1]).era
    try:
        province = load_registry().match(value, era=era)
    except (KeyError, ValueError):
        return
    st.session_state["profile_province"] = province.code
    st.session_state["profile_era"] = era


def publish_view(page_key: str) -> None:
    """Write the current choices into the address bar (only what differs is changed)."""
    wanted: dict[str, str] = {
        "lang": st.session_state.get("lang", "vi"),
        "basis": st.session_state.get("basis", "reported"),
    }
    if chosen := st.session_state.get("period"):
        wanted["period"] = chosen
    if page_key == "compare":
        indicator = st.session_state.get(INDICATOR_KEY) or st.session_state.get(f"_{INDICATOR_KEY}")
        if indicator:
            wanted["indicator"] = str(indicator)
    if page_key == "profile" and (code := st.session_state.get("profile_province")):
        wanted["province"] = str(code)
    current = {key: st.query_params.get(key) for key in URL_PARAMS}
    if {k: v for k, v in current.items() if v is not None} != wanted:
        st.query_params.from_dict(wanted)
