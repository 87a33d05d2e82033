"""Section 1: a quarter's uploads, N filled province templates, against the limit and a peer.

- the limit: python-calamine opening each file and reading the report sheet ``to_python()``,
  nothing else (no checks, no validation, no storage);
- ours, in one process, imports done: ``loaders.ingest.ingest`` into a fresh on-disk DuckDB
  (parse and validate in this process, and with a pool of worker processes), and
  ``loaders.ingest.ingest_bytes`` once per file (the path of a single upload in the web app);
- ours, the whole command: ``python -m cli --db FRESH ingest FOLDER`` timed as a process
  (interpreter start, imports, reading the files, validation, storage, the summary);
- the naive peer: ``pandas.read_excel(engine="openpyxl")`` of the report sheet per file, then
  one ``INSERT`` per value (``executemany``) into a DuckDB table; no validation at all.

Every run starts from a new database file; generating the files and creating the empty store
(schema, registry) are not timed.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from pathlib import Path

from bench.common import ROOT, Figure, Options, Section, fresh_db, scratch, time_runs
from bench.inputs import TODAY, read_folder, templates

N_FULL = 500
N_QUICK = 8
PER_FILE_SUBSET = 100
"""One transaction per file is slow: the per-file path is timed on the first 100 files."""
TARGET_LIMIT = 3.0
TARGET_PEER = 10.0


def calamine_limit(items: list[tuple[str, bytes]]) -> None:
    import python_calamine as calamine

    from loaders.template import REPORT_SHEET

    for _, data in items:
        book = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        book.get_sheet_by_name(REPORT_SHEET).to_python()


def naive_peer(items: list[tuple[str, bytes]], db: Path) -> int:
    """What a user would write: pandas + openpyxl per file, one INSERT per value."""
    import duckdb
    import pandas as pd

    from loaders.template import REPORT_SHEET

    con = duckdb.connect(str(db))
    con.execute(
        "CREATE TABLE IF NOT EXISTS peer_values (file VARCHAR, province VARCHAR, "
        "period VARCHAR, field VARCHAR, value VARCHAR)"
    )
    n = 0
    for name, data in items:
        df = pd.read_excel(
            io.BytesIO(data), sheet_name=REPORT_SHEET, header=None, engine="openpyxl"
        )
        province, period = str(df.iat[1, 3]), str(df.iat[2, 3])
        rows = [
            (name, province, period, str(code), None if pd.isna(v) else str(v))
            for code, v in zip(df.iloc[7:, 0], df.iloc[7:, 3], strict=True)
            if isinstance(code, str)
        ]
        con.executemany("INSERT INTO peer_values VALUES (?, ?, ?, ?, ?)", rows)
        n += len(rows)
    con.close()
    return n


def _ours_batch(
    items: list[tuple[str, bytes]], db: Path, workers: int, batch_size: int | None = None
) -> list:
    from dxboard.store import Store
    from loaders.ingest import DEFAULT_BATCH_SIZE, ingest

    store = Store(db)
    try:
        start = time.perf_counter()
        results = list(
            ingest(
                store,
                items,
                actor="bench",
                dataset="official",
                today=TODAY,
                workers=workers,
                batch_size=batch_size or DEFAULT_BATCH_SIZE,
            )
        )
        elapsed = time.perf_counter() - start
    finally:
        store.close()
    _check(results, len(items))
    return [elapsed]


def _ours_per_file(items: list[tuple[str, bytes]], db: Path) -> float:
    from dxboard.store import Store
    from loaders.ingest import ingest_bytes

    store = Store(db)
    try:
        start = time.perf_counter()
        results = [
            ingest_bytes(store, data, name, actor="bench", dataset="official", today=TODAY)
            for name, data in items
        ]
        elapsed = time.perf_counter() - start
    finally:
        store.close()
    _check(results, len(items))
    return elapsed


def _check(results: list, n: int) -> None:
    bad = [r for r in results if r.status != "accepted"]
    if len(results) != n or bad:
        raise RuntimeError(
            f"benchmark input not accepted: {[r.file_name for r in bad][:5]} "
            f"{[p.message_en for p in bad[0].errors][:3] if bad else ''}"
        )


def _cli(folder: Path, db: Path) -> float:
    env = {**os.environ, "DXBOARD_DB_WAIT": "0"}
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "cli", "--db", str(db), "ingest", str(folder)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"dxboard ingest failed: {proc.stdout[-1000:]} {proc.stderr[-1000:]}")
    return elapsed


def _timed(fn, runs: int, work: Path) -> list[float]:
    """Each run gets a fresh database file; ``fn(db)`` returns its own elapsed seconds."""
    times = []
    for i in range(runs):
        db = fresh_db(work, f"run{i}.duckdb")
        out = fn(db)
        times.append(out[0] if isinstance(out, list) else out)
        fresh_db(work, f"run{i}.duckdb")
    return times


def run(opts: Options) -> Section:
    n = N_QUICK if opts.quick else N_FULL
    runs = opts.runs
    section = Section("ingest", f"1. A quarter's uploads: {n} filled templates")
    folder = templates(n, log=opts.log)
    items = read_folder(folder)
    size = sum(len(d) for _, d in items)
    section.notes.append(
        f"{len(items)} templates (legacy provinces × 8 quarters 2023-Q1…2024-Q4, some left "
        f"out), {size / len(items) / 1024:.1f} KB each on average, every one valid; "
        "generated with `build_template` + openpyxl, not timed."
    )
    with scratch("ingest") as work:
        opts.log("  limit: python-calamine")
        calamine_limit(items[:20])  # first-call costs out of the way
        limit = section.add(
            Figure(
                "limit: python-calamine open + report sheet to_python()",
                time_runs(lambda: calamine_limit(items), runs),
                len(items),
            )
        )
        opts.log("  ours: ingest, 1 process")
        _ours_batch(items[:20], fresh_db(work, "warm.duckdb"), 1)
        ours = section.add(
            Figure(
                "ours: ingest, in one process",
                _timed(lambda db: _ours_batch(items, db, 1), runs, work),
                len(items),
                target=f"≤ {TARGET_LIMIT:g}× the limit",
            )
        )
        big = len(items)
        opts.log(f"  ours: ingest, batch_size={big} (one transaction)")
        section.add(
            Figure(
                f"ours: ingest, in one process, batch_size={big} (one transaction)",
                _timed(lambda db: _ours_batch(items, db, 1, big), runs, work),
                len(items),
            )
        )
        if opts.workers > 1:
            opts.log(f"  ours: ingest, {opts.workers} worker processes")
            section.add(
                Figure(
                    f"ours: ingest, {opts.workers} worker processes parse",
                    _timed(lambda db: _ours_batch(items, db, opts.workers), runs, work),
                    len(items),
                    note="pool start-up included",
                )
            )
        subset = items[:PER_FILE_SUBSET]
        opts.log(f"  ours: ingest_bytes per file ({len(subset)} files)")
        per_file = section.add(
            Figure(
                f"ours: ingest_bytes once per file (a web upload each), first {len(subset)} files",
                _timed(lambda db: _ours_per_file(subset, db), runs, work),
                len(subset),
            )
        )
        opts.log("  ours: the command line")
        cli = section.add(
            Figure(
                "ours: `python -m cli ingest FOLDER` (whole process)",
                _timed(lambda db: _cli(folder, db), runs, work),
                len(items),
            )
        )
        opts.log("  naive peer: pandas.read_excel(openpyxl) + INSERT per value")
        peer_runs = max(1, runs if not opts.quick else 1)
        peer = section.add(
            Figure(
                "naive peer: pandas.read_excel(engine=openpyxl) + executemany INSERT per value",
                _timed(lambda db: _timed_peer(items, db), peer_runs, work),
                len(items),
            )
        )
    main = ours
    ratio_limit = main.median / limit.median
    ratio_peer = peer.median / main.median
    main.met = ratio_limit <= TARGET_LIMIT and ratio_peer >= TARGET_PEER
    section.ratios += [
        (
            f"{main.label} ÷ limit (time)",
            ratio_limit,
            f"target ≤ {TARGET_LIMIT:g}×: " + ("met" if ratio_limit <= TARGET_LIMIT else "NOT met"),
        ),
        (
            f"naive peer ÷ {main.label} (time)",
            ratio_peer,
            f"target ≥ {TARGET_PEER:g}×: " + ("met" if ratio_peer >= TARGET_PEER else "NOT met"),
        ),
    ]
    for fig in section.figures:
        if fig not in (limit, main, peer):
            ratio = (fig.median / fig.items) / (limit.median / limit.items)
            section.ratios.append((f"{fig.label} ÷ limit (time per file)", ratio, ""))
    for fig in section.figures:
        if fig is not main and "ingest" in fig.label:
            ratio = peer.median / fig.median
            section.ratios.append(
                (
                    f"naive peer ÷ {fig.label} (time)",
                    ratio,
                    f"target ≥ {TARGET_PEER:g}×: " + ("met" if ratio >= TARGET_PEER else "NOT met"),
                )
            )
    section.ratios.append(
        (
            "naive peer ÷ per-file ingest_bytes (time per file)",
            (peer.median / peer.items) / (per_file.median / per_file.items),
            "",
        )
    )
    section.ratios.append(
        (
            "command line ÷ in-process ingest (time)",
            cli.median / main.median,
            "interpreter start and imports included",
        )
    )
    return section


def _timed_peer(items: list[tuple[str, bytes]], db: Path) -> float:
    start = time.perf_counter()
    naive_peer(items, db)
    return time.perf_counter() - start
