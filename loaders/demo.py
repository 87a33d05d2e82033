"""Deterministic synthetic demo data, 2020-Q1 to the last full quarter, loaded like real uploads.

How the figures are made
- Each of the 63 legacy provinces is simulated through the whole range (also after the 2025
  merger) from its own random stream ``Random(f"{seed}/{code}")``: first a profile (a size in
  millions of people, Hà Nội and TP. Hồ Chí Minh the largest, and the starting level and pace of
  every indicator), then one step per quarter. Nothing uses the global ``random`` state, and a
  quarter's figures do not depend on ``today``: a later ``today`` only appends quarters.
- Institutional yes/no fields come from adoption quarters drawn once for all provinces and
  calibrated to the seed articles: at 2022-Q2 exactly 63/63 steering committees, 55/63
  resolutions and 59/63 five-year programmes; 30 resolutions by 2020-Q4; most annual plans by
  2020. A field is yes from its adoption quarter on, so it never goes back from yes to no.
- Counts are whole numbers, amounts are million VND with one decimal, budgets are fiscal-year
  figures (the same in every quarter of a year), and every "of which" is at most its total.
- Each row holds the fields of the framework version of its period: from 2025-Q3 (the 2025
  version) also ``sti_dx_budget``, spending on science, technology, innovation and digital
  transformation, 1–4 % of the budget (rising a little each year, never below IT spending),
  drawn from its own random stream so that no other figure changes.
- From 2025-Q3 the 34 current provinces report. A current province's counts and amounts are the
  SUMS of its constituents' simulated values, so they agree with the legacy history on current
  boundaries; a yes/no field is yes only when EVERY constituent has it.
- Communes (DOMAIN-2025.md): about 10.035 before 1 July 2025, exactly 3.321 after (the
  two-level local government), shared among the provinces in proportion to their former
  communes; the share of communes with a tech team is kept.

How they are reported
- Deadline: 15 days after quarter end. Per quarter most provinces report 4–14 days after the
  quarter end (on one or two days), a few 20–60 days after (late) and a few not at all (none at
  2022-Q2). Rows of one quarter received on the same day form one bulk file
  (``demo_2022-Q2_a.xlsx``, ``_b``, …), 2–5 files per quarter.
- A few percent of optional cells are blank in early years (shown as "no data"); required fields
  never are. Province names come in varied spellings that the registry resolves (short or full
  name, GSO code, no diacritics, NFD Unicode).
- Three reports are revised: the first file has a wrong value, a later file corrects it, so the
  history holds superseded submissions.
- Nothing received on or after ``today`` is included: the last quarter may still miss reports.

Loading: each file is written with ``write_bulk`` and ingested as dataset ``demo`` (actor
``demo``) with its receipt time. A second load changes nothing: a file whose reports are all in
the history already (current or superseded) is skipped and counted as a duplicate; ingesting it
again would make the wrong first version of a revised report current again.
"""

from __future__ import annotations

import random
import time as _time
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from string import ascii_lowercase

from dxboard.catalogue import Catalogue, load_catalogue
from dxboard.periods import MERGER_PERIOD, Period, period_range, vn_today
from dxboard.registry import Province, ProvinceMatchError, load_registry
from dxboard.store import Store, submissions
from loaders.ingest import Item, ingest, parse_file
from loaders.writers import write_bulk

DEMO_DATASET = "demo"
DEMO_ACTOR = "demo"
FIRST_PERIOD = Period(2020, 1)
DEFAULT_SEED = 20200804
CALIBRATION_PERIOD = Period(2022, 2)
MERGER = Period.parse(MERGER_PERIOD)
COMMUNES_BEFORE, COMMUNES_AFTER = 10_035, 3_321
"""Commune-level units in the country before and after 1 July 2025 (DOMAIN-2025.md)."""
LARGEST = {"01": 8.4, "79": 9.4}  # Hà Nội, TP. Hồ Chí Minh: population in millions
# Typical population (millions) of a province per region (Nghị quyết 81/2023/QH15 codes); a
# province's size is this times a random factor. Mountain provinces are smaller and have fewer
# industrial zones.
REGION_SIZE = {"TDMNPB": 0.8, "DBSH": 1.5, "BTB_DHMT": 1.3, "TN": 1.2, "DNB": 1.5, "DBSCL": 1.4}
NO_ZONES = {"TDMNPB": 0.3, "TN": 0.15}

