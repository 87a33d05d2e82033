"""The translation table: every reason code has a title in both languages, every message's
placeholders are the same in both, no key is unused, and the locale-aware formats."""

from __future__ import annotations

import ast
import string
from datetime import date, datetime, timedelta
from pathlib import Path

from dxboard.errors import Problem, Reason, UserError
from dxboard.i18n import TEXTS, fmt_period, named, t, tr

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [ROOT / "app.py"] + [
    p
    for package in ("dxboard", "loaders", "metrics", "pages", "cli")
    for p in (ROOT / package).rglob("*.py")
]


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _strings() -> tuple[set[str], set[str]]:
    """Every string constant of the sources, and every f-string's literal start (a prefix)."""
    constants: set[str] = set()
    prefixes: set[str] = set()
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.JoinedStr) and node.values:
                first = node.values[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    prefixes.add(first.value)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                constants.add(node.value)
    return constants, prefixes


def _used(key: str, constants: set[str], prefixes: set[str]) -> bool:
    section, _, name = key.partition(".")
    if key in constants or any(p and key.startswith(p) for p in prefixes):
        return True
    if section == "msg":  # a message is named by its key alone, or by its reason code
        return name in constants or any(p and name.startswith(p) for p in prefixes)
    return False


def test_every_reason_has_a_title_in_both_languages() -> None:
    for reason in Reason:
        vi, en = TEXTS[f"reason.{reason.value}"]
        assert vi.strip() and en.strip() and vi != en, reason


def test_every_reason_title_is_a_reason() -> None:
    titles = {k.split(".", 1)[1] for k in TEXTS if k.startswith("reason.")}
    assert titles == {r.value for r in Reason}


def test_placeholders_agree_between_the_languages() -> None:
    for key, (vi, en) in TEXTS.items():
        assert _fields(vi) == _fields(en), key


def test_no_translation_key_is_unused() -> None:
    constants, prefixes = _strings()
    unused = sorted(k for k in TEXTS if not _used(k, constants, prefixes))
    assert not unused


def test_the_unused_key_check_finds_an_unused_key() -> None:
    assert not _used("msg.no_such_message", {"other"}, {"upload."})
    assert _used("upload.sub_accepted", set(), {"upload.sub_"})
    assert _used("msg.store_busy", {"store_busy"}, set())


def test_messages_are_formatted_for_the_language() -> None:
    err = UserError(Reason.PASSWORD_RULES, length=1000)
    assert "1.000" in err.message("vi") and "1,000" in err.message("en")
    problem = Problem(
        file="f.xlsx",
        reason=Reason.PART_EXCEEDS_WHOLE,
        params={
            "part_name": named("Phần", "Part"),
            "part": 1234.5,
            "whole_name": named("Tổng", "Whole"),
            "whole": 1000,
            "whole_cell": "D8",
        },
    )
    assert problem.message_vi == "«Phần» (1.234,5) lớn hơn «Tổng» (1.000) ở ô D8."
    assert problem.message_en == "“Part” (1,234.5) exceeds “Whole” (1,000) in cell D8."
    record = problem.record()
    assert record["message_vi"] == problem.message_vi and record["reason"] == "part_exceeds_whole"


def test_translated_parameters_and_lists() -> None:
    text = t(
        "msg.not_your_province",
        "en",
        province=tr("words.province_label", name="Huế", code="46"),
        period="2025-Q4",
        username="x",
        allowed=[tr("words.province_label", name="A", code="01"), "B"],
    )
    assert "Huế (code 46), Q4 2025" in text and "of A (code 01), B." in text


def test_periods_dates_and_times_read_as_people_write_them() -> None:
    assert fmt_period("2026-Q3", "vi") == "Quý III/2026"
    assert fmt_period("2026-Q3", "en") == "Q3 2026"
    assert fmt_period("2024", "vi") == "Năm 2024"  # a year of yearly data (the DTI)
    assert fmt_period("2024", "en") == "2024"
    assert t("msg.period_out_of_range", "vi", period="2030-Q1", earliest="2015-Q1").startswith(
        "Kỳ báo cáo Quý I/2030"
    )
    when = datetime(2025, 12, 31, 14, 5)
    assert "31/12/2025 14:05" in t("msg.same_file", "vi", at=when.isoformat(), upload=3)
    assert "2025-12-31 14:05" in t("msg.same_file", "en", at=when, upload=3)
    assert "01/07/2025" in t(
        "msg.province_merged", "vi", shown="x", merger=date(2025, 7, 1), into=["y"]
    )


def test_plural_words_in_english() -> None:
    assert t("overview.change_met", "en", n="+1") == "+1 province meeting"
    assert t("overview.change_met", "en", n="−1") == "−1 province meeting"
    assert t("overview.change_met", "en", n="+2") == "+2 provinces meeting"
    assert t("overview.change_met", "vi", n="+1") == "+1 tỉnh đạt"
    assert t("overview.points_paren", "en", n="+1.0") == "(+1.0 percentage point)"
    assert t("overview.points_paren", "vi", n="+2,5") == "(+2,5 điểm phần trăm)"


def test_no_guillemets_in_english() -> None:
    """«» are Vietnamese (and French) quotation marks; English text uses “ ”."""
    from dxboard.catalogue import load_catalogue

    bad = [k for k, (_, en) in TEXTS.items() if "«" in en or "»" in en]
    assert not bad
    catalogue = Path(__file__).resolve().parent.parent / "data" / "catalogue.toml"
    english = [
        line
        for line in catalogue.read_text(encoding="utf-8").splitlines()
        if line.split("=")[0].strip().endswith("_en")
    ]
    assert english and not [line for line in english if "«" in line or "»" in line]
    assert load_catalogue()  # still valid


def test_demo_data_reads_as_simulated_and_statuses_agree() -> None:
    assert "giả lập" in t("banner.demo", "vi") and "tổng hợp" not in t("banner.demo", "vi")
    assert not [k for k, (vi, _) in TEXTS.items() if "dữ liệu minh họa" in vi.lower()]
    assert t("upload.sub_superseded", "vi") == t("profile.sub_superseded", "vi")
    assert t("completeness.export_caption", "vi", rows=1556).endswith("(1.556 dòng).")


def test_times_are_vietnam_time_with_the_zone() -> None:
    from datetime import UTC

    from dxboard.i18n import fmt_datetime
    from dxboard.periods import vn_now, vn_today

    assert fmt_datetime(datetime(2025, 12, 31, 14, 5), "vi") == "31/12/2025 14:05 (GMT+7)"
    aware = datetime(2025, 12, 31, 20, 30, tzinfo=UTC)  # 03:30 the next day in Hà Nội
    assert fmt_datetime(aware, "en") == "2026-01-01 03:30 (GMT+7)"
    utc_now = datetime.now(UTC).replace(tzinfo=None)
    assert abs((vn_now() - utc_now).total_seconds() - 7 * 3600) < 60
    assert vn_today() == (utc_now + timedelta(hours=7)).date()


def test_counts_have_separators_and_english_plurals() -> None:
    stored = t("upload.file_stored", "en", file="a.xlsx", reports=1, which="x", changes=1556)
    assert "stored 1 report (x), 1,556 values changed" in stored
    assert "1.556 giá trị" in t(
        "upload.file_valid", "vi", file="a", reports=2, which="x", changes=1556
    )
