"""The province registry: 63 legacy provinces (to 30 June 2025) and 34 current ones.

Loaded from ``data/provinces.json``, which ``scripts/build_registry.py`` generates from the
``vietnamadminunits`` package; only the JSON is needed at run time. ``Registry.match`` turns
whatever people type ("TP HCM", "Daklak", "Thừa Thiên Huế", "79") into a ``Province`` of the
right era, and explains in Vietnamese and English when it cannot.
"""

from __future__ import annotations

import difflib
import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from dxboard.errors import Reason, UserError
from dxboard.i18n import tr
from dxboard.periods import MERGER_PERIOD, Period
from dxboard.textnorm import compact

DATA_PATH = Path(__file__).resolve().parent.parent / "data" / "provinces.json"
ERAS = ("legacy", "current")
MERGER_DATE = date(2025, 7, 1)

# Prefixes dropped from the start of the compact form when the whole text is not a key.
PREFIXES = ("thanhpho", "tinh", "tp")

# Hand-kept spellings, compact form -> the province ``key`` (provinceShortKey) in the JSON.
# The province list itself comes from the JSON; an alias applies in each era where its
# target key exists (so "Bắc Cạn" is a legacy name, and a wrong-era error in 2025-Q3+).
EXTRA_ALIASES: dict[str, str] = {
    "saigon": "hochiminh",
    "hochiminhcity": "hochiminh",
    "hcmc": "hochiminh",
    "hcmcity": "hochiminh",
    "thuathienhue": "hue",
    "tthue": "hue",
    "brvt": "bariavungtau",
    "daclac": "daklak",
    "dacnong": "daknong",
    "baccan": "backan",
}


@dataclass(frozen=True)
class Province:
    """One province of one era; codes are 2-digit GSO codes, unique within an era."""

    era: str
    code: str
    name: str
    short_name: str
    ascii_name: str
    key: str
    region: str
    valid_from: date | None
    valid_to: date | None
    successor: str | None
    constituents: tuple[str, ...]
    aliases: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, rec: dict[str, Any]) -> Province:
        """Build from one record of ``provinces.json``."""
        return cls(
            era=rec["era"],
            code=rec["code"],
            name=rec["name"],
            short_name=rec["short_name"],
            ascii_name=rec["ascii_name"],
            key=rec["key"],
            region=rec["region"],
            valid_from=_date(rec.get("valid_from")),
            valid_to=_date(rec.get("valid_to")),
            successor=rec.get("successor"),
            constituents=tuple(rec.get("constituents") or ()),
            aliases=tuple(rec.get("aliases") or ()),
        )


@dataclass(frozen=True)
class Region:
    """A socio-economic region (Nghị quyết 81/2023/QH15)."""

    code: str
    name_vi: str
    name_en: str


class ProvinceMatchError(UserError, ValueError):
    """A province name that could not be resolved. ``kind``: ``unknown``, ``ambiguous`` or
    ``wrong_era``; ``candidates``: the provinces the message names."""

    def __init__(
        self, text: str, kind: str, candidates: list[Province], key: str, **params: Any
    ) -> None:
        self.text = text
        self.kind = kind
        self.candidates = candidates
        super().__init__(Reason.PROVINCE, key, **params)


def province_label(province: Province) -> dict[str, Any]:
    """``Thành phố Cần Thơ (mã 92)`` / ``… (code 92)``: a province in a message."""
    return tr("words.province_label", name=province.name, code=province.code)


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _other(era: str) -> str:
    return "current" if era == "legacy" else "legacy"


def _check_era(era: str) -> str:
    if era not in ERAS:
        raise ValueError(f"era must be 'legacy' or 'current', not {era!r}")
    return era


def normalise_code(code: str | int) -> str:
    """``"1"``, ``1``, ``" 01 "`` -> ``"01"``; raises ``KeyError`` if not a number."""
    text = str(code).strip()
    if not text.isdigit():
        raise KeyError(code)
    return f"{int(text):02d}"


def _short_names(provinces: list[Province]) -> str:
    return ", ".join(p.short_name for p in provinces)


def _shown(text: str, found: list[Province]) -> str:
    """``«Hậu Giang»`` as typed; a typed code also gets the name: ``«93» (Hậu Giang)``."""
    if found and compact(text).isdigit():
        return f"«{text.strip()}» ({_short_names(found)})"
    return f"«{text.strip()}»"


