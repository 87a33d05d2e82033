"""Spreadsheets written for people: exports that are safe to open in Excel, and national bulk
tables (demo data, tests).

Exports: a text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
prefixed with an apostrophe (OWASP "CSV injection"); numbers are left as numbers.

Excel files: the data sheet first, its header row frozen, columns sized to their content
(``MIN_WIDTH``–``MAX_WIDTH`` characters), dates as real Excel dates (``dd/mm/yyyy``), and an
optional second sheet ``metadata`` of (label, value) rows (what the data is, where it comes
from, when it was produced). CSV: UTF-8 with BOM, ``,`` separated with ``.`` decimals, or for
Vietnamese Excel (``vietnamese=True``) ``;`` separated with ``,`` decimals.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from dxboard.catalogue import Catalogue, load_catalogue

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
META_SHEET = "metadata"
MIN_WIDTH, MAX_WIDTH = 8, 60
DATE_FORMAT = "dd/mm/yyyy"


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


def to_csv_bytes(df: pd.DataFrame, vietnamese: bool = False) -> bytes:
    """UTF-8 with BOM so Excel shows Vietnamese correctly; ``vietnamese``: ``;`` between
    fields and ``,`` as the decimal mark, as Excel set to Vietnamese reads them."""
    sep, decimal = (";", ",") if vietnamese else (",", ".")
    text = safe_frame(df).to_csv(index=False, lineterminator="\r\n", sep=sep, decimal=decimal)
    return text.encode("utf-8-sig")


def to_xlsx_bytes(
    df: pd.DataFrame, sheet: str = "data", metadata: Sequence[tuple[str, str]] | None = None
) -> bytes:
    """The frame as an Excel workbook (see the module docstring), with a ``metadata`` sheet
    when ``metadata`` is given."""
    buf = io.BytesIO()
    frame = _with_dates(safe_frame(df))
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        frame.to_excel(writer, index=False, sheet_name=sheet)
        _dress(writer.sheets[sheet], frame)
        if metadata is not None:
            meta = safe_frame(pd.DataFrame(list(metadata), columns=["field", "value"]))
            meta.to_excel(writer, index=False, header=False, sheet_name=META_SHEET)
            _dress(writer.sheets[META_SHEET], meta, header=False)
    return buf.getvalue()


def _with_dates(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns of dates (``date``/``datetime`` objects, timezone dropped) as datetimes, which
    Excel stores as dates."""
    out = frame.copy()
    for col in out.columns:
        values = out[col].dropna()
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            if getattr(out[col].dt, "tz", None) is not None:
                out[col] = out[col].dt.tz_localize(None)
        elif len(values) and all(isinstance(v, date) for v in values):
            naive = [v.replace(tzinfo=None) if isinstance(v, datetime) else v for v in values]
            out.loc[values.index, col] = naive
            out[col] = pd.to_datetime(out[col])
    return out


def _dress(ws: Worksheet, frame: pd.DataFrame, header: bool = True) -> None:
    """Frozen header, widths from the content, date format on date columns."""
    if header:
        ws.freeze_panes = "A2"
    for j, col in enumerate(frame.columns, start=1):
        texts = [str(col)] if header else []
        texts += [_shown(v) for v in frame[col].head(500)]
        width = max((len(x) for x in texts), default=MIN_WIDTH) + 2
        ws.column_dimensions[get_column_letter(j)].width = min(max(width, MIN_WIDTH), MAX_WIDTH)
        if pd.api.types.is_datetime64_any_dtype(frame[col]):
            for cell in ws.iter_rows(min_row=2, min_col=j, max_col=j):
                cell[0].number_format = DATE_FORMAT


def _shown(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, date | pd.Timestamp):
        return "00/00/0000"
    return str(value)


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
