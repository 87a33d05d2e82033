"""The one translation table (Vietnamese first, English) and locale-aware formatting.

Every user-facing string comes from :data:`TEXTS` through :func:`t`: the pages' labels and the
messages of loaders, the store and the command line alike. The table is stored as TOML files
under ``data/i18n/`` (one per page or domain) and merged here; a key defined twice is an error.
Catalogue names (fields, indicators, pillars) come from the catalogue itself.

Placeholders take locale-aware format specs, so a message is written once for both languages:
``{n:n}`` a number (``1.234,5`` / ``1,234.5``; ``n0``…``n3`` fixed decimals), ``{x:pct}`` a
fraction as a percentage (``12,5 %`` / ``12.5%``), ``{b:mb}`` bytes as megabytes, ``{d:date}``
(``31/12/2025`` / ``2025-12-31``), ``{d:datetime}``, ``{p:period}`` (``Quý III/2026`` /
``Q3 2026``), ``{n:pl|province|provinces}`` the word for ``n`` (singular for ±1:
``+1 province``; Vietnamese nouns do not change). A parameter made by :func:`tr` is a
translated phrase of its own, one made by :func:`named` a name that data (the catalogue) gives
in both languages; a list is rendered item by item and joined with commas.
"""

from __future__ import annotations

import math
import re
import string
import tomllib
from collections.abc import Callable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from dxboard.paths import DATA_DIR

LANGS = ("vi", "en")
VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
VN_ZONE = "GMT+7"
"""The zone shown after every time: Vietnam time (``Asia/Ho_Chi_Minh``), the same word in
both languages."""
DEFAULT_LANG = "vi"
I18N_DIR = DATA_DIR / "i18n"
ROMAN = ("I", "II", "III", "IV")


class TranslationError(RuntimeError):
    """A translation file is malformed or repeats a key."""


def _load(folder: Path) -> dict[str, tuple[str, str]]:
    table: dict[str, tuple[str, str]] = {}
    for path in sorted(folder.glob("*.toml")):
        with path.open("rb") as fh:
            sections = tomllib.load(fh)
        for section, entries in sections.items():
            for name, pair in entries.items():
                key = f"{section}.{name}"
                if key in table:
                    raise TranslationError(f"{path.name}: key {key!r} is defined twice")
                if not (isinstance(pair, list) and len(pair) == 2 and all(pair)):
                    raise TranslationError(f"{path.name}: {key!r} needs [vi, en], both non-empty")
                table[key] = (pair[0], pair[1])
    return table


TEXTS: dict[str, tuple[str, str]] = _load(I18N_DIR)


def tr(key: str, **params: Any) -> dict[str, Any]:
    """A translated phrase to pass as a parameter of :func:`t` (JSON-serialisable)."""
    return {"key": key, "params": params}


def named(vi: str, en: str) -> dict[str, str]:
    """A name given in both languages by data (a catalogue field), as a parameter of :func:`t`."""
    return {"vi": vi, "en": en}


def t(key: str, lang: str = DEFAULT_LANG, **params: Any) -> str:
    """The text for ``key`` in ``lang``, with ``params`` formatted for that language."""
    vi, en = TEXTS[key]
    text = en if lang == "en" else vi
    if not params:
        return text
    return _Formatter(lang).vformat(text, (), params)


class _Formatter(string.Formatter):
    """``str.format`` with the locale-aware specs of the module docstring."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def format_field(self, value: Any, format_spec: str) -> str:
        lang = self.lang
        if isinstance(value, Mapping) and "key" in value:
            return t(value["key"], lang, **value.get("params", {}))
        if isinstance(value, Mapping) and "vi" in value:
            return str(value["en" if lang == "en" else "vi"])
        if isinstance(value, list | tuple):
            return ", ".join(self.format_field(v, format_spec) for v in value)
        if format_spec in _SPECS:
            return _SPECS[format_spec](value, lang)
        if format_spec.startswith("pl|"):
            return plural(value, *format_spec.split("|")[1:])
        if m := _FIXED.fullmatch(format_spec):
            return fmt_number(_as_number(value), lang, int(m.group(1)))
        return super().format_field(value, format_spec)


_FIXED = re.compile(r"n(\d)")


def _as_number(value: Any) -> float | int | None:
    if value is None or isinstance(value, int | float):
        return value
    return float(value)


def fmt_number(value: float | int | None, lang: str = DEFAULT_LANG, decimals: int = 0) -> str:
    """``1234.5`` → ``1.234,5`` (vi) or ``1,234.5`` (en); missing → ``–``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value:,.{decimals}f}"
    if lang == "vi":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def fmt_auto(value: float | int | None, lang: str = DEFAULT_LANG) -> str:
    """A number with as many decimals as it has (up to three): ``1234`` → ``1.234``,
    ``12.5`` → ``12,5``."""
    number = _as_number(value)
    if number is None or (isinstance(number, float) and math.isnan(number)):
        return "–"
    if float(number).is_integer():
        return fmt_number(int(number), lang)
    decimals = len(f"{float(number):.3f}".rstrip("0").split(".")[1])
    return fmt_number(number, lang, decimals)


