"""Ingest: the one pipeline by which files reach the store, from the upload page (a batch of
one file) and the command line (folders, stored ``batch_size`` files per transaction).

For each batch: read and validate every file (:func:`parse_file`; in worker processes for
many files), read the store's state for the batch's provinces and periods, decide each file in
order (:mod:`loaders.decide`: refused, rejected, accepted or duplicate; changes and warnings),
then write the batch's rows in one transaction. A later file of a batch sees the earlier ones
as stored. A dry run decides the same way and writes nothing.

- Rejected (any error): an upload row ``rejected`` with its messages; nothing else.
- Locked (a report would change an approved province-period, checked in the write
  transaction): a ``rejected`` upload with the event ``upload_locked``; nothing else.
- Refused (``user`` given and not allowed, :func:`loaders.decide.refusals`): a ``rejected``
  upload with the event ``upload_refused``; nothing else.
- Accepted: the upload, one submission per new report with its values, the previous accepted
  submission of each province-period superseded, the event ``upload``.
- Duplicate: nothing but the upload row and its event.
An interrupted run leaves whole batches.
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
from pathlib import Path
from typing import Any

from dxboard.auth import User
from dxboard.catalogue import Catalogue, load_catalogue
from dxboard.errors import Problem, Reason, UserError
from dxboard.periods import Period, vn_now
from dxboard.registry import load_registry, province_label
from dxboard.review import locked_params
from dxboard.store import Store, reviews
from dxboard.store import submissions as db
from dxboard.store.audit import log_event
from dxboard.store.database import Cursor, next_ids
from loaders.bulk import read_bulk
from loaders.decide import Change, IngestResult, apply, decide, is_current, key_of, refusals
from loaders.readers import WorkbookError, open_workbook
from loaders.report import Report
from loaders.template_reader import is_template, read_template

Item = tuple[str, bytes] | tuple[str, bytes, datetime]
Progress = Callable[[int, str], object]

DEFAULT_BATCH_SIZE = 50
PARALLEL_MIN_FILES = 16
"""Below this many files a worker pool costs more than it saves."""
MAX_BATCH_REPORTS = 10_000
"""A batch is closed early once its files hold this many reports (about 220,000 values)."""

__all__ = ["Change", "IngestResult", "ingest", "ingest_bytes", "ingest_file", "restore"]


def parse_file(
    data: bytes, file_name: str, catalogue: Catalogue, today: date | None = None
) -> tuple[str, list[Report], list[Problem]]:
    """Read and validate a file: (kind, reports, problems); reports is empty on any error."""
    try:
        book = open_workbook(data, file_name)
    except WorkbookError as exc:
        return "unknown", [], [exc.problem()]
    if is_template(book):
        report, problems = read_template(book, catalogue, today)
        return "template", [report] if report else [], [*book.warnings, *problems]
    reports, problems = read_bulk(book, catalogue, today)
    return "bulk", reports, [*book.warnings, *problems]


@dataclass
class _Options:
    actor: str
    dataset: str
    user: User | None
    dry_run: bool
    catalogue: Catalogue


def ingest(
    store: Store,
    items: Iterable[Item],
    *,
    actor: str | None = None,
    dataset: str = "official",
    user: User | None = None,
    dry_run: bool = False,
    today: date | None = None,
    received_at: datetime | None = None,
    progress: Progress | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    workers: int = 1,
    catalogue: Catalogue | None = None,
) -> Iterator[IngestResult]:
    """Validate and store ``items`` (``(file_name, bytes)``, or with a receipt time); one
    :class:`IngestResult` per item, in order, as each batch is committed. Never raises for a
    bad file.

    ``user``: the signed-in account, whose rights are enforced (``actor`` defaults to its
    name); without it (command line, demo) nothing is restricted. ``today`` overrides the date
    used to refuse future periods; ``received_at`` the receipt time (back-dated imports).
    ``progress(done, file_name)`` is called as each file has been read; ``workers`` > 1 reads
    files in worker processes (from :data:`PARALLEL_MIN_FILES` files on).
    """
    catalogue = catalogue or load_catalogue()
    name = actor or (user.username if user is not None else "system")
    options = _Options(name, dataset, user, dry_run, catalogue)
    parsed = _parse_all(items, today, catalogue, workers, progress)
    while chunk := _next_batch(parsed, max(1, batch_size)):
        for result in chunk:
            result.received_at = result.received_at or received_at or vn_now()
        yield from _batch(store, chunk, options)


def ingest_bytes(store: Store, data: bytes, file_name: str, **options: Any) -> IngestResult:
    """:func:`ingest` of one file (the upload page); the options are :func:`ingest`'s."""
    received_at = options.pop("received_at", None)
    items: list[Item] = [(file_name, data, received_at) if received_at else (file_name, data)]
    return next(ingest(store, items, **options))


