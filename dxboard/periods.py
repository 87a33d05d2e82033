"""Reporting periods: quarters written ``2024-Q3``, and years (``2024``) for yearly data such as
the published DTI."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dxboard.errors import Reason, UserError
from dxboard.i18n import VN_TZ

MERGER_PERIOD = "2025-Q3"
"""First quarter reported by the 34 current provinces (merger effective 1 July 2025)."""


def vn_now() -> datetime:
    """The current time in Vietnam, naive: times are stored and shown in Vietnam time
    (``Asia/Ho_Chi_Minh``), whatever the server's own time zone."""
    return datetime.now(VN_TZ).replace(tzinfo=None)


def vn_today() -> date:
    """Today's date in Vietnam: a deadline passes at midnight Vietnam time."""
    return datetime.now(VN_TZ).date()


_PATTERN = re.compile(r"^\s*(\d{4})\s*[-/ ]?\s*[Qq](?:uý|uy)?\s*([1-4])\s*$")
_ALT = re.compile(r"^\s*[Qq](?:uý|uy)?\s*([1-4])\s*[-/ ]\s*(\d{4})\s*$")
_YEAR = re.compile(r"^\s*(?:năm|nam|year)?\s*(\d{4})\s*$", re.IGNORECASE)


class PeriodError(UserError, ValueError):
    """A period string that is not a quarter (or, for yearly data, not a year)."""

    def __init__(self, text: str, key: str = "period_invalid") -> None:
        super().__init__(Reason.PERIOD, key, text=text)


def parse_year(text: str | int) -> int:
    """A year of yearly data: ``2024``, ``Năm 2024``, ``year 2024`` (2000–2100)."""
    m = _YEAR.match(str(text))
    if not m or not 2000 <= int(m.group(1)) <= 2100:
        raise PeriodError(str(text), "year_invalid")
    return int(m.group(1))


def is_year(text: object) -> bool:
    """Whether ``text`` names a year (``2024``) rather than a quarter."""
    try:
        parse_year(str(text))
    except PeriodError:
        return False
    return True


def year_of(period: str | int | Period) -> int:
    """The year of a year or a quarter: ``2024`` and ``2024-Q3`` → 2024."""
    if isinstance(period, Period):
        return period.year
    return parse_year(period) if is_year(period) else Period.parse(str(period)).year


@dataclass(frozen=True, order=True)
class Period:
    """A calendar quarter."""

    year: int
    quarter: int

    @classmethod
    def parse(cls, text: str | Period) -> Period:
        """Parse ``2024-Q3`` (also ``2024Q3``, ``2024 Q3``, ``Q3/2024``, ``Quý 3/2024``)."""
        if isinstance(text, Period):
            return text
        raw = str(text)
        m = _PATTERN.match(raw)
        if m:
            year, quarter = int(m.group(1)), int(m.group(2))
        else:
            m = _ALT.match(raw.replace("Quý", "Q").replace("quý", "Q"))
            if not m:
                raise PeriodError(raw)
            quarter, year = int(m.group(1)), int(m.group(2))
        if not 2000 <= year <= 2100:
            raise PeriodError(raw)
        return cls(year, quarter)

    def __str__(self) -> str:
        return f"{self.year}-Q{self.quarter}"

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.quarter - 2, 1)

    @property
    def end(self) -> date:
        nxt = self.next()
        return nxt.start - timedelta(days=1)

    @property
    def index(self) -> int:
        """Quarters since year 0: consecutive quarters differ by one."""
        return self.year * 4 + self.quarter - 1

    @classmethod
    def from_index(cls, index: int) -> Period:
        return cls(index // 4, index % 4 + 1)

    def next(self, n: int = 1) -> Period:
        return Period.from_index(self.index + n)

    def previous(self, n: int = 1) -> Period:
        return Period.from_index(self.index - n)

    def deadline(self, days: int = 15) -> date:
        """Reporting deadline: ``days`` after quarter end."""
        return self.end + timedelta(days=days)

    @property
    def era(self) -> str:
        """``legacy`` (63 provinces) before 2025-Q3, ``current`` (34) from then on."""
        return "legacy" if self < Period.parse(MERGER_PERIOD) else "current"

    @classmethod
    def containing(cls, day: date) -> Period:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def last_full_before(cls, day: date) -> Period:
        """The last quarter that ended before ``day``."""
        return cls.containing(day).previous()


def period_range(first: str | Period, last: str | Period) -> list[Period]:
    """Every quarter from ``first`` to ``last`` inclusive."""
    a, b = Period.parse(first), Period.parse(last)
    return [Period.from_index(i) for i in range(a.index, b.index + 1)]


PeriodsLike = str | Period | Iterable[str | Period]


def as_periods(periods: PeriodsLike) -> list[Period]:
    """One period or many (strings or ``Period``) as a sorted list without duplicates."""
    if isinstance(periods, str | Period):
        periods = [periods]
    return sorted({Period.parse(p) for p in periods})
