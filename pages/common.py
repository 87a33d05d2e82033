"""Shared UI helpers: the store, the choices every page shares, cached metric calls, roles.

Cross-page choices live in session keys set by the sidebar widgets that ``app.py`` renders on
every run: ``lang``, ``period``, ``basis``; the signed-in account is ``user`` (a non-widget key).
"""

from __future__ import annotations

import importlib
import ipaddress
import os
import time
from collections.abc import Callable
from typing import Any

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from dxboard.auth import AuthError, User, has_accounts, record_login, user_from_claims
from dxboard.i18n import DEFAULT_LANG, t
from dxboard.store import Store, submissions
from loaders.demo import load_demo
from loaders.reference import ensure_reference
from loaders.writers import to_csv_bytes, to_xlsx_bytes

BASES = ("reported", "current")
DEMO_ROLES_ENV = "DXBOARD_DEMO_ROLES"
DEMO_ENV = "DXBOARD_DEMO"
"""``DXBOARD_DEMO=0``: start with only the real reference data, never the synthetic demo."""
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _route_through_app() -> None:
    """Make every run go through ``app.py``, even when Streamlit started a page script itself.

    The design card names the page folder ``pages/``; Streamlit then starts in its legacy
    multipage mode (a process-wide flag, set once) until ``st.navigation`` runs. A first request
    for a deep link such as ``/login`` would run that page alone, without the router, the
    sidebar or the access rules. Clearing the flag and rerunning sends it through ``app.py``.
    """
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


_route_through_app()


def demo_wanted() -> bool:
    """Whether an empty database gets the demo data (not with ``DXBOARD_DEMO=0``)."""
    return os.environ.get(DEMO_ENV, "1").strip().lower() not in ("0", "false", "no")


@st.cache_resource(show_spinner=False)
def get_store() -> Store:
    """One store per server process; the published DTI is loaded if these bytes never were,
    and on an empty database the demo data too (unless ``DXBOARD_DEMO=0``)."""
    store = Store()
    ensure_reference(store)
    if demo_wanted() and not submissions.periods_with_data(store):
        started = time.perf_counter()
        with st.spinner(t("app.loading_demo", lang())):
            summary = load_demo(store)
        st.session_state["demo_loaded_note"] = t(
            "app.demo_loaded",
            lang(),
            reports=summary.reports,
            seconds=f"{time.perf_counter() - started:.1f}",
        )
    return store


def lang() -> str:
    return st.session_state.get("lang", DEFAULT_LANG)


def period() -> str | None:
    """The selected quarter (default: the latest with data)."""
    return st.session_state.get("period") or latest_period()


def basis() -> str:
    return st.session_state.get("basis", "reported")


def user() -> User | None:
    return st.session_state.get("user")


def latest_period() -> str | None:
    periods = cached_periods()
    return periods[-1] if periods else None


def data_version() -> int:
    return get_store().data_version()


@st.cache_data(max_entries=4, show_spinner=False)
def _periods(version: int) -> list[str]:
    return submissions.periods_with_data(get_store())


def cached_periods() -> list[str]:
    return _periods(data_version())


@st.cache_data(max_entries=256, ttl=3600, show_spinner=False)
def _cached(name: str, version: int, args: tuple, kwargs: tuple) -> Any:
    return _resolve(name)(get_store(), *args, **dict(kwargs))


