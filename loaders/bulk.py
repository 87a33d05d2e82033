"""Reading a national bulk table: one row per province and period, for historical import.

The first sheet (or one named ``Dữ liệu``/``data``) holds a header row within its first ten
rows. Columns are named by field code (``procedures_total``) or by the field's Vietnamese or
English label (of any framework version, former names included), in any case, with or
without diacritics; ``province`` (or ``Tỉnh``, ``Mã tỉnh``) and ``period`` (or ``Kỳ báo cáo``,
``Quý``) are required. Optional evidence columns are ``<field>_ref_no``, ``<field>_ref_date`` and
``<field>_note``. Unknown columns are reported as warnings and ignored. Each row is validated
against the framework version of its period: a value in a column of a field that this version
does not have is an error (``framework``). The file is accepted or rejected as a whole.
"""

from __future__ import annotations

from datetime import date

from dxboard.catalogue import Catalogue, FrameworkError, Version
from dxboard.errors import Problem, Reason
from dxboard.i18n import named
from dxboard.periods import Period
from dxboard.textnorm import compact
from loaders.cells import cell_text
from loaders.readers import Sheet, Workbook
from loaders.readers.text import cell_ref
from loaders.report import (
    CellInput,
    Report,
    Where,
    cell_at,
    resolve_period,
    resolve_province,
    validate_inputs,
)

PROVINCE_HEADERS = {
    "province",
    "provincecode",
    "tinh",
    "tinhthanhpho",
    "matinh",
    "tinhthanh",
    "donvi",
    "diaphuong",
}
PERIOD_HEADERS = {"period", "kybaocao", "ky", "quy", "quarter"}
DATA_SHEETS = {"dulieu", "data", "bulk"}
_SUFFIXES = ("ref_no", "ref_date", "note")


_HEADER_KEYS: dict[int, tuple[Catalogue, dict[str, tuple[str, str]]]] = {}


def _header_keys(catalogue: Catalogue) -> dict[str, tuple[str, str]]:
    """Cached :func:`_build_header_keys` (keyed by catalogue identity)."""
    cached = _HEADER_KEYS.get(id(catalogue))
    if cached is None or cached[0] is not catalogue:
        cached = _HEADER_KEYS[id(catalogue)] = (catalogue, _build_header_keys(catalogue))
    return cached[1]


def _build_header_keys(catalogue: Catalogue) -> dict[str, tuple[str, str]]:
    """Folded header text → (field code, part) where part is value/ref_no/ref_date/note."""
    keys: dict[str, tuple[str, str]] = {}
    for fld in catalogue.field_entries:
        names = (fld.code, fld.name_vi, fld.name_en, fld.former_name_vi, fld.former_name_en)
        for name in filter(None, names):
            keys[compact(name)] = (fld.code, "value")
            keys[compact(name + " (*)")] = (fld.code, "value")
        for part in _SUFFIXES:
            keys[compact(f"{fld.code}_{part}")] = (fld.code, part)
    for name in PROVINCE_HEADERS:
        keys[name] = ("", "province")
    for name in PERIOD_HEADERS:
        keys[name] = ("", "period")
    return keys


def pick_sheet(book: Workbook) -> str:
    for name in book.sheet_names:
        if compact(name) in DATA_SHEETS:
            return name
    return book.sheet_names[0]


def read_bulk(
    book: Workbook, catalogue: Catalogue, today: date | None = None
) -> tuple[list[Report], list[Problem]]:
    """Read and validate every row; the reports list is empty when any error was found."""
    name = pick_sheet(book)
    sheet = book.sheet(name)
    where = Where(book.file_name, name)
    header_row, columns, problems = _find_header(sheet, where, catalogue)
    if header_row is None:
        return [], problems
    reports: list[Report] = []
    seen: dict[tuple[str, str], int] = {}
    plan = _plan(columns, catalogue)
    for row in range(header_row + 1, len(sheet.rows)):
        if all(cell_text(v) == "" for v in sheet.rows[row]):
            continue
        report, row_problems = _read_row(sheet, row, columns, where, catalogue, plan, today)
        problems += row_problems
        if report is None:
            continue
        key = (report.province.code, str(report.period))
        if key in seen:
            problems.append(
                where.problem(
                    Reason.DUPLICATE_REPORT,
                    "duplicate_report",
                    cell_ref(row, columns["province"][0]),
                    "province",
                    province=report.province.name,
                    period=str(report.period),
                    row=seen[key] + 1,
                )
            )
        seen[key] = row
        reports.append(report)
    if not seen and not any(p.severity == "error" for p in problems):
        problems.append(where.problem(Reason.EMPTY_FILE, "no_data_rows"))
    if any(p.severity == "error" for p in problems):
        return [], problems
    return reports, problems


