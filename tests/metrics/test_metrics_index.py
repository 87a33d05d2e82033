"""Pillar scores, the readiness index, weights, ranks and sensitivity."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from metrics.index import (
    competition_ranks,
    index_values,
    normalise_weights,
    pillar_codes,
    pillar_scores,
    rank_sensitivity,
    readiness,
    readiness_index,
    sensitivity,
    target_scores,
    weight_scenarios,
)
from metrics.status import assess

PILLARS = [
    "institutions",
    "digital_government",
    "resources",
    "digital_infrastructure",
    "digital_community",
]


def test_pillars_in_catalogue_order():
    assert pillar_codes() == PILLARS


def test_ties_are_competition_ranks():
    ranks = competition_ranks(np.array([70.0, 90.0, 80.0, 80.0, np.nan]))
    assert ranks[:4].tolist() == [4, 1, 2, 2] and math.isnan(ranks[4])
    # float noise does not break a tie
    assert competition_ranks(np.array([0.1 + 0.2, 0.3]))[:].tolist() == [1, 1]


def test_equal_weights_reproduce_the_mean():
    scores = np.array([[1.0, 0.5, 0.8, 0.2, 0.6]])
    assert index_values(scores, normalise_weights(None, PILLARS))[0] == pytest.approx(62.0)
    w = normalise_weights({p: 3 for p in PILLARS}, PILLARS)
    assert index_values(scores, w)[0] == pytest.approx(62.0)


def test_zero_weight_removes_a_pillar():
    scores = np.array([[1.0, 0.5, 0.8, 0.2, 0.6], [1.0, 0.5, 0.8, np.nan, 0.6]])
    w = normalise_weights(
        {
            "institutions": 1,
            "digital_government": 1,
            "resources": 1,
            "digital_infrastructure": 0,
            "digital_community": 1,
        },
        PILLARS,
    )
    assert index_values(scores, w).tolist() == pytest.approx([72.5, 72.5])
    # weights are normalised over the pillars present; any non-negative weights work
    w2 = normalise_weights({"institutions": 3, "resources": 1}, PILLARS)
    assert index_values(scores, w2)[0] == pytest.approx(100 * (3 * 1.0 + 0.8) / 4)


def test_bad_weights():
    for bad in ({"institutions": -1}, {p: 0 for p in PILLARS}, {"unknown": 1}):
        with pytest.raises(ValueError):
            normalise_weights(bad, PILLARS)


def test_index_missing_when_less_than_half_the_weight_has_a_score():
    scores = np.array(
        [
            [1.0, 1.0, np.nan, np.nan, np.nan],  # 2 of 5 → missing
            [1.0, 0.5, 0.0, np.nan, np.nan],
        ]
    )  # 3 of 5 → (1 + .5 + 0)/3
    out = index_values(scores, normalise_weights(None, PILLARS))
    assert math.isnan(out[0]) and out[1] == pytest.approx(50.0)


def _assessed(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    """Rows (province, indicator, score) of one period as index.with_scores would give."""
    return pd.DataFrame(
        {
            "era": "legacy",
            "province_code": [r[0] for r in rows],
            "period": "2024-Q4",
            "province_name": [r[0] for r in rows],
            "region": "DBSH",
            "indicator": [r[1] for r in rows],
            "score": [r[2] for r in rows],
        }
    )


def _values(values: list[float], comparator: str = ">=", target: float = 1.0) -> pd.DataFrame:
    """One scored ratio indicator of one period, one province per value."""
    v = np.array(values, dtype=float)
    met = np.where(np.isnan(v), np.nan, (v >= target) if comparator == ">=" else (v <= target))
    return pd.DataFrame(
        {
            "period": "2026-Q3",
            "indicator": "fiber_share",
            "value": v,
            "target": target,
            "comparator": comparator,
            "scored": True,
            "met": met.astype(float),
        }
    )


def test_score_is_distance_between_the_bottom_five_and_the_target():
    # bottom five: 0.2, 0.3, 0.4, 0.5, 0.6 → lower bound 0.4; target 1
    frame = _values([0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 1.0, 1.2, np.nan])
    scores = target_scores(frame)
    assert scores[:8].tolist() == pytest.approx([0, 0, 0, 1 / 6, 2 / 6, 3 / 6, 1, 1])
    assert math.isnan(scores[8])  # no value: no score (not 0)


def test_score_of_a_lower_is_better_target_is_reversed():
    # worst = highest: 0.5, 0.4, 0.3, 0.3, 0.2 → bound 0.34; target ≤ 0.1
    scores = target_scores(_values([0.5, 0.4, 0.3, 0.3, 0.2, 0.1, 0.15], "<=", 0.1))
    assert scores.tolist() == pytest.approx([0, 0, 1 / 6, 1 / 6, 7 / 12, 1, 19 / 24])


def test_score_when_the_worst_already_meet_the_target():
    # every province meets: all score 1; not scored rows stay missing
    frame = _values([1.0, 1.0, 1.0])
    assert target_scores(frame).tolist() == [1.0, 1.0, 1.0]
    frame["scored"] = False
    assert np.isnan(target_scores(frame)).all()


def test_distance_to_target_spreads_what_capped_attainment_compresses():
    # values 0.70 … 0.95 against 100 %: capped attainment spans 25 points, the score all 100
    values = [0.70, 0.72, 0.75, 0.78, 0.80, 0.85, 0.88, 0.90, 0.93, 0.95]
    scores = target_scores(_values(values))
    capped = np.minimum(np.array(values), 1.0)
    assert np.ptp(capped) == pytest.approx(0.25)
    assert scores.min() == 0.0 and np.ptp(scores) > 2 * np.ptp(capped)
    assert np.all(np.diff(scores) >= 0)  # order kept


def test_pillar_score_needs_half_of_its_indicators():
    frame = _assessed(
        [
            ("01", "steering_committee", 1.0),
            ("01", "dx_resolution", 0.0),  # 2 of 4 → 0.5
            ("02", "steering_committee", 1.0),  # 1 of 4 → missing
            ("01", "level4_share", 0.4),  # 1 of 2 → 0.4
            ("01", "online_dossier_share", np.nan),  # not scored
        ]
    )
    scores = pillar_scores(frame).set_index("province_code")
    assert scores.loc["01", "institutions"] == pytest.approx(0.5)
    assert scores.loc["01", "digital_government"] == pytest.approx(0.4)
    assert math.isnan(scores.loc["02", "institutions"])
    assert math.isnan(scores.loc["01", "resources"])


def test_index_and_ranks_from_the_store(status_store):
    # Four provinces, so each lower bound is the mean of all four values (fewer than five):
    # Hà Nội's IT 0.6 % against 1 %, 1 %, 1 % → bound 0.9 %, score 0; level-4, smartphones,
    # fibre, address likewise 0; remote 0.6 meets 0.5 → 1. 48 and 79 (remote 0.4, bound of
    # 0.6, 0.4, 0.4 = 0.47 above them) → 0.
    table = readiness_index(status_store, "2024-Q4").set_index("province_code")
    assert table.loc["01", "readiness_index"] == pytest.approx(65.0)
    assert table.loc["01", "resources"] == pytest.approx(0.5)
    assert table.loc["01", "digital_infrastructure"] == pytest.approx(0.25)
    assert table.loc["48", "readiness_index"] == pytest.approx(90.0)
    assert table.loc["79", "readiness_index"] == pytest.approx(90.0)
    assert table.loc["31", "readiness_index"] == pytest.approx(100.0)
    ranks = table.loc[["31", "48", "79", "01"], "rank"].tolist()
    assert ranks == [1, 2, 2, 4]
    assert table.loc["01", "n_ranked"] == 4
    assert math.isnan(table.loc["02", "readiness_index"]) and pd.isna(table.loc["02", "rank"])


def test_rank_change(status_store):
    table = readiness_index(status_store, "2024-Q4").set_index("province_code")
    # 2024-Q3: 01 and 31 → 1 (100), 48 and 79 (remote 0.3 and 0.4 under a bound of 0.425) → 3
    assert table.loc[["31", "48", "79", "01"], "previous_rank"].tolist() == [1, 3, 3, 1]
    assert table.loc[["31", "48", "79", "01"], "rank_change"].tolist() == [0, 1, 1, -3]


def test_weights_move_the_ranking(status_store):
    heavy = {p: (20 if p == "digital_government" else 1) for p in PILLARS}
    table = readiness_index(status_store, "2024-Q4", weights=heavy).set_index("province_code")
    # digital government: 31 → 1.0, 01, 48 and 79 → 0.5
    assert table.loc["01", "readiness_index"] == pytest.approx(
        100 * (1 + 0.5 * 20 + 0.5 + 0.25 + 1) / 24
    )
    assert table.loc["48", "readiness_index"] == pytest.approx(100 * (0.5 * 20 + 4) / 24)
    assert table.loc[["31", "01", "48", "79"], "rank"].tolist() == [1, 4, 2, 2]


def _scores_table() -> pd.DataFrame:
    """A: all 1; B: 0.9 but community 0.1 (74); C: 0.5 but community 1.0 (60)."""
    rows = {"A": [1.0] * 5, "B": [0.9, 0.9, 0.9, 0.9, 0.1], "C": [0.5, 0.5, 0.5, 0.5, 1.0]}
    frame = pd.DataFrame(rows, index=PILLARS).T.reset_index(names="province_code")
    frame["readiness_index"] = index_values(
        frame[PILLARS].to_numpy(), normalise_weights(None, PILLARS)
    )
    frame["rank"] = competition_ranks(frame["readiness_index"].to_numpy())
    return frame


def test_sensitivity_best_and_worst_rank():
    out = sensitivity(_scores_table()).set_index("province_code")
    assert out["readiness_index"].tolist() == pytest.approx([100, 74, 60])
    # doubling community: B (3.6 + 0.2)/6 = 63.3 falls below C 4/6 = 66.7
    assert out.loc["A", ["best_rank", "worst_rank"]].tolist() == [1, 1]
    assert out.loc["B", ["best_rank", "worst_rank"]].tolist() == [2, 3]
    assert out.loc["C", ["best_rank", "worst_rank"]].tolist() == [2, 3]


def test_weight_scenarios_are_fixed_and_seeded():
    w = normalise_weights(None, PILLARS)
    a, b = weight_scenarios(w, 200, seed=7), weight_scenarios(w, 200, seed=7)
    assert a.shape == (1 + 2 * 5 + 200, 5)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, weight_scenarios(w, 200, seed=8))
    assert np.allclose(a.sum(axis=1), 1.0)
    assert a[1].tolist() == pytest.approx([0.5 / 4.5] + [1 / 4.5] * 4)  # first halved
    zero = weight_scenarios(normalise_weights({"institutions": 1, "resources": 1}, PILLARS))
    assert (zero[:, [1, 3, 4]] == 0).all()  # a removed pillar stays removed


def test_rank_sensitivity_from_the_store(status_store):
    out = rank_sensitivity(status_store, "2024-Q4").set_index("province_code")
    ranked = out.loc[["31", "48", "79", "01"]]
    assert (ranked["best_rank"] <= ranked["rank"]).all()
    assert (ranked["rank"] <= ranked["worst_rank"]).all()
    assert out.loc["31", "best_rank"] == 1 and out.loc["01", "worst_rank"] == 4
    assert pd.isna(out.loc["02", "best_rank"])


def test_readiness_pure(status_store):
    from metrics.indicators import indicator_values

    table = readiness(assess(indicator_values(status_store, "2024-Q3")))
    assert table.set_index("province_code").loc["48", "readiness_index"] == pytest.approx(90.0)
