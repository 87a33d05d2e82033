"""So sánh / Compare: one indicator (or the readiness index) across provinces.

Pillar weights (set at the top) apply to the readiness index everywhere on the page: the map,
the ranked bars, the table and its download (the weighted ranking). Then: a map and a ranked
bar chart (a click opens the province's profile), a sortable table with download, the lagging
provinces per target (list and download), a scatter of any two indicators, 2–5 provinces side
by side (pillar scores and time series, with download), and the rank change and rank range the
weights cause. Thin: every number comes from ``metrics``.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from dxboard.catalogue import Version, load_catalogue
from dxboard.i18n import fmt_date, fmt_number, fmt_percent, t
from dxboard.periods import Period
from dxboard.registry import load_registry
from dxboard.tables import as_number
from metrics.headlines import lagging_provinces
from metrics.index import SAMPLES, rank_sensitivity, readiness_index
from metrics.indicators import indicator_values
from metrics.status import indicator_status
from pages import dti_views
from pages.common import (
    CHART_CONFIG,
    basis,
    cached,
    cached_periods,
    download_buttons,
    export_meta,
    figure,
    lang,
    need,
    period,
)
from pages.figures.compare import (
    STATUS_COLOURS,
    pair_frame,
    pillar_groups,
    rank_range,
    ranked_bars,
    scatter_pair,
    series_lines,
)
from pages.figures.maps import MAP_CONFIG, colour_range, era_map
from pages.frameworks import break_text, regime_text

INDEX = "readiness_index"
MAX_PICK = 5
MAP_HEIGHT = 640


# ----------------------------------------------------------------------------- helpers
def remember(key: str, default: Any) -> None:
    """Give widget ``key`` its last value (kept in ``_key``) when the page is opened again."""
    if key not in st.session_state:
        st.session_state[key] = st.session_state.get(f"_{key}", default)


def keep(key: str) -> None:
    st.session_state[f"_{key}"] = st.session_state.get(key)


def kind_of(choice: str, version: Version) -> str:
    """``index``, ``ratio`` or ``yes_no``."""
    return "index" if choice == INDEX else version.indicator(choice).unit


def choice_name(choice: str, version: Version, lg: str) -> str:
    return t("col.index", lg) if choice == INDEX else version.indicator(choice).name(lg)


def fmt_value(value: float | None, kind: str, lg: str) -> str:
    if value is None or pd.isna(value):
        return t("status.no_data", lg)
    if kind == "index":
        return fmt_number(value, lg, 1)
    if kind == "yes_no":
        return t("data.yes" if value >= 0.5 else "data.no", lg)
    return fmt_percent(value, lg)


def fmt_change(value: object) -> str:
    found = as_number(value)
    if found is None:
        return "–"
    number = int(found)
    return f"+{number}" if number > 0 else ("0" if number == 0 else f"−{-number}")


def fmt_rank(value: object) -> str:
    found = as_number(value)
    return "–" if found is None else str(int(found))


def open_profile(event: Any, era: str) -> None:
    """Switch to the profile of the province clicked on a chart (``customdata`` = code)."""
    try:
        points = event["selection"]["points"]
    except (KeyError, TypeError):
        return
    for point in points:
        code = point.get("customdata") or point.get("location")
        if isinstance(code, list):
            code = code[0] if code else None
        if code:
            st.session_state["profile_province"] = str(code)
            st.session_state["profile_era"] = era
            st.switch_page(st.session_state["page_urls"]["profile"])


# ----------------------------------------------------------------------------- data
def indicator_rows(choice: str, p: str, b: str) -> pd.DataFrame:
    """One row per province: value, status, target and rank of the indicator."""
    data = cached(indicator_status, p, b)
    data = data[data["indicator"] == choice].reset_index(drop=True)
    comparator = data["comparator"].dropna()
    ascending = bool(len(comparator)) and comparator.iloc[0] == "<="
    data["rank"] = data["value"].rank(method="min", ascending=ascending).astype("Int64")
    return data


Weights = dict[str, float] | None  # pillar weights set on the page; None for equal weights


def index_table(p: str | tuple[str, ...], b: str, weights: Weights) -> pd.DataFrame:
    """The readiness index under the page's weights (cached per weights)."""
    if weights is None:
        return cached(readiness_index, p, b)
    return cached(readiness_index, p, b, weights=weights)


