"""The upload page: template download, dry run with validation report and preview, confirm,
refusal of another province's file, submission history and restore (AppTest with real files),
and the plain helpers of ``pages/upload_flow.py``."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from apptest import open_page, texts
from streamlit.testing.v1 import AppTest

from dxboard.auth import User
from dxboard.i18n import fmt_period, t
from dxboard.store import Store, submissions
from loaders.ingest import IngestResult
from pages import upload_flow
from tests.helpers import DATA_TABLES, good_template, store_snapshot, value_cell

PAGE = "pages/upload.py"
DN_OFFICER = User(username="dn", role="officer", province_code="48", province_era="current")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PERIOD = "2025-Q4"


def _upload(at: AppTest, *files: tuple[str, bytes]) -> AppTest:
    at.file_uploader[0].set_value([(name, data, XLSX) for name, data in files])
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _frames(at: AppTest) -> list[pd.DataFrame]:
    """Interactive tables (preview, history) and static ones (validation report)."""
    return [d.value for d in at.dataframe] + [d.value for d in at.table]


def _frame_with(at: AppTest, column: str) -> pd.DataFrame:
    return next(f for f in _frames(at) if column in f.columns)


def _buttons(at: AppTest) -> dict[str, object]:
    return {b.label: b for b in at.button}


def _dn_values(store_path: Path) -> dict[str, float]:
    with Store(store_path) as store:
        raw = submissions.raw_values(store, PERIOD)
    rows = raw[raw["province_code"] == "48"]
    return dict(zip(rows["field"], rows["value"], strict=True))


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_signed_out_gets_template_but_must_sign_in_to_upload(demo_db: Path, lang: str) -> None:
    at = open_page(PAGE, lang)
    text = texts(at)
    assert t("nav.upload", lang) in text
    assert t("upload.need_login", lang) in text
    assert not at.file_uploader
    labels = [b.label for b in at.get("download_button")]
    assert any(
        label.startswith(t("upload.template_download", lang, province="", period="")[:8])
        for label in labels
    )
    assert at.selectbox(key="upload_period").value == "2026-Q3"  # the sidebar period
    assert len(at.selectbox(key="upload_province_current").options) == 34


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_leader_may_not_upload(demo_db: Path, lang: str) -> None:
    at = open_page(PAGE, lang, User("boss", "leader"))
    assert t("upload.role_cannot", lang, role=t("login.role_leader", lang)) in texts(at)
    assert not at.file_uploader


def test_officer_template_is_fixed_to_own_province(demo_db: Path) -> None:
    at = open_page(PAGE, "vi", DN_OFFICER)
    box = at.selectbox(key="upload_province_current")
    assert box.options == ["Đà Nẵng"] and box.disabled
    at.selectbox(key="upload_period").set_value("2024-Q2").run()
    legacy = at.selectbox(key="upload_province_legacy")
    assert sorted(legacy.options) == ["Quảng Nam", "Đà Nẵng"]  # merged into Đà Nẵng in 2025


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_bad_file_shows_cell_and_message(demo_db: Path, lang: str) -> None:
    before = _dn_values(demo_db)
    bad = good_template("Đà Nẵng", PERIOD, procedures_level4=2500)  # > procedures_total 1800
    at = _upload(open_page(PAGE, lang, DN_OFFICER), ("bad.xlsx", bad))
    problems = _frame_with(at, t("upload.col_where", lang))
    where = problems[t("upload.col_where", lang)].tolist()
    cell = upload_flow.where_words("Báo cáo", value_cell("procedures_level4"), lang)
    assert cell in where
    assert ("trang tính «Báo cáo», ô " if lang == "vi" else "sheet 'Báo cáo', cell ") in cell
    assert "!" not in " ".join(where)  # no spreadsheet notation
    assert t("upload.col_file", lang) not in problems.columns  # the file is named once, above
    row = problems[problems[t("upload.col_where", lang)] == cell]
    message = row[t("upload.col_message", lang)].iloc[0]
    assert "1.800" in message or "1800" in message or "1,800" in message, message
    assert row[t("upload.col_severity", lang)].iloc[0] == t("upload.sev_error", lang)
    assert t("upload.file_rejected", lang, file="bad.xlsx", n=1)[:20] in texts(at)
    assert not any(b.label.startswith(t("upload.confirm", lang, n=1)[:10]) for b in at.button)
    downloads = [b.label for b in at.get("download_button")]
    assert t("upload.annotated_download", lang) in downloads  # the marked copy
    assert _dn_values(demo_db) == before


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_good_file_preview_confirm_and_store(demo_db: Path, lang: str) -> None:
    good = good_template("Đà Nẵng", PERIOD)
    at = _upload(open_page(PAGE, lang, DN_OFFICER), ("dn.xlsx", good))
    preview = _frame_with(at, t("upload.col_new", lang))
    assert list(preview.columns) == [
        t(k, lang)
        for k in ("col.province", "col.period", "col.field", "upload.col_old", "upload.col_new")
    ]
    total = preview[
        preview[t("col.field", lang)]
        == ("Tổng số thủ tục hành chính" if lang == "vi" else "Administrative procedures, total")
    ]
    assert total[t("upload.col_new", lang)].iloc[0] == ("1.800" if lang == "vi" else "1,800")
    assert set(preview[t("col.province", lang)]) == {"Đà Nẵng"}
    assert "procedures_total" not in preview.to_string()  # names, never codes
    confirm = _buttons(at)[t("upload.confirm", lang, n=1)]
    confirm.click()
    at.run()
    assert not at.exception
    assert t(
        "upload.file_stored",
        lang,
        file="dn.xlsx",
        reports=1,
        which=f"Đà Nẵng {fmt_period(PERIOD, lang)}",
        changes=len(preview),
    ) in texts(at)
    stored = _dn_values(demo_db)
    assert stored["procedures_total"] == 1800 and stored["procedures_level4"] == 950
    assert at.file_uploader[0].value == []  # the uploader was reset


def test_other_province_is_refused_and_nothing_stored(demo_db: Path) -> None:
    with Store(demo_db) as store:
        before = store_snapshot(store, DATA_TABLES)
    other = good_template("Huế", PERIOD)
    at = _upload(open_page(PAGE, "vi", DN_OFFICER), ("hue.xlsx", other))
    messages = " ".join(
        _frame_with(at, t("upload.col_message", "vi"))[t("upload.col_message", "vi")]
    )
    assert "chỉ được tải lên báo cáo của" in messages and "Đà Nẵng" in messages
    assert not any(b.label.startswith("Xác nhận") for b in at.button)
    with Store(demo_db) as store:
        assert store_snapshot(store, DATA_TABLES) == before
        actions = store.cursor().execute("SELECT action FROM events").fetchall()
    assert ("upload_refused",) in actions  # the attempt is in the audit log


def test_restore_a_superseded_submission(demo_db: Path) -> None:
    at = _upload(open_page(PAGE, "vi", DN_OFFICER), ("dn.xlsx", good_template("Đà Nẵng", PERIOD)))
    _buttons(at)[t("upload.confirm", "vi", n=1)].click()
    at.run()
    history = _frame_with(at, t("upload.col_received", "vi"))
    assert t("upload.sub_superseded", "vi") in set(history[t("col.status", "vi")])
    restore = [b for b in at.button if b.label == t("upload.restore", "vi")]
    assert len(restore) == 1
    restore[0].click()
    at.run()
    assert not at.exception
    assert "Đã khôi phục bản nộp Quý IV/2025" in texts(at)
    assert _dn_values(demo_db)["procedures_total"] != 1800  # the demo report is current again


def test_two_files_one_valid_one_bad(demo_db: Path) -> None:
    good = good_template("Đà Nẵng", PERIOD)
    bad = good_template("Đà Nẵng", "2025-Q3", it_budget=99999999)  # > budget_total
    at = _upload(open_page(PAGE, "en", DN_OFFICER), ("good.xlsx", good), ("bad.xlsx", bad))
    text = texts(at)
    assert "good.xlsx: valid" in text and "bad.xlsx: rejected" in text
    assert t("upload.confirm", "en", n=1) in _buttons(at)


# --- plain helpers ----------------------------------------------------------------------------


def test_format_value_uses_names_and_locale() -> None:
    assert upload_flow.format_value("steering_committee", 1.0, "vi") == "Có"
    assert upload_flow.format_value("steering_committee", 0.0, "en") == "No"
    assert upload_flow.format_value("procedures_total", 1800.0, "vi") == "1.800"
    assert upload_flow.format_value("budget_total", 25000.5, "vi") == "25.000,5"
    assert upload_flow.format_value("it_budget", 260.25, "en") == "260.25"
    assert upload_flow.format_value("it_budget", None, "vi") == "–"


def test_field_label_never_shows_codes() -> None:
    assert upload_flow.field_label("procedures_total", "vi") == "Tổng số thủ tục hành chính"
    assert upload_flow.field_label("province", "en") == "Province"
    assert upload_flow.field_label("", "vi") == "–"


def test_periods_and_provinces_for_the_template() -> None:
    options = upload_flow.template_periods(date(2026, 11, 22))
    assert options[0] == "2026-Q4" and options[-1] == "2020-Q1"
    assert upload_flow.default_period(options, "2025-Q2", date(2026, 11, 22)) == "2025-Q2"
    assert upload_flow.default_period(options, None, date(2026, 11, 22)) == "2026-Q3"
    assert len(upload_flow.template_provinces(None, "2024-Q1")) == 63
    assert len(upload_flow.template_provinces(User("a", "admin"), "2025-Q3")) == 34
    cantho = User("ct", "officer", province_code="92", province_era="current")
    assert {p.code for p in upload_flow.template_provinces(cantho, "2024-Q1")} == {"92", "93", "94"}


def test_demo_roles_upload_demo_data() -> None:
    assert upload_flow.dataset_for(User("demo:officer:48", "officer", province_code="48")) == "demo"
    assert upload_flow.dataset_for(DN_OFFICER) == "official"


def test_outcometexts() -> None:
    result = IngestResult("a.xlsx", "0" * 64, "duplicate", dry_run=True)
    assert upload_flow.outcome(result, "en") == (
        "info",
        t("upload.file_duplicate", "en", file="a.xlsx"),
    )


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_uploader_button_and_limits_speak_the_ui_language(demo_db: Path, lang: str) -> None:
    at = open_page(PAGE, lang, DN_OFFICER)
    styles = [e.proto.body for e in at.get("html")]
    css = next(s for s in styles if "stFileUploaderDropzone" in s and "<style>" in s)
    assert f'content: "{t("upload.dropzone_button", lang)}"' in css
    assert t("upload.dropzone_limits", lang, mb=10) in css  # server.maxUploadSize
    script = next(s for s in styles if "aria-label" in s)  # what screen readers say
    assert json.dumps(t("upload.dropzone_button", lang), ensure_ascii=False) in script


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_swing_warning_in_the_preview(demo_db: Path, lang: str) -> None:
    """A figure far below the province's previous quarter is warned about, with the numbers,
    and the file may still be stored."""
    with Store(demo_db) as store:
        raw = submissions.raw_values(store, "2026-Q2")
    previous = raw[(raw["province_code"] == "48") & (raw["field"] == "procedures_total")]
    before = float(previous["value"].iloc[0])
    low = round(before * 0.37)
    data = good_template("Đà Nẵng", "2026-Q3", procedures_total=low, procedures_level4=10)
    at = _upload(open_page(PAGE, lang, DN_OFFICER), ("dn.xlsx", data))
    warning = next(w.value for w in at.warning if t("upload.swings_header", lang) in w.value)
    number = (lambda x: f"{x:,.0f}".replace(",", ".")) if lang == "vi" else "{:,.0f}".format
    assert number(low) in warning and number(before) in warning
    assert ("thấp hơn" if lang == "vi" else "lower") in warning
    assert t("upload.confirm", lang, n=1) in _buttons(at)  # a warning, not a block


def test_problems_are_sorted_by_row_then_column() -> None:
    from dxboard.errors import Problem, Reason

    cells = [("Báo cáo", "D14"), ("Báo cáo", "C9"), ("", ""), ("Báo cáo", "AA9"), ("Ghi chú", "")]
    result = IngestResult("a.xlsx", "0" * 64, "rejected")
    result.problems = [
        Problem(file="a.xlsx", sheet=s, cell=c, reason=Reason.REQUIRED) for s, c in cells
    ]
    where = upload_flow.problems_table(result, "en")[t("upload.col_where", "en")].tolist()
    assert where == [
        "the whole file",
        "sheet 'Báo cáo', cell C9",
        "sheet 'Báo cáo', cell AA9",
        "sheet 'Báo cáo', cell D14",
        "sheet 'Ghi chú'",
    ]


def test_swing_sentences_name_the_numbers() -> None:
    from metrics.swings import Swing

    down = Swing("48", "2026-Q3", "procedures_total", "own", 25.0, 55_658.0, "2026-Q2")
    up = Swing("48", "2026-Q3", "procedures_total", "peers", 9_000.0, 3_000.0, "2026-Q3")
    vi = upload_flow.swing_lines([down, up], "vi")
    assert vi[0].endswith("25, thấp hơn 99,9 % so với 55.658 của Đà Nẵng ở Quý II/2026")
    assert "cao hơn 200 % so với trung vị 3.000 của các tỉnh khác ở Quý III/2026" in vi[1]
    en = upload_flow.swing_lines([down], "en")
    assert en[0].endswith("25, 99.9% lower than Đà Nẵng's 55,658 in Q2 2026")
