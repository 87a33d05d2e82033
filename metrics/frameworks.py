"""Framework versions in the metrics: which version measures each period, and where a series
crosses a change of method.

Every indicator value, target, pillar and index of a period follows the catalogue version in
force for that period (``Catalogue.version_for``); values carry the version id in a
``framework`` column. A comparison between two quarters under different versions (a rank
change, a quarter-on-quarter flag) is not made: the method changed in between.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from dxboard.catalogue import Catalogue, Version
from dxboard.periods import Period, PeriodsLike, as_periods

FRAMEWORK = "framework"
"""The column holding the version id of each row's period."""


def by_version(periods: PeriodsLike, catalogue: Catalogue) -> list[tuple[Version, list[Period]]]:
    """``periods`` grouped by the version in force for them, in time order."""
    groups: dict[str, tuple[Version, list[Period]]] = {}
    for p in as_periods(periods):
        version = catalogue.version_for(p)
        groups.setdefault(version.id, (version, []))[1].append(p)
    return list(groups.values())


def version_ids(periods: Iterable[str], catalogue: Catalogue) -> np.ndarray:
    """The version id of each period (an array of strings)."""
    codes, uniques = pd.factorize(pd.Series(list(periods), dtype=object))
    ids = np.array([catalogue.version_for(p).id for p in uniques], dtype=object)
    return ids[codes] if len(codes) else np.array([], dtype=object)


def method_change(period: str | Period, catalogue: Catalogue) -> str | None:
    """``2025-Q3`` when ``period`` is the first of a version that follows another one (a series
    reaching ``period`` from the quarter before crosses a change of method), else ``None``."""
    p = Period.parse(period)
    version = catalogue.version_for(p)
    if version.first == p and catalogue.previous(version) is not None:
        return str(p)
    return None


def comparable(periods: Iterable[str], previous: Iterable[str], catalogue: Catalogue) -> np.ndarray:
    """Whether each period is measured under the same version as its counterpart in
    ``previous`` (elementwise)."""
    return version_ids(periods, catalogue) == version_ids(previous, catalogue)
