"""Measure ingest, bulk import, pages, metrics at scale and start-up; write the report.

``python -m bench`` writes ``docs/BENCHMARKS.md``.

Options: ``--quick`` (tiny inputs, one run: seconds, for CI), ``--runs N`` (default 5),
``--only ingest,bulk,pages,metrics,startup,postgres,browser``, ``--output FILE``,
``--workers N`` (worker processes for the parallel ingest figure, default 2). Generated
inputs are cached in ``$DXBOARD_BENCH_CACHE`` (default ``/tmp/dxboard-bench``), never in the
repository.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from bench.common import CACHE, ROOT, Options, Section, machine, versions

SECTIONS = ("ingest", "bulk", "pages", "metrics", "startup", "postgres", "browser")


def _module(key: str):  # type: ignore[no-untyped-def]
    from bench import browser, bulk, ingest, pages, postgres, scale, startup

    modules = {
        "ingest": ingest,
        "bulk": bulk,
        "pages": pages,
        "metrics": scale,
        "startup": startup,
        "postgres": postgres,
        "browser": browser,
    }
    return modules[key]


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    p.add_argument(
        "--quick",
        action="store_true",
        help="tiny inputs and one run of everything (under a minute); not for comparison",
    )
    p.add_argument("--runs", type=int, default=None, help="runs per figure (default 5)")
    p.add_argument(
        "--only",
        default=",".join(SECTIONS),
        help=f"comma-separated sections (default: all of {','.join(SECTIONS)})",
    )
    p.add_argument(
        "--output",
        default=str(ROOT / "docs" / "BENCHMARKS.md"),
        help="the Markdown file to write (default docs/BENCHMARKS.md)",
    )
    p.add_argument(
        "--workers",
        type=int,
        default=2,
        help="worker processes for the parallel ingest figure (default 2)",
    )
    args = p.parse_args(argv)
    wanted = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = [s for s in wanted if s not in SECTIONS]
    if unknown:
        p.error(f"unknown section(s): {', '.join(unknown)}")
    runs = args.runs or (1 if args.quick else 5)
    if runs < 1:
        p.error("--runs must be at least 1")
    opts = Options(
        quick=args.quick,
        runs=runs,
        output=Path(args.output),
        workers=args.workers,
        log=lambda msg: print(msg, file=sys.stderr, flush=True),
    )
    info = machine()
    opts.log(
        f"bench: {', '.join(wanted)}; {runs} run(s); inputs cached in {CACHE}; "
        f"load average {info['load_start']}"
    )
    sections: list[Section] = []
    started = time.perf_counter()
    for key in SECTIONS:
        if key not in wanted:
            continue
        opts.log(f"[{key}]")
        t0 = time.perf_counter()
        try:
            section = _module(key).run(opts)
        except Exception as exc:  # one broken section must not lose the others
            section = Section(key, key, skipped=f"{type(exc).__name__}: {exc}"[:500])
            opts.log(f"  FAILED: {section.skipped}")
        opts.log(f"  {time.perf_counter() - t0:.0f} s")
        sections.append(section)
    from bench.report import write

    command = "python -m bench" + (" --quick" if args.quick else "")
    write(opts.output, info, versions(), sections, args.quick, runs, command)
    opts.log(f"wrote {opts.output} in {time.perf_counter() - started:.0f} s")
    return 1 if any(s.skipped for s in sections) else 0


if __name__ == "__main__":
    sys.exit(main())
