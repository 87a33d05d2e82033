"""What every benchmark section shares: runs and their statistics, the machine, versions, and
one Markdown table format.

A :class:`Figure` is one measured thing (a list of run times in seconds, optionally a count of
items per run to express throughput); a :class:`Section` is a titled list of figures with notes.
Ratios are always taken between medians measured in the same run of ``python -m bench``.
"""

from __future__ import annotations

import gc
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("DXBOARD_BENCH_CACHE", Path(tempfile.gettempdir()) / "dxboard-bench"))
"""Generated inputs (templates, bulk tables, the 10M-value store) kept between runs."""
PACKAGES = (
    "duckdb",
    "pandas",
    "python-calamine",
    "openpyxl",
    "streamlit",
    "pyarrow",
    "pydantic",
    "playwright",
)


@dataclass
class Figure:
    """One measured thing: run times in seconds; ``items`` per run for a throughput."""

    label: str
    times: list[float]
    items: int | None = None
    unit: str = "files"
    target: str = ""
    met: bool | None = None
    note: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def median(self) -> float:
        return statistics.median(self.times) if self.times else float("nan")

    @property
    def best(self) -> float:
        return min(self.times) if self.times else float("nan")

    @property
    def rate(self) -> float:
        """Items per second at the median time."""
        return self.items / self.median if self.items and self.median > 0 else float("nan")

    @property
    def best_rate(self) -> float:
        return self.items / self.best if self.items and self.best > 0 else float("nan")


@dataclass
class Section:
    key: str
    title: str
    figures: list[Figure] = field(default_factory=list)
    ratios: list[tuple[str, float, str]] = field(default_factory=list)
    """(what, value, target or comment)."""
    notes: list[str] = field(default_factory=list)
    tables: list[str] = field(default_factory=list)
    """Extra ready-made Markdown tables."""
    skipped: str = ""

    def add(self, figure: Figure) -> Figure:
        self.figures.append(figure)
        return figure

    def get(self, label: str) -> Figure | None:
        return next((f for f in self.figures if f.label == label), None)


# --------------------------------------------------------------------------- running


@dataclass
class Options:
    quick: bool = False
    runs: int = 5
    output: Path = ROOT / "docs" / "BENCHMARKS.md"
    workdir: Path = CACHE
    workers: int = 2
    log: Callable[[str], None] = print


def time_runs(
    fn: Callable[[], object],
    runs: int,
    setup: Callable[[], object] | None = None,
    teardown: Callable[[], object] | None = None,
) -> list[float]:
    """Seconds of ``fn()`` over ``runs`` runs; ``setup``/``teardown`` around each, not timed.

    The garbage collector runs before each run, not during the setup's debris."""
    times = []
    for _ in range(runs):
        if setup is not None:
            setup()
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
        if teardown is not None:
            teardown()
    return times


@contextmanager
def scratch(prefix: str) -> Iterator[Path]:
    """A temporary folder removed afterwards."""
    path = Path(tempfile.mkdtemp(prefix=f"dxbench-{prefix}-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def fresh_db(folder: Path, name: str = "bench.duckdb") -> Path:
    """A path for a new database in ``folder`` (any earlier file and its WAL removed)."""
    path = folder / name
    for p in (path, path.with_suffix(path.suffix + ".wal")):
        p.unlink(missing_ok=True)
    return path


def run_python(
    code: str, *args: str, env: dict[str, str] | None = None, timeout: float = 900
) -> dict:
    """Run ``code`` in a fresh interpreter (cwd: the project); it prints one JSON line last.

    Returns that object plus ``seconds`` (wall time of the whole process) and ``peak_rss_mb``
    of the child (``ru_maxrss`` of RUSAGE_CHILDREN, read by a wrapper in the child itself so
    that children of this process measured earlier do not count)."""
    wrapper = (
        "import json, resource, runpy, sys\n"
        "ns = {'__name__': '__bench__'}\n"
        f"exec(compile({code!r}, '<bench>', 'exec'), ns)\n"
        "print(json.dumps({'peak_rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss"
        " / 1024, **ns.get('RESULT', {})}))\n"
    )
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", wrapper, *args],
        cwd=ROOT,
        text=True,
        capture_output=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark child failed ({proc.returncode}): {proc.stderr[-2000:]}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out["seconds"] = seconds
    return out


# --------------------------------------------------------------------------- the machine


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def memory_gb() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return float("nan")


def load_average() -> str:
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:
        return "n/a"
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f}"


def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def machine() -> dict[str, str]:
    return {
        "date": datetime.now().strftime("%Y-%m-%d %H:%M"),
        "cores": str(os.cpu_count()),
        "cpu": cpu_model(),
        "memory": f"{memory_gb():.1f} GB",
        "os": f"{platform.system()} {platform.release()}",
        "load_start": load_average(),
    }


def peak_rss_mb_self() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --------------------------------------------------------------------------- formatting


def fmt_seconds(seconds: float) -> str:
    if seconds != seconds:
        return "n/a"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds:.2f} s"


def fmt_number(value: float, digits: int = 0) -> str:
    if value != value:
        return "n/a"
    return f"{value:,.{digits}f}"


def fmt_ratio(value: float) -> str:
    if value != value:
        return "n/a"
    return f"{value:.2f}×" if value < 10 else f"{value:.1f}×"
