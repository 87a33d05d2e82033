"""Tests of the province registry (``dxboard/registry.py``, ``data/provinces.json``)."""

from __future__ import annotations

import copy
import importlib.util
import json
import unicodedata
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from dxboard.periods import Period
from dxboard.registry import (
    DATA_PATH,
    Province,
    ProvinceMatchError,
    Region,
    Registry,
    load_registry,
)

ROOT = Path(__file__).resolve().parent.parent
LEGACY, CURRENT = "legacy", "current"


@pytest.fixture(scope="module")
def reg() -> Registry:
    return load_registry()


def raw_data() -> dict:
    return json.loads(DATA_PATH.read_text(encoding="utf-8"))


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


# ----------------------------------------------------------------------------- structure


def test_counts(reg: Registry) -> None:
    assert len(reg.provinces(LEGACY)) == 63
    assert len(reg.provinces(CURRENT)) == 34


@pytest.mark.parametrize("era", [LEGACY, CURRENT])
def test_codes_unique_sorted_two_digits(reg: Registry, era: str) -> None:
    codes = [p.code for p in reg.provinces(era)]
    assert codes == sorted(set(codes))
    assert all(len(c) == 2 and c.isdigit() for c in codes)
    assert all(p.era == era for p in reg.provinces(era))


def test_merger_covers_every_legacy_province_once(reg: Registry) -> None:
    covered = Counter(c for p in reg.provinces(CURRENT) for c in p.constituents)
    assert set(covered) == {p.code for p in reg.provinces(LEGACY)}
    assert set(covered.values()) == {1}


def test_successor_and_constituents_consistent(reg: Registry) -> None:
    for old in reg.provinces(LEGACY):
        new = reg.successor(old.code)
        assert new.era == CURRENT
        assert old in reg.constituents(new.code)
        assert old.constituents == () and new.successor is None
    for new in reg.provinces(CURRENT):
        assert all(reg.successor(o.code) == new for o in reg.constituents(new.code))


def test_eleven_unchanged(reg: Registry) -> None:
    single = [p for p in reg.provinces(CURRENT) if len(p.constituents) == 1]
    assert len(single) == 11
    for p in single:
        (old,) = reg.constituents(p.code)
        assert old.code == p.code and old.key == p.key


def test_can_tho_merger(reg: Registry) -> None:
    can_tho = reg.get("92", CURRENT)
    assert can_tho.name == "Thành phố Cần Thơ"
    assert can_tho.constituents == ("92", "93", "94")
    names = [p.short_name for p in reg.constituents("92")]
    assert names == ["Cần Thơ", "Hậu Giang", "Sóc Trăng"]
    assert reg.successor("93") == can_tho


def test_code_reused_by_another_province(reg: Registry) -> None:
    """GSO codes are per era: 24 was Bắc Giang, now Bắc Ninh; Lào Cai moved from 10 to 15."""
    assert reg.get("24", LEGACY).short_name == "Bắc Giang"
    assert reg.get("24", CURRENT).short_name == "Bắc Ninh"
    assert reg.successor("27").code == "24"
    assert reg.successor("10").code == "15"


def test_validity_dates(reg: Registry) -> None:
    for p in reg.provinces(LEGACY):
        assert (p.valid_from, p.valid_to) == (None, date(2025, 6, 30))
    for p in reg.provinces(CURRENT):
        assert (p.valid_from, p.valid_to) == (date(2025, 7, 1), None)


def test_get_accepts_unpadded_code(reg: Registry) -> None:
    assert reg.get("1", LEGACY) == reg.get("01", LEGACY)
    with pytest.raises(KeyError):
        reg.get("93", CURRENT)
    with pytest.raises(KeyError):
        reg.get("abc", LEGACY)


def test_for_period(reg: Registry) -> None:
    assert len(reg.for_period("2025-Q2")) == 63
    assert len(reg.for_period(Period.parse("2025-Q3"))) == 34


