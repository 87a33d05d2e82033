"""The indicator catalogue: content per DESIGN.md §2 and DOMAIN-2025.md, framework versions,
validation, and sources quoted verbatim."""

from __future__ import annotations

import copy
import tomllib
from datetime import date
from pathlib import Path

import pytest

from dxboard.catalogue import (
    CATALOGUE_PATH,
    Catalogue,
    CatalogueError,
    DocumentRef,
    Fact,
    SeedQuote,
    load_catalogue,
    parse_catalogue,
)
from dxboard.periods import Period

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
INDICATORS_2021 = [
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


@pytest.fixture(scope="module")
def raw() -> dict:
    with CATALOGUE_PATH.open("rb") as fh:
        return tomllib.load(fh)


def test_catalogue_has_design_tables() -> None:
    cat = load_catalogue()
    pillars = [
        "institutions",
        "digital_government",
        "resources",
        "digital_infrastructure",
        "digital_community",
    ]
    old, new = cat.version("2021"), cat.version("2025")
    assert [p.code for p in cat.pillars] == [p.code for p in old.pillars] == pillars
    assert [p.code for p in new.pillars] == pillars
    assert len(old.fields) == 22 and len(new.fields) == 23 and len(cat.fields) == 23
    assert [i.code for i in old.indicators] == INDICATORS_2021
    with_sti = [*INDICATORS_2021[:9], "sti_dx_budget_share", *INDICATORS_2021[9:]]
    assert [i.code for i in new.indicators] == [i.code for i in cat.indicators] == with_sti
    assert new.field_codes.index("sti_dx_budget") == new.field_codes.index("security_budget") + 1


def test_versions_cover_every_period_once() -> None:
    cat = load_catalogue()
    assert [v.id for v in cat.versions] == ["2021", "2025"]
    assert cat.version_for("2020-Q1").id == cat.version_for("2025-Q2").id == "2021"
    assert cat.version_for("2025-Q3").id == cat.version_for("2031-Q4").id == "2025"
    assert cat.version("2021").last == Period(2025, 2)
    assert cat.version("2025").first == Period(2025, 3)
    assert cat.breaks(["2025-Q2", "2025-Q3"]) == [Period(2025, 3)]
    assert cat.breaks(["2024-Q1", "2024-Q4"]) == cat.breaks(["2025-Q3", "2026-Q2"]) == []
    assert cat.version_of_template("2025").id == "2025"
    assert cat.version_of_template("2025.1").id == "2021"  # templates made before versions
    assert cat.version_of_template("1999") is None


def test_2025_version_reporter_ministry_and_legal_basis() -> None:
    cat = load_catalogue()
    old, new = cat.version("2021"), cat.version("2025")
    assert (old.reporter.short_vi, old.ministry.short_vi) == ("Sở TT&TT", "Bộ TT&TT")
    assert (new.reporter.short_vi, new.ministry.short_vi) == ("Sở KH&CN", "Bộ KH&CN")
    assert new.reporter.name("en") == "Department of Science and Technology"
    assert set(new.legal_basis) >= {"57-NQ/TW", "55/2025/NĐ-CP", "10/2025/TT-BKHCN"}
    assert old.legal_basis == ("749/QĐ-TTg",)
    nq57 = cat.document("57-NQ/TW")
    assert nq57.date == date(2024, 12, 22)
    assert nq57.citation("vi").startswith("Nghị quyết 57-NQ/TW ngày 22/12/2024 về đột phá")
    assert nq57.citation("en").startswith("Resolution 57-NQ/TW of 2024-12-22 on breakthroughs")
    decree42 = cat.document("42/2022/NĐ-CP").citation("vi")
    assert decree42.startswith("Nghị định 42/2022/NĐ-CP về dịch vụ công trực tuyến")
    assert (
        cat.document("55/2025/NĐ-CP")
        .citation("vi")
        .startswith("Nghị định 55/2025/NĐ-CP (hiệu lực từ 01/03/2025) về Bộ Khoa học và Công nghệ")
    )


def test_2025_changes_and_their_sources() -> None:
    """Each change of the 2025 version, as the methodology page and the closing note list it."""
    cat = load_catalogue()
    changes = cat.changes(cat.version("2021"), cat.version("2025"))
    found = {(c.entity, c.code): (c.kind, c.aspects, c.sources) for c in changes}
    doc = {k: {s.document for s in v[2] if isinstance(s, DocumentRef)} for k, v in found.items()}
    facts = {k: [s for s in v[2] if isinstance(s, Fact)] for k, v in found.items()}
    assert set(found) == {
        ("reporter", "reporter"),
        ("ministry", "ministry"),
        ("field", "steering_committee"),
        ("field", "procedures_level4"),
        ("field", "sti_dx_budget"),
        ("field", "communes"),
        ("indicator", "steering_committee"),
        ("indicator", "level4_share"),
        ("indicator", "sti_dx_budget_share"),
        ("indicator", "tech_team_share"),
    }
    assert doc[("reporter", "reporter")] == {"10/2025/TT-BKHCN"}
    assert doc[("ministry", "ministry")] == {"55/2025/NĐ-CP"}
    assert found[("indicator", "sti_dx_budget_share")][0] == "added"
    assert (
        doc[("indicator", "sti_dx_budget_share")] == doc[("field", "sti_dx_budget")] == {"57-NQ/TW"}
    )
    assert found[("indicator", "level4_share")][1] == ("name", "definition")
    assert "42/2022/NĐ-CP" in doc[("indicator", "level4_share")]
    assert found[("indicator", "steering_committee")][1] == ("name", "definition")
    assert facts[("field", "communes")][0].date == date(2025, 7, 1)
    assert "3.321" in facts[("indicator", "tech_team_share")][0].fact_vi


def test_renamed_concepts_carry_both_names() -> None:
    cat = load_catalogue()
    old, new = cat.version("2021"), cat.version("2025")
    level4 = new.indicator("level4_share")
    assert level4.name("vi") == "Dịch vụ công trực tuyến toàn trình"
    assert level4.former_name("vi") == old.indicator("level4_share").name("vi")
    assert "mức độ 4" in level4.definition("vi") and "toàn trình" in level4.definition("vi")
    assert "toàn trình" in new.field("procedures_level4").name_vi
    assert new.field("procedures_level4").former_name_vi == old.field("procedures_level4").name_vi
    steering = new.indicator("steering_committee")
    assert "khoa học, công nghệ, đổi mới sáng tạo" in steering.name_vi
    assert steering.target == old.indicator("steering_committee").target
    sti = new.indicator("sti_dx_budget_share")
    assert (sti.pillar, sti.formula) == ("resources", "sti_dx_budget / budget_total")
    assert sti.target.comparator == ">=" and sti.target.stages[0].value == 0.03
    assert new.field("sti_dx_budget").part_of == "budget_total"
    assert "sti_dx_budget" not in old.field_map


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
    parts = {f.code: f.part_of for f in cat.version("2021").fields if f.part_of}
    assert parts["procedures_level4"] == "procedures_total"
    assert parts["it_budget"] == "budget_total"
    assert parts["security_budget"] == "it_budget"
    assert len(parts) == 10
    assert sum(1 for f in cat.version("2025").fields if f.part_of) == 11


def _seed_quotes(cat: Catalogue) -> list[tuple[str, SeedQuote]]:
    """Every seed quote of the catalogue: entries, reporters and ministries, documents."""
    out = [
        (e.code, s)
        for e in (*cat.field_entries, *cat.indicator_entries)
        for s in e.sources
        if isinstance(s, SeedQuote)
    ]
    for v in cat.versions:
        for who in (v.reporter, v.ministry):
            out += [(who.short_vi, s) for s in who.sources if isinstance(s, SeedQuote)]
    out += [(d.number, SeedQuote(seed=d.seed, quote=d.quote)) for d in cat.documents if d.seed]
    return out


@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds not beside the checkout")
def test_every_source_quote_is_verbatim_in_its_seed() -> None:
    quotes = _seed_quotes(load_catalogue())
    assert len(quotes) > 20
    assert any(code == "749/QĐ-TTg" for code, _ in quotes)
    for code, source in quotes:
        text = (SEEDS / source.seed).read_text(encoding="utf-8")
        assert source.quote in text, (code, source.seed)


@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds not beside the checkout")
def test_articles_are_cited_by_the_title_and_date_of_their_seed() -> None:
    """Each seed is cited by its title and date, as its head gives them (not by file name)."""
    cat = load_catalogue()
    assert {a.seed for a in cat.articles} == {p.name for p in SEEDS.glob("*.txt")}
    for article in cat.articles:
        head = (SEEDS / article.seed).read_text(encoding="utf-8")[:600]
        assert article.title in head, article.seed
        if article.date is not None:
            assert article.date.strftime("%d/%m/%Y") in head, article.seed
    quote = cat.version("2021").indicator("level4_share").sources[1]
    assert cat.cite(quote, "vi") == (
        "«chậm nhất năm 2021, phải đạt 100% DVCTT mức độ 4» — "
        "Năm 2021 tiến hành triển khai Chính phủ số (29/12/2020)"
    )


def test_every_indicator_of_every_version_has_a_source() -> None:
    for version in load_catalogue().versions:
        for ind in version.indicators:
            assert ind.sources, (version.id, ind.code)


@pytest.mark.parametrize(
    ("mutate", "needle"),
    [
        (lambda d: _entry(d, "indicators", "level4_share", 0).update(pillar="x"), "level4_share"),
        (lambda d: _entry(d, "indicators", "level4_share", 1).update(numerator="nix"), "nix"),
        (lambda d: _entry(d, "fields", "procedures_level4", 0).update(kind="text"), "fields[proc"),
        (
            lambda d: _entry(d, "fields", "procedures_level4", 0).update(part_of="dx_program"),
            "procedures_level4",
        ),
        (lambda d: d["indicators"][0].pop("sources"), "indicators[steering_committee].sources"),
        (lambda d: d["indicators"].append(copy.deepcopy(d["indicators"][0])), "steering_committee"),
        (
            lambda d: _entry(d, "indicators", "it_budget_share", 0)["target"].update(
                comparator="<"
            ),
            "it_budget_share",
        ),
        (
            lambda d: _entry(d, "indicators", "remote_inspection_share", 0)["target"][
                "stages"
            ].reverse(),
            "remote_inspection_share",
        ),
        (lambda d: d["versions"][1].update(valid_from="2025-Q4"), "version '2025'"),
        (lambda d: d["versions"][1].update(legal_basis=["1/2099/NĐ-CP"]), "1/2099/NĐ-CP"),
        (lambda d: d["fields"][1].update(since="2030"), "unknown version '2030'"),
        (lambda d: _entry(d, "fields", "communes", 1).pop("former_name_vi"), "'communes'"),
        (lambda d: _entry(d, "indicators", "tech_team_share", 1).pop("sources"), "tech_team"),
        (lambda d: _entry(d, "indicators", "level4_share", 1).update(sources=_seed0(d)), "level4"),
        (lambda d: d["versions"][1]["reporter"].update(sources=[{"document": "x"}]), "'x'"),
        (lambda d: d["versions"][1].update(template_version="2025.1"), "templates"),
    ],
)
def test_invalid_catalogue_names_the_entry(raw: dict, mutate, needle: str) -> None:
    """Also: versions must follow each other, cite known documents, and every change of an
    entry must carry its former name (when renamed) and a source of its own."""
    bad = copy.deepcopy(raw)
    mutate(bad)
    with pytest.raises(CatalogueError) as info:
        parse_catalogue(bad)
    assert needle in str(info.value)


def _entry(raw: dict, kind: str, code: str, n: int) -> dict:
    """The ``n``-th entry (0 first) of ``kind`` with ``code`` in the raw catalogue."""
    return [e for e in raw[kind] if e["code"] == code][n]


def _seed0(raw: dict) -> list[dict]:
    """The sources of the first ``level4_share`` entry (so the second has none of its own)."""
    return _entry(raw, "indicators", "level4_share", 0)["sources"]
