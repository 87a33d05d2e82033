"""Small hand-computed stores for the metrics tests, built through the real ingest path.

Every fixture writes bulk tables with ``write_bulk`` and loads them with ``ingest_bytes`` into
``Store(":memory:")``. Values are chosen so that every expected figure in the tests can be
worked out by hand; the comments say how.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time, timedelta

import pytest

from dxboard.periods import Period
from dxboard.store import Store
from loaders.ingest import ingest_bytes
from loaders.writers import write_bulk

# A complete report in which every scored target is met (every attainment is 1):
# level4 100/100, remote inspections 5/10 = 0.5 (target 0.5 until 2025), IT 10/1000 = 1 %,
# security 1/10 = 10 %, smartphones, fibre, digital address, 5G and tech teams all 100 %.
# Dossiers online 50/100 (not scored).
FULL: dict[str, float] = {
    "steering_committee": 1,
    "dx_resolution": 1,
    "dx_program": 1,
    "annual_dx_plan": 1,
    "procedures_total": 100,
    "procedures_level4": 100,
    "dossiers_total": 100,
    "dossiers_online": 50,
    "inspections_total": 10,
    "inspections_remote": 5,
    "budget_total": 1000,
    "it_budget": 10,
    "security_budget": 1,
    "adults": 100,
    "smartphone_users": 100,
    "households": 100,
    "households_fiber": 100,
    "households_digital_address": 100,
    "industrial_zones": 4,
    "industrial_zones_5g": 4,
    "communes": 10,
    "communes_with_tech_team": 10,
}
REQUIRED = (
    "steering_committee",
    "dx_resolution",
    "dx_program",
    "annual_dx_plan",
    "procedures_total",
    "procedures_level4",
)


def row(province: str, period: str, base: dict | None = None, **values: float | None) -> dict:
    """One bulk row: ``base`` (default: the required fields of FULL) updated by ``values``;
    a value of ``None`` leaves the cell blank."""
    out = dict(base if base is not None else {k: FULL[k] for k in REQUIRED})
    out.update(values)
    return {
        "province": province,
        "period": period,
        **{k: v for k, v in out.items() if v is not None},
    }


def load(
    store: Store,
    rows: Iterable[dict],
    received: datetime,
    dataset: str = "official",
    name: str = "bulk.xlsx",
) -> None:
    """Ingest ``rows`` as one bulk file received at ``received``; it must be accepted."""
    result = ingest_bytes(
        store, write_bulk(list(rows)), name, dataset=dataset, received_at=received
    )
    assert result.status == "accepted", [p.message_en for p in result.errors]


@pytest.fixture(scope="session")
def merger_store() -> Store:
    """Cần Thơ 92 + Hậu Giang 93 + Sóc Trăng 94 → current Cần Thơ 92, and Hà Nội 01.

    2025-Q2 (all three report):
      92: resolution yes, annual plan yes, procedures 150/200, fibre 600/1000, zones 0/0,
          smartphones 800/1000
      93: resolution yes, annual plan no, procedures 100/100, fibre 400/500, 5G 1/2,
          smartphones 100 with adults blank
      94: resolution no, annual plan no, procedures 150/300, fibre 500/1500, zones 0/0,
          smartphones 1000/2000
      → current 92: resolution 2 of 3 → not met; annual plan 1 of 3; level-4 400/600;
        fibre 1500/3000; 5G 1/2; smartphones (800+1000)/(1000+2000) (93 has no pair).
    2025-Q1 (Sóc Trăng missing): 92 procedures 100/200, 93 50/100, both resolution yes;
      five-year programme 92 yes, 93 no → current 92: 2 of 3 reported, level-4 150/300,
      resolution unknown (NaN), programme not met.
    2025-Q3: current 92 procedures 450/500. Hà Nội 01 reports 80/100 in every quarter.
    """
    store = Store(":memory:")
    q2 = [
        row(
            "92",
            "2025-Q2",
            procedures_total=200,
            procedures_level4=150,
            annual_dx_plan=1,
            households=1000,
            households_fiber=600,
            industrial_zones=0,
            industrial_zones_5g=0,
            adults=1000,
            smartphone_users=800,
        ),
        row(
            "93",
            "2025-Q2",
            procedures_total=100,
            procedures_level4=100,
            annual_dx_plan=0,
            households=500,
            households_fiber=400,
            industrial_zones=2,
            industrial_zones_5g=1,
            smartphone_users=100,
        ),
        row(
            "94",
            "2025-Q2",
            dx_resolution=0,
            annual_dx_plan=0,
            procedures_total=300,
            procedures_level4=150,
            households=1500,
            households_fiber=500,
            industrial_zones=0,
            industrial_zones_5g=0,
            adults=2000,
            smartphone_users=1000,
        ),
        row("01", "2025-Q2", procedures_total=100, procedures_level4=80),
    ]
    q1 = [
        row("92", "2025-Q1", procedures_total=200, procedures_level4=100),
        row("93", "2025-Q1", dx_program=0, procedures_total=100, procedures_level4=50),
        row("01", "2025-Q1", procedures_total=100, procedures_level4=80),
    ]
    q3 = [
        row("92", "2025-Q3", procedures_total=500, procedures_level4=450),
        row("01", "2025-Q3", procedures_total=100, procedures_level4=80),
    ]
    load(store, q1, datetime(2025, 4, 10))
    load(store, q2, datetime(2025, 7, 10))
    load(store, q3, datetime(2025, 10, 10))
    return store


@pytest.fixture(scope="session")
def status_store() -> Store:
    """Four legacy provinces over 2024-Q1..2024-Q4, every other province silent.

    Hà Nội 01: FULL in Q1–Q3; in 2024-Q4 level-4 90/100 (deadline 2021 passed → overdue),
      remote 6/10 (met), smartphones 80/100 (no deadline → not_met), fibre 50/100, digital
      address 30/100, IT 6/1000 (attainment 0.6).
      Pillars Q4: institutions 1, digital government (0.9+1)/2, resources (0.6+1)/2,
      infrastructure (0.8+0.5+0.3+1)/4, community 1 → index 88.
    Đà Nẵng 48: FULL but remote inspections 20, 30, 30, 40 of 100 in Q1..Q4: least squares
      through x = -3..0 gives 0.39 + 0.06 x, 0.63 at the deadline quarter 2025-Q4 (x = 4)
      → on_track. Q4 index (1 + (1 + 0.8)/2 + 1 + 1 + 1)/5 = 98; Q3 (remote 0.3) 96.
    TP. Hồ Chí Minh 79: FULL but remote 40/100 in every quarter → off_track; index 98 (Q3, Q4).
    Hải Phòng 31: FULL but inspections blank in 2024-Q4 → no_data; digital government is
      level-4 alone (1 of 2 present is half) → index 100 in Q4, 100 in Q3.
    Ranks Q4: 31 → 1, 48 and 79 → 2, 01 → 4. Ranks Q3: 01 and 31 → 1, 79 → 3, 48 → 4.
    """
    store = Store(":memory:")
    remote_48 = {"2024-Q1": 20, "2024-Q2": 30, "2024-Q3": 30, "2024-Q4": 40}
    for period, received in (
        ("2024-Q1", datetime(2024, 4, 10)),
        ("2024-Q2", datetime(2024, 7, 10)),
        ("2024-Q3", datetime(2024, 10, 10)),
        ("2024-Q4", datetime(2025, 1, 10)),
    ):
        q4 = period == "2024-Q4"
        hanoi = (
            row(
                "01",
                period,
                FULL,
                procedures_level4=90,
                inspections_remote=6,
                smartphone_users=80,
                households_fiber=50,
                households_digital_address=30,
                it_budget=6,
            )
            if q4
            else row("01", period, FULL)
        )
        rows = [
            hanoi,
            row("48", period, FULL, inspections_total=100, inspections_remote=remote_48[period]),
            row("79", period, FULL, inspections_total=100, inspections_remote=40),
            row(
                "31",
                period,
                FULL,
                inspections_total=None if q4 else 10,
                inspections_remote=None if q4 else 5,
            ),
        ]
        load(store, rows, received, name=f"{period}.xlsx")
    return store


@pytest.fixture(scope="session")
def timely_store() -> Store:
    """Receipts for completeness (deadline 15 days after quarter end).

    2024-Q3 (deadline 2024-10-15): Hà Nội 01 on 10/10 (on time); Đà Nẵng 48 on 20/10 (late,
      5 days); TP. Hồ Chí Minh 79 on 05/10 and revised on 30/11 (on time: first receipt);
      Cần Thơ 92 and Hậu Giang 93 on 12/10; every other province missing.
    2024-Q4 (deadline 2025-01-15): Hà Nội 01 on 2025-01-20 (late).
    2025-Q2 (deadline 2025-07-15): Hà Nội 01 on 2025-07-05; with today = 2025-07-10 the
      others are not yet due.
    """
    store = Store(":memory:")
    load(store, [row("01", "2024-Q3")], datetime(2024, 10, 10))
    load(store, [row("48", "2024-Q3")], datetime(2024, 10, 20))
    load(store, [row("79", "2024-Q3")], datetime(2024, 10, 5))
    load(store, [row("92", "2024-Q3"), row("93", "2024-Q3")], datetime(2024, 10, 12))
    load(store, [row("79", "2024-Q3", procedures_level4=90)], datetime(2024, 11, 30))
    load(store, [row("01", "2024-Q4")], datetime(2025, 1, 20))
    load(store, [row("01", "2025-Q2")], datetime(2025, 7, 5))
    return store


FLAG_PERIODS = ["2023-Q3", "2023-Q4", "2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4", "2025-Q1"]
FIBRE_GROWTH = {"31": 8, "48": 9, "01": 10, "46": 10, "79": 11, "92": 12}  # per 1000 households


@pytest.fixture(scope="session")
def flag_store() -> Store:
    """Data for each flag type, 2023-Q3..2025-Q1 (seven quarters, six changes).

    Fibre (households_fiber / 1000 households) starts at 0.5 and grows steadily by
    ``FIBRE_GROWTH`` per quarter; Huế 46 jumps by 0.30 more in 2025-Q1 (change 0.31). Its own
    changes are all 0.01 (scale 0, floored at the resolution 1/1000): z_own = 0.30 / 0.001 =
    300. Peer changes in 2025-Q1: 0.008, 0.009, 0.010, 0.011, 0.012, 0.31 and Hưng Yên's 0.30:
    median 0.011, MAD 0.002, z_peer = 0.6745 × 0.299 / 0.002. Hưng Yên 33 alternates
    ±0.20 before its +0.30: far from its peers but not from its own history → no flag.
    Hà Nội 01 reports the resolution yes until 2024-Q4 and no in 2025-Q1 (yes_to_no).
    Hà Giang 02 reports only 2023-Q3..2024-Q3: missing 2024-Q4 and 2025-Q1 (no_report, 2).
    Bắc Ninh 27 is in the demo dataset in 2025-Q1 (mixed_datasets).
    """
    store = Store(":memory:")
    volatile = [500, 700, 500, 700, 500, 700, 1000]
    for i, period in enumerate(FLAG_PERIODS):
        last = i == len(FLAG_PERIODS) - 1
        rows = [
            row(
                code,
                period,
                households=1000,
                households_fiber=500 + rate * i + (300 if last and code == "46" else 0),
                dx_resolution=0 if last and code == "01" else 1,
            )
            for code, rate in FIBRE_GROWTH.items()
        ]
        rows.append(row("33", period, households=1000, households_fiber=volatile[i]))
        if i <= 4:
            rows.append(row("02", period))
        load(store, rows, received_after(period), name=f"{period}.xlsx")
    load(store, [row("27", "2025-Q1")], received_after("2025-Q1"), dataset="demo", name="demo.xlsx")
    return store


def received_after(period: str, days: int = 10) -> datetime:
    """``days`` after the end of ``period``, at midnight."""
    return datetime.combine(Period.parse(period).end, time()) + timedelta(days=days)


@pytest.fixture(scope="session")
def framework_store() -> Store:
    """Across the change of framework version (2021 up to 2025-Q2, 2025 from 2025-Q3).

    2025-Q2 (legacy, 2021 version): Hà Nội 01, Đà Nẵng 48, Huế 46 report FULL → index 100.
    2025-Q3 (current, 2025 version): the three report FULL with sti_dx_budget 30/1000 = 3 %
      (met) → index 100 each, rank 1.
    2025-Q4: 01 sti 40/1000 = 4 % (met, attainment 1); 48 sti 20/1000 = 2 % (not met, no
      deadline: not_met, attainment 2/3); 46 sti blank (no_data). Resources pillar: 01 1,
      48 (1 + 1 + 2/3) / 3, 46 (1 + 1) / 2 = 1 (2 of 3 present) → index 01 100, 46 100,
      48 (4 + 8/9) / 5 × 100 = 97.78 → ranks 01 1, 46 1, 48 3. National ratio of sums
      (40 + 20) / 2000 = 3 %, 1 of 34 provinces meets it.
    """
    store = Store(":memory:")
    load(store, [row(c, "2025-Q2", FULL) for c in ("01", "48", "46")], datetime(2025, 7, 10))
    q3 = [row(c, "2025-Q3", FULL, sti_dx_budget=30) for c in ("01", "48", "46")]
    load(store, q3, datetime(2025, 10, 10))
    q4 = [
        row("01", "2025-Q4", FULL, sti_dx_budget=40),
        row("48", "2025-Q4", FULL, sti_dx_budget=20),
        row("46", "2025-Q4", FULL),
    ]
    load(store, q4, datetime(2026, 1, 10))
    return store
