"""Overview figures and tables: target tiles, index strip, leaders and movers, one-file HTML.

Plain functions (no Streamlit): they take frames from ``metrics`` and the UI language, and
return frames, Plotly figures or HTML text. Nothing here computes an indicator: the tiles are the
national figures of ``metrics.national`` (area ``VN``), selected and formatted.
"""

from __future__ import annotations

import html
from datetime import date

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dxboard.catalogue import Catalogue, Indicator, load_catalogue
from dxboard.i18n import fmt_date, fmt_number, fmt_percent, t
from dxboard.periods import Period
from dxboard.registry import load_registry
from dxboard.textnorm import fold

NATIONAL = "VN"
GOOD, MID = 0.9, 0.5
"""Tile colour by the share of provinces meeting the target: ≥ 90 % green, ≥ 50 % orange."""
LEVEL_COLOURS = {"good": "green", "mid": "orange", "low": "red", "info": "gray"}
HEX = {"green": "#2e7d32", "orange": "#ef6c00", "red": "#c62828", "gray": "#607d8b"}
TILE_COLUMNS = [
    "indicator",
    "pillar",
    "pillar_name",
    "name",
    "unit",
    "scored",
    "n_met",
    "n_provinces",
    "n_missing",
    "value",
    "previous_met",
    "previous_value",
    "share_met",
    "level",
    "target",
    "d_met",
    "d_value",
    "comparable",
]


# --------------------------------------------------------------------------- tiles
def comparable_previous(period: str, basis: str, periods: list[str]) -> str | None:
    """The quarter before ``period`` when it has data and the same provinces (else ``None``).

    On the reported basis the quarter before 2025-Q3 is reported by the 63 former provinces,
    so it is not comparable with the 34 current ones.
    """
    prev = Period.parse(period).previous()
    if str(prev) not in periods:
        return None
    if basis == "reported" and prev.era != Period.parse(period).era:
        return None
    return str(prev)


def target_text(ind: Indicator, period: str, lang: str) -> str:
    """The target in force for ``period``: ``≥ 50 % (đến 31/12/2025)``, ``Có`` …"""
    if ind.target is None:
        return t("overview.no_target", lang)
    stage = ind.target.stage_for(Period.parse(period).end)
    if ind.unit == "yes_no":
        text = t("overview.target_all", lang)
    else:
        text = f"{ind.target.comparator.replace('>=', '≥').replace('<=', '≤')} "
        text += fmt_percent(stage.value, lang, _decimals(stage.value))
    if stage.deadline is not None:
        text += " " + t("overview.by_date", lang, date=fmt_date(stage.deadline, lang))
    return text


def _decimals(fraction: float) -> int:
    return 0 if abs(fraction * 100 - round(fraction * 100)) < 1e-9 else 1


def _level(scored: bool, share: float) -> str:
    if not scored or np.isnan(share):
        return "info"
    return "good" if share >= GOOD else "mid" if share >= MID else "low"


def tile_frame(
    nat: pd.DataFrame,
    period: str,
    previous: str | None,
    lang: str,
    catalogue: Catalogue | None = None,
) -> pd.DataFrame:
    """One row per indicator of the framework version of ``period`` (catalogue order) with the
    national figures of ``period``.

    ``nat`` is a ``metrics.national.national`` frame holding ``period`` (and ``previous`` when
    given). ``d_met`` and ``d_value`` are the changes since ``previous`` (NaN without one, and
    for an indicator that the framework version of ``period`` re-defined: ``comparable``
    false).
    """
    catalogue = catalogue or load_catalogue()
    version = catalogue.version_for(period)
    redefined = _redefined(catalogue, previous, period)
    vn = nat[nat["area"] == NATIONAL].set_index(["period", "indicator"])
    rows = []
    for ind in version.indicators:
        now = _pick(vn, period, ind.code)
        comparable = ind.code not in redefined
        before = _pick(vn, previous, ind.code) if previous and comparable else {}
        scored = ind.scored and ind.target is not None
        n_met = float(now.get("n_met", np.nan)) if scored else np.nan
        n = float(now.get("n_provinces", np.nan))
        share = n_met / n if n else np.nan
        prev_met = float(before.get("n_met", np.nan)) if scored else np.nan
        prev_value = float(before.get("value", np.nan))
        value = float(now.get("value", np.nan))
        rows.append(
            {
                "indicator": ind.code,
                "pillar": ind.pillar,
                "pillar_name": version.pillar(ind.pillar).name(lang),
                "name": ind.name(lang),
                "unit": ind.unit,
                "scored": scored,
                "n_met": n_met,
                "n_provinces": n,
                "n_missing": float(now.get("n_missing", np.nan)),
                "value": value,
                "previous_met": prev_met,
                "previous_value": prev_value,
                "share_met": share,
                "level": _level(scored, share),
                "target": target_text(ind, period, lang),
                "d_met": n_met - prev_met,
                "d_value": value - prev_value,
                "comparable": comparable,
            }
        )
    return pd.DataFrame(rows, columns=TILE_COLUMNS)


