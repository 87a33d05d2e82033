"""Loading a published reference table (the ministry's DTI) from CSV or a spreadsheet.

The columns are those of ``data/reference/dti_published.csv``: ``year, provinces, rank,
province_code, province_as_published, pdti``, the eight main indices and ``source``. Every row
is checked — the year (four digits), the province list (``63``: a province of before the 2025
merger and its legacy code; ``34``: a current province and code, for years from 2024), the
name matched through the registry and agreeing with the code, scores between 0 and 1, the rank
a whole number, no province twice in a year and list — and any error rejects the whole file,
writing nothing. A file whose tables equal the current ones changes nothing; a changed table is
a new version, the old one kept and restorable (:func:`restore_reference`).

Numbers in a CSV are read as written by machines (``0.8002``) or in Vietnamese format (``0,8002``);
spreadsheet cells as in any upload.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from dxboard.errors import Problem, Reason, UserError
from dxboard.registry import ProvinceMatchError, Registry, load_registry, normalise_code
from dxboard.store import Store
from dxboard.store import reference as db
from loaders.cells import CellError, cell_text, is_blank, parse_number
from loaders.readers import WorkbookError, max_file_bytes, open_workbook
from loaders.readers.text import cell_ref

DATASET = "dti"
BUNDLED = Path(__file__).resolve().parent.parent / "data" / "reference" / "dti_published.csv"
"""The published DTI 2022–2024 shipped with the program (source in ``data/README.md``)."""
COLUMNS = (
    "year",
    "provinces",
    "rank",
    "province_code",
    "province_as_published",
    "pdti",
    *db.INDEX_COLUMNS,
    "source",
)
ERA = {63: "legacy", 34: "current"}
FIRST_CURRENT_YEAR = 2024
"""The first year published on the 34-province list (the 2024 re-ranking)."""
LAST_LEGACY_YEAR = 2024
_MACHINE_NUMBER = re.compile(r"^\s*-?\d+(\.\d+)?\s*$")


@dataclass
class ReferenceResult:
    """The outcome of a load: ``accepted`` (something changed), ``duplicate`` (the tables equal
    the current ones) or ``rejected`` (``problems`` say why; nothing was written)."""

    file_name: str
    status: str
    problems: list[Problem] = field(default_factory=list)
    tables: list[str] = field(default_factory=list)
    """The tables (``2024/63``) of the file that changed."""
    upload_id: int | None = None


@dataclass
class _Row:
    line: int  # 0-based row in the sheet
    values: dict[str, Any]


class _Checker:
    """Validation of the rows of one file, collecting problems with their cell."""

    def __init__(self, file_name: str, sheet: str, columns: dict[str, int]) -> None:
        self.file, self.sheet, self.columns = file_name, sheet, columns
        self.problems: list[Problem] = []
        self.registry: Registry = load_registry()

    def fail(self, line: int, column: str, error: UserError | CellError) -> None:
        cell = cell_ref(line, self.columns[column])
        if isinstance(error, CellError):
            error = UserError(error.reason, error.key, **error.params)
        self.problems.append(error.problem(self.file, self.sheet, cell, column))

    def number(self, row: _Row, column: str, whole: bool = False) -> float | None:
        value = row.values.get(column)
        if is_blank(value):
            return None
        if isinstance(value, str) and _MACHINE_NUMBER.match(value):
            value = float(value)
        number = parse_number(value, whole)
        if isinstance(number, CellError):
            self.fail(row.line, column, number)
            return None
        return number

    def score(self, row: _Row, column: str, required: bool) -> float | None:
        if required and is_blank(row.values.get(column)):
            self.fail(row.line, column, UserError(Reason.REQUIRED, "reference_required"))
            return None
        value = self.number(row, column)
        if value is not None and not 0 <= value <= 1:
            text = cell_text(row.values.get(column))
            self.fail(row.line, column, UserError(Reason.SCORE_RANGE, value=text))
            return None
        return value

    def year_and_list(self, row: _Row) -> tuple[int, int] | None:
        year = self.number(row, "year", whole=True)
        provinces = self.number(row, "provinces", whole=True)
        if year is None or not 2000 <= year <= 2100:
            if not self._failed(row, "year"):
                text = cell_text(row.values.get("year"))
                self.fail(row.line, "year", UserError(Reason.REFERENCE_YEAR, value=text))
            return None
        if provinces not in ERA:
            text = cell_text(row.values.get("provinces"))
            self.fail(row.line, "provinces", UserError(Reason.REFERENCE_BASIS, value=text))
            return None
        year_, listed = int(year), int(provinces)
        if (listed == 63 and year_ > LAST_LEGACY_YEAR) or (
            listed == 34 and year_ < FIRST_CURRENT_YEAR
        ):
            error = UserError(Reason.REFERENCE_BASIS, "reference_list_year", year=year_, n=listed)
            self.fail(row.line, "provinces", error)
            return None
        return year_, listed

    def _failed(self, row: _Row, column: str) -> bool:
        cell = cell_ref(row.line, self.columns[column])
        return any(p.cell == cell for p in self.problems)

    def province(self, row: _Row, listed: int) -> str | None:
        """The province's code in its era, matched by name and agreeing with the code given."""
        era = ERA[listed]
        name = cell_text(row.values.get("province_as_published"))
        try:
            province = self.registry.match(name, era=era)
        except ProvinceMatchError as exc:
            self.fail(row.line, "province_as_published", exc)
            return None
        code = cell_text(row.values.get("province_code"))
        try:
            same = normalise_code(code) == province.code
        except KeyError:
            same = False
        if not same:
            error = UserError(
                Reason.REFERENCE_BASIS,
                "reference_code",
                value=code,
                name=province.name,
                code=province.code,
                n=listed,
            )
            self.fail(row.line, "province_code", error)
            return None
        return province.code


