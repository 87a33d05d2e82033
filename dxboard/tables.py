"""Small pandas and NumPy helpers shared by the store's reads and the metrics."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

KEYS = ["era", "province_code", "period"]
"""A province-period: provinces are identified by (era, code); legacy and current codes overlap."""


def take_str(values: Sequence[Any], index: np.ndarray) -> pd.Series:
    """``values[index]`` as a pandas string Series (``index`` -1 gives NaN), built in Arrow.

    Building large string columns from Python objects is slow in pandas 3; taking from a small
    Arrow array is not.
    """
    index = np.asarray(index, dtype=np.int64)
    taken = pa.array(list(values), type=pa.large_string()).take(pa.array(index, mask=index < 0))
    return pd.Series(pd.array(taken, dtype=pd.StringDtype("pyarrow", na_value=np.nan)))


def group_ids(*columns: pd.Series | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Group ids (0..n-1, in order of first appearance) of the rows' combined keys, and the
    row index of each group's first row. Faster than concatenating key strings."""
    combined = np.zeros(len(columns[0]), dtype=np.int64)
    for col in columns:
        codes, uniques = pd.factorize(col)
        combined = combined * (len(uniques) + 1) + codes
    gid, _ = pd.factorize(combined)
    _, first = np.unique(gid, return_index=True)
    return gid.astype(np.int64), first


def as_number(value: object) -> float | None:
    """A cell of a frame as a float; ``None`` for a missing one (None, NaN, NaT, ``pd.NA``)."""
    if isinstance(value, bool | int | float | np.integer | np.floating):
        number = float(value)
        return None if math.isnan(number) else number
    return None
