"""Small builders shared by the template, round-trip and validation tests.

- :func:`fill_template` builds the real template and fills it with openpyxl, as a person would;
- :func:`good_values` is one valid, complete set of field values (with evidence and notes);
- :func:`store_snapshot` reads tables back as sorted rows, to prove a rejected file wrote nothing.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from functools import cache
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from dxboard.catalogue import load_catalogue
from dxboard.periods import Period
from dxboard.registry import load_registry
from dxboard.store import Store
from loaders.template import COLUMN_KEYS, META_KEYS, REPORT_SHEET, build_template

FIXTURES = Path(__file__).resolve().parent / "fixtures"

# The tables a rejected file must leave untouched (uploads gets one ``rejected`` row).
DATA_TABLES = ("submissions", "raw_values", "meta")
ALL_TABLES = ("uploads", "submissions", "raw_values", "events", "meta")

Mutate = Callable[[Worksheet], object]


def good_values() -> dict[str, object]:
    """A valid value for every raw field: yes/no as Có/Không, every "of which" within its total."""
    return {
        "steering_committee": "Có",
        "dx_resolution": "Có",
        "dx_program": "Có",
        "annual_dx_plan": "Không",
        "procedures_total": 1800,
        "procedures_level4": 950,
        "dossiers_total": 120000,
        "dossiers_online": 80500,
        "inspections_total": 40,
        "inspections_remote": 12,
        "budget_total": 25000.5,
        "it_budget": 260.25,
        "security_budget": 30,
        "adults": 900000,
        "smartphone_users": 720000,
        "households": 310000,
        "households_fiber": 250000,
        "households_digital_address": 150000,
        "industrial_zones": 6,
        "industrial_zones_5g": 2,
        "communes": 56,
        "communes_with_tech_team": 56,
    }


def good_evidence() -> dict[str, tuple[str, date]]:
    """Document number and date for each yes/no field answered Có."""
    return {
        "steering_committee": ("123/QĐ-UBND", date(2020, 5, 4)),
        "dx_resolution": ("05-NQ/TU", date(2021, 3, 15)),
        "dx_program": ("2345/KH-UBND", date(2021, 9, 30)),
    }


def good_notes() -> dict[str, str]:
    return {"procedures_total": "Số liệu tại 30/6", "budget_total": "Dự toán, chưa quyết toán"}


def stored_value(kind: str, value: object) -> float:
    """How a filled cell is stored in ``raw_values.value`` (yes/no as 1/0)."""
    if kind == "bool":
        return 1.0 if str(value).strip().lower() in ("có", "yes", "x", "1", "true") else 0.0
    return float(value)  # type: ignore[arg-type]


def expected_rows(
    values: Mapping[str, object],
    notes: Mapping[str, str] | None = None,
    evidence: Mapping[str, tuple[str, date]] | None = None,
) -> dict[str, tuple[float | None, str | None, str | None, date | None]]:
    """field → (value, note, ref_no, ref_date) as ``current_values`` should hold them."""
    kinds = {f.code: f.kind for f in load_catalogue().fields}
    notes, evidence = notes or {}, evidence or {}
    out = {}
    for code in kinds:
        value = values.get(code)
        ref_no, ref_date = evidence.get(code, (None, None))
        if value is None and not notes.get(code) and not ref_no:
            continue
        out[code] = (
            None if value is None else stored_value(kinds[code], value),
            notes.get(code),
            ref_no,
            ref_date,
        )
    return out


@cache
def blank_template(province_name: str, period: str) -> bytes:
    """The empty template (built once per province and period)."""
    prov = load_registry().match(province_name, period=period)
    return build_template(prov, Period.parse(period))


@cache
def _template_rows() -> dict[str, int]:
    """Key in column A → its 1-based row in a freshly built template."""
    ws = load_workbook(io.BytesIO(blank_template("Đà Nẵng", "2024-Q2")))[REPORT_SHEET]
    return {str(c.value): c.row for c in ws["A"] if c.value}


def row_of(code: str) -> int:
    """The 1-based row of a field code (or meta key) in the template."""
    return _template_rows()[code]


def value_cell(code: str, column: str = COLUMN_KEYS["value"]) -> str:
    """``D12`` style reference of a field's value cell in the template."""
    return f"{column}{row_of(code)}"


