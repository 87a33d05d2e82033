"""Completeness (Tiến độ nộp): who reported each quarter, on time or late, and who is missing.

A province × quarter status heatmap over all periods with data, the provinces without a
complete report for the selected quarter, counts per quarter, and CSV/Excel export of the
province × period record. The deadline (days after quarter end) is a number input. Then the
review: approved / waiting / returned / missing per province and quarter.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dxboard.i18n import fmt_date, t
from dxboard.periods import Period
from metrics.completeness import DEADLINE_DAYS, completeness, timeliness
from metrics.review import review_grid, state_counts
from pages.common import (
    basis,
    cached,
    cached_periods,
    cached_view,
    download_buttons,
    figure,
    lang,
    need,
    period,
    review_badges,
)
from pages.figures import completeness as fig


def _quarter(records: pd.DataFrame, summary: pd.DataFrame, per: str, lg: str) -> None:
    """The selected quarter: counts as badges and the provinces without a complete report."""
    st.subheader(t("completeness.quarter_heading", lg, period=per))
    row = summary[summary["period"] == per]
    if row.empty:
        return
    first = row.iloc[0]
    badges = " ".join(
        f":{fig.BADGES[s]}-badge[{fig.state_label(s, lg)}: {int(first[s])}]"
        for s in fig.STATES
        if s != "partial" or first[s] > 0
    )
    st.markdown(badges)
    st.caption(
        t("completeness.deadline_caption", lg, period=per, date=fmt_date(first["deadline"], lg))
    )
    table = fig.not_reported(records, per, lg)
    if table.empty:
        st.success(t("completeness.all_reported", lg, n=int(first["expected"]), period=per))
        return
    st.markdown(f"**{t('completeness.missing_heading', lg, period=per)}**")
    st.dataframe(table, hide_index=True, width="stretch", key="cp_missing")


def _heatmap(records: pd.DataFrame, bas: str, per: str, lg: str) -> None:
    st.subheader(t("completeness.heatmap_heading", lg))
    st.caption(t(f"completeness.heatmap_caption_{bas}", lg))
    st.plotly_chart(
        figure(fig.status_heatmap, records, lg, per),
        width="stretch",
        config={"displaylogo": False},
        key="cp_heatmap",
    )


def _counts(summary: pd.DataFrame, lg: str) -> None:
    st.subheader(t("completeness.counts_heading", lg))
    st.plotly_chart(
        figure(fig.counts_bar, summary, lg),
        width="stretch",
        config={"displaylogo": False},
        key="cp_counts",
    )


def _export(records: pd.DataFrame, bas: str, days: int, lg: str) -> None:
    """CSV and Excel of the province × period record (formula-safe)."""
    st.subheader(t("completeness.export_heading", lg))
    table = fig.export_frame(records, lg)
    st.caption(t("completeness.export_caption", lg, rows=len(table)))
    name = f"{t('completeness.export_name', lg)}_{bas}_{days}"
    download_buttons(table, name, "cp", sheet=name[:31])


def _review(shown: tuple[str, ...], per: str, lg: str) -> None:
    """Review states: the selected quarter's badges and provinces, and counts per quarter."""
    st.subheader(t("review.completeness_heading", lg))
    review_badges(per, lg)
    grid = cached_view("all", review_grid, shown)
    counts = state_counts(grid)
    table = counts.rename(
        columns={"period": t("col.period", lg)}
        | {s: t(f"review.state_{s}", lg) for s in ("approved", "submitted", "returned", "missing")}
    )
    st.dataframe(table.iloc[::-1], hide_index=True, width="stretch", key="cp_review_counts")
    mine = grid[grid["period"] == per]
    provinces = pd.DataFrame(
        {
            t("col.province", lg): mine["province_name"],
            t("review.col_state", lg): [t(f"review.state_{s}", lg) for s in mine["review_state"]],
        }
    )
    with st.expander(t("review.completeness_provinces", lg, period=per)):
        st.dataframe(provinces, hide_index=True, width="stretch", key="cp_review_provinces")


def main() -> None:
    lg, per, bas = lang(), period(), basis()
    periods = cached_periods()
    need(per is not None and bool(periods), "app.no_data")
    st.title(t("completeness.title", lg))
    days = int(
        st.number_input(
            t("completeness.deadline_days", lg),
            min_value=1,
            max_value=90,
            value=DEADLINE_DAYS,
            step=1,
            key="cp_days",
            help=t("completeness.deadline_help", lg),
            width=320,
        )
    )
    st.caption(t("completeness.intro", lg, days=days))
    shown = tuple(sorted(periods, key=Period.parse))
    records = cached(timeliness, shown, bas, days=days)
    summary = cached(completeness, shown, bas, days=days)
    left, right = st.columns([1, 1.3])
    with left:
        _quarter(records, summary, per, lg)
    with right:
        _counts(summary, lg)
    _heatmap(records, bas, per, lg)
    _review(shown, per, lg)
    _export(records, bas, days, lg)


main()
