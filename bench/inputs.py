"""Generated inputs, cached under :data:`bench.common.CACHE` (never in the repository).

- :func:`templates`: filled province templates, built with ``loaders.template.build_template``
  and filled with openpyxl as a person would (varied, valid values: every "of which" within its
  total, evidence for each yes, a few optional cells left blank, a few notes);
- :func:`bulk_rows`, :func:`bulk_files`: national bulk tables written with
  ``loaders.writers.write_bulk``.

Generation is never timed. A cache folder is named by its parameters and a generator version, so
a change here makes new files.
"""

from __future__ import annotations

import io
import random
from datetime import date
from pathlib import Path

from bench.common import CACHE

GENERATOR_VERSION = 1
TODAY = date(2026, 11, 22)
"""The ``today`` given to ingest (so that the periods used are never in the future)."""
TEMPLATE_PERIODS = (
    "2023-Q1",
    "2023-Q2",
    "2023-Q3",
    "2023-Q4",
    "2024-Q1",
    "2024-Q2",
    "2024-Q3",
    "2024-Q4",
)


def _values(rng: random.Random, period_index: int, period: str) -> tuple[dict, dict, dict]:
    """(values, evidence, notes) for one report of ``period``: the fields of its framework
    version, valid, with a few optional blanks."""
    from dxboard.catalogue import load_catalogue

    catalogue = load_catalogue().version_for(period)
    totals = {
        "procedures_total": rng.randint(900, 2200),
        "dossiers_total": rng.randint(50_000, 900_000),
        "inspections_total": rng.randint(10, 120),
        "budget_total": round(rng.uniform(5_000, 90_000), 1),
        "adults": rng.randint(300_000, 6_000_000),
        "households": rng.randint(100_000, 2_500_000),
        "industrial_zones": rng.randint(0, 20),
        "communes": rng.randint(40, 300),
    }
    growth = 0.35 + 0.06 * period_index
    values: dict[str, object] = {}
    evidence: dict[str, tuple[str, date]] = {}
    for fld in catalogue.fields:
        if fld.kind == "bool":
            yes = rng.random() < 0.55 + 0.05 * period_index
            values[fld.code] = "Có" if yes else "Không"
            if yes:
                evidence[fld.code] = (
                    f"{rng.randint(10, 9999)}/QĐ-UBND",
                    date(2019 + rng.randint(0, 4), rng.randint(1, 12), rng.randint(1, 28)),
                )
        elif fld.part_of is None:
            values[fld.code] = totals[fld.code]
    for fld in catalogue.fields:
        if fld.part_of:
            whole = values[fld.part_of]
            share = min(1.0, growth * rng.uniform(0.6, 1.3))
            part = whole * share
            values[fld.code] = round(part, 1) if fld.kind == "amount" else int(part)
    for fld in catalogue.fields:
        if not fld.required and rng.random() < 0.04:
            values[fld.code] = None  # blank: a warning, never an error
    notes = {"budget_total": "Dự toán"} if rng.random() < 0.3 else {}
    return values, evidence, notes


def _fill(blank: bytes, values: dict, evidence: dict, notes: dict) -> bytes:
    from openpyxl import load_workbook

    from loaders.template import COLUMN_KEYS, REPORT_SHEET

    wb = load_workbook(io.BytesIO(blank))
    ws = wb[REPORT_SHEET]
    rows = {str(c.value): c.row for c in ws["A"] if c.value}
    col = COLUMN_KEYS
    for code, value in values.items():
        if value is not None:
            ws[f"{col['value']}{rows[code]}"] = value
    for code, note in notes.items():
        ws[f"{col['note']}{rows[code]}"] = note
    for code, (ref_no, ref_date) in evidence.items():
        ws[f"{col['ref_no']}{rows[code]}"] = ref_no
        ws[f"{col['ref_date']}{rows[code]}"] = ref_date
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def template_keys(count: int) -> list[tuple[str, str]]:
    """(province code, period) of ``count`` reports: legacy provinces × 8 quarters, the last few
    (province, quarter) pairs left out, as when some provinces have not reported yet."""
    from dxboard.registry import load_registry

    codes = [p.code for p in load_registry().provinces("legacy")]
    keys = [(code, period) for period in TEMPLATE_PERIODS for code in codes]
    if count > len(keys):
        raise ValueError(f"at most {len(keys)} templates")
    rng = random.Random(20261122)
    dropped = set(rng.sample(range(len(keys)), len(keys) - count))
    return [k for i, k in enumerate(keys) if i not in dropped]


def templates(count: int, log=print) -> Path:
    """A folder of ``count`` filled templates (``<code>_<period>.xlsx``), generated once."""
    from dxboard.catalogue import load_catalogue
    from dxboard.periods import Period
    from dxboard.registry import load_registry
    from loaders.template import build_template

    version = load_catalogue().version_for(TEMPLATE_PERIODS[-1]).template_version
    folder = CACHE / f"templates-g{GENERATOR_VERSION}-v{version}-{count}"
    done = folder / ".complete"
    if done.exists():
        return folder
    log(f"  generating {count} filled templates in {folder} (once; not timed)…")
    folder.mkdir(parents=True, exist_ok=True)
    registry = load_registry()
    for code, period in template_keys(count):
        index = TEMPLATE_PERIODS.index(period)
        rng = random.Random(f"{code}/{period}")
        blank = build_template(registry.get(code, "legacy"), Period.parse(period))
        data = _fill(blank, *_values(rng, index, period))
        (folder / f"{code}_{period}.xlsx").write_bytes(data)
    done.write_text("ok")
    return folder


def read_folder(folder: Path) -> list[tuple[str, bytes]]:
    return [(p.name, p.read_bytes()) for p in sorted(folder.glob("*.xlsx"))]


# --------------------------------------------------------------------------- bulk tables


def bulk_rows(
    periods: list[str], codes: list[str] | None = None, seed: int = 6322, repeat: int = 1
) -> list[dict[str, object]]:
    """Rows of a national bulk table: every legacy province × ``periods`` (× ``repeat``
    copies with different values, for the large table), every field valid."""
    from dxboard.catalogue import load_catalogue
    from dxboard.registry import load_registry

    catalogue = load_catalogue()
    codes = codes or [p.code for p in load_registry().provinces("legacy")]
    # (the fields of each period's framework version; the others stay blank)
    rng = random.Random(seed)
    rows = []
    for _ in range(repeat):
        for i, period in enumerate(periods):
            for code in codes:
                values, _, _ = _values(rng, min(i, 7), period)
                row: dict[str, object] = {"province": code, "period": period}
                for fld in catalogue.fields:
                    value = values.get(fld.code)
                    if fld.kind == "bool" and value is not None:
                        value = value == "Có"
                    row[fld.code] = value
                rows.append(row)
    return rows


def bulk_file(name: str, rows_fn, log=print) -> Path:
    """A bulk table file in the cache, written once from ``rows_fn()``."""
    from loaders.writers import write_bulk

    path = CACHE / f"bulk-g{GENERATOR_VERSION}" / name
    if path.exists():
        return path
    log(f"  writing {path} (once; not timed)…")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(write_bulk(rows_fn()))
    tmp.rename(path)
    return path
