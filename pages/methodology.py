"""Methodology & data: the indicator catalogue of each framework version as text (formula with
field names, target, deadline, band, scoring, sources), the versions side by side with what each
one added, removed and renamed and its legal basis (documents cited by number and title), the
method of the index, and the data downloads.

Downloads (raw values, indicator export) are for accounts with ``can_download`` (analysts,
administrators); leaders and officers read, and a visitor who is not signed in only views.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from dxboard.catalogue import Change, Indicator, Stage, Version, load_catalogue
from dxboard.i18n import fmt_date, fmt_number, fmt_percent, quote, t
from dxboard.periods import Period
from dxboard.registry import load_registry
from dxboard.store import submissions
from metrics import export
from metrics.completeness import DEADLINE_DAYS
from metrics.flags import HISTORY, MIN_HISTORY, MIN_QUARTERS_MISSING, Z_THRESHOLD
from metrics.index import INDEX, MIN_SHARE, RANK, SAMPLES
from metrics.status import LOOKBACK, STATUSES, TREND_QUARTERS
from pages.common import basis, cached, download_buttons, lang, period, user
from pages.upload_flow import role_label

COMPARATORS = {">=": "≥", "<=": "≤"}


# --- the catalogue as text ------------------------------------------------------------------


def percent(value: float, lg: str) -> str:
    """A target share: whole percents without decimals (100 %), else one (1,5 %)."""
    decimals = 0 if round(value * 100, 6).is_integer() else 1
    return fmt_percent(value, lg, decimals)


def stage_text(ind: Indicator, stage: Stage, comparator: str, lg: str) -> str:
    """``≥ 50 % — hạn 31/12/2025``; a yes/no target is ``Có``."""
    if ind.unit == "yes_no":
        value = t("methodology.target_yes", lg)
    else:
        value = f"{COMPARATORS[comparator]} {percent(stage.value, lg)}"
    when = (
        t("methodology.by_deadline", lg, date=fmt_date(stage.deadline, lg))
        if stage.deadline
        else t("methodology.no_deadline", lg)
    )
    return f"{value} — {when}"


def formula_text(ind: Indicator, version: Version, lg: str) -> str:
    """The formula with the field names of ``version``: «numerator» ÷ «denominator»."""
    if ind.unit == "yes_no":
        field = quote(version.field(ind.inputs[0]).name(lg), lg)
        return t("methodology.yes_no_formula", lg, field=field)
    numerator, denominator = (quote(version.field(f).name(lg), lg) for f in ind.inputs)
    return f"{numerator} ÷ {denominator}"


def indicator_markdown(ind: Indicator, version: Version, lg: str) -> str:
    """One indicator of ``version`` as a markdown block: name (and former name), definition,
    facts, sources (quotes with their article, documents by number and title, facts)."""

    def label(key: str) -> str:
        return t(f"methodology.{key}", lg)

    if ind.target is None:
        target = label("target_none")
    else:
        target = label("stage_sep").join(
            stage_text(ind, s, ind.target.comparator, lg) for s in ind.target.stages
        )
    unit = label("unit_ratio" if ind.unit == "ratio" else "unit_yes_no")
    former = ind.former_name(lg)
    lines = [
        f"#### {ind.name(lg)}",
        "",
        *([f"*{t('framework.former_name', lg, name=former)}*", ""] if former else []),
        ind.definition(lg),
        "",
        f"- **{label('formula')}:** {formula_text(ind, version, lg)}",
        f"- **{label('unit')}:** {unit}",
        f"- **{label('target')}:** {target}",
    ]
    if ind.target is not None and ind.target.band_max is not None:
        low = ind.target.stages[0].value
        lines.append(
            f"- **{label('band')}:** {percent(low, lg)} – "
            f"{percent(ind.target.band_max, lg)} ({label('band_note')})"
        )
    lines += [
        f"- **{label('scoring')}:** {label('scored' if ind.scored else 'not_scored')}",
        "",
        f"**{label('sources')}:**",
        "",
    ]
    catalogue = load_catalogue()
    for source in ind.sources:
        lines += [f"> {catalogue.cite(source, lg)}", ""]
    return "\n".join(lines)


def _version_label(version: Version, lg: str) -> str:
    return f"{version.name(lg)} ({version.span(lg)})"


def chosen_version(lg: str) -> Version:
    """The version picked on the page; by default the one of the sidebar's period."""
    catalogue = load_catalogue()
    quarter = period()
    default = catalogue.version_for(quarter) if quarter else catalogue.versions[-1]
    ids = [v.id for v in catalogue.versions]
    picked = st.radio(
        t("framework.pick", lg),
        ids,
        index=ids.index(default.id),
        format_func=lambda i: _version_label(catalogue.version(i), lg),
        horizontal=True,
        key="meth_version",
    )
    return catalogue.version(picked or default.id)