# Adoption quarters per yes/no field: (number of provinces, first, last offset from 2020-Q1);
# negative offsets are before 2020, ``None`` is "not within the simulated range".
# 2020-Q4 is offset 3 and 2022-Q2 offset 9: the groups up to 9 give 63, 55 and 59 at 2022-Q2.
ADOPTION: dict[str, tuple[tuple[int, int | None, int | None], ...]] = {
    "steering_committee": ((18, -4, -1), (32, 0, 3), (13, 4, 9)),
    "dx_resolution": ((6, -3, -1), (24, 0, 3), (25, 4, 9), (6, 10, 19), (2, None, None)),
    "dx_program": ((8, -2, -1), (38, 0, 3), (13, 4, 9), (4, 10, 17)),
    "annual_dx_plan": ((20, -2, 0), (30, 1, 3), (11, 4, 9), (2, 10, 15)),
}
INSTITUTIONAL = tuple(ADOPTION)
REVISABLE = ("dossiers_online", "inspections_remote", "households_fiber", "budget_total")
REVISIONS = 3
SEASON = {1: 0.9, 2: 1.0, 3: 1.0, 4: 1.1}

Values = dict[str, int | float | bool | None]
Simulation = dict[str, dict[Period, Values]]


@dataclass
class DemoBatch:
    """One bulk file: rows of one quarter received on the same day."""

    file_name: str
    rows: list[dict]
    received_at: datetime


@dataclass
class DemoSummary:
    """What :func:`load_demo` did; ``reports`` counts the submissions it stored."""

    batches: int
    accepted: int
    duplicate: int
    reports: int
    seconds: float


@dataclass(frozen=True)
class _Profile:
    """Size and pace of one legacy province; shares are (2020 level, later level)."""

    pop: float
    smart: tuple[float, float]
    fiber: tuple[float, float]
    address: tuple[float, float]
    zones: int
    g5: tuple[int, float]
    communes: int
    teams: tuple[int, int, float]
    procedures: float
    level4: tuple[float, float, int]
    dossiers: float
    online: tuple[float, float]
    inspections: float
    remote: tuple[float, float]
    budget: float
    it_share: float


@dataclass
class _Entry:
    """One row of one quarter and the day after quarter end it is received."""

    period: Period
    code: str
    day: int
    row: dict


# --------------------------------------------------------------------------- periods


def demo_periods(today: date | None = None) -> list[Period]:
    """2020-Q1 to the last full quarter before ``today``."""
    return period_range(FIRST_PERIOD, Period.last_full_before(today or vn_today()))


def _offset(period: Period) -> int:
    """Quarters since 2020-Q1 (0 for 2020-Q1, 9 for 2022-Q2)."""
    return period.index - FIRST_PERIOD.index


# --------------------------------------------------------------------------- simulation


def _ramp(t: float, t0: float, t1: float) -> float:
    """0 before ``t0``, 1 after ``t1``, a smooth S-curve between."""
    x = min(1.0, max(0.0, (t - t0) / max(t1 - t0, 1e-9)))
    return x * x * (3 - 2 * x)


def _lerp(pair: tuple[float, float], x: float) -> float:
    """From ``pair[0]`` (x = 0) to ``pair[1]`` (x = 1)."""
    return pair[0] + (pair[1] - pair[0]) * x


def _clamp(x: float, lo: float = 0.0, hi: float = 1.0) -> float:
    """``x`` limited to ``[lo, hi]``."""
    return min(hi, max(lo, x))


