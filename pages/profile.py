"""Hồ sơ tỉnh / Province profile: one province and quarter on one page.

Index and rank (with change), their history, pillar scores against the national and regional
averages, every indicator against its target (status and an 8-quarter trend), the three
largest gaps, data-quality flags and the submission history, so that every number can be
traced to its file and upload. Thin: every number comes from ``metrics`` and ``loaders``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pandas as pd
import streamlit as st

from dxboard.catalogue import Catalogue, load_catalogue
from dxboard.i18n import fmt_date, fmt_number, fmt_percent, t
from dxboard.periods import Period, period_range
from dxboard.registry import Province, load_registry
from dxboard.store.submissions import submission_history
from dxboard.tables import as_number
from metrics.brief import ProvinceBrief, province_brief
from metrics.harmonise import basis_era
from metrics.index import readiness_index
from metrics.indicators import indicator_values
from pages import dti_views
from pages.common import basis, cached, cached_periods, download_buttons, figure, lang, need, period
from pages.figures.compare import STATUS_COLOURS
from pages.figures.profile import index_history, pillar_bars
from pages.frameworks import break_text, regime_text

TREND_QUARTERS = 8
# Streamlit colour names for st.markdown badges (``:green[...]``).
BADGE_COLOURS = {
    "met": "green",
    "on_track": "blue",
    "off_track": "orange",
    "overdue": "red",
    "not_met": "orange",
    "no_data": "gray",
    "not_scored": "gray",
}


# ----------------------------------------------------------------------------- choosing
def resolve(code: str | None, from_era: str | None, era: str) -> str | None:
    """``code`` (a province of ``from_era``) as a province of ``era``: a former province
    becomes its successor; a current one its first former constituent."""
    if not code:
        return None
    registry = load_registry()
    try:
        if from_era in (None, era):
            return registry.get(code, era).code
        if era == "current":
            return registry.successor(code).code
        return registry.constituents(code)[0].code
    except (KeyError, IndexError):
        return None


def choose_province(era: str, lg: str) -> Province:
    """The province selectbox; the default comes from ``profile_province`` (set by other
    pages, e.g. a click on the Compare map)."""
    registry = load_registry()
    provinces = sorted(registry.provinces(era), key=lambda p: p.ascii_name)
    codes = [p.code for p in provinces]
    wanted = resolve(
        st.session_state.get("profile_province"), st.session_state.get("profile_era"), era
    )
    code = wanted if wanted in codes else registry.provinces(era)[0].code
    if st.session_state.get("profile_pick") != code:
        st.session_state["profile_pick"] = code
    names = {p.code: p.name for p in provinces}

    def picked() -> None:
        st.session_state["profile_province"] = st.session_state["profile_pick"]
        st.session_state["profile_era"] = era

    st.selectbox(
        t("profile.pick", lg),
        codes,
        format_func=names.get,
        key="profile_pick",
        help=t("profile.pick_help", lg),
        on_change=picked,
    )
    st.session_state["profile_province"] = code
    st.session_state["profile_era"] = era
    return registry.get(code, era)


# ----------------------------------------------------------------------------- formatting
def fmt_value(value: object, unit: str, lg: str) -> str:
    number = as_number(value)
    if number is None:
        return t("status.no_data", lg)
    if unit == "yes_no":
        return t("data.yes" if number >= 0.5 else "data.no", lg)
    return fmt_percent(number, lg)


def fmt_target(row: Any, lg: str) -> str:
    if row.target is None or pd.isna(row.target):
        return t("profile.target_none", lg)
    if row.unit == "yes_no":
        text = t("profile.target_yes", lg)
    else:
        key = "profile.target_le" if row.comparator == "<=" else "profile.target_ge"
        text = t(key, lg, value=fmt_percent(float(row.target), lg, 0 if row.target >= 0.1 else 1))
    if row.deadline is not None and not pd.isna(row.deadline):
        text = t("profile.target_deadline", lg, target=text, deadline=fmt_date(row.deadline, lg))
    return text


def badge(status: str, lg: str) -> str:
    """``● Đạt`` (a dot and the status, for table cells; coloured by :func:`status_css`)."""
    return f"● {t(f'status.{status}', lg)}"


def markdown_badge(status: str, lg: str) -> str:
    """The status as a coloured Markdown badge."""
    return f":{BADGE_COLOURS.get(status, 'gray')}-badge[● {t(f'status.{status}', lg)}]"


def status_css(statuses: pd.Series) -> list[str]:
    return [f"color: {STATUS_COLOURS.get(s, '#555555')}; font-weight: 600" for s in statuses]


def value_text(row: Any, total: int, lg: str) -> str:
    """The value; an aggregated yes/no also says how many former provinces said yes."""
    text = fmt_value(row.value, row.unit, lg)
    if row.unit == "yes_no" and total > 1 and not pd.isna(row.num):
        return t("profile.yes_of", lg, answer=text, k=int(row.num), n=total)
    return text


def area_text(value: object, k: object, n: object, unit: str, lg: str) -> str:
    shown = fmt_value(value, unit, lg)
    met, total = as_number(k), as_number(n)
    if met is None or total is None:
        return shown
    return t("profile.national_value", lg, value=shown, k=int(met), n=int(total))


def when(value: object) -> datetime | None:
    if isinstance(value, datetime) and not pd.isna(value):  # a Timestamp is a datetime
        return pd.Timestamp(value).to_pydatetime()
    return None


# ----------------------------------------------------------------------------- sections
def header(brief: ProvinceBrief, province: Province, lg: str) -> None:
    registry = load_registry()
    region = registry.region(brief.region)
    st.header(province.name)
    st.caption(
        t(
            "profile.subtitle",
            lg,
            region=region.name_en if lg == "en" else region.name_vi,
            period=brief.period,
            basis=t(f"app.basis_{brief.basis}", lg),
        )
    )
    st.caption(regime_text(brief.period, lg))
    if brief.basis == "current" and Period.parse(brief.period).era == "legacy":
        names = ", ".join(p.short_name for p in registry.constituents(brief.province_code))
        st.info(
            t(
                "profile.constituents",
                lg,
                k=brief.constituents_reported,
                n=brief.constituents_total,
                names=names,
            ),
            icon="ℹ️",
        )


def headline(brief: ProvinceBrief, lg: str) -> None:
    scored = brief.indicators[brief.indicators["status"] != "not_scored"]
    met = int((scored["status"] == "met").sum())
    flags = brief.flags[brief.flags["flag"] != "mixed_datasets"]
    a, b, c, d = st.columns(4)
    recent = [round(float(v), 1) for v in index_series(brief)["readiness_index"].tail(8)]
    a.metric(
        t("col.index", lg),
        fmt_number(brief.index, lg, 1),
        border=True,
        chart_data=recent if len(recent) > 1 else None,
    )
    rank = (
        t("profile.rank_of", lg, rank=brief.rank, n=brief.n_ranked)
        if brief.rank is not None
        else "–"
    )
    delta = None
    if brief.rank_change is not None:
        change = f"+{brief.rank_change}" if brief.rank_change > 0 else str(brief.rank_change)
        delta = t("profile.rank_delta", lg, change=change)
    elif not brief.rank_comparable:
        delta = t("framework.not_comparable", lg)
    b.metric(
        t("col.rank", lg),
        rank,
        delta=delta,
        border=True,
        delta_color="normal" if brief.rank_change else "off",
        delta_arrow="auto" if brief.rank_change else "off",
    )
    c.metric(
        t("profile.met_metric", lg), t("profile.met_value", lg, k=met, n=len(scored)), border=True
    )
    d.metric(t("profile.flags_metric", lg), str(len(flags)), border=True)


def index_series(brief: ProvinceBrief) -> pd.DataFrame:
    """The province's index and rank in every period up to the selected one (same basis)."""
    data = cached(readiness_index, tuple(cached_periods()), brief.basis)
    mine = data[
        (data["era"] == brief.era)
        & (data["province_code"] == brief.province_code)
        & data["readiness_index"].notna()
    ]
    upto = Period.parse(brief.period)
    return mine[[Period.parse(p) <= upto for p in mine["period"]]]