def ingest_file(store: Store, path: str | Path, **options: Any) -> IngestResult:
    path = Path(path)
    return ingest_bytes(store, path.read_bytes(), path.name, **options)


# --------------------------------------------------------------------------- reading


def _parse(name: str, data: bytes, today: date | None, catalogue: Catalogue) -> IngestResult:
    kind, reports, problems = parse_file(data, name, catalogue, today)
    sha = hashlib.sha256(data).hexdigest()
    return IngestResult(name, sha, kind=kind, reports=reports, problems=problems)


def _parse_task(args: tuple[str, bytes, date | None]) -> IngestResult:
    """Worker entry point (with the worker's own catalogue)."""
    return _parse(*args, load_catalogue())


def _parse_all(
    items: Iterable[Item],
    today: date | None,
    catalogue: Catalogue,
    workers: int,
    progress: Progress | None,
) -> Iterator[IngestResult]:
    """Parsed files in the order of ``items`` (with workers, a few files are read ahead)."""
    source = iter(items)
    first = list(itertools.islice(source, PARALLEL_MIN_FILES))
    source = itertools.chain(first, source)
    parallel = workers > 1 and len(first) >= PARALLEL_MIN_FILES and catalogue is load_catalogue()
    if parallel:
        results = _parse_parallel(source, today, workers)
    else:
        results = (_timed(_parse(i[0], i[1], today, catalogue), i) for i in source)
    for done, result in enumerate(results, start=1):
        if progress is not None:
            progress(done, result.file_name)
        yield result


def _timed(result: IngestResult, item: Item) -> IngestResult:
    if len(item) == 3:
        result.received_at = item[2]
    return result


def _parse_parallel(
    source: Iterator[Item], today: date | None, workers: int
) -> Iterator[IngestResult]:
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    pool: Executor = ProcessPoolExecutor(max_workers=workers, mp_context=context)
    with pool:
        pending: deque[tuple[Future[IngestResult], Item]] = deque()
        for item in source:
            pending.append((pool.submit(_parse_task, (item[0], item[1], today)), item))
            if len(pending) >= 4 * workers:
                future, done = pending.popleft()
                yield _timed(future.result(), done)
        while pending:
            future, done = pending.popleft()
            yield _timed(future.result(), done)


def _next_batch(parsed: Iterator[IngestResult], batch_size: int) -> list[IngestResult]:
    """Up to ``batch_size`` files, fewer when they hold :data:`MAX_BATCH_REPORTS` reports."""
    chunk: list[IngestResult] = []
    reports = 0
    for result in parsed:
        chunk.append(result)
        reports += len(result.reports)
        if len(chunk) >= batch_size or reports >= MAX_BATCH_REPORTS:
            break
    return chunk


# --------------------------------------------------------------------------- one batch


def _batch(store: Store, chunk: list[IngestResult], options: _Options) -> list[IngestResult]:
    refused = _check_rights(chunk, options)
    valid = [r for r in chunk if not r.errors]
    if options.dry_run:
        _decide_all(store.cursor(), valid, options, ids=False)
    else:
        with store.write() as cur:
            uploads = next_ids(cur, "upload_ids", len(chunk))
            for result, upload_id in zip(chunk, uploads, strict=True):
                result.upload_id = upload_id
            fresh, stored = _decide_all(cur, valid, options, ids=True)
            rows = _rows(chunk, fresh, stored, refused, options)
            rows.events = _events(cur, rows.events, options.actor)
            db.write_batch(cur, rows)
    for result in chunk:
        if id(result) in refused:
            result.reports = []
    return chunk


def _check_rights(chunk: list[IngestResult], options: _Options) -> dict[int, dict[str, Any]]:
    """Put the refusals first in each file the account may not load; ``id(result)`` → the
    detail of its ``upload_refused`` event."""
    refused: dict[int, dict[str, Any]] = {}
    for result in chunk:
        result.dry_run = options.dry_run
        if options.user is None or result.errors:
            continue
        problems = refusals(options.user, result)
        if problems:
            result.problems = [*problems, *result.problems]
            refused[id(result)] = _refused_detail(result, options)
    return refused