def read_table(data: bytes, file_name: str) -> tuple[str, list[list[Any]]]:
    """(sheet label, rows) of a CSV or spreadsheet file; :class:`WorkbookError` or
    ``UserError`` when it cannot be read."""
    if not data:
        raise UserError(Reason.EMPTY_FILE)
    if file_name.lower().endswith((".csv", ".txt")):
        if len(data) > max_file_bytes():  # the limit of every upload (spreadsheets: the reader)
            raise UserError(Reason.FILE_TOO_LARGE, size=len(data), limit=max_file_bytes())
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise UserError(Reason.UNREADABLE, "reference_encoding") from None
        return "CSV", [list(r) for r in csv.reader(io.StringIO(text))]
    book = open_workbook(data, file_name)
    name = book.sheet_names[0]
    return name, book.sheet(name).rows


def check_reference(data: bytes, file_name: str) -> tuple[dict[db.TableKey, list], list[Problem]]:
    """The file's tables (key → score rows in ``SCORE_COLUMNS`` order without the version id)
    and its problems; any problem means no tables."""
    try:
        sheet, rows = read_table(data, file_name)
    except (WorkbookError, UserError) as exc:
        return {}, [exc.problem(file_name)]
    rows = [r for r in rows if any(not is_blank(v) for v in r)]
    if not rows:
        return {}, [UserError(Reason.EMPTY_FILE).problem(file_name)]
    header = {cell_text(v).strip().lower(): i for i, v in enumerate(rows[0])}
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        error = UserError(Reason.UNKNOWN_LAYOUT, "reference_columns", missing=", ".join(missing))
        return {}, [error.problem(file_name, sheet, "A1")]
    checker = _Checker(file_name, sheet, header)
    tables = _check_rows(checker, rows)
    return ({} if checker.problems else tables), checker.problems


