"""The synthetic demo data: calibration to the seeds, eras, consistency, history, idempotence."""

from __future__ import annotations

import re
from datetime import date

import pytest

from dxboard.catalogue import load_catalogue
from dxboard.periods import MERGER_PERIOD, Period
from dxboard.registry import load_registry
from dxboard.store import Store
from loaders.demo import (
    DEMO_DATASET,
    FIRST_PERIOD,
    INSTITUTIONAL,
    DemoBatch,
    DemoSummary,
    demo_periods,
    generate,
    has_demo,
    load_demo,
    reported_values,
    simulate_legacy,
)

TODAY = date(2026, 11, 22)
MERGER = Period.parse(MERGER_PERIOD)


@pytest.fixture(scope="module")
def loaded() -> tuple[Store, DemoSummary]:
    """The demo data loaded once into an in-memory store."""
    store = Store(":memory:")
    summary = load_demo(store, today=TODAY)
    return store, summary


@pytest.fixture(scope="module")
def batches() -> list[DemoBatch]:
    return generate(TODAY)


def _count_yes(store: Store, fld: str, period: str) -> int:
    (n,) = (
        store.cursor()
        .execute(
            "SELECT count(*) FROM current_values WHERE field = ? AND period = ? AND value = 1",
            [fld, period],
        )
        .fetchone()
    )
    return n


def test_periods_run_to_last_full_quarter() -> None:
    periods = demo_periods(TODAY)
    assert periods[0] == FIRST_PERIOD
    assert periods[-1] == Period(2026, 3)
    assert demo_periods(date(2026, 10, 1))[-1] == Period(2026, 3)


def test_summary(loaded: tuple[Store, DemoSummary], batches: list[DemoBatch]) -> None:
    store, summary = loaded
    assert summary.batches == len(batches) < 150
    assert summary.accepted == summary.batches and summary.duplicate == 0
    assert summary.reports == sum(len(b.rows) for b in batches)
    assert has_demo(store) and not has_demo(Store(":memory:"))


def test_seed_counts_at_2022_q2(loaded: tuple[Store, DemoSummary]) -> None:
    store, _ = loaded
    assert _count_yes(store, "steering_committee", "2022-Q2") == 63
    assert _count_yes(store, "dx_resolution", "2022-Q2") == 55
    assert _count_yes(store, "dx_program", "2022-Q2") == 59
    (n,) = (
        store.cursor()
        .execute(
            "SELECT count(DISTINCT province_code) FROM current_values WHERE period = '2022-Q2'"
        )
        .fetchone()
    )
    assert n == 63


def test_about_thirty_resolutions_by_end_2020(loaded: tuple[Store, DemoSummary]) -> None:
    store, _ = loaded
    assert 25 <= _count_yes(store, "dx_resolution", "2020-Q4") <= 35
    assert _count_yes(store, "annual_dx_plan", "2021-Q4") >= 55


def test_each_era_has_its_own_provinces(loaded: tuple[Store, DemoSummary]) -> None:
    store, _ = loaded
    rows = (
        store.cursor()
        .execute(
            "SELECT s.period, s.era, p.era, count(DISTINCT s.province_code) FROM submissions s "
            "LEFT JOIN provinces p ON p.era = s.era AND p.code = s.province_code "
            "GROUP BY ALL"
        )
        .fetchall()
    )
    for period, era, registry_era, n in rows:
        assert era == registry_era == Period.parse(period).era
        assert n <= (63 if era == "legacy" else 34)
    current = {p for p, era, _, _ in rows if era == "current"}
    assert current == {str(p) for p in demo_periods(TODAY) if p >= MERGER}


def test_current_provinces_sum_their_constituents(batches: list[DemoBatch]) -> None:
    registry = load_registry()
    legacy = simulate_legacy(demo_periods(TODAY))
    checked = 0
    for row in (r for b in batches for r in b.rows if Period.parse(r["period"]) >= MERGER):
        period = Period.parse(row["period"])
        parts = [
            legacy[p.code][period]
            for p in registry.constituents(registry.match(row["province"], period=period).code)
        ]
        assert row["procedures_total"] == sum(v["procedures_total"] for v in parts)
        assert row["dx_program"] == all(v["dx_program"] for v in parts)
        if row["budget_total"] is not None:
            assert row["budget_total"] == pytest.approx(sum(v["budget_total"] for v in parts))
        checked += 1
    assert checked > 100


def test_part_never_exceeds_whole(loaded: tuple[Store, DemoSummary]) -> None:
    store, _ = loaded
    pairs = [(f.code, f.part_of) for f in load_catalogue().fields if f.part_of]
    values = ", ".join(f"('{a}', '{b}')" for a, b in pairs)
    (bad,) = (
        store.cursor()
        .execute(
            f"SELECT count(*) FROM (VALUES {values}) AS pw(part, whole) "
            "JOIN raw_values a ON a.field = pw.part "
            "JOIN raw_values b ON b.submission_id = a.submission_id AND b.field = pw.whole "
            "WHERE a.value > b.value"
        )
        .fetchone()
    )
    assert bad == 0
    (n,) = store.cursor().execute("SELECT count(*) FROM raw_values").fetchone()
    assert n > 30_000


