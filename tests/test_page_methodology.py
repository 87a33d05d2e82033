"""The methodology page must agree with the catalogue: this test fails when an indicator of a
framework version, a source, a formula field or a target is missing from (or different on) the
page, or when a version or a change between versions is not listed with its legal basis. Also
the method text and the download rights."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from apptest import open_page, texts
from streamlit.testing.v1 import AppTest

from dxboard.auth import User
from dxboard.catalogue import Indicator, Version, load_catalogue
from dxboard.i18n import quote, t
from metrics.status import STATUSES

PAGE = "pages/methodology.py"


def _percent(fraction: float, lang: str) -> str:
    """Written independently of the page: 1.0 → «100 %» / «100%», 0.015 → «1,5 %» / «1.5%»."""
    number = f"{fraction * 100:g}"
    return f"{number.replace('.', ',')} %" if lang == "vi" else f"{number}%"


def _date(day, lang: str) -> str:
    return day.strftime("%d/%m/%Y" if lang == "vi" else "%Y-%m-%d")


def _expected_targets(ind: Indicator, lang: str) -> list[str]:
    if ind.target is None:
        return [t("methodology.target_none", lang)]
    out = []
    for stage in ind.target.stages:
        value = (
            ("Có" if lang == "vi" else "Yes")
            if ind.unit == "yes_no"
            else f"{'≥' if ind.target.comparator == '>=' else '≤'} {_percent(stage.value, lang)}"
        )
        out.append(value)
        out.append(
            _date(stage.deadline, lang)
            if stage.deadline
            else ("không thời hạn" if lang == "vi" else "no deadline")
        )
    if ind.target.band_max is not None:
        out.append(_percent(ind.target.band_max, lang))
    return out


def _block(at: AppTest, ind: Indicator, lang: str) -> str:
    blocks = [m.value for m in at.markdown if m.value.startswith(f"#### {ind.name(lang)}\n")]
    assert len(blocks) == 1, f"{ind.code}: {len(blocks)} blocks named {ind.name(lang)!r}"
    return blocks[0]


def _check_version(at: AppTest, version: Version, lang: str) -> None:
    """Every pillar and indicator of ``version`` is on the page as the catalogue says."""
    catalogue = load_catalogue()
    headers = [h.value for h in at.header]
    for pillar in version.pillars:
        assert pillar.name(lang) in headers
    for ind in version.indicators:
        block = _block(at, ind, lang)
        assert ind.definition(lang) in block, ind.code
        if ind.former_name(lang):
            assert ind.former_name(lang) in block, ind.code
        for source in ind.sources:
            assert catalogue.cite(source, lang) in block, (ind.code, source)
        for code in ind.inputs:
            assert quote(version.field(code).name(lang), lang) in block, (ind.code, code)
        for expected in _expected_targets(ind, lang):
            assert expected in block, (ind.code, expected, block)
        scoring = t("methodology.scored" if ind.scored else "methodology.not_scored", lang)
        assert scoring in block, ind.code
    shown = "\n".join(m.value for m in at.markdown)
    for code in ("level4_share", "procedures_total", "yes_no", "on_track", ".txt"):
        assert code not in shown  # names and titles, never codes or file names


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_page_matches_the_catalogue(demo_db: Path, lang: str) -> None:
    """The version of the sidebar's quarter (2026-Q3: 2025) first, then the other one."""
    at = open_page(PAGE, lang)
    catalogue = load_catalogue()
    assert at.radio(key="meth_version").value == "2025"
    _check_version(at, catalogue.version("2025"), lang)
    at.radio(key="meth_version").set_value("2021").run()
    assert not at.exception
    _check_version(at, catalogue.version("2021"), lang)


