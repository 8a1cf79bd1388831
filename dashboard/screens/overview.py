"""Overview: what the graph holds, from whom, when and where, and the latest analysis."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import state
from dashboard.text import stamp, stamped
from graph import overview

# Circles on the places chart: areas in square pixels, the fewest incidents to the most,
# and room in pixels kept around the outermost ones.
CIRCLE_AREA = (60, 900)
PAD = 24
# The deliveries table's headings, for the names graph.overview.deliveries gives.
DELIVERY_HEADINGS = {"extracted_at": "extracted", "loaded_at": "loaded",
                     "rows_loaded": "rows loaded", "rows_rejected": "rows rejected"}
# Under a chart with nothing to draw (a care partner that records no incidents).
NO_INCIDENTS = "No incidents among the records you may see."


def render() -> None:
    viewer = state.current()
    store = state.store()
    st.title("Overview")
    counts = overview.counts(store, viewer)
    cols = st.columns(6)
    for col, (label, title) in zip(cols, [
            ("Person", "Persons"), ("Minor", "Minors"), ("Incident", "Incidents"),
            ("Signal", "Signals"), ("Location", "Locations"), ("Delivery", "Deliveries")],
            strict=True):
        col.metric(title, f"{counts.get(label, 0):,}")
    with st.expander("Nodes by label"):
        st.dataframe(pd.DataFrame(sorted(counts.items()), columns=["label", "nodes"]),
                     hide_index=True)

    st.subheader("By partner")
    rows = overview.by_partner(store, viewer)
    if rows:
        table = pd.DataFrame(rows).pivot_table(index="partner", columns="label",
                                               values="n", fill_value=0)
        st.dataframe(table)
    else:
        st.info("No data loaded yet: `schakel ingest` a delivery.")
    st.subheader("Deliveries")
    # The whole width: eight columns, of which the times are what one checks.
    deliveries = pd.DataFrame(stamped(overview.deliveries(store, viewer),
                                      "extracted_at", "loaded_at"))
    st.dataframe(deliveries.rename(columns=DELIVERY_HEADINGS), hide_index=True)

    st.subheader("Incidents over time")
    months = overview.incidents_by_month(store, viewer)
    if months:
        frame = pd.DataFrame(months).pivot_table(index="month", columns="kind",
                                                 values="incidents", fill_value=0)
        st.bar_chart(frame, x_label="month", y_label="incidents")
    else:
        st.caption(NO_INCIDENTS)

    st.subheader("Where incidents happen")
    places = overview.incidents_by_place(store, viewer)
    if places:
        frame = pd.DataFrame(places)
        # One colour per country in both charts: the places abroad are what an itinerant
        # network shows up in, so they must be as easy to find as the busiest city.
        country = alt.Color("country:N", title="country")
        a, b = st.columns(2)
        with a:
            st.caption("Incidents per city (top 20)")
            st.altair_chart(city_chart(frame.head(20), country), width="stretch")
        with b:
            located = frame.dropna(subset=["lat", "lon"])
            st.caption("Incidents by place (longitude, latitude; no map tiles are fetched)")
            if not located.empty:
                st.altair_chart(place_chart(located, country), width="stretch")
    else:
        st.caption(NO_INCIDENTS)

    st.subheader("Latest analysis run")
    runs = overview.runs(store, viewer, n=5)
    if not runs:
        st.info("No analysis run yet: `schakel analyse`.")
        return
    latest = runs[0]
    # The run id in full, as text: as a metric it was cut off after 14 characters.
    st.markdown(f"Run `{latest['run']}`, started {stamp(latest['at'])}")
    a, b = st.columns(2)
    if viewer.only_partner:  # what was shared with them, not what the run found
        a.metric("Findings shared with your team", f"{latest['findings']:,}")
    else:
        a.metric("Findings", f"{latest['findings']:,}")
        b.metric("Structures", f"{latest['structures']:,}")
    with st.expander("Parameters"):
        st.json(latest["parameters"])
    if len(runs) > 1:
        with st.expander("Earlier runs"):
            st.dataframe(pd.DataFrame([{"run": r["run"], "started": stamp(r["at"]),
                                        "findings": r["findings"],
                                        "structures": r["structures"]} for r in runs[1:]]),
                         hide_index=True)


def city_chart(frame: pd.DataFrame, country: alt.Color) -> alt.Chart:
    """Bars of incidents per city, the busiest on top."""
    return alt.Chart(frame).mark_bar().encode(
        x=alt.X("incidents:Q", title="incidents"),
        y=alt.Y("city:N", sort="-x", title=None), color=country,
        tooltip=["city", "country", "incidents"])


def place_chart(frame: pd.DataFrame, country: alt.Color) -> alt.Chart:
    """Circles at each place's longitude and latitude, sized by its incidents.

    The smallest circle is still plain to see (with Altair's default scale, the demo's
    cities abroad were dots two or three pixels across), and the axes leave room around
    the outermost places, which sat cut in half on the plot's edge.
    """
    return alt.Chart(frame).mark_circle(opacity=0.7).encode(
        x=alt.X("lon:Q", scale=alt.Scale(zero=False, padding=PAD), title="longitude"),
        y=alt.Y("lat:Q", scale=alt.Scale(zero=False, padding=PAD), title="latitude"),
        size=alt.Size("incidents:Q", scale=alt.Scale(range=list(CIRCLE_AREA)),
                      title="incidents"),
        color=country, tooltip=["city", "country", "incidents"]).properties(height=420)


if __name__ == "__main__":  # run by st.navigation as the page script
    render()