class Registry:
    """Provinces of both eras, regions, the 2025 merger, and name matching."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.source: dict[str, Any] = data.get("source", {})
        self.regions: tuple[Region, ...] = tuple(Region(**r) for r in data["regions"])
        self._regions = {r.code: r for r in self.regions}
        self._by_code: dict[str, dict[str, Province]] = {era: {} for era in ERAS}
        for rec in data["provinces"]:
            prov = Province.from_json(rec)
            self._by_code[_check_era(prov.era)][prov.code] = prov
        self._index = {era: self._build_index(era) for era in ERAS}

    def _build_index(self, era: str) -> dict[str, set[str]]:
        """Compact key -> codes of ``era`` provinces that the key names."""
        index: dict[str, set[str]] = defaultdict(set)
        by_key: dict[str, set[str]] = defaultdict(set)
        for prov in self._by_code[era].values():
            names = (prov.name, prov.short_name, prov.ascii_name, prov.key, *prov.aliases)
            for name in names:
                index[compact(name)].add(prov.code)
            by_key[prov.key].add(prov.code)
        for alias, key in EXTRA_ALIASES.items():
            index[alias] |= by_key.get(key, set())
        return {k: v for k, v in index.items() if k and v}

    def provinces(self, era: str) -> list[Province]:
        """All provinces of ``era`` (``legacy`` or ``current``), sorted by code."""
        return sorted(self._by_code[_check_era(era)].values(), key=lambda p: p.code)

    def for_period(self, period: str | Period) -> list[Province]:
        """The provinces that report for ``period`` (63 before 2025-Q3, 34 from then)."""
        return self.provinces(Period.parse(period).era)

    def get(self, code: str, era: str) -> Province:
        """The province of ``era`` with GSO ``code`` (``"1"`` or ``"01"``); ``KeyError``."""
        return self._by_code[_check_era(era)][normalise_code(code)]

    def successor(self, legacy_code: str) -> Province:
        """The current province that the legacy province ``legacy_code`` merged into."""
        prov = self.get(legacy_code, "legacy")
        return self.get(prov.successor or "", "current")

    def constituents(self, current_code: str) -> list[Province]:
        """The legacy provinces merged into the current province ``current_code``."""
        prov = self.get(current_code, "current")
        return [self.get(code, "legacy") for code in prov.constituents]

    def region(self, code: str) -> Region:
        """The region with region ``code`` (e.g. ``"DBSCL"``); ``KeyError`` if unknown."""
        return self._regions[code.strip().upper()]

    def match(
        self, text: str, period: str | Period | None = None, era: str | None = None
    ) -> Province:
        """Resolve a typed province name or GSO code to the province of the era.

        The era is ``era`` if given, else that of ``period``, else ``current``. Raises
        ``ProvinceMatchError`` (reason ``unknown``, ``ambiguous`` or ``wrong_era``).
        """
        era = _check_era(era or (Period.parse(period).era if period is not None else "current"))
        codes = self._lookup(text, era)
        if len(codes) == 1:
            return self._by_code[era][codes[0]]
        if codes:
            raise self._ambiguous(text, [self._by_code[era][c] for c in codes])
        other = self._lookup(text, _other(era))
        if other:
            raise self._wrong_era(text, era, [self._by_code[_other(era)][c] for c in other])
        raise self._unknown(text, era)

    def _lookup(self, text: str, era: str) -> list[str]:
        """Codes of ``era`` named by ``text`` (a code, a name, or a prefixed name)."""
        key = compact(text)
        if key.isdigit():
            code = normalise_code(key)
            return [code] if code in self._by_code[era] else []
        index = self._index[era]
        if key in index:
            return sorted(index[key])
        for prefix in PREFIXES:
            if key.startswith(prefix) and key[len(prefix) :] in index:
                return sorted(index[key[len(prefix) :]])
        return []

    def _ambiguous(self, text: str, found: list[Province]) -> ProvinceMatchError:
        return ProvinceMatchError(
            text,
            "ambiguous",
            found,
            "province_ambiguous",
            shown=_shown(text, []),
            found=[province_label(p) for p in found],
        )

    def _wrong_era(self, text: str, era: str, found: list[Province]) -> ProvinceMatchError:
        if era == "current":
            return self._legacy_in_current(text, found)
        return self._current_in_legacy(text, found)

    def _legacy_in_current(self, text: str, found: list[Province]) -> ProvinceMatchError:
        """A legacy name used for a period from 2025-Q3: name what it merged into."""
        targets = [self.successor(p.code) for p in found]
        targets = list({p.code: p for p in targets}.values())
        return ProvinceMatchError(
            text,
            "wrong_era",
            targets,
            "province_merged",
            shown=_shown(text, found),
            merger=MERGER_DATE.isoformat(),
            into=[province_label(p) for p in targets],
        )

    def _current_in_legacy(self, text: str, found: list[Province]) -> ProvinceMatchError:
        """A current-only name used for a period before 2025-Q3: list the old provinces."""
        parts = [q for p in found for q in self.constituents(p.code)]
        return ProvinceMatchError(
            text,
            "wrong_era",
            parts,
            "province_new",
            shown=_shown(text, found),
            merger=MERGER_DATE.isoformat(),
            first=MERGER_PERIOD,
            parts=[province_label(p) for p in parts],
        )

    def _unknown(self, text: str, era: str) -> ProvinceMatchError:
        """No match: suggest up to five close names of ``era`` (difflib on compact keys)."""
        index = self._index[era]
        close = difflib.get_close_matches(compact(text), list(index), n=10, cutoff=0.6)
        codes = list(dict.fromkeys(c for k in close for c in sorted(index[k])))[:5]
        found = [self._by_code[era][c] for c in codes]
        if not found:
            return ProvinceMatchError(
                text, "unknown", [], "province_unknown", shown=_shown(text, [])
            )
        return ProvinceMatchError(
            text,
            "unknown",
            found,
            "province_unknown_hint",
            shown=_shown(text, []),
            hint=_short_names(found),
        )


@cache
def load_registry() -> Registry:
    """The registry from ``data/provinces.json`` (loaded once)."""
    return Registry(json.loads(DATA_PATH.read_text(encoding="utf-8")))
