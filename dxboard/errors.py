"""One kind of user error: a reason code, parameters, and a message in Vietnamese and English.

:class:`UserError` is what every layer raises for a mistake or refusal a person can act on (a
bad file, a locked account, a busy database); :class:`Problem` is the same information as a
record, placed in a file (sheet, cell, field), as validation collects many at once. Both render
their message from the translation table (``msg.<key>``, the key defaulting to the reason code),
so no text is written in code. Reason codes are stable for scripts (``--json``) and are listed,
with a title each (``reason.<code>``), in the README.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from dxboard.i18n import DEFAULT_LANG, t


class Reason(StrEnum):
    """Reason codes, stable for scripts and tests (titles in ``data/i18n/reasons.toml``)."""

    # the file as a whole
    EMPTY_FILE = "empty_file"
    FILE_TOO_LARGE = "file_too_large"
    UNKNOWN_FORMAT = "unknown_format"
    DAMAGED_FILE = "damaged_file"
    UNREADABLE = "unreadable_file"
    PASSWORD_PROTECTED = "password_protected"
    ZIP_BOMB = "zip_bomb"
    UNSAFE_XML = "unsafe_xml"
    UNSAFE_CONTAINER = "unsafe_container"
    TOO_MANY_SHEETS = "too_many_sheets"
    SHEET_TOO_LARGE = "sheet_too_large"
    MACROS = "macros"
    EXTERNAL_LINKS = "external_links"
    HIDDEN_CHARACTERS = "hidden_characters"
    TEXT_CUT = "text_cut"
    # the layout of a template or bulk table
    MISSING_SHEET = "missing_sheet"
    UNKNOWN_LAYOUT = "unknown_layout"
    TEMPLATE_VERSION = "template_version"
    MISSING_ROW = "missing_row"
    DUPLICATE_ROW = "duplicate_row"
    UNKNOWN_COLUMN = "unknown_column"
    MERGED_CELL = "merged_cell"
    FRAMEWORK = "framework"
    # who and when
    PROVINCE = "province"
    PERIOD = "period"
    # values
    FORMULA = "formula_without_value"
    FORMULA_ERROR = "formula_error"
    PERCENT_FORMAT = "percent_format"
    REQUIRED = "required"
    BLANK = "blank"
    NOT_A_NUMBER = "not_a_number"
    AMBIGUOUS_NUMBER = "ambiguous_number"
    NOT_WHOLE = "not_whole"
    NEGATIVE = "negative"
    NOT_YES_NO = "not_yes_no"
    BAD_DATE = "bad_date"
    PART_EXCEEDS_WHOLE = "part_exceeds_whole"
    YES_TO_NO = "yes_to_no"
    DUPLICATE_REPORT = "duplicate_report"
    # reference tables (the published DTI)
    SCORE_RANGE = "score_range"
    REFERENCE_YEAR = "reference_year"
    REFERENCE_BASIS = "reference_basis"
    # the outcome of a load
    SAME_FILE = "same_file"
    REPLACED_SINCE = "replaced_since"
    # rights
    ROLE = "role"
    ACCOUNT_DISABLED = "account_disabled"
    NOT_YOUR_PROVINCE = "not_your_province"
    # accounts and sign-in
    BAD_LOGIN = "bad_login"
    RATE_LIMITED = "rate_limited"
    BAD_CLAIM = "bad_claim"
    ACCOUNT = "account"
    PASSWORD_RULES = "password_rules"
    # store, restore, backup, command line
    STORE_BUSY = "store_busy"
    STORE_UNREACHABLE = "store_unreachable"
    UNKNOWN_SUBMISSION = "unknown_submission"
    BACKUP = "backup"
    USAGE = "usage"


class Bilingual:
    """``message_vi`` and ``message_en`` of a thing that renders ``message(lang)``."""

    def message(self, lang: str = DEFAULT_LANG) -> str:
        raise NotImplementedError

    @property
    def message_vi(self) -> str:
        return self.message("vi")

    @property
    def message_en(self) -> str:
        return self.message("en")


class UserError(Bilingual, Exception):
    """A mistake or refusal a person can act on.

    ``reason``: the stable code; ``key``: the message in the translation table (``msg.<key>``,
    default the reason code) for reasons worded several ways; ``params``: the message's
    placeholders (JSON-serialisable).
    """

    def __init__(self, reason: Reason | str, key: str | None = None, /, **params: Any) -> None:
        self.reason = Reason(reason)
        self.key = key or self.reason.value
        self.params = params
        super().__init__(self.message(DEFAULT_LANG))

    def message(self, lang: str = DEFAULT_LANG) -> str:
        return render(self.key, lang, self.params)

    def problem(
        self,
        file: str = "",
        sheet: str = "",
        cell: str = "",
        field: str = "",
        severity: Literal["error", "warning"] = "error",
    ) -> Problem:
        """This error as a :class:`Problem` placed in a file."""
        return Problem(
            file=file,
            sheet=sheet,
            cell=cell,
            field=field,
            reason=self.reason,
            severity=severity,
            key=self.key,
            params=self.params,
        )


def render(key: str, lang: str, params: dict[str, Any]) -> str:
    """The message ``msg.<key>`` in ``lang``."""
    return t(f"msg.{key}", lang, **params)


class Problem(Bilingual, BaseModel):
    """One problem in a file. ``severity='error'`` rejects the file; warnings are shown only.

    :meth:`record` adds its messages in both languages to its fields, for ``--json`` and the
    upload log."""

    model_config = ConfigDict(frozen=True)

    file: str
    sheet: str = ""
    cell: str = ""
    field: str = ""
    reason: Reason
    severity: Literal["error", "warning"] = "error"
    key: str = ""
    params: dict[str, Any] = Field(default_factory=dict)

    def message(self, lang: str = DEFAULT_LANG) -> str:
        return render(self.key or self.reason.value, lang, self.params)

    def record(self) -> dict[str, Any]:
        """The problem as JSON-ready data, with its messages in both languages."""
        return {
            **self.model_dump(mode="json"),
            "message_vi": self.message_vi,
            "message_en": self.message_en,
        }

    @property
    def where(self) -> str:
        """``Báo cáo!D14`` style reference (sheet alone, or empty, when no cell applies)."""
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        return self.sheet

    def line(self, lang: str = DEFAULT_LANG) -> str:
        """One line for terminals and logs."""
        parts = [self.file, self.where, self.field, self.message(lang)]
        return " | ".join(p for p in parts if p)