def index_rows(p: str, b: str, weights: Weights = None) -> pd.DataFrame:
    data = index_table(p, b, weights).rename(columns={INDEX: "value"})
    data["status"] = None
    return data


def display_rows(
    choice: str, kind: str, p: str, b: str, lg: str, weights: Weights = None
) -> pd.DataFrame:
    """The rows shown: province, region names, value texts and hover labels."""
    rows = index_rows(p, b, weights) if choice == INDEX else indicator_rows(choice, p, b)
    registry = load_registry()
    regions = {r.code: (r.name_en if lg == "en" else r.name_vi) for r in registry.regions}
    rows["name"] = rows["province_name"]
    rows["region_name"] = rows["region"].map(regions)
    rows["value_text"] = [fmt_value(v, kind, lg) for v in rows["value"]]
    if kind == "yes_no" and rows["constituents_total"].max() > 1:
        rows["value_text"] = [
            t("compare.yes_of", lg, answer=text, k=int(k), n=int(n))
            if n > 1 and pd.notna(k)
            else text
            for text, k, n in zip(
                rows["value_text"], rows["num"], rows["constituents_total"], strict=True
            )
        ]
    if "constituents_total" in rows.columns:
        rows["constituents_text"] = [
            f"{r}/{n}"
            for r, n in zip(rows["constituents_reported"], rows["constituents_total"], strict=True)
        ]
    n = len(rows)
    rows["label"] = [_label(r, kind, n, lg) for r in rows.itertuples()]
    return rows


def _label(row: Any, kind: str, n: int, lg: str) -> str:
    parts = [f"<b>{row.name}</b>", f"{t('col.value', lg)}: {row.value_text}"]
    if row.status:
        parts.append(f"{t('col.status', lg)}: {t(f'status.{row.status}', lg)}")
    parts.append(f"{t('col.rank', lg)}: {fmt_rank(row.rank)}/{n}")
    return "<br>".join(parts)


# ----------------------------------------------------------------------------- sections
def controls(version: Version | None, lg: str) -> tuple[str, list[str]]:
    """Indicator (or index) of the period's framework version, or the published DTI and its
    main indices (without a period: the DTI only), and region filter."""
    options = dti_views.options()
    if version is not None:
        indicators = [i.code for p in version.pillars for i in version.indicators_of(p.code)]
        options = [INDEX, *indicators, *options]

    def label(code: str) -> str:
        if code == INDEX:
            return t("compare.index_option", lg)
        if dti_views.is_dti(code) or version is None:
            return dti_views.option_label(code, lg)
        ind = version.indicator(code)
        return f"{version.pillar(ind.pillar).name(lg)} › {ind.name(lg)}"

    regions = load_registry().regions
    remember("compare_indicator", options[0])
    if st.session_state["compare_indicator"] not in options:  # not in this period's version
        st.session_state["compare_indicator"] = options[0]
    remember("compare_regions", [])
    left, right = st.columns([3, 2])
    choice = left.selectbox(
        t("compare.indicator", lg),
        options,
        format_func=label,
        key="compare_indicator",
        help=t("compare.indicator_help", lg),
        on_change=keep,
        args=("compare_indicator",),
    )
    picked = right.multiselect(
        t("compare.regions", lg),
        [r.code for r in regions],
        key="compare_regions",
        format_func=lambda c: next(
            (r.name_en if lg == "en" else r.name_vi) for r in regions if r.code == c
        ),
        placeholder=t("compare.regions_placeholder", lg),
        on_change=keep,
        args=("compare_regions",),
    )
    return choice, picked


def target_caption(
    rows: pd.DataFrame, choice: str, kind: str, version: Version, lg: str, weighted: bool = False
) -> float | None:
    """Show the target in force (or the index note) and the counts; return the target."""
    if kind == "index":
        ranked = int(rows["value"].notna().sum())
        note = t("compare.index_note_weighted" if weighted else "compare.index_note", lg)
        st.caption(note + " " + t("compare.ranked_count", lg, k=ranked, n=len(rows)))
        return None
    ind = version.indicator(choice)
    if not ind.scored or ind.target is None:
        st.caption(t("compare.not_scored", lg))
        return None
    target = float(rows["target"].dropna().iloc[0]) if rows["target"].notna().any() else None
    if target is None:
        return None
    shown = fmt_value(target, kind, lg) if kind == "yes_no" else fmt_percent(target, lg, 0)
    deadline = rows["deadline"].dropna()
    text = (
        t("compare.target_deadline", lg, target=shown, deadline=fmt_date(deadline.iloc[0], lg))
        if len(deadline)
        else t("compare.target_none_deadline", lg, target=shown)
    )
    met = int((rows["status"] == "met").sum())
    st.caption(f"{text} {t('compare.met_count', lg, k=met, n=len(rows))}.")
    return target


