"""A province's report for one period, and the validation shared by every reader.

Readers turn cells into :class:`CellInput` records; :func:`validate_inputs` parses them by the
rules in :mod:`loaders.cells`, checks types and ranges with a pydantic model built from the
catalogue, then checks every "of which" against its total. It collects every problem before
answering.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from dxboard.catalogue import Catalogue, RawField
from dxboard.periods import Period, PeriodError
from dxboard.registry import Province, ProvinceMatchError, load_registry
from loaders.cells import CellError, cell_text, is_blank, parse_bool, parse_date, parse_number
from loaders.problems import Problem, Reason

EARLIEST_PERIOD = Period(2015, 1)


@dataclass
class CellInput:
    """What a reader found for one field: the raw cell values and where they are."""

    value: object
    cell: str
    note: object = None
    ref_no: object = None
    ref_date: object = None
    ref_date_cell: str = ""
    formula_untrusted: bool = False


@dataclass(frozen=True)
class FieldValue:
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

    def content_hash(self) -> str:
        """Hash of the values (not the file): equal reports hash equal."""
        payload = {k: [v.value, v.note, v.ref_no, str(v.ref_date or "")]
                   for k, v in sorted(self.values.items())}
        text = json.dumps([self.province.code, str(self.period), payload], ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Where:
    """File and sheet a problem belongs to."""

    file: str
    sheet: str = ""

    def problem(self, reason: Reason, vi: str, en: str, cell: str = "", fld: str = "",
                severity: str = "error") -> Problem:
        return Problem(file=self.file, sheet=self.sheet, cell=cell, field=fld, reason=reason,
                       severity=severity, message_vi=vi, message_en=en)

    def from_cell_error(self, err: CellError, cell: str, fld: str) -> Problem:
        return self.problem(err.reason, err.message_vi, err.message_en, cell, fld)


_MODELS: dict[int, tuple[Catalogue, type[BaseModel]]] = {}


def _values_model(catalogue: Catalogue) -> type[BaseModel]:
    """The cached pydantic model of ``catalogue`` (keyed by identity: hashing it is slow)."""
    cached = _MODELS.get(id(catalogue))
    if cached is None or cached[0] is not catalogue:
        cached = _MODELS[id(catalogue)] = (catalogue, _build_values_model(catalogue))
    return cached[1]


def _build_values_model(catalogue: Catalogue) -> type[BaseModel]:
    """A pydantic model with one optional, typed, non-negative attribute per raw field."""
    types = {
        "bool": bool | None,
        "count": Annotated[int, Field(ge=0)] | None,
        "amount": Annotated[float, Field(ge=0, allow_inf_nan=False)] | None,
    }
    fields = {f.code: (types[f.kind], None) for f in catalogue.fields}
    return create_model("ReportValues", __config__=ConfigDict(strict=False), **fields)


def validate_inputs(inputs: dict[str, CellInput], where: Where, catalogue: Catalogue,
                    warn_blank: bool = True) -> tuple[dict[str, FieldValue], list[Problem]]:
    """Parse, type-check and cross-check one report's cells; return values and all problems."""
    problems: list[Problem] = []
    parsed: dict[str, object] = {}
    extras: dict[str, FieldValue] = {}
    for fld in catalogue.fields:
        entry = inputs.get(fld.code)
        if entry is None:
            continue
        value, evidence, found = _parse_entry(fld, entry, where)
        problems += found
        if value is not _INVALID:
            parsed[fld.code] = value
        extras[fld.code] = evidence
    problems += _range_problems(parsed, inputs, where, catalogue)
    problems += _blank_problems(parsed, inputs, where, catalogue, warn_blank)
    problems += _part_whole_problems(parsed, inputs, where, catalogue)
    values = {
        code: FieldValue(_as_float(parsed.get(code)), ev.note, ev.ref_no, ev.ref_date)
        for code, ev in extras.items()
        if parsed.get(code) is not None or ev.note or ev.ref_no
    }
    return values, problems


_INVALID = object()


def _parse_entry(fld: RawField, entry: CellInput, where: Where
                 ) -> tuple[object, FieldValue, list[Problem]]:
    problems: list[Problem] = []
    value: object = None
    if entry.formula_untrusted:
        problems.append(where.problem(
            Reason.FORMULA,
            "Ô chứa công thức nhưng không có giá trị đã tính. Hãy nhập trực tiếp giá trị, hoặc mở "
            "và lưu lại tệp bằng Excel/LibreOffice.",
            "The cell holds a formula without a computed value. Type the value, or open and save "
            "the file in Excel/LibreOffice.", entry.cell, fld.code))
        value = _INVALID
    elif not is_blank(entry.value):
        result = parse_bool(entry.value) if fld.kind == "bool" else parse_number(
            entry.value, whole=fld.kind == "count")
        if isinstance(result, CellError):
            problems.append(where.from_cell_error(result, entry.cell, fld.code))
            value = _INVALID
        else:
            value = int(result) if fld.kind == "count" else result
    ref_date = None
    if not is_blank(entry.ref_date):
        parsed_date = parse_date(entry.ref_date)
        if isinstance(parsed_date, CellError):
            problems.append(where.from_cell_error(parsed_date, entry.ref_date_cell, fld.code))
        else:
            ref_date = parsed_date
    evidence = FieldValue(None, cell_text(entry.note) or None, cell_text(entry.ref_no) or None,
                          ref_date)
    return value, evidence, problems


