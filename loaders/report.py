"""A province's report for one period, and the validation shared by every reader.

Readers turn cells into :class:`CellInput` records; :func:`validate_inputs` parses them by the
rules in :mod:`loaders.cells`, checks types and ranges with a pydantic model built from the
fields of the period's framework version, then checks every "of which" against its total. It
collects every problem before answering.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Annotated, Any, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from dxboard.catalogue import RawField, Version
from dxboard.errors import Problem, Reason
from dxboard.periods import Period, PeriodError, vn_today
from dxboard.registry import Province, ProvinceMatchError, load_registry
from loaders.cells import (
    CellError,
    cell_text,
    is_blank,
    parse_bool,
    parse_date,
    parse_number,
)
from loaders.readers.text import cell_ref

EARLIEST_PERIOD = Period(2015, 1)


Value = bool | int | float
"""A parsed value: yes/no, a count, an amount."""
Evidence = tuple[str | None, str | None, date | None]
"""A field's note, document number and document date."""


class CellInput(NamedTuple):
    """What a reader found for one field: the raw cell values and where they are.

    (Named tuples: a bulk table of 100,000 rows makes millions of these.)"""

    value: object
    cell: str
    note: object = None
    ref_no: object = None
    ref_date: object = None
    ref_date_cell: str = ""
    formula_untrusted: bool = False
    error: str | None = None
    """The cached error of a formula cell (``#N/A``, ``#REF!``, ``#DIV/0!``...)."""
    percent: bool = False
    """Whether the value cell holds a number formatted as a percentage."""


class FieldValue(NamedTuple):
    """One stored value with its evidence (immutable)."""

    value: float | None
    note: str | None = None
    ref_no: str | None = None
    ref_date: date | None = None


