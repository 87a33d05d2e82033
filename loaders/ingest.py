"""Ingest: the one function the UI and the command line use to load a file into the store.

- Rejected (any error): an upload row with status ``rejected`` and its messages; no values.
- Accepted: in one transaction the upload, one submission per province and period with its
  values, and the previous accepted submission for that province and period marked superseded.
- Duplicate: every report equals the current accepted one; nothing but the upload log changes.
- Dry run: the same checks and the list of changes (field, old, new), nothing written.
- Refused (``user`` given and not allowed): a leader or analyst cannot upload; an officer's file
  must hold only reports of their province (the current province, or for periods before 2025-Q3
  one of the legacy provinces merged into it). Otherwise the whole file is rejected with a
  ``province`` problem, the upload is logged as rejected with the event ``upload_refused``, and
  no submission or value is written.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from dxboard.auth import ROLE_LABELS_VI, User
from dxboard.catalogue import Catalogue, RawField, load_catalogue
from dxboard.periods import Period
from dxboard.registry import load_registry
from dxboard.store import Store, log_event
from loaders.bulk import read_bulk
from loaders.problems import Problem, Reason
from loaders.readers import WorkbookError, open_workbook
from loaders.report import Report
from loaders.template import REPORT_SHEET
from loaders.template_reader import is_template, read_template


@dataclass(frozen=True)
class Change:
    province_code: str
    period: str
    field: str
    old: float | None
    new: float | None


@dataclass
class IngestResult:
    """What happened to one file."""

    file_name: str
    sha256: str
    status: str  # accepted | rejected | duplicate
    kind: str = "unknown"  # template | bulk | unknown
    problems: list[Problem] = field(default_factory=list)
    reports: list[Report] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    duplicates: int = 0
    upload_id: int | None = None
    submission_ids: list[int] = field(default_factory=list)
    dry_run: bool = False

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    def message_records(self) -> list[dict]:
        """The problems as JSON-ready data with their messages (old and new problem records
        alike: the readers' ``dxboard.errors.Problem`` renders its messages on demand)."""
        return [
            {**p.model_dump(mode="json"), "message_vi": p.message_vi, "message_en": p.message_en}
            for p in self.problems
        ]

    def as_dict(self) -> dict:
        return {
            "file": self.file_name,
            "sha256": self.sha256,
            "status": self.status,
            "kind": self.kind,
            "dry_run": self.dry_run,
            "upload_id": self.upload_id,
            "reports": len(self.reports),
            "duplicates": self.duplicates,
            "changes": len(self.changes),
            "messages": self.message_records(),
        }


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


def ingest_file(store: Store, path: str | Path, **kwargs: object) -> IngestResult:
    path = Path(path)
    return ingest_bytes(store, path.read_bytes(), path.name, **kwargs)  # type: ignore[arg-type]


def ingest_bytes(
    store: Store,
    data: bytes,
    file_name: str,
    *,
    actor: str | None = None,
    dataset: str = "official",
    dry_run: bool = False,
    today: date | None = None,
    received_at: datetime | None = None,
    catalogue: Catalogue | None = None,
    user: User | None = None,
) -> IngestResult:
    """Validate ``data`` and, unless ``dry_run``, store it. Never raises for a bad file.

    ``received_at`` overrides the receipt time (demo data and back-dated historical imports);
    ``today`` overrides the date used to refuse future periods. ``user``: the signed-in account;
    when given, its upload rights are enforced (see the module docstring) and ``actor``
    defaults to its username. Without ``user`` (command line, demo) nothing is restricted.
    """
    actor = actor or (user.username if user is not None else "system")
    received_at = received_at or datetime.now()
    catalogue = catalogue or load_catalogue()
    sha = hashlib.sha256(data).hexdigest()
    kind, reports, problems = parse_file(data, file_name, catalogue, today)
    result = IngestResult(file_name, sha, "rejected", kind, problems, reports, dry_run=dry_run)
    refusals = _refusals(user, result) if user is not None else []
    if refusals:
        result.problems = [*refusals, *problems]
        if not dry_run:
            with store.write() as cur:
                result.upload_id = _insert_upload(cur, result, actor, dataset, received_at)
                _log(
                    cur,
                    actor,
                    "upload_refused",
                    result.upload_id,
                    None,
                    {
                        "file": file_name,
                        "role": user.role,
                        "allowed": user.province_code,
                        "found": sorted({f"{r.province.code} {r.period}" for r in reports}),
                    },
                )
        result.reports = []
        return result
    if result.errors:
        if not dry_run:
            with store.write() as cur:
                result.upload_id = _insert_upload(cur, result, actor, dataset, received_at)
        return result
    if dry_run:
        _compare(store.cursor(), result, catalogue)
        return result
    with store.write() as cur:
        fresh = _compare(cur, result, catalogue)
        result.upload_id = _insert_upload(cur, result, actor, dataset, received_at)
        if fresh:
            result.submission_ids = _insert_reports(
                cur, result.upload_id, fresh, dataset, received_at
            )
            Store.bump_version(cur)
        _log(
            cur,
            actor,
            "upload",
            result.upload_id,
            None,
            {"status": result.status, "file": file_name, "reports": len(fresh)},
        )
    return result


def _refusals(user: User, result: IngestResult) -> list[Problem]:
    """Problems (reason ``province``) when ``user`` may not load every report of the file."""
    name = result.file_name
    if not user.uploads_anything:
        role = ROLE_LABELS_VI.get(user.role, user.role)
        state_vi, state_en = (
            ("đã bị vô hiệu hoá", "is disabled")
            if user.disabled
            else (
                f"có vai trò «{role}», chỉ được xem",
                f"has the role «{user.role}», which may only view",
            )
        )
        return [
            Problem(
                file=name,
                field="province",
                reason=Reason.PROVINCE,
                message_vi=f"Tài khoản «{user.username}» {state_vi}: không được tải số liệu lên.",
                message_en=f"The account «{user.username}» {state_en}: it may not upload data.",
            )
        ]
    registry = load_registry()
    problems = []
    for report in result.reports:
        if user.can_upload(report.province.code, report.period) and (
            user.is_admin or report.province.era == report.period.era
        ):
            continue
        allowed = [registry.get(c, report.period.era) for c in user.allowed_codes(report.period)]
        allowed_vi = ", ".join(p.label for p in allowed) or "không tỉnh nào"
        allowed_en = ", ".join(f"{p.name} (code {p.code})" for p in allowed) or "none"
        if result.kind == "template":
            sheet, cell = REPORT_SHEET, "D2"
        else:
            sheet, _, cell = report.source_ref.partition("!")
        problems.append(
            Problem(
                file=name,
                sheet=sheet,
                cell=cell,
                field="province",
                reason=Reason.PROVINCE,
                message_vi=f"Báo cáo của {report.province.label}, kỳ {report.period}: tài khoản "
                f"«{user.username}» chỉ được tải lên báo cáo của {allowed_vi}. "
                "Tệp bị từ chối, không có số liệu nào được lưu.",
                message_en=f"Report of {report.province.name} (code {report.province.code}), "
                f"{report.period}: the account «{user.username}» may only upload reports "
                f"of {allowed_en}. The file is rejected; nothing was stored.",
            )
        )
    return problems


def _compare(cur, result: IngestResult, catalogue: Catalogue) -> list[Report]:
    """Set status, duplicates, changes and warnings; return the reports that are new.

    A report is a duplicate when it equals the current accepted one, and every report of a
    file is a duplicate when the same bytes were accepted before: loading a file twice
    changes nothing, even after a later correction (use restore to go back to it).
    """
    seen = _accepted_before(cur, result)
    current = _current(cur, result.reports)
    fresh = (
        []
        if seen
        else [r for r in result.reports if current.get(_key(r), (None,))[0] != r.content_hash()]
    )
    result.duplicates = len(result.reports) - len(fresh)
    result.status = "accepted" if fresh else "duplicate"
    for report in fresh:
        old = current.get(_key(report), (None, {}))[1]
        new = {code: v.value for code, v in report.values.items()}
        for code in sorted(set(old) | set(new)):
            if old.get(code) != new.get(code):
                result.changes.append(Change(*_key(report), code, old.get(code), new.get(code)))
    result.problems += _yes_to_no(cur, fresh, result.file_name, catalogue)
    return fresh


def _accepted_before(cur, result: IngestResult) -> bool:
    """Whether these exact bytes were accepted before; adds a note saying when."""
    rows = cur.execute(  # fetchall: DuckDB refuses new work on a cursor with unread rows
        "SELECT min(id), min(received_at) FROM uploads WHERE sha256 = ? AND status = 'accepted'",
        [result.sha256],
    ).fetchall()
    row = rows[0]
    if row[0] is None:
        return False
    when = row[1].strftime("%d/%m/%Y %H:%M")
    result.problems.append(
        Problem(
            file=result.file_name,
            reason=Reason.DUPLICATE_REPORT,
            severity="warning",
            message_vi=f"Tệp này (cùng nội dung từng byte) đã được nạp lúc {when} (lượt tải "
            f"{row[0]}); không có gì thay đổi. Để dùng lại số liệu cũ, hãy khôi phục.",
            message_en=f"This exact file was already loaded on {when} (upload {row[0]}); nothing "
            "changes. To make its values current again, restore that submission.",
        )
    )
    return True


def _key(report: Report) -> tuple[str, str]:
    return report.province.code, str(report.period)


def _key_lists(reports: list[Report], shift: int = 0) -> list[list[str]]:
    """[codes, periods] of ``reports`` (the quarter ``shift`` before), for ``unnest(?)``."""
    return [
        [r.province.code for r in reports],
        [str(r.period.previous(shift)) if shift else str(r.period) for r in reports],
    ]


_KEYS = "(SELECT unnest(?::VARCHAR[]) AS province_code, unnest(?::VARCHAR[]) AS period)"


def _current(cur, reports: list[Report]) -> dict[tuple[str, str], tuple[str, dict]]:
    """(province, period) → (content hash, {field: value}) of the accepted submission."""
    if not reports:
        return {}
    rows = cur.execute(
        "SELECT s.province_code, s.period, s.content_hash, v.field, v.value "
        f"FROM submissions s JOIN {_KEYS} k USING (province_code, period) "
        "LEFT JOIN raw_values v ON v.submission_id = s.id WHERE s.status = 'accepted'",
        _key_lists(reports),
    ).fetchall()
    out: dict[tuple[str, str], tuple[str, dict]] = {}
    for prov, period, chash, fld, value in rows:
        entry = out.setdefault((prov, period), (chash, {}))
        if fld is not None:
            entry[1][fld] = value
    return out


def _yes_to_no(cur, reports: list[Report], file_name: str, catalogue: Catalogue) -> list[Problem]:
    """Warn when a yes/no field was Có last quarter and is Không now (same era only)."""
    yes_no = {f.code: f for f in catalogue.fields if f.kind == "bool"}
    same_era = [r for r in reports if r.period.previous().era == r.period.era]
    if not same_era:
        return []
    rows = cur.execute(
        "SELECT c.province_code, c.period, c.field FROM current_values c "
        f"JOIN {_KEYS} k USING (province_code, period) WHERE c.value = 1",
        _key_lists(same_era, shift=1),
    ).fetchall()
    was_yes = {(p, f) for p, _, f in rows}
    warnings = []
    for report in same_era:
        for code, val in report.values.items():
            if code in yes_no and val.value == 0 and (report.province.code, code) in was_yes:
                warnings.append(
                    yes_to_no_warning(file_name, report, yes_no[code], report.period.previous())
                )
    return warnings


def yes_to_no_warning(file_name: str, report: Report, fld: RawField, previous: object) -> Problem:
    """The warning that ``fld`` of ``report`` is Không after Có in ``previous`` quarter,
    at the cell it was read from."""
    who = f"{report.province.short_name} {report.period}"
    return Problem(
        file=file_name,
        sheet=report.sheet,
        cell=report.cells.get(fld.code, ""),
        field=fld.code,
        reason=Reason.YES_TO_NO,
        severity="warning",
        message_vi=f"{who}: «{fld.name_vi}» chuyển từ Có (kỳ {previous}) sang Không. "
        "Hãy kiểm tra lại.",
        message_en=f"{who}: «{fld.name_en}» went from yes ({previous}) to no. Please check.",
    )


def _insert_upload(
    cur, result: IngestResult, actor: str, dataset: str, received_at: datetime
) -> int:
    template = result.kind == "template" and len(result.reports) == 1
    province = result.reports[0].province.code if template else None
    period = str(result.reports[0].period) if template else None
    messages = json.dumps(result.message_records(), ensure_ascii=False)
    (upload_id,) = cur.execute(
        "INSERT INTO uploads (kind, dataset, file_name, sha256, actor, received_at, status, "
        "province_code, period, n_reports, messages) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "RETURNING id",
        [
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
        ],
    ).fetchone()
    return int(upload_id)


def _insert_reports(
    cur, upload_id: int, reports: list[Report], dataset: str, now: datetime
) -> list[int]:
    ids = [
        r[0]
        for r in cur.execute(
            "SELECT nextval('submission_ids') FROM range(?)", [len(reports)]
        ).fetchall()
    ]
    subs = [
        (
            sid,
            upload_id,
            r.province.code,
            str(r.period),
            r.period.era,
            dataset,
            r.content_hash(),
            now,
            "accepted",
            r.source_ref,
        )
        for sid, r in zip(ids, reports, strict=True)
    ]
    values = [
        (sid, r.province.code, str(r.period), code, v.value, v.note, v.ref_no, v.ref_date)
        for sid, r in zip(ids, reports, strict=True)
        for code, v in r.values.items()
    ]
    cur.execute(
        f"UPDATE submissions SET status = 'superseded' FROM {_KEYS} i "
        "WHERE submissions.status = 'accepted' AND submissions.province_code = i.province_code "
        "AND submissions.period = i.period",
        _key_lists(reports),
    )
    insert_rows(cur, "submissions", SUBMISSION_COLUMNS, subs)
    insert_rows(cur, "raw_values", VALUE_COLUMNS, values)
    return ids


# --------------------------------------------------------------------------- set-based inserts

try:  # Arrow tables are scanned by DuckDB without looking at every value
    import pyarrow as pa
except ImportError:  # pragma: no cover
    pa = None

UPLOAD_COLUMNS = {
    "id": "id",
    "kind": "str",
    "dataset": "str",
    "file_name": "str",
    "sha256": "str",
    "actor": "str",
    "received_at": "time",
    "status": "str",
    "province_code": "str",
    "period": "str",
    "n_reports": "id",
    "messages": "str",
}
SUBMISSION_COLUMNS = {
    "id": "id",
    "upload_id": "id",
    "province_code": "str",
    "period": "str",
    "era": "str",
    "dataset": "str",
    "content_hash": "str",
    "received_at": "time",
    "status": "str",
    "source_ref": "str",
}
VALUE_COLUMNS = {
    "submission_id": "id",
    "province_code": "str",
    "period": "str",
    "field": "str",
    "value": "float",
    "note": "str",
    "ref_no": "str",
    "ref_date": "date",
}
EVENT_COLUMNS = {
    "id": "id",
    "at_time": "time",
    "actor": "str",
    "action": "str",
    "upload_id": "id",
    "submission_id": "id",
    "detail": "str",
}


def columns_table(columns: dict[str, str], data: list) -> object:
    """Column lists (in the order of ``columns``) as an Arrow table with the columns' types
    (a data frame without pyarrow)."""
    if pa is not None:
        types = {
            "id": pa.int64(),
            "str": pa.string(),
            "float": pa.float64(),
            "time": pa.timestamp("us"),
            "date": pa.date32(),
        }
        return pa.table(
            {
                name: pa.array(list(values), type=types[kind])
                for (name, kind), values in zip(columns.items(), data, strict=True)
            }
        )
    frame = pd.DataFrame(
        {name: list(values) for name, values in zip(columns, data, strict=True)}, dtype=object
    )
    for name, kind in columns.items():
        if kind == "id":
            frame[name] = frame[name].astype("Int64")
        elif kind == "float":
            frame[name] = pd.to_numeric(frame[name]).astype("float64")
        elif kind in ("time", "date"):
            frame[name] = pd.to_datetime(frame[name])
    return frame


def insert_rows(cur, table: str, columns: dict[str, str], rows: list[tuple] | list[list]) -> None:
    """One ``INSERT … SELECT`` of ``rows`` (tuples in the order of ``columns``) into
    ``table``."""
    if rows:
        insert_columns(cur, table, columns, list(zip(*rows, strict=True)))


def insert_columns(cur, table: str, columns: dict[str, str], data: list) -> None:
    """One ``INSERT … SELECT`` of the column lists ``data`` into ``table``."""
    if not data or not len(data[0]):
        return
    name = f"incoming_{table}"
    cur.register(name, columns_table(columns, data))
    try:
        cur.execute(f"INSERT INTO {table} BY NAME SELECT * FROM {name}")
    finally:
        cur.unregister(name)


def _log(
    cur, actor: str, action: str, upload_id: int | None, submission_id: int | None, detail: dict
) -> None:
    log_event(cur, actor, action, upload_id, submission_id, detail)


class RestoreError(ValueError):
    """The submission cannot be restored (unknown id)."""


class RestoreRefused(RestoreError, PermissionError):
    """The account may not restore a submission of this province (logged ``restore_refused``)."""

    def __init__(self, message_vi: str, message_en: str) -> None:
        super().__init__(message_en)
        self.message_vi = message_vi
        self.message_en = message_en


def restore(
    store: Store, submission_id: int, actor: str | None = None, user: User | None = None
) -> int | None:
    """Make an earlier submission the accepted one again; returns the one it replaced.

    With ``user``, only a province the account may upload for (``User.can_restore``); otherwise
    :class:`RestoreRefused` after logging ``restore_refused``.
    """
    actor = actor or (user.username if user is not None else "system")
    with store.write() as cur:
        row = cur.execute(
            "SELECT province_code, period, status FROM submissions WHERE id = ?", [submission_id]
        ).fetchone()
        if row is None:
            raise RestoreError(f"no submission {submission_id}")
        province, period, status = row
        allowed = user is None or user.can_restore(province, period)
        if allowed and status == "accepted":
            return None
        if allowed:
            replaced = cur.execute(
                "UPDATE submissions SET status = 'superseded' WHERE province_code = ? "
                "AND period = ? AND status = 'accepted' RETURNING id",
                [province, period],
            ).fetchall()
            cur.execute("UPDATE submissions SET status = 'accepted' WHERE id = ?", [submission_id])
            Store.bump_version(cur)
            previous = replaced[0][0] if replaced else None
            _log(
                cur,
                actor,
                "restore",
                None,
                submission_id,
                {"province": province, "period": period, "replaced": previous},
            )
        else:
            _log(
                cur,
                actor,
                "restore_refused",
                None,
                submission_id,
                {
                    "province": province,
                    "period": period,
                    "role": user.role,
                    "allowed": user.province_code,
                },
            )
    if not allowed:
        name = load_registry().get(province, Period.parse(period).era).name
        raise RestoreRefused(
            f"Tài khoản «{user.username}» không được khôi phục báo cáo của {name} (mã "
            f"{province}), kỳ {period}.",
            f"The account «{user.username}» may not restore a report of {name} (code "
            f"{province}), {period}.",
        )
    return previous