def find_row(ws: Worksheet, key: str) -> int:
    """The 1-based row holding ``key`` in column A of ``ws`` (which may have been edited)."""
    for cell in ws["A"]:
        if cell.value == key:
            return cell.row
    raise KeyError(key)


def fill_template(
    province_name: str,
    period: str,
    values: Mapping[str, object],
    *,
    notes: Mapping[str, str] | None = None,
    evidence: Mapping[str, tuple[str, object]] | None = None,
    meta: Mapping[str, object] | None = None,
    mutate: Mutate | None = None,
) -> bytes:
    """The template for ``province_name`` and ``period``, filled with openpyxl.

    ``values``: field code → cell value (``None`` leaves it blank); ``notes``: code → note;
    ``evidence``: code → (document number, date); ``meta``: overrides of the province, period
    or template_version cells; ``mutate(ws)`` damages the layout of the report sheet last.
    """
    wb = load_workbook(io.BytesIO(blank_template(province_name, period)))
    ws = wb[REPORT_SHEET]
    col = COLUMN_KEYS
    for key, value in (meta or {}).items():
        assert key in META_KEYS, key
        ws[f"{col['value']}{find_row(ws, key)}"] = value
    for code, value in values.items():
        if value is not None:
            ws[f"{col['value']}{find_row(ws, code)}"] = value
    for code, note in (notes or {}).items():
        ws[f"{col['note']}{find_row(ws, code)}"] = note
    for code, (ref_no, ref_date) in (evidence or {}).items():
        row = find_row(ws, code)
        ws[f"{col['ref_no']}{row}"] = ref_no
        ws[f"{col['ref_date']}{row}"] = ref_date
    if mutate is not None:
        mutate(ws)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def good_template(
    province_name: str = "Đà Nẵng",
    period: str = "2024-Q2",
    *,
    mutate: Mutate | None = None,
    **overrides: object,
) -> bytes:
    """A complete, valid filled template; ``overrides`` replace single field values."""
    values = {**good_values(), **overrides}
    return fill_template(
        province_name, period, values, notes=good_notes(), evidence=good_evidence(), mutate=mutate
    )


def _sort_key(row: tuple) -> tuple:
    return tuple((v is None, repr(v)) for v in row)


def store_snapshot(store: Store, tables: Iterable[str] = DATA_TABLES) -> dict[str, list[tuple]]:
    """Every row of each table in ``tables``, sorted: equal snapshots mean nothing was written."""
    cur = store.cursor()
    return {t: sorted(cur.execute(f"SELECT * FROM {t}").fetchall(), key=_sort_key) for t in tables}


def upload_statuses(store: Store) -> list[str]:
    """Statuses of every upload, oldest first."""
    return [
        r[0] for r in store.cursor().execute("SELECT status FROM uploads ORDER BY id").fetchall()
    ]


def current_values(
    store: Store, province_code: str | None = None, period: str | None = None
) -> dict[str, tuple[float | None, str | None, str | None, date | None]]:
    """field → (value, note, ref_no, ref_date) of the accepted submission."""
    sql = "SELECT field, value, note, ref_no, ref_date FROM current_values WHERE 1 = 1"
    params: list[object] = []
    if province_code is not None:
        sql += " AND province_code = ?"
        params.append(province_code)
    if period is not None:
        sql += " AND period = ?"
        params.append(period)
    return {f: (v, n, r, d) for f, v, n, r, d in store.cursor().execute(sql, params).fetchall()}
