"""Shared UI helpers: the store, the choices every page shares, cached metric calls, roles.

Cross-page choices live in session keys set by the sidebar widgets that ``app.py`` renders on
every run: ``lang``, ``period``, ``basis``; the signed-in account is ``user`` (a non-widget key).
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from typing import Any

import streamlit as st

from dxboard.auth import User, list_users
from dxboard.i18n import DEFAULT_LANG, t
from dxboard.store import Store
from loaders import records

BASES = ("reported", "current")


@st.cache_resource(show_spinner=False)
def get_store() -> Store:
    """One store per server process; on an empty database the demo data is loaded first."""
    store = Store()
    if not records.periods_with_data(store):
        from loaders.demo import load_demo

        started = time.perf_counter()
        with st.spinner(t("app.loading_demo", lang())):
            summary = load_demo(store)
        st.session_state["demo_loaded_note"] = t(
            "app.demo_loaded", lang(), reports=summary.reports,
            seconds=f"{time.perf_counter() - started:.1f}")
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
    return records.periods_with_data(get_store())


def cached_periods() -> list[str]:
    return _periods(data_version())


@st.cache_data(max_entries=256, ttl=3600, show_spinner=False)
def _cached(name: str, version: int, args: tuple, kwargs: tuple) -> Any:
    module, _, attr = name.rpartition(".")
    fn = getattr(importlib.import_module(module), attr)
    return fn(get_store(), *args, **dict(kwargs))


def cached(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``fn(store, *args, **kwargs)``, cached until the data version changes.

    ``fn`` is a module-level function of ``metrics`` or ``loaders`` taking the store first;
    arguments must be hashable (strings, numbers, tuples).
    """
    name = f"{fn.__module__}.{fn.__qualname__}"
    return _cached(name, data_version(), args, tuple(sorted(kwargs.items())))


def datasets() -> list[str]:
    return cached(records.datasets)


def demo_banner() -> None:
    """The synthetic-data warning, on every page that shows demo data."""
    shown = datasets()
    if "demo" in shown:
        st.warning(t("banner.demo", lang()), icon="⚠️")
    if len(shown) > 1:
        st.info(t("banner.mixed", lang()), icon="ℹ️")


def demo_roles_available() -> bool:
    """Demo mode: only demo data and no accounts yet, so a role may be picked without a password."""
    store = get_store()
    return datasets() == ["demo"] and not list_users(store)


def need(condition: bool, key: str) -> None:
    """Stop the page with a clear message when ``condition`` fails."""
    if not condition:
        st.info(t(key, lang()))
        st.stop()