def test_values_are_typed_and_required_never_blank(batches: list[DemoBatch]) -> None:
    catalogue = load_catalogue()
    blanks = 0
    for row in (r for b in batches for r in b.rows):
        version = catalogue.version_for(row["period"])
        assert set(row) == {"province", "period", *version.field_codes}
        for fld in version.fields:
            value = row[fld.code]
            if value is None:
                assert not fld.required
                blanks += 1
            elif fld.kind == "count":
                assert isinstance(value, int) and value >= 0
            elif fld.kind == "bool":
                assert isinstance(value, bool)
    assert blanks > 50


def test_second_load_changes_nothing(loaded: tuple[Store, DemoSummary]) -> None:
    store, _ = loaded
    version = store.data_version()
    (uploads,) = store.cursor().execute("SELECT count(*) FROM uploads").fetchone()
    again = load_demo(store, today=TODAY)
    assert again.duplicate == again.batches and again.accepted == 0 and again.reports == 0
    assert store.data_version() == version
    assert store.cursor().execute("SELECT count(*) FROM uploads").fetchone()[0] == uploads


def test_generate_is_deterministic(batches: list[DemoBatch]) -> None:
    assert generate(TODAY) == batches
    assert generate(TODAY, seed=1) != batches


def test_files_and_receipt_times(batches: list[DemoBatch]) -> None:
    for batch in batches:
        period = Period.parse(re.fullmatch(r"demo_(\d{4}-Q\d)_[a-z]\.xlsx", batch.file_name)[1])
        assert {r["period"] for r in batch.rows} == {str(period)}
        assert period.end < batch.received_at.date() < TODAY
    assert len({b.file_name for b in batches}) == len(batches)


def test_province_spellings_vary(batches: list[DemoBatch]) -> None:
    registry = load_registry()
    names = [r["province"] for b in batches for r in b.rows]
    assert any(n.isdigit() for n in names)
    assert any(n == p.ascii_name for n in names for p in registry.provinces("legacy")[:10])
    assert len(set(names)) > 150


def test_late_missing_and_revised_reports(loaded: tuple[Store, DemoSummary]) -> None:
    store, _ = loaded
    first = (
        store.cursor()
        .execute("SELECT period, province_code, min(received_at) FROM submissions GROUP BY ALL")
        .fetchall()
    )
    late = [r for r in first if r[2].date() > Period.parse(r[0]).deadline()]
    assert 20 < len(late) < len(first) / 5
    reported: dict[str, int] = {}
    for period, _, _ in first:
        reported[period] = reported.get(period, 0) + 1
    expected = {str(p): 63 if p.era == "legacy" else 34 for p in demo_periods(TODAY)}
    missing = {p: expected[p] - reported.get(p, 0) for p in expected}
    assert missing["2022-Q2"] == 0
    assert 10 < sum(missing.values()) < 100
    superseded = (
        store.cursor()
        .execute(
            "SELECT s.province_code, s.period FROM submissions s WHERE s.status = 'superseded' "
            "AND EXISTS (SELECT 1 FROM submissions t WHERE t.status = 'accepted' "
            "AND t.province_code = s.province_code AND t.period = s.period "
            "AND t.received_at > s.received_at)"
        )
        .fetchall()
    )
    assert 2 <= len(superseded) <= 3


def test_institutional_fields_never_go_back(loaded: tuple[Store, DemoSummary]) -> None:
    store, _ = loaded
    rows = (
        store.cursor()
        .execute(
            "SELECT province_code, field, period, value FROM current_values "
            "WHERE era = 'legacy' AND field IN (SELECT unnest(?)) ORDER BY ALL",
            [list(INSTITUTIONAL)],
        )
        .fetchall()
    )
    last: dict[tuple[str, str], float] = {}
    for code, fld, _, value in sorted(rows, key=lambda r: (r[0], r[1], Period.parse(r[2]))):
        assert not (last.get((code, fld)) == 1 and value == 0), (code, fld)
        last[(code, fld)] = value
    (warnings,) = (
        store.cursor()
        .execute(
            "SELECT count(*) FROM uploads, unnest(CAST(messages AS JSON[])) AS m(msg) "
            "WHERE dataset = ? AND msg->>'reason' = 'yes_to_no' "
            "AND msg->>'field' IN (SELECT unnest(?))",
            [DEMO_DATASET, list(INSTITUTIONAL)],
        )
        .fetchone()
    )
    assert warnings == 0


def test_2025_version_rows_and_communes(batches: list[DemoBatch]) -> None:
    """From 2025-Q3 the rows follow the 2025 version: ``sti_dx_budget`` at 1–4 % of the budget
    (never below IT spending), and the communes of the two-level government, 3.321 in all."""
    shares = []
    for row in (r for b in batches for r in b.rows):
        period = Period.parse(row["period"])
        if period < MERGER:
            assert "sti_dx_budget" not in row
            continue
        if row["sti_dx_budget"] is not None and row["budget_total"] is not None:
            shares.append(row["sti_dx_budget"] / row["budget_total"])
            assert row["it_budget"] is None or row["sti_dx_budget"] >= row["it_budget"]
    assert len(shares) > 100 and min(shares) >= 0.01 and max(shares) <= 0.04
    assert any(s >= 0.03 for s in shares) and any(s < 0.03 for s in shares)
    legacy = simulate_legacy([Period(2025, 2), Period(2025, 3)])
    assert sum(v[Period(2025, 3)]["communes"] for v in legacy.values()) == 3321
    assert abs(sum(v[Period(2025, 2)]["communes"] for v in legacy.values()) - 10035) < 50
    current = reported_values(Period(2025, 3), legacy)
    assert len(current) == 34 and sum(int(v["communes"] or 0) for v in current.values()) == 3321