def adoption_quarters(seed: int = DEFAULT_SEED) -> dict[str, dict[str, int | None]]:
    """Field → legacy code → adoption offset from 2020-Q1 (``None``: not adopted)."""
    codes = [p.code for p in load_registry().provinces("legacy")]
    rng = random.Random(f"{seed}/adoption")
    out: dict[str, dict[str, int | None]] = {}
    for fld, groups in ADOPTION.items():
        if sum(g[0] for g in groups) != len(codes):
            raise ValueError(f"adoption groups of {fld} do not cover {len(codes)} provinces")
        order = rng.sample(codes, len(codes))
        out[fld] = {}
        for count, lo, hi in groups:
            for code in order[:count]:
                out[fld][code] = None if lo is None or hi is None else rng.randint(lo, hi)
            order = order[count:]
    return out


def _profile(province: Province, rng: random.Random) -> _Profile:
    """Draw the size and pace of one province (always the same number of draws)."""
    code = province.code
    drawn = REGION_SIZE.get(province.region, 1.2) * rng.lognormvariate(0, 0.35)
    pop = LARGEST.get(code, _clamp(drawn, 0.3, 3.8))
    has_zones = rng.random() > NO_ZONES.get(province.region, 0.04)
    zones = min(40, max(1, round(pop * rng.uniform(2, 6)))) if has_zones else 0
    level4_final = 1.0 if rng.random() < 0.6 else rng.uniform(0.82, 0.98)
    return _Profile(
        pop=pop,
        smart=(rng.uniform(0.55, 0.68), rng.uniform(0.86, 0.95)),
        fiber=(rng.uniform(0.40, 0.62), rng.uniform(0.82, 0.95)),
        address=(rng.uniform(0.02, 0.08), rng.uniform(0.55, 0.80)),
        zones=zones,
        g5=(rng.randint(10, 16), rng.uniform(0.5, 1.0)),
        communes=round(150 * pop**0.6 * rng.uniform(0.8, 1.2)),
        teams=(rng.randint(4, 5), rng.randint(11, 15), rng.uniform(0.9, 1.0)),
        procedures=rng.uniform(1650, 2050),
        level4=(rng.uniform(0.10, 0.30), level4_final, rng.randint(7, 20)),
        dossiers=pop * rng.uniform(20_000, 35_000),
        online=(rng.uniform(0.03, 0.12), rng.uniform(0.45, 0.80)),
        inspections=pop * rng.uniform(30, 60),
        remote=(rng.uniform(0.0, 0.05), rng.uniform(0.30, 0.70)),
        budget=pop * (13e6 if code in LARGEST else rng.uniform(9e6, 15e6)),
        it_share=rng.uniform(0.003, 0.011),
    )


def _budget_year(p: _Profile, year: int, rng: random.Random, sti: float) -> dict[str, float]:
    """Fiscal-year budget figures (million VND), drawn at each year's first quarter; ``sti``
    is the province's own stream for the science-and-technology spending."""
    years = year - FIRST_PERIOD.year
    total = round(p.budget * 1.07**years * rng.uniform(0.95, 1.05), 1)
    share = _clamp(p.it_share + 0.0007 * years + rng.uniform(-0.001, 0.001), 0.002, 0.018)
    it = round(total * share, 1)
    return {
        "budget_total": total,
        "it_budget": it,
        "security_budget": round(it * rng.uniform(0.05, 0.15), 1),
        "sti_dx_budget": round(max(total * sti, it * 1.1), 1),  # never below IT spending
    }


def sti_share(code: str, year: int, seed: int) -> float:
    """The share of the budget spent on science, technology, innovation and digital
    transformation: a province's level in 2025 (1–3,5 %) and pace (0,1–0,6 point a year), with
    a little noise each year, within 1–4 %. Its own random streams: nothing else changes."""
    stream = random.Random(f"{seed}/{code}/sti")
    level, pace = stream.uniform(0.01, 0.035), stream.uniform(0.001, 0.006)
    noise = random.Random(f"{seed}/{code}/sti/{year}").uniform(-0.002, 0.002)
    return _clamp(level + pace * (year - 2025) + noise, 0.01, 0.04)


