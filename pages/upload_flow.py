"""Plain helpers of the upload and account pages (no Streamlit): choices, display tables, texts.

Everything here formats what ``loaders`` returns; nothing computes an indicator or touches SQL.
"""

from __future__ import annotations

import re
from datetime import date, datetime

import pandas as pd

from dxboard.auth import User
from dxboard.catalogue import load_catalogue
from dxboard.i18n import TEXTS, fmt_datetime, fmt_number, fmt_period, t, tr
from dxboard.periods import Period, period_range, vn_today
from dxboard.registry import Province, load_registry
from dxboard.sessions import DEMO_PREFIX
from loaders.decide import Change, IngestResult
from metrics.swings import Swing

FIRST_TEMPLATE_PERIOD = Period(2020, 1)
META_FIELDS = {
    "province": "col.province",
    "period": "col.period",
    "template_version": "upload.field_template_version",
}


def is_demo_user(account: User | None) -> bool:
    return account is not None and account.username.startswith(DEMO_PREFIX)


def dataset_for(account: User) -> str:
    """Reports uploaded in demo mode are demo data, never official figures."""
    return "demo" if is_demo_user(account) else "official"


def role_label(role: str, lang: str) -> str:
    return t(f"login.role_{role}", lang)


def fmt_time(value: datetime | pd.Timestamp | None, lang: str) -> str:
    """``dd/mm/yyyy HH:MM (GMT+7)`` (vi) or ``yyyy-mm-dd HH:MM (GMT+7)`` (en), Vietnam time;
    missing → ``–``."""
    if value is None or pd.isna(value):
        return "–"
    return fmt_datetime(value, lang)


# --- the template ---------------------------------------------------------------------------


def template_periods(today: date | None = None) -> list[str]:
    """Quarters a template can be made for, newest first (up to the current quarter)."""
    last = Period.containing(today or vn_today())
    return [str(p) for p in reversed(period_range(FIRST_TEMPLATE_PERIOD, last))]


def default_period(options: list[str], chosen: str | None, today: date | None = None) -> str:
    """The sidebar period when it is offered, else the quarter being reported now."""
    if chosen is not None and chosen in options:
        return chosen
    reporting = str(Period.last_full_before(today or vn_today()))
    return reporting if reporting in options else options[0]


def template_provinces(account: User | None, period: str) -> list[Province]:
    """Provinces to offer for ``period``: an officer's own (or, before 2025-Q3, the legacy
    provinces merged into it); everyone else chooses among all of the period's era."""
    registry = load_registry()
    era = Period.parse(period).era
    if account is not None and account.role == "officer":
        provinces = [registry.get(c, era) for c in account.allowed_codes(period)]
    else:
        provinces = registry.provinces(era)
    return sorted(provinces, key=lambda p: p.ascii_name)


def template_file_name(province: Province, period: str) -> str:
    return f"bao_cao_CDS_{province.key}_{period}.xlsx"


# --- dry-run results ------------------------------------------------------------------------


def field_label(code: str, lang: str, period: str | None = None) -> str:
    """The catalogue name of a field (as the version of ``period`` names it, when given), or
    the name of a header cell; ``–`` when none."""
    catalogue = load_catalogue()
    named = catalogue.version_for(period).field_map if period else {}
    if code in named:
        return named[code].name(lang)
    if code in catalogue.field_codes:
        return catalogue.field(code).name(lang)
    if code in META_FIELDS:
        return t(META_FIELDS[code], lang)
    return "–"


def format_value(code: str, value: float | None, lang: str) -> str:
    """A raw value as the user typed it: Có/Không, whole counts, amounts with decimals."""
    if value is None or pd.isna(value):
        return "–"
    kind = load_catalogue().field(code).kind
    if kind == "bool":
        return t("data.yes" if value else "data.no", lang)
    decimals = 0 if float(value).is_integer() or kind == "count" else 2
    if decimals and round(value, 1) == value:
        decimals = 1
    return fmt_number(value, lang, decimals)


def problems_table(result: IngestResult, lang: str) -> pd.DataFrame:
    """One row per problem of one file (its name is in the heading above), in the order of
    the sheet's rows: where (in words), field name, kind, message, severity."""
    rows = [
        {
            t("upload.col_where", lang): where_words(p.sheet, p.cell, lang),
            t("col.field", lang): field_label(p.field, lang),
            t("upload.col_kind", lang): t(f"reason.{p.reason.value}", lang),
            t("upload.col_message", lang): p.message(lang),
            t("upload.col_severity", lang): t(f"upload.sev_{p.severity}", lang),
        }
        for p in sorted(result.problems, key=lambda p: cell_order(p.sheet, p.cell))
    ]
    return pd.DataFrame(
        rows,
        columns=_columns(
            lang,
            "upload.col_where",
            "col.field",
            "upload.col_kind",
            "upload.col_message",
            "upload.col_severity",
        ),
    )


_CELL = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)$")


def cell_order(sheet: str, cell: str) -> tuple[int, str, int, int, str]:
    """Sort key: problems of the whole file first, then by sheet, row, column."""
    m = _CELL.match(cell or "")
    if not m:
        return (0 if not sheet else 1, sheet, 0, 0, cell)
    column = 0
    for ch in m.group(1):
        column = column * 26 + ord(ch) - 64
    return (1, sheet, int(m.group(2)), column, "")