def history_and_pillars(brief: ProvinceBrief, lg: str) -> None:
    left, right = st.columns(2)
    with left:
        mine = index_series(brief)
        if mine.empty:
            st.info(t("profile.history_empty", lg))
        else:
            st.plotly_chart(
                figure(
                    index_history,
                    mine,
                    lg,
                    t("profile.history_title", lg),
                    t("col.index", lg),
                    t("col.rank", lg),
                ),
                width="stretch",
                key="profile_history",
            )
        if brief.basis == "reported":
            st.caption(t("profile.history_reported_note", lg))
    with right:
        region = load_registry().region(brief.region)
        labels = (
            brief.province_name,
            t("profile.series_national", lg),
            f"{t('profile.series_regional', lg)} "
            f"({region.name_en if lg == 'en' else region.name_vi})",
        )
        st.plotly_chart(
            figure(pillar_bars, brief.pillars, lg, t("profile.pillars_title", lg), labels),
            width="stretch",
            key="profile_pillars",
        )


def gaps(brief: ProvinceBrief, catalogue: Catalogue, lg: str) -> None:
    st.subheader(t("profile.gaps_title", lg))
    if brief.top_gaps.empty:
        st.success(t("profile.gaps_none", lg))
        return
    version = catalogue.version_for(brief.period)
    for col, row in zip(st.columns(3), brief.top_gaps.itertuples(), strict=False):
        with col.container(border=True):
            st.markdown(f"**{version.indicator(row.indicator).name(lg)}**")
            st.markdown(markdown_badge(row.status, lg))
            st.caption(
                t(
                    "profile.gap_line",
                    lg,
                    value=fmt_value(row.value, row.unit, lg),
                    target=fmt_target(row, lg),
                )
            )
            st.caption(t("profile.gap_attain", lg, attain=fmt_percent(row.attainment, lg, 0)))