def _stocks(p: _Profile, period: Period, rng: random.Random) -> Values:
    """Population, households, industrial zones and communes at quarter end."""
    t = _offset(period)
    adults = round(p.pop * 1e6 * 0.70 * (1 + 0.0025 * t))
    households = round(p.pop * 1e6 / 3.5 * (1 + 0.004 * t))
    communes = p.communes  # calibrated by _calibrate_communes
    smart = _clamp(_lerp(p.smart, _ramp(t, 0, 26)) + rng.gauss(0, 0.005), 0, 0.99)
    fiber = _clamp(_lerp(p.fiber, _ramp(t, 0, 24)) + rng.gauss(0, 0.005), 0, 0.99)
    address = _clamp(_lerp(p.address, _ramp(t, 2, 24)) + rng.gauss(0, 0.005), 0, 0.99)
    teams = p.teams[2] * _ramp(t, p.teams[0], p.teams[1])
    return {
        "adults": adults,
        "smartphone_users": round(adults * smart),
        "households": households,
        "households_fiber": round(households * fiber),
        "households_digital_address": round(households * address),
        "industrial_zones": p.zones,
        "industrial_zones_5g": int(p.zones * p.g5[1] * _ramp(t, p.g5[0], 27)),
        "communes": communes,
        "communes_with_tech_team": int(communes * teams),
    }


def _flows(p: _Profile, period: Period, rng: random.Random) -> Values:
    """Procedures, dossiers and inspections of the quarter."""
    t = _offset(period)
    procedures = round(p.procedures * (1 - 0.003 * t)) + rng.randint(-8, 8)
    level4 = _lerp(p.level4[:2], _ramp(t, 0, p.level4[2]))
    dossiers = round(
        p.dossiers * 1.02 ** (t / 4) * SEASON[period.quarter] * rng.uniform(0.92, 1.08)
    )
    online = _clamp(_lerp(p.online, _ramp(t, 0, 27)) + rng.gauss(0, 0.02), 0, 0.95)
    inspections = max(3, round(p.inspections * rng.uniform(0.85, 1.15)))
    remote = _lerp(p.remote, _ramp(t, 0, 21)) + 0.01 * max(0, t - 21)
    remote = _clamp(remote + rng.gauss(0, 0.03), 0, 0.9)
    return {
        "procedures_total": procedures,
        "procedures_level4": round(procedures * level4),
        "dossiers_total": dossiers,
        "dossiers_online": round(dossiers * online),
        "inspections_total": inspections,
        "inspections_remote": round(inspections * remote),
    }


def _simulate_province(
    province: Province, periods: list[Period], adoption: dict[str, dict], seed: int
) -> dict[Period, Values]:
    """One legacy province's figures for every period (also after the merger)."""
    code = province.code
    rng = random.Random(f"{seed}/{code}")
    profile = _profile(province, rng)
    out: dict[Period, Values] = {}
    budget: dict[str, float] = {}
    for period in periods:
        if period.quarter == 1 or not budget:
            sti = sti_share(code, period.year, seed)
            budget = _budget_year(profile, period.year, rng, sti)
        t = _offset(period)
        flags: Values = {
            f: adoption[f][code] is not None and t >= adoption[f][code] for f in INSTITUTIONAL
        }
        out[period] = {
            **flags,
            **_flows(profile, period, rng),
            **budget,
            **_stocks(profile, period, rng),
        }
    return out


def simulate_legacy(periods: list[Period], seed: int = DEFAULT_SEED) -> Simulation:
    """Legacy code → period → field → value, for every given period (both eras)."""
    adoption = adoption_quarters(seed)
    simulated = {
        p.code: _simulate_province(p, periods, adoption, seed)
        for p in load_registry().provinces("legacy")
    }
    return _calibrate_communes(simulated)


