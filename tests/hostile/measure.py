"""Ingest files one per fresh process and report each one's peak memory (RSS).

    /work/venv/bin/python tests/hostile/measure.py FILE...   # one JSON line per file

The modules are imported once here; then each file is ingested (``ingest_bytes`` into a new
in-memory store) in its own forked child, which starts with only those imports and no earlier
ingest. The child's peak RSS is read from the ``rusage`` that ``os.wait4`` returns for it: the
same ``ru_maxrss`` as ``resource.getrusage(RUSAGE_CHILDREN)``, but for that child alone. It counts
the imported modules (≈ 175 MB: pandas, DuckDB, pydantic), so the first line, for an empty file,
is the baseline.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
BASELINE = b""
ADDRESS_SPACE_LIMIT = 8 * 1024**3
"""Each child's address-space cap: a regression fails there with MemoryError, not by swapping."""


def measure(paths: list[Path], timeout: float = 600) -> list[dict]:
    """Run this module in a fresh interpreter over ``paths``; one result dict per path (``file``,
    ``status``, ``reasons``, ``peak_rss_mb``), after a first one for the empty baseline."""
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), *map(str, paths)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=timeout,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"measure.py failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]


def _ingest_in_child(name: str, data: bytes) -> dict:
    from dxboard.store import Store
    from loaders.ingest import ingest_bytes

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: ingest, report, exit without running the parent's cleanup
        os.close(read_end)
        try:
            resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE_LIMIT, ADDRESS_SPACE_LIMIT))
            result = ingest_bytes(Store(":memory:"), data, name)
            out = {"status": result.status, "reasons": [p.reason.value for p in result.errors]}
        except BaseException as exc:  # reported, then judged by the caller
            out = {"status": "crash", "reasons": [], "error": repr(exc)[:500]}
        os.write(write_end, json.dumps(out).encode())
        os._exit(0)
    os.close(write_end)
    chunks = []
    while chunk := os.read(read_end, 65536):
        chunks.append(chunk)
    os.close(read_end)
    _, status, usage = os.wait4(pid, 0)
    out = (
        json.loads(b"".join(chunks))
        if chunks
        else {"status": "died", "reasons": [], "error": f"wait status {status}"}
    )
    out["file"] = name
    out["peak_rss_mb"] = round(usage.ru_maxrss / 1024, 1)  # ru_maxrss is in KB on Linux
    return out


def main(paths: list[str]) -> None:
    from dxboard.catalogue import load_catalogue
    from dxboard.registry import load_registry

    load_catalogue()
    load_registry()
    print(json.dumps(_ingest_in_child("(baseline: empty file)", BASELINE)), flush=True)
    for path in map(Path, paths):
        print(json.dumps(_ingest_in_child(path.name, path.read_bytes())), flush=True)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main(sys.argv[1:])