def test_regions_cover_all_provinces(reg: Registry) -> None:
    codes = [r.code for r in reg.regions]
    assert codes == ["TDMNPB", "DBSH", "BTB_DHMT", "TN", "DNB", "DBSCL"]
    assert all(isinstance(r, Region) and r.name_vi and r.name_en for r in reg.regions)
    for era in (LEGACY, CURRENT):
        used = {p.region for p in reg.provinces(era)}
        assert used <= set(codes)
    assert {p.region for p in reg.provinces(LEGACY)} == set(codes)
    assert reg.region("DBSCL").name_vi == "Đồng bằng sông Cửu Long"
    assert reg.region("tn").name_en == "Central Highlands"


def test_region_rule_for_current(reg: Registry) -> None:
    """A current province takes the region of the legacy province with its code (the seat)."""
    for p in reg.provinces(CURRENT):
        seat = reg.get(p.code, LEGACY)
        assert p.region == seat.region
    assert reg.get("92", CURRENT).region == "DBSCL"


def test_ascii_names(reg: Registry) -> None:
    assert reg.get("02", LEGACY).ascii_name == "Ha Giang"
    assert reg.get("79", CURRENT).name == "Thành phố Hồ Chí Minh"
    assert all(p.ascii_name.isascii() for p in reg.provinces(LEGACY))


# ----------------------------------------------------------------------------- matching

VARIANTS: list[tuple[str, str, str, str]] = [
    # (text, period, expected era, expected code)
    ("79", "2025-Q3", CURRENT, "79"),
    ("1", "2024-Q1", LEGACY, "01"),
    ("01", None, CURRENT, "01"),
    ("HCM", "2025-Q4", CURRENT, "79"),
    ("TP HCM", "2024-Q2", LEGACY, "79"),
    ("TPHCM", None, CURRENT, "79"),
    ("Tp.HCM", "2025-Q3", CURRENT, "79"),
    ("T.P HCM", "2023-Q4", LEGACY, "79"),
    ("TP. Hồ Chí Minh", "2025-Q3", CURRENT, "79"),
    ("Sài Gòn", "2024-Q3", LEGACY, "79"),
    ("Saigon", "2025-Q3", CURRENT, "79"),
    ("Ho Chi Minh City", None, CURRENT, "79"),
    ("Thành phố Hồ Chí Minh", "2024-Q1", LEGACY, "79"),
    (nfd("Thành phố Hồ Chí Minh"), "2025-Q3", CURRENT, "79"),
    ("HN", "2024-Q1", LEGACY, "01"),
    ("hà nội", None, CURRENT, "01"),
    ("HA NOI", "2024-Q1", LEGACY, "01"),
    ("  Ha   Noi  ", None, CURRENT, "01"),
    ("Huế", "2024-Q1", LEGACY, "46"),
    ("Huế", "2025-Q3", CURRENT, "46"),
    ("Thừa Thiên Huế", "2024-Q1", LEGACY, "46"),
    ("Thừa Thiên Huế", "2025-Q3", CURRENT, "46"),
    ("Tỉnh Thừa Thiên - Huế", "2023-Q2", LEGACY, "46"),
    (nfd("Thừa Thiên Huế"), "2025-Q4", CURRENT, "46"),
    ("BR-VT", "2024-Q1", LEGACY, "77"),
    ("BRVT", "2024-Q1", LEGACY, "77"),
    ("Bà Rịa Vũng Tàu", "2024-Q1", LEGACY, "77"),
    ("Tỉnh Bà Rịa - Vũng Tàu", "2024-Q1", LEGACY, "77"),
    ("Đắc Lắc", "2024-Q1", LEGACY, "66"),
    ("Dak Lak", "2025-Q3", CURRENT, "66"),
    ("Daklak", "2024-Q1", LEGACY, "66"),
    ("Đăk Lăk", "2025-Q3", CURRENT, "66"),
    (nfd("Đắk Lắk"), "2025-Q3", CURRENT, "66"),
    ("Đắc Nông", "2024-Q1", LEGACY, "67"),
    ("Dak Nong", "2024-Q1", LEGACY, "67"),
    ("Kon Tum", "2024-Q1", LEGACY, "62"),
    ("Kontum", "2024-Q1", LEGACY, "62"),
    ("Hòa Bình", "2024-Q1", LEGACY, "17"),
    ("Hoà Bình", "2024-Q1", LEGACY, "17"),
    (nfd("Hoà Bình"), "2024-Q1", LEGACY, "17"),
    ("Thanh Hoá", "2025-Q3", CURRENT, "38"),
    ("Thanh Hóa", "2024-Q1", LEGACY, "38"),
    ("Khánh Hoà", "2025-Q3", CURRENT, "56"),
    ("Bắc Cạn", "2024-Q1", LEGACY, "06"),
    ("Bắc Kạn", "2024-Q1", LEGACY, "06"),
    ("Tỉnh Hậu Giang", "2024-Q4", LEGACY, "93"),
    ("hau giang", "2025-Q2", LEGACY, "93"),
    ("Cần Thơ", "2025-Q3", CURRENT, "92"),
    ("TP Cần Thơ", "2024-Q1", LEGACY, "92"),
    ("CAN THO", None, CURRENT, "92"),
    ("Lào Cai", "2024-Q1", LEGACY, "10"),
    ("Lào Cai", "2025-Q3", CURRENT, "15"),
    ("Bắc Ninh", "2024-Q1", LEGACY, "27"),
    ("Bắc Ninh", "2025-Q3", CURRENT, "24"),
    ("Tỉnh Gia Lai", "2025-Q3", CURRENT, "52"),
    ("Đà Nẵng.", "2025-Q3", CURRENT, "48"),
    ("Quảng Nam", "2024-Q1", LEGACY, "49"),
    (nfd("Tỉnh Quảng Ngãi"), "2025-Q3", CURRENT, "51"),
]


