"""Completeness figures and tables: province × quarter status heatmap, counts per quarter,
who has not reported, and the export frame.

Plain functions (no Streamlit) over the frames of ``metrics.completeness``: ``timeliness``
(one row per expected province and period) and ``completeness`` (counts per period).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dxboard.i18n import fmt_date, t
from dxboard.periods import Period
from dxboard.registry import load_registry
from dxboard.textnorm import fold

STATES = ("on_time", "late", "partial", "missing", "not_yet_due")
COLOURS = {
    "on_time": "#2e7d32",
    "late": "#f9a825",
    "partial": "#8e7cc3",
    "missing": "#c62828",
    "not_yet_due": "#b0bec5",
}
BADGES = {
    "on_time": "green",
    "late": "orange",
    "partial": "violet",
    "missing": "red",
    "not_yet_due": "gray",
}
"""Streamlit badge colours closest to ``COLOURS``."""
NOT_REPORTED = ("missing", "partial", "not_yet_due")


def state_label(state: str, lang: str) -> str:
    """The reporting state (``on_time``, ``late``…) in ``lang``."""
    return t(f"completeness.state_{state}", lang)


def region_name(code: str, lang: str) -> str:
    """Registry name of a region code (the code itself if unknown)."""
    try:
        region = load_registry().region(code)
    except KeyError:
        return code
    return region.name_vi if lang == "vi" else region.name_en


def _region_order() -> dict[str, int]:
    return {r.code: i for i, r in enumerate(load_registry().regions)}


def province_rows(records: pd.DataFrame) -> pd.DataFrame:
    """The heatmap rows: one per province name, sorted by region (registry order) then name.

    On the reported basis the current province continues the row of the former province of
    the same name; a province's region is the one it has in its latest period.
    """
    order = _region_order()
    latest = records.sort_values("period", key=lambda c: c.map(Period.parse))
    rows = latest.groupby("province_name", sort=False)["region"].last().reset_index()
    rows["_region"] = rows["region"].map(order).fillna(len(order))
    rows["_name"] = rows["province_name"].map(fold)
    rows = rows.sort_values(["_region", "_name"]).reset_index(drop=True)
    return rows[["province_name", "region"]]


def heatmap_matrix(records: pd.DataFrame, rows: pd.DataFrame | None = None) -> pd.DataFrame:
    """Status code (position in ``STATES``) per province name (rows) and period (columns);
    NaN where the province did not exist (or is not expected) in that period. ``rows`` is
    :func:`province_rows` (computed when not given)."""
    rows = province_rows(records) if rows is None else rows
    periods = sorted(pd.unique(records["period"]), key=Period.parse)
    codes = records["status"].map({s: i for i, s in enumerate(STATES)})
    table = pd.DataFrame(
        {"name": records["province_name"], "period": records["period"], "code": codes.astype(float)}
    )
    wide = table.pivot_table(index="name", columns="period", values="code", aggfunc="first")
    return wide.reindex(index=rows["province_name"], columns=periods)


def _colourscale() -> list[list]:
    """A stepped colour scale: code ``i`` of ``STATES`` gets ``COLOURS[STATES[i]]``."""
    n = len(STATES)
    scale = []
    for i, state in enumerate(STATES):
        scale += [[i / n, COLOURS[state]], [(i + 1) / n, COLOURS[state]]]
    return scale


def _hover(records: pd.DataFrame, matrix: pd.DataFrame, lang: str) -> np.ndarray:
    """Hover text per cell: status, report date, days late, constituents that reported."""
    lines = [records["status"].map(lambda s: state_label(s, lang)).tolist()]
    lines.append(
        [
            t("completeness.hover_reported", lang, date=fmt_date(d, lang)) if pd.notna(d) else ""
            for d in records["reported_on"]
        ]
    )
    lines.append(
        [
            t("completeness.hover_days_late", lang, n=int(n)) if pd.notna(n) and n > 0 else ""
            for n in records["days_late"]
        ]
    )
    lines.append(
        [
            t("completeness.hover_constituents", lang, k=int(k), n=int(n)) if n > 1 else ""
            for k, n in zip(
                records["constituents_reported"], records["constituents_total"], strict=True
            )
        ]
    )
    text = ["<br>".join(part for part in parts if part) for parts in zip(*lines, strict=True)]
    cells = pd.DataFrame(
        {
            "name": records["province_name"].to_numpy(),
            "period": records["period"].to_numpy(),
            "text": text,
        }
    )
    wide = cells.pivot_table(index="name", columns="period", values="text", aggfunc="first")
    return wide.reindex(index=matrix.index, columns=matrix.columns).fillna("").to_numpy()


def status_heatmap(records: pd.DataFrame, lang: str, period: str | None = None) -> go.Figure:
    """Province × quarter heatmap of reporting status, with a legend in ``lang``; the column
    of ``period`` is outlined."""
    rows = province_rows(records)
    matrix = heatmap_matrix(records, rows)
    fig = go.Figure(
        go.Heatmap(
            z=matrix.to_numpy(),
            x=list(matrix.columns),
            y=list(matrix.index),
            zmin=0,
            zmax=len(STATES),
            colorscale=_colourscale(),
            showscale=False,
            xgap=1,
            ygap=1,
            customdata=_hover(records, matrix, lang),
            hoverongaps=False,
            hovertemplate="%{y} · %{x}<br>%{customdata}<extra></extra>",
        )
    )
    present = set(records["status"])
    for state in STATES:
        if state in present:
            fig.add_trace(
                go.Scatter(
                    x=[None],
                    y=[None],
                    mode="markers",
                    name=state_label(state, lang),
                    marker={"symbol": "square", "size": 12, "color": COLOURS[state]},
                    hoverinfo="skip",
                )
            )
    fig.update_layout(
        height=max(320, 16 * len(matrix) + 140),
        margin={"l": 10, "r": 170, "t": 40, "b": 40},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0},
        xaxis={"type": "category", "tickangle": -45, "side": "bottom"},
        yaxis={"type": "category", "autorange": "reversed", "tickfont": {"size": 11}},
        plot_bgcolor="white",
    )
    _region_bands(fig, rows, lang)
    if period in matrix.columns:
        at = list(matrix.columns).index(period)
        fig.add_shape(
            type="rect",
            xref="x",
            yref="paper",
            x0=at - 0.5,
            x1=at + 0.5,
            y0=0,
            y1=1,
            line={"color": "#1F4E79", "width": 2.5},
        )
    return fig


def _region_bands(fig: go.Figure, rows: pd.DataFrame, lang: str) -> None:
    """A line between regions and the region's name at the right edge of its rows."""
    bounds = np.flatnonzero(rows["region"].to_numpy()[1:] != rows["region"].to_numpy()[:-1])
    for b in bounds:
        fig.add_hline(y=b + 0.5, line_color="#222", line_width=2)
    starts = np.concatenate([[0], bounds + 1])
    ends = np.concatenate([bounds, [len(rows) - 1]])
    for start, end in zip(starts, ends, strict=True):
        fig.add_annotation(
            x=1.0,
            xref="paper",
            xanchor="left",
            y=(start + end) / 2,
            yref="y",
            text=_wrap(region_name(rows["region"].iloc[start], lang)),
            showarrow=False,
            font={"size": 11, "color": "#333"},
            align="left",
            xshift=6,
        )


