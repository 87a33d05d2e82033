"""Shared UI helpers: the store for this server process, language, the demo-data banner."""

from __future__ import annotations

import time

import streamlit as st

from dxboard.i18n import DEFAULT_LANG, t
from dxboard.store import Store
from loaders import records


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


def demo_banner(datasets: list[str]) -> None:
    """The synthetic-data warning, on every page that shows demo data."""
    if "demo" in datasets:
        st.warning(t("banner.demo", lang()), icon="⚠️")