def trend_window(brief: ProvinceBrief) -> tuple[str, ...]:
    """The last ``TREND_QUARTERS`` quarters up to the brief's."""
    p = Period.parse(brief.period)
    return tuple(str(q) for q in period_range(p.previous(TREND_QUARTERS - 1), p))


def trends(brief: ProvinceBrief) -> dict[str, list[float]]:
    """Indicator → the province's values over the last ``TREND_QUARTERS`` quarters."""
    window = trend_window(brief)
    data = cached(indicator_values, window, brief.basis, provinces=(brief.province_code,))
    mine = data[
        (data["era"] == brief.era)
        & (data["province_code"] == brief.province_code)
        & data["value"].notna()
    ].sort_values("period")
    return {
        code: [float(v) for v in part["value"]]
        for code, part in mine.groupby("indicator", sort=False)
    }


def indicator_frame(brief: ProvinceBrief, catalogue: Catalogue, lg: str) -> pd.DataFrame:
    """The indicator table with headers and values in ``lg``."""
    lines = trends(brief)
    version = catalogue.version_for(brief.period)
    rows = []
    for row in brief.indicators.itertuples():
        ind = version.indicator(row.indicator)
        pillar = version.pillar(ind.pillar)
        rows.append(
            {
                t("profile.col_pillar", lg): pillar.name_en if lg == "en" else pillar.name_vi,
                t("col.indicator", lg): ind.name(lg),
                t("col.value", lg): value_text(row, brief.constituents_total, lg),
                t("col.target", lg): fmt_target(row, lg),
                t("col.status", lg): badge(row.status, lg),
                t("profile.col_trend", lg): lines.get(row.indicator, []),
                t("profile.col_national", lg): area_text(
                    row.national_value, row.national_n_met, row.national_n_provinces, row.unit, lg
                ),
                t("profile.col_regional", lg): area_text(
                    row.regional_value, row.regional_n_met, row.regional_n_provinces, row.unit, lg
                ),
            }
        )
    return pd.DataFrame(rows)


