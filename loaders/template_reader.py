"""Reading a filled report template (any of .xlsx, .xls, .ods) into a :class:`Report`.

The fields are those of the framework version in force for the period in the file. The
version cell must name that version's template: a template of another version (a 2024 file
given the period 2025-Q4) is rejected at the version cell, saying which template to download,
before its rows are read.
"""

from __future__ import annotations

from datetime import date

from dxboard.catalogue import Catalogue, FrameworkError, Version
from dxboard.errors import Problem, Reason
from dxboard.i18n import named
from dxboard.periods import Period
from dxboard.registry import Province, ProvinceMatchError, load_registry
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
from loaders.template import (
    COLUMN_KEYS,
    GUIDE_SHEET,
    KEY_ROW_MARKER,
    META_KEYS,
    META_SHEET,
    REPORT_SHEET,
)


def is_template(book: Workbook) -> bool:
    """Whether the workbook is our template: it has the report, guide or hidden meta sheet."""
    return bool({REPORT_SHEET, GUIDE_SHEET, META_SHEET} & set(book.sheet_names))


def read_template(
    book: Workbook, catalogue: Catalogue, today: date | None = None
) -> tuple[Report | None, list[Problem]]:
    """Read and validate a template; the report is ``None`` when any error was found."""
    where = Where(book.file_name, REPORT_SHEET)
    if REPORT_SHEET not in book.sheet_names:
        names = ", ".join(n for n in book.sheet_names if n != META_SHEET)
        return None, [
            where.problem(
                Reason.MISSING_SHEET, "missing_sheet", sheet_name=REPORT_SHEET, names=names
            )
        ]
    sheet = book.sheet(REPORT_SHEET)
    keys = _column_a(sheet)
    columns, problems = _columns(sheet, where)
    cells, meta_problems = _meta_cells(sheet, keys, columns.get("value"), where)
    problems += meta_problems
    period, province, who_problems = _read_who(cells, where, today)
    problems += who_problems
    version, version_problems = _read_version(cells, period, where, catalogue)
    problems += version_problems
    if "value" not in columns or version is None:
        return None, problems
    inputs, row_problems = _field_inputs(sheet, keys, columns, where, version)
    problems += row_problems
    values, value_problems = validate_inputs(inputs, where, version)
    problems += value_problems
    if any(p.severity == "error" for p in problems) or province is None or period is None:
        return None, problems
    warnings = [p for p in problems if p.severity == "warning"]
    return Report(
        province,
        period,
        values,
        REPORT_SHEET,
        warnings,
        sheet=REPORT_SHEET,
        cells={code: inputs[code].cell for code in values},
    ), problems


def _column_a(sheet: Sheet) -> dict[str, list[int]]:
    """Text in column A → the rows holding it."""
    found: dict[str, list[int]] = {}
    for row, cells in enumerate(sheet.rows):
        if cells:
            text = cell_text(cells[0] if cells[0] != "" else None)
            if text:
                found.setdefault(text, []).append(row)
    return found


def _columns(sheet: Sheet, where: Where) -> tuple[dict[str, int], list[Problem]]:
    """Find the hidden key row and map column keys to column indexes."""
    for row in range(min(len(sheet.rows), 50)):
        if cell_text(sheet.value(row, 0)) == KEY_ROW_MARKER:
            cols = {cell_text(v): c for c, v in enumerate(sheet.rows[row]) if cell_text(v)}
            found = {k: cols[k] for k in COLUMN_KEYS if k in cols}
            if "value" in found:
                return found, []
    return {}, [where.problem(Reason.UNKNOWN_LAYOUT, "no_key_row")]


Cell = tuple[object, str]
"""A meta cell's value and reference."""


def _meta_cells(
    sheet: Sheet, keys: dict[str, list[int]], value_col: int | None, where: Where
) -> tuple[dict[str, Cell], list[Problem]]:
    """The province, period and version cells, found by their keys in column A."""
    col = value_col if value_col is not None else 3
    problems: list[Problem] = []
    cells = {}
    for key in META_KEYS:
        rows = keys.get(key)
        if not rows:
            problems.append(
                where.problem(Reason.UNKNOWN_LAYOUT, "no_meta_row", fld=key, row_key=key)
            )
            continue
        cells[key] = (sheet.value(rows[0], col), cell_ref(rows[0], col))
    return cells, problems


