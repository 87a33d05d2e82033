"""Province boundaries for Plotly choropleths: the committed GeoJSON in ``data/geo/``.

``scripts/build_geo.py`` generates the files from Natural Earth ("Made with Natural Earth");
see ``data/geo/README.md``. Each feature's ``id`` is the GSO code of its era, so use
``featureidkey="id"`` with ``locations`` = codes. Exterior rings run clockwise, as
``go.Choropleth`` (d3-geo) needs.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from dxboard.paths import DATA_DIR

GEO_DIR = DATA_DIR / "geo"
FILES = {"legacy": "vn_legacy_63.geojson", "current": "vn_current_34.geojson"}


def geojson_path(era: str) -> Path:
    """The GeoJSON file of ``era`` (``legacy``: 63 provinces, ``current``: 34)."""
    if era not in FILES:
        raise ValueError(f"era must be 'legacy' or 'current', not {era!r}")
    return GEO_DIR / FILES[era]


@cache
def load_geojson(era: str) -> dict[str, Any]:
    """The ``FeatureCollection`` of ``era``, read once; shared, so do not modify it."""
    return json.loads(geojson_path(era).read_text(encoding="utf-8"))
