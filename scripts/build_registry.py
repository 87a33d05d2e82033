"""Generate ``data/provinces.json`` (the province registry) from ``vietnamadminunits``.

Run it from anywhere with ``python scripts/build_registry.py``. The output is deterministic:
re-running it with the same package version gives a byte-identical file. The dashboard reads
only the JSON at run time (``dxboard/registry.py``); the package is needed only here.

The province lists, names, codes, keys, aliases and the 2025 merger mapping all come from the
package. The one hand-maintained table is ``REGION_MEMBERS`` (socio-economic regions).
"""

from __future__ import annotations

import json
import sqlite3
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

import vietnamadminunits

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run without install

from dxboard.textnorm import strip_accents

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "vietnamadminunits"
OUTPUT = ROOT / "data" / "provinces.json"
LEGACY_TO = "2025-06-30"
CURRENT_FROM = "2025-07-01"
PROVINCE_COLUMNS = (
    "province, provinceShort, provinceCode, provinceKey, provinceShortKey, provinceAlias"
)

# The six socio-economic regions of Nghị quyết 81/2023/QH15 (Quy hoạch tổng thể quốc gia
# thời kỳ 2021-2030, tầm nhìn 2050), membership by LEGACY (63-province) GSO code.
# This is the only hand-maintained table: the package has no regions. Note that it differs
# from the GSO statistical regions (e.g. Quảng Ninh is in the Red River Delta here).
REGIONS: tuple[tuple[str, str, str], ...] = (
    ("TDMNPB", "Trung du và miền núi phía Bắc", "Northern Midlands and Mountains"),
    ("DBSH", "Đồng bằng sông Hồng", "Red River Delta"),
    ("BTB_DHMT", "Bắc Trung Bộ và duyên hải miền Trung", "North Central and Central Coast"),
    ("TN", "Tây Nguyên", "Central Highlands"),
    ("DNB", "Đông Nam Bộ", "Southeast"),
    ("DBSCL", "Đồng bằng sông Cửu Long", "Mekong River Delta"),
)
# fmt: off
REGION_MEMBERS: dict[str, list[str]] = {
    "TDMNPB": ["02", "04", "06", "08", "10", "11", "12", "14", "15", "17", "19", "20", "24", "25"],
    "DBSH": ["01", "22", "26", "27", "30", "31", "33", "34", "35", "36", "37"],
    "BTB_DHMT": ["38", "40", "42", "44", "45", "46", "48", "49", "51", "52", "54", "56",
                 "58", "60"],
    "TN": ["62", "64", "66", "67", "68"],
    "DNB": ["70", "72", "74", "75", "77", "79"],
    "DBSCL": ["80", "82", "83", "84", "86", "87", "89", "91", "92", "93", "94", "95", "96"],
}
# fmt: on

REGION_RULE = (
    "Legacy provinces: region from Nghị quyết 81/2023/QH15 (table REGION_MEMBERS in "
    "scripts/build_registry.py). Current provinces: the region of the legacy province with "
    "the same GSO code (the seat of the merged province); if no legacy province has that "
    "code, the region of the first constituent (lowest legacy code)."
)


def package_dir() -> Path:
    """Directory of the installed ``vietnamadminunits`` package."""
    return Path(vietnamadminunits.__file__).resolve().parent


def licence() -> str:
    """Licence of the package, from its dist-info METADATA (License field or classifier)."""
    meta = metadata.metadata(PACKAGE)
    field = (meta.get("License") or "").strip()
    if field and field.upper() != "UNKNOWN" and "\n" not in field:
        return field
    for classifier in meta.get_all("Classifier") or []:
        if classifier.startswith("License ::"):
            return classifier.split("::")[-1].strip()
    raise RuntimeError(f"no licence found in the METADATA of {PACKAGE}")


def source_info() -> dict[str, Any]:
    """The ``source`` block: where the data comes from and how it was made."""
    meta = metadata.metadata(PACKAGE)
    return {
        "package": PACKAGE,
        "version": metadata.version(PACKAGE),
        "licence": licence(),
        "homepage": meta.get("Home-page") or "",
        "files": [
            "vietnamadminunits/data/dataset.db (tables admin_units_legacy, admin_units)",
            "vietnamadminunits/data/converter_2025.json (DICT_PROVINCE)",
        ],
        "generated_by": "scripts/build_registry.py (do not edit provinces.json by hand)",
        "regions_source": "Nghị quyết 81/2023/QH15 (hand-kept table in the script)",
        "region_rule": REGION_RULE,
    }


def read_table(table: str) -> list[dict[str, Any]]:
    """One row per province of ``table`` (``admin_units_legacy`` or ``admin_units``)."""
    sql = f"SELECT DISTINCT {PROVINCE_COLUMNS} FROM [{table}] ORDER BY provinceCode"
    with sqlite3.connect(package_dir() / "data" / "dataset.db") as conn:
        conn.row_factory = sqlite3.Row
        rows = [dict(row) for row in conn.execute(sql)]
    codes = [row["provinceCode"] for row in rows]
    assert len(codes) == len(set(codes)), f"{table}: a code has several name rows"
    return rows


