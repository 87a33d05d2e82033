"""Figures of the Compare page: ranked bars, pillar scores, time series, rank ranges.

Plain functions of DataFrames (no Streamlit); every label comes in through the arguments or
``dxboard.i18n.t``.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go

from dxboard.i18n import t
from pages.figures.breaks import mark_breaks
from pages.figures.maps import category_step, separators, wrap

STATUS_COLOURS = {
    "met": "#2e7d32",
    "on_track": "#64b5f6",
    "off_track": "#f9a825",
    "overdue": "#c62828",
    "not_met": "#ef6c00",
    "no_data": "#bdbdbd",
    "not_scored": "#1F4E79",
}
STATUS_ORDER = ("met", "on_track", "off_track", "not_met", "overdue", "not_scored", "no_data")
MAIN = "#1F4E79"
TARGET = "#c62828"
PALETTE = ("#1F4E79", "#e07b39", "#3a9d5d", "#8e44ad", "#c0392b")


def value_axis(
    kind: str, yes_no_labels: tuple[str, str] = ("0", "1"), full: bool = True
) -> dict[str, Any]:
    """Axis settings for a value of ``kind`` (``ratio`` in %, ``yes_no``, ``index`` 0–100,
    ``score`` 0–1 such as the DTI); ``full=False`` lets a ratio or index axis fit the data."""
    if kind == "ratio":
        return {"tickformat": ".0%", "rangemode": "tozero" if full else "normal"}
    if kind == "yes_no":
        return {"tickvals": [0, 1], "ticktext": list(yes_no_labels), "range": [-0.05, 1.05]}
    top = 1 if kind == "score" else 100
    return {"range": [0, top]} if full else {}


def hover_format(kind: str) -> str:
    return {"ratio": "%{x:.1%}", "yes_no": "%{x:.0f}", "index": "%{x:.1f}", "score": "%{x:.4f}"}[
        kind
    ]


def ranked_bars(
    df: pd.DataFrame,
    lang: str,
    title: str,
    *,
    kind: str = "ratio",
    target: float | None = None,
    target_label: str = "",
    yes_no_labels: tuple[str, str] = ("0", "1"),
) -> go.Figure:
    """Horizontal bars of ``df`` (``province_code``, ``name``, ``value``, optional ``status``,
    ``label``: hover text, ``text``: text inside the bar), best first from the top; missing
    values are left out.

    With ``status`` the bars are coloured by status (one legend entry each). ``target`` draws
    a dashed vertical line at that value. A yes/no bar spans the whole axis (a "no" bar of
    length 0 would be invisible): its colour (status) and text tell the answer.
    """
    data = df[df["value"].notna()].sort_values("value", ascending=False, kind="stable")
    order = list(data["name"])
    fig = go.Figure()
    groups = (
        [(s, data[data["status"] == s]) for s in STATUS_ORDER]
        if "status" in data.columns
        else [(None, data)]
    )
    for status, part in groups:
        if part.empty:
            continue
        labelled = "label" in part.columns
        fig.add_trace(
            go.Bar(
                x=[1.0] * len(part) if kind == "yes_no" else part["value"],
                y=part["name"],
                orientation="h",
                customdata=part["province_code"],
                name=t(f"status.{status}", lang) if status else title,
                marker_color=STATUS_COLOURS[status] if status else MAIN,
                hovertext=part["label"] if labelled else None,
                text=part["text"] if "text" in part.columns else None,
                textposition="inside",
                insidetextanchor="start",
                textangle=0,
                textfont={"color": "white", "size": 11},
                hovertemplate=("%{hovertext}" if labelled else "%{y}: " + hover_format(kind))
                + "<extra></extra>",
            )
        )
    if target is not None:
        fig.add_vline(
            x=target,
            line_dash="dash",
            line_color=TARGET,
            line_width=2,
            annotation_text=target_label,
            annotation_position="bottom left",
            annotation_font_color=TARGET,
        )
    height = max(320, 110 + 17 * len(order))
    top, bottom = 110, 10
    fig.update_xaxes(**value_axis(kind, yes_no_labels), side="top")
    if kind == "yes_no":
        fig.update_xaxes(showticklabels=False, showgrid=False, range=[0, 1.0])
    fig.update_yaxes(
        categoryorder="array", categoryarray=order, autorange="reversed", tickfont={"size": 11}
    )
    fig.update_layout(
        title={"text": title},
        barmode="overlay",
        bargap=0.25,
        height=height,
        uniformtext={"minsize": 10, "mode": "show"},
        separators=separators(lang),
        legend={
            "orientation": "h",
            "yanchor": "bottom",
            "x": 0,
            "y": 1 + 30 / (height - top - bottom),
        },
        margin={"l": 10, "r": 10, "t": top, "b": bottom},
        showlegend="status" in data.columns,
    )
    return fig


def pillar_groups(
    scores: pd.DataFrame, pillars: list[tuple[str, str]], lang: str, title: str
) -> go.Figure:
    """Grouped bars: pillar scores (0–1, shown in %) of a few provinces side by side.

    ``scores`` has ``name`` and one column per pillar code; ``pillars`` are (code, name).
    """
    fig = go.Figure()
    names = [wrap(name) for _, name in pillars]
    for i, (_, row) in enumerate(scores.iterrows()):
        fig.add_trace(
            go.Bar(
                x=names,
                y=[row[code] for code, _ in pillars],
                name=row["name"],
                marker_color=PALETTE[i % len(PALETTE)],
                hovertemplate="%{x}: %{y:.1%}<extra>" + str(row["name"]) + "</extra>",
            )
        )
    fig.update_yaxes(tickformat=".0%", range=[0, 1.05])
    fig.update_layout(
        title={"text": title},
        barmode="group",
        height=380,
        separators=separators(lang),
        legend={"orientation": "h", "y": -0.15},
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
    )
    return fig


def series_lines(
    df: pd.DataFrame,
    lang: str,
    title: str,
    *,
    kind: str = "ratio",
    yes_no_labels: tuple[str, str] = ("0", "1"),
    order: list[str] | None = None,
) -> go.Figure:
    """One line per province over the periods (``period``, ``name``, ``value``).

    ``order`` (names) gives the colours and the legend order, so that a province has the
    same colour as in :func:`pillar_groups` drawn in that order; by default, first seen. The
    break marker shows where the framework version changes.
    """
    periods = sorted(df["period"].unique())
    fig = go.Figure()
    names = order if order is not None else list(dict.fromkeys(df["name"]))
    for i, name in enumerate(names):
        part = df[df["name"] == name].sort_values("period")
        if part.empty:
            continue
        fig.add_trace(
            go.Scatter(
                x=part["period"],
                y=part["value"],
                name=str(name),
                mode="lines+markers",
                line={"color": PALETTE[i % len(PALETTE)]},
                marker={"size": 5},
                hovertemplate="%{x}: "
                + hover_format(kind).replace("x:", "y:")
                + "<extra>"
                + str(name)
                + "</extra>",
            )
        )
    fig.update_xaxes(
        type="category",
        categoryorder="array",
        categoryarray=periods,
        dtick=category_step(len(periods)),
        tickangle=0,
    )
    fig.update_yaxes(**value_axis(kind, yes_no_labels, full=False))
    fig.update_layout(
        title={"text": title},
        height=380,
        separators=separators(lang),
        legend={"orientation": "h", "y": -0.2},
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
    )
    return mark_breaks(fig, periods, lang)


def rank_range(df: pd.DataFrame, lang: str, title: str, labels: dict[str, str]) -> go.Figure:
    """Rank range per province: a bar from best to worst rank, a dot at the rank with the
    chosen weights and a ring at the rank with equal weights.

    ``df``: ``name``, ``rank``, ``equal_rank``, ``best_rank``, ``worst_rank``; ``labels``:
    legend texts for ``range``, ``rank`` and ``equal_rank``.
    """
    data = df[df["rank"].notna()].sort_values(["rank", "name"])
    order = list(data["name"])
    best = data["best_rank"].astype(float)
    worst = data["worst_rank"].astype(float)
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            x=worst - best + 0.001,
            base=best,
            y=data["name"],
            orientation="h",
            marker_color="#c6dbef",
            name=labels["range"],
            customdata=list(zip(best, worst, strict=True)),
            hovertemplate="%{y}: %{customdata[0]:.0f}–%{customdata[1]:.0f}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=data["equal_rank"].astype(float),
            y=data["name"],
            mode="markers",
            name=labels["equal_rank"],
            marker={"symbol": "circle-open", "size": 9, "color": "#555555", "line": {"width": 2}},
            hovertemplate="%{y}: %{x:.0f}<extra>" + labels["equal_rank"] + "</extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=data["rank"].astype(float),
            y=data["name"],
            mode="markers",
            name=labels["rank"],
            marker={"size": 8, "color": MAIN},
            hovertemplate="%{y}: %{x:.0f}<extra>" + labels["rank"] + "</extra>",
        )
    )
    fig.update_xaxes(
        range=[0.5, max(2.0, float(worst.max() if len(worst) else 1)) + 0.5],
        dtick=5,
        tick0=1,
        side="top",
    )
    fig.update_yaxes(
        categoryorder="array", categoryarray=order, autorange="reversed", tickfont={"size": 11}
    )
    fig.update_layout(
        title={"text": title},
        height=max(320, 100 + 17 * len(order)),
        separators=separators(lang),
        barmode="overlay",
        legend={"orientation": "h", "y": -0.01, "yanchor": "top"},
        margin={"l": 10, "r": 10, "t": 80, "b": 10},
    )
    return fig
