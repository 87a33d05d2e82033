"""What happens to each file of a batch, decided without I/O from the store's state.

- :func:`refusals`: the account may not load every report of the file (role, disabled
  account, another province): the whole file is refused.
- :func:`decide`: a valid file against :class:`~dxboard.store.submissions.IngestState`:
  ``rejected`` (reason ``locked``) when a report would change an approved province-period,
  ``accepted`` (some report differs from the current one), or ``duplicate`` (nothing to
  store): every report equals the current one, or the file's exact bytes were accepted before.
  Re-loading a file never changes anything, even when its figures were replaced since (by a
  newer file or a restore): the result then says so report by report and lists the earlier
  submissions (:attr:`IngestResult.restorable`) that a restore makes current again.
- :func:`apply`: the state as the next file of the batch sees it once this one is stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from dxboard.auth import User
from dxboard.catalogue import Catalogue, RawField
from dxboard.errors import Problem, Reason
from dxboard.i18n import tr
from dxboard.periods import vn_now
from dxboard.registry import load_registry, province_label
from dxboard.review import locked_params
from dxboard.store.reviews import Reviewed
from dxboard.store.submissions import Current, FirstLoad, IngestState, Key
from loaders.report import Report
from loaders.template import REPORT_SHEET

Status = Literal["accepted", "rejected", "duplicate"]


@dataclass(frozen=True)
class Change:
    """One value that a load (or a restore) changes."""

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
    status: Status = "rejected"
    kind: str = "unknown"  # template | bulk | unknown
    problems: list[Problem] = field(default_factory=list)
    reports: list[Report] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    duplicates: int = 0
    upload_id: int | None = None
    submission_ids: list[int] = field(default_factory=list)
    restorable: list[int] = field(default_factory=list)
    """Earlier submissions with this file's figures, replaced since: a restore brings them back."""
    dry_run: bool = False
    received_at: datetime | None = None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    def as_dict(self) -> dict[str, Any]:
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
            "restorable": self.restorable,
            "messages": [p.record() for p in self.problems],
        }


def key_of(report: Report) -> Key:
    return report.province.code, str(report.period)


# --------------------------------------------------------------------------- rights


def refusals(user: User, result: IngestResult) -> list[Problem]:
    """Why ``user`` may not load this file (nothing when it may load every report)."""
    name = result.file_name
    if user.disabled:
        return [
            Problem(
                file=name,
                field="province",
                reason=Reason.ACCOUNT_DISABLED,
                key="upload_account_disabled",
                params={"username": user.username},
            )
        ]
    if not user.uploads_anything:
        return [
            Problem(
                file=name,
                field="province",
                reason=Reason.ROLE,
                key="upload_role",
                params={"username": user.username, "role": tr(f"login.role_{user.role}")},
            )
        ]
    return [_not_yours(user, result, r) for r in result.reports if not _may_load(user, r)]


def _may_load(user: User, report: Report) -> bool:
    return user.can_upload(report.province.code, report.period) and (
        user.is_admin or report.province.era == report.period.era
    )


def _not_yours(user: User, result: IngestResult, report: Report) -> Problem:
    registry = load_registry()
    allowed = [registry.get(c, report.period.era) for c in user.allowed_codes(report.period)]
    params = {
        "province": province_label(report.province),
        "period": str(report.period),
        "username": user.username,
        "allowed": [province_label(p) for p in allowed] or tr("words.none_province"),
    }
    return _at_province(result, report, Reason.NOT_YOUR_PROVINCE, params)


def _at_province(
    result: IngestResult, report: Report, reason: Reason, params: dict[str, Any]
) -> Problem:
    """A refusal of ``report`` placed at the cell naming its province."""
    sheet, cell = _province_cell(result, report)
    return Problem(
        file=result.file_name,
        sheet=sheet,
        cell=cell,
        field="province",
        reason=reason,
        params=params,
    )


def _province_cell(result: IngestResult, report: Report) -> tuple[str, str]:
    """(sheet, cell) naming the report's province: D2 of a template, the row of a bulk table."""
    if result.kind == "template":
        return REPORT_SHEET, "D2"
    sheet, _, cell = report.source_ref.partition("!")
    return sheet, cell


# --------------------------------------------------------------------------- deciding