def _wrap(text: str, width: int = 24) -> str:
    """Break a long label into lines of about ``width`` characters (``<br>``)."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + len(word) < width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(lines)


def counts_bar(summary: pd.DataFrame, lang: str, title: str | None = None) -> go.Figure:
    """Stacked bars of provinces per status and quarter (``metrics.completeness`` frame)."""
    fig = go.Figure()
    for state in STATES:
        if state in summary and summary[state].sum() > 0:
            fig.add_trace(
                go.Bar(
                    x=summary["period"],
                    y=summary[state],
                    name=state_label(state, lang),
                    marker_color=COLOURS[state],
                )
            )
    fig.update_layout(
        barmode="stack",
        height=320,
        title=title,
        legend_traceorder="normal",
        margin={"l": 10, "r": 10, "t": 60 if title else 30, "b": 40},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0},
        xaxis={"type": "category", "tickangle": -45},
        yaxis={"title": t("completeness.provinces_axis", lang)},
    )
    return fig


def not_reported(records: pd.DataFrame, period: str, lang: str) -> pd.DataFrame:
    """Provinces without a complete report in ``period``: province, region, status, and the
    constituents that reported (current basis, legacy periods), sorted by region then name."""
    rows = records[(records["period"] == period) & records["status"].isin(NOT_REPORTED)]
    order = _region_order()
    rows = rows.assign(_r=rows["region"].map(order), _n=rows["province_name"].map(fold))
    rows = rows.sort_values(["_r", "_n"])
    out = pd.DataFrame(
        {
            t("col.province", lang): rows["province_name"].to_numpy(),
            t("col.region", lang): [region_name(r, lang) for r in rows["region"]],
            t("col.status", lang): [state_label(s, lang) for s in rows["status"]],
        }
    )
    if (rows["constituents_total"] > 1).any():
        out[t("completeness.col_constituents", lang)] = [
            f"{int(k)}/{int(n)}" if n > 1 else ""
            for k, n in zip(rows["constituents_reported"], rows["constituents_total"], strict=True)
        ]
    return out


def export_frame(records: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The province × period record with translated headers, region names and statuses."""
    rows = records.sort_values(
        ["period", "province_code"], key=lambda c: c.map(Period.parse) if c.name == "period" else c
    )
    return pd.DataFrame(
        {
            t("col.period", lang): rows["period"].to_numpy(),
            t("col.province_code", lang): rows["province_code"].to_numpy(),
            t("col.province", lang): rows["province_name"].to_numpy(),
            t("col.region", lang): [region_name(r, lang) for r in rows["region"]],
            t("completeness.col_deadline", lang): [fmt_date(d, lang) for d in rows["deadline"]],
            t("completeness.col_reported_on", lang): [
                fmt_date(d, lang) if pd.notna(d) else "" for d in rows["reported_on"]
            ],
            t("completeness.col_days_late", lang): rows["days_late"].astype("Int64").to_numpy(),
            t("completeness.col_constituents_reported", lang): rows[
                "constituents_reported"
            ].to_numpy(),
            t("completeness.col_constituents_total", lang): rows["constituents_total"].to_numpy(),
            t("col.status", lang): [state_label(s, lang) for s in rows["status"]],
        }
    )