@dataclass
class Report:
    """Validated values of one province for one period."""

    province: Province
    period: Period
    values: dict[str, FieldValue]
    source_ref: str = ""
    warnings: list[Problem] = field(default_factory=list)
    sheet: str = ""
    cells: dict[str, str] = field(default_factory=dict)
    """Where each value was read: field code → cell of ``sheet`` (for later messages)."""

    @cached_property
    def content_hash(self) -> str:
        """Hash of the values (not the file): equal reports hash equal."""
        payload = {
            k: [v.value, v.note, v.ref_no, str(v.ref_date or "")]
            for k, v in sorted(self.values.items())
        }
        text = json.dumps([self.province.code, str(self.period), payload], ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Where:
    """File and sheet a problem belongs to."""

    file: str
    sheet: str = ""

    def problem(
        self,
        reason: Reason,
        key: str = "",
        cell: str = "",
        fld: str = "",
        severity: Literal["error", "warning"] = "error",
        **params: Any,
    ) -> Problem:
        return Problem(
            file=self.file,
            sheet=self.sheet,
            cell=cell,
            field=fld,
            reason=reason,
            severity=severity,
            key=key,
            params=params,
        )

    def from_cell_error(self, err: CellError, cell: str, fld: str) -> Problem:
        return self.problem(err.reason, err.key, cell, fld, **err.params)


_MODELS: dict[int, tuple[Version, type[BaseModel]]] = {}


def _values_model(version: Version) -> type[BaseModel]:
    """The cached pydantic model of ``version`` (keyed by identity: hashing it is slow)."""
    cached = _MODELS.get(id(version))
    if cached is None or cached[0] is not version:
        cached = _MODELS[id(version)] = (version, _build_values_model(version))
    return cached[1]


def _build_values_model(version: Version) -> type[BaseModel]:
    """A pydantic model with one optional, typed, non-negative attribute per raw field."""
    types = {
        "bool": bool | None,
        "count": Annotated[int, Field(ge=0)] | None,
        "amount": Annotated[float, Field(ge=0, allow_inf_nan=False)] | None,
    }
    fields: dict[str, Any] = {f.code: (types[f.kind], None) for f in version.fields}
    return create_model("ReportValues", __config__=ConfigDict(strict=False), **fields)


def validate_inputs(
    inputs: dict[str, CellInput], where: Where, version: Version, warn_blank: bool = True
) -> tuple[dict[str, FieldValue], list[Problem]]:
    """Parse, type-check and cross-check one report's cells; return values and all problems."""
    problems: list[Problem] = []
    parsed: dict[str, Value | None] = {}
    extras: dict[str, Evidence] = {}
    for fld in version.fields:
        entry = inputs.get(fld.code)
        if entry is None:
            continue
        value, valid = _read_value(fld, entry, where, problems)
        if valid:
            parsed[fld.code] = value
        extras[fld.code] = _read_evidence(fld, entry, where, problems)
    problems += _range_problems(parsed, inputs, where, version)
    problems += _blank_problems(parsed, inputs, where, version, warn_blank)
    problems += _part_whole_problems(parsed, inputs, where, version)
    values = {}
    for code, (note, ref_no, ref_date) in extras.items():
        value = parsed.get(code)
        if value is not None or note or ref_no:
            values[code] = FieldValue(_as_float(value), note, ref_no, ref_date)
    return values, problems


def cell_at(row: int, col: int) -> str:
    """:func:`loaders.cells.cell_ref` (``D14``) with the column letters looked up."""
    letters = _LETTERS.get(col)
    if letters is None:
        return cell_ref(row, col)
    return f"{letters}{row + 1}"


_LETTERS = {col: cell_ref(0, col)[:-1] for col in range(256)}
_BOOLS: dict[str, bool | CellError] = {}
"""Yes/no text → ``parse_bool``'s answer (a file spells Có and Không a few ways only)."""


def _read_value(
    fld: RawField, entry: CellInput, where: Where, problems: list[Problem]
) -> tuple[Value | None, bool]:
    """(value, valid) of a field's value cell; a problem is added when it is not valid."""
    refusal = _cell_refusal(fld, entry, where)
    if refusal is not None:
        problems.append(refusal)
        return None, False
    raw = entry.value
    if fld.kind != "bool" and (type(raw) is float or type(raw) is int):  # the common case
        number = float(raw)
        if (
            number == number
            and abs(number) != _INF
            and (fld.kind == "amount" or number.is_integer())
        ):
            return (int(number) if fld.kind == "count" else number), True
    if is_blank(raw):
        return None, True
    result = _parse_bool(raw) if fld.kind == "bool" else parse_number(raw, fld.kind == "count")
    if isinstance(result, CellError):
        problems.append(where.from_cell_error(result, entry.cell, fld.code))
        return None, False
    return (int(result) if fld.kind == "count" else result), True


def _cell_refusal(fld: RawField, entry: CellInput, where: Where) -> Problem | None:
    """A value cell that holds no figure whatever it shows: a formula without a cached value
    or with an error, or a count or amount formatted as a percentage."""
    if entry.formula_untrusted:
        return where.problem(Reason.FORMULA, "formula_without_value", entry.cell, fld.code)
    if entry.error is not None:
        return where.problem(
            Reason.FORMULA_ERROR, "formula_error", entry.cell, fld.code, error=entry.error
        )
    if entry.percent and fld.kind != "bool" and not is_blank(entry.value):
        return where.problem(
            Reason.PERCENT_FORMAT,
            f"percent_format_{fld.kind}",
            entry.cell,
            fld.code,
            field_name=fld.names,
            shown=entry.value if isinstance(entry.value, int | float) else None,
        )
    return None


def _holds_a_formula(entry: CellInput) -> bool:
    """A formula cell is never blank: it reads blank when it has no value or an error."""
    return entry.formula_untrusted or entry.error is not None


def _parse_bool(raw: object) -> bool | CellError:
    if type(raw) is not str:
        return parse_bool(raw)
    found = _BOOLS.get(raw)
    if found is None:
        found = parse_bool(raw)
        if len(_BOOLS) < 1000:
            _BOOLS[raw] = found
    return found


def _read_evidence(
    fld: RawField, entry: CellInput, where: Where, problems: list[Problem]
) -> Evidence:
    """(note, document number, document date) of a field's row."""
    ref_date = None
    if entry.ref_date is not None and not is_blank(entry.ref_date):
        parsed_date = parse_date(entry.ref_date)
        if isinstance(parsed_date, CellError):
            problems.append(where.from_cell_error(parsed_date, entry.ref_date_cell, fld.code))
        else:
            ref_date = parsed_date
    note = cell_text(entry.note) or None if entry.note is not None else None
    ref_no = cell_text(entry.ref_no) or None if entry.ref_no is not None else None
    return note, ref_no, ref_date


def _in_range(parsed: dict[str, Value | None], version: Version) -> bool:
    """Whether every parsed value has its kind's type and is not negative: what the pydantic
    model accepts, checked without it (the readers give bool, int and finite float)."""
    kinds = _kinds(version)
    for code, value in parsed.items():
        kind = kinds[code]
        if value is None:
            continue
        if kind == "bool":
            ok = type(value) is bool
        elif type(value) is int or (kind == "amount" and type(value) is float):
            ok = 0 <= value < _INF  # NaN fails too
        else:
            ok = False
        if not ok:
            return False
    return True


_INF = float("inf")
_KINDS: dict[int, tuple[Version, dict[str, str]]] = {}


def _kinds(version: Version) -> dict[str, str]:
    cached = _KINDS.get(id(version))
    if cached is None or cached[0] is not version:
        cached = _KINDS[id(version)] = (version, {f.code: f.kind for f in version.fields})
    return cached[1]


def _range_problems(
    parsed: dict[str, Value | None],
    inputs: dict[str, CellInput],
    where: Where,
    version: Version,
) -> list[Problem]:
    if _in_range(parsed, version):
        return []  # the common case, without building a model instance
    try:
        _values_model(version).model_validate(parsed)
        return []
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            code = str(err["loc"][0])
            parsed.pop(code, None)
            value = cell_text(inputs[code].value)
            problems.append(
                where.problem(Reason.NEGATIVE, "negative", inputs[code].cell, code, value=value)
            )
        return problems


def _blank_problems(
    parsed: dict[str, Value | None],
    inputs: dict[str, CellInput],
    where: Where,
    version: Version,
    warn_blank: bool,
) -> list[Problem]:
    problems = []
    for fld in version.fields:
        entry = inputs.get(fld.code)
        if entry is None or not is_blank(entry.value) or _holds_a_formula(entry):
            continue
        if fld.required:
            problems.append(
                where.problem(
                    Reason.REQUIRED, "required", entry.cell, fld.code, field_name=fld.names
                )
            )
        elif warn_blank:
            problems.append(
                where.problem(
                    Reason.BLANK,
                    "blank",
                    entry.cell,
                    fld.code,
                    severity="warning",
                    field_name=fld.names,
                )
            )
    return problems


def _part_whole_problems(
    parsed: dict[str, Value | None],
    inputs: dict[str, CellInput],
    where: Where,
    version: Version,
) -> list[Problem]:
    problems = []
    for fld in version.fields:
        if not fld.part_of:
            continue
        part, whole = parsed.get(fld.code), parsed.get(fld.part_of)
        if part is not None and whole is not None and part > whole:
            total = version.field(fld.part_of)
            problems.append(
                where.problem(
                    Reason.PART_EXCEEDS_WHOLE,
                    "part_exceeds_whole",
                    inputs[fld.code].cell,
                    fld.code,
                    part_name=fld.names,
                    part=part,
                    whole_name=total.names,
                    whole=whole,
                    whole_cell=inputs[total.code].cell,
                )
            )
    return problems


def _as_float(value: Value | None) -> float | None:
    if value is None:
        return None
    return float(value)  # bools become 1.0 / 0.0


def resolve_province(
    value: object, period: Period | None, where: Where, cell: str
) -> Province | Problem:
    """Match the province cell through the registry, for the era of ``period``."""
    text = cell_text(value)
    if not text:
        return where.problem(Reason.PROVINCE, "province_missing", cell, "province")
    registry = load_registry()
    era = era_of(period) if period is not None else "current"
    cached = _MATCHED.get((text, era))
    if cached is not None and cached[0] is registry:
        return cached[1]
    try:
        province = registry.match(text, era=era)
    except ProvinceMatchError as exc:
        return exc.problem(where.file, where.sheet, cell, "province")
    if len(_MATCHED) >= _MATCHED_MAX:
        _MATCHED.clear()
    _MATCHED[(text, era)] = (registry, province)
    return province


_MATCHED: dict[tuple[str, str], tuple[object, Province]] = {}
"""(province text, era) → the province it named: the registry's answer, kept (a quarter's files
spell each province the same way)."""
_MATCHED_MAX = 10_000


def resolve_period(
    value: object, where: Where, cell: str, today: date | None = None
) -> Period | Problem:
    """Parse the period cell; refuse quarters that have not started or are implausibly old."""
    text = cell_text(value)
    today = today or vn_today()
    known = _PERIODS.get(text)
    if known is not None and EARLIEST_PERIOD <= known <= Period.containing(today):
        return known
    try:
        period = Period.parse(text)
    except PeriodError as exc:
        return exc.problem(where.file, where.sheet, cell, "period")
    if period > Period.containing(today) or period < EARLIEST_PERIOD:
        return where.problem(
            Reason.PERIOD,
            "period_out_of_range",
            cell,
            "period",
            period=str(period),
            earliest=str(EARLIEST_PERIOD),
        )
    if len(_PERIODS) < 10_000:
        _PERIODS[text] = period
    return period


_PERIODS: dict[str, Period] = {}
"""Period text → the quarter it names, once it was parsed (a table repeats a few quarters)."""
_ERAS: dict[Period, str] = {}


def era_of(period: Period) -> str:
    """``period.era``, kept per quarter (the property parses the merger quarter each time)."""
    era = _ERAS.get(period)
    if era is None:
        era = _ERAS[period] = period.era
    return era