def indicator_table(brief: ProvinceBrief, catalogue: Catalogue, lg: str) -> None:
    st.subheader(t("profile.indicators_title", lg))
    df = indicator_frame(brief, catalogue, lg)
    trend = t("profile.col_trend", lg)
    status, pillar = t("col.status", lg), t("profile.col_pillar", lg)
    shown = df.drop(columns=[pillar])
    styled = shown.style.apply(lambda _: status_css(brief.indicators["status"]), subset=[status])
    st.dataframe(
        styled,
        hide_index=True,
        width="stretch",
        height=35 * (len(df) + 1) + 3,
        column_config={
            trend: st.column_config.LineChartColumn(
                trend, help=t("profile.col_trend_help", lg), width="small"
            ),
            t("col.value", lg): st.column_config.TextColumn(help=t("profile.col_value_help", lg)),
            t("profile.col_national", lg): st.column_config.TextColumn(
                help=t("profile.col_area_help", lg)
            ),
            t("profile.col_regional", lg): st.column_config.TextColumn(
                help=t("profile.col_area_help", lg)
            ),
        },
    )
    marker = break_text(trend_window(brief), lg)
    if marker:
        st.caption(t("framework.trend_marker", lg, marker=marker))
    export = df.drop(columns=[trend])
    export[status] = export[status].str.removeprefix("● ")
    export[t("framework.col_framework", lg)] = catalogue.version_for(brief.period).name(lg)
    name = f"{t('profile.download_name', lg)}_{brief.province_code}_{brief.period}"
    download_buttons(export, name, "profile")


def item_name(item: object, catalogue: Catalogue, lg: str) -> str:
    """A flag's item: an indicator or field name from the catalogue."""
    if not isinstance(item, str) or not item:
        return "–"
    codes = {i.code for i in catalogue.indicators}
    if item in codes:
        return catalogue.indicator(item).name(lg)
    if item in catalogue.field_codes:
        return catalogue.field(item).name(lg)
    return "–"


def flag_detail(row: Any, lg: str) -> str:
    if row.flag == "yes_to_no":
        return t("profile.detail_yes_to_no", lg, previous_period=row.previous_period)
    if row.flag == "outlier":
        return t(
            "profile.detail_outlier",
            lg,
            previous=fmt_percent(row.previous, lg),
            previous_period=row.previous_period,
            value=fmt_percent(row.value, lg),
        )
    if row.flag == "no_report":
        return t("profile.detail_no_report", lg, quarters=int(row.quarters))
    if row.flag == "mixed_datasets":
        names = ", ".join(dataset_name(d, lg) for d in str(row.item).split(","))
        return t("profile.detail_mixed", lg, datasets=names)
    return "–"


def flags_section(brief: ProvinceBrief, catalogue: Catalogue, lg: str) -> None:
    st.subheader(t("profile.flags_title", lg))
    st.caption(t("profile.flags_intro", lg))
    if brief.flags.empty:
        st.success(t("profile.no_flags", lg))
        return
    table = pd.DataFrame(
        [
            {
                t("profile.col_flag", lg): t(f"profile.flag_{r.flag}", lg),
                t("col.period", lg): r.period,
                t("profile.col_item", lg): "–"
                if r.flag == "mixed_datasets"
                else item_name(r.item, catalogue, lg),
                t("profile.col_detail", lg): flag_detail(r, lg),
            }
            for r in brief.flags.itertuples()
        ]
    )
    st.dataframe(table, hide_index=True, width="stretch")


def dataset_name(code: str, lg: str) -> str:
    key = f"profile.dataset_{code}"
    return t(key, lg) if code in ("demo", "official") else code


