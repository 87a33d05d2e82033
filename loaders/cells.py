"""Turning cell values into field values, by one documented rule per kind.

Numbers
- A numeric cell is taken as it is.
- Text is read in Vietnamese format: ``.`` separates thousands (groups of three), ``,`` marks the
  decimals: ``1.234.567`` → 1234567, ``12,5`` → 12.5, ``1.234,5`` → 1234.5.
- Text that reads two ways is refused: ``1,234`` (Vietnamese 1.234 or English 1234) and, for a
  decimal field, ``1.234`` (Vietnamese 1234 or English 1.234). ``12.5`` is refused too: in
  Vietnamese the decimal mark is the comma. The message says how to write the number.
Yes/no
- Có, Không, Yes, No, X (yes), 1, 0, and a logical TRUE/FALSE cell; any case, with or without
  diacritics. Anything else is refused. A blank cell is "not reported", never "no".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from dxboard.errors import Reason
from dxboard.textnorm import fold

_YES = {"co", "yes", "x", "1", "y"}
_NO = {"khong", "no", "0", "k"}
_SPACE = re.compile(r"[\s\u00a0\u202f\u2009']+")
_INT = re.compile(r"^-?\d+$")
_VN_THOUSANDS = re.compile(r"^-?\d{1,3}(\.\d{3})+(,\d+)?$")
_VN_DECIMAL = re.compile(r"^-?\d+,\d+$")


@dataclass(frozen=True)
class CellError:
    """Why a cell could not be read: a reason, its message key and parameters (returned, not
    raised: a bulk table reads millions of cells)."""

    reason: Reason
    key: str
    params: dict[str, Any] = field(default_factory=dict)


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_bool(value: object) -> bool | CellError:
    """Read a yes/no cell."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    text = fold(str(value)).strip(" .")
    if text in _YES:
        return True
    if text in _NO:
        return False
    return CellError(Reason.NOT_YES_NO, "not_yes_no", {"value": cell_text(value)})


def parse_number(value: object, whole: bool) -> float | CellError:
    """Read a number cell; ``whole`` for counts (refuses fractions)."""
    if isinstance(value, bool):
        return _not_a_number(value, whole)
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str):
        number_or_error = _parse_text_number(value, whole)
        if isinstance(number_or_error, CellError):
            return number_or_error
        number = number_or_error
    else:
        return _not_a_number(value, whole)
    if number != number or number in (float("inf"), float("-inf")):
        return _not_a_number(value, whole)
    if whole and not number.is_integer():
        return CellError(Reason.NOT_WHOLE, "not_whole", {"value": cell_text(value)})
    return number


def _parse_text_number(raw: str, whole: bool) -> float | CellError:
    text = _SPACE.sub("", raw.strip())
    if _INT.match(text):
        return float(text)
    if _VN_THOUSANDS.match(text):
        if text.count(".") == 1 and "," not in text and not whole:
            return _ambiguous(raw, text.replace(".", ""), text.replace(".", ","))
        return float(text.replace(".", "").replace(",", "."))
    if _VN_DECIMAL.match(text):
        tail = text.split(",")[1]
        if len(tail) == 3:
            return _ambiguous(raw, text.replace(",", ""), text)
        return float(text.replace(",", "."))
    if re.match(r"^-?\d+\.\d+$", text):
        if whole:  # a count: no decimal example to give
            return CellError(Reason.NOT_WHOLE, "not_whole", {"value": raw})
        return CellError(
            Reason.AMBIGUOUS_NUMBER,
            "decimal_point",
            {"value": raw, "example": text.replace(".", ",")},
        )
    return _not_a_number(raw, whole)


def _ambiguous(raw: str, as_thousands: str, as_decimal: str) -> CellError:
    """``raw`` reads as ``as_thousands`` or as the decimal ``as_decimal`` (digits and a comma)."""
    thousands = float(as_thousands)
    decimal = float(as_decimal.replace(",", "."))
    return CellError(
        Reason.AMBIGUOUS_NUMBER,
        "ambiguous_number",
        {"value": raw, "thousands": thousands, "decimal": decimal},
    )


def _not_a_number(value: object, whole: bool) -> CellError:
    """The example in the message is of the field's kind: a whole number for counts."""
    key = "not_a_number_count" if whole else "not_a_number"
    return CellError(Reason.NOT_A_NUMBER, key, {"value": cell_text(value)})


def parse_date(value: object) -> date | CellError:
    """Read a date cell or ``dd/mm/yyyy`` text."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for fmt in ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return CellError(Reason.BAD_DATE, "bad_date", {"value": cell_text(value)})


def cell_text(value: object) -> str:
    """A cell as display text (whole floats without ``.0``)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