def _redefined(catalogue: Catalogue, previous: str | None, period: str) -> set[str]:
    """Indicators whose definition, formula or target changed between the versions of
    ``previous`` and ``period`` (a change of name alone keeps them comparable)."""
    if previous is None:
        return set()
    before, after = catalogue.version_for(previous), catalogue.version_for(period)
    if before.id == after.id:
        return set()
    return {
        c.code
        for c in catalogue.changes(before, after)
        if c.entity == "indicator" and set(c.aspects) - {"name"}
    }


def _pick(vn: pd.DataFrame, period: str | None, code: str) -> dict:
    key = (period, code)
    if period is None or key not in vn.index:
        return {}
    row = vn.loc[key]
    return {k: (np.nan if pd.isna(v) else v) for k, v in row.items()}


def headline(row: pd.Series | dict, lang: str) -> str:
    """``55/63`` for a scored indicator; the national value for an informational one."""
    if not row["scored"]:
        return fmt_percent(row["value"], lang)
    if np.isnan(row["n_met"]):
        return "–"
    return f"{int(row['n_met'])}/{int(row['n_provinces'])}"


def met_text(row: pd.Series | dict, lang: str) -> str:
    """``tỉnh đã có`` (yes/no) or ``tỉnh đạt mục tiêu`` (ratio); the basis of the informational."""
    if not row["scored"]:
        return t("overview.info_national", lang)
    return t("overview.met_yes_no" if row["unit"] == "yes_no" else "overview.met_ratio", lang)


def national_text(row: pd.Series | dict, lang: str, previous: str | None = None) -> str:
    """``Cả nước: 87,3 % (+1,2 điểm %) — mục tiêu ≥ 100 %``; the change only with a
    comparable ``previous`` quarter; a note instead of the target for an informational one."""
    if not row["scored"]:
        return t("overview.info_target", lang)
    value = fmt_percent(row["value"], lang)
    if previous is not None and not np.isnan(row["d_value"]):
        value += " " + t("overview.points_paren", lang, n=signed(row["d_value"] * 100, lang, 1))
    return t("overview.national", lang, value=value, target=row["target"])


def missing_text(row: pd.Series | dict, lang: str) -> str:
    """``3 tỉnh chưa có số liệu`` or empty."""
    missing = row["n_missing"]
    if np.isnan(missing) or missing <= 0:
        return ""
    return t("overview.missing", lang, n=int(missing))


def change_text(row: pd.Series | dict, previous: str | None, lang: str) -> str:
    """``+2 tỉnh, +1,3 điểm % so với 2026-Q2``; a no-comparison note without a previous quarter."""
    if previous is None:
        return t("overview.no_previous_short", lang)
    parts = []
    if row["scored"] and not np.isnan(row["d_met"]):
        parts.append(t("overview.change_met", lang, n=signed(row["d_met"], lang, 0)))
    if not np.isnan(row["d_value"]):
        parts.append(t("overview.change_points", lang, n=signed(row["d_value"] * 100, lang, 1)))
    if not parts:
        return t("overview.no_previous_value", lang)
    return t("overview.change", lang, what=", ".join(parts), period=previous)