def _check_rows(checker: _Checker, rows: list[list[Any]]) -> dict[db.TableKey, list]:
    tables: dict[db.TableKey, list] = {}
    seen: dict[tuple[int, int, str], int] = {}
    for line, raw in enumerate(rows[1:], start=1):
        values = {c: raw[i] if i < len(raw) else None for c, i in checker.columns.items()}
        row = _Row(line, values)
        key = checker.year_and_list(row)
        code = checker.province(row, key[1]) if key else None
        scores = [checker.score(row, "pdti", True)]
        scores += [checker.score(row, c, False) for c in db.INDEX_COLUMNS]
        rank = checker.number(row, "rank", whole=True)
        if rank is None and not checker._failed(row, "rank"):
            checker.fail(line, "rank", UserError(Reason.REQUIRED, "reference_required"))
        if key is None or code is None or rank is None or scores[0] is None:
            continue
        first = seen.setdefault((*key, code), line)
        if first != line:
            error = UserError(
                Reason.DUPLICATE_ROW, "reference_duplicate", code=code, year=key[0], first=first + 1
            )
            checker.fail(line, "province_code", error)
            continue
        name = cell_text(values["province_as_published"])
        source = cell_text(values["source"])
        tables.setdefault(key, []).append(
            (ERA[key[1]], code, name, int(rank), *scores, True, source)
        )
    return tables


def table_hash(rows: list[tuple[Any, ...]]) -> str:
    """The content of one table, independent of row order."""
    text = json.dumps(sorted(rows, key=lambda r: r[1]), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def load_reference(
    store: Store, data: bytes, file_name: str, actor: str = "cli", dataset: str = DATASET
) -> ReferenceResult:
    """Validate and store a reference file; nothing is written when it has any problem or
    when its tables equal the current ones."""
    tables, problems = check_reference(data, file_name)
    if problems:
        return ReferenceResult(file_name, "rejected", problems)
    with store.write() as cur:
        plan = _plan(db.table_versions(cur, dataset), tables, dataset, file_name, data, actor)
        upload_id = db.write_plan(cur, plan)
    changed = sorted({*plan.new, *plan.reactivate})
    status = "accepted" if upload_id is not None else "duplicate"
    return ReferenceResult(file_name, status, [], [f"{y}/{n}" for y, n in changed], upload_id)


def _plan(
    stored: dict[db.TableKey, list[db.TableVersion]],
    tables: dict[db.TableKey, list],
    dataset: str,
    file_name: str,
    data: bytes,
    actor: str,
) -> db.ReferencePlan:
    """New versions for the changed tables; an earlier version with the same content is made
    current again rather than copied."""
    sha = hashlib.sha256(data).hexdigest()
    plan = db.ReferencePlan(dataset, file_name, sha, actor, datetime.now())
    for key, rows in tables.items():
        chash = table_hash(rows)
        versions = stored.get(key, [])
        if any(v.status == "accepted" and v.content_hash == chash for v in versions):
            continue
        earlier = [v.version_id for v in versions if v.content_hash == chash]
        if earlier:
            plan.reactivate[key] = earlier[0]
        else:
            plan.new[key] = (chash, rows)
    return plan


def ensure_reference(store: Store) -> ReferenceResult | None:
    """Load the bundled DTI table unless these exact bytes were loaded before (``dxboard init``
    and the app's first start); the result, or None when nothing was to be done."""
    data = BUNDLED.read_bytes()
    if db.loaded_sha(store, hashlib.sha256(data).hexdigest(), DATASET):
        return None
    return load_reference(store, data, BUNDLED.name, actor="system")


def restore_reference(store: Store, version_id: int, actor: str = "cli") -> int | None:
    """Make an earlier version of a table current again; the version it replaced."""
    with store.write() as cur:
        if db.version_status(cur, version_id) is None:
            raise UserError(Reason.UNKNOWN_SUBMISSION, "reference_unknown", version=version_id)
        return db.make_current(cur, version_id, actor)
