"""Figures of the Province profile page: index and rank history, pillars vs averages; the
indicator table for download."""

from __future__ import annotations

from datetime import date

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dxboard.catalogue import Catalogue
from dxboard.i18n import t
from dxboard.tables import as_number
from metrics.brief import ProvinceBrief
from pages.figures.breaks import mark_breaks
from pages.figures.compare import MAIN
from pages.figures.maps import category_step, separators, wrap

NATIONAL = "#9e9e9e"
REGIONAL = "#e07b39"


def index_history(
    df: pd.DataFrame, lang: str, title: str, index_label: str, rank_label: str
) -> go.Figure:
    """The index (0–100, left axis) and the rank (right axis, 1 at the top) over periods, with
    the break marker where the framework version changes.

    ``df``: ``period``, ``readiness_index``, ``rank``, ``n_ranked``.
    """
    data = df.sort_values("period")
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(
        go.Scatter(
            x=data["period"],
            y=data["readiness_index"],
            name=index_label,
            mode="lines+markers",
            line={"color": MAIN, "width": 3},
            marker={"size": 6},
            hovertemplate="%{x}: %{y:.1f}<extra>" + index_label + "</extra>",
        ),
        secondary_y=False,
    )
    ranks = data["rank"].astype(float)
    fig.add_trace(
        go.Scatter(
            x=data["period"],
            y=ranks,
            name=rank_label,
            mode="lines+markers",
            line={"color": REGIONAL, "dash": "dot"},
            marker={"size": 5},
            customdata=data["n_ranked"],
            hovertemplate="%{x}: %{y:.0f}/%{customdata}<extra>" + rank_label + "</extra>",
        ),
        secondary_y=True,
    )
    worst = int(data["n_ranked"].max()) if len(data) else 1
    step = 5 if worst <= 40 else 10
    fig.update_yaxes(title_text=index_label, range=[0, 100], secondary_y=False)
    fig.update_yaxes(
        title_text=rank_label,
        range=[worst + 0.5, 0.5],
        secondary_y=True,
        showgrid=False,
        tickvals=[1, *range(step, worst + 1, step)],
    )
    fig.update_xaxes(
        type="category",
        categoryorder="array",
        categoryarray=list(data["period"]),
        dtick=category_step(len(data)),
        tickangle=0,
    )
    fig.update_layout(
        title={"text": title},
        height=360,
        separators=separators(lang),
        legend={"orientation": "h", "y": -0.2},
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
    )
    return mark_breaks(fig, list(data["period"]), lang)


def pillar_bars(
    pillars: pd.DataFrame, lang: str, title: str, labels: tuple[str, str, str]
) -> go.Figure:
    """Grouped bars per pillar: the province's score, the national mean and the regional
    mean (0–1, shown in %).

    ``pillars``: ``name_vi``, ``name_en``, ``score``, ``national_mean``, ``regional_mean``
    (``metrics.brief.ProvinceBrief.pillars``); ``labels``: the three series names.
    """
    names = [wrap(n) for n in pillars["name_en" if lang == "en" else "name_vi"]]
    fig = go.Figure()
    for column, label, colour in zip(
        ("score", "national_mean", "regional_mean"), labels, (MAIN, NATIONAL, REGIONAL), strict=True
    ):
        fig.add_trace(
            go.Bar(
                x=names,
                y=pillars[column],
                name=label,
                marker_color=colour,
                hovertemplate="%{x}: %{y:.1%}<extra>" + label + "</extra>",
            )
        )
    fig.update_yaxes(tickformat=".0%", range=[0, 1.05])
    fig.update_layout(
        title={"text": title},
        barmode="group",
        height=380,
        separators=separators(lang),
        legend={"orientation": "h", "yanchor": "top", "y": -0.22},
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
    )
    return fig


# --------------------------------------------------------------------------- export
def _scaled(values: pd.Series, units: pd.Series) -> list[float | None]:
    """Ratios as percentages (numbers), yes/no as 1/0; missing stays blank."""
    out: list[float | None] = []
    for v, u in zip(values, units, strict=True):
        number = as_number(v)
        out.append(None if number is None else (number * 100 if u != "yes_no" else number))
    return out


def export_frame(brief: ProvinceBrief, catalogue: Catalogue, lg: str) -> pd.DataFrame:
    """The indicator table for download: numbers as numbers (ratios in %), codes, real dates."""
    rows = brief.indicators
    version = catalogue.version_for(brief.period)
    units = [
        t("export.unit_yes_no" if u == "yes_no" else "export.unit_pct", lg) for u in rows["unit"]
    ]
    out = {
        t("col.province_code", lg): brief.province_code,
        t("col.province", lg): brief.province_name,
        t("col.period", lg): brief.period,
        t("profile.col_pillar", lg): [version.pillar(p).name(lg) for p in rows["pillar"]],
        t("export.col_indicator_code", lg): rows["indicator"],
        t("col.indicator", lg): [version.indicator(c).name(lg) for c in rows["indicator"]],
        t("export.col_unit", lg): units,
        t("col.value", lg): _scaled(rows["value"], rows["unit"]),
        t("col.target", lg): _scaled(rows["target"], rows["unit"]),
        t("export.col_deadline", lg): [when_day(d) for d in rows["deadline"]],
        t("col.status", lg): [t(f"status.{s}", lg) for s in rows["status"]],
    }
    for prefix, area in (("national", "export.col_national"), ("regional", "export.col_regional")):
        label = t(area, lg)
        out[f"{label}: {t('col.value', lg).lower()}"] = _scaled(
            rows[f"{prefix}_value"], rows["unit"]
        )
        out[t("export.col_met_of", lg, area=label)] = rows[f"{prefix}_n_met"]
        out[t("export.col_n_of", lg, area=label)] = rows[f"{prefix}_n_provinces"]
    out[t("framework.col_framework", lg)] = version.name(lg)
    return pd.DataFrame(out)


def when_day(value: object) -> date | None:
    """A deadline as a date (blank when there is none)."""
    if value is None or (not isinstance(value, date) and pd.isna(value)):
        return None
    return value if isinstance(value, date) else pd.Timestamp(value).date()
