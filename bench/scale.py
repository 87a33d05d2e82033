"""Section 4: the metrics on a store of 10 million raw values.

The store is generated in DuckDB SQL straight into the real schema (``Store`` creates it):
every province-quarter (63 legacy provinces 2015-Q1…2025-Q2, 34 current ones 2025-Q3…2026-Q3,
2,816 in all) has ``versions`` submissions of 22 values each, one upload per version, in the
order they would have arrived; the last version is the accepted one, the others superseded.
Values are plausible (each "of which" within its total, yes/no as 1/0). Building it takes a
minute or two; it is kept in the cache folder (not the repository) and reused.

Measured, each ``runs`` times on the opened store (DuckDB warm after the first run):
- the national ranking for one quarter: ``metrics.index.readiness_index``;
- one province's 34-province-basis time series: ``metrics.indicators.indicator_values`` with
  ``basis="current"`` over every quarter, for one current province;
- reporting completeness of every quarter: ``metrics.completeness.completeness``.
"""

from __future__ import annotations

import time

from bench.common import CACHE, Figure, Options, Section, scratch, time_runs

TARGET = 1.0
FULL_VALUES = 10_000_000
QUICK_VALUES = 100_000
GENERATOR_VERSION = 1


def _keys() -> list[tuple[str, str, str]]:
    from dxboard.periods import period_range
    from dxboard.registry import load_registry

    registry = load_registry()
    keys = []
    for period in period_range("2015-Q1", "2026-Q3"):
        era = period.era
        keys += [(p.code, str(period), era) for p in registry.provinces(era)]
    return keys


