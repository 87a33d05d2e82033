"""The one translation table (Vietnamese first, English) and locale-aware number formatting.

Every user-facing string of the UI comes from :data:`TEXTS` through :func:`t`. The table is
stored as TOML files under ``data/i18n/`` (one per page, so pages are edited independently) and
merged here into one table; a key defined twice is an error. Catalogue names (fields,
indicators, pillars) come from the catalogue itself. Vietnamese numbers use ``.`` for thousands
and ``,`` for decimals (1.234,5 and 12,5 %); dates dd/mm/yyyy.
"""

from __future__ import annotations

import math
import tomllib
from datetime import date, datetime
from pathlib import Path

from dxboard.paths import DATA_DIR

LANGS = ("vi", "en")
DEFAULT_LANG = "vi"
I18N_DIR = DATA_DIR / "i18n"


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


def t(key: str, lang: str = DEFAULT_LANG, **values: object) -> str:
    """The text for ``key`` in ``lang``, formatted with ``values``."""
    vi, en = TEXTS[key]
    text = en if lang == "en" else vi
    return text.format(**values) if values else text


def fmt_number(value: float | int | None, lang: str = DEFAULT_LANG, decimals: int = 0) -> str:
    """``1234.5`` → ``1.234,5`` (vi) or ``1,234.5`` (en); missing → ``–``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value:,.{decimals}f}"
    if lang == "vi":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def fmt_percent(fraction: float | None, lang: str = DEFAULT_LANG, decimals: int = 1) -> str:
    """``0.125`` → ``12,5 %`` (vi) or ``12.5%`` (en)."""
    if fraction is None or (isinstance(fraction, float) and math.isnan(fraction)):
        return "–"
    number = fmt_number(fraction * 100, lang, decimals)
    return f"{number} %" if lang == "vi" else f"{number}%"


def fmt_date(value: date | datetime | None, lang: str = DEFAULT_LANG) -> str:
    if value is None:
        return "–"
    return value.strftime("%d/%m/%Y") if lang == "vi" else value.strftime("%Y-%m-%d")