def read_merger() -> dict[str, list[str]]:
    """``DICT_PROVINCE``: current provinceKey -> legacy provinceKeys."""
    path = package_dir() / "data" / "converter_2025.json"
    return json.loads(path.read_text(encoding="utf-8"))["DICT_PROVINCE"]


def legacy_regions() -> dict[str, str]:
    """Legacy GSO code -> region code, asserting each code is listed exactly once."""
    out: dict[str, str] = {}
    for region, codes in REGION_MEMBERS.items():
        for code in codes:
            assert code not in out, f"legacy code {code} is in two regions"
            out[code] = region
    return out


def base_record(row: dict[str, Any], era: str) -> dict[str, Any]:
    """Fields shared by both eras, from one database row."""
    short = row["provinceShort"]
    return {
        "era": era,
        "code": f"{int(row['provinceCode']):02d}",
        "name": row["province"],
        "short_name": short,
        "ascii_name": strip_accents(short),
        "key": row["provinceShortKey"],
        "aliases": sorted(json.loads(row["provinceAlias"] or "[]")),
    }


def build_legacy(rows: list[dict[str, Any]], successor: dict[str, str]) -> list[dict[str, Any]]:
    """Records of the 63 legacy provinces."""
    regions = legacy_regions()
    assert set(regions) == {f"{int(r['provinceCode']):02d}" for r in rows}, "region table"
    out = []
    for row in rows:
        rec = base_record(row, "legacy")
        rec |= {
            "region": regions[rec["code"]],
            "valid_from": None,
            "valid_to": LEGACY_TO,
            "successor": successor[rec["code"]],
        }
        out.append(rec)
    return out


def build_current(
    rows: list[dict[str, Any]], constituents: dict[str, list[str]]
) -> list[dict[str, Any]]:
    """Records of the 34 current provinces; region per ``REGION_RULE``."""
    regions = legacy_regions()
    out = []
    for row in rows:
        rec = base_record(row, "current")
        parts = constituents[rec["code"]]
        rec |= {
            "region": regions.get(rec["code"], regions[parts[0]]),
            "valid_from": CURRENT_FROM,
            "valid_to": None,
            "constituents": parts,
        }
        out.append(rec)
    return out


def merger_by_code(legacy: list[dict], current: list[dict]) -> dict[str, list[str]]:
    """Current code -> sorted legacy codes, translating DICT_PROVINCE's keys to codes."""
    legacy_code = {r["provinceKey"]: f"{int(r['provinceCode']):02d}" for r in legacy}
    current_code = {r["provinceKey"]: f"{int(r['provinceCode']):02d}" for r in current}
    merger = read_merger()
    assert set(merger) == set(current_code), "DICT_PROVINCE keys != current provinces"
    return {
        current_code[key]: sorted(legacy_code[k] for k in parts) for key, parts in merger.items()
    }


def check(provinces: list[dict[str, Any]]) -> None:
    """Assert the invariants of the registry."""
    legacy = [p for p in provinces if p["era"] == "legacy"]
    current = [p for p in provinces if p["era"] == "current"]
    assert len(legacy) == 63, len(legacy)
    assert len(current) == 34, len(current)
    for group in (legacy, current):
        assert len({p["code"] for p in group}) == len(group), "duplicate code in an era"
    covered = sorted(c for p in current for c in p["constituents"])
    assert covered == sorted(p["code"] for p in legacy), "merger must cover 63 exactly once"
    assert sum(len(p["constituents"]) == 1 for p in current) == 11, "expected 11 unchanged"
    by_code = {p["code"]: p for p in current}
    for p in legacy:
        assert p["code"] in by_code[p["successor"]]["constituents"], p["code"]


def build() -> dict[str, Any]:
    """The whole content of ``data/provinces.json``."""
    legacy_rows = read_table("admin_units_legacy")
    current_rows = read_table("admin_units")
    constituents = merger_by_code(legacy_rows, current_rows)
    successor = {c: cur for cur, parts in constituents.items() for c in parts}
    provinces = build_legacy(legacy_rows, successor) + build_current(current_rows, constituents)
    provinces.sort(key=lambda p: (p["era"] != "legacy", p["code"]))
    check(provinces)
    regions = [{"code": c, "name_vi": vi, "name_en": en} for c, vi, en in REGIONS]
    assert [r["code"] for r in regions] == list(REGION_MEMBERS), "REGIONS vs REGION_MEMBERS"
    return {"source": source_info(), "regions": regions, "provinces": provinces}


def render(data: dict[str, Any]) -> str:
    """Pretty, sorted-key, UTF-8 JSON text with a final newline."""
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def main() -> None:
    """Write ``data/provinces.json``."""
    OUTPUT.write_text(render(build()), encoding="utf-8")
    print(f"wrote {OUTPUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
