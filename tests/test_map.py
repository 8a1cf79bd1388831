"""The map's data on a real Neo4j: places without coordinates placed from the bundled
gazetteer (or listed, never dropped), incidents per place and country, and a person's
stops in time order across aliases, under need-to-know and audited."""

from __future__ import annotations

from pathlib import Path

from dashboard import map_view
from graph import geography
from graph.access import Role, Viewer
from graph.store import Store
from ingest import gazetteer
from ingest.load import DeliveryReport, ingest_delivery
from ingest.pseudonymise import DEMO_KEY, TeamKey
from tests.helpers import PURPOSE, delivery

KEY = TeamKey("demo", DEMO_KEY)
ANA = Viewer("ana", Role.ANALYST, ("jit",), purpose=PURPOSE)
CARE = Viewer("carla", Role.PARTNER, ("care",), partner="jeugdzorg", purpose=PURPOSE)


def test_the_gazetteer_knows_places_by_their_dutch_and_other_names() -> None:
    utrecht = gazetteer.find("utrecht", "nl")
    assert utrecht is not None and (utrecht.lat, utrecht.lon) == (52.091, 5.122)
    assert gazetteer.find("Den Bosch", "NL") == gazetteer.find("'s-Hertogenbosch", None)
    assert gazetteer.find("Luik", "BE") == gazetteer.find("Liège", "BE")
    assert gazetteer.find("Antwerpen", "BE").name == "Antwerp"  # type: ignore[union-attr]
    assert gazetteer.find("Antwerpen", "NL") is None  # the country counts
    assert gazetteer.find("3511 AB", "NL") is None
    assert "postcode" in gazetteer.why_not("3511 AB", "NL")
    assert gazetteer.why_not("Nergenshuizen", None) == "not in the gazetteer for NL"


def police(root: Path, name: str, locations: str, incidents: str, involvements: str,
           persons: str = "M1,2004,f,\nM2,2005,m,\nA1,1980,m,\n", aliases: str = "",
           partner: str = "police") -> Path:
    files = {"locations.csv": "location_ref,kind,city,country,lat,lon,name\n" + locations,
             "persons.csv": "person_ref,birth_year,sex,category\n" + persons,
             "incidents.csv": "incident_ref,kind,occurred_at,location_ref,status\n" + incidents,
             "involvements.csv": "incident_ref,person_ref,role\n" + involvements}
    if aliases:
        files["aliases.csv"] = "person_ref,other_ref,basis\n" + aliases
    return delivery(root, files, name=name, partner=partner)


def load(store: Store, path: Path) -> DeliveryReport:
    report = ingest_delivery(store, path, KEY)
    assert report.status == 0, report.rejects or report.refused
    return report


PLACES = ("L-UTR,station,Utrecht,NL,,,Centraal\nL-ANT,station,Antwerpen,BE,,,\n"
          "L-AMS,shop,Amsterdam,NL,52.370,4.890,\nL-X,shop,Nergenshuizen,NL,,,\n"
          "L-PC,shop,3511 AB,NL,,,\n")
INCIDENTS = ("I1,pickpocketing,2016-01-03,L-UTR,\nI2,shoplifting,2016-01-01,L-AMS,\n"
             "I3,pickpocketing,2016-01-09,L-ANT,\nI4,shoplifting,2016-01-05,L-X,\n"
             "I5,theft,2016-01-07,L-PC,\n")
INVOLVED = ("I1,M1,suspect\nI2,M1,suspect\nI3,M2,suspect\nI4,M1,suspect\nI5,M2,suspect\n"
            "I1,A1,collector\nI3,A1,collector\n")


def _place(store: Store, ref: str) -> dict:
    return store.run("MATCH (l:Location {ref: $r}) RETURN l.lat AS lat, l.lon AS lon, "
                     "l.placed AS placed, l.unplaced AS unplaced", {"r": ref})[0]


def test_places_without_coordinates_are_placed_and_the_rest_listed_not_dropped(
        store: Store, tmp_path: Path) -> None:
    report = load(store, police(tmp_path, "one", PLACES, INCIDENTS, INVOLVED))
    assert report.places is not None and report.places.placed == 2
    assert sorted((u.ref, u.city) for u in report.places.unplaced) == [
        ("L-PC", "3511 AB"), ("L-X", "Nergenshuizen")]
    assert _place(store, "L-UTR") == {"lat": 52.091, "lon": 5.122, "placed": "gazetteer",
                                      "unplaced": None}
    assert _place(store, "L-AMS")["placed"] == "delivery"  # the partner's own: kept
    assert _place(store, "L-AMS")["lat"] == 52.37
    listed = geography.unplaced(store, ANA)
    assert [(r["ref"], r["incidents"]) for r in listed] == [("L-PC", 1), ("L-X", 1)]
    # the records at an unplaced place are in the graph all the same
    assert store.run("MATCH (i:Incident)-[:AT]->(:Location {ref: 'L-X'}) "
                     "RETURN count(i) AS n")[0]["n"] == 1
    # a partner corrects the city: placed again; a partner's coordinates win
    load(store, police(tmp_path, "two", "L-X,shop,Zwolle,NL,,,\n"
                                        "L-UTR,station,Utrecht,NL,52.089,5.110,Centraal\n",
                       "", "", persons=""))
    corrected = _place(store, "L-X")
    assert corrected["placed"] == "gazetteer" and corrected["unplaced"] is None
    assert (_place(store, "L-UTR")["lat"], _place(store, "L-UTR")["placed"]) == (
        52.089, "delivery")


