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
from dataclasses import dataclass
from datetime import date, datetime

from dxboard.textnorm import fold
from loaders.problems import Reason

_YES = {"co", "yes", "x", "1", "y"}
_NO = {"khong", "no", "0", "k"}
_SPACE = re.compile(r"[\s\u00a0\u202f\u2009']+")
_INT = re.compile(r"^-?\d+$")
_VN_THOUSANDS = re.compile(r"^-?\d{1,3}(\.\d{3})+(,\d+)?$")
_VN_DECIMAL = re.compile(r"^-?\d+,\d+$")


@dataclass(frozen=True)
class CellError:
    """Why a cell could not be read, and how to fix it (vi, en)."""

    reason: Reason
    message_vi: str
    message_en: str


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
    return CellError(
        Reason.NOT_YES_NO,
        f"«{value}» không phải Có/Không. Chọn Có hoặc Không trong danh sách.",
        f"«{value}» is not yes/no. Choose Có (yes) or Không (no) from the list.",
    )


def parse_number(value: object, whole: bool) -> float | CellError:
    """Read a number cell; ``whole`` for counts (refuses fractions)."""
    if isinstance(value, bool):
        return _not_a_number(value)
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str):
        number_or_error = _parse_text_number(value, whole)
        if isinstance(number_or_error, CellError):
            return number_or_error
        number = number_or_error
    else:
        return _not_a_number(value)
    if number != number or number in (float("inf"), float("-inf")):
        return _not_a_number(value)
    if whole and not number.is_integer():
        return CellError(
            Reason.NOT_WHOLE,
            f"«{value}» phải là số nguyên (đây là số đếm).",
            f"«{value}» must be a whole number (this is a count).",
        )
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
        return CellError(
            Reason.AMBIGUOUS_NUMBER,
            f"«{raw}»: dùng dấu phẩy cho phần thập phân (ví dụ {text.replace('.', ',')}) "
            "hoặc nhập giá trị dạng số.",
            f"«{raw}»: use a comma for decimals (for example {text.replace('.', ',')}) "
            "or type the value as a number.",
        )
    return _not_a_number(raw)


def _ambiguous(raw: str, as_thousands: str, as_decimal: str) -> CellError:
    return CellError(
        Reason.AMBIGUOUS_NUMBER,
        f"«{raw}» có thể hiểu là {as_thousands} (hàng nghìn) hoặc {as_decimal} (thập phân). "
        "Hãy nhập giá trị dạng số, không phải văn bản.",
        f"«{raw}» could mean {as_thousands} (thousands) or {as_decimal.replace(',', '.')} "
        "(decimal). Type the value as a number, not as text.",
    )


def _not_a_number(value: object) -> CellError:
    return CellError(
        Reason.NOT_A_NUMBER,
        f"«{value}» không phải là số. Nhập một số (ví dụ 1234 hoặc 12,5).",
        f"«{value}» is not a number. Type a number (for example 1234 or 12,5).",
    )


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
    return CellError(
        Reason.BAD_DATE,
        f"«{value}» không phải ngày hợp lệ. Nhập theo dạng dd/mm/yyyy.",
        f"«{value}» is not a valid date. Use dd/mm/yyyy.",
    )


def cell_text(value: object) -> str:
    """A cell as display text (whole floats without ``.0``)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
