"""Choropleth of provinces (Plotly ``go.Choropleth`` over the committed GeoJSON).

Offline: Plotly still loads a world base map even when its layers are hidden, so the page
passes ``config=MAP_CONFIG`` to ``st.plotly_chart``; the base map is served from
``static/topojson/`` (see ``static/README.md``).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go

from pages.figures.geo import load_geojson

# Relative to the page URL (http://host/<page>), so it also works under a base URL path.
TOPOJSON_URL = "app/static/topojson/"
MAP_CONFIG: dict[str, Any] = {
    "topojsonURL": TOPOJSON_URL,
    "displaylogo": False,
    "scrollZoom": False,
}
# Blues with more steps in the upper half, where most provinces are (index 60–100, shares
# close to their 100 % targets); the colour bar shows the values.
SCALE = [
    [0.0, "#f7fbff"],
    [0.4, "#deebf7"],
    [0.6, "#9ecae1"],
    [0.75, "#6baed6"],
    [0.85, "#3182bd"],
    [0.93, "#08519c"],
    [1.0, "#08306b"],
]
# Evenly spaced blues, for a colour range fitted to the values (``colour_range``).
FITTED_SCALE = [
    [0.0, "#f7fbff"],
    [0.125, "#deebf7"],
    [0.25, "#c6dbef"],
    [0.375, "#9ecae1"],
    [0.5, "#6baed6"],
    [0.625, "#4292c6"],
    [0.75, "#2171b5"],
    [0.875, "#08519c"],
    [1.0, "#08306b"],
]
# yes/no: two colours, no in orange and yes in dark blue (a pale "no" would look empty)
YES_NO_SCALE = [[0.0, "#f4a259"], [0.5, "#f4a259"], [0.5, "#1F4E79"], [1.0, "#1F4E79"]]
MISSING_COLOUR = "#d9d9d9"
BORDER = "#c8c8c8"
RANGES = {"ratio": (0.0, 1.0), "yes_no": (0.0, 1.0), "index": (0.0, 100.0), "score": (0.0, 1.0)}
"""Colour ranges by kind; ``score``: a published 0–1 score such as the DTI."""


def wrap(label: str, width: int = 12) -> str:
    """Break a long axis label into two lines at the space nearest the middle."""
    if len(label) <= width or " " not in label:
        return label
    middle = len(label) // 2
    cut = min((i for i, c in enumerate(label) if c == " "), key=lambda i: abs(i - middle))
    return f"{label[:cut]}<br>{label[cut + 1 :]}"


def category_step(n: int, shown: int = 10) -> int:
    """Show about ``shown`` labels on a category axis of ``n`` values."""
    return max(1, -(-n // shown))


def separators(lang: str) -> str:
    """Plotly's decimal and thousands separators: ``1.234,5`` in Vietnamese."""
    return ",." if lang == "vi" else ".,"


def _colorbar(kind: str, title: str, yes_no_labels: tuple[str, str], zmax: float) -> dict[str, Any]:
    bar: dict[str, Any] = {"title": {"text": title}, "thickness": 14, "len": 0.6}
    if kind == "ratio":
        bar["tickformat"] = ".0%" if zmax >= 0.1 else ".1%"
    elif kind == "yes_no":
        bar.update(tickvals=[0.25, 0.75], ticktext=list(yes_no_labels), len=0.25)
    return bar


def colour_range(
    values: pd.Series, kind: str, target: float | None = None
) -> tuple[float, float] | None:
    """The colour range for ``values`` when the default one would paint every province
    alike, else ``None`` (the default of ``kind``).

    A ratio with a small target (budget shares, 1 %): 0 to twice the target. Otherwise the
    index (0–100) and ratios (0–1) run from the lowest value, rounded down to a tenth of the
    scale, to the top of the scale: provinces are mostly within 80–95 % of their targets.
    """
    present = values.dropna()
    if kind == "ratio" and target is not None and target <= 0.2:
        return (0.0, 2 * target)
    if kind not in ("index", "ratio", "score") or present.empty:
        return None
    top = RANGES[kind][1]
    step = top / 10
    low = min(float(present.min()) // step * step, top - step)
    return None if low <= 0 else (round(low, 6), top)


def choropleth(
    values_df: pd.DataFrame,
    geojson: dict,
    lang: str,
    title: str,
    *,
    kind: str = "ratio",
    colorbar_title: str = "",
    missing_label: str = "",
    yes_no_labels: tuple[str, str] = ("0", "1"),
    zrange: tuple[float, float] | None = None,
    height: int = 560,
) -> go.Figure:
    """A map of ``values_df`` (columns ``province_code``, ``value``, ``label``: hover text).

    ``kind`` is ``ratio`` (colour range 0–1, shown as %), ``yes_no`` (0–1) or ``index``
    (0–100); ``zrange`` overrides the colour range (then spread evenly over the blues).
    Provinces without a value are drawn grey (second trace) so that none disappears.
    ``customdata`` holds the province code, for click handling.
    """
    zmin, zmax = zrange or RANGES[kind]
    has = values_df["value"].notna()
    fig = go.Figure()
    shown = values_df[has]
    fig.add_trace(
        go.Choropleth(
            geojson=geojson,
            featureidkey="id",
            locations=shown["province_code"],
            z=shown["value"].astype(float),
            zmin=zmin,
            zmax=zmax,
            colorscale=(YES_NO_SCALE if kind == "yes_no" else FITTED_SCALE if zrange else SCALE),
            text=shown["label"],
            customdata=shown["province_code"],
            hovertemplate="%{text}<extra></extra>",
            marker={"line": {"color": BORDER, "width": 0.4}},
            colorbar=_colorbar(kind, colorbar_title, yes_no_labels, zmax),
            name=colorbar_title,
        )
    )
    empty = values_df[~has]
    if len(empty):
        fig.add_trace(
            go.Choropleth(
                geojson=geojson,
                featureidkey="id",
                locations=empty["province_code"],
                z=[0.0] * len(empty),
                colorscale=[[0, MISSING_COLOUR], [1, MISSING_COLOUR]],
                showscale=False,
                text=empty["label"],
                customdata=empty["province_code"],
                hovertemplate="%{text}<extra></extra>",
                name=missing_label,
                marker={"line": {"color": BORDER, "width": 0.4}},
            )
        )
    fig.update_geos(
        visible=False,
        fitbounds="locations",
        projection_type="mercator",
        showland=False,
        showocean=False,
        showlakes=False,
        showrivers=False,
        showcountries=False,
        showcoastlines=False,
        showframe=False,
        bgcolor="rgba(0,0,0,0)",
    )
    fig.update_layout(
        title={"text": title},
        height=height,
        separators=separators(lang),
        margin={"l": 0, "r": 0, "t": 40, "b": 0},
        dragmode=False,
    )
    return fig


def era_map(values_df: pd.DataFrame, era: str, lang: str, title: str, **options: Any) -> go.Figure:
    """:func:`choropleth` over the committed provinces of ``era`` (``legacy``: 63,
    ``current``: 34); takes the era, not the geometry, so that it is cheap to cache on."""
    return choropleth(values_df, load_geojson(era), lang, title, **options)