def map_and_bars(
    rows: pd.DataFrame, choice: str, kind: str, target: float | None, version: Version, lg: str
) -> None:
    """The map (left) and the ranked bars (right, scrolling when there are many)."""
    name = choice_name(choice, version, lg)
    era = str(rows["era"].iloc[0])
    yes_no = (t("data.no", lg), t("data.yes", lg))
    zrange = colour_range(rows["value"], kind, target)
    left, right = st.columns([1, 1])
    with left:
        fig = figure(
            era_map,
            rows[["province_code", "value", "label"]],
            era,
            lg,
            t("compare.map_title", lg, name=name),
            kind=kind,
            colorbar_title="",
            missing_label=t("compare.map_missing", lg),
            yes_no_labels=yes_no,
            zrange=zrange,
            height=MAP_HEIGHT,
        )
        event = st.plotly_chart(
            fig,
            key="compare_map",
            on_select="rerun",
            selection_mode="points",
            width="stretch",
            config={**MAP_CONFIG, "displayModeBar": False},
        )
        open_profile(event, era)
    with right, st.container(height=MAP_HEIGHT + 20, border=False):
        target_label = (
            t("compare.target_line", lg, target=fmt_value(target, kind, lg))
            if target is not None
            else ""
        )
        bars = rows[["province_code", "name", "value", "label"]].copy()
        if kind != "index":
            bars["status"] = rows["status"]
        if kind == "yes_no":
            bars["text"] = rows["value_text"]
        fig = figure(
            ranked_bars,
            bars,
            lg,
            t("compare.bar_title", lg, name=name),
            kind=kind,
            target=target,
            target_label=target_label,
            yes_no_labels=yes_no,
        )
        event = st.plotly_chart(
            fig,
            key="compare_bar",
            on_select="rerun",
            selection_mode="points",
            width="stretch",
            config=CHART_CONFIG,
        )
        open_profile(event, era)
    missing = int(rows["value"].isna().sum())
    notes = [t("compare.click_hint", lg)]
    if missing:
        notes.append(t("compare.missing_count", lg, k=missing))
    st.caption(" · ".join(notes))


def table_frame(rows: pd.DataFrame, kind: str, lg: str, constituents: bool) -> pd.DataFrame:
    """The ranking table with headers in ``lg`` (numbers kept numeric for sorting)."""
    value_col = t("col.index" if kind == "index" else "col.value", lg)
    df = pd.DataFrame(
        {
            t("col.rank", lg): rows["rank"],
            t("col.province", lg): rows["name"],
            t("col.region", lg): rows["region_name"],
            value_col: rows["value_text"] if kind == "yes_no" else rows["value"],
        }
    )
    if kind == "index":
        df[t("compare.rank_change", lg)] = [
            fmt_change(c) if ok else t("framework.not_comparable", lg)
            for c, ok in zip(rows["rank_change"], rows["rank_comparable"], strict=True)
        ]
    else:
        df[t("col.status", lg)] = [f"● {t(f'status.{s}', lg)}" for s in rows["status"]]
    if constituents and "constituents_text" in rows.columns:
        df[t("compare.constituents", lg)] = rows["constituents_text"]
    return df.sort_values(
        [t("col.rank", lg), t("col.province", lg)], na_position="last"
    ).reset_index(drop=True)


