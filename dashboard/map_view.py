"""The map as a standalone HTML page that loads nothing from anywhere: Leaflet and the
country outlines are inlined (``dashboard/static``: Leaflet 1.9.4, BSD-2-Clause; Natural
Earth's countries, public domain), and there is no tile layer.

Two drawings: the whole graph (incidents per country as a choropleth, and per city or
municipality as circles), and the places of persons over time (each minor's route as a
line in time order, the last stop filled). Colours are told apart by colour-blind
readers (Okabe and Ito's palette; ColorBrewer's YlGnBu for counts), and routes beyond
the palette's seven are dashed as well.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader

from dashboard.text import counted, person
from graph.geography import Stop, Track

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
# Okabe & Ito (2008), without the yellow that vanishes on the pale land.
ROUTE_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
DASHES = (None, "8 6", "2 6")
# ColorBrewer YlGnBu, five classes (sequential, colour-blind safe).
SHADES = ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494")
ATTRIBUTION = "Natural Earth · GeoNames (CC BY 4.0) · Leaflet"
_ENV = Environment(loader=FileSystemLoader([TEMPLATES, STATIC]), autoescape=True)


@cache
def countries() -> dict[str, Any]:
    """Europe's country outlines (``dashboard/static/build_europe.py`` made them)."""
    return json.loads((STATIC / "europe.geojson").read_text("utf-8"))


def steps(counts: Sequence[int]) -> list[int]:
    """The lower bounds of the five shades: quantiles of the counts, rising.

    >>> steps([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), steps([3, 6, 993])
    ([1, 3, 5, 7, 9], [3, 6, 993])
    """
    values = sorted(c for c in counts if c > 0)
    if not values:
        return [1]
    bounds = [values[min(len(values) - 1, i * len(values) // len(SHADES))]
              for i in range(len(SHADES))]
    return sorted(set(bounds))


def _shades(n: int) -> list[str]:
    """``n`` of the five shades, spread from the lightest to the darkest."""
    if n <= 1:
        return [SHADES[-1]]
    return [SHADES[round(i * (len(SHADES) - 1) / (n - 1))] for i in range(n)]


def _stop_label(s: Stop) -> str:
    where = f"{s.place}, {s.city}" if s.place else s.city
    return f"{s.at} · {s.record} {s.what} · {where} ({s.country})"


def who(track: Track) -> str:
    """A person as the map names them: codename and the start of the ref."""
    return person(track.ref, track.codename)


def style(index: int) -> tuple[str, str | None]:
    """The colour and dash of the ``index``-th route."""
    return (ROUTE_COLOURS[index % len(ROUTE_COLOURS)],
            DASHES[(index // len(ROUTE_COLOURS)) % len(DASHES)])


def overview_html(places: Sequence[dict[str, Any]], per_country: dict[str, int], *,
                  height: str = "600px", heading: str = "Schakel map") -> str:
    """Incidents per country (choropleth) and per city (circles)."""
    bounds = steps(list(per_country.values()))
    data = {
        "choropleth": True, "countries": per_country, "shades": _shades(len(bounds)),
        "steps": bounds,
        "places": [{"lat": p["lat"], "lon": p["lon"], "incidents": p["incidents"],
                    "label": f"{p['city']} ({p['country']}): "
                             f"{counted(p['incidents'], 'incident')}"}
                   for p in places if p["lat"] is not None and p["lon"] is not None],
        "tracks": [],
        "legend": {"title": "Incidents per country", "rows": [
            {"colour": shade, "label": f"{low:,} or more"}
            for shade, low in zip(_shades(len(bounds)), bounds, strict=True)]},
    }
    return _render(data, height, heading)


def tracks_html(tracks: Sequence[Track], *, height: str = "600px",
                heading: str = "Schakel map") -> str:
    """Each person's placed stops in time order; a minor's joined as a route."""
    drawn, rows = [], []
    for index, track in enumerate(t for t in tracks if t.placed):
        colour, dash = style(index)
        route = track.minor and len(track.placed) > 1
        kind = "minor" if track.minor else "adult"
        places = f"{len(track.placed)} place{'' if len(track.placed) == 1 else 's'}"
        label = f"{who(track)}, {kind}: {places}" + (
            f", {track.placed[0].at} to {track.placed[-1].at}" if route else "")
        drawn.append({"colour": colour, "dash": dash, "route": route, "label": label,
                      "stops": [{"lat": s.lat, "lon": s.lon, "label": _stop_label(s)}
                                for s in track.placed]})
        rows.append({"colour": colour, "dash": dash, "label": label, "route": route})
    data = {"choropleth": False, "countries": {}, "shades": SHADES, "steps": [1] * 5,
            "places": [], "tracks": drawn,
            "legend": {"title": "Routes in time order (last stop filled)", "rows": rows}}
    return _render(data, height, heading)


def _render(data: dict[str, Any], height: str, heading: str) -> str:
    return _ENV.get_template("map.html").render(
        countries=countries(), data=data, height=height, heading=heading, lang="en",
        labels={"attribution": ATTRIBUTION, "incidents": "incidents"})
