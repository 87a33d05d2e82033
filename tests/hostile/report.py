"""Run the hostile corpus and write its results table into ``docs/SECURITY.md``.

    /work/venv/bin/python tests/hostile/report.py          # rewrites the table in place
    /work/venv/bin/python tests/hostile/report.py --print  # prints it instead

Each file is ingested as ``test_corpus.py`` does (one shared store that already holds a report;
the accepted-with-warning files into a fresh one); the heavy ones are also ingested in a fresh
process each (``measure.py``) for their peak RSS. The table sits between the two markers below.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(HERE)]

from helpers import good_template, store_snapshot  # noqa: E402
from make_corpus import ACCEPTED, HEAVY, build_corpus  # noqa: E402
from measure import measure  # noqa: E402

from dxboard.store import Store  # noqa: E402
from loaders.ingest import ingest_bytes  # noqa: E402
from loaders.readers import open_workbook  # noqa: E402

DOC = ROOT / "docs" / "SECURITY.md"
START = "<!-- corpus-results:start -->"
END = "<!-- corpus-results:end -->"


def _cell(text: str, limit: int | None = None) -> str:
    text = " ".join(str(text).split())
    if limit is not None and len(text) > limit:
        text = text[:limit] + "…"
    return text.replace("|", "\\|")


def table() -> str:
    with tempfile.TemporaryDirectory() as tmp:
        dest = Path(tmp)
        cases = build_corpus(dest)
        peaks = {r["file"]: r for r in measure([dest / name for name in HEAVY])}
        store = Store(":memory:")
        ingest_bytes(store, good_template("Hà Nội", "2024-Q1"), "seed.xlsx")
        lines = [
            "| # | file | what it is | bytes | result | message_vi (first 80 characters) "
            "| store unchanged | peak RSS MB |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for i, case in enumerate(cases, 1):
            data = (dest / case.name).read_bytes()
            if case.expected == ACCEPTED:
                result = ingest_bytes(Store(":memory:"), data, case.name)
                book = open_workbook(data, case.name)
                flags = [f for f in ("has_macros", "external_links") if getattr(book, f)]
                outcome = f"{result.status}, {', '.join(flags)}"
                message = book.warnings[0].message_vi if book.warnings else ""
                unchanged = "n/a (accepted)"
            else:
                before = store_snapshot(store)
                result = ingest_bytes(store, data, case.name)
                reasons = [p.reason.value for p in result.errors]
                outcome = reasons[0] if reasons else result.status
                if outcome != case.expected:
                    outcome = f"**{outcome}** (expected {case.expected})"
                first = next(
                    (p for p in result.errors if p.reason.value == case.expected),
                    result.errors[0] if result.errors else None,
                )
                message = first.message_vi if first else ""
                unchanged = "yes" if store_snapshot(store) == before else "**NO**"
            peak = peaks.get(case.name, {}).get("peak_rss_mb", "")
            lines.append(
                f"| {i} | `{case.name}` | {_cell(case.description)} | {case.size:,} | "
                f"{outcome} | {_cell(message, 80)} | {unchanged} | {peak} |"
            )
        baseline = peaks.get("(baseline: empty file)", {}).get("peak_rss_mb", "?")
    lines += [
        "",
        f"Peak RSS is measured for the heavy files only, each ingested in a fresh "
        f"process (`tests/hostile/measure.py`); the baseline of that process (imports, "
        f"an empty file) is {baseline} MB. The limit asserted by the tests is 500 MB.",
    ]
    return "\n".join(lines)


def main() -> None:
    text = table()
    if "--print" in sys.argv:
        print(text)
        return
    doc = DOC.read_text(encoding="utf-8")
    head, rest = doc.split(START, 1)
    _, tail = rest.split(END, 1)
    DOC.write_text(f"{head}{START}\n{text}\n{END}{tail}", encoding="utf-8")
    print(f"wrote {DOC}")


if __name__ == "__main__":
    main()
