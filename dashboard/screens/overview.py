"""Overview: what the graph holds, from whom, when and where, and the latest analysis."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import state
from graph import overview


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

    left, right = st.columns(2)
    with left:
        st.subheader("By partner")
        rows = overview.by_partner(store, viewer)
        if rows:
            table = pd.DataFrame(rows).pivot_table(index="partner", columns="label",
                                                   values="n", fill_value=0)
            st.dataframe(table)
        else:
            st.info("No data loaded yet: `schakel ingest` a delivery.")
    with right:
        st.subheader("Deliveries")
        st.dataframe(pd.DataFrame(overview.deliveries(store, viewer)), hide_index=True)

    st.subheader("Incidents over time")
    months = overview.incidents_by_month(store, viewer)
    if months:
        frame = pd.DataFrame(months).pivot_table(index="month", columns="kind",
                                                 values="incidents", fill_value=0)
        st.bar_chart(frame, x_label="month", y_label="incidents")

    st.subheader("Where incidents happen")
    places = overview.incidents_by_place(store, viewer)
    if places:
        frame = pd.DataFrame(places)
        a, b = st.columns(2)
        with a:
            st.caption("Incidents per city (top 20)")
            st.bar_chart(frame.head(20), x="city", y="incidents", horizontal=True)
        with b:
            located = frame.dropna(subset=["lat", "lon"])
            st.caption("Incidents by place (longitude, latitude; no map tiles are fetched)")
            if not located.empty:
                chart = alt.Chart(located).mark_circle(opacity=0.7).encode(
                    x=alt.X("lon:Q", scale=alt.Scale(zero=False), title="longitude"),
                    y=alt.Y("lat:Q", scale=alt.Scale(zero=False), title="latitude"),
                    size=alt.Size("incidents:Q"), color=alt.Color("country:N"),
                    tooltip=["city", "country", "incidents"])
                st.altair_chart(chart.properties(height=420), width="stretch")

    st.subheader("Latest analysis run")
    runs = overview.runs(store, viewer, n=5)
    if not runs:
        st.info("No analysis run yet: `schakel analyse`.")
        return
    latest = runs[0]
    a, b, c = st.columns(3)
    a.metric("Run", latest["run"])
    b.metric("Findings", latest["findings"])
    c.metric("Structures", latest["structures"])
    st.caption(f"Started {latest['at']}")
    with st.expander("Parameters"):
        st.json(latest["parameters"])
    if len(runs) > 1:
        with st.expander("Earlier runs"):
            st.dataframe(pd.DataFrame([{k: r[k] for k in ("run", "at", "findings", "structures")}
                                       for r in runs[1:]]), hide_index=True)


if __name__ == "__main__":  # run by st.navigation as the page script
    render()