def test_incidents_per_place_and_country(store: Store, tmp_path: Path) -> None:
    load(store, police(tmp_path, "one", PLACES, INCIDENTS, INVOLVED))
    places = geography.by_place(store, ANA)
    assert {(p["city"], p["country"]): p["incidents"] for p in places} == {
        ("Utrecht", "NL"): 1, ("Amsterdam", "NL"): 1, ("Antwerpen", "BE"): 1,
        ("Nergenshuizen", "NL"): 1, ("3511 AB", "NL"): 1}
    assert geography.by_country(places) == {"NL": 4, "BE": 1}
    from datetime import date
    window = geography.by_place(store, ANA, since=date(2016, 1, 4), until=date(2016, 1, 8))
    assert sorted(p["city"] for p in window) == ["3511 AB", "Nergenshuizen"]
    html = map_view.overview_html(places, geography.by_country(places))
    assert "Utrecht (NL): 1 incident" in html
    assert "connect-src 'none'" in html and "tileLayer(" not in html  # no tiles, no fetch


def test_a_minors_stops_in_time_order_across_aliases_for_who_may_see_them(
        store: Store, tmp_path: Path) -> None:
    load(store, police(tmp_path, "one", PLACES, INCIDENTS, INVOLVED))
    # youth care knows M9, the same girl as M1, staying in Zwolle since 2 January
    load(store, delivery(tmp_path, {
        "locations.csv": "location_ref,kind,city,country,lat,lon,name\n"
                         "L-ZWO,shelter,Zwolle,NL,,,\n",
        "persons.csv": "person_ref,birth_year,sex,category\nM9,2004,f,\n",
        "stays.csv": "person_ref,location_ref,from,until\nM9,L-ZWO,2016-01-02,\n",
        "aliases.csv": "person_ref,other_ref,basis\nM9,M1,fingerprint\n"},
        name="care", partner="jeugdzorg", partner_kind="youth_care"))
    assert geography.minors_with(store, ANA, "A1") == ["M1", "M2"]
    tracks = geography.tracks(store, ANA, ["M1", "M9", "A1"])
    assert [t.ref for t in tracks] == ["M1", "A1"]  # M9 is M1
    girl = tracks[0]
    assert girl.minor and girl.codename
    assert [(s.at, s.city) for s in girl.stops] == [
        ("2016-01-01", "Amsterdam"), ("2016-01-02", "Zwolle"), ("2016-01-03", "Utrecht"),
        ("2016-01-05", "Nergenshuizen")]
    assert [s.city for s in girl.placed] == ["Amsterdam", "Zwolle", "Utrecht"]
    assert girl.stops[-1].unplaced == "not in the gazetteer for NL"
    entry = store.audit.about("M9")[-1]
    assert entry["action"] == "map.tracks" and entry["user"] == "ana"
    # a care partner's user sees only its own partner's records of her: the stay
    (own,) = geography.tracks(store, CARE, ["M1"])
    assert [(s.record, s.city) for s in own.stops] == [("stay", "Zwolle")]
    html = map_view.tracks_html(tracks)
    assert girl.codename in html and 'data-routes' in html


def test_a_place_in_another_character_set_rejects_its_row_and_no_other(
        store: Store, tmp_path: Path) -> None:
    latin1 = (b"location_ref,kind,city,country,lat,lon,name\n"
              + "L-LUI,station,Liège,BE,,,\n".encode("latin-1")
              + b"L-UTR,station,Utrecht,NL,,,\n")
    path = delivery(tmp_path, {"locations.csv": latin1,
                               "persons.csv": "person_ref,birth_year,sex,category\n"},
                    name="latin1")
    report = ingest_delivery(store, path, KEY)
    assert [(r.file, r.line, r.column, r.reason) for r in report.rejects] == [
        ("locations.csv", 2, "city", "holds bytes that are not UTF-8")]
    assert report.places is not None and report.places.placed == 1  # Utrecht
    assert _place(store, "L-UTR")["placed"] == "gazetteer"
