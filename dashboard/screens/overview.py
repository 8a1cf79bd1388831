"""Overview: what the graph holds, from whom, when and where, and the latest analysis."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import state
from dashboard.text import stamp, stamped
from graph import overview
from i18n import N_, _, number

# The deliveries table's headings, for the names graph.overview.deliveries gives.
DELIVERY_HEADINGS = {"delivery": N_("delivery"), "partner": N_("partner"), "kind": N_("kind"),
                     "extracted_at": N_("extracted"), "loaded_at": N_("loaded"),
                     "rows_loaded": N_("rows loaded"), "rows_rejected": N_("rows rejected"),
                     "status": N_("status")}
COUNTED = (("Person", N_("Persons")), ("Minor", N_("Minors")), ("Incident", N_("Incidents")),
           ("Signal", N_("Signals")), ("Location", N_("Locations")),
           ("Delivery", N_("Deliveries")))


def _no_incidents() -> None:
    """Under a chart with nothing to draw (a care partner that records no incidents)."""
    st.caption(_("No incidents among the records you may see."))


def render() -> None:
    viewer = state.current()
    store = state.store()
    st.title(_("Overview"))
    counts = overview.counts(store, viewer)
    cols = st.columns(len(COUNTED))
    for col, (label, title) in zip(cols, COUNTED, strict=True):
        col.metric(_(title), number(counts.get(label, 0)))
    with st.expander(_("Nodes by label")):
        st.dataframe(pd.DataFrame(sorted(counts.items()), columns=[_("label"), _("nodes")]),
                     hide_index=True)

    st.subheader(_("By partner"))
    rows = overview.by_partner(store, viewer)
    if rows:
        table = pd.DataFrame(rows).pivot_table(index="partner", columns="label",
                                               values="n", fill_value=0)
        st.dataframe(table.rename(columns={label: _(title) for label, title in COUNTED}))
    else:
        st.info(_("No data loaded yet: `schakel ingest` a delivery."))
    st.subheader(_("Deliveries"))
    # The whole width: eight columns, of which the times are what one checks.
    deliveries = pd.DataFrame(stamped(overview.deliveries(store, viewer),
                                      "extracted_at", "loaded_at"))
    st.dataframe(deliveries.rename(columns={k: _(v) for k, v in DELIVERY_HEADINGS.items()}),
                 hide_index=True)

    st.subheader(_("Incidents over time"))
    months = overview.incidents_by_month(store, viewer)
    if months:
        frame = pd.DataFrame(months).pivot_table(index="month", columns="kind",
                                                 values="incidents", fill_value=0)
        st.bar_chart(frame, x_label=_("month"), y_label=_("incidents"))
    else:
        _no_incidents()

    st.subheader(_("Where incidents happen"))
    places = overview.incidents_by_place(store, viewer)
    if places:
        frame = pd.DataFrame(places)
        # One colour per country: the places abroad are what an itinerant network shows
        # up in, so they must be as easy to find as the busiest city.
        country = alt.Color("country:N", title=_("country"))
        st.caption(_("Incidents per city (top 20); the Map page shows them on a map."))
        st.altair_chart(city_chart(frame.head(20), country), width="stretch")
    else:
        _no_incidents()

    st.subheader(_("Latest analysis run"))
    runs = overview.runs(store, viewer, n=5)
    if not runs:
        st.info(_("No analysis run yet: `schakel analyse`."))
        return
    latest = runs[0]
    # The run id in full, as text: as a metric it was cut off after 14 characters.
    st.markdown(_("Run `{run}`, started {at}").format(run=latest["run"], at=stamp(latest["at"])))
    a, b = st.columns(2)
    if viewer.only_partner:  # what was shared with them, not what the run found
        a.metric(_("Findings shared with your team"), number(latest["findings"]))
    else:
        a.metric(_("Findings"), number(latest["findings"]))
        b.metric(_("Structures"), number(latest["structures"]))
    with st.expander(_("Parameters")):
        st.json(latest["parameters"])
    if len(runs) > 1:
        with st.expander(_("Earlier runs")):
            st.dataframe(pd.DataFrame([{_("run"): r["run"], _("started"): stamp(r["at"]),
                                        _("findings"): r["findings"],
                                        _("structures"): r["structures"]} for r in runs[1:]]),
                         hide_index=True)


def city_chart(frame: pd.DataFrame, country: alt.Color) -> alt.Chart:
    """Bars of incidents per city, the busiest on top."""
    return alt.Chart(frame).mark_bar().encode(
        x=alt.X("incidents:Q", title=_("incidents")),
        y=alt.Y("city:N", sort="-x", title=None), color=country,
        tooltip=["city", "country", "incidents"])


if __name__ == "__main__":  # run by st.navigation as the page script
    render()