def _catalogue_tab() -> None:
    lg = lang()
    version = chosen_version(lg)
    st.caption(
        t("methodology.catalogue_intro", lg, n=len(version.indicators), p=len(version.pillars))
    )
    for pillar in version.pillars:
        indicators = version.indicators_of(pillar.code)
        st.header(pillar.name(lg), divider="gray")
        st.caption(t("methodology.pillar_count", lg, n=len(indicators)))
        columns = st.columns(2)
        for i, ind in enumerate(indicators):
            with columns[i % 2].container(border=True):
                st.markdown(indicator_markdown(ind, version, lg))


# --- the versions side by side --------------------------------------------------------------


def version_markdown(version: Version, lg: str) -> str:
    """One version: its periods, reporter and ministry, summary, legal basis and size."""
    catalogue = load_catalogue()
    basis = [f"- {catalogue.document(n).citation(lg)}" for n in version.legal_basis]
    scored = sum(1 for i in version.indicators if i.scored)
    facts = t(
        "framework.size",
        lg,
        fields=len(version.fields),
        indicators=len(version.indicators),
        scored=scored,
        pillars=len(version.pillars),
        template=version.template_version,
    )
    who = t(
        "framework.who",
        lg,
        reporter=f"{version.reporter.name(lg)} ({version.reporter.short(lg)})",
        ministry=f"{version.ministry.name(lg)} ({version.ministry.short(lg)})",
    )
    return "\n".join(
        [
            f"### {version.name(lg)}",
            f"**{version.span(lg)}** · {who}",
            "",
            version.summary(lg),
            "",
            f"**{t('framework.legal_basis', lg)}:**",
            "",
            *basis,
            "",
            facts,
        ]
    )


def change_rows(changes: list[Change], before: Version, after: Version, lg: str) -> pd.DataFrame:
    """What ``after`` changed from ``before``: one row per change, names (never codes) and the
    sources of the change."""
    catalogue = load_catalogue()

    def what(change: Change) -> str:
        if change.kind != "changed":
            return t(f"framework.kind_{change.kind}", lg)
        text = ", ".join(t(f"framework.aspect_{a}", lg) for a in change.aspects)
        return text[:1].upper() + text[1:]

    return pd.DataFrame(
        {
            t("framework.col_change", lg): [what(c) for c in changes],
            t("framework.col_item", lg): [t(f"framework.entity_{c.entity}", lg) for c in changes],
            before.name(lg): [c.before.name(lg) if c.before else "–" for c in changes],
            after.name(lg): [c.after.name(lg) if c.after else "–" for c in changes],
            t("framework.col_basis", lg): [
                "; ".join(catalogue.cite(s, lg) for s in c.sources) for c in changes
            ],
        }
    )


def _versions_tab() -> None:
    lg = lang()
    catalogue = load_catalogue()
    st.caption(t("framework.intro", lg))
    for column, version in zip(
        st.columns(len(catalogue.versions)), catalogue.versions, strict=True
    ):
        with column.container(border=True):
            st.markdown(version_markdown(version, lg))
    for before, after in zip(catalogue.versions, catalogue.versions[1:], strict=False):
        changes = catalogue.changes(before, after)
        st.subheader(t("framework.changes_title", lg, version=after.name(lg), p=str(after.first)))
        st.table(change_rows(changes, before, after, lg), hide_index=True)
        st.caption(t("framework.changes_note", lg, p=str(after.first)))


# --- the method -----------------------------------------------------------------------------


# The order in which metrics.status decides (docs/METHOD.md §3).
STATUS_ORDER = ("not_scored", "no_data", "met", "not_met", "overdue", "on_track", "off_track")


def _status_table() -> pd.DataFrame:
    shown = [s for s in STATUS_ORDER if s in STATUSES]
    return pd.DataFrame(
        {
            t("col.status", lang()): [t(f"status.{s}", lang()) for s in shown],
            t("methodology.m_status_rule", lang()): [
                t(f"methodology.s_{s}", lang()) for s in shown
            ],
        }
    )