def test_formula_is_written_with_field_names(demo_db: Path) -> None:
    at = open_page(PAGE, "vi")
    new = load_catalogue().version("2025")
    block = _block(at, new.indicator("level4_share"), "vi")
    assert (
        "«Trong đó: cung cấp dịch vụ công trực tuyến toàn trình» ÷ «Tổng số thủ tục hành chính»"
    ) in block
    assert "*Tên trước đây: Dịch vụ công trực tuyến mức độ 4*" in block
    assert "Nghị định 42/2022/NĐ-CP về dịch vụ công trực tuyến" in block
    assert "≥ 100 % — hạn 31/12/2021" in block
    remote = _block(at, new.indicator("remote_inspection_share"), "vi")
    assert "≥ 50 % — hạn 31/12/2025; sau đó ≥ 70 % — hạn 31/12/2030" in remote
    budget = _block(at, new.indicator("it_budget_share"), "vi")
    assert "1 % – 1,5 %" in budget
    sti = _block(at, new.indicator("sti_dx_budget_share"), "vi")
    assert "≥ 3 % — không thời hạn" in sti
    assert "Nghị quyết 57-NQ/TW ngày 22/12/2024 về đột phá phát triển khoa học" in sti
    at.radio(key="meth_version").set_value("2021").run()
    old = _block(at, load_catalogue().version("2021").indicator("level4_share"), "vi")
    assert (
        "«Trong đó: cung cấp dịch vụ công trực tuyến mức độ 4 (toàn trình)» ÷ "
        "«Tổng số thủ tục hành chính»"
    ) in old
    assert "— Chuyển đổi số, cuộc cách mạng toàn dân (04/08/2020)" in old


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_versions_side_by_side_with_changes_and_legal_basis(demo_db: Path, lang: str) -> None:
    """Both versions with their periods, reporter, ministry and legal basis (documents by
    number and title); then every change of the 2025 version with its source."""
    at = open_page(PAGE, lang)
    catalogue = load_catalogue()
    shown = texts(at)
    for version in catalogue.versions:
        block = next(
            m.value for m in at.markdown if m.value.startswith(f"### {version.name(lang)}")
        )
        assert version.span(lang) in block and version.summary(lang) in block
        assert version.reporter.name(lang) in block and version.ministry.name(lang) in block
        for number in version.legal_basis:
            assert catalogue.document(number).citation(lang) in block
    old, new = catalogue.versions
    title = t("framework.changes_title", lang, version=new.name(lang), p="2025-Q3")
    assert title in [s.value for s in at.subheader]
    table = next(tb.value for tb in at.table if t("framework.col_basis", lang) in tb.value.columns)
    changes = catalogue.changes(old, new)
    assert len(table) == len(changes) == 10
    for row, change in zip(table.itertuples(index=False), changes, strict=True):
        assert row[2] == (change.before.name(lang) if change.before else "–")
        assert row[3] == (change.after.name(lang) if change.after else "–")
        assert row[4] == "; ".join(catalogue.cite(s, lang) for s in change.sources)
    basis = "\n".join(table[t("framework.col_basis", lang)])
    for number in ("57-NQ/TW", "55/2025/NĐ-CP", "10/2025/TT-BKHCN", "42/2022/NĐ-CP"):
        assert catalogue.document(number).citation(lang) in basis
    assert "3.321" in basis if lang == "vi" else "3,321" in basis
    marker = "Phương pháp thay đổi từ 2025-Q3" if lang == "vi" else "Method changed in 2025-Q3"
    assert marker in shown
    assert ".txt" not in shown and ".txt" not in basis


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_method_section_explains_every_status(demo_db: Path, lang: str) -> None:
    at = open_page(PAGE, lang)
    table = next(d.value for d in at.dataframe if t("col.status", lang) in d.value.columns)
    assert set(table[t("col.status", lang)]) == {t(f"status.{s}", lang) for s in STATUSES}
    subheaders = [s.value for s in at.subheader]
    for key in (
        "m_raw",
        "m_attain",
        "m_status",
        "m_index",
        "m_national",
        "m_basis",
        "m_complete",
        "m_flags",
    ):
        assert t(f"methodology.{key}_title", lang) in subheaders
    text = "\n".join(m.value for m in at.markdown)
    assert ("15 ngày" if lang == "vi" else "15 days") in text


def _download_labels(at: AppTest) -> list[str]:
    return [b.label for b in at.get("download_button")]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_analyst_downloads_four_files(demo_db: Path, lang: str) -> None:
    at = open_page(PAGE, lang, User("pt", "analyst"))
    labels = _download_labels(at)
    assert labels.count(t("download.csv", lang)) == 2
    assert labels.count(t("download.xlsx", lang)) == 2
    text = "\n".join(str(c.value) for c in at.caption)
    assert t("methodology.data_rights", lang) in text


@pytest.mark.parametrize("account", [None, User("boss", "leader")], ids=["signed_out", "leader"])
def test_others_read_but_do_not_download(demo_db: Path, account: User | None) -> None:
    at = open_page(PAGE, "vi", account)
    assert not _download_labels(at)
    infos = [i.value for i in at.info]
    expected = (
        t("methodology.data_login", "vi")
        if account is None
        else t("methodology.data_denied", "vi", role=t("login.role_leader", "vi"))
    )
    assert expected in infos


def test_export_files_are_safe_and_named(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The bytes behind the buttons: names next to codes, and no cell starts a formula."""
    from streamlit.runtime.media_file_manager import MediaFileManager

    from dxboard.store import Store

    files: dict[str, object] = {}
    original = MediaFileManager.add_deferred

    def record(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        files[file_name] = data_callable
        return original(self, data_callable, mimetype, coordinates, file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", record)
    with Store(demo_db) as store, store.write() as cur:
        cur.execute("UPDATE raw_values SET note = '=HYPERLINK(\"x\")' WHERE period = '2026-Q3'")
    open_page(PAGE, "vi", User("pt", "analyst"))
    raw = pd.read_csv(io.BytesIO(files["so_lieu_goc_2026-Q3.csv"]()), encoding="utf-8-sig")
    assert {"province_name", "field_name"} <= set(raw.columns)
    assert raw["note"].dropna().str.startswith("'=").all()
    assert "Tổng số thủ tục hành chính" in set(raw["field_name"])
    indicators = pd.read_excel(
        io.BytesIO(files["chi_tieu_2026-Q3_reported.xlsx"]()), engine="calamine"
    )
    assert {"indicator_name", "status_name", "framework"} <= set(indicators.columns)
    assert "Dịch vụ công trực tuyến toàn trình" in set(indicators["indicator_name"])
    assert set(indicators["framework"]) == {2025}