def _read_version(
    cells: dict[str, Cell], period: Period | None, where: Where, catalogue: Catalogue
) -> tuple[Version | None, list[Problem]]:
    """The version whose fields the file has: the one named by the version cell, which must be
    the version in force for the period (when the period is known)."""
    expected: Version | None = None
    if period is not None:
        try:
            expected = catalogue.version_for(period)
        except FrameworkError as exc:
            return None, [exc.problem(where.file, where.sheet, cells["period"][1], "period")]
    cell = cells.get("template_version")
    if cell is None:
        return expected, []
    label = cell_text(cell[0])
    found = catalogue.version_of_template(label)
    if found is None:
        current = (expected or catalogue.versions[-1]).template_version
        key = "template_version"
        return None, [
            where.problem(Reason.TEMPLATE_VERSION, key, cell[1], key, found=label, current=current)
        ]
    if expected is not None and found.id != expected.id:
        return None, [_other_version(cell[1], label, found, expected, period, where)]
    return found, []


def _other_version(
    ref: str, label: str, found: Version, expected: Version, period: Period | None, where: Where
) -> Problem:
    return where.problem(
        Reason.TEMPLATE_VERSION,
        "template_other_version",
        ref,
        "template_version",
        found=label,
        found_framework=found.names,
        framework=expected.names,
        span=named(expected.span("vi"), expected.span("en")),
        period=str(period),
        current=expected.template_version,
    )


def _read_who(
    cells: dict[str, Cell], where: Where, today: date | None
) -> tuple[Period | None, Province | None, list[Problem]]:
    """The period and the province of the file (the province matched in the period's era)."""
    problems: list[Problem] = []
    period: Period | None = None
    if "period" in cells:
        found_period = resolve_period(cells["period"][0], where, cells["period"][1], today)
        if isinstance(found_period, Problem):
            problems.append(found_period)
        else:
            period = found_period
    province: Province | None = None
    if "province" in cells and period is not None:
        found = resolve_province(cells["province"][0], period, where, cells["province"][1])
        if isinstance(found, Problem):
            problems.append(found)
        else:
            province = found
    elif "province" in cells:
        problems += _province_in_any_era(cells["province"], where)
    return period, province, problems


def _province_in_any_era(cell: tuple[object, str], where: Where) -> list[Problem]:
    """Without a valid period, only report a province that exists in neither era."""
    for era in ("legacy", "current"):
        try:
            load_registry().match(cell_text(cell[0]), era=era)
            return []
        except ProvinceMatchError:
            continue
    result = resolve_province(cell[0], None, where, cell[1])
    return [result] if isinstance(result, Problem) else []


def _field_inputs(
    sheet: Sheet,
    keys: dict[str, list[int]],
    columns: dict[str, int],
    where: Where,
    version: Version,
) -> tuple[dict[str, CellInput], list[Problem]]:
    problems: list[Problem] = []
    inputs: dict[str, CellInput] = {}
    vcol = columns["value"]
    for fld in version.fields:
        rows = keys.get(fld.code, [])
        if len(rows) != 1:
            reason = Reason.MISSING_ROW if not rows else Reason.DUPLICATE_ROW
            problems.append(
                where.problem(
                    reason,
                    reason.value,
                    cell_ref(rows[1], 0) if len(rows) > 1 else "",
                    fld.code,
                    field_name=fld.names,
                    code=fld.code,
                )
            )
            continue
        row = rows[0]
        if sheet.merged_at(row, vcol):
            problems.append(
                where.problem(Reason.MERGED_CELL, "merged_cell", cell_ref(row, vcol), fld.code)
            )
            continue
        inputs[fld.code] = _cell_input(sheet, row, columns)
    return inputs, problems


def _cell_input(sheet: Sheet, row: int, columns: dict[str, int]) -> CellInput:
    vcol = columns["value"]
    trusted = sheet.formulas.get((row, vcol)) if sheet.formulas else None
    date_col = columns.get("ref_date")
    value = sheet.value
    return CellInput(
        value=value(row, vcol),
        cell=cell_at(row, vcol),
        note=value(row, columns["note"]) if "note" in columns else None,
        ref_no=value(row, columns["ref_no"]) if "ref_no" in columns else None,
        ref_date=value(row, date_col) if date_col is not None else None,
        ref_date_cell=cell_at(row, date_col) if date_col is not None else "",
        formula_untrusted=trusted is False,
        error=sheet.errors.get((row, vcol)),
        percent=(row, vcol) in sheet.percent,
    )
