"""Overview (Tổng quan): the one page for a leader, printable on one landscape A4 sheet.

How many provinces meet each target (tiles by pillar), the national ratio against the target,
the change since the previous quarter, the spread of the readiness index, who leads, who lags,
who moved, and how many reported this quarter. Period and basis come from the sidebar.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dxboard.catalogue import load_catalogue
from dxboard.i18n import fmt_number, fmt_percent, t
from metrics.completeness import completeness
from metrics.index import readiness_index
from metrics.national import national
from pages import dti_views
from pages.common import basis, cached, cached_periods, datasets, figure, lang, need, period
from pages.figures import overview as fig
from pages.frameworks import break_text, regime_text

CHART_WIDTH, TABLE_WIDTH = 430, 200
PRINT_CSS = """<style>
[data-testid="stMetricValue"] { font-size: 1.9rem; }
[data-testid="stMetricLabel"], [data-testid="stMetricLabel"] *
  { white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
    height: auto !important; }
@media print {
  @page { size: A4 landscape; margin: 8mm; }
  [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
  [data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"],
  [data-testid="stStatusWidget"], [data-testid="stDownloadButton"],
  [data-testid="stPageLink"], [data-testid="stElementToolbar"]
    { display: none !important; }
  [data-testid="stAppViewContainer"], [data-testid="stMain"]
    { margin: 0 !important; padding: 0 !important; overflow: visible !important; }
  [data-testid="stMainBlockContainer"]
    { padding: 0 !important; max-width: none !important; zoom: 0.48; }
  [data-testid="stHorizontalBlock"] { display: flex !important; flex-wrap: nowrap !important; }
  [data-testid="stColumn"] { width: auto !important; min-width: 0 !important; }
  div.st-key-ov_actions { display: none !important; }
  [data-testid="stVerticalBlock"] { gap: 0.5rem !important; }
  [data-testid="stVerticalBlockBorderWrapper"], [data-testid="stPlotlyChart"]
    { break-inside: avoid; }
  * { -webkit-print-color-adjust: exact !important; print-color-adjust: exact !important; }
}
</style>"""


def _tile(row: pd.Series, previous: str | None, lg: str, definition: str) -> None:
    """One bordered tile: name, count (or national value) with its change, a colour badge
    with the share meeting the target, and the national ratio against the target."""
    with st.container(border=True, gap="xsmall"):
        delta, description = _delta(row, previous, lg)
        st.metric(
            f"**{row['name']}**",
            fig.headline(row, lg),
            delta=delta,
            help=definition,
            delta_description=description,
        )
        parts = []
        if row["scored"]:
            share = "–" if math.isnan(row["share_met"]) else fmt_percent(row["share_met"], lg, 0)
            miss = fig.missing_text(row, lg)
            parts.append(
                f":{fig.LEVEL_COLOURS[row['level']]}-badge[{share}] "
                f"{fig.met_text(row, lg)}" + (f" · {miss}" if miss else "")
            )
        parts.append(f":gray[{fig.national_text(row, lg, previous)}]")
        st.markdown("  \n".join(parts))


def _delta(row: pd.Series, previous: str | None, lg: str) -> tuple[str | None, str | None]:
    """The metric delta: provinces meeting (scored) or points (informational)."""
    if previous is None:
        return None, None
    change = row["d_met"] if row["scored"] else row["d_value"] * 100
    if not row["comparable"]:
        return None, t("framework.redefined", lg, p=previous)
    if math.isnan(change):
        return None, t("overview.no_previous_value", lg)
    decimals = 0 if row["scored"] else 1
    if round(change, decimals) == 0:
        text = "0"
    else:
        text = ("+" if change > 0 else "-") + fmt_number(abs(change), lg, decimals)
    unit = "overview.delta_met" if row["scored"] else "overview.delta_points"
    return text, t(unit, lg, period=previous)


def _tiles(tiles: pd.DataFrame, period: str, previous: str | None, lg: str) -> None:
    """Tiles grouped by pillar; short pillars share a column."""
    version = load_catalogue().version_for(period)
    groups = [g for _, g in tiles.groupby("pillar", sort=False)]
    layout = fig.pack_pillars([len(g) for g in groups])
    for column, members in zip(st.columns(len(layout)), layout, strict=True):
        with column:
            for i in members:
                st.markdown(f"**{groups[i]['pillar_name'].iloc[0]}**")
                for _, row in groups[i].iterrows():
                    definition = version.indicator(row["indicator"]).definition(lg)
                    _tile(row, previous, lg, definition)


def _ranks(
    ranks: pd.DataFrame, strip: go.Figure, period: str, previous: str | None, lg: str
) -> None:
    """Index spread, leaders and laggards, movers."""
    if ranks["readiness_index"].notna().sum() == 0:
        st.info(t("overview.no_index", lg))
        return
    # One wrapping row: chart and four tables side by side when wide (print), wrapped on screen.
    with st.container(horizontal=True, wrap=True, gap="medium", key="ov_ranks"):
        st.plotly_chart(strip, width=CHART_WIDTH, config={"displaylogo": False})
        for top in (True, False):
            key = "overview.top_heading" if top else "overview.bottom_heading"
            _small_table(t(key, lg), fig.leaders(ranks, lg, top=top), lg)
        marker = break_text((previous, period), lg) if previous else None
        if previous is None or marker is not None:
            with st.container(width=2 * TABLE_WIDTH):
                st.markdown(f"**{t('overview.movers_heading', lg)}**")
                if marker is None:
                    st.info(t("overview.no_previous_short", lg))
                else:
                    st.info(t("framework.rank_not_comparable", lg, marker=marker))
            return
        for up in (True, False):
            key = "overview.risers_heading" if up else "overview.fallers_heading"
            _small_table(t(key, lg), fig.movers(ranks, lg, up=up), lg)


def _small_table(heading: str, table: pd.DataFrame, lg: str) -> None:
    with st.container(width=TABLE_WIDTH, gap="xsmall"):
        st.markdown(f"**{heading}**")
        if len(table):
            st.table(table, hide_index=True)
        else:
            st.caption(t("overview.no_movers", lg))


def _completeness(counts: dict[str, int], lg: str) -> None:
    """This quarter's reporting counts as coloured badges, with a link to the details."""
    if not counts:
        return
    badges = " ".join(
        f":{fig.COUNT_COLOURS[s]}-badge[{t('completeness.state_' + s, lg)}: {n}]"
        for s, n in counts.items()
    )
    st.markdown(f"**{t('overview.completeness_heading', lg)}:** {badges}")


def _actions(html_file: Callable[[], str], per: str, lg: str) -> None:
    """Download of the one-file HTML, link to completeness, print hint (hidden in print)."""
    with st.container(horizontal=True, key="ov_actions", vertical_alignment="center"):
        st.download_button(
            t("overview.download_html", lg),
            html_file,
            file_name=f"{t('overview.file_name', lg)}_{per}.html",
            mime="text/html",
            help=t("overview.download_help", lg),
            on_click="ignore",
            icon=":material/download:",
        )
        page = st.session_state.get("page_urls", {}).get("completeness")
        if page is not None:
            st.page_link(
                page, label=t("overview.completeness_link", lg), icon=":material/event_available:"
            )
        st.caption(t("overview.print_hint", lg))


def main() -> None:
    lg, per, bas = lang(), period(), basis()
    periods = cached_periods()
    if per is None or per not in periods:  # no reports yet: the published DTI alone
        st.title(t("nav.overview", lg))
        dti_views.latest_panel(lg)
        need(False, "app.no_data")
    assert per is not None
    st.html(PRINT_CSS)
    previous = fig.comparable_previous(per, bas, periods)
    nat = cached(national, (per, previous) if previous else (per,), bas, regions=False)
    tiles = fig.tile_frame(nat, per, previous, lg)
    ranks = cached(readiness_index, per, bas)
    counts = fig.completeness_counts(cached(completeness, per, bas), per)
    basis_label = t(f"app.basis_{bas}", lg)

    st.title(t("overview.title", lg, period=per))
    st.caption(t("overview.subtitle_page", lg, basis=basis_label) + " " + t("overview.caption", lg))
    st.caption(regime_text(per, lg))
    if previous is None:
        st.caption(t("overview.no_previous", lg))
    elif marker := break_text((previous, per), lg):
        st.caption(f"**{marker}.** {t('framework.changes_since', lg, p=previous)}")
    _tiles(tiles, per, previous, lg)
    _completeness(counts, lg)
    strip = figure(fig.index_strip, ranks, lg)  # on screen and in the HTML download
    _ranks(ranks, strip, per, previous, lg)
    dti_views.latest_panel(lg)
    html_file = partial(  # built only when the button is clicked
        fig.overview_html,
        tiles,
        ranks,
        counts,
        lg,
        period=per,
        basis_label=basis_label,
        previous=previous,
        demo="demo" in datasets(),
        figure=strip,
    )
    _actions(html_file, per, lg)


main()
