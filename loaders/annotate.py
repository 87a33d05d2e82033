"""A copy of an uploaded workbook with each problem cell highlighted and commented.

Only ``.xlsx``/``.xlsm`` files can be written back (openpyxl); the copy is always ``.xlsx``
(macros are not kept). ``.xls`` and ``.ods`` files get no copy: no library here writes those
formats without losing the officer's formatting, and the problems table names every cell.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import PurePath

from openpyxl import load_workbook
from openpyxl.cell.cell import MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from dxboard.errors import Problem

ANNOTATABLE = (".xlsx", ".xlsm")
FILLS = {
    "error": PatternFill("solid", start_color="FFF4B6B6", end_color="FFF4B6B6"),
    "warning": PatternFill("solid", start_color="FFFFE699", end_color="FFFFE699"),
}
AUTHOR = "dxboard"


def can_annotate(file_name: str) -> bool:
    return PurePath(file_name).suffix.lower() in ANNOTATABLE


def annotated_name(file_name: str, suffix: str) -> str:
    """``bao_cao.xls`` → ``bao_cao_<suffix>.xlsx``."""
    return f"{PurePath(file_name).stem}_{suffix}.xlsx"


def annotate(data: bytes, problems: Iterable[Problem], lang: str) -> bytes | None:
    """The workbook ``data`` with every problem that names a cell filled (red: error, yellow:
    warning) and commented with its message in ``lang``; None when no problem names a cell of
    the workbook."""
    wb = load_workbook(io.BytesIO(data), data_only=False)
    notes: dict[tuple[str, str], list[Problem]] = {}
    for p in problems:
        if p.sheet in wb.sheetnames and p.cell:
            notes.setdefault((p.sheet, p.cell), []).append(p)
    if not notes:
        return None
    for (sheet, cell), found in notes.items():
        target = wb[sheet][cell]
        if isinstance(target, MergedCell):  # inside a merged range: mark its first cell
            target = wb[sheet].cell(*_merged_origin(wb[sheet], target))
        severity = "error" if any(p.severity == "error" for p in found) else "warning"
        target.fill = FILLS[severity]
        text = "\n".join(p.message(lang) for p in found)
        target.comment = Comment(text, AUTHOR, width=320, height=120)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _merged_origin(sheet: Worksheet, cell: MergedCell) -> tuple[int, int]:
    """Row and column of the top-left cell of the merged range holding ``cell``."""
    for merged in sheet.merged_cells.ranges:
        if cell.coordinate in merged:
            return merged.min_row, merged.min_col
    return int(cell.row or 1), int(cell.column or 1)