def _find_header(
    sheet: Sheet, where: Where, catalogue: Catalogue
) -> tuple[int | None, dict[str, tuple[int, str]], list[Problem]]:
    keys = _header_keys(catalogue)
    for row in range(min(len(sheet.rows), 10)):
        texts = [cell_text(v) for v in sheet.rows[row]]
        matched = {c: keys[compact(t)] for c, t in enumerate(texts) if compact(t) in keys}
        parts = {part for _, part in matched.values()}
        if {"province", "period"} <= parts:
            return row, _column_map(matched), _unknown_columns(texts, matched, row, where)
    return (
        None,
        {},
        [where.problem(Reason.UNKNOWN_LAYOUT, "no_header_row")],
    )


def _column_map(matched: dict[int, tuple[str, str]]) -> dict[str, tuple[int, str]]:
    """``province``/``period``/``<field>:<part>`` → (column, part)."""
    out: dict[str, tuple[int, str]] = {}
    for col, (code, part) in matched.items():
        key = part if not code else f"{code}:{part}"
        out.setdefault(key, (col, part))
    return out


def _unknown_columns(
    texts: list[str], matched: dict[int, tuple[str, str]], row: int, where: Where
) -> list[Problem]:
    return [
        where.problem(
            Reason.UNKNOWN_COLUMN, "unknown_column", cell_ref(row, c), severity="warning", name=t
        )
        for c, t in enumerate(texts)
        if t and c not in matched
    ]


_Plan = list[tuple[str, int, int | None, int | None, int | None]]


def _plan(columns: dict[str, tuple[int, str]], catalogue: Catalogue) -> _Plan:
    """(field, value column, note, ref_no and ref_date columns) of each field with a column."""

    def col(code: str, part: str) -> int | None:
        found = columns.get(f"{code}:{part}")
        return found[0] if found else None

    return [
        (
            f.code,
            columns[f"{f.code}:value"][0],
            col(f.code, "note"),
            col(f.code, "ref_no"),
            col(f.code, "ref_date"),
        )
        for f in catalogue.fields
        if f"{f.code}:value" in columns
    ]


def _read_row(
    sheet: Sheet,
    row: int,
    columns: dict[str, tuple[int, str]],
    where: Where,
    catalogue: Catalogue,
    plan: _Plan,
    today: date | None,
) -> tuple[Report | None, list[Problem]]:
    pcol, qcol = columns["province"][0], columns["period"][0]
    period = resolve_period(sheet.value(row, qcol), where, cell_ref(row, qcol), today)
    if not isinstance(period, Period):
        return None, [period]
    try:
        version = catalogue.version_for(period)
    except FrameworkError as exc:
        return None, [exc.problem(where.file, where.sheet, cell_ref(row, qcol), "period")]
    province = resolve_province(sheet.value(row, pcol), period, where, cell_ref(row, pcol))
    if isinstance(province, Problem):
        return None, [province]
    inputs = _row_inputs(sheet, row, plan)
    problems = _not_in_version(inputs, version, period, where, catalogue)
    values, value_problems = validate_inputs(inputs, where, version, warn_blank=False)
    problems += value_problems
    if any(p.severity == "error" for p in problems):
        return None, problems
    return Report(
        province,
        period,
        values,
        f"{where.sheet}!{row + 1}",
        sheet=where.sheet,
        cells={code: inputs[code].cell for code in values},
    ), problems


def _not_in_version(
    inputs: dict[str, CellInput],
    version: Version,
    period: Period,
    where: Where,
    catalogue: Catalogue,
) -> list[Problem]:
    """An error for each value in a column of a field that ``version`` does not have (the
    cell is dropped from ``inputs``)."""
    problems = []
    for code in [c for c in inputs if c not in version.field_map]:
        entry = inputs.pop(code)
        if entry.value is None or cell_text(entry.value) == "":
            continue
        problems.append(
            where.problem(
                Reason.FRAMEWORK,
                "field_not_in_framework",
                entry.cell,
                code,
                field_name=catalogue.field(code).names,
                framework=version.names,
                span=named(version.span("vi"), version.span("en")),
                period=str(period),
            )
        )
    return problems


def _row_inputs(sheet: Sheet, row: int, plan: _Plan) -> dict[str, CellInput]:
    """The cells of every field with a column, in one row."""
    cells = sheet.rows[row]
    n = len(cells)
    formulas = sheet.formulas
    inputs = {}
    for code, vcol, ncol, rcol, dcol in plan:
        value = cells[vcol] if vcol < n else None
        inputs[code] = CellInput(
            value=None if value == "" else value,
            cell=cell_at(row, vcol),
            note=_at(cells, ncol, n),
            ref_no=_at(cells, rcol, n),
            ref_date=_at(cells, dcol, n),
            ref_date_cell=cell_at(row, dcol) if dcol is not None else "",
            formula_untrusted=bool(formulas) and formulas.get((row, vcol)) is False,
            error=sheet.errors.get((row, vcol)),
            percent=(row, vcol) in sheet.percent,
        )
    return inputs


def _at(cells: list[object], col: int | None, n: int) -> object:
    """``Sheet.value`` of a cell of this row (``None`` for no column, a blank or a short row)."""
    if col is None or col >= n:
        return None
    value = cells[col]
    return None if value == "" else value