def ranking_table(
    rows: pd.DataFrame, kind: str, p: str, b: str, lg: str, weights: Weights = None
) -> None:
    st.subheader(t("compare.table", lg))
    constituents = b == "current" and Period.parse(p).era == "legacy"
    df = table_frame(rows, kind, lg, constituents)
    value_col = t("col.index" if kind == "index" else "col.value", lg)
    formats: dict[str, Any] = {t("col.rank", lg): fmt_rank}
    if kind == "ratio":
        formats[value_col] = lambda v: fmt_value(v, kind, lg)
    # The grid shows a blank as "None", whatever the format: provinces without a value are
    # named below the table instead, and rank changes are written as text.
    ranked = df[t("col.rank", lg)].notna()
    shown = df[ranked]
    if kind == "index":
        formats[value_col] = lambda v: fmt_value(v, kind, lg)
    styled = shown.style.format(formats, na_rep="–")
    if kind != "index":
        colours = {f"● {t(f'status.{s}', lg)}": c for s, c in STATUS_COLOURS.items()}
        styled = styled.map(
            lambda v: f"color: {colours.get(v, '#555555')}; font-weight: 600",
            subset=[t("col.status", lg)],
        )
    st.dataframe(
        styled,
        hide_index=True,
        width="stretch",
        height=min(35 * (len(shown) + 1) + 3, 460),
        column_config={
            t("compare.rank_change", lg): st.column_config.TextColumn(
                help=t("compare.rank_change_help", lg)
            )
        }
        if kind == "index"
        else None,
    )
    if not ranked.all():
        st.caption(
            t("compare.unranked", lg, names=", ".join(df.loc[~ranked, t("col.province", lg)]))
        )
    marker = break_text((str(Period.parse(p).previous()), p), lg)
    if kind == "index" and marker:
        st.caption(t("framework.rank_not_comparable", lg, marker=marker))
    name = f"{t('compare.download_name', lg)}_{p}"
    download_buttons(export_rows(rows, kind, p, lg), name, "compare", meta=_meta(name, weights))


def _meta(name: str, weights: Weights) -> list[tuple[str, str]]:
    """The export metadata, with the pillar weights when they are not equal."""
    meta = export_meta(name)
    if weights is not None:
        lg = lang()
        shown = ", ".join(f"{k}={fmt_number(v, lg, 1)}" for k, v in weights.items())
        meta.append((t("compare.weights_title", lg), shown))
    return meta


_UNIT_KEYS = {"index": "export.unit_index", "yes_no": "export.unit_yes_no"}
"""The unit named in an export, by indicator kind (ratios are exported in %)."""


def export_rows(rows: pd.DataFrame, kind: str, p: str, lg: str) -> pd.DataFrame:
    """The ranking for download: codes, numbers as numbers (ratios in %, yes/no 1/0), the
    framework and the break marker."""
    values = rows["value"].astype(float)
    unit = _UNIT_KEYS.get(kind, "export.unit_pct")
    out = pd.DataFrame(
        {
            t("col.province_code", lg): rows["province_code"],
            t("col.province", lg): rows["name"],
            t("col.region", lg): rows["region_name"],
            t("col.rank", lg): rows["rank"],
            t("col.index" if kind == "index" else "col.value", lg): (
                values * 100 if kind == "ratio" else values
            ).round(2 if kind == "ratio" else 1 if kind == "index" else 0),
            t("export.col_unit", lg): t(unit, lg),
        }
    )
    if kind == "index":
        out[t("compare.rank_change", lg)] = rows["rank_change"].astype("Float64")
    else:
        out[t("col.status", lg)] = [t(f"status.{s}", lg) for s in rows["status"]]
    out[t("framework.col_framework", lg)] = load_catalogue().version_for(p).name(lg)
    marker = break_text((str(Period.parse(p).previous()), p), lg)
    if marker:
        out[t("framework.col_marker", lg)] = marker
    return out.sort_values([t("col.rank", lg), t("col.province", lg)], na_position="last")


