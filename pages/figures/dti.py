"""DTI figures and tables: the source line, small ranked tables, score and rank over the years,
main indices against the means, and the readiness index against the DTI.

Plain functions (no Streamlit) over the frames of ``metrics.dti``; numbers are formatted, never
computed here.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dxboard.i18n import fmt_number, t
from metrics.dti import DTI_COLUMNS, MINISTRY_SINCE_2024, PUBLISHED_ON
from pages.figures.maps import separators

MAIN, NATIONAL, REGIONAL, DERIVED = "#1F4E79", "#7f7f7f", "#e07b39", "#9ecae1"


def source_text(year: int, lang: str) -> str:
    """«Nguồn: Bộ KH&CN, DTI 2024 (công bố 21/10/2025)» / the English equivalent."""
    ministry = t("dti.ministry_most" if year >= MINISTRY_SINCE_2024 else "dti.ministry_mic", lang)
    day = PUBLISHED_ON.get(year)
    if day is None:
        return t("dti.source", lang, ministry=ministry, year=year)
    return t("dti.source_dated", lang, ministry=ministry, year=year, date=day)


def score_text(value: object, lang: str) -> str:
    """A DTI score with its four published decimals (``0,7770``); ``–`` when missing."""
    if value is None or pd.isna(value):  # type: ignore[call-overload]
        return "–"
    return fmt_number(float(value), lang, 4)  # type: ignore[arg-type]


def index_name(column: str, lang: str) -> str:
    """``pdti`` or a main index, by name."""
    return t(f"dti.index_{column}", lang)


def small_table(frame: pd.DataFrame, lang: str, change: bool = False) -> pd.DataFrame:
    """Rank, province and score (and the rank change) with headers in ``lang``."""
    out = pd.DataFrame(
        {
            t("col.rank", lang): frame["rank"].astype(str),
            t("col.province", lang): frame["province_name"],
            "DTI": [score_text(v, lang) for v in frame["pdti"]],
        }
    )
    if change:
        out[t("dti.rank_change", lang)] = [f"+{int(v)}" for v in frame["rank_change"]]
    return out


def download_frame(table: pd.DataFrame) -> pd.DataFrame:
    """The rows of a page's DTI download: the columns of ``dxboard export dti``."""
    return table[DTI_COLUMNS].reset_index(drop=True)


def ranking_table(
    ranked: pd.DataFrame, column: str, lang: str, regions: dict[str, str]
) -> pd.DataFrame:
    """The ranking of one index (``metrics.dti.dti_ranking``) for the page: rank, province,
    region, value and whether the row was published."""
    return pd.DataFrame(
        {
            t("col.rank", lang): ranked["value_rank"],
            t("col.province", lang): ranked["province_name"],
            t("col.region", lang): ranked["region"].map(regions),
            index_name(column, lang): [score_text(v, lang) for v in ranked["value"]],
            t("dti.status", lang): [
                t("dti.published" if p else "dti.derived", lang) for p in ranked["published"]
            ],
        }
    ).reset_index(drop=True)


def history_chart(history: pd.DataFrame, lang: str, title: str) -> go.Figure:
    """Score (left axis) and rank (right axis, 1 on top) by year; derived years drawn pale.

    ``history``: ``year``, ``pdti``, ``rank``, ``n_ranked``, ``published``."""
    data = history.sort_values("year")
    years = [str(y) for y in data["year"]]
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    colours = [MAIN if p else DERIVED for p in data["published"]]
    score_label, rank_label = t("dti.index_pdti", lang), t("col.rank", lang)
    fig.add_trace(
        go.Bar(
            x=years,
            y=data["pdti"],
            name=score_label,
            marker={"color": colours},
            text=[score_text(v, lang) for v in data["pdti"]],
            textposition="outside",
            hovertemplate="%{x}: %{y:.4f}<extra>" + score_label + "</extra>",
        ),
        secondary_y=False,
    )
    fig.add_trace(
        go.Scatter(
            x=years,
            y=data["rank"].astype(float),
            name=rank_label,
            mode="lines+markers+text",
            text=[
                f"{int(r)}/{int(n)}" for r, n in zip(data["rank"], data["n_ranked"], strict=True)
            ],
            textposition="top center",
            line={"color": REGIONAL, "dash": "dot"},
            hovertemplate="%{x}: %{text}<extra>" + rank_label + "</extra>",
        ),
        secondary_y=True,
    )
    worst = int(data["n_ranked"].max()) if len(data) else 1
    fig.update_yaxes(title_text=score_label, range=[0, 1], secondary_y=False)
    fig.update_yaxes(
        title_text=rank_label, range=[worst + 0.5, 0.5], secondary_y=True, showgrid=False
    )
    fig.update_xaxes(type="category")
    fig.update_layout(
        title={"text": title},
        height=340,
        separators=separators(lang),
        legend={"orientation": "h", "y": -0.2},
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
    )
    return fig


def index_bars(means: pd.DataFrame, lang: str, title: str, province: str) -> go.Figure:
    """The province's main indices beside the national and regional means (``index_means``)."""
    names = [index_name(c, lang) for c in means["index"]]
    fig = go.Figure()
    series = (
        ("province", province, MAIN),
        ("national", t("dti.national_mean", lang), NATIONAL),
        ("region", t("dti.region_mean", lang), REGIONAL),
    )
    for column, label, colour in series:
        fig.add_trace(
            go.Bar(
                x=names,
                y=means[column],
                name=label,
                marker={"color": colour},
                hovertemplate="%{x}: %{y:.4f}<extra>" + label + "</extra>",
            )
        )
    fig.update_layout(
        title={"text": title},
        barmode="group",
        height=360,
        yaxis={"range": [0, 1]},
        separators=separators(lang),
        legend={"orientation": "h", "y": -0.25},
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
    )
    return fig


def agreement_scatter(frame: pd.DataFrame, lang: str, title: str, index_label: str) -> go.Figure:
    """The readiness index (x) against the DTI (y), one point per province."""
    fig = go.Figure(
        go.Scatter(
            x=frame["readiness_index"],
            y=frame["pdti"],
            mode="markers",
            marker={"color": MAIN, "size": 8, "opacity": 0.8},
            text=frame["province_name"],
            hovertemplate="<b>%{text}</b><br>%{x:.1f} · %{y:.4f}<extra></extra>",
        )
    )
    fig.update_layout(
        title={"text": title},
        height=380,
        xaxis={"title": {"text": index_label}},
        yaxis={"title": {"text": t("dti.index_pdti", lang)}},
        separators=separators(lang),
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
    )
    return fig