def _decide_all(
    cur: Cursor, valid: list[IngestResult], options: _Options, ids: bool
) -> tuple[dict[int, list[Report]], set[db.Key]]:
    """Decide every valid file in order against the store's state: ``id(result)`` → the
    reports to store, and the province-periods that had an accepted submission before the
    batch. With ``ids``, submission ids are drawn for the reports to store."""
    keys = {key_of(r) for res in valid for r in res.reports}
    previous = {(r.province.code, str(r.period.previous())) for res in valid for r in res.reports}
    state = db.read_state(cur, keys, previous, {r.sha256 for r in valid})
    stored = set(state.current)
    pool = iter(next_ids(cur, "submission_ids", _new_reports(valid, state) if ids else 0))
    fresh: dict[int, list[Report]] = {}
    for result in valid:
        reports = decide(result, state, options.catalogue)
        if ids:
            taken = list(itertools.islice(pool, len(reports)))
            more = len(reports) - len(taken)  # two files of the batch for one province-period
            result.submission_ids = taken + next_ids(cur, "submission_ids", more)
        apply(state, result, reports)
        fresh[id(result)] = reports
    return fresh, stored


def _new_reports(valid: list[IngestResult], state: db.IngestState) -> int:
    """How many reports differ from the state before the batch: the submission ids to draw
    (exact unless two files of the batch hold the same province-period)."""
    return sum(
        1
        for result in valid
        if result.sha256 not in state.loaded
        for report in result.reports
        if not is_current(state, report)
    )


def _rows(
    chunk: list[IngestResult],
    fresh: dict[int, list[Report]],
    stored: set[db.Key],
    refused: dict[int, dict[str, Any]],
    options: _Options,
) -> db.BatchRows:
    """The rows of the batch: an upload per file, its submissions and values, and its event
    as (action, upload id, detail) until the event ids are drawn."""
    rows = db.BatchRows()
    pending: dict[db.Key, int] = {}
    for result in chunk:
        rows.uploads.append(_upload_row(result, options))
        if id(result) in refused:
            rows.events.append(("upload_refused", result.upload_id, refused[id(result)]))
        locked = [p.params for p in result.errors if p.reason == Reason.LOCKED]
        if locked:
            rows.events.append(("upload_locked", result.upload_id, _locked_detail(result, locked)))
        if result.errors:
            continue
        reports = fresh[id(result)]
        for report, sid in zip(reports, result.submission_ids, strict=True):
            _add_submission(rows, pending, stored, result, report, sid, options.dataset)
        detail = {"status": result.status, "file": result.file_name, "reports": len(reports)}
        rows.events.append(("upload", result.upload_id, detail))
    return rows


def _events(cur: Cursor, events: list[tuple[Any, ...]], actor: str) -> list[tuple[Any, ...]]:
    """Event rows with their ids, in file order."""
    ids = next_ids(cur, "event_ids", len(events))
    return [
        (
            eid,
            vn_now(),
            actor,
            action,
            upload_id,
            None,
            json.dumps(detail, ensure_ascii=False, default=str),
        )
        for eid, (action, upload_id, detail) in zip(ids, events, strict=True)
    ]


def _locked_detail(result: IngestResult, locks: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "file": result.file_name,
        "locked": [f"{p['code']} {p['period']}" for p in locks],
        "approved_by": sorted({p["actor"] for p in locks}),
    }


def _refused_detail(result: IngestResult, options: _Options) -> dict[str, Any]:
    user = options.user
    return {
        "file": result.file_name,
        "role": user.role if user else None,
        "allowed": user.province_code if user else None,
        "found": sorted({f"{r.province.code} {r.period}" for r in result.reports}),
    }


def _add_submission(
    rows: db.BatchRows,
    pending: dict[db.Key, int],
    stored: set[db.Key],
    result: IngestResult,
    report: Report,
    sid: int,
    dataset: str,
) -> None:
    """A submission and its values; the one it replaces (stored, or earlier in the batch) is
    superseded."""
    key = key_of(report)
    if key in pending:
        rows.submissions[pending[key]][8] = "superseded"
    elif key in stored:
        rows.supersede.add(key)
    pending[key] = len(rows.submissions)
    code, period = key
    rows.submissions.append(
        [
            sid,
            result.upload_id,
            code,
            period,
            report.period.era,
            dataset,
            report.content_hash,
            result.received_at,
            "accepted",
            report.source_ref,
        ]
    )
    n = len(report.values)
    sub, prov, per, fld, val, note, ref_no, ref_date = rows.values
    sub += [sid] * n
    prov += [code] * n
    per += [period] * n
    for name, value in report.values.items():
        fld.append(name)
        val.append(value.value)
        note.append(value.note)
        ref_no.append(value.ref_no)
        ref_date.append(value.ref_date)


