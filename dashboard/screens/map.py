"""Map: where the incidents are (per country and per city), and where a person or the
minors of a structure were over time, each minor's route a line in time order. Offline:
no tile server, nothing fetched. The same content as tables below the map."""

from __future__ import annotations

from datetime import date
from typing import Any

import streamlit as st

from dashboard import map_view, state
from dashboard.screens import explore as explore_screen
from dashboard.text import counted, kind_name, md, person
from graph import geography, overview
from graph.access import Capability
from graph.explore import search
from graph.geography import Track
from i18n import N_, _

MODES = {"all": N_("The whole graph"), "person": N_("A person"),
         "structure": N_("A structure")}
HEIGHT = 600


def _whole(since: date | None, until: date | None) -> None:
    viewer = state.current()
    store = state.store()
    places = geography.by_place(store, viewer, since=since, until=until)
    per_country = geography.by_country(places)
    st.caption(_("{incidents} in {places}; countries shaded by their number of incidents, "
                 "cities and municipalities as circles by theirs.").format(
        incidents=counted(sum(per_country.values()), "incident"),
        places=counted(len(places), "place")))
    st.iframe(map_view.overview_html(places, per_country, height=f"{HEIGHT}px"),
              height=HEIGHT + 10)
    with st.expander(_("The map as a table"), expanded=False):
        st.dataframe([{_("country"): c, _("incidents"): n} for c, n in
                      sorted(per_country.items(), key=lambda kv: -kv[1])], hide_index=True)
        st.dataframe([{_("city"): p["city"], _("country"): p["country"],
                       _("incidents"): p["incidents"], "lat": p["lat"], "lon": p["lon"]}
                      for p in places], hide_index=True)
    _unplaced()


def _unplaced() -> None:
    rows = geography.unplaced(state.store(), state.current())
    if rows:
        with st.expander(_("{places} could not be placed, so not on the map").format(
                places=counted(len(rows), "place")), expanded=False):
            st.caption(_("Their records are in the graph; the delivery gave no coordinates "
                       "and the gazetteer does not know the place. A partner can send "
                       "the place again with coordinates."))
            st.dataframe(rows, hide_index=True)


def _person_refs() -> tuple[list[str], str] | None:
    """The person chosen, with the minors whose routes its map shows."""
    viewer, store = state.current(), state.store()
    seeds = explore_screen.shared()["seeds"]
    text = st.text_input(_("Person: codename or ref"), key="map_person",
                         value=seeds[0] if seeds else "",
                         placeholder=_("Blauwe Reiger 17, or the start of a ref"))
    if not text.strip():
        st.info(_("Name a person by codename or ref, or open one in Explore first."))
        return None
    found = [n for n in search(store, viewer, text) if n.kind in ("minor", "adult")]
    if not found:
        st.info(_("No person with a codename or ref that starts with {text}.").format(
            text=md(text)))
        return None
    labels = {n.ref: f"{kind_name(n.kind)} · {person(n.ref, n.props.get('codename'))}"
              for n in found}
    ref = st.selectbox(_("Matches"), list(labels), format_func=labels.__getitem__,
                       key="map_person_pick")
    if ref is None:
        return None
    minors = geography.minors_with(store, viewer, ref)
    return [ref, *minors], labels[ref]


def _structure_refs() -> tuple[list[str], str] | None:
    viewer, store = state.current(), state.store()
    runs = overview.runs(store, viewer, n=1)
    if not runs:
        st.info(_("No analysis run yet, so no structure."))
        return None
    found = [f for f in overview.findings(store, viewer, runs[0]["run"], limit=200)
             if f["structure"]]
    if not found:
        st.info(_("The latest run found no structure that you may see."))
        return None
    labels = {f["structure"]: f"#{f['rank']} · {person(f['person_ref'], f['codename'])}"
              for f in found}
    chosen = st.selectbox(_("Structure of the candidate"), list(labels),
                          format_func=labels.__getitem__, key="map_structure")
    if chosen is None:
        return None
    members = overview.structure(store, viewer, chosen)
    core = [m["ref"] for m in members if m["role"] == "core"]
    return core + [m["ref"] for m in members if m["role"] != "core"], labels[chosen]


def _tracks(refs: list[str], title: str, since: date | None, until: date | None) -> None:
    tracks = geography.tracks(state.store(), state.current(), refs, since=since, until=until)
    routes = [t for t in tracks if t.minor and len(t.placed) > 1]
    st.caption(_("{title}: {routes} of minors in time order, {stops} on the map. Hover a "
                 "line or a stop for what and when.").format(
        title=md(title), routes=counted(len(routes), "route"),
        stops=counted(sum(len(t.placed) for t in tracks), "stop")))
    if not any(t.placed for t in tracks):
        st.info(_("Nothing with a place in this time window."))
    else:
        st.iframe(map_view.tracks_html(tracks, height=f"{HEIGHT}px"), height=HEIGHT + 10)
    with st.expander(_("The map as a table"), expanded=not any(t.placed for t in tracks)):
        st.dataframe(_rows(tracks), hide_index=True)


def _rows(tracks: list[Track]) -> list[dict[str, Any]]:
    return [{_("person"): map_view.who(t), _("kind"): kind_name("minor" if t.minor else "adult"),
             "#": i + 1, _("day"): s.at, _("record"): s.record, _("what"): s.what,
             _("place"): s.place or "", _("city"): s.city, _("country"): s.country,
             _("on the map"): _("yes") if s.lat is not None else _("no: {why}").format(
                 why=s.unplaced or _("no place"))}
            for t in tracks for i, s in enumerate(t.stops)]


def render() -> None:
    viewer = state.current()
    st.title(_("Map"))
    modes = list(MODES) if viewer.can(Capability.EXPLORE) else ["all"]
    mode = st.radio(_("Show"), modes, format_func=lambda m: _(MODES[m]), horizontal=True,
                    key="map_mode", label_visibility="collapsed")
    since, until = explore_screen.time_window(_("Time window (shared with Explore)"),
                                              "map_window")
    if mode == "all":
        _whole(since, until)
        return
    chosen = _person_refs() if mode == "person" else _structure_refs()
    if chosen is not None:
        _tracks(*chosen, since, until)


if __name__ == "__main__":  # run by st.navigation as the page script
    render()
