"""Writing a national bulk table (.xlsx) from rows of field values: for demo data and exports."""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping

from openpyxl import Workbook

from dxboard.catalogue import Catalogue, load_catalogue

SHEET = "Dữ liệu"


def bulk_columns(catalogue: Catalogue | None = None) -> list[str]:
    catalogue = catalogue or load_catalogue()
    return ["province", "period", *catalogue.field_codes]


def write_bulk(rows: Iterable[Mapping[str, object]], catalogue: Catalogue | None = None) -> bytes:
    """An .xlsx with a header of field codes and one row per mapping (missing keys blank).

    Yes/no values may be given as bool or 1/0; they are written as Có/Không.
    """
    catalogue = catalogue or load_catalogue()
    kinds = {f.code: f.kind for f in catalogue.fields}
    columns = bulk_columns(catalogue)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(SHEET)
    ws.append(columns)
    for row in rows:
        ws.append([_cell(row.get(c), kinds.get(c)) for c in columns])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _cell(value: object, kind: str | None) -> object:
    if value is None:
        return None
    if kind == "bool":
        return "Có" if bool(value) else "Không"
    return value