def _range_problems(parsed: dict[str, object], inputs: dict[str, CellInput], where: Where,
                    catalogue: Catalogue) -> list[Problem]:
    try:
        _values_model(catalogue).model_validate(parsed)
        return []
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            code = str(err["loc"][0])
            parsed.pop(code, None)
            value = cell_text(inputs[code].value)
            problems.append(where.problem(
                Reason.NEGATIVE,
                f"«{value}»: giá trị không được âm.", f"«{value}»: the value may not be negative.",
                inputs[code].cell, code))
        return problems


def _blank_problems(parsed: dict[str, object], inputs: dict[str, CellInput], where: Where,
                    catalogue: Catalogue, warn_blank: bool) -> list[Problem]:
    problems = []
    for fld in catalogue.fields:
        entry = inputs.get(fld.code)
        if entry is None or not is_blank(entry.value) or entry.formula_untrusted:
            continue
        if fld.required:
            problems.append(where.problem(
                Reason.REQUIRED, f"Chưa nhập «{fld.name_vi}» (bắt buộc).",
                f"«{fld.name_en}» is required but empty.", entry.cell, fld.code))
        elif warn_blank:
            problems.append(where.problem(
                Reason.BLANK, f"Để trống «{fld.name_vi}»: sẽ hiển thị là chưa có số liệu.",
                f"«{fld.name_en}» left blank: it will show as no data.", entry.cell, fld.code,
                severity="warning"))
    return problems


def _part_whole_problems(parsed: dict[str, object], inputs: dict[str, CellInput], where: Where,
                         catalogue: Catalogue) -> list[Problem]:
    problems = []
    for fld in catalogue.fields:
        part, whole = parsed.get(fld.code), parsed.get(fld.part_of or "")
        if fld.part_of and part is not None and whole is not None and part > whole:
            total = catalogue.field(fld.part_of)
            problems.append(where.problem(
                Reason.PART_EXCEEDS_WHOLE,
                f"«{fld.name_vi}» ({_fmt(part)}) lớn hơn «{total.name_vi}» ({_fmt(whole)}) "
                f"ở ô {inputs[total.code].cell}.",
                f"«{fld.name_en}» ({_fmt(part)}) exceeds «{total.name_en}» ({_fmt(whole)}) "
                f"in cell {inputs[total.code].cell}.",
                inputs[fld.code].cell, fld.code))
    return problems


def _fmt(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    return str(value).replace(".", ",")


def _as_float(value: object) -> float | None:
    if value is None:
        return None
    return float(value)  # bools become 1.0 / 0.0


def resolve_province(value: object, period: Period | None, where: Where, cell: str
                     ) -> Province | Problem:
    """Match the province cell through the registry, for the era of ``period``."""
    text = cell_text(value)
    if not text:
        return where.problem(Reason.PROVINCE, "Chưa ghi tên tỉnh/thành phố.",
                             "The province is missing.", cell, "province")
    try:
        return load_registry().match(text, period=period)
    except ProvinceMatchError as exc:
        return where.problem(Reason.PROVINCE, exc.message_vi, exc.message_en, cell, "province")


def resolve_period(value: object, where: Where, cell: str, today: date | None = None
                   ) -> Period | Problem:
    """Parse the period cell; refuse quarters that have not started or are implausibly old."""
    text = cell_text(value)
    today = today or date.today()
    try:
        period = Period.parse(text)
    except PeriodError:
        return where.problem(
            Reason.PERIOD, f"Kỳ báo cáo «{text}» không hợp lệ. Ghi theo dạng 2024-Q3.",
            f"Reporting period «{text}» is not valid. Write it like 2024-Q3.", cell, "period")
    if period > Period.containing(today) or period < EARLIEST_PERIOD:
        return where.problem(
            Reason.PERIOD,
            f"Kỳ báo cáo {period} nằm ngoài khoảng cho phép ({EARLIEST_PERIOD} đến quý hiện tại).",
            f"Reporting period {period} is outside the accepted range ({EARLIEST_PERIOD} to "
            "the current quarter).", cell, "period")
    return period