def where_words(sheet: str, cell: str, lang: str) -> str:
    """``trang tính «Báo cáo», ô C12`` / ``sheet «Báo cáo», cell C12``; the whole file: ``–``."""
    if sheet and cell:
        return t("upload.where_cell", lang, sheet=sheet, cell=cell)
    if sheet:
        return t("upload.where_sheet", lang, sheet=sheet)
    return t("upload.where_file", lang)


def province_name(code: str, period: str) -> str:
    return load_registry().get(code, Period.parse(period).era).short_name


def _change_order(change: Change) -> tuple[str, str, int]:
    """Province, period, then the template's field order (a total before its «of which»)."""
    codes = load_catalogue().field_codes
    rank = codes.index(change.field) if change.field in codes else len(codes)
    return change.province_code, change.period, rank


def changes_table(changes: list[Change], lang: str) -> pd.DataFrame:
    """The preview: province, period, field name, current accepted value, new value."""
    rows = [
        {
            t("col.province", lang): province_name(c.province_code, c.period),
            t("col.period", lang): fmt_period(c.period, lang),
            t("col.field", lang): field_label(c.field, lang, c.period),
            t("upload.col_old", lang): format_value(c.field, c.old, lang),
            t("upload.col_new", lang): format_value(c.field, c.new, lang),
        }
        for c in sorted(changes, key=_change_order)
    ]
    return pd.DataFrame(
        rows,
        columns=_columns(
            lang, "col.province", "col.period", "col.field", "upload.col_old", "upload.col_new"
        ),
    )


def swing_lines(swings: list[Swing], lang: str) -> list[str]:
    """One sentence per swing, with the numbers: ``Tổng số TTHC: 1.230, thấp hơn 63 % so với
    3.350 của Đà Nẵng ở Quý II/2026``."""
    lines = []
    for s in swings:
        change = round(min(abs(s.change), 0.999) if s.change < 0 else s.change, 3)
        common = {
            "field": field_label(s.field, lang, s.period),
            "value": s.value,
            "change": tr("upload.swing_up" if s.change > 0 else "upload.swing_down", x=change),
            "when": s.reference_period,
        }
        if s.basis == "own":
            province = province_name(s.province_code, s.period)
            lines.append(
                t("upload.swing_own", lang, previous=s.reference, province=province, **common)
            )
        else:
            lines.append(t("upload.swing_peers", lang, median=s.reference, **common))
    return lines


def report_values(result: IngestResult) -> list[tuple[str, str, dict[str, float | None]]]:
    """(province code, period, field → value) of each report of a checked file."""
    return [
        (r.province.code, str(r.period), {k: v.value for k, v in r.values.items()})
        for r in result.reports
    ]


def reports_summary(result: IngestResult, lang: str) -> str:
    """``Đà Nẵng Quý IV/2025, Huế Quý IV/2025`` (at most five, then ``…``)."""
    names = [f"{r.province.short_name} {fmt_period(r.period, lang)}" for r in result.reports]
    return ", ".join(names[:5]) + (" …" if len(names) > 5 else "")


def outcome(result: IngestResult, lang: str) -> tuple[str, str]:
    """(``success`` | ``info`` | ``error``, text) for a file after the dry run or the real run."""
    name = result.file_name
    if result.status == "rejected":
        return "error", t("upload.file_rejected", lang, file=name, n=len(result.errors))
    if result.status == "duplicate" and result.restorable:
        return "warning", t("upload.file_replaced_since", lang, file=name)
    if result.status == "duplicate":
        return "info", t("upload.file_duplicate", lang, file=name)
    key = "upload.file_stored" if not result.dry_run else "upload.file_valid"
    return "success", t(
        key,
        lang,
        file=name,
        reports=len(result.reports) - result.duplicates,
        which=reports_summary(result, lang),
        changes=len(result.changes),
    )


# --- history --------------------------------------------------------------------------------


def history_table(history: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The submission history with translated headers and statuses."""
    return pd.DataFrame(
        {
            t("col.period", lang): [fmt_period(p, lang) for p in history["period"]],
            t("col.status", lang): [t(f"upload.sub_{s}", lang) for s in history["status"]],
            t("review.col_state", lang): [
                t(f"review.state_{s}", lang) for s in history["review_state"]
            ],
            t("col.dataset", lang): [dataset_label(d, lang) for d in history["dataset"]],
            t("upload.col_received", lang): [fmt_time(v, lang) for v in history["received_at"]],
            t("upload.col_file", lang): history["file_name"],
            t("upload.col_actor", lang): history["actor"],
            t("upload.col_values", lang): history["n_values"],
        }
    )


def dataset_label(dataset: str, lang: str) -> str:
    """Demo/official in words; any other dataset name (chosen on the command line) as is."""
    key = f"upload.dataset_{dataset}"
    return t(key, lang) if key in TEXTS else dataset


def _columns(lang: str, *keys: str) -> list[str]:
    return [t(k, lang) for k in keys]