def decide(result: IngestResult, state: IngestState, catalogue: Catalogue) -> list[Report]:
    """Set the status, changes and notes of a valid file; return the reports to store."""
    first = state.loaded.get(result.sha256)
    if first is not None:
        _loaded_before(result, first, state)
        return []
    fresh = [r for r in result.reports if not is_current(state, r)]
    locked = [r for r in fresh if key_of(r) in state.locks]
    if locked:
        result.status = "rejected"
        result.problems += [_locked(result, r, state.locks[key_of(r)]) for r in locked]
        return []
    result.duplicates = len(result.reports) - len(fresh)
    result.status = "accepted" if fresh else "duplicate"
    for report in fresh:
        result.changes += _changes(state.current.get(key_of(report)), report)
    result.problems += _yes_to_no(result.file_name, fresh, state, catalogue)
    return fresh


def _locked(result: IngestResult, report: Report, lock: Reviewed) -> Problem:
    """The refusal of a report for an approved (locked) province-period, at its province cell."""
    return _at_province(result, report, Reason.LOCKED, locked_params(lock))


def is_current(state: IngestState, report: Report) -> bool:
    current = state.current.get(key_of(report))
    return current is not None and current.content_hash == report.content_hash


def _changes(current: Current | None, report: Report) -> list[Change]:
    old = current.values if current is not None else {}
    new = {code: v.value for code, v in report.values.items()}
    code, period = key_of(report)
    return [
        Change(code, period, name, old.get(name), new.get(name))
        for name in sorted(old.keys() | new.keys())
        if old.get(name) != new.get(name)
    ]


def _loaded_before(result: IngestResult, first: FirstLoad, state: IngestState) -> None:
    """The same bytes again: nothing is stored; say whether the figures are still current."""
    result.status = "duplicate"
    result.duplicates = len(result.reports)
    when = {"upload": first.upload_id or "–", "at": first.received_at.isoformat()}
    replaced = [r for r in result.reports if not is_current(state, r)]
    if not replaced:
        result.problems.append(
            Problem(file=result.file_name, reason=Reason.SAME_FILE, severity="warning", params=when)
        )
        return
    for report in replaced:
        key = key_of(report)
        earlier = state.versions.get((key, report.content_hash))
        current = state.current.get(key)
        if earlier:
            result.restorable.append(earlier)
        result.problems.append(
            Problem(
                file=result.file_name,
                sheet=report.sheet,
                cell=report.cells.get("province", ""),
                field="province",
                reason=Reason.REPLACED_SINCE,
                severity="warning",
                params={
                    **when,
                    "province": province_label(report.province),
                    "period": key[1],
                    "earlier": earlier or "–",
                    "current": current.submission_id if current else "–",
                    "current_file": current.file_name if current else "–",
                    "current_at": current.received_at.isoformat() if current else "",
                },
            )
        )


def _yes_to_no(
    file_name: str, reports: list[Report], state: IngestState, catalogue: Catalogue
) -> list[Problem]:
    """Warn when a yes/no field was Có last quarter and is Không now (same era and framework
    version only: across a change of version the field may mean something else)."""
    yes_no = {f.code: f for f in catalogue.fields if f.kind == "bool"}
    warnings = []
    for report in reports:
        previous = report.period.previous()
        if previous.era != report.period.era:
            continue
        if catalogue.version_for(previous).id != catalogue.version_for(report.period).id:
            continue
        was_yes = state.yes.get((report.province.code, str(previous)), set())
        for code, value in report.values.items():
            if code in yes_no and value.value == 0 and code in was_yes:
                warnings.append(yes_to_no_warning(file_name, report, yes_no[code], str(previous)))
    return warnings


def yes_to_no_warning(file_name: str, report: Report, fld: RawField, previous: str) -> Problem:
    """The warning that ``fld`` of ``report`` is Không after Có in ``previous`` quarter, at the
    cell it was read from."""
    return Problem(
        file=file_name,
        sheet=report.sheet,
        cell=report.cells.get(fld.code, ""),
        field=fld.code,
        reason=Reason.YES_TO_NO,
        severity="warning",
        params={
            "province": report.province.short_name,
            "period": str(report.period),
            "field_name": fld.names,
            "previous": previous,
        },
    )


def apply(state: IngestState, result: IngestResult, fresh: list[Report]) -> None:
    """Update ``state`` as if ``result`` were stored: later files of the batch see it."""
    at = result.received_at or vn_now()
    if result.status == "accepted" and result.sha256 not in state.loaded:
        state.loaded[result.sha256] = FirstLoad(result.upload_id or 0, at)
    ids = result.submission_ids or [0] * len(fresh)
    for report, sid in zip(fresh, ids, strict=True):
        key = key_of(report)
        values = {code: v.value for code, v in report.values.items()}
        state.current[key] = Current(sid, report.content_hash, values, result.file_name, at)
        state.versions[(key, report.content_hash)] = sid
        state.yes[key] = {code for code, value in values.items() if value == 1}
