"""Review and approval of submissions: the states, the transitions between them, and the three
actions (approve, return, reopen) run in one write transaction each and audited.

States: ``submitted`` (chờ duyệt) → ``approved`` (đã duyệt) or ``returned`` (trả lại, with
comments per field or for the whole report); ``approved`` → ``submitted`` by a reopen (with a
reason), which unlocks the province-period. Only the accepted submission of a province-period is
reviewed; a returned report is corrected by a new upload, whose submission starts as
``submitted``. Reviewers are analysts and admins (:attr:`dxboard.auth.User.can_review`); the
command line without an account is not restricted. Every refusal is a :class:`UserError` and is
logged (``review_refused``); approvals, returns and reopenings are logged
(``review_approve``, ``review_return``, ``review_reopen``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from dxboard.auth import User
from dxboard.catalogue import load_catalogue
from dxboard.errors import Reason, UserError
from dxboard.i18n import tr
from dxboard.periods import Period
from dxboard.registry import load_registry, province_label
from dxboard.store import Store
from dxboard.store import reviews as db
from dxboard.store.audit import log_event
from dxboard.store.database import Cursor, bump_version

SUBMITTED, APPROVED, RETURNED = "submitted", "approved", "returned"
STATES = (SUBMITTED, APPROVED, RETURNED)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "approve": (frozenset({SUBMITTED}), APPROVED),
    "return": (frozenset({SUBMITTED}), RETURNED),
    "reopen": (frozenset({APPROVED}), SUBMITTED),
}
"""Action → (the states it may start from, the state it leaves)."""

Comment = tuple[str | None, str]
"""(field code, or None for the whole report; the comment)."""


@dataclass(frozen=True)
class Outcome:
    """What a review action did."""

    action: str
    submission_id: int
    province_code: str
    period: str
    state: str
    actor: str
    at_time: datetime

    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "at_time": self.at_time.isoformat()}


# --------------------------------------------------------------------------- pure rules


def province_text(code: str, period: str) -> dict[str, Any]:
    """A province for messages: its label in the period's era."""
    return province_label(load_registry().get(code, Period.parse(period).era))


def transition(action: str, user: User | None, found: db.Reviewed) -> str:
    """The state ``action`` leaves ``found`` in, or the :class:`UserError` refusing it."""
    if user is not None and not user.can_review:
        raise UserError(
            Reason.NOT_REVIEWER,
            username=user.username,
            role=tr(f"login.role_{user.role}"),
        )
    if found.status != "accepted":
        raise UserError(Reason.SUPERSEDED, submission=found.submission_id)
    starts, target = TRANSITIONS[action]
    if found.state not in starts:
        raise UserError(
            Reason.REVIEW_STATE,
            submission=found.submission_id,
            state=tr(f"review.state_{found.state}"),
            action=tr(f"review.action_{action}"),
        )
    return target


def check_comments(comments: Sequence[Comment], required: bool) -> list[Comment]:
    """Comments stripped; a field must be a catalogue field; at least one when ``required``."""
    codes = {f.code for f in load_catalogue().fields}
    kept = [(f.strip() if f else None, text.strip()) for f, text in comments if text.strip()]
    for fld, _ in kept:
        if fld is not None and fld not in codes:
            raise UserError(Reason.REVIEW_COMMENT, "review_unknown_field", field=fld)
    if required and not kept:
        raise UserError(Reason.REVIEW_COMMENT)
    return kept


def locked_error(lock: db.Reviewed) -> UserError:
    """The refusal of a change to a locked (approved) province-period."""
    return UserError(Reason.LOCKED, **locked_params(lock))


def locked_params(lock: db.Reviewed) -> dict[str, Any]:
    return {
        "province": province_text(lock.province_code, lock.period),
        "code": lock.province_code,
        "period": lock.period,
        "actor": lock.actor or "",
        "at": lock.at_time.isoformat() if lock.at_time else "",
    }


def due_date(period: str | Period, overrides: dict[str, str] | None = None) -> date:
    """The due date of a period: ``meta`` ``due:<period>`` when set, else the 15th day after
    the quarter ends (a date in Vietnam time)."""
    text = str(Period.parse(period))
    if overrides and text in overrides:
        return date.fromisoformat(overrides[text])
    return Period.parse(period).deadline()


# --------------------------------------------------------------------------- actions


def approve(
    store: Store,
    submission_id: int,
    *,
    note: str | None = None,
    actor: str | None = None,
    user: User | None = None,
    now: datetime | None = None,
) -> Outcome:
    """Approve the accepted submission ``submission_id`` (locks its province-period)."""
    return _act(store, "approve", _by_id(submission_id), note, [], actor, user, now)


def send_back(
    store: Store,
    submission_id: int,
    comments: Sequence[Comment],
    *,
    actor: str | None = None,
    user: User | None = None,
    now: datetime | None = None,
) -> Outcome:
    """Return the submission to its province with comments (at least one)."""
    kept = check_comments(comments, required=True)
    return _act(store, "return", _by_id(submission_id), None, kept, actor, user, now)


def reopen(
    store: Store,
    province_code: str,
    period: str | Period,
    reason: str,
    *,
    actor: str | None = None,
    user: User | None = None,
    now: datetime | None = None,
) -> Outcome:
    """Unlock an approved province-period (its submission waits for review again)."""
    text = str(Period.parse(period))
    if not reason.strip():
        raise UserError(Reason.REVIEW_COMMENT, "review_reason")

    def find(cur: Cursor) -> db.Reviewed:
        found = db.accepted(cur, province_code, text)
        if found is None:
            raise UserError(
                Reason.UNKNOWN_SUBMISSION,
                "review_nothing",
                province=province_text(province_code, text),
                period=text,
            )
        return found

    return _act(store, "reopen", find, reason.strip(), [], actor, user, now)


def _by_id(submission_id: int) -> Callable[[Cursor], db.Reviewed]:
    def find(cur: Cursor) -> db.Reviewed:
        found = db.submission(cur, submission_id)
        if found is None:
            raise UserError(Reason.UNKNOWN_SUBMISSION, submission=submission_id)
        return found

    return find


def _act(
    store: Store,
    action: str,
    find: Callable[[Cursor], db.Reviewed],
    note: str | None,
    comments: list[Comment],
    actor: str | None,
    user: User | None,
    now: datetime | None,
) -> Outcome:
    """Read, check and write in one transaction; a refusal is logged, then raised."""
    name = actor or (user.username if user is not None else "system")
    at = now or datetime.now()
    refusal: UserError | None = None
    with store.write() as cur:
        found = find(cur)
        detail: dict[str, Any] = {"province": found.province_code, "period": found.period}
        try:
            state = transition(action, user, found)
        except UserError as exc:
            refusal = exc
            detail |= {"action": action, "reason": exc.reason.value, "state": found.state}
            log_event(cur, name, "review_refused", None, found.submission_id, detail, at)
        else:
            db.add_review(cur, found.submission_id, action, state, name, at, note)
            db.add_comments(cur, found.submission_id, comments, name, at)
            detail |= {"state": state, "note": note, "comments": len(comments)}
            log_event(cur, name, f"review_{action}", None, found.submission_id, detail, at)
            bump_version(cur)
    if refusal is not None:
        raise refusal
    return Outcome(action, found.submission_id, found.province_code, found.period, state, name, at)
