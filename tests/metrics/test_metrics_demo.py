"""The metrics on the synthetic demo data (the seed's national counts at 2022-Q2)."""

from __future__ import annotations

import importlib.util
from datetime import date

import pytest

from dxboard.periods import period_range
from dxboard.store import Store
from metrics.indicators import indicator_values
from metrics.national import national

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        importlib.util.find_spec("loaders.demo") is None, reason="loaders/demo.py is not there yet"
    ),
]
TODAY = date(2026, 11, 22)


@pytest.fixture(scope="module")
def demo_store() -> Store:
    from loaders.demo import load_demo

    store = Store(":memory:")
    load_demo(store, today=TODAY)
    return store


def test_seed_counts_at_2022_q2(demo_store):
    n = national(demo_store, "2022-Q2", regions=False).set_index("indicator")
    counts = {
        code: (int(n.loc[code, "n_met"]), int(n.loc[code, "n_provinces"]))
        for code in ("steering_committee", "dx_resolution", "dx_program")
    }
    assert counts == {
        "steering_committee": (63, 63),
        "dx_resolution": (55, 63),
        "dx_program": (59, 63),
    }


def test_current_basis_series_is_continuous(demo_store):
    periods = period_range("2020-Q1", "2026-Q3")
    v = indicator_values(demo_store, periods, "current", indicators=["steering_committee"])
    assert len(v) == 34 * len(periods)
    assert set(v["era"]) == {"current"}
    assert v.groupby("province_code")["period"].nunique().eq(len(periods)).all()


def test_index_spread_on_the_demo_is_the_one_in_the_method(demo_store):
    """docs/METHOD.md quotes the spread of the index (min / max / IQR) on the demo data."""
    from pathlib import Path

    import numpy as np

    from metrics.index import readiness_index

    method = (Path(__file__).resolve().parents[2] / "docs" / "METHOD.md").read_text("utf-8")
    for period in ("2026-Q3", "2024-Q4"):
        v = readiness_index(demo_store, period)["readiness_index"].dropna().to_numpy()
        q1, q3 = np.percentile(v, [25, 75])
        text = f"{v.min():.1f} / {v.max():.1f} / IQR {q3 - q1:.1f} ({q1:.1f}–{q3:.1f})"
        assert text.replace(".", ",") in method, period
        assert q3 - q1 > 10 and v.max() - v.min() > 40  # capped attainment gave about 4 and 11