def cached(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``fn(store, *args, **kwargs)``, cached until the data version changes.

    ``fn`` is a module-level function of ``metrics`` or ``loaders`` taking the store first;
    arguments must be hashable (strings, numbers, tuples).
    """
    return _cached(_name(fn), data_version(), args, tuple(sorted(kwargs.items())))


@st.cache_resource(max_entries=64, show_spinner=False)
def _figure(name: str, args: tuple, kwargs: tuple) -> Any:
    return _resolve(name)(*args, **dict(kwargs))


def figure(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``fn(*args, **kwargs)``, a Plotly figure builder of ``pages.figures``, built once per
    distinct input and shared between reruns and sessions.

    Building and validating a figure costs 20–60 ms; every rerun of a page (a widget change,
    the language switched back) would pay it again. The figure is shared: hand it to
    ``st.plotly_chart`` (which copies it) and never change it.
    """
    return _figure(_name(fn), args, tuple(sorted(kwargs.items())))


def _name(fn: Callable[..., Any]) -> str:
    return f"{fn.__module__}.{fn.__qualname__}"


def _resolve(name: str) -> Callable[..., Any]:
    module, _, attr = name.rpartition(".")
    return getattr(importlib.import_module(module), attr)


def download_buttons(
    frame: Any, stem: str, key: str, *, sheet: str = "data", stretch: bool = False
) -> None:
    """CSV and Excel downloads of ``frame`` side by side (``stretch``: in two equal columns),
    named ``stem``.csv/.xlsx, keyed ``key``_csv/_xlsx; formula-safe, written only when
    clicked."""
    left, right = st.columns(2) if stretch else (st.container(horizontal=True),) * 2
    width = "stretch" if stretch else "content"
    left.download_button(
        t("download.csv", lang()),
        lambda: to_csv_bytes(frame),
        f"{stem}.csv",
        mime="text/csv",
        key=f"{key}_csv",
        on_click="ignore",
        icon=":material/download:",
        width=width,
    )
    right.download_button(
        t("download.xlsx", lang()),
        lambda: to_xlsx_bytes(frame, sheet),
        f"{stem}.xlsx",
        mime=XLSX_MIME,
        key=f"{key}_xlsx",
        on_click="ignore",
        icon=":material/download:",
        width=width,
    )


def datasets() -> list[str]:
    return cached(submissions.datasets)


def demo_banner() -> None:
    """The synthetic-data warning, on every page that shows demo data."""
    shown = datasets()
    if "demo" in shown:
        st.warning(t("banner.demo", lang()), icon="⚠️")
    if len(shown) > 1:
        st.info(t("banner.mixed", lang()), icon="ℹ️")


def demo_roles_available() -> bool:
    """Demo mode: only demo data and no accounts yet, so a role may be picked without a password,
    and only on a server reachable from this machine alone (:func:`on_loopback`) or with
    ``DXBOARD_DEMO_ROLES=1``."""
    if not (demo_roles_enabled() or on_loopback()):
        return False
    store = get_store()
    return datasets() == ["demo"] and not has_accounts(store)


def demo_roles_enabled() -> bool:
    return os.environ.get(DEMO_ROLES_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def on_loopback() -> bool:
    """Whether the server listens on a loopback address only and the request came straight to
    it (no proxy header): only then is everyone who reaches the app on this machine.

    The Host header is not used: any client can send ``Host: localhost``.
    """
    address = str(st.get_option("server.address") or "").strip("[]")
    if not _is_loopback(address):
        return False
    headers = {k.lower() for k in st.context.headers}
    return not headers & {"x-forwarded-for", "forwarded", "x-real-ip"}


def _is_loopback(address: str) -> bool:
    if address == "localhost":
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:  # empty (every interface) or a host name
        return False


def sso_configured() -> bool:
    """Whether ``.streamlit/secrets.toml`` has an ``[auth]`` section (OpenID Connect)."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file, or an unreadable one: no SSO
        return False


def sso_logged_in() -> bool:
    try:
        return bool(st.user.is_logged_in)
    except Exception:  # st.user without an auth configuration
        return False


def adopt_sso_user() -> None:
    """Turn an OIDC sign-in (``st.user``) into the session account once, and log it.

    Called by ``app.py`` on every run, since ``st.login`` returns to the app's root.
    """
    if user() is not None or not sso_configured() or not sso_logged_in():
        return
    try:
        account = user_from_claims(st.user.to_dict())
    except AuthError as exc:
        message = exc.message(lang())
        st.error(t("login.sso_refused", lang(), message=message))
        return
    record_login(get_store(), account)
    st.session_state["user"] = account
    st.rerun()


def need(condition: bool, key: str) -> None:
    """Stop the page with a clear message when ``condition`` fails."""
    if not condition:
        st.info(t(key, lang()))
        st.stop()