def submissions(brief: ProvinceBrief) -> pd.DataFrame:
    """Submissions of the province, and on the current basis of its former constituents."""
    registry = load_registry()
    parts = []
    who = [(brief.province_code, brief.era)]
    if brief.era == "current" and brief.basis == "current":
        who += [(p.code, "legacy") for p in registry.constituents(brief.province_code)]
    for code, era in who:
        part = cached(submission_history, code, era)
        name = registry.get(code, era).short_name
        if era != brief.era:
            name = t("profile.former", lang(), name=name)
        parts.append(part.assign(province=name))
    data = pd.concat(parts, ignore_index=True)
    order = [Period.parse(p).index for p in data["period"]]
    return (
        data.assign(_order=order)
        .sort_values(["_order", "received_at"], ascending=False)
        .drop(columns="_order")
    )


def submissions_section(brief: ProvinceBrief, lg: str) -> None:
    st.subheader(t("profile.submissions_title", lg))
    st.caption(t("profile.submissions_intro", lg))
    data = submissions(brief)
    if data.empty:
        st.info(t("profile.submissions_none", lg))
        return
    now = data[(data["period"] == brief.period) & (data["status"] == "accepted")].drop_duplicates(
        "upload_id"
    )
    if len(now):
        files = "; ".join(
            t(
                "profile.submissions_file",
                lg,
                file=r.file_name,
                upload=r.upload_id,
                date=fmt_date(when(r.received_at), lg),
            )
            for r in now.itertuples()
        )
        st.markdown(t("profile.submissions_source", lg, period=brief.period, files=files))
    if st.toggle(t("profile.submissions_only_period", lg), key="profile_only_period"):
        data = data[data["period"] == brief.period]
    table = pd.DataFrame(
        {
            t("col.province", lg): data["province"],
            t("col.period", lg): data["period"],
            t("col.status", lg): [
                t(f"profile.sub_{s}", lg) if s in ("accepted", "superseded") else s
                for s in data["status"]
            ],
            t("profile.col_received", lg): [fmt_date(when(v), lg) for v in data["received_at"]],
            t("profile.col_file", lg): data["file_name"],
            t("col.dataset", lg): [dataset_name(d, lg) for d in data["dataset"]],
            t("profile.col_uploaded_by", lg): data["actor"],
            t("profile.col_upload", lg): data["upload_id"].astype(str),
            t("profile.col_values", lg): data["n_values"],
        }
    )
    if data["province"].nunique() == 1:
        table = table.drop(columns=[t("col.province", lg)])
    st.dataframe(
        table, hide_index=True, width="stretch", height=min(35 * (len(table) + 1) + 3, 460)
    )


def dti_section(province: Province, lg: str) -> None:
    """The published DTI of the province, on the basis of its era (63 or 34 provinces)."""
    dti_basis = "current" if province.era == "current" else "reported"
    dti_views.profile_section(province.era, province.code, province.short_name, dti_basis, lg)


# ----------------------------------------------------------------------------- page
def main() -> None:
    lg, p, b = lang(), period(), basis()
    st.title(t("nav.profile", lg))
    if p is None:  # no reports yet: the published DTI alone
        era = "current" if b == "current" else "legacy"
        province = choose_province(era, lg)
        dti_section(province, lg)
        need(False, "app.no_data")
    assert p is not None
    catalogue = load_catalogue()
    era = basis_era(Period.parse(p), b)
    province = choose_province(era, lg)
    try:
        brief = cached(province_brief, province.code, p, b)
    except KeyError:
        st.info(t("profile.no_province", lg))
        return
    header(brief, province, lg)
    headline(brief, lg)
    history_and_pillars(brief, lg)
    dti_section(province, lg)
    gaps(brief, catalogue, lg)
    indicator_table(brief, catalogue, lg)
    flags_section(brief, catalogue, lg)
    submissions_section(brief, lg)


main()
