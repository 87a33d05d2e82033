"""Review states for the pages: which figures a reader sees, and where each province stands.

- :func:`in_scope`: raw values (``frames.read_raw``, with ``review_state``) kept for a scope:
  ``all`` accepted submissions, or only the ``approved`` ones (leaders' default).
- :func:`review_grid`: approved / waiting (``submitted``) / returned / missing for every
  province expected in each period, with the due date and whether it has passed.
- :func:`changes_since_approved`: what a submission changes against the last approved one.
- :func:`reminders`: the provinces late (nothing received after the due date) or returned, with
  their officers' accounts: the list reviewers send reminders from.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from dxboard.periods import PeriodsLike, as_periods
from dxboard.review import due_date
from dxboard.store import Store
from dxboard.store import reviews as rdb
from dxboard.store.submissions import versions
from metrics.harmonise import expected_provinces, successors

SCOPES = ("approved", "all")
GRID_COLUMNS = [
    "era",
    "province_code",
    "period",
    "province_name",
    "review_state",
    "submission_id",
    "reviewed_by",
    "reviewed_at",
    "due",
    "overdue",
]
CHANGE_COLUMNS = ["field", "approved", "now"]
REMINDER_COLUMNS = [
    "period",
    "province_code",
    "province_name",
    "review_state",
    "due",
    "days_late",
    "officers",
]


def in_scope(raw: pd.DataFrame, scope: str) -> pd.DataFrame:
    """The rows of ``raw`` a reader with ``scope`` sees (``approved``: approved only)."""
    if scope == "all" or "review_state" not in raw.columns:
        return raw
    return raw[(raw["review_state"] == "approved").to_numpy()].reset_index(drop=True)


def review_grid(store: Store, periods: PeriodsLike, today: date | None = None) -> pd.DataFrame:
    """Every province expected in ``periods`` (on the reported basis) with its review state,
    ``missing`` when nothing was received (``GRID_COLUMNS``)."""
    today = today or date.today()
    plist = as_periods(periods)
    if not plist:
        return pd.DataFrame(columns=GRID_COLUMNS)
    grid = expected_provinces(plist, "reported")
    wanted = {str(p) for p in plist}
    states = rdb.review_states(store)
    states = states[states["period"].isin(wanted)]
    cols = ["era", "province_code", "period", "submission_id", "review_state", "reviewed_by"]
    grid = grid.merge(states[[*cols, "reviewed_at"]], on=cols[:3], how="left")
    grid["review_state"] = grid["review_state"].fillna("missing")
    overrides = rdb.due_overrides(store)
    dues = {p: due_date(p, overrides) for p in wanted}
    grid["due"] = grid["period"].map(dues)
    grid["overdue"] = (grid["review_state"] == "missing") & (grid["due"] < today)
    return grid[GRID_COLUMNS].reset_index(drop=True)


def waiting(grid: pd.DataFrame) -> int:
    """How many provinces of a :func:`review_grid` wait for review (submitted, not approved)."""
    return int((grid["review_state"] == "submitted").sum())


def state_counts(grid: pd.DataFrame) -> pd.DataFrame:
    """Per period: how many provinces are approved, waiting, returned and missing."""
    states = ["approved", "submitted", "returned", "missing"]
    counts = pd.crosstab(grid["period"], grid["review_state"]).reindex(columns=states, fill_value=0)
    return counts.reset_index().rename_axis(columns=None)


def reminders(store: Store, periods: PeriodsLike, today: date | None = None) -> pd.DataFrame:
    """Provinces late or returned in ``periods`` with their officers (``REMINDER_COLUMNS``;
    ``officers``: the accounts, comma separated, of the current province each belongs to;
    ``days_late``: days past the due date of a missing report, 0 for a returned one)."""
    today = today or date.today()
    grid = review_grid(store, periods, today)
    chosen = grid[(grid["overdue"] | (grid["review_state"] == "returned")).to_numpy()].copy()
    accounts = rdb.officers(store)
    by_code = accounts.groupby("province_code")["username"].agg(", ".join).to_dict()
    merged = successors()
    current = [
        code if era == "current" else merged.get(code, code)
        for code, era in zip(chosen["province_code"], chosen["era"], strict=True)
    ]
    chosen["officers"] = [by_code.get(code, "") for code in current]
    late = zip(chosen["due"], chosen["overdue"], strict=True)
    chosen["days_late"] = [(today - due).days if over else 0 for due, over in late]
    return chosen[REMINDER_COLUMNS].reset_index(drop=True)


def changes_since_approved(store: Store, submission_id: int) -> tuple[int | None, pd.DataFrame]:
    """The last approved submission of the same province-period before ``submission_id``
    (None when there is none) and the fields whose value differs: ``field, approved, now``
    (every field, ``approved`` NaN, when nothing was approved before)."""
    found = versions(store.cursor(), [submission_id]).get(submission_id)
    if found is None:
        return None, pd.DataFrame(columns=CHANGE_COLUMNS)
    base = rdb.last_approved(store, found.province_code, found.period, before=submission_id)
    old = versions(store.cursor(), [base])[base].values if base is not None else {}
    rows = [
        (name, old.get(name), found.values.get(name))
        for name in sorted(old.keys() | found.values.keys())
        if base is None or not _same(old.get(name), found.values.get(name))
    ]
    return base, pd.DataFrame(rows, columns=CHANGE_COLUMNS)


def _same(a: float | None, b: float | None) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and a == b)
