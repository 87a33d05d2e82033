"""Large swings of an upload against the province's history and its peers (metrics/swings.py)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from metrics.swings import MIN_UNITS, OWN_SWING, own_swing, peer_swing, report_swings


@pytest.mark.parametrize(
    ("value", "previous", "swing"),
    [
        (1230, 3350, True),  # −63 %
        (1675, 3350, True),  # exactly −50 %
        (1700, 3350, False),
        (5100, 3400, True),  # +50 %
        (3, 2, False),  # +50 % but one unit: not a swing
        (2 + MIN_UNITS, 2, True),
        (10, 0, False),  # nothing to compare with
        (10, None, False),
        (math.nan, 10, False),
    ],
)
def test_own_swing(value: float, previous: float | None, swing: bool) -> None:
    assert own_swing(value, previous) is swing


def test_peer_swing_needs_enough_peers_and_a_factor_three() -> None:
    peers = [100, 110, 90, 105, 95]
    assert peer_swing(300, peers) == 100
    assert peer_swing(33, peers) == 100
    assert peer_swing(290, peers) is None
    assert peer_swing(300, peers[:4]) is None  # too few peers
    assert peer_swing(300, [*peers[:4], math.nan]) is None


def _history(rows: list[tuple[str, str, float, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        rows, columns=["province_code", "period", "procedures_total", "dossiers_total"]
    )


def test_report_swings_against_own_last_quarter_and_peers() -> None:
    rows = [("48", "2026-Q1", 3000.0, 40.0), ("48", "2026-Q2", 3350.0, math.nan)]
    rows += [(c, "2026-Q3", 3000.0 + i, 40.0) for i, c in enumerate(["01", "79", "31", "92", "46"])]
    rows += [("48", "2026-Q3", 3400.0, 40.0)]  # the accepted value being replaced: ignored
    found = report_swings(
        "48", "2026-Q3", {"procedures_total": 1230.0, "dossiers_total": 41.0}, _history(rows)
    )
    assert [(s.field, s.basis, s.reference, s.reference_period) for s in found] == [
        ("procedures_total", "own", 3350.0, "2026-Q2")
    ]
    assert round(found[0].change, 2) == -0.63
    assert OWN_SWING == 0.5
    found = report_swings("48", "2026-Q3", {"procedures_total": 900.0}, _history(rows))
    assert {s.basis for s in found} == {"own", "peers"}
    peers = next(s for s in found if s.basis == "peers")
    assert peers.reference == 3002.0  # the median of the five others