@pytest.mark.parametrize(("text", "period", "era", "code"), VARIANTS)
def test_match_variants(reg: Registry, text: str, period: str | None, era: str, code: str) -> None:
    got = reg.match(text, period)
    assert (got.era, got.code) == (era, code)


def test_enough_variants() -> None:
    assert len(VARIANTS) >= 45


def test_every_name_matches_itself(reg: Registry) -> None:
    for era in (LEGACY, CURRENT):
        for p in reg.provinces(era):
            for text in (p.name, p.short_name, p.ascii_name, nfd(p.name), p.code):
                assert reg.match(text, era=era) == p


def test_era_argument_wins_and_default_is_current(reg: Registry) -> None:
    assert reg.match("Lào Cai").code == "15"
    assert reg.match("Lào Cai", era=LEGACY).code == "10"
    assert reg.match("Lào Cai", period=Period(2024, 1)).code == "10"
    with pytest.raises(ValueError):
        reg.match("Hà Nội", era="future")


# ----------------------------------------------------------------------------- errors


def test_wrong_era_legacy_name_in_current_period(reg: Registry) -> None:
    with pytest.raises(ProvinceMatchError) as info:
        reg.match("Hậu Giang", "2025-Q4")
    err = info.value
    assert err.kind == "wrong_era"
    assert err.text == "Hậu Giang"
    assert [p.code for p in err.candidates] == ["92"]
    assert err.message_vi == (
        "«Hậu Giang» là tỉnh cũ, từ 01/07/2025 đã hợp nhất vào Thành phố Cần Thơ (mã 92). "
        "Hãy dùng tên tỉnh mới."
    )
    assert "Thành phố Cần Thơ (code 92)" in err.message_en
    assert str(err) == err.message_vi
    assert isinstance(err, ValueError)


