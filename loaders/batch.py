"""Ingest many files at once: the same outcome as :func:`loaders.ingest.ingest_bytes` called
once per file in order, with far fewer database statements.

Each file is read and validated alone (in this process, or in a pool of worker processes), then
the files are stored ``batch_size`` at a time: one transaction per batch, a handful of
set-based statements per batch (one ``INSERT … SELECT`` per table from a data frame) instead of
a transaction and about ten statements per file.

What stays exactly as with one call per file, in the order of ``items``:

- a rejected file (any error) is an upload row ``rejected`` with its messages, and nothing else;
- with ``user``, a file holding a report the account may not load is refused whole: a
  ``rejected`` upload with the ``province`` problems and the event ``upload_refused``;
- a report equal to the current accepted one is a duplicate, and every report of a file whose
  exact bytes were accepted before is a duplicate (with the note naming that upload) — earlier
  files of the same call count, whether in the same batch or not;
- a newer report for a province and period supersedes the current one; two files for the same
  province and period in one call: the later one supersedes the earlier;
- the warning when a yes/no field went from yes to no sees the reports stored by earlier files;
- one ``upload`` (or ``upload_refused``) event per file; upload, submission and event ids are
  given in file order, as one call per file would give them.

The data version is bumped once per batch that accepted something (one call per file bumps it
once per accepted file): it is a cache key, only its changing matters. A batch is all or
nothing: an interrupted call leaves whole batches. ``dry_run`` compares every file with the
store as it is (nothing is written, so earlier files of the call do not count), as one
``dry_run`` call per file does.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime

from dxboard.auth import User
from dxboard.catalogue import Catalogue, load_catalogue
from dxboard.periods import Period
from dxboard.store import Store
from loaders.ingest import (
    EVENT_COLUMNS,
    SUBMISSION_COLUMNS,
    UPLOAD_COLUMNS,
    VALUE_COLUMNS,
    Change,
    IngestResult,
    _refusals,
    insert_columns,
    insert_rows,
    parse_file,
    yes_to_no_warning,
)
from loaders.problems import Problem, Reason
from loaders.report import Report

Item = tuple[str, bytes] | tuple[str, bytes, datetime]
Progress = Callable[[int, str], object]

DEFAULT_BATCH_SIZE = 50
PARALLEL_MIN_FILES = 16
"""Below this many files a worker pool costs more than it saves."""
MAX_BATCH_REPORTS = 10_000
"""A batch is closed early once its files hold this many reports (about 220,000 values)."""


@dataclass
class _Parsed:
    """One file read and validated, before anything is stored."""

    name: str
    sha256: str
    kind: str
    reports: list[Report]
    problems: list[Problem]
    received_at: datetime | None = None


def _parse(
    name: str, data: bytes, today: date | None, catalogue: Catalogue | None = None
) -> _Parsed:
    catalogue = catalogue or load_catalogue()
    kind, reports, problems = parse_file(data, name, catalogue, today)
    return _Parsed(name, hashlib.sha256(data).hexdigest(), kind, reports, problems)


def _parse_task(args: tuple[str, bytes, date | None]) -> _Parsed:
    """Worker entry point (the worker's own catalogue)."""
    return _parse(*args)


def ingest_many(
    store: Store,
    items: Iterable[Item],
    *,
    actor: str | None = None,
    dataset: str = "official",
    user: User | None = None,
    dry_run: bool = False,
    today: date | None = None,
    progress: Progress | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    workers: int = 1,
    catalogue: Catalogue | None = None,
    received_at: datetime | None = None,
) -> list[IngestResult]:
    """Validate and store ``items`` (``(file_name, bytes)`` or ``(file_name, bytes,
    received_at)``); one :class:`IngestResult` per item, in order. Never raises for a bad file.

    ``progress(done, file_name)`` is called as each file has been read and validated.
    ``workers`` > 1 reads files in that many worker processes (from
    :data:`PARALLEL_MIN_FILES` files on, with the default catalogue). ``batch_size`` files are
    stored per transaction (fewer when they hold :data:`MAX_BATCH_REPORTS` reports). The
    other arguments are those of :func:`loaders.ingest.ingest_bytes`.
    """
    return list(
        iter_ingest(
            store,
            items,
            actor=actor,
            dataset=dataset,
            user=user,
            dry_run=dry_run,
            today=today,
            progress=progress,
            batch_size=batch_size,
            workers=workers,
            catalogue=catalogue,
            received_at=received_at,
        )
    )


def iter_ingest(
    store: Store,
    items: Iterable[Item],
    *,
    actor: str | None = None,
    dataset: str = "official",
    user: User | None = None,
    dry_run: bool = False,
    today: date | None = None,
    progress: Progress | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    workers: int = 1,
    catalogue: Catalogue | None = None,
    received_at: datetime | None = None,
) -> Iterator[IngestResult]:
    """:func:`ingest_many` as a generator: the results of each batch once it is committed."""
    actor = actor or (user.username if user is not None else "system")
    catalogue = catalogue or load_catalogue()
    batch_size = max(1, batch_size)
    parsed = _parse_all(items, today, catalogue, workers, progress)
    while chunk := _next_batch(parsed, batch_size):
        for p in chunk:
            p.received_at = p.received_at or received_at or datetime.now()
        if dry_run:
            yield from _dry_run(store, chunk, user, catalogue)
        else:
            yield from _store_batch(store, chunk, actor, dataset, user, catalogue)


def _next_batch(parsed: Iterator[_Parsed], batch_size: int) -> list[_Parsed]:
    """Up to ``batch_size`` files, fewer when they hold more than :data:`MAX_BATCH_REPORTS`
    reports (bulk tables): a transaction's size stays bounded."""
    chunk: list[_Parsed] = []
    reports = 0
    for p in parsed:
        chunk.append(p)
        reports += len(p.reports)
        if len(chunk) >= batch_size or reports >= MAX_BATCH_REPORTS:
            break
    return chunk


# --------------------------------------------------------------------------- reading


def _parse_all(
    items: Iterable[Item],
    today: date | None,
    catalogue: Catalogue,
    workers: int,
    progress: Progress | None,
) -> Iterator[_Parsed]:
    """Parsed files in the order of ``items`` (with workers, a few files are read ahead)."""
    source = iter(items)
    first = list(itertools.islice(source, PARALLEL_MIN_FILES))
    source = itertools.chain(first, source)
    if workers > 1 and len(first) >= PARALLEL_MIN_FILES and catalogue is load_catalogue():
        results = _parse_parallel(source, today, workers, 4 * workers)
    else:
        results = (_with_time(_parse(i[0], i[1], today, catalogue), i) for i in source)
    for done, result in enumerate(results, start=1):
        if progress is not None:
            progress(done, result.name)
        yield result


def _with_time(parsed: _Parsed, item: Item) -> _Parsed:
    if len(item) > 2:
        parsed.received_at = item[2]  # type: ignore[misc]
    return parsed


def _pool(workers: int) -> Executor:
    """Worker processes started by fork where available (no re-import: fast to start)."""
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    return ProcessPoolExecutor(max_workers=workers, mp_context=context)


def _parse_parallel(
    source: Iterator[Item], today: date | None, workers: int, ahead: int
) -> Iterator[_Parsed]:
    with _pool(workers) as pool:
        pending: deque[tuple[Future, Item]] = deque()
        for item in source:
            pending.append((pool.submit(_parse_task, (item[0], item[1], today)), item))
            if len(pending) >= ahead:
                future, done = pending.popleft()
                yield _with_time(future.result(), done)
        while pending:
            future, done = pending.popleft()
            yield _with_time(future.result(), done)


# --------------------------------------------------------------------------- comparing


@dataclass
class _View:
    """The store as the files of one batch see it, updated file by file."""

    accepted_sha: dict[str, tuple[int, datetime]]
    current: dict[tuple[str, str], tuple[str, dict]]
    yes: dict[tuple[str, str], set[str]]
    pending: dict[tuple[str, str], int] = field(default_factory=dict)
    """(province, period) → index in the batch's submission rows of its accepted report."""
    hashes: dict[int, str] = field(default_factory=dict)
    values: dict[int, dict[str, float | None]] = field(default_factory=dict)

    def hash_of(self, report: Report) -> str:
        """``report.content_hash()``, computed once per report of the batch."""
        found = self.hashes.get(id(report))
        if found is None:
            found = self.hashes[id(report)] = report.content_hash()
        return found

    def values_of(self, report: Report) -> dict[str, float | None]:
        """{field: value} of ``report``, built once per report of the batch."""
        found = self.values.get(id(report))
        if found is None:
            found = self.values[id(report)] = {c: v.value for c, v in report.values.items()}
        return found


@dataclass(frozen=True)
class _Quarter:
    """What the comparisons need of a period, worked out once per period."""

    text: str
    era: str
    previous: Period
    previous_text: str | None
    """The quarter before, when it is of the same era (else ``None``)."""


_QUARTERS: dict[Period, _Quarter] = {}


def _quarter(period: Period) -> _Quarter:
    found = _QUARTERS.get(period)
    if found is None:
        prev = period.previous()
        same = prev.era == period.era
        found = _QUARTERS[period] = _Quarter(
            str(period), period.era, prev, str(prev) if same else None
        )
    return found


def _k(report: Report) -> tuple[str, str]:
    """``loaders.ingest._key``: (province code, period text)."""
    return report.province.code, _quarter(report.period).text


def _keys(chunk: Sequence[_Parsed]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(province, period) of every report, and of the quarter before (same era only)."""
    keys, previous = set(), set()
    for p in chunk:
        for r in p.reports:
            q = _quarter(r.period)
            keys.add((r.province.code, q.text))
            if q.previous_text is not None:
                previous.add((r.province.code, q.previous_text))
    return sorted(keys), sorted(previous)


_LOOKUP = """
WITH k AS (SELECT unnest(?::VARCHAR[]) AS province_code, unnest(?::VARCHAR[]) AS period),
     p AS (SELECT unnest(?::VARCHAR[]) AS province_code, unnest(?::VARCHAR[]) AS period)
SELECT 0, s.province_code, s.period, s.content_hash, v.field, v.value, NULL::BIGINT,
       NULL::TIMESTAMP
FROM submissions s JOIN k USING (province_code, period)
LEFT JOIN raw_values v ON v.submission_id = s.id WHERE s.status = 'accepted'
UNION ALL
SELECT 1, c.province_code, c.period, NULL, c.field, NULL, NULL, NULL
FROM current_values c JOIN p USING (province_code, period) WHERE c.value = 1
UNION ALL
SELECT 2, sha256, NULL, NULL, NULL, NULL, min(id), min(received_at) FROM uploads
WHERE status = 'accepted' AND sha256 IN (SELECT unnest(?::VARCHAR[])) GROUP BY sha256
"""


def _read_view(cur, chunk: Sequence[_Parsed]) -> _View:
    """One query for what the batch's files are compared with: the bytes accepted before, the
    current submissions of their provinces and periods with their values, and the yes values
    of the quarters before (earlier batches are committed: the database holds them)."""
    keys, previous = _keys(chunk)
    rows = cur.execute(
        _LOOKUP,
        [
            [k[0] for k in keys],
            [k[1] for k in keys],
            [k[0] for k in previous],
            [k[1] for k in previous],
            sorted({p.sha256 for p in chunk}),
        ],
    ).fetchall()
    current: dict[tuple[str, str], tuple[str, dict]] = {}
    yes: dict[tuple[str, str], set[str]] = {}
    accepted: dict[str, tuple[int, datetime]] = {}
    for part, prov, period, chash, fld, value, upload_id, at in rows:
        if part == 0:
            entry = current.setdefault((prov, period), (chash, {}))
            if fld is not None:
                entry[1][fld] = value
        elif part == 1:
            yes.setdefault((prov, period), set()).add(fld)
        else:
            accepted[prov] = (int(upload_id), at)
    return _View(accepted, current, yes)


def _duplicate_note(result: IngestResult, upload_id: int, when: datetime) -> Problem:
    """The note of :func:`loaders.ingest._accepted_before`, word for word."""
    at = when.strftime("%d/%m/%Y %H:%M")
    return Problem(
        file=result.file_name,
        reason=Reason.DUPLICATE_REPORT,
        severity="warning",
        message_vi=f"Tệp này (cùng nội dung từng byte) đã được nạp lúc {at} (lượt tải "
        f"{upload_id}); không có gì thay đổi. Để dùng lại số liệu cũ, hãy khôi phục.",
        message_en=f"This exact file was already loaded on {at} (upload {upload_id}); nothing "
        "changes. To make its values current again, restore that submission.",
    )


def _compare(view: _View, result: IngestResult, catalogue: Catalogue) -> list[Report]:
    """:func:`loaders.ingest._compare` against ``view``: status, duplicates, changes, notes and
    yes-to-no warnings; returns the reports that are new."""
    seen = view.accepted_sha.get(result.sha256)
    if seen is not None:
        result.problems.append(_duplicate_note(result, *seen))
    current = view.current
    fresh = (
        []
        if seen
        else [r for r in result.reports if current.get(_k(r), (None,))[0] != view.hash_of(r)]
    )
    result.duplicates = len(result.reports) - len(fresh)
    result.status = "accepted" if fresh else "duplicate"
    changes = result.changes
    for report in fresh:
        key = _k(report)
        old = current.get(key, (None, {}))[1]
        new = view.values_of(report)
        if not old:  # a first report: every value that is not blank is a change
            changes += [
                Change(*key, code, None, new[code]) for code in sorted(new) if new[code] is not None
            ]
            continue
        for code in sorted(old.keys() | new.keys()):
            was, now = old.get(code), new.get(code)
            if was != now:
                changes.append(Change(*key, code, was, now))
    result.problems += _yes_to_no(view, fresh, result.file_name, catalogue)
    return fresh


def _yes_to_no(
    view: _View, reports: list[Report], file_name: str, catalogue: Catalogue
) -> list[Problem]:
    """:func:`loaders.ingest._yes_to_no` against ``view`` (same quirks: the yes values of every
    previous quarter of the file count by province)."""
    same_era = [r for r in reports if _quarter(r.period).previous_text is not None]
    if not same_era:
        return []
    was_yes = {
        (r.province.code, f)
        for r in same_era
        for f in view.yes.get((r.province.code, _quarter(r.period).previous_text), ())
    }
    if not was_yes:
        return []
    yes_no = {f.code: f for f in catalogue.fields if f.kind == "bool"}
    warnings = []
    for report in same_era:
        for code, val in report.values.items():
            if code in yes_no and val.value == 0 and (report.province.code, code) in was_yes:
                warnings.append(
                    yes_to_no_warning(
                        file_name, report, yes_no[code], _quarter(report.period).previous
                    )
                )
    return warnings


def _result(p: _Parsed, dry_run: bool) -> IngestResult:
    return IngestResult(
        p.name, p.sha256, "rejected", p.kind, p.problems, p.reports, dry_run=dry_run
    )


def _dry_run(
    store: Store, chunk: Sequence[_Parsed], user: User | None, catalogue: Catalogue
) -> Iterator[IngestResult]:
    view = _read_view(store.cursor(), [p for p in chunk if not _has_errors(p)])
    for p in chunk:
        result = _result(p, True)
        refusals = _refusals(user, result) if user is not None else []
        if refusals:
            result.problems = [*refusals, *result.problems]
            result.reports = []
        elif not result.errors:
            _compare(view, result, catalogue)
        yield result


def _has_errors(p: _Parsed) -> bool:
    return any(x.severity == "error" for x in p.problems)


# --------------------------------------------------------------------------- storing


class _Rows:
    """The rows one batch writes, as column lists."""

    def __init__(self) -> None:
        self.uploads: list[tuple] = []
        self.events: list[tuple] = []
        self.subs: list[list] = []
        self.values: list[list] = [[] for _ in VALUE_COLUMNS]
        """Columns of the raw values (``submission_id`` a row index of ``subs`` until the ids
        are drawn)."""
        self.supersede: set[tuple[str, str]] = set()
        """Keys whose accepted submission in the database is superseded by this batch."""
        self.event_ids: list[int] = []


def _store_batch(
    store: Store,
    chunk: Sequence[_Parsed],
    actor: str,
    dataset: str,
    user: User | None,
    catalogue: Catalogue,
) -> list[IngestResult]:
    results = [_result(p, False) for p in chunk]
    refused = [_refusals(user, r) if user is not None else [] for r in results]
    with store.write() as cur:
        candidates = [
            p for p, r, x in zip(chunk, results, refused, strict=True) if not x and not r.errors
        ]
        view = _read_view(cur, candidates)
        n_events = sum(1 for r, x in zip(results, refused, strict=True) if x or not r.errors)
        upload_ids, event_ids = _next_ids(cur, ("upload_ids", len(chunk)), ("event_ids", n_events))
        rows = _Rows()
        rows.event_ids = event_ids
        for p, result, refusals, upload_id in zip(chunk, results, refused, upload_ids, strict=True):
            result.upload_id = upload_id
            if refusals:
                result.problems = [*refusals, *result.problems]
                rows.uploads.append(_upload_row(result, actor, dataset, p.received_at))
                rows.events.append(
                    _event(
                        actor,
                        "upload_refused",
                        upload_id,
                        {
                            "file": result.file_name,
                            "role": user.role,
                            "allowed": user.province_code,
                            "found": sorted(
                                {f"{r.province.code} {r.period}" for r in result.reports}
                            ),
                        },
                    )
                )
                result.reports = []
                continue
            if result.errors:
                rows.uploads.append(_upload_row(result, actor, dataset, p.received_at))
                continue
            fresh = _compare(view, result, catalogue)
            rows.uploads.append(_upload_row(result, actor, dataset, p.received_at))
            for report in fresh:
                _add_report(view, rows, result, report, dataset, p.received_at)
            if result.status == "accepted" and result.sha256 not in view.accepted_sha:
                view.accepted_sha[result.sha256] = (upload_id, p.received_at)
            rows.events.append(
                _event(
                    actor,
                    "upload",
                    upload_id,
                    {"status": result.status, "file": result.file_name, "reports": len(fresh)},
                )
            )
        _write(cur, rows, results)
    return results


def _add_report(
    view: _View,
    rows: _Rows,
    result: IngestResult,
    report: Report,
    dataset: str,
    received_at: datetime,
) -> None:
    key = _k(report)
    code, period = key
    earlier = view.pending.get(key)
    if earlier is not None:
        rows.subs[earlier][8] = "superseded"
    elif key in view.current:
        rows.supersede.add(key)
    index = len(rows.subs)
    view.pending[key] = index
    result.submission_ids.append(index)  # a row index until the ids are drawn
    content_hash = view.hash_of(report)
    rows.subs.append(
        [
            None,
            result.upload_id,
            code,
            period,
            _quarter(report.period).era,
            dataset,
            content_hash,
            received_at,
            "accepted",
            report.source_ref,
        ]
    )
    values = view.values_of(report)
    view.current[key] = (content_hash, values)
    view.yes[key] = {f for f, value in values.items() if value == 1}
    n = len(report.values)
    sub, prov, per, fld, val, note, ref_no, ref_date = rows.values
    sub += [index] * n
    prov += [code] * n
    per += [period] * n
    for f, v in report.values.items():
        fld.append(f)
        val.append(v.value)
        note.append(v.note)
        ref_no.append(v.ref_no)
        ref_date.append(v.ref_date)


def _upload_row(result: IngestResult, actor: str, dataset: str, received_at: datetime) -> tuple:
    template = result.kind == "template" and len(result.reports) == 1
    province = result.reports[0].province.code if template else None
    period = str(result.reports[0].period) if template else None
    messages = json.dumps(result.message_records(), ensure_ascii=False)
    return (
        result.upload_id,
        result.kind,
        dataset,
        result.file_name,
        result.sha256,
        actor,
        received_at,
        result.status,
        province,
        period,
        len(result.reports),
        messages,
    )


def _event(actor: str, action: str, upload_id: int, detail: dict) -> tuple:
    return (
        datetime.now(),
        actor,
        action,
        upload_id,
        None,
        json.dumps(detail, ensure_ascii=False, default=str),
    )


def _next_ids(cur, *wanted: tuple[str, int]) -> list[list[int]]:
    """``n`` new ids of each sequence, ascending, in one statement (nothing else of this process
    writes meanwhile: the ids are consecutive, as one call per file would draw them)."""
    sql = ", ".join(f"(SELECT list(nextval('{name}')) FROM range({int(n)}))" for name, n in wanted)
    row = cur.execute(f"SELECT {sql}").fetchall()[0]
    return [sorted(int(i) for i in ids or ()) for ids in row]


def _write(cur, rows: _Rows, results: list[IngestResult]) -> None:
    """Every row of the batch: one statement per table, in the order one call per file keeps
    (the old accepted submissions are superseded before the new ones are inserted)."""
    insert_rows(cur, "uploads", UPLOAD_COLUMNS, rows.uploads)
    if rows.supersede:
        keys = sorted(rows.supersede)
        cur.execute(
            "UPDATE submissions SET status = 'superseded' FROM (SELECT unnest(?::VARCHAR[]) "
            "AS province_code, unnest(?::VARCHAR[]) AS period) i "
            "WHERE submissions.status = 'accepted' "
            "AND submissions.province_code = i.province_code AND submissions.period = i.period",
            [[k[0] for k in keys], [k[1] for k in keys]],
        )
    if rows.subs:
        (sub_ids,) = _next_ids(cur, ("submission_ids", len(rows.subs)))
        for result in results:
            result.submission_ids = [sub_ids[i] for i in result.submission_ids]
        for row, sid in zip(rows.subs, sub_ids, strict=True):
            row[0] = sid
        insert_rows(cur, "submissions", SUBMISSION_COLUMNS, rows.subs)
        rows.values[0] = [sub_ids[i] for i in rows.values[0]]
        insert_columns(cur, "raw_values", VALUE_COLUMNS, rows.values)
        Store.bump_version(cur)
    if rows.events:
        insert_rows(
            cur,
            "events",
            EVENT_COLUMNS,
            [(eid, *e) for eid, e in zip(rows.event_ids, rows.events, strict=True)],
        )