def _upload_row(result: IngestResult, options: _Options) -> tuple[Any, ...]:
    template = result.kind == "template" and len(result.reports) == 1
    province = result.reports[0].province.code if template else None
    period = str(result.reports[0].period) if template else None
    messages = json.dumps([p.record() for p in result.problems], ensure_ascii=False)
    return (
        result.upload_id,
        result.kind,
        options.dataset,
        result.file_name,
        result.sha256,
        options.actor,
        result.received_at,
        result.status,
        province,
        period,
        len(result.reports),
        messages,
    )


# --------------------------------------------------------------------------- restoring


class RestoreError(UserError):
    """The submission cannot be restored (unknown id)."""


class RestoreRefused(RestoreError):
    """The account may not restore a submission of this province (logged ``restore_refused``)."""


@dataclass
class RestoreResult:
    """What a restore changes: the values, and for each submission the one it replaced."""

    changes: list[Change] = field(default_factory=list)
    replaced: dict[int, int | None] = field(default_factory=dict)
    dry_run: bool = False


def restore(
    store: Store,
    submission_ids: int | Sequence[int],
    *,
    actor: str | None = None,
    user: User | None = None,
    dry_run: bool = False,
) -> RestoreResult:
    """Make earlier submissions the accepted ones again (all or none), or with ``dry_run`` say
    what would change. With ``user``, only provinces the account may upload for
    (:class:`RestoreRefused`, logged ``restore_refused``). An approved province-period is
    locked (reason ``locked``); a restored submission keeps its own review state."""
    ids = [submission_ids] if isinstance(submission_ids, int) else list(submission_ids)
    actor = actor or (user.username if user is not None else "system")
    result = RestoreResult(dry_run=dry_run)
    with store.write() as cur:
        found = db.versions(cur, ids)
        missing = [i for i in ids if i not in found]
        if missing:
            raise RestoreError(Reason.UNKNOWN_SUBMISSION, submission=missing[0])
        refused = [
            v for v in found.values() if user and not user.can_restore(v.province_code, v.period)
        ]
        blocked = _blocked(cur, found)
        if blocked is not None:
            raise blocked
        if refused:
            _log_refused(cur, actor, user, refused[0])
        else:
            result.changes = _restore_changes(cur, found)
            wanted = [i for i, v in found.items() if v.status != "accepted"]
            if not dry_run and wanted:
                result.replaced = db.make_current(cur, wanted)
                for sid, old in result.replaced.items():
                    v = found[sid]
                    detail = {"province": v.province_code, "period": v.period, "replaced": old}
                    log_event(cur, actor, "restore", None, sid, detail)
    if refused:
        raise _refusal(user, refused[0])
    return result


def _blocked(cur: Cursor, found: dict[int, db.Version]) -> RestoreError | None:
    """The refusal to replace the approved submission of a locked province-period."""
    keys = {(v.province_code, v.period) for v in found.values()}
    held = reviews.locks(cur, keys)
    for version in found.values():
        lock = held.get((version.province_code, version.period))
        if lock is not None and lock.submission_id != version.submission_id:
            return RestoreError(Reason.LOCKED, **locked_params(lock))
    return None


def _restore_changes(cur: Cursor, found: dict[int, db.Version]) -> list[Change]:
    keys = {(v.province_code, v.period) for v in found.values()}
    current = db.read_state(cur, keys, (), ()).current
    changes = []
    for version in found.values():
        key = (version.province_code, version.period)
        old = current[key].values if key in current else {}
        new = version.values
        changes += [
            Change(*key, name, old.get(name), new.get(name))
            for name in sorted(old.keys() | new.keys())
            if old.get(name) != new.get(name)
        ]
    return changes


def _log_refused(cur: Cursor, actor: str, user: User | None, version: db.Version) -> None:
    detail = {
        "province": version.province_code,
        "period": version.period,
        "role": user.role if user else None,
        "allowed": user.province_code if user else None,
    }
    log_event(cur, actor, "restore_refused", None, version.submission_id, detail)


def _refusal(user: User | None, version: db.Version) -> RestoreRefused:
    era = Period.parse(version.period).era
    province = load_registry().get(version.province_code, era)
    return RestoreRefused(
        Reason.NOT_YOUR_PROVINCE,
        "restore_refused",
        username=user.username if user else "",
        province=province_label(province),
        period=version.period,
    )
