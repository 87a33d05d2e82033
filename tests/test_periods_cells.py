"""Quarters, text folding, and the cell-reading rules (numbers in Vietnamese format, yes/no)."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest

from dxboard.errors import Reason, render
from dxboard.i18n import fmt_number, fmt_percent
from dxboard.periods import Period, PeriodError, is_year, parse_year, period_range, year_of
from dxboard.textnorm import compact, fold
from loaders.cells import CellError, parse_bool, parse_date, parse_number
from loaders.readers.text import cell_ref, col_letter


@pytest.mark.parametrize("text", ["2024-Q3", "2024Q3", "2024 q3", "Q3/2024", "Quý 3/2024"])
def test_period_spellings(text: str) -> None:
    assert Period.parse(text) == Period(2024, 3)


@pytest.mark.parametrize("text", ["2024-Q5", "Q0/2024", "2024", "", "1999-Q1", "abc"])
def test_bad_periods(text: str) -> None:
    with pytest.raises(PeriodError):
        Period.parse(text)


def test_period_arithmetic_and_era() -> None:
    p = Period.parse("2025-Q2")
    assert str(p.next()) == "2025-Q3" and str(p.previous(4)) == "2024-Q2"
    assert p.end == date(2025, 6, 30) and p.deadline() == date(2025, 7, 15)
    assert p.era == "legacy" and p.next().era == "current"
    assert len(period_range("2020-Q1", "2025-Q2")) == 22
    assert Period.last_full_before(date(2026, 11, 22)) == Period(2026, 3)


def test_fold_is_nfc_nfd_safe() -> None:
    nfd = unicodedata.normalize("NFD", "Đắk Lắk")
    assert fold(nfd) == fold("Đắk Lắk") == "dak lak"
    assert compact("Bà Rịa - Vũng Tàu") == "bariavungtau"


@pytest.mark.parametrize(
    ("text", "whole", "expected"),
    [
        ("1.234.567", True, 1234567),
        ("1.234.567", False, 1234567),
        ("12,5", False, 12.5),
        ("1.234,5", False, 1234.5),
        ("1234", True, 1234),
        (" 1 234 ", True, 1234),
        ("1.234", True, 1234),
        (42.0, True, 42),
        (0.125, False, 0.125),
        ("-5", True, -5),
    ],
)
def test_numbers_read_by_the_rule(text: object, whole: bool, expected: float) -> None:
    assert parse_number(text, whole=whole) == expected


@pytest.mark.parametrize(
    ("text", "whole", "reason"),
    [
        ("1,234", True, Reason.AMBIGUOUS_NUMBER),
        ("1,234", False, Reason.AMBIGUOUS_NUMBER),
        ("1.234", False, Reason.AMBIGUOUS_NUMBER),
        ("12.5", False, Reason.AMBIGUOUS_NUMBER),
        ("12,5", True, Reason.NOT_WHOLE),
        ("12.5", True, Reason.NOT_WHOLE),  # a count: never "use a comma, e.g. 12,5"
        ("abc", True, Reason.NOT_A_NUMBER),
        (2.5, True, Reason.NOT_WHOLE),
        ("abc", False, Reason.NOT_A_NUMBER),
        ("12%", False, Reason.NOT_A_NUMBER),
        (True, False, Reason.NOT_A_NUMBER),
        ("1.23.4", False, Reason.NOT_A_NUMBER),
    ],
)
def test_numbers_refused(text: object, whole: bool, reason: Reason) -> None:
    result = parse_number(text, whole=whole)
    assert isinstance(result, CellError) and result.reason == reason
    vi, en = (render(result.key, lang, result.params) for lang in ("vi", "en"))
    assert vi and en and vi != en
    if whole:  # the example, if any, is a count: no decimals
        assert "ví dụ 12,5" not in vi and "hoặc 12,5" not in vi and "example" not in result.params
        assert "example 12.5" not in en and "or 12.5" not in en


def test_ambiguous_number_names_both_readings_in_each_language() -> None:
    result = parse_number("1.234", whole=False)
    assert isinstance(result, CellError)
    assert "1.234 (hàng nghìn) hoặc 1,234 (thập phân)" in render(result.key, "vi", result.params)
    assert "1,234 (thousands) or 1.234 (decimal)" in render(result.key, "en", result.params)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Có", True),
        ("có", True),
        ("CO", True),
        ("Yes", True),
        ("x", True),
        ("X", True),
        ("1", True),
        (1.0, True),
        (True, True),
        ("Không", False),
        ("khong", False),
        ("No", False),
        ("0", False),
        (0, False),
        (False, False),
        (unicodedata.normalize("NFD", "Không"), False),
    ],
)
def test_yes_no_spellings(text: object, expected: bool) -> None:
    assert parse_bool(text) is expected


@pytest.mark.parametrize("text", ["maybe", "2", "ok", "có lẽ", 0.5])
def test_yes_no_refused(text: object) -> None:
    result = parse_bool(text)
    assert isinstance(result, CellError) and result.reason == Reason.NOT_YES_NO


def test_dates() -> None:
    assert parse_date("05/03/2021") == date(2021, 3, 5)
    assert parse_date(date(2021, 3, 5)) == date(2021, 3, 5)
    assert isinstance(parse_date("32/13/2021"), CellError)


def test_cell_refs() -> None:
    assert col_letter(0) == "A" and col_letter(25) == "Z" and col_letter(27) == "AB"
    assert cell_ref(13, 3) == "D14"


def test_vietnamese_number_format() -> None:
    assert fmt_number(1234.5, "vi", 1) == "1.234,5"
    assert fmt_number(1234.5, "en", 1) == "1,234.5"
    assert fmt_percent(0.125, "vi") == "12,5 %"
    assert fmt_percent(None, "vi") == "–"


@pytest.mark.parametrize("text", ["2024", " 2024 ", "Năm 2024", "nam 2024", "year 2024", 2024])
def test_years_of_yearly_data(text: object) -> None:
    assert parse_year(text) == 2024  # type: ignore[arg-type]
    assert is_year(text) and year_of(text) == 2024  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["24", "2024-Q4", "1999", "20244", "Năm"])
def test_a_year_is_four_digits_and_not_a_quarter(text: str) -> None:
    assert not is_year(text)
    with pytest.raises(PeriodError) as info:
        parse_year(text)
    assert "2024" in info.value.message("en")


def test_quarters_are_unchanged_beside_years() -> None:
    assert year_of("2024-Q4") == 2024 and str(Period.parse("2024-Q4")) == "2024-Q4"
    with pytest.raises(PeriodError):
        Period.parse("2024")  # a year is not a quarter: quarterly data stay quarterly