def _method_tab() -> None:
    lg = lang()
    st.caption(t("methodology.method_intro", lg))
    sections: list[tuple[str, Callable[[], None]]] = [
        ("m_raw", lambda: st.markdown(t("methodology.m_raw", lg))),
        ("m_attain", lambda: st.markdown(t("methodology.m_attain", lg))),
        ("m_status", _status_section),
        (
            "m_index",
            lambda: st.markdown(
                t("methodology.m_index", lg, samples=SAMPLES, share=percent(MIN_SHARE, lg))
            ),
        ),
        ("m_national", lambda: st.markdown(t("methodology.m_national", lg))),
        ("m_basis", lambda: st.markdown(t("methodology.m_basis", lg))),
        ("m_complete", lambda: st.markdown(t("methodology.m_complete", lg, days=DEADLINE_DAYS))),
        (
            "m_flags",
            lambda: st.markdown(
                t(
                    "methodology.m_flags",
                    lg,
                    history=HISTORY,
                    min_history=MIN_HISTORY,
                    z=fmt_number(Z_THRESHOLD, lg, 1),
                    missing=MIN_QUARTERS_MISSING,
                )
            ),
        ),
    ]
    for key, render in sections:
        st.subheader(t(f"methodology.{key}_title", lg))
        render()


def _status_section() -> None:
    st.markdown(t("methodology.m_status", lang()))
    st.dataframe(_status_table(), hide_index=True, width="stretch")
    st.markdown(t("methodology.m_trend", lang(), quarters=TREND_QUARTERS, lookback=LOOKBACK))


# --- downloads ------------------------------------------------------------------------------


def raw_export(raw: pd.DataFrame, lg: str) -> pd.DataFrame:
    """Raw values with a province name and a field name next to the codes."""
    registry, catalogue = load_registry(), load_catalogue()
    out = raw.copy()
    out.insert(
        1,
        "province_name",
        [
            registry.get(c, e).short_name
            for c, e in zip(raw["province_code"], raw["era"], strict=True)
        ],
    )
    out.insert(
        out.columns.get_loc("field") + 1,
        "field_name",
        [catalogue.field(f).name(lg) for f in raw["field"]],
    )
    return out


def indicator_export(table: pd.DataFrame, quarter: str, lg: str) -> pd.DataFrame:
    """The indicator export with the indicator name (of the quarter's version) and the status
    in words."""
    version = load_catalogue().version_for(quarter)
    names = {i.code: i.name(lg) for i in version.indicators}
    names |= {INDEX: t("col.index", lg), RANK: t("col.rank", lg)}
    out = table.copy()
    out.insert(out.columns.get_loc("indicator") + 1, "indicator_name", out["indicator"].map(names))
    out.insert(
        out.columns.get_loc("status") + 1,
        "status_name",
        [t(f"status.{s}", lg) if isinstance(s, str) else None for s in out["status"]],
    )
    return out


def _data_tab() -> None:
    lg, quarter, shown_basis = lang(), period(), basis()
    st.caption(t("methodology.data_rights", lg))
    account = user()
    if account is None or not account.can_download:
        if account is None:
            st.info(t("methodology.data_login", lg))
            page = st.session_state.get("page_urls", {}).get("login")
            if page is not None:
                st.page_link(page, label=t("nav.login", lg), icon=":material/login:")
        else:
            st.info(t("methodology.data_denied", lg, role=role_label(account.role, lg)))
        return
    if quarter is None:
        st.info(t("app.no_data", lg))
        return
    st.markdown(
        t("methodology.data_intro", lg, period=quarter, basis=t(f"app.basis_{shown_basis}", lg))
    )
    raw = cached(submissions.raw_values, str(Period.parse(quarter)))
    st.subheader(t("methodology.raw_header", lg))
    if raw.empty:
        st.info(t("methodology.no_values", lg, period=quarter))
    else:
        st.caption(
            t(
                "methodology.raw_caption",
                lg,
                rows=fmt_number(len(raw), lg),
                provinces=raw["province_code"].nunique(),
                period=quarter,
            )
        )
        download_buttons(raw_export(raw, lg), f"so_lieu_goc_{quarter}", "meth_raw", stretch=True)
    st.subheader(t("methodology.ind_header", lg))
    table = cached(export.export_indicators, quarter, basis=shown_basis, lang=lg)
    st.caption(t("methodology.ind_caption", lg, rows=fmt_number(len(table), lg)))
    download_buttons(
        indicator_export(table, quarter, lg),
        f"chi_tieu_{quarter}_{shown_basis}",
        "meth_ind",
        stretch=True,
    )


st.title(t("nav.methodology", lang()))
st.caption(t("methodology.intro", lang()))
tab_catalogue, tab_versions, tab_method, tab_data = st.tabs(
    [
        t("methodology.tab_catalogue", lang()),
        t("framework.tab", lang()),
        t("methodology.tab_method", lang()),
        t("methodology.tab_data", lang()),
    ]
)
with tab_catalogue:
    _catalogue_tab()
with tab_versions:
    _versions_tab()
with tab_method:
    _method_tab()
with tab_data:
    _data_tab()
