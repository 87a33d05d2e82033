"""Shared UI helpers: the store, the choices every page shares, cached metric calls, roles.

Cross-page choices live in session keys set by the sidebar widgets that ``app.py`` renders on
every run: ``lang``, ``period``, ``basis``, ``scope`` (approved figures only, or all); the
signed-in account is ``user`` (a non-widget key).
"""

from __future__ import annotations

import importlib
import ipaddress
import json
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
from metrics.export import metadata
from metrics.review import review_grid, state_counts, waiting

BASES = ("reported", "current")
DEMO_ROLES_ENV = "DXBOARD_DEMO_ROLES"
DEMO_ENV = "DXBOARD_DEMO"
"""``DXBOARD_DEMO=0``: start with only the real reference data, never the synthetic demo."""
SCOPES = ("approved", "all")
"""The review switch: approved figures only, or everything submitted (metrics.review.in_scope)."""
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


def default_scope(account: User | None) -> str:
    """Leaders read approved figures only by default; everyone else all submitted ones."""
    return "approved" if account is not None and account.role == "leader" else "all"


def scope() -> str:
    """``approved`` or ``all``: the sidebar switch, or the account's default until the person
    signed in now has used it."""
    account = user()
    if st.session_state.get("scope_user") != (account.username if account else None):
        return default_scope(account)
    return st.session_state.get("scope") or default_scope(account)


def waiting_count(quarter: str) -> int:
    """How many provinces of ``quarter`` have a submission waiting for review."""
    return waiting(cached(review_grid, quarter))


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
def _cached(name: str, version: int, view: str, args: tuple, kwargs: tuple) -> Any:
    return _resolve(name)(get_store().scoped(view), *args, **dict(kwargs))


