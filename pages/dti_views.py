"""The published DTI on the pages: the overview panel, the compare view and the profile section.

Real data: every view names its source (``pages.figures.dti.source_text``); rows derived by the
ministry's rule say so. Every number comes from ``metrics.dti`` through ``cached``.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dxboard.i18n import t
from dxboard.registry import load_registry
from metrics.dti import SCORES, dti_history, dti_ranking, dti_years, index_means, latest_dti
from metrics.dti import readiness_vs_dti as agreement_of
from pages.common import cached, datasets, download_buttons, figure
from pages.figures import dti as fig
from pages.figures.compare import ranked_bars
from pages.figures.maps import MAP_CONFIG, colour_range, era_map

PREFIX = "dti."
"""Compare's indicator options for the DTI: ``dti.pdti``, ``dti.awareness``, …"""
MAP_HEIGHT = 560


def options() -> list[str]:
    """The DTI choices of the compare page (none when no table is loaded)."""
    return [PREFIX + c for c in SCORES] if cached(dti_years) else []


def is_dti(choice: str) -> bool:
    return choice.startswith(PREFIX)


def option_label(choice: str, lg: str) -> str:
    return t("dti.option", lg, name=fig.index_name(choice.removeprefix(PREFIX), lg))


def source_caption(year: int, lg: str) -> None:
    st.caption(f"**{fig.source_text(year, lg)}** · {t('dti.real', lg)}")


# ----------------------------------------------------------------------------- overview
def latest_panel(lg: str) -> None:
    """The latest official DTI: average, top and bottom five, biggest risers, with its source."""
    latest = cached(latest_dti)
    if latest is None:
        return
    with st.container(border=True, key="dti_panel"):
        st.subheader(t("dti.panel_title", lg, year=latest.year))
        source_caption(latest.year, lg)
        st.metric(t("dti.average", lg, n=latest.n), fig.score_text(latest.average, lg))
        columns = st.columns(3)
        with columns[0]:
            st.markdown(f"**{t('dti.top', lg)}**")
            st.table(fig.small_table(latest.top, lg), hide_index=True)
        with columns[1]:
            st.markdown(f"**{t('dti.bottom', lg)}**")
            st.table(fig.small_table(latest.bottom, lg), hide_index=True)
        with columns[2]:
            if latest.previous is None:
                st.caption(t("dti.no_risers", lg))
            else:
                st.markdown(f"**{t('dti.risers', lg, year=latest.previous)}**")
                st.table(fig.small_table(latest.risers, lg, change=True), hide_index=True)


# ----------------------------------------------------------------------------- compare
def year_picker(lg: str, key: str) -> int:
    years = cached(dti_years)
    return int(
        st.selectbox(
            t("dti.year", lg),
            years[::-1],
            key=key,
            format_func=lambda y: t("dti.year_label", lg, year=y),
        )
    )


def compare_view(choice: str, basis: str, regions: list[str], lg: str) -> None:
    """Map, ranked bars, table with downloads and side by side for one DTI index."""
    column = choice.removeprefix(PREFIX)
    year = year_picker(lg, "compare_dti_year")
    source_caption(year, lg)
    ranked = cached(dti_ranking, year, basis, column)
    if regions:
        ranked = ranked[ranked["region"].isin(regions)]
    if not ranked["published"].all():
        st.info(t("dti.derived_note", lg, year=year))
    if ranked["value"].isna().all():
        st.info(t("dti.not_published", lg, year=year))
        return
    name = fig.index_name(column, lg)
    _map_and_bars(ranked, name, lg)
    st.subheader(t("dti.table", lg))
    st.dataframe(fig.ranking_table(ranked, column, lg, _region_names(lg)), hide_index=True)
    stem = f"{t('dti.file_name', lg)}_{year}_{basis}"
    download_buttons(fig.download_frame(ranked), stem, "compare_dti_download")
    st.divider()
    _side_by_side(ranked, lg)


