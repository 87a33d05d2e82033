"""Section 2: historical bulk imports, each in a fresh process (time and peak RSS).

- the national table: 63 provinces × 22 quarters (2020-Q1…2025-Q2), one file, 1,386 rows;
- 100,000 rows. The reader refuses a sheet over 5,000 rows (``loaders.readers.limits.MAX_ROWS``, the
  hostile-file limit), and one table cannot hold a (province, quarter) twice, while there are
  only 2,646 legacy province-quarters from 2015-Q1. So the 100,000 rows are 40 tables of 2,500
  distinct province-quarters each, ingested by one ``ingest`` call: every province-quarter
  gets about 38 versions, each later file superseding the earlier one. The cap stays as it is;
  no parameter raises it (a larger table is split, as here).

Each run starts a new interpreter on a new database; the child reads the files one by one and
feeds them to ``loaders.ingest.ingest`` (the path of ``dxboard ingest``), keeping only each
file's status; it times the ingest itself (imports and opening the store excluded) and reports
its peak RSS (``ru_maxrss``); the wall time of the whole process is given too. The limit is
python-calamine reading the same sheets.
"""

from __future__ import annotations

import io
from pathlib import Path

from bench.common import Figure, Options, Section, fresh_db, run_python, scratch, time_runs
from bench.inputs import TODAY, bulk_file, bulk_rows

NATIONAL_PERIODS = [f"{y}-Q{q}" for y in range(2020, 2026) for q in range(1, 5)][:22]
BIG_FILES, BIG_ROWS_PER_FILE = 40, 2500

CHILD = """
import sys, time
from pathlib import Path
from datetime import date
from dxboard.store import Store
from loaders.ingest import ingest
db, files, workers = sys.argv[1], sys.argv[2].split(','), int(sys.argv[3])
store = Store(db)
items = ((Path(f).name, Path(f).read_bytes()) for f in files)  # read as the CLI reads
start = time.perf_counter()
bad, reports = [], 0
for r in ingest(store, items, actor='bench', dataset='historical',
                     today=date.fromisoformat(sys.argv[4]), workers=workers):
    bad += [r.file_name] if r.status != 'accepted' else []
    reports += len(r.reports)
seconds = time.perf_counter() - start
n = store.cursor().execute('SELECT count(*) FROM raw_values').fetchall()[0][0]
store.close()
RESULT = {'ingest_seconds': seconds, 'rejected': bad, 'values': n, 'reports': reports}
"""


def _period_keys() -> list[tuple[str, str]]:
    from dxboard.periods import period_range
    from dxboard.registry import load_registry

    codes = [p.code for p in load_registry().provinces("legacy")]
    return [(c, str(p)) for p in period_range("2015-Q1", "2025-Q2") for c in codes]


def big_files(n_files: int, rows_per_file: int, log=print) -> list[Path]:
    """``n_files`` bulk tables of ``rows_per_file`` distinct legacy province-quarters each."""
    import random

    keys = _period_keys()
    out = []
    for i in range(n_files):

        def rows(i: int = i) -> list[dict]:
            rng = random.Random(1000 + i)
            chosen = sorted(rng.sample(range(len(keys)), rows_per_file))
            table = []
            for j in chosen:
                code, period = keys[j]
                row = bulk_rows([period], [code], seed=i * 10_000 + j)[0]
                table.append(row)
            return table

        out.append(bulk_file(f"big_{n_files}x{rows_per_file}_{i:02d}.xlsx", rows, log=log))
    return out


def _calamine(files: list[Path]) -> None:
    import python_calamine as calamine

    for f in files:
        book = calamine.CalamineWorkbook.from_filelike(io.BytesIO(f.read_bytes()))
        book.get_sheet_by_index(0).to_python()


def _child_runs(
    files: list[Path], runs: int, work: Path, workers: int = 1
) -> tuple[list[float], list[float], list[float], dict]:
    ingest, whole, rss = [], [], []
    last: dict = {}
    for i in range(runs):
        db = fresh_db(work, f"bulk{i}.duckdb")
        out = run_python(
            CHILD, str(db), ",".join(str(f) for f in files), str(workers), TODAY.isoformat()
        )
        if out["rejected"]:
            raise RuntimeError(f"bulk files rejected: {out['rejected'][:3]}")
        ingest.append(out["ingest_seconds"])
        whole.append(out["seconds"])
        rss.append(out["peak_rss_mb"])
        last = out
        fresh_db(work, f"bulk{i}.duckdb")
    return ingest, whole, rss, last


def run(opts: Options) -> Section:
    section = Section("bulk", "2. Historical bulk imports (fresh process each run)")
    runs = opts.runs
    if opts.quick:
        national = bulk_file(
            "national_quick_63x2.xlsx", lambda: bulk_rows(NATIONAL_PERIODS[:2]), log=opts.log
        )
        big = big_files(2, 200, log=opts.log)
        big_label = "2 tables × 200 rows"
    else:
        national = bulk_file(
            "national_63x22.xlsx", lambda: bulk_rows(NATIONAL_PERIODS), log=opts.log
        )
        big = big_files(BIG_FILES, BIG_ROWS_PER_FILE, log=opts.log)
        big_label = f"{BIG_FILES} tables × {BIG_ROWS_PER_FILE:,} rows = 100,000 rows"
    rows_table = [
        "| import | rows | values stored | ingest median | ingest min | "
        "whole process median | peak RSS (max of runs) | rows/s (median) | "
        "÷ calamine limit |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    with scratch("bulk") as work:
        for label, files in ((f"national table, {national.name}", [national]), (big_label, big)):
            opts.log(f"  {label}")
            limit = time_runs(lambda files=files: _calamine(files), runs)
            ingest, whole, rss, last = _child_runs(files, runs, work)
            fig = section.add(Figure(f"{label}: ingest", ingest, last["reports"], unit="rows"))
            section.add(Figure(f"{label}: whole process", whole, last["reports"], unit="rows"))
            section.add(
                Figure(
                    f"{label}: limit (calamine reads the sheets)",
                    limit,
                    last["reports"],
                    unit="rows",
                )
            )
            ratio = fig.median / (sorted(limit)[len(limit) // 2])
            rows_table.append(
                f"| {label} | {last['reports']:,} | {last['values']:,} | "
                f"{fig.median:.2f} s | {fig.best:.2f} s | "
                f"{sorted(whole)[len(whole) // 2]:.2f} s | {max(rss):.0f} MB | "
                f"{fig.rate:,.0f} | {ratio:.1f}× |"
            )
            section.ratios.append((f"{label}: ingest ÷ calamine limit", ratio, ""))
    section.tables.append("\n".join(rows_table))
    section.notes.append(
        "The 5,000-row cap of one sheet (`MAX_ROWS`, a hostile-file limit) is kept: 100,000 "
        "rows are 40 tables of 2,500 distinct province-quarters (one table cannot repeat a "
        "province-quarter and there are 2,646 legacy ones), loaded by one `ingest` call; "
        "later tables supersede earlier versions. Transactions close every 50 files or 10,000 "
        "reports, whichever comes first (`loaders.ingest.MAX_BATCH_REPORTS`)."
    )
    return section