def cached(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``fn(store, *args, **kwargs)`` on the store seen with the review switch (:func:`scope`),
    cached until the data version changes.

    ``fn`` is a module-level function of ``metrics`` or ``loaders`` taking the store first;
    arguments must be hashable (strings, numbers, tuples).
    """
    return cached_view(scope(), fn, *args, **kwargs)


def cached_view(view: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """:func:`cached` with the review scope ``view`` (``all`` or ``approved``) whatever the
    switch says (the review page always reads everything submitted)."""
    key = tuple(sorted(kwargs.items()))
    return _cached(_name(fn), data_version(), view, args, key)


REVIEW_BADGES = {"approved": "green", "submitted": "blue", "returned": "orange", "missing": "red"}


def review_badges(quarter: str, lang_: str) -> None:
    """A period's provinces by review state (approved / waiting / returned / missing), as
    coloured badges."""
    counts = state_counts(cached_view("all", review_grid, quarter))
    if counts.empty:
        return
    row = counts.iloc[0]
    badges = " ".join(
        f":{colour}-badge[{t(f'review.state_{state}', lang_)}: {int(row[state])}]"
        for state, colour in REVIEW_BADGES.items()
    )
    st.markdown(f"**{t('review.badges_heading', lang_)}:** {badges}")


def scope_switch(lang_: str) -> None:
    """The sidebar switch «approved only / everything submitted»; with approved only, how many
    provinces of the period wait for review."""
    st.session_state["scope"] = st.radio(
        t("review.scope", lang_),
        SCOPES,
        index=SCOPES.index(scope()),
        key=f"scope_{lang_}",
        format_func=lambda s: t(f"review.scope_{s}", lang_),
    )
    account = user()
    st.session_state["scope_user"] = account.username if account else None
    quarter = period()
    if st.session_state["scope"] == "approved" and quarter:
        st.caption(t("review.scope_waiting", lang_, n=waiting_count(quarter), period=quarter))


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


CHART_CONFIG = {"displaylogo": False, "displayModeBar": False}
"""Plotly config of the charts: no mode bar (it covered the titles, on a phone above all)."""


def download_buttons(
    frame: Any,
    stem: str,
    key: str,
    *,
    sheet: str = "data",
    stretch: bool = False,
    meta: list[tuple[str, str]] | None = None,
) -> None:
    """Excel (the default, with a metadata sheet: ``meta`` or :func:`export_meta`), CSV and
    CSV for Vietnamese Excel (``;`` and decimal comma) downloads of ``frame``, named
    ``stem``.xlsx/.csv, keyed ``key``_xlsx/_csv/_csvvi; formula-safe, written only when
    clicked (``stretch``: in three equal columns)."""
    lg = lang()
    slots = st.columns(3) if stretch else (st.container(horizontal=True),) * 3
    width = "stretch" if stretch else "content"
    about = meta if meta is not None else export_meta(stem)
    files = (
        ("download.xlsx", lambda: to_xlsx_bytes(frame, sheet, about), "xlsx", f"{stem}.xlsx"),
        ("download.csv", lambda: to_csv_bytes(frame), "csv", f"{stem}.csv"),
        ("export.csv_vi_short", lambda: to_csv_bytes(frame, True), "csvvi", f"{stem}_vi.csv"),
    )
    for slot, (label, data, suffix, name) in zip(slots, files, strict=True):
        slot.download_button(
            t(label, lg),
            data,
            name,
            mime=XLSX_MIME if suffix == "xlsx" else "text/csv",
            key=f"{key}_{suffix}",
            on_click="ignore",
            icon=":material/download:",
            width=width,
            help=t("export.csv_vi", lg) if suffix == "csvvi" else None,
            type="primary" if suffix == "xlsx" else "secondary",
        )


def export_meta(
    table: str, quarter: str | None = None, shown_basis: str | None = None
) -> list[tuple[str, str]]:
    """The metadata rows of an export of the page's period and basis (or those given)."""
    return metadata(table, quarter or period(), shown_basis or basis(), datasets(), lang())


# Screen readers read the DOM text, not the CSS: the button and the limits line of each zone
# also get an aria-label, re-applied by an observer when Streamlit redraws the uploader.
_ARIA_SCRIPT = """(() => {
  window.__dxDropzones = Object.assign(window.__dxDropzones || {}, %s);
  const apply = () => Object.entries(window.__dxDropzones).forEach(([box, t]) => {
    document.querySelectorAll(box).forEach((z) => {
      const b = z.querySelector('button');
      if (b && b.getAttribute('aria-label') !== t.button) b.setAttribute('aria-label', t.button);
      const i = z.querySelector('[data-testid="stFileUploaderDropzoneInstructions"]');
      if (i && i.getAttribute('aria-label') !== t.limits) {
        i.setAttribute('aria-label', t.limits);
        i.setAttribute('role', 'note');
      }
    });
  });
  apply();
  if (!window.__dxDropzoneObserver) {
    window.__dxDropzoneObserver = new MutationObserver(apply);
    window.__dxDropzoneObserver.observe(document.body, {childList: true, subtree: true});
  }
})();"""


def dropzone_texts(zone: str, limits: str) -> None:
    """The button and limits line of the file uploaders inside the container keyed ``zone``,
    in the UI language: Streamlit writes them in English and has no parameter for them, so CSS
    swaps the visible text and a small script the accessible names (if Streamlit renames these
    elements, its English text simply shows again)."""
    label = t("upload.dropzone_button", lang())
    button = json.dumps(label, ensure_ascii=False)
    shown = json.dumps(limits, ensure_ascii=False)
    box = f'.st-key-{zone} [data-testid="stFileUploaderDropzone"]'
    st.html(f"""<style>
{box} button [data-testid="stMarkdownContainer"] p,
{box} [data-testid="stFileUploaderDropzoneInstructions"] span {{font-size: 0}}
{box} button [data-testid="stMarkdownContainer"] p::after {{content: {button}; font-size: 14px}}
{box} [data-testid="stFileUploaderDropzoneInstructions"] span::after {{
  content: {shown}; font-size: 14px}}
</style>""")
    texts = json.dumps({box: {"button": label, "limits": limits}}, ensure_ascii=False)
    st.html(f"<script>{_ARIA_SCRIPT % texts}</script>", unsafe_allow_javascript=True)


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
