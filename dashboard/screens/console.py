"""The Cypher console (investigators): read-only, with parameters, a time-out and a row
limit; results as a table and, when they hold nodes or relationships, as a graph."""

from __future__ import annotations

import json
import re
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import graph_view, saving, state
from dashboard.history import QueryHistory
from dashboard.text import counted, md, stamp
from graph import console
from graph.errors import GraphError
from graph.inbox import team_rules
from graph.views import Kind, SavedView
from i18n import _, number

FIRST = next(iter(console.EXAMPLES))  # in the editor when the page first opens


def _example() -> None:
    """Put the chosen example, with its parameters, in the editor (a callback: before the
    editor is drawn)."""
    name = st.session_state.get("cs_example")
    if name in console.EXAMPLES:
        query, params = console.EXAMPLES[name]
        st.session_state["cs_query"] = query
        st.session_state["cs_params"] = json.dumps(params, ensure_ascii=False)


def load_view(view: SavedView) -> None:
    st.session_state["cs_query"] = view.state.get("query", "")
    st.session_state["cs_params"] = json.dumps(view.state.get("params", {}), indent=1,
                                                ensure_ascii=False)
    st.session_state["cs_timeout"] = float(view.state.get("timeout_s", 30.0))
    st.session_state["cs_rows"] = int(view.state.get("row_limit", 1000))
    st.session_state["cs_connect"] = bool(view.state.get("connect", True))
    st.session_state["console_view"] = view


def _params(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text or "{}")
    except json.JSONDecodeError as exc:
        st.error(_("Parameters: not JSON (line {line}, column {column}: {reason}).").format(
            line=exc.lineno, column=exc.colno, reason=exc.msg))
        return None
    if not isinstance(value, dict):
        st.error(_("Parameters: a JSON object, such as {\"limit\": 25}."))
        return None
    return value


def _history(hist: QueryHistory) -> None:
    entries = hist.entries()
    if not entries:
        return
    with st.expander(_("Your history ({n})").format(n=number(len(entries)))):
        labels = [f"{stamp(e['at'])} · {' '.join(e['query'].split())[:90]}" for e in entries]
        st.selectbox(_("Earlier query"), range(len(entries)), format_func=labels.__getitem__,
                     key="cs_hist_pick")
        # a callback: the editor is drawn above, and may be changed only before it is
        st.button(_("Put in the editor"), key="cs_hist_use", on_click=_reuse, args=(entries,))


def _reuse(entries: list[dict[str, Any]]) -> None:
    """Put the history entry picked in the editor, with its parameters."""
    entry = entries[st.session_state.get("cs_hist_pick") or 0]
    st.session_state["cs_query"] = entry["query"]
    st.session_state["cs_params"] = json.dumps(entry["params"], indent=1, ensure_ascii=False)


@st.cache_data(ttl=60, show_spinner=False)
def _schema(user: str) -> console.Schema:
    """What exists, for a minute: counts only (no personal data, so no audit entry)."""
    return console.schema(state.store(), state.current())


def _insert(key: str, form: str) -> None:
    """Put the name picked in ``key`` at the end of the query, as Cypher writes it."""
    picked = st.session_state.get(key)
    if picked:
        name = picked if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", picked) else (
            "`" + picked.replace("`", "``") + "`")
        query = st.session_state.get("cs_query", "").rstrip()
        st.session_state["cs_query"] = f"{query}{' ' if query else ''}{form.format(name)}"
    st.session_state[key] = None


def _schema_browser() -> None:
    """The labels, relationship types and property keys that exist, with counts: a click
    puts one at the end of the query."""
    found = _schema(state.current().user)
    with st.sidebar:
        st.subheader(_("Schema"))
        st.caption(_("What exists in the graph, with counts. A click adds it to the query."))
        st.pills(_("Labels"), list(found.labels), key="cs_schema_label",
                 format_func=lambda k: f":{k} · {number(found.labels[k])}",
                 on_change=_insert, args=("cs_schema_label", "(:{})"))
        st.pills(_("Relationship types"), list(found.types), key="cs_schema_type",
                 format_func=lambda k: f":{k} · {number(found.types[k])}",
                 on_change=_insert, args=("cs_schema_type", "-[:{}]->"))
        with st.expander(_("Property keys ({n})").format(n=number(len(found.properties)))):
            st.pills(_("Property keys"), found.properties, key="cs_schema_key",
                     on_change=_insert, args=("cs_schema_key", ".{}"),
                     label_visibility="collapsed")


