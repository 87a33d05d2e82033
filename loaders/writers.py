"""Spreadsheets written for people: exports that are safe to open in Excel, and national bulk
tables (demo data, tests).

Exports: a text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
prefixed with an apostrophe (OWASP "CSV injection"); numbers are left as numbers.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd
from openpyxl import Workbook

from dxboard.catalogue import Catalogue, load_catalogue

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    if isinstance(value, str) and value.startswith(_TRIGGERS):
        return "'" + value
    return value


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells (and column names) cannot start a formula."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise)
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """UTF-8 with BOM so Excel shows Vietnamese correctly."""
    return safe_frame(df).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def to_xlsx_bytes(df: pd.DataFrame, sheet: str = "data") -> bytes:
    buf = io.BytesIO()
    safe_frame(df).to_excel(buf, index=False, sheet_name=sheet, engine="openpyxl")
    return buf.getvalue()


def write_frame(df: pd.DataFrame, path: Path, fmt: str) -> None:
    path.write_bytes(to_xlsx_bytes(df) if fmt == "xlsx" else to_csv_bytes(df))


# --------------------------------------------------------------------------- bulk tables

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