def fmt_percent(fraction: float | None, lang: str = DEFAULT_LANG, decimals: int = 1) -> str:
    """``0.125`` → ``12,5 %`` (vi) or ``12.5%`` (en)."""
    if fraction is None or (isinstance(fraction, float) and math.isnan(fraction)):
        return "–"
    number = fmt_number(fraction * 100, lang, decimals)
    return f"{number} %" if lang == "vi" else f"{number}%"


def fmt_megabytes(size: int | float, lang: str = DEFAULT_LANG) -> str:
    """Bytes as megabytes with one decimal (``10,0 MB`` / ``10.0 MB``); under 1 MB as kilobytes
    (``12 KB``)."""
    if float(size) < 1024 * 1024:
        return f"{fmt_number(float(size) / 1024, lang)} KB"
    return f"{fmt_number(float(size) / (1024 * 1024), lang, 1)} MB"


def fmt_date(value: date | datetime | str | None, lang: str = DEFAULT_LANG) -> str:
    """``31/12/2025`` (vi) or ``2025-12-31`` (en)."""
    if value is None or value == "":
        return "–"
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.strftime("%d/%m/%Y") if lang == "vi" else value.strftime("%Y-%m-%d")


def fmt_datetime(value: datetime | str | None, lang: str = DEFAULT_LANG) -> str:
    """``31/12/2025 14:05 (GMT+7)`` (vi) or ``2025-12-31 14:05 (GMT+7)`` (en); missing → ``–``.

    Stored times are naive Vietnam time (``dxboard.periods.vn_now``); an aware time is first
    converted to it."""
    if value is None or value == "" or value != value:  # None, empty, NaT
        return "–"
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is not None:
        value = value.astimezone(VN_TZ)
    text = value.strftime("%d/%m/%Y %H:%M" if lang == "vi" else "%Y-%m-%d %H:%M")
    return f"{text} ({VN_ZONE})"


def fmt_period(period: object, lang: str = DEFAULT_LANG) -> str:
    """A period for people: ``2026-Q3`` → ``Quý III/2026`` (vi) or ``Q3 2026`` (en); a year
    (yearly data such as the DTI) ``2024`` → ``Năm 2024`` (vi) or ``2024`` (en). Codes like
    ``2026-Q3`` and ``2024`` stay in files and URLs."""
    text = str(period)
    if re.fullmatch(r"\d{4}", text):
        return f"Năm {text}" if lang == "vi" else text
    m = re.fullmatch(r"(\d{4})-Q([1-4])", text)
    if not m:
        return text
    year, quarter = m.group(1), int(m.group(2))
    return f"Quý {ROMAN[quarter - 1]}/{year}" if lang == "vi" else f"Q{quarter} {year}"


def quote(text: str, lang: str = DEFAULT_LANG) -> str:
    """``«text»`` in Vietnamese, ``“text”`` in English."""
    return f"“{text}”" if lang == "en" else f"«{text}»"


def plural(value: Any, one: str, many: str = "") -> str:
    """``one`` when ``value`` is ±1 (a number or a signed text such as ``+1`` or ``−1,0``),
    else ``many`` (default: ``one``, as Vietnamese nouns do not change)."""
    text = str(value).strip().replace("−", "-").replace("+", "").replace(",", ".")
    try:
        single = abs(float(text)) == 1
    except ValueError:
        single = False
    return one if single or not many else many


def _pct(value: Any, lang: str) -> str:
    """A fraction as a percentage with the decimals it has: ``1`` → ``100 %``, ``0.015`` →
    ``1,5 %``."""
    number = fmt_auto(None if value is None else float(value) * 100, lang)
    return f"{number} %" if lang == "vi" else f"{number}%"


_SPECS: dict[str, Callable[[Any, str], str]] = {
    "n": fmt_auto,
    "pct": _pct,
    "mb": fmt_megabytes,
    "date": fmt_date,
    "datetime": fmt_datetime,
    "period": fmt_period,
}
