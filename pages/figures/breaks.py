"""The break marker of a chart over periods: where the framework version changes, a dashed
line between the two quarters labelled «Phương pháp thay đổi từ 2025-Q3»."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from dxboard.catalogue import Catalogue, load_catalogue
from dxboard.i18n import t

BREAK_COLOUR = "#8d6e63"


def mark_breaks(
    fig: go.Figure, periods: Sequence[str], lang: str, catalogue: Catalogue | None = None
) -> go.Figure:
    """Add the marker to ``fig``, whose x axis is the category list ``periods`` (in order), at
    every change of framework version within them; returns ``fig``."""
    categories = [str(p) for p in periods]
    for first in (catalogue or load_catalogue()).breaks(categories):
        if str(first) not in categories:
            continue
        x = categories.index(str(first)) - 0.5
        right_half = x > (len(categories) - 1) / 2  # the label goes towards the middle
        fig.add_shape(
            type="line",
            xref="x",
            yref="paper",
            x0=x,
            x1=x,
            y0=0,
            y1=1,
            line={"color": BREAK_COLOUR, "dash": "dash", "width": 1.5},
        )
        fig.add_annotation(
            x=x,
            xref="x",
            y=1,
            yref="paper",
            text=t("framework.changed", lang, p=str(first)),
            showarrow=False,
            xanchor="right" if right_half else "left",
            yanchor="bottom",
            font={"color": BREAK_COLOUR, "size": 11},
        )
    return fig
