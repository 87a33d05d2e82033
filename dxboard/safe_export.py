"""Exports that are safe to open in Excel: no cell is read as a formula.

A text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is prefixed with
an apostrophe (OWASP "CSV injection"). Numbers are left as numbers.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

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