@pytest.mark.parametrize(
    ("text", "into"),
    [("Bắc Cạn", "19"), ("Vũng Tàu", "79"), ("Yên Bái", "15"), ("93", "92"), ("Kon Tum", "51")],
)
def test_wrong_era_names_successor(reg: Registry, text: str, into: str) -> None:
    with pytest.raises(ProvinceMatchError) as info:
        reg.match(text, era=CURRENT)
    assert info.value.kind == "wrong_era"
    assert [p.code for p in info.value.candidates] == [into]
    assert f"(mã {into})" in info.value.message_vi


def renamed_registry() -> Registry:
    """A registry where current 92 has a name no legacy province had."""
    data = copy.deepcopy(raw_data())
    for rec in data["provinces"]:
        if (rec["era"], rec["code"]) == (CURRENT, "92"):
            rec.update(name="Thành phố Tây Đô", short_name="Tây Đô", ascii_name="Tay Do")
            rec.update(key="taydo", aliases=[])
    return Registry(data)


def test_wrong_era_current_name_in_legacy_period() -> None:
    reg = renamed_registry()
    assert reg.match("Tay Do", "2025-Q3").code == "92"
    with pytest.raises(ProvinceMatchError) as info:
        reg.match("Tây Đô", "2024-Q2")
    err = info.value
    assert err.kind == "wrong_era"
    assert [p.code for p in err.candidates] == ["92", "93", "94"]
    assert all(p.era == LEGACY for p in err.candidates)
    assert "Tỉnh Hậu Giang (mã 93)" in err.message_vi
    assert "Tỉnh Sóc Trăng (code 94)" in err.message_en


def test_unknown_with_candidates(reg: Registry) -> None:
    with pytest.raises(ProvinceMatchError) as info:
        reg.match("Quang Nin", "2025-Q3")
    err = info.value
    assert err.kind == "unknown"
    assert 1 <= len(err.candidates) <= 5
    assert err.candidates[0].short_name == "Quảng Ninh"
    assert err.message_vi.startswith("Không nhận ra tỉnh «Quang Nin». Có phải: Quảng Ninh")
    assert err.message_vi.endswith("?")


def test_unknown_without_candidates(reg: Registry) -> None:
    for text in ("xyzzy", "", "99", "Tỉnh"):
        with pytest.raises(ProvinceMatchError) as info:
            reg.match(text)
        assert info.value.kind == "unknown"


def test_ambiguous_lists_candidates() -> None:
    data = copy.deepcopy(raw_data())
    for rec in data["provinces"]:
        if rec["era"] == CURRENT and rec["code"] in ("82", "86"):
            rec["aliases"] = [*rec["aliases"], "mientay"]
    reg = Registry(data)
    with pytest.raises(ProvinceMatchError) as info:
        reg.match("Miền Tây", "2025-Q3")
    err = info.value
    assert err.kind == "ambiguous"
    assert [p.code for p in err.candidates] == ["82", "86"]
    assert "Tỉnh Đồng Tháp (mã 82)" in err.message_vi
    assert "Tỉnh Vĩnh Long (mã 86)" in err.message_vi
    assert "Tỉnh Đồng Tháp (code 82)" in err.message_en
    with pytest.raises(ProvinceMatchError) as legacy:
        reg.match("Miền Tây", "2024-Q1")
    assert legacy.value.kind == "wrong_era"


def test_no_alias_shared_in_real_data(reg: Registry) -> None:
    for era in (LEGACY, CURRENT):
        for p in reg.provinces(era):
            for alias in p.aliases:
                assert reg.match(alias, era=era) == p


# ----------------------------------------------------------------------------- generation


def test_json_is_what_the_build_script_produces() -> None:
    pytest.importorskip("vietnamadminunits")
    path = ROOT / "scripts" / "build_registry.py"
    spec = importlib.util.spec_from_file_location("build_registry", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    built = module.build()
    assert built == raw_data()
    assert module.render(built) == DATA_PATH.read_text(encoding="utf-8")


def test_province_is_frozen(reg: Registry) -> None:
    p: Province = reg.get("79", CURRENT)
    with pytest.raises(AttributeError):
        p.code = "80"  # type: ignore[misc]
