"""The indicator catalogue: content per DESIGN.md §2, validation, and sources quoted verbatim."""

from __future__ import annotations

import copy
import tomllib
from datetime import date
from pathlib import Path

import pytest

from dxboard.catalogue import CATALOGUE_PATH, CatalogueError, load_catalogue, parse_catalogue

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


@pytest.fixture(scope="module")
def raw() -> dict:
    with CATALOGUE_PATH.open("rb") as fh:
        return tomllib.load(fh)


def test_catalogue_has_design_tables() -> None:
    cat = load_catalogue()
    assert [p.code for p in cat.pillars] == [
        "institutions",
        "digital_government",
        "resources",
        "digital_infrastructure",
        "digital_community",
    ]
    assert len(cat.fields) == 22
    assert [i.code for i in cat.indicators] == [
        "steering_committee",
        "dx_resolution",
        "dx_program",
        "annual_dx_plan",
        "level4_share",
        "remote_inspection_share",
        "online_dossier_share",
        "it_budget_share",
        "security_budget_share",
        "smartphone_share",
        "fiber_share",
        "digital_address_share",
        "industrial_zone_5g_share",
        "tech_team_share",
    ]


@pytest.mark.parametrize(
    ("code", "formula", "value", "deadline"),
    [
        ("level4_share", "procedures_level4 / procedures_total", 1.0, date(2021, 12, 31)),
        ("it_budget_share", "it_budget / budget_total", 0.01, None),
        ("security_budget_share", "security_budget / it_budget", 0.1, None),
        ("dx_program", "dx_program", 1, date(2020, 12, 31)),
        (
            "remote_inspection_share",
            "inspections_remote / inspections_total",
            0.5,
            date(2025, 12, 31),
        ),
    ],
)
def test_targets(code: str, formula: str, value: float, deadline: date | None) -> None:
    ind = load_catalogue().indicator(code)
    assert ind.formula == formula
    assert ind.target.stages[0].value == value
    assert ind.target.stages[0].deadline == deadline


def test_staged_target_picks_stage_by_date() -> None:
    target = load_catalogue().indicator("remote_inspection_share").target
    assert target.stage_for(date(2024, 6, 30)).value == 0.5
    assert target.stage_for(date(2026, 3, 31)).value == 0.7
    assert target.stage_for(date(2031, 3, 31)).value == 0.7


def test_informational_indicator_is_not_scored() -> None:
    ind = load_catalogue().indicator("online_dossier_share")
    assert not ind.scored and ind.target is None


def test_part_of_chain() -> None:
    cat = load_catalogue()
    parts = {f.code: f.part_of for f in cat.fields if f.part_of}
    assert parts["procedures_level4"] == "procedures_total"
    assert parts["it_budget"] == "budget_total"
    assert parts["security_budget"] == "it_budget"
    assert len(parts) == 10


@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds not beside the checkout")
def test_every_source_quote_is_verbatim_in_its_seed() -> None:
    for ind in load_catalogue().indicators:
        for source in ind.sources:
            text = (SEEDS / source.seed).read_text(encoding="utf-8")
            assert source.quote in text, (ind.code, source.seed)


@pytest.mark.parametrize(
    ("mutate", "needle"),
    [
        (lambda d: d["indicators"][4].update(pillar="nowhere"), "level4_share"),
        (lambda d: d["indicators"][4].update(numerator="no_such_field"), "no_such_field"),
        (lambda d: d["fields"][5].update(kind="text"), "fields[procedures_level4].kind"),
        (lambda d: d["fields"][5].update(part_of="steering_committee"), "procedures_level4"),
        (lambda d: d["indicators"][0].pop("sources"), "indicators[steering_committee].sources"),
        (lambda d: d["indicators"].append(copy.deepcopy(d["indicators"][0])), "steering_committee"),
        (lambda d: d["indicators"][7]["target"].update(comparator="~"), "it_budget_share"),
        (lambda d: d["indicators"][5]["target"]["stages"].reverse(), "remote_inspection_share"),
    ],
)
def test_invalid_catalogue_names_the_entry(raw: dict, mutate, needle: str) -> None:
    bad = copy.deepcopy(raw)
    mutate(bad)
    with pytest.raises(CatalogueError) as info:
        parse_catalogue(bad)
    assert needle in str(info.value)