def signed(value: float, lang: str, decimals: int) -> str:
    text = fmt_number(abs(value), lang, decimals)
    if round(value, decimals) == 0:
        return "±" + text
    return ("+" if value > 0 else "−") + text


def pack_pillars(sizes: list[int]) -> list[list[int]]:
    """Pillar positions packed into columns (first fit, a column holds at most the largest
    pillar's number of tiles), so a few short pillars share a column."""
    cap = max(sizes, default=0)
    columns: list[list[int]] = []
    load: list[int] = []
    for i, size in enumerate(sizes):
        j = next((j for j, used in enumerate(load) if used + size <= cap), None)
        if j is None:
            columns.append([i])
            load.append(size)
        else:
            columns[j].append(i)
            load[j] += size
    return columns


# --------------------------------------------------------------------------- ranks
def region_name(code: str, lang: str) -> str:
    """Registry name of a region code (the code itself if unknown)."""
    try:
        region = load_registry().region(code)
    except KeyError:
        return code
    return region.name_vi if lang == "vi" else region.name_en


def leaders(ranks: pd.DataFrame, lang: str, n: int = 5, top: bool = True) -> pd.DataFrame:
    """The ``n`` highest (or lowest) provinces by index: rank, province, index."""
    ranked = ranks.dropna(subset=["readiness_index"])
    ranked = ranked.sort_values(
        ["readiness_index", "province_name"], ascending=[not top, True], key=_sort_key
    )
    return _rank_table(ranked.head(n), lang)


def movers(ranks: pd.DataFrame, lang: str, n: int = 5, up: bool = True) -> pd.DataFrame:
    """The ``n`` biggest risers (or fallers) by rank change; empty without a rank change."""
    change = ranks["rank_change"].astype("Float64")
    moved = ranks[(change > 0) if up else (change < 0)].copy()
    moved["_abs"] = moved["rank_change"].astype(float).abs()
    moved = moved.sort_values(["_abs", "rank"], ascending=[False, True]).head(n)
    table = _rank_table(moved, lang).iloc[:, :2]
    table[t("overview.col_change", lang)] = [
        signed(float(v), lang, 0) for v in moved["rank_change"]
    ]
    return table


def _sort_key(col: pd.Series) -> pd.Series:
    return col.map(fold) if col.dtype == object or pd.api.types.is_string_dtype(col) else col


def _rank_table(rows: pd.DataFrame, lang: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            t("col.rank", lang): rows["rank"].astype("Int64").to_numpy(),
            t("overview.col_province", lang): rows["province_name"].to_numpy(),
            t("overview.col_index", lang): [
                fmt_number(v, lang, 1) for v in rows["readiness_index"]
            ],
        }
    )


def index_strip(ranks: pd.DataFrame, lang: str) -> go.Figure:
    """One dot per province on the 0–100 index axis, one row per region, with the median."""
    shown = ranks.dropna(subset=["readiness_index"])
    order = [r.code for r in load_registry().regions if r.code in set(shown["region"])]
    fig = go.Figure()
    for code in order:
        part = shown[shown["region"] == code]
        fig.add_trace(
            go.Scatter(
                x=part["readiness_index"],
                y=[_wrap(region_name(code, lang))] * len(part),
                mode="markers",
                name=region_name(code, lang),
                showlegend=False,
                marker={"size": 10, "opacity": 0.8, "line": {"width": 1, "color": "white"}},
                customdata=np.column_stack([part["province_name"], part["rank"].astype(str)]),
                hovertemplate=(
                    f"%{{customdata[0]}}<br>{t('col.index', lang)}: %{{x:.1f}}"
                    f"<br>{t('col.rank', lang)}: %{{customdata[1]}}<extra></extra>"
                ),
            )
        )
    if len(shown):
        median = float(np.median(shown["readiness_index"]))
        fig.add_vline(
            x=median,
            line_dash="dash",
            line_color="#555",
            annotation_text=t("overview.median", lang, value=fmt_number(median, lang, 1)),
            annotation_position="top",
        )
    fig.update_layout(
        title=t("overview.index_title", lang),
        height=310,
        template="plotly_white",
        margin={"l": 10, "r": 24, "t": 50, "b": 40},
        separators=",." if lang == "vi" else ".,",
        xaxis={"title": t("col.index", lang), "range": [_floor(shown), 100]},
        yaxis={"autorange": "reversed"},
    )
    return fig