def _calibrate_communes(simulated: Simulation) -> Simulation:
    """Communes scaled to about ``COMMUNES_BEFORE`` in the country before the merger and to
    exactly ``COMMUNES_AFTER`` from it on (shared by largest remainders in proportion to the
    former communes); communes with a tech team keep their share."""
    drawn = {code: next(iter(values.values()))["communes"] for code, values in simulated.items()}
    total = sum(float(c or 0) for c in drawn.values())
    after = _shares({c: float(n or 0) for c, n in drawn.items()}, COMMUNES_AFTER)
    for code, values in simulated.items():
        for period, row in values.items():
            old = float(row["communes"] or 0)
            new = after[code] if period >= MERGER else round(old * COMMUNES_BEFORE / total)
            teams = float(row["communes_with_tech_team"] or 0)
            row["communes"] = new
            row["communes_with_tech_team"] = min(new, round(new * teams / old)) if old else 0
    return simulated


def _shares(weights: dict[str, float], total: int) -> dict[str, int]:
    """``total`` split in proportion to ``weights`` by largest remainders (sums to ``total``)."""
    scale = total / sum(weights.values())
    exact = {k: w * scale for k, w in weights.items()}
    out = {k: int(v) for k, v in exact.items()}
    left = total - sum(out.values())
    for k in sorted(exact, key=lambda k: out[k] - exact[k])[:left]:
        out[k] += 1
    return out


def aggregate(parts: list[Values], catalogue: Catalogue | None = None) -> Values:
    """Current-boundary figures: counts and amounts summed, yes/no yes only if all are yes."""
    out: Values = {}
    for fld in (catalogue or load_catalogue()).fields:
        items = [v[fld.code] for v in parts]
        if fld.kind == "bool":
            out[fld.code] = all(items)
        elif fld.kind == "count":
            out[fld.code] = int(sum(float(i or 0) for i in items))
        else:
            out[fld.code] = round(sum(float(i or 0) for i in items), 1)
    return out


def reported_values(period: Period, legacy: Simulation) -> dict[str, Values]:
    """Code → figures of the provinces that report ``period`` (legacy or current)."""
    registry = load_registry()
    if period.era == "legacy":
        return {code: dict(values[period]) for code, values in legacy.items()}
    return {
        p.code: aggregate([legacy[c][period] for c in p.constituents])
        for p in registry.provinces("current")
    }


# --------------------------------------------------------------------------- reporting


def _resolves(text: str, province: Province, period: Period) -> bool:
    """Whether the registry matches ``text`` to ``province`` for ``period``."""
    try:
        return load_registry().match(text, period=period).code == province.code
    except ProvinceMatchError:
        return False


def _spelling(rng: random.Random, province: Province, period: Period) -> str:
    """A name people might type, kept only if the registry resolves it to ``province``."""
    options = [province.short_name] * 5 + [
        province.name,
        province.code,
        province.ascii_name,
        unicodedata.normalize("NFD", province.short_name),
        province.short_name.upper(),
    ]
    text = rng.choice(options)
    return text if _resolves(text, province, period) else province.code


def _blank_rate(period: Period) -> float:
    """Share of optional cells left blank: 5 % in 2020, falling to 0.5 % from 2023."""
    return {2020: 0.05, 2021: 0.03, 2022: 0.015}.get(period.year, 0.005)


def _row(
    rng: random.Random,
    province: Province,
    period: Period,
    values: Values,
    catalogue: Catalogue,
    seed: int,
) -> dict:
    """A bulk row: the varied province name, the period and the fields of the period's version,
    a few optional ones blank. Fields that the first version lacks draw from their own stream,
    so that adding a field to a later version leaves every other cell as it was."""
    row: dict = {"province": _spelling(rng, province, period), "period": str(period)}
    rate = _blank_rate(period)
    first = catalogue.versions[0].field_map
    later = random.Random(f"{seed}/{period}/{province.code}/later")
    for fld in catalogue.version_for(period).fields:
        draw = (rng if fld.code in first else later).random()
        blank = draw < rate and not fld.required
        row[fld.code] = None if blank else values[fld.code]
    return row


