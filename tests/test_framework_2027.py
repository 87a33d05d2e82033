"""Adding a framework version is a catalogue edit only: a temporary catalogue with an extra
``2027`` version (a new field and indicator, one indicator and its field removed, a new legal
basis) is picked up by the template, the validation, the metrics and the methodology page
without any change of code. The 2027 content is made up for this test; it is not a target."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from apptest import open_page, texts
from helpers import good_values
from openpyxl import load_workbook

from dxboard import catalogue as catalogue_module
from dxboard.catalogue import CATALOGUE_PATH, load_catalogue
from dxboard.errors import Reason
from dxboard.i18n import t
from dxboard.periods import Period
from dxboard.registry import load_registry
from dxboard.store import Store
from loaders.ingest import ingest_bytes
from loaders.template import META_SHEET, REPORT_SHEET, build_template
from loaders.writers import write_bulk
from metrics.export import export_indicators
from metrics.index import readiness_index
from metrics.indicators import indicator_values
from metrics.status import indicator_status

TODAY = date(2027, 5, 1)
NEW_FIELD, NEW_INDICATOR = "ai_services", "ai_service_share"
GONE_FIELD, GONE_INDICATOR = "households_digital_address", "digital_address_share"


ADDED = """
[[documents]]
number = "99/2026/NĐ-CP"
kind = "decree"
year = 2026
date = 2026-12-01
title_vi = "văn bản giả định dùng để kiểm thử khung chỉ tiêu 2027"
title_en = "a made-up document to test the 2027 framework"

[[versions]]
id = "2027"
name_vi = "Khung chỉ tiêu 2027 (thử nghiệm)"
name_en = "2027 framework (test)"
summary_vi = "Phiên bản giả định để kiểm thử: thêm thủ tục có trợ lý ảo, bỏ địa chỉ số."
summary_en = "A made-up version for testing: adds virtual assistants, drops digital addresses."
valid_from = "2027-Q1"
template_version = "2027"
legal_basis = ["99/2026/NĐ-CP"]

[versions.reporter]
name_vi = "Sở Khoa học và Công nghệ"
short_vi = "Sở KH&CN"
name_en = "Department of Science and Technology"
short_en = "DOST"
sources = [{ document = "10/2025/TT-BKHCN" }]

[versions.ministry]
name_vi = "Bộ Khoa học và Công nghệ"
short_vi = "Bộ KH&CN"
name_en = "Ministry of Science and Technology"
short_en = "MOST"
sources = [{ document = "55/2025/NĐ-CP" }]

[[fields]]
code = "ai_services"
since = "2027"
kind = "count"
part_of = "procedures_total"
unit_vi = "thủ tục"
unit_en = "procedures"
name_vi = "Trong đó: có trợ lý ảo hỗ trợ"
name_en = "Of which: with a virtual assistant"
sources = [{ document = "99/2026/NĐ-CP" }]