def build(path, target_values: int, log=print) -> dict:  # type: ignore[no-untyped-def]
    """Generate the store at ``path`` (a new file); returns its counts."""
    import pandas as pd

    from dxboard.catalogue import load_catalogue
    from dxboard.periods import Period
    from dxboard.store import Store
    from dxboard.store.database import bump_version

    catalogue = load_catalogue()
    keys = _keys()
    n_fields = len(catalogue.fields)
    versions = max(1, -(-target_values // (len(keys) * n_fields)))
    # scale of each field: totals drawn around a base, parts a share of their total
    scale = {}
    for fld in catalogue.fields:
        if fld.kind == "bool":
            scale[fld.code] = 0.0
        elif fld.part_of is None:
            scale[fld.code] = {
                "procedures_total": 1500,
                "dossiers_total": 400_000,
                "inspections_total": 60,
                "budget_total": 40_000,
                "adults": 2_000_000,
                "households": 700_000,
                "industrial_zones": 8,
                "communes": 120,
            }.get(fld.code, 1000)
        else:
            scale[fld.code] = scale[fld.part_of] * 0.6
    started = time.perf_counter()
    with Store(path) as store:
        cur = store.cursor()
        k_frame = pd.DataFrame(
            [
                (i, code, period, era, pd.Timestamp(Period.parse(period).deadline()))
                for i, (code, period, era) in enumerate(keys)
            ],
            columns=["k", "province_code", "period", "era", "deadline"],
        )
        f_frame = pd.DataFrame(
            [(j, fld.code, fld.kind, scale[fld.code]) for j, fld in enumerate(catalogue.fields)],
            columns=["j", "field", "kind", "scale"],
        )
        cur.register("k_frame", k_frame)
        cur.register("f_frame", f_frame)
        cur.execute("CREATE TEMP TABLE k AS SELECT * FROM k_frame")
        cur.execute("CREATE TEMP TABLE f AS SELECT * FROM f_frame")
        n_keys = len(keys)
        log(f"    {versions} versions × {n_keys:,} province-quarters × {n_fields} fields")
        cur.execute("BEGIN TRANSACTION")
        cur.execute(f"""
            INSERT INTO uploads (id, kind, dataset, file_name, sha256, actor, received_at,
                                 status, province_code, period, n_reports, messages)
            SELECT v + 1, 'bulk', 'synthetic', 'synthetic_v' || v || '.xlsx', md5(v::VARCHAR),
                   'bench', TIMESTAMP '2015-01-01' + INTERVAL (v) HOUR, 'accepted', NULL, NULL,
                   {n_keys}, '[]'
            FROM range({versions}) t(v)""")
        cur.execute(f"""
            INSERT INTO submissions (id, upload_id, province_code, period, era, dataset,
                                     content_hash, received_at, status, source_ref)
            SELECT v * {n_keys} + k + 1, v + 1, province_code, period, era, 'synthetic',
                   md5((v * {n_keys} + k)::VARCHAR),
                   deadline - INTERVAL 20 DAY + INTERVAL (hash(k, v) % 60) DAY
                       + INTERVAL (v) MINUTE,
                   CASE WHEN v = {versions - 1} THEN 'accepted' ELSE 'superseded' END,
                   'Dữ liệu!' || (k + 2)
            FROM range({versions}) t(v), k ORDER BY v, k""")
        cur.execute("""
            INSERT INTO raw_values (submission_id, province_code, period, field, value)
            SELECT s.id, s.province_code, s.period, f.field,
                   CASE WHEN f.kind = 'bool' THEN (hash(s.id, f.j) % 10 < 7)::INTEGER
                        WHEN f.kind = 'count' THEN round(f.scale * (0.5 + (hash(s.id) % 1000)
                                                                    / 1000.0))
                        ELSE round(f.scale * (0.5 + (hash(s.id) % 1000) / 1000.0), 1) END
            FROM submissions s, f ORDER BY s.id, f.j""")
        for sequence, used in (("upload_ids", versions), ("submission_ids", versions * n_keys)):
            cur.execute(f"SELECT max(nextval('{sequence}')) FROM range({used})").fetchall()
        bump_version(cur)
        cur.execute("COMMIT")
        counts = {
            t: cur.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]
            for t in ("uploads", "submissions", "raw_values")
        }
        cur.execute("CHECKPOINT")
    counts["seconds"] = time.perf_counter() - started
    counts["versions"] = versions
    return counts


def store_path(target_values: int, log=print):  # type: ignore[no-untyped-def]
    """The cached generated store (built when missing)."""
    import json

    path = CACHE / f"scale-g{GENERATOR_VERSION}-{target_values}.duckdb"
    info = path.with_suffix(".json")
    if path.exists() and info.exists():
        return path, json.loads(info.read_text())
    log(
        f"  building a store of {target_values:,} raw values at {path} — this takes a while "
        "(once; not timed)…"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    for p in (tmp, tmp.with_name(tmp.name + ".wal")):
        p.unlink(missing_ok=True)
    counts = build(tmp, target_values, log)
    tmp.rename(path)
    info.write_text(json.dumps(counts))
    return path, counts


def run(opts: Options) -> Section:
    from dxboard.periods import period_range
    from dxboard.store import Store
    from metrics.completeness import completeness
    from metrics.index import readiness_index
    from metrics.indicators import indicator_values

    target = QUICK_VALUES if opts.quick else FULL_VALUES
    section = Section("metrics", f"4. Metrics on a store of {target:,} raw values")
    path, counts = store_path(target, opts.log)
    section.notes.append(
        f"Generated store: {counts['raw_values']:,} raw values, {counts['submissions']:,} "
        f"submissions ({counts['versions']} versions of each of the 2,816 province-quarters, "
        f"the last accepted), {counts['uploads']:,} uploads; built in "
        f"{counts['seconds']:.0f} s (not timed here) and kept at `{path}`."
    )
    periods = [str(p) for p in period_range("2015-Q1", "2026-Q3")]
    runs = opts.runs
    with scratch("scale") as work:
        # a copy, so that the cached file is never opened for writing by a measurement
        import shutil

        db = work / "scale.duckdb"
        shutil.copyfile(path, db)
        with Store(db) as store:
            cases = [
                (
                    "national ranking, one quarter: readiness_index(store, '2024-Q4')",
                    lambda: readiness_index(store, "2024-Q4"),
                ),
                (
                    "one province, 34-basis series over every quarter: indicator_values("
                    f"basis='current', provinces=['79'], {len(periods)} quarters)",
                    lambda: indicator_values(store, periods, basis="current", provinces=["79"]),
                ),
                (
                    f"completeness of every quarter: completeness(store, {len(periods)} quarters)",
                    lambda: completeness(store, periods),
                ),
            ]
            for label, fn in cases:
                opts.log(f"  {label[:60]}")
                first = time_runs(fn, 1)
                times = time_runs(fn, runs)
                fig = section.add(Figure(label, times, unit="calls", target=f"< {TARGET:g} s"))
                fig.met = fig.median < TARGET
                fig.extra["first call"] = f"{first[0] * 1000:.0f} ms"
    return section
