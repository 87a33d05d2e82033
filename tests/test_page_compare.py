"""The Compare page under AppTest: map, ranked bars, table, side by side, weights."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from apptest import open_page, texts
from streamlit.testing.v1 import AppTest

from dxboard.i18n import t
from dxboard.registry import load_registry

PAGE = "pages/compare.py"


def charts(at: AppTest) -> dict[str, dict]:
    """Plotly specs by widget key (``compare_map``, ``compare_bar``, ...)."""
    return {e.proto.id.rsplit("-", 1)[-1]: json.loads(e.proto.spec) for e in at.get("plotly_chart")}


def map_locations(at: AppTest) -> list[str]:
    spec = charts(at)["compare_map"]
    return [code for trace in spec["data"] for code in trace["locations"]]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_renders_map_bars_table(demo_db: Path, lang: str) -> None:
    at = open_page(PAGE, lang)
    assert t("nav.compare", lang) in texts(at)
    specs = charts(at)
    assert specs["compare_map"]["data"][0]["type"] == "choropleth"
    assert len(map_locations(at)) == 34  # latest quarter: the 34 current provinces
    assert specs["compare_bar"]["data"][0]["type"] == "bar"
    assert {"compare_pillars", "compare_series", "compare_range"} <= set(specs)
    table = at.dataframe[0].value
    assert len(table) == 34
    assert t("col.province", lang) in table.columns
    assert t("col.index", lang) in table.columns
    labels = [b.proto.label for b in at.get("download_button")]
    assert t("download.csv", lang) in labels and t("download.xlsx", lang) in labels


@pytest.mark.parametrize(("basis", "count"), [("reported", 63), ("current", 34)])
def test_map_follows_the_basis(demo_db: Path, basis: str, count: int) -> None:
    at = open_page(PAGE, period="2025-Q2", basis=basis)
    assert len(map_locations(at)) == count
    assert len(at.dataframe[0].value) == count


def test_indicator_has_target_line_status_and_no_raw_codes(demo_db: Path) -> None:
    at = open_page(PAGE, "vi")
    at.selectbox(key="compare_indicator").set_value("level4_share").run()
    assert not at.exception
    bar = charts(at)["compare_bar"]
    lines = [s for s in bar["layout"]["shapes"] if s["type"] == "line"]
    assert len(lines) == 1 and lines[0]["x0"] == pytest.approx(1.0)
    table = at.dataframe[0].value
    statuses = set(table[t("col.status", "vi")])
    allowed = {
        f"● {t(f'status.{s}', 'vi')}"
        for s in ("met", "on_track", "off_track", "overdue", "not_met", "no_data")
    }
    assert statuses <= allowed
    assert "level4_share" not in texts(at)
    assert "Mục tiêu: 100 %" in texts(at)


def test_index_has_no_target_line_and_informational_indicator_neither(demo_db: Path) -> None:
    at = open_page(PAGE, "en")
    assert not charts(at)["compare_bar"]["layout"].get("shapes")
    at.selectbox(key="compare_indicator").set_value("online_dossier_share").run()
    assert not at.exception
    assert not charts(at)["compare_bar"]["layout"].get("shapes")
    assert t("compare.not_scored", "en") in texts(at)


def test_yes_no_on_current_basis_shows_constituents(demo_db: Path) -> None:
    at = open_page(PAGE, "vi", period="2022-Q2", basis="current")
    at.selectbox(key="compare_indicator").set_value("dx_resolution").run()
    assert not at.exception
    table = at.dataframe[0].value
    assert t("compare.constituents", "vi") in table.columns
    values = " ".join(table[t("col.value", "vi")])
    assert "tỉnh cũ" in values  # e.g. "Không (2/3 tỉnh cũ)"


def test_region_filter(demo_db: Path) -> None:
    at = open_page(PAGE, "vi")
    at.multiselect(key="compare_regions").set_value(["DBSCL"]).run()
    assert not at.exception
    registry = load_registry()
    codes = map_locations(at)
    assert codes and all(registry.get(c, "current").region == "DBSCL" for c in codes)
    regions = set(at.dataframe[0].value[t("col.region", "vi")])
    assert regions == {registry.region("DBSCL").name_vi}


def test_side_by_side_needs_two_provinces(demo_db: Path) -> None:
    at = open_page(PAGE, "vi")
    assert len(at.multiselect(key="compare_provinces").value) == 3
    pillars = charts(at)["compare_pillars"]
    assert len(pillars["data"]) == 3
    at.multiselect(key="compare_provinces").set_value(["01"]).run()
    assert not at.exception
    assert t("compare.pick_more", "vi") in texts(at)


def _with_column(at: AppTest, column: str) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_weights_change_ranks_and_zero_weights_are_refused(demo_db: Path) -> None:
    at = open_page(PAGE, "en")
    change = t("compare.change_short", "en")
    table = _with_column(at, change)
    assert (table[change] == 0).all()  # equal weights: no change
    before = at.dataframe[0].value.set_index(t("col.province", "en"))[t("col.index", "en")]
    at.slider(key="compare_w_institutions").set_value(3.0)
    at.slider(key="compare_w_digital_infrastructure").set_value(0.0)
    submit = next(b for b in at.get("button") if b.proto.label == t("compare.weights_apply", "en"))
    submit.click().run()
    assert not at.exception
    table = _with_column(at, change)
    assert (table[change] != 0).any()
    # the weights apply to the ranking table, the bars and the map too, not only here
    after = at.dataframe[0].value.set_index(t("col.province", "en"))[t("col.index", "en")]
    assert not after.reindex(before.index).equals(before)
    weighted = table.set_index(t("col.province", "en"))[t("col.index", "en")]
    assert after.reindex(weighted.index).to_numpy() == pytest.approx(weighted.to_numpy())
    assert t("compare.index_note_weighted", "en") in texts(at)
    span = table[t("compare.rank_range", "en")]
    assert span.str.fullmatch(r"\d+–\d+").all()
    for pillar in ("institutions", "digital_government", "resources", "digital_community"):
        at.slider(key=f"compare_w_{pillar}").set_value(0.0)
    submit = next(b for b in at.get("button") if b.proto.label == t("compare.weights_apply", "en"))
    submit.click().run()
    assert not at.exception
    assert t("compare.weights_zero", "en") in texts(at)


def test_index_table_writes_rank_changes_as_text_with_a_dash_for_none(demo_db: Path) -> None:
    at = open_page(PAGE, "vi")
    table = at.dataframe[0].value
    changes = list(table[t("compare.rank_change", "vi")])
    assert all(isinstance(c, str) for c in changes)  # a blank would show as "None"
    assert all(c == "–" or c == "0" or c[0] in "+−" for c in changes)
    assert "–" in changes  # the demo has provinces without a previous rank


def test_provinces_without_a_value_are_named_below_the_table_not_ranked(demo_db: Path) -> None:
    at = open_page(PAGE, "vi")
    at.selectbox(key="compare_indicator").set_value("smartphone_share").run()
    assert not at.exception
    table = at.dataframe[0].value
    rank = table[t("col.rank", "vi")]
    assert rank.notna().all() and len(table) < 34  # the demo leaves one province blank
    shown = set(table[t("col.province", "vi")])
    missing = [
        r.short_name for r in load_registry().provinces("current") if r.short_name not in shown
    ]
    note = next(c.value for c in at.caption if c.value.startswith("Chưa có số liệu"))
    assert len(missing) == 34 - len(table) and all(m in note for m in missing)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_lagging_scatter_and_series_downloads(demo_db: Path, lang: str) -> None:
    at = open_page(PAGE, lang)
    lagging = _with_column(at, t("compare.lagging_order", lang))
    assert len(lagging) and lagging[t("compare.lagging_order", lang)].max() <= 5
    assert lagging[t("col.province_code", lang)].str.fullmatch(r"\d{2}").all()
    assert pd.api.types.is_numeric_dtype(lagging[t("col.value", lang)])
    scatter = charts(at)["compare_scatter"]
    assert sum(len(tr["text"]) for tr in scatter["data"]) > 20  # one dot per province
    keys = {b.proto.id.rsplit("-", 1)[-1] for b in at.get("download_button")}
    assert {"compare_xlsx", "compare_lag_xlsx", "compare_series_xlsx"} <= keys
    at.selectbox(key="compare_y").set_value("fiber_share").run()
    assert not at.exception