def _timeliness(rng: random.Random, period: Period, codes: list[str]) -> dict[str, int | None]:
    """Code → days after quarter end when the report arrives (``None``: never)."""
    legacy = period.era == "legacy"
    n_missing = rng.choice((0, 1, 1, 2, 2, 3) if legacy else (0, 1, 1, 2))
    if period == CALIBRATION_PERIOD:
        n_missing = 0
    missing = set(rng.sample(codes, n_missing))
    rest = [c for c in codes if c not in missing]
    extra = 2 if period.year == 2020 else 0
    n_late = (rng.randint(2, 5) + extra) if legacy else rng.randint(1, 3)
    late = set(rng.sample(rest, n_late))
    on_time_days = (rng.randint(4, 8), rng.randint(9, 14))
    late_days = (rng.randint(20, 35), rng.randint(36, 60))
    if rng.random() < 0.4:  # everyone on time reports on one day
        on_time_days = (on_time_days[1], on_time_days[1])
    if n_late <= 3:
        late_days = (late_days[0], late_days[0])
    plan: dict[str, int | None] = {}
    for code in codes:
        pick = rng.random() < 0.5
        days = late_days if code in late else on_time_days
        plan[code] = None if code in missing else days[pick]
    return plan


def _revision_periods(seed: int) -> set[Period]:
    """The legacy quarters (2020-Q3 to 2025-Q1) in which one report is revised later."""
    rng = random.Random(f"{seed}/revisions")
    return {FIRST_PERIOD.next(t) for t in rng.sample(range(2, 21), REVISIONS)}


def _revise(rng: random.Random, entries: list[_Entry], period: Period) -> list[_Entry]:
    """Make one on-time row wrong and add its correction, received 35–80 days after the end."""
    candidates = [e for e in entries if e.day <= 14]
    entry = rng.choice(candidates)
    corrected = _Entry(period, entry.code, rng.randint(35, 80), dict(entry.row))
    factor = rng.uniform(0.6, 0.9)
    for fld in rng.sample(REVISABLE, len(REVISABLE)):
        value = entry.row[fld]
        if value is None:
            continue
        wrong = round(value * 10, 1) if fld == "budget_total" else round(value * factor)
        if wrong != value:
            entry.row[fld] = wrong
            return [corrected]
    return []


def _period_entries(
    period: Period, values: dict[str, Values], seed: int, catalogue: Catalogue
) -> list[_Entry]:
    """Every row received for ``period`` with its day of receipt (revisions included)."""
    rng = random.Random(f"{seed}/{period}")
    registry = load_registry()
    codes = sorted(values)
    plan = _timeliness(rng, period, codes)
    entries = []
    for code in codes:
        row = _row(rng, registry.get(code, period.era), period, values[code], catalogue, seed)
        day = plan[code]
        if day is not None:
            entries.append(_Entry(period, code, day, row))
    if period in _revision_periods(seed):
        entries += _revise(rng, entries, period)
    return entries


def _received_at(period: Period, day: int, seed: int) -> datetime:
    """Receipt time of the file of ``period`` that arrived ``day`` days after quarter end."""
    rng = random.Random(f"{seed}/{period}/{day}")
    clock = time(rng.randint(7, 16), rng.randint(0, 59))
    return datetime.combine(period.end + timedelta(days=day), clock)


