"""The one error a reader raises for a file it cannot read safely, placed in the file."""

from __future__ import annotations

from typing import Any, Literal, NoReturn

from dxboard.errors import Problem, Reason, UserError


class WorkbookError(UserError):
    """A file that cannot be read safely. ``sheet`` and ``cell`` parameters, when given, are
    both shown in the message and used to place the problem; ``file`` is set on the way out."""

    def __init__(self, reason: Reason | str, key: str | None = None, /, **params: Any) -> None:
        super().__init__(reason, key, **params)
        self.file = ""

    def problem(
        self,
        file: str = "",
        sheet: str = "",
        cell: str = "",
        field: str = "",
        severity: Literal["error", "warning"] = "error",
    ) -> Problem:
        """This error as a :class:`Problem` in its file, sheet and cell (unless given)."""
        return super().problem(
            file or self.file,
            sheet or str(self.params.get("sheet", "")),
            cell or str(self.params.get("cell", "")),
            field,
            severity,
        )


def damaged(part: str = "", sheet: str = "") -> WorkbookError:
    """A truncated or corrupt file, part (zip member) or sheet."""
    if sheet:
        return WorkbookError(Reason.DAMAGED_FILE, "damaged_sheet", sheet=sheet, part=part)
    if part:
        return WorkbookError(Reason.DAMAGED_FILE, "damaged_part", part=part)
    return WorkbookError(Reason.DAMAGED_FILE)


def password_protected() -> WorkbookError:
    return WorkbookError(Reason.PASSWORD_PROTECTED)


def unsafe_dtd(*_args: object) -> NoReturn:
    """Refuse a DTD or entity declaration (an expat handler, or called directly)."""
    raise WorkbookError(Reason.UNSAFE_XML, "xml_dtd")


def too_deep(limit: int) -> WorkbookError:
    return WorkbookError(Reason.UNSAFE_XML, "xml_too_deep", limit=limit)