[[indicators]]
code = "ai_service_share"
since = "2027"
pillar = "digital_government"
unit = "ratio"
numerator = "ai_services"
denominator = "procedures_total"
name_vi = "Thủ tục có trợ lý ảo"
name_en = "Procedures with a virtual assistant"
definition_vi = "Tỷ lệ thủ tục hành chính có trợ lý ảo hỗ trợ."
definition_en = "Share of administrative procedures with a virtual assistant."
target = { comparator = ">=", stages = [{ value = 0.2 }] }
sources = [{ document = "99/2026/NĐ-CP" }]
"""


def _catalogue_2027() -> str:
    """The real catalogue file, edited as a person would: the 2025 version ends in 2026-Q4,
    digital addresses end with it, and a 2027 version with its document, field and indicator
    is appended."""
    text = CATALOGUE_PATH.read_text(encoding="utf-8")
    text = text.replace(
        'valid_from = "2025-Q3"\n', 'valid_from = "2025-Q3"\nvalid_to = "2026-Q4"\n'
    )
    for code in (GONE_FIELD, GONE_INDICATOR):
        text = text.replace(f'code = "{code}"\n', f'code = "{code}"\nuntil = "2025"\n')
    return text + ADDED


@pytest.fixture()
def with_2027(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """``load_catalogue()`` answers the temporary catalogue (no code is changed)."""
    path = tmp_path / "catalogue.toml"
    path.write_text(_catalogue_2027(), encoding="utf-8")
    monkeypatch.setattr(catalogue_module, "CATALOGUE_PATH", path)
    load_catalogue.cache_clear()
    yield
    load_catalogue.cache_clear()


def _template(period: str, values: dict[str, object], shown_period: str | None = None) -> bytes:
    """The template of ``period`` for Hà Nội, filled with ``values`` (period cell changed to
    ``shown_period`` when given)."""
    prov = load_registry().match("Hà Nội", period=period)
    wb = load_workbook(io.BytesIO(build_template(prov, Period.parse(period))))
    ws = wb[REPORT_SHEET]
    for row in ws.iter_rows(min_row=2):
        key = row[0].value
        if key in values and values[key] is not None:
            row[3].value = values[key]
        if key == "period" and shown_period:
            row[3].value = shown_period
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _values_2027() -> dict[str, object]:
    values = {**good_values(), "sti_dx_budget": 800.0, NEW_FIELD: 450}
    values.pop(GONE_FIELD)
    return values


def test_template_follows_the_2027_version(with_2027: None) -> None:
    prov = load_registry().match("Hà Nội", period="2027-Q1")
    book = load_workbook(io.BytesIO(build_template(prov, Period(2027, 1))))
    codes = [c.value for c in book[REPORT_SHEET]["A"] if c.row >= 8 and c.value]
    assert codes == load_catalogue().version("2027").field_codes
    assert NEW_FIELD in codes and GONE_FIELD not in codes
    meta = {r[0].value: r[1].value for r in book[META_SHEET].iter_rows()}
    assert (meta["template_version"], meta["framework"]) == ("2027", "2027")
    old = load_workbook(io.BytesIO(build_template(prov, Period(2026, 4))))
    assert GONE_FIELD in [c.value for c in old[REPORT_SHEET]["A"]]


def test_validation_follows_the_2027_version(with_2027: None) -> None:
    store = Store(":memory:")
    ok = ingest_bytes(store, _template("2027-Q1", _values_2027()), "hn.xlsx", today=TODAY)
    assert ok.status == "accepted", ok.errors
    assert ok.reports[0].values[NEW_FIELD].value == 450
    stale = _template("2026-Q4", good_values(), shown_period="2027-Q1")
    bad = ingest_bytes(store, stale, "old.xlsx", today=TODAY)
    assert [p.reason for p in bad.errors] == [Reason.TEMPLATE_VERSION]
    assert "«2027»" in bad.errors[0].message_vi
    row = {"province": "Hà Nội", "period": "2027-Q1", **_values_2027(), GONE_FIELD: 10}
    bulk = ingest_bytes(store, write_bulk([row]), "bulk.xlsx", today=TODAY)
    assert [(p.reason, p.field) for p in bulk.errors] == [(Reason.FRAMEWORK, GONE_FIELD)]
    too_many = {**_values_2027(), NEW_FIELD: 5000}
    part = ingest_bytes(store, _template("2027-Q1", too_many), "p.xlsx", today=TODAY)
    assert [p.reason for p in part.errors] == [Reason.PART_EXCEEDS_WHOLE]


def test_metrics_follow_the_2027_version(with_2027: None) -> None:
    store = Store(":memory:")
    q4 = {"province": "01", "period": "2026-Q4", **good_values(), "sti_dx_budget": 800.0}
    q1 = {"province": "01", "period": "2027-Q1", **_values_2027()}
    for row, day in ((q4, datetime(2027, 1, 10)), (q1, datetime(2027, 4, 10))):
        result = ingest_bytes(store, write_bulk([row]), "b.xlsx", today=TODAY, received_at=day)
        assert result.status == "accepted", result.errors
    values = indicator_values(store, ["2026-Q4", "2027-Q1"])
    hanoi = values[values["province_code"] == "01"]
    per = {p: set(g["indicator"]) for p, g in hanoi.groupby("period")}
    assert NEW_INDICATOR in per["2027-Q1"] and GONE_INDICATOR not in per["2027-Q1"]
    assert GONE_INDICATOR in per["2026-Q4"] and NEW_INDICATOR not in per["2026-Q4"]
    assert set(hanoi.loc[hanoi["period"] == "2027-Q1", "framework"]) == {"2027"}
    status = indicator_status(store, "2027-Q1", indicators=[NEW_INDICATOR])
    mine = status[status["province_code"] == "01"].iloc[0]
    assert (mine["value"], mine["target"], mine["status"]) == (0.25, 0.2, "met")
    ranks = readiness_index(store, "2027-Q1").set_index("province_code")
    assert ranks.loc["01", "framework"] == "2027" and not ranks.loc["01", "rank_comparable"]
    out = export_indicators(store, "2027-Q1", lang="en")
    assert set(out["framework"]) == {"2027"}
    assert set(out["method_change"]) == {"Method changed in 2027-Q1"}


def test_methodology_page_follows_the_2027_version(with_2027: None, demo_db: Path) -> None:
    at = open_page("pages/methodology.py", "en")
    catalogue = load_catalogue()
    assert [v.id for v in catalogue.versions] == ["2021", "2025", "2027"]
    assert at.radio(key="meth_version").options == [
        f"{v.name('en')} ({v.span('en')})" for v in catalogue.versions
    ]
    shown = texts(at)
    title = t("framework.changes_title", "en", version="2027 framework (test)", p="2027-Q1")
    assert title in shown
    table = at.table[-1].value
    assert "Procedures with a virtual assistant" in set(table["2027 framework (test)"])
    assert "Households with a digital address" in set(table["2025 framework"])
    cited = catalogue.document("99/2026/NĐ-CP").citation("en")
    assert cited in "\n".join(table[t("framework.col_basis", "en")])
    at.radio(key="meth_version").set_value("2027").run()
    assert not at.exception
    names = [m.value for m in at.markdown if m.value.startswith("#### ")]
    assert any(n.startswith("#### Procedures with a virtual assistant") for n in names)
    assert not any(n.startswith("#### Households with a digital address") for n in names)