def _batches(entries: Iterable[_Entry], seed: int, today: date) -> list[DemoBatch]:
    """Group rows by quarter and day of receipt; keep files received before ``today``."""
    groups: dict[tuple[Period, int], list[_Entry]] = defaultdict(list)
    for entry in entries:
        groups[(entry.period, entry.day)].append(entry)
    batches: list[DemoBatch] = []
    letters: dict[Period, int] = defaultdict(int)
    for (period, day), group in sorted(groups.items(), key=lambda kv: kv[0]):
        received = _received_at(period, day, seed)
        if received.date() >= today:
            continue
        name = f"demo_{period}_{ascii_lowercase[letters[period]]}.xlsx"
        letters[period] += 1
        rows = [e.row for e in sorted(group, key=lambda e: e.code)]
        batches.append(DemoBatch(name, rows, received))
    return sorted(batches, key=lambda b: b.received_at)


def generate(today: date | None = None, seed: int = DEFAULT_SEED) -> list[DemoBatch]:
    """The demo files for 2020-Q1 to the last full quarter before ``today``, oldest first."""
    today = today or vn_today()
    periods = demo_periods(today)
    catalogue = load_catalogue()
    legacy = simulate_legacy(periods, seed)
    entries: list[_Entry] = []
    for period in periods:
        entries += _period_entries(period, reported_values(period, legacy), seed, catalogue)
    return _batches(entries, seed, today)


# --------------------------------------------------------------------------- loading


def has_demo(store: Store) -> bool:
    """Whether the store holds any accepted demo submission."""
    return DEMO_DATASET in submissions.datasets(store)


def _already_loaded(
    data: bytes,
    batch: DemoBatch,
    known: set[tuple[str, str, str]],
    catalogue: Catalogue,
    today: date,
) -> bool:
    """Whether every report of the file is already in the history (any status).

    Re-ingesting the first file of a revised report would make the wrong value current again,
    so files whose reports are all known are skipped instead of being ingested.
    """
    if not known:
        return False
    _, reports, _ = parse_file(data, batch.file_name, catalogue, today)
    keys = {(r.province.code, str(r.period), r.content_hash) for r in reports}
    return bool(keys) and keys <= known


def _rejected(file_name: str, messages: list[str]) -> RuntimeError:
    """The error for a rejected demo file, with its first messages (a bug, not a user error)."""
    text = "; ".join(messages[:10])
    return RuntimeError(f"demo file {file_name} was rejected: {text}")


def load_demo(
    store: Store, today: date | None = None, progress: Callable[[int, int], None] | None = None
) -> DemoSummary:
    """Write every demo batch as a bulk file and ingest them as dataset ``demo``; idempotent.

    A second call changes nothing: files whose reports are all in the history already count as
    duplicates and are not ingested again. Raises ``RuntimeError`` if a file is rejected.
    """
    started = _time.perf_counter()
    today = today or vn_today()
    catalogue = load_catalogue()
    batches = generate(today)
    known = submissions.dataset_reports(store, DEMO_DATASET)
    items: list[Item] = []
    for batch in batches:
        data = write_bulk(batch.rows, catalogue)
        if not _already_loaded(data, batch, known, catalogue, today):
            items.append((batch.file_name, data, batch.received_at))
    counted = {"accepted": 0, "duplicate": len(batches) - len(items)}
    reports = 0
    results = ingest(
        store,
        items,
        actor=DEMO_ACTOR,
        dataset=DEMO_DATASET,
        today=today,
        catalogue=catalogue,
        progress=_counter(progress, len(batches)),
    )
    for result in results:
        if result.status == "rejected":
            raise _rejected(result.file_name, [p.message_en for p in result.errors])
        counted[result.status] += 1
        reports += len(result.submission_ids)
    seconds = _time.perf_counter() - started
    return DemoSummary(len(batches), counted["accepted"], counted["duplicate"], reports, seconds)


def _counter(
    progress: Callable[[int, int], None] | None, total: int
) -> Callable[[int, str], None] | None:
    """``progress(done, total)`` as the pipeline's ``progress(done, file_name)``."""
    if progress is None:
        return None
    return lambda done, _name: progress(done, total)
