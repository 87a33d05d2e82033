"""Validation problems: one record per problem, with where it is and what to do, in vi and en."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict


class Reason(StrEnum):
    """Reason codes, stable for scripts (``--json``) and tests."""

    EMPTY_FILE = "empty_file"
    UNREADABLE = "unreadable_file"
    UNKNOWN_FORMAT = "unknown_format"
    MISSING_SHEET = "missing_sheet"
    UNKNOWN_LAYOUT = "unknown_layout"
    TEMPLATE_VERSION = "template_version"
    PROVINCE = "province"
    PERIOD = "period"
    MISSING_ROW = "missing_row"
    DUPLICATE_ROW = "duplicate_row"
    UNKNOWN_COLUMN = "unknown_column"
    DUPLICATE_REPORT = "duplicate_report"
    MERGED_CELL = "merged_cell"
    FORMULA = "formula_without_value"
    REQUIRED = "required"
    NOT_A_NUMBER = "not_a_number"
    AMBIGUOUS_NUMBER = "ambiguous_number"
    NOT_WHOLE = "not_whole"
    NEGATIVE = "negative"
    NOT_YES_NO = "not_yes_no"
    PART_EXCEEDS_WHOLE = "part_exceeds_whole"
    BAD_DATE = "bad_date"
    BLANK = "blank"
    YES_TO_NO = "yes_to_no"


class Problem(BaseModel):
    """One problem in a file. ``severity='error'`` rejects the file; warnings are shown only."""

    model_config = ConfigDict(frozen=True)

    file: str
    sheet: str = ""
    cell: str = ""
    field: str = ""
    reason: Reason
    severity: Literal["error", "warning"] = "error"
    message_vi: str
    message_en: str

    @property
    def where(self) -> str:
        """``Báo cáo!D14`` style reference (sheet alone, or empty, when no cell applies)."""
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        return self.sheet

    def message(self, lang: str = "vi") -> str:
        return self.message_vi if lang == "vi" else self.message_en

    def line(self, lang: str = "vi") -> str:
        """One line for terminals and logs."""
        parts = [self.file, self.where, self.field, self.message(lang)]
        return " | ".join(p for p in parts if p)


def col_letter(index: int) -> str:
    """0-based column index → Excel letters (0 → A, 27 → AB)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def cell_ref(row: int, col: int) -> str:
    """0-based row and column → ``D14``."""
    return f"{col_letter(col)}{row + 1}"