def render() -> None:
    viewer = state.current()
    store = state.store()
    hist = QueryHistory(state.settings().home, viewer.user)
    st.title(_("Cypher console"))
    st.caption(_("Read-only: the server checks every query before it runs (EXPLAIN) and runs "
               "it in a read transaction; LOAD CSV, administration and writing procedures "
               "are refused."))
    opened: SavedView | None = st.session_state.get("console_view")
    if opened is not None:
        st.caption(saving.opened_caption(opened))
    st.session_state.setdefault("cs_query", console.EXAMPLES[FIRST][0])
    st.session_state.setdefault("cs_params", json.dumps(console.EXAMPLES[FIRST][1]))
    st.session_state.setdefault("cs_timeout", 30.0)
    st.session_state.setdefault("cs_rows", 1000)
    st.session_state.setdefault("cs_connect", True)
    st.selectbox(_("Start from an example"), list(console.EXAMPLES), index=None,
                 key="cs_example", on_change=_example, placeholder=_("a question to adapt"),
                 help=_("Each puts a query and its parameters in the editor: read it, change "
                      "it, run it."))
    _schema_browser()
    query = st.text_area(_("Query"), height=160, key="cs_query")
    a, b, c = st.columns([3, 1, 1])
    params_text = a.text_area(_("Parameters (JSON)"), height=90, key="cs_params")
    timeout_s = b.number_input(_("Time-out (s)"), 1.0, console.MAX_TIMEOUT_S, key="cs_timeout")
    row_limit = c.number_input(_("Row limit"), 1, console.MAX_ROWS, key="cs_rows")
    run_col, connect_col = st.columns([1, 5], vertical_alignment="center")
    run = run_col.button(_("Run"), type="primary", key="cs_run")
    connect = connect_col.checkbox(
        _("Connect result nodes"), key="cs_connect",
        help=_("Also draw the relationships between the nodes of the result that the query "
             "did not return, as Neo4j Browser does, from the next Run on. The table shows "
             "only what the query returned."))
    params = _params(params_text)
    if params is None:
        return
    view_state = {"query": query, "params": params, "timeout_s": timeout_s,
                  "row_limit": int(row_limit), "connect": connect}
    if run:
        try:
            result = console.run(store, viewer, query, params, timeout_s=timeout_s,
                                 row_limit=int(row_limit), connect=connect)
        except (console.QueryRefused, console.QueryFailed) as exc:
            hist.add(query, params, rows=None, error=str(exc))
            st.session_state.pop("cs_result", None)
            st.error(str(exc))
        else:
            hist.add(query, params, rows=len(result.rows))
            st.session_state["cs_result"] = result
    shown: console.QueryResult | None = st.session_state.get("cs_result")
    if shown is not None:
        result = shown
        more = (" " + _("(the first {n}; there are more)").format(n=number(len(result.rows)))
                if result.truncated else "")
        st.caption(_("{rows}{more} in {ms} ms").format(
            rows=counted(len(result.rows), "row"), more=more, ms=number(result.elapsed_ms)))
        frame = pd.DataFrame([{k: json.dumps(v, default=str, ensure_ascii=False)
                               if isinstance(v, list | dict)
                               else v for k, v in row.items()} for row in result.rows],
                             columns=result.columns)
        for warning in result.warnings:  # a name that does not exist: why it came back empty
            st.warning(_("The server warns: {warning}").format(warning=md(warning)),
                       icon=":material/warning:")
        st.dataframe(frame, hide_index=True)
        for note in result.notes:
            st.caption(note)
        if result.graph.nodes:
            if result.connected:
                cut = " " + _("(the first ones: there are more)") if (
                    result.connected == console.MAX_CONNECTED) else ""
                st.caption(_("Drawn with {n} relationships between the result's nodes that "
                             "the query did not return{cut}.").format(
                    n=number(result.connected), cut=cut))
            st.iframe(graph_view.to_html(result.graph, heading="Schakel query"), height=560)
    _history(hist)
    saving.save_form(Kind.QUERY, view_state, key="cs", opened=opened)
    _rule_form(query, timeout_s)


def _rule_form(query: str, timeout_s: float) -> None:
    """Save the query in the editor as a team rule: after every delivery, the rows it did
    not give before become signals (docs/signals.md)."""
    viewer = state.current()
    with st.expander(_("Save as a team rule")):
        st.caption(_("After every delivery the query runs again (read-only, within its "
                   "time-out); each row it did not give before becomes a signal in the "
                   "inbox of the team you choose. It is checked and run once now."))
        with st.form("cs_rule", border=False):
            name = st.text_input(_("Rule name"), key="cs_rule_name", max_chars=200)
            teams = [_("(only me)"), *viewer.teams]
            team = st.selectbox(_("Signals go to"), teams, key="cs_rule_team")
            rows = st.number_input(_("At most rows a run"), 1, team_rules.MAX_ROW_CAP, 100,
                                   key="cs_rule_rows")
            if st.form_submit_button(_("Save rule")):
                try:
                    rule = team_rules.add(
                        state.store(), viewer, name=name, query=query,
                        team=None if team == teams[0] else team,
                        timeout_s=min(timeout_s, team_rules.MAX_TIMEOUT_S), row_cap=int(rows))
                except GraphError as exc:
                    st.error(str(exc))
                else:
                    st.success(_("Rule “{name}” saved: {rows} now; new ones go to "
                                 "{addressee}.").format(name=md(rule.name),
                                                        rows=counted(len(rule.seen), "row"),
                                                        addressee=md(rule.addressee)))


if __name__ == "__main__":  # run by st.navigation as the page script
    render()