def _wrap(text: str, width: int = 22) -> str:
    """Break a long label into lines of about ``width`` characters (``<br>``)."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + len(word) < width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(lines)


def _floor(shown: pd.DataFrame) -> float:
    low = shown["readiness_index"].min() if len(shown) else 0.0
    return float(max(0.0, np.floor((low - 5) / 10) * 10)) if not np.isnan(low) else 0.0


# --------------------------------------------------------------------------- completeness
COUNT_STATES = ("on_time", "late", "partial", "missing", "not_yet_due")
COUNT_COLOURS = {
    "on_time": "green",
    "late": "orange",
    "partial": "violet",
    "missing": "red",
    "not_yet_due": "gray",
}


def completeness_counts(summary: pd.DataFrame, period: str) -> dict[str, int]:
    """Counts per reporting state of ``period`` from a ``metrics.completeness`` frame
    (``partial`` only when there are any)."""
    row = summary[summary["period"] == period]
    if row.empty:
        return {}
    first = row.iloc[0]
    counts = {s: int(first[s]) for s in COUNT_STATES}
    if counts["partial"] == 0:
        counts.pop("partial")
    return counts


# --------------------------------------------------------------------------- HTML
_CSS = """
body{font-family:Arial,Helvetica,sans-serif;margin:10px;color:#222;font-size:11px}
h1{font-size:18px;margin:4px 0 2px} h2{font-size:13px;margin:8px 0 4px}
.demo{background:#fff3cd;border:1px solid #e0c36a;padding:4px 8px;font-weight:bold}
.sub{color:#555;margin-bottom:4px}
table{border-collapse:collapse;width:100%;margin-bottom:4px}
th,td{border:1px solid #ccc;padding:1px 5px;text-align:left;vertical-align:top}
th{background:#f0f2f6} td.num{text-align:right;white-space:nowrap}
.pillar td{background:#e8eef8;font-weight:bold}
.dot{display:inline-block;width:9px;height:9px;border-radius:5px;margin-right:4px}
.cols{display:flex;gap:14px;align-items:flex-start} .cols>div{flex:1;min-width:0}
.cols>div.chart{flex:1.6}
@page{size:A4 landscape;margin:8mm}
@media print{body{margin:0;zoom:0.9}}
"""


def overview_html(
    tiles: pd.DataFrame,
    ranks: pd.DataFrame,
    counts: dict[str, int],
    lang: str,
    *,
    period: str,
    basis_label: str,
    previous: str | None,
    demo: bool,
    figure: go.Figure | None = None,
    generated: date | None = None,
    messages: list[str] | None = None,
) -> str:
    """The overview as one self-contained HTML file (Plotly inlined, no network needed), the
    key ``messages`` (markdown, bold kept) first."""
    esc = html.escape
    title = t("overview.title", lang, period=period)
    parts = [
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">',
        f"<title>{esc(title)}</title><style>{_CSS}</style></head><body>",
    ]
    if demo:
        parts.append(f'<div class="demo">{esc(t("banner.demo", lang))}</div>')
    parts.append(f"<h1>{esc(title)}</h1>")
    sub = t(
        "overview.subtitle", lang, basis=basis_label, date=fmt_date(generated or date.today(), lang)
    )
    parts.append(f'<div class="sub">{esc(sub)}</div>')
    if messages:
        items = "".join(f"<li>{_bold(m)}</li>" for m in messages)
        parts.append(f"<h2>{esc(t('keymsg.heading', lang))}</h2><ol>{items}</ol>")
    parts.append(f"<h2>{esc(t('overview.targets_heading', lang))}</h2>")
    parts.append(_tiles_table(tiles, previous, lang))
    parts.append(_counts_html(counts, lang))
    parts.append('<div class="cols"><div>')
    parts.append(f"<h2>{esc(t('overview.top_heading', lang))}</h2>")
    parts.append(_frame_html(leaders(ranks, lang, top=True)))
    parts.append(f"<h2>{esc(t('overview.bottom_heading', lang))}</h2>")
    parts.append(_frame_html(leaders(ranks, lang, top=False)))
    parts.append("</div><div>")
    parts.append(_movers_html(ranks, previous, lang))
    parts.append('</div><div class="chart">')
    if figure is not None:
        parts.append(
            figure.to_html(
                full_html=False,
                include_plotlyjs=True,
                default_width="100%",
                default_height="300px",
                config={"displaylogo": False, "responsive": True},
            )
        )
    parts.append("</div></div>")
    parts.append("</body></html>")
    return "".join(parts)


def _bold(markdown: str) -> str:
    """Escaped text with ``**bold**`` spans as ``<b>``."""
    pieces = html.escape(markdown).split("**")
    return "".join(f"<b>{p}</b>" if i % 2 else p for i, p in enumerate(pieces))


def _tiles_table(tiles: pd.DataFrame, previous: str | None, lang: str) -> str:
    esc = html.escape
    heads = [
        t("col.indicator", lang),
        t("overview.col_provinces", lang),
        t("overview.col_national", lang),
        t("col.target", lang),
        t("overview.col_change_period", lang),
    ]
    rows = ["<table><tr>" + "".join(f"<th>{esc(h)}</th>" for h in heads) + "</tr>"]
    for _, group in tiles.groupby("pillar", sort=False):
        rows.append(
            f'<tr class="pillar"><td colspan="5">{esc(group["pillar_name"].iloc[0])}</td></tr>'
        )
        for _, row in group.iterrows():
            colour = HEX[LEVEL_COLOURS[row["level"]]]
            miss = missing_text(row, lang)
            count = headline(row, lang) if row["scored"] else ""
            count += f" ({miss})" if miss and count else miss
            target = row["target"] if row["scored"] else t("overview.no_target", lang)
            rows.append(
                f'<tr><td><span class="dot" style="background:{colour}"></span>'
                f'{esc(row["name"])}</td><td class="num">{esc(count)}</td>'
                f'<td class="num">{esc(fmt_percent(row["value"], lang))}</td>'
                f"<td>{esc(target)}</td><td>{esc(change_text(row, previous, lang))}</td></tr>"
            )
    rows.append("</table>")
    return "".join(rows)


def _counts_html(counts: dict[str, int], lang: str) -> str:
    if not counts:
        return ""
    items = " · ".join(
        f"{html.escape(t('completeness.state_' + s, lang))}: {n}" for s, n in counts.items()
    )
    return f"<h2>{html.escape(t('overview.completeness_heading', lang))}</h2><div>{items}</div>"


def _movers_html(ranks: pd.DataFrame, previous: str | None, lang: str) -> str:
    esc = html.escape
    if previous is None:
        return (
            f"<h2>{esc(t('overview.movers_heading', lang))}</h2>"
            f"<p>{esc(t('overview.no_previous', lang))}</p>"
        )
    out = []
    for up in (True, False):
        key = "overview.risers_heading" if up else "overview.fallers_heading"
        out.append(f"<h2>{esc(t(key, lang))}</h2>")
        table = movers(ranks, lang, up=up)
        out.append(
            _frame_html(table) if len(table) else f"<p>{esc(t('overview.no_movers', lang))}</p>"
        )
    return "".join(out)


def _frame_html(frame: pd.DataFrame) -> str:
    esc = html.escape
    head = "".join(f"<th>{esc(str(c))}</th>" for c in frame.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{esc('' if pd.isna(v) else str(v))}</td>" for v in row) + "</tr>"
        for row in frame.itertuples(index=False)
    )
    return f"<table><tr>{head}</tr>{body}</table>"