def _region_names(lg: str) -> dict[str, str]:
    return {r.code: (r.name_en if lg == "en" else r.name_vi) for r in load_registry().regions}


def _map_and_bars(ranked: pd.DataFrame, name: str, lg: str) -> None:
    n = len(ranked)
    labels = [
        f"<b>{row.province_name}</b><br>{name}: {fig.score_text(row.value, lg)}"
        f"<br>{t('col.rank', lg)}: {row.value_rank}/{n}"
        for row in ranked.itertuples()
    ]
    data = ranked.assign(label=labels, name=ranked["province_name"])
    era = str(ranked["era"].iloc[0])
    left, right = st.columns(2)
    with left:
        chart = figure(
            era_map,
            data[["province_code", "value", "label"]],
            era,
            lg,
            t("compare.map_title", lg, name=name),
            kind="score",
            colorbar_title="",
            missing_label=t("compare.map_missing", lg),
            zrange=colour_range(data["value"], "score"),
            height=MAP_HEIGHT,
        )
        st.plotly_chart(chart, key="compare_dti_map", width="stretch", config=MAP_CONFIG)
    with right, st.container(height=MAP_HEIGHT + 20, border=False):
        bars = data[["province_code", "name", "value", "label"]]
        chart = figure(ranked_bars, bars, lg, t("compare.bar_title", lg, name=name), kind="score")
        st.plotly_chart(chart, key="compare_dti_bar", width="stretch")


def _side_by_side(ranked: pd.DataFrame, lg: str) -> None:
    st.subheader(t("dti.side_by_side", lg))
    names = dict(zip(ranked["province_code"], ranked["province_name"], strict=True))
    default = list(ranked["province_code"].head(3))
    picked = st.multiselect(
        t("dti.pick", lg),
        list(names),
        default=default,
        max_selections=5,
        format_func=names.get,
        key="compare_dti_pick",
    )
    rows = ranked.set_index("province_code").loc[picked]
    columns = [c for c in SCORES if rows[c].notna().any()]
    table = pd.DataFrame(
        {
            rows.loc[code, "province_name"]: [
                *(fig.score_text(rows.loc[code, c], lg) for c in columns),
                str(rows.loc[code, "rank"]),
            ]
            for code in picked
        },
        index=[*(fig.index_name(c, lg) for c in columns), t("col.rank", lg)],
    )
    st.table(table)


# ----------------------------------------------------------------------------- profile
def profile_section(era: str, code: str, name: str, basis: str, lg: str) -> None:
    """The province's DTI and rank by year on ``basis``, its main indices against the national
    and regional means, and the readiness index against the DTI where both exist."""
    st.subheader(t("dti.profile_heading", lg))
    history = cached(dti_history, era, code, basis)
    if history.empty:
        st.info(t("dti.no_history", lg))
        return
    latest = int(history["year"].max())
    source_caption(latest, lg)
    title = t("dti.history_title", lg, name=name)
    st.plotly_chart(figure(fig.history_chart, history, lg, title), key="profile_dti_history")
    for year in history.loc[~history["published"], "year"]:
        st.caption(t("dti.derived_note", lg, year=int(year)))
    means = cached(index_means, latest, basis, era, code)
    if len(means) > 1:
        title = t("dti.indices_title", lg, year=latest, name=name)
        chart = figure(fig.index_bars, means, lg, title, name)
        st.plotly_chart(chart, key="profile_dti_indices")
    _agreement(basis, lg)


def _agreement(basis: str, lg: str) -> None:
    found = cached(agreement_of, basis)
    if found is None or found.correlation is None:
        return
    title = t("dti.agreement_title", lg, period=found.period, year=found.year)
    chart = figure(fig.agreement_scatter, found.frame, lg, title, t("col.index", lg))
    st.plotly_chart(chart, key="profile_dti_agreement")
    st.markdown(t("dti.agreement", lg, r=found.correlation, n=len(found.frame)))
    if "demo" in datasets():
        st.caption(t("dti.agreement_synthetic", lg))