def default_picks(index: pd.DataFrame) -> list[str]:
    """Best, middle and worst ranked provinces by the index."""
    ranked = index[index["rank"].notna()].sort_values(["rank", "province_code"])
    codes = list(ranked["province_code"])
    if len(codes) < 3:
        return codes
    return [codes[0], codes[len(codes) // 2], codes[-1]]


@st.fragment
def side_by_side(
    choice: str, kind: str, p: str, b: str, version: Version, lg: str, weights: Weights = None
) -> None:
    """2–5 provinces: pillar scores (grouped bars) and the chosen indicator over time."""
    st.subheader(t("compare.side_by_side", lg))
    index = cached(readiness_index, p, b)
    era = str(index["era"].iloc[0])
    names = dict(zip(index["province_code"], index["province_name"], strict=True))
    registry = load_registry()
    options = sorted(names, key=lambda c: registry.get(c, era).ascii_name)
    if st.session_state.get("_compare_era") != era:  # the era changed: old picks are invalid
        st.session_state.pop("compare_provinces", None)
        st.session_state.pop("_compare_provinces", None)
    st.session_state["_compare_era"] = era
    remember("compare_provinces", default_picks(index))
    st.session_state["compare_provinces"] = [
        c for c in st.session_state["compare_provinces"] if c in names
    ]
    picked = st.multiselect(
        t("compare.pick_provinces", lg),
        options,
        key="compare_provinces",
        format_func=names.get,
        max_selections=MAX_PICK,
        on_change=keep,
        args=("compare_provinces",),
    )
    if len(picked) < 2:
        st.info(t("compare.pick_more", lg))
        return
    pillars = [(pl.code, pl.name(lg)) for pl in version.pillars]
    scores = index[index["province_code"].isin(picked)].copy()
    scores["name"] = scores["province_name"]
    scores = scores.set_index("province_code").loc[picked].reset_index()
    left, right = st.columns(2)
    left.plotly_chart(
        figure(pillar_groups, scores, pillars, lg, t("compare.pillars_title", lg)),
        width="stretch",
        key="compare_pillars",
        config=CHART_CONFIG,
    )
    with right:
        series = history(choice, b, era, picked, weights)
        if series.empty:
            st.info(t("compare.series_empty", lg))
        else:
            name = choice_name(choice, version, lg)
            st.plotly_chart(
                figure(
                    series_lines,
                    series,
                    lg,
                    t("compare.series_title", lg, name=name),
                    kind=kind,
                    yes_no_labels=(t("data.no", lg), t("data.yes", lg)),
                    order=[names[c] for c in picked],
                ),
                width="stretch",
                key="compare_series",
                config=CHART_CONFIG,
            )
    if b == "reported":
        st.caption(t("compare.series_reported_note", lg))
    series_download(choice, kind, b, era, picked, version, lg, weights)


def series_download(
    choice: str,
    kind: str,
    b: str,
    era: str,
    picked: list[str],
    version: Version,
    lg: str,
    weights: Weights = None,
) -> None:
    """The time series of the picked provinces for download (every quarter with data)."""
    data = history(choice, b, era, picked, weights)
    if data.empty:
        return
    scale = 100.0 if kind == "ratio" else 1.0
    unit = _UNIT_KEYS.get(kind, "export.unit_pct")
    table = pd.DataFrame(
        {
            t("col.province_code", lg): data["province_code"],
            t("col.province", lg): data["name"],
            t("col.period", lg): data["period"],
            t("export.col_indicator_code", lg): choice,
            t("col.indicator", lg): choice_name(choice, version, lg),
            t("col.value", lg): (data["value"] * scale).round(2),
            t("export.col_unit", lg): t(unit, lg),
        }
    ).sort_values([t("col.province_code", lg), t("col.period", lg)])
    st.caption(t("compare.series_download", lg))
    name = f"{t('compare.series_file', lg)}_{choice}"
    span = f"{data['period'].min()} – {data['period'].max()}"
    meta = [(k, span if k == t("export.meta_period", lg) else v) for k, v in export_meta(name)]
    download_buttons(table, name, "compare_series", meta=meta)


def history(
    choice: str, b: str, era: str, codes: list[str], weights: Weights = None
) -> pd.DataFrame:
    """``period, name, value`` of ``codes`` (of ``era``) over every period with data."""
    periods = tuple(cached_periods())
    if choice == INDEX:
        data = index_table(periods, b, weights).rename(columns={INDEX: "value"})
    else:
        data = cached(indicator_values, periods, b, indicators=(choice,))
    mine = data[(data["era"] == era) & data["province_code"].isin(codes) & data["value"].notna()]
    return pd.DataFrame(
        {
            "period": mine["period"],
            "province_code": mine["province_code"],
            "name": mine["province_name"],
            "value": mine["value"].astype(float),
        }
    )


def weights_control(version: Version, lg: str) -> Weights:
    """Pillar weight sliders (applied on submit); ``None`` while every weight is equal."""
    with st.expander(t("compare.weights", lg), expanded=False, icon=":material/tune:"):
        st.caption(t("compare.weights_intro", lg))
        with st.form("compare_weights_form", border=False):
            cols = st.columns(len(version.pillars))
            for col, pillar in zip(cols, version.pillars, strict=True):
                key = f"compare_w_{pillar.code}"
                remember(key, 1.0)
                col.slider(pillar.name(lg), 0.0, 3.0, step=0.5, key=key)
            if st.form_submit_button(t("compare.weights_apply", lg)):
                for pillar in version.pillars:
                    keep(f"compare_w_{pillar.code}")
    weights = {pl.code: float(st.session_state[f"compare_w_{pl.code}"]) for pl in version.pillars}
    if sum(weights.values()) <= 0:
        st.error(t("compare.weights_zero", lg))
        st.stop()
    return None if len(set(weights.values())) == 1 else weights


@st.fragment
def weights_section(p: str, b: str, regions: list[str], weights: Weights, lg: str) -> None:
    """Each province's rank change vs equal weights and its rank range over weight sets."""
    st.subheader(t("compare.weights_title", lg))
    sens = (
        cached(rank_sensitivity, p, b, weights=weights)
        if weights
        else cached(rank_sensitivity, p, b)
    )
    equal = cached(readiness_index, p, b)[["era", "province_code", "rank"]]
    data = sens.merge(equal.rename(columns={"rank": "equal_rank"}), on=["era", "province_code"])
    if regions:
        data = data[data["region"].isin(regions)]
    data = data[data["rank"].notna()].copy()
    data["name"] = data["province_name"]
    labels = {
        "range": t("compare.range_label", lg),
        "rank": t("compare.weighted_rank", lg),
        "equal_rank": t("compare.equal_rank", lg),
    }
    positive = (
        sum(w > 0 for w in weights.values())
        if weights
        else len(load_catalogue().version_for(p).pillars)
    )
    st.caption(t("compare.weights_note", lg, n=1 + 2 * positive + SAMPLES))
    left, right = st.columns(2)
    with left, st.container(height=min(100 + 17 * len(data), 720), border=False):
        st.plotly_chart(
            figure(rank_range, data, lg, t("compare.rank_range", lg), labels),
            width="stretch",
            key="compare_range",
            config=CHART_CONFIG,
        )
    styled, config = weighted_table(data, lg)
    right.dataframe(
        styled,
        column_config=config,
        hide_index=True,
        width="stretch",
        height=min(35 * (len(data) + 1) + 3, 720),
    )


@st.fragment
def lagging_section(p: str, b: str, version: Version, lg: str) -> None:
    """Per target, the provinces furthest from it (list and download)."""
    st.subheader(t("compare.lagging_title", lg))
    st.caption(t("compare.lagging_intro", lg))
    data = cached(lagging_provinces, p, b)
    if data.empty:
        st.info(t("compare.lagging_none", lg))
        return
    table = lagging_frame(data, version, lg)
    st.dataframe(table, hide_index=True, width="stretch", height=min(35 * 16 + 3, 560))
    name = f"{t('compare.lagging_file', lg)}_{p}"
    download_buttons(table, name, "compare_lag")


def lagging_frame(data: pd.DataFrame, version: Version, lg: str) -> pd.DataFrame:
    """The lagging provinces with headers in ``lg``; ratios in %, yes/no 1/0 (numbers)."""
    ratio = (data["unit"] != "yes_no").to_numpy()
    scale = pd.Series(1.0, index=data.index).where(~ratio, 100.0)
    return pd.DataFrame(
        {
            t("col.indicator", lg): [version.indicator(c).name(lg) for c in data["indicator"]],
            t("compare.lagging_order", lg): data["order"],
            t("col.province", lg): data["province_name"],
            t("col.value", lg): (data["value"].astype(float) * scale).round(2),
            t("col.target", lg): (data["target"].astype(float) * scale).round(2),
            t("export.col_unit", lg): [
                t("export.unit_yes_no" if u == "yes_no" else "export.unit_pct", lg)
                for u in data["unit"]
            ],
            t("col.province_code", lg): data["province_code"],
            t("export.col_indicator_code", lg): data["indicator"],
        }
    )


@st.fragment
def scatter_section(p: str, b: str, version: Version, weights: Weights, lg: str) -> None:
    """Any two indicators (or the index) against each other, one dot per province."""
    st.subheader(t("compare.scatter_title", lg))
    options = [INDEX] + [i.code for i in version.indicators]
    left, right = st.columns(2)
    remember("compare_x", INDEX)
    remember("compare_y", options[min(5, len(options) - 1)])
    for key in ("compare_x", "compare_y"):
        if st.session_state[key] not in options:
            st.session_state[key] = INDEX
    x = left.selectbox(
        t("compare.scatter_x", lg),
        options,
        format_func=lambda c: choice_name(c, version, lg),
        key="compare_x",
        on_change=keep,
        args=("compare_x",),
    )
    y = right.selectbox(
        t("compare.scatter_y", lg),
        options,
        format_func=lambda c: choice_name(c, version, lg),
        key="compare_y",
        on_change=keep,
        args=("compare_y",),
    )
    pairs = pair_frame(cached(indicator_status, p, b), index_table(p, b, weights), x, y)
    if pairs.empty:
        st.info(t("compare.no_values", lg))
        return
    regions = {r.code: r.name_en if lg == "en" else r.name_vi for r in load_registry().regions}
    x_name, y_name = choice_name(x, version, lg), choice_name(y, version, lg)
    st.plotly_chart(
        figure(
            scatter_pair,
            pairs,
            lg,
            t("compare.scatter_chart", lg, x=x_name, y=y_name, n=len(pairs)),
            x_title=x_name,
            y_title=y_name,
            kinds=(kind_of(x, version), kind_of(y, version)),
            region_names=regions,
        ),
        width="stretch",
        key="compare_scatter",
        config=CHART_CONFIG,
    )


def weighted_table(data: pd.DataFrame, lg: str) -> tuple[Any, dict[str, Any]]:
    """The weighted ranking (a Styler) and its column help texts."""
    rank, index = t("col.rank", lg), t("col.index", lg)
    change, span = t("compare.change_short", lg), t("compare.rank_range", lg)
    table = pd.DataFrame(
        {
            rank: data["rank"],
            t("col.province", lg): data["name"],
            index: data[INDEX],
            change: data["equal_rank"].astype(float) - data["rank"].astype(float),
            span: [
                f"{fmt_rank(a)}–{fmt_rank(z)}"
                for a, z in zip(data["best_rank"], data["worst_rank"], strict=True)
            ],
        }
    ).sort_values([rank, t("col.province", lg)])
    styled = table.style.format(
        {rank: fmt_rank, index: lambda v: fmt_number(v, lg, 1), change: fmt_change}, na_rep="–"
    )
    config = {
        rank: st.column_config.Column(help=t("compare.weighted_rank", lg)),
        index: st.column_config.Column(help=t("compare.weighted_index", lg)),
        change: st.column_config.Column(help=t("compare.change_vs_equal_help", lg)),
        span: st.column_config.Column(help=t("compare.range_label", lg)),
    }
    return styled, config


# ----------------------------------------------------------------------------- page
def main() -> None:
    lg, p, b = lang(), period(), basis()
    st.title(t("nav.compare", lg))
    need(p is not None or bool(dti_views.options()), "app.no_data")
    version = load_catalogue().version_for(p) if p is not None else None
    intro = st.empty()  # the quarter's caption, above the controls, unless the DTI is shown
    choice, regions = controls(version, lg)
    if dti_views.is_dti(choice) or p is None or version is None:
        dti_views.compare_view(choice, b, regions, lg)
        return
    text = t("compare.intro", lg, period=p, basis=t(f"app.basis_{b}", lg))
    intro.caption(text + " " + regime_text(p, lg))
    weights = weights_control(version, lg)
    kind = kind_of(choice, version)
    rows = display_rows(choice, kind, p, b, lg, weights)
    shown = rows[rows["region"].isin(regions)] if regions else rows
    target = target_caption(shown, choice, kind, version, lg, weighted=weights is not None)
    if shown["value"].notna().any():
        map_and_bars(shown, choice, kind, target, version, lg)
    else:
        st.info(t("compare.no_values", lg))
    ranking_table(shown, kind, p, b, lg, weights)
    st.divider()
    lagging_section(p, b, version, lg)
    st.divider()
    scatter_section(p, b, version, weights, lg)
    st.divider()
    side_by_side(choice, kind, p, b, version, lg, weights)
    st.divider()
    weights_section(p, b, regions, weights, lg)


main()
