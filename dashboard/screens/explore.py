"""Explore: find a person, incident or location, draw its neighbourhood or the shortest
paths between two nodes, filter, expand, leave nodes out, read the details and provenance
of any node, export, save as a view."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

import streamlit as st

from dashboard import canvas, graph_view, saving, state, timeline
from dashboard.text import (
    counted,
    kind_name,
    md,
    paths_summary,
    relationship_name,
    stamp,
    stamped,
    subgraph_summary,
    timeline_role,
)
from graph import explore, reviews
from graph.access import Capability
from graph.errors import GraphError
from graph.explore import OTHER_RELS, ROLE_RELS, TIE_RELS, Filters
from graph.exports import ftm, graphml, neo4j_csv
from graph.inbox import watchlist
from graph.subgraph import GraphNode, Subgraph
from graph.views import Kind, SavedView
from i18n import N_, _, number

T = TypeVar("T")
MODES: dict[str, str] = {"neighbourhood": N_("Neighbourhood"), "paths": N_("Paths between two")}
DEFAULT: dict[str, Any] = {
    "seeds": [], "hops": 2, "cap": 300, "roles": list(ROLE_RELS), "ties": list(TIE_RELS),
    "others": list(OTHER_RELS), "partners": [], "since": None, "until": None, "expanded": [],
    # refs left out of the drawing: not shown, not followed, gone around by paths
    "hidden": [],
    # paths: from seeds[0] to target, of at most `longest` relationships
    "mode": "neighbourhood", "target": None, "longest": 6,
    # where the analyst pinned nodes on the canvas: ref -> [x, y]
    "pinned": {},
}
WIDGETS = ("hops", "longest", "cap", "roles", "ties", "others", "partners", "hidden")


def load_state(new: dict[str, Any]) -> None:
    """Make ``new`` (a saved view's state, or a candidate's structure) the exploration."""
    st.session_state["explore"] = {**DEFAULT, **{k: v for k, v in new.items() if k in DEFAULT}}
    for key in (*WIDGETS, "window", "mode"):
        st.session_state.pop(f"ex_{key}", None)
    st.session_state.pop("explore_view", None)


def load_view(view: SavedView) -> None:
    load_state(view.state)
    st.session_state["explore_view"] = view


def _state() -> dict[str, Any]:
    if "explore" not in st.session_state:
        st.session_state["explore"] = dict(DEFAULT)
    return st.session_state["explore"]


def shared() -> dict[str, Any]:
    """Explore's state, which other pages share: the map reads its seeds, and the time
    window is one for both (:func:`time_window`)."""
    return _state()


WINDOW_SLIDERS = ("ex_window", "map_window")


def time_window(label: str, key: str) -> tuple[date | None, date | None]:
    """The time window's slider (``key``: this page's), on Explore's state: a change on
    one page is the other's too. ``None`` for an end the window leaves open."""
    s = _state()
    span = explore.incident_span(state.store())
    if not span or span[0] >= span[1]:
        return None, None
    first, last = span
    since = date.fromisoformat(s["since"]) if s["since"] else first
    until = date.fromisoformat(s["until"]) if s["until"] else last
    window = (max(first, min(since, last)), min(last, max(until, first)))
    lo, hi = st.slider(label, first, last, window, key=key, format="YYYY-MM-DD")
    s["since"] = None if lo == first else lo.isoformat()
    s["until"] = None if hi == last else hi.isoformat()
    for other in WINDOW_SLIDERS:  # the other page's slider starts from the state
        if other != key:
            st.session_state.pop(other, None)
    return (lo if s["since"] else None), (hi if s["until"] else None)


def _widget_default(key: str, value: Any) -> None:
    if f"ex_{key}" not in st.session_state:
        st.session_state[f"ex_{key}"] = value


def _filters(s: dict[str, Any], partners: list[str]) -> None:
    """The sidebar: how far, how many, which links, whose data, when."""
    with st.sidebar:
        st.subheader(_("What to show"))
        for key in WIDGETS:
            _widget_default(key, s[key])
        if s["mode"] == "paths":
            s["longest"] = st.slider(_("Longest path (relationships)"), 1, explore.MAX_PATH_LENGTH,
                                     key="ex_longest",
                                     help=_("Only the shortest paths are drawn; this is how far "
                                          "to look for them."))
        else:
            s["hops"] = st.slider(_("Hops"), 1, explore.MAX_HOPS, key="ex_hops")
        s["cap"] = int(st.number_input(_("At most this many nodes"), 20, explore.MAX_CAP, step=50,
                                       key="ex_cap"))
        s["roles"] = st.multiselect(_("Involvement roles"), list(ROLE_RELS), key="ex_roles",
                                    format_func=relationship_name)
        s["ties"] = st.multiselect(_("Known ties"), list(TIE_RELS), key="ex_ties",
                                   format_func=relationship_name)
        s["others"] = st.multiselect(_("Places, signals, identifiers, aliases"), list(OTHER_RELS),
                                     key="ex_others", format_func=relationship_name)
        st.session_state["ex_partners"] = [p for p in st.session_state["ex_partners"]
                                           if p in partners]
        s["partners"] = st.multiselect(_("Partners (none chosen: all)"), partners,
                                       key="ex_partners")
        time_window(_("Time window (incidents and signals)"), "ex_window")
        if s["hidden"]:
            named = st.session_state.get("ex_hidden_as", {})
            s["hidden"] = st.multiselect(
                _("Left out (remove one to bring it back)"), list(s["hidden"]), key="ex_hidden",
                format_func=lambda r: named.get(r, r),
                help=_("Nodes left out are not drawn, their links are not followed, and paths "
                     "go around them."))


def _search(s: dict[str, Any]) -> None:
    viewer = state.current()
    a, b = st.columns([3, 2])
    with a:
        text = st.text_input(_("Find a person by codename or ref, or an incident, location, "
                             "signal or identifier by ref"), key="ex_search",
                             placeholder=_("a codename (Blauwe Reiger 17), the start of a ref, "
                                         "or part of a place's name or city"))
    found = explore.search(state.store(), viewer, text) if text else []
    with b:
        if text and not found:
            st.info(_("Nothing with a codename or ref that starts so, nor a place of that "
                    "name or city."))
        if found:
            labels = {n.ref: f"{kind_name(n.kind)} · {n.ref} · {n.caption}" for n in found}
            st.selectbox(_("Matches"), list(labels), format_func=labels.__getitem__, key="ex_pick")
            c, d = st.columns(2)
            if s["mode"] == "paths":
                c.button(_("From here"), key="ex_from", help=_("Paths start here"),
                         on_click=_picked, args=("from",))
                d.button(_("To here"), key="ex_to", help=_("Paths end here"),
                         on_click=_picked, args=("to",))
            else:
                c.button(_("Show"), key="ex_show", help=_("Start a new exploration here"),
                         on_click=_picked, args=("show",))
                d.button(_("Add"), key="ex_add", help=_("Add to what is shown"),
                         on_click=_picked, args=("add",))


def _picked(action: str) -> None:
    """What a button beside the matches does with the match picked. A callback, so that
    the page drawn after the click already shows it (a saved view no longer named once
    something else is shown)."""
    s = _state()
    pick = st.session_state["ex_pick"]
    fresh = action in ("show", "from")  # a new exploration
    if fresh:
        s.update(seeds=[pick], expanded=[])
        st.session_state.pop("explore_view", None)
    elif action == "add" and pick not in s["seeds"]:
        s["seeds"] = [*s["seeds"], pick]
    elif action == "to":
        s.update(target=pick, expanded=[])
    # nothing left out in a new exploration; a node chosen to start or end at is drawn again
    _set_hidden(s, [] if fresh else [r for r in s["hidden"] if r != pick])


def _set_hidden(s: dict[str, Any], refs: list[str]) -> None:
    """Change what is left out, and the sidebar's list of it with it."""
    s["hidden"] = refs
    st.session_state["ex_hidden"] = list(refs)


def _leave_out(ref: str, label: str) -> None:
    """Leave the node with ``ref`` out; the sidebar names it by ``label`` this session (a
    saved view keeps only refs)."""
    st.session_state.setdefault("ex_hidden_as", {})[ref] = label
    s = _state()
    _set_hidden(s, [*s["hidden"], ref])
    s["expanded"] = [r for r in s["expanded"] if r != ref]


def _paths_to(ref: str) -> None:
    """From a neighbourhood, the paths from its first seed to the node in the details."""
    _state().update(mode="paths", seeds=_state()["seeds"][:1], target=ref, expanded=[])
    st.session_state["ex_mode"] = "paths"


def _node_label(n: GraphNode) -> str:
    flag = f"#{n.flagged[0]} " if n.flagged else ""
    if n.flagged and graph_view.explained(n):
        flag += _("explained") + " · "
    return f"{flag}{kind_name(n.kind)} · {n.ref} · {n.caption}"


def _details(sub: Subgraph) -> None:
    viewer = state.current()
    ordered = sorted(sub.nodes.values(), key=lambda n: (
        n.flagged is None, n.flagged[0] if n.flagged else 0, n.hop, n.kind, n.ref))
    labels = {n.id: _node_label(n) for n in ordered}
    node_id = st.selectbox(_("Details of"), list(labels), format_func=labels.__getitem__,
                           key="ex_detail")
    if node_id is None:
        return
    s = _state()
    window = _filters_of(s)
    info = explore.details(state.store(), viewer, node_id, window.since, window.until)
    if info is None:
        st.warning(_("That node is no longer in the graph."))
        return
    ref = info["props"].get("ref")
    seeds = s["seeds"]
    chosen = [*seeds[:1], s["target"]] if sub.layered else seeds
    a, b = st.columns(2)
    if ref and ref not in chosen:
        node = sub.nodes[node_id]
        a.button(_("Leave out"), key="ex_leave_out", on_click=_leave_out,
                 args=(ref, f"{kind_name(node.kind)} · {node.caption}"),
                 help=_("Take this node out of the drawing: its links are no longer followed, "
                      "and paths go around it. The sidebar lists what is left out."))
    if not sub.layered and seeds and ref and ref != seeds[0]:
        b.button(_("Paths from the start to here"), key="ex_path_here", on_click=_paths_to,
                 args=(ref,), help=_("The shortest paths from the first starting point to "
                                   "this node, on their own"))
    _watch_button(info, ref)
    st.caption(_("{kind} · labels {labels}").format(kind=md(info["kind"]),
                                                     labels=md(", ".join(info["labels"]))))
    props = {k: (", ".join(map(str, v)) if isinstance(v, list) else str(v))
             for k, v in sorted(info["props"].items())}
    st.dataframe([{"property": k, "value": v} for k, v in props.items()], hide_index=True)
    st.markdown(_("**Provenance**"))
    if info["deliveries"]:
        st.dataframe(stamped(info["deliveries"], "extracted_at", "loaded_at"), hide_index=True,
                     column_order=("partner", "partner_kind", "ref", "extracted_at", "loaded_at"))
    else:
        st.caption(_("No delivery recorded."))
    if info["declared"]:
        st.markdown(_("**Declared by partners**"))
        st.caption(_("A partner declared this person one of its professionals, or a foster "
                   "parent (exchange format 1.1): the analysis weighs it as counter-evidence."))
        st.dataframe(info["declared"], hide_index=True,
                     column_order=("partner", "role", "since", "until"))
    if info["timeline"]:
        _timeline(info["timeline"], window)
    if info["links"]:
        st.markdown(_("**Relationships**"))
        st.dataframe([{_("relationship"): relationship_name(k), _("count"): v}
                      for k, v in info["links"].items()], hide_index=True)
    if info["findings"]:
        st.markdown(_("**Findings**"))
        st.dataframe(info["findings"], hide_index=True)
        if ref and viewer.can(Capability.REVIEW):
            decided = reviews.of_persons(state.store(), viewer, [ref]).get(ref)
            if decided:
                last = decided[0]
                st.caption(_("Decision: {decision} — {by}, {at} (on the Candidates "
                             "page)").format(decision=md(last.label), by=md(last.by),
                                             at=stamp(last.at)))


# What a node's kind is watched as (graph/inbox/watchlist.py).
WATCHABLE: dict[str, watchlist.Target] = {"adult": watchlist.Target.PERSON,
                                          "minor": watchlist.Target.PERSON,
                                          "location": watchlist.Target.PLACE}


def _watch_button(info: dict[str, Any], ref: str | None) -> None:
    """Watch a person (with its aliases) or a place: new records of it come to the inbox."""
    target = WATCHABLE.get(str(info["kind"]).lower())
    if target is None or not ref:
        return
    if st.button(_("Watch"), key="ex_watch", icon=":material/visibility:",
                 help=_("New records of this in later deliveries come to your inbox")):
        try:
            found = watchlist.add(state.store(), state.current(), target, ref)
        except GraphError as exc:
            st.error(str(exc))
        else:
            st.success(_("Watching {what}: new records come to your inbox.").format(
                what=md(found.describe())))


def _timeline(events: list[dict[str, Any]], window: Filters) -> None:
    """A person's events; with a time window set, those in it (a checkbox shows all)."""
    st.markdown(_("**Timeline**"))
    inside = [e for e in events if e["in_window"]]
    if window.since or window.until:
        span = (_("{since} to {until}").format(since=window.since, until=window.until)
                if window.since and window.until
                else _("from {since}").format(since=window.since) if window.since
                else _("until {until}").format(until=window.until))
        every = st.checkbox(_("All events, also outside the time window"), key="ex_tl_all")
        st.caption(_("{inside} of {events} events in the time window ({span})").format(
            inside=number(len(inside)), events=number(len(events)), span=span)
                   + (_("; the others have *in window* unticked.") if every else
                      _("; tick the box to see the others.")))
        if not every:
            events = inside
    if events:
        shown = [{**e, "role": timeline_role(e["role"], e.get("until"))} for e in events]
        headers = {"when": _("when"), "what": _("what"), "role": _("role"),
                   "place": _("where"), "partners": _("partner")}
        st.dataframe(stamped(shown, "when"), hide_index=True,
                     column_order=("when", "what", "role", "place", "partners", "ref",
                                   *(("in_window",) if len(inside) < len(events) else ())),
                     column_config={"in_window": st.column_config.CheckboxColumn(_("in window")),
                                    **{key: st.column_config.Column(label)
                                       for key, label in headers.items()}})


def _expand(s: dict[str, Any], sub: Subgraph) -> None:
    # a neighbourhood draws its seeds' links already; a path draws only the links on it
    drawn = () if sub.layered else s["seeds"]
    choices = {n.ref: _node_label(n) for n in sorted(sub.nodes.values(),
                                                     key=lambda n: (n.hop, n.kind, n.ref))
               if n.ref and n.ref not in drawn and n.ref not in s["expanded"]}
    if not choices:
        return
    pick = st.selectbox(_("Expand a node (adds its direct links)"), list(choices),
                        format_func=choices.__getitem__, key="ex_expand_pick")
    a, b = st.columns(2)
    if a.button(_("Expand"), key="ex_expand"):
        s["expanded"] = [*s["expanded"], pick]
        st.rerun()
    if s["expanded"] and b.button(_("Collapse all ({n})").format(n=len(s["expanded"])),
                                  key="ex_collapse"):
        s["expanded"] = []
        st.rerun()


def _exported(sub: Subgraph, fmt: str, make: Callable[[], T]) -> Callable[[], T]:
    """The file of a download button, made when the user asks for it (not at every run of
    the page: a drawing of a thousand nodes is megabytes of exports) and logged as it is
    made, so every file that leaves is in the audit log (who took which view out, and why),
    however the browser asked for it."""
    store, viewer = state.store(), state.current()

    def made() -> T:
        explore.record_export(store, viewer, sub, fmt)
        return make()
    return made


def _exports(sub: Subgraph, heading: str) -> None:
    """Download buttons for the drawing, each file made and logged on its click."""
    # Two to a row: four in half the page cut "HTML (offline)" and "Relationships CSV".
    a, b = st.columns(2)
    c, d = st.columns(2)
    e, f = st.columns(2)
    a.download_button(_("HTML (offline)"), _exported(
        sub, "html", lambda: graph_view.to_html(sub, heading=heading)), "schakel-view.html",
        "text/html", key="ex_dl_html", on_click="ignore")
    b.download_button(_("GraphML"), _exported(sub, "graphml", lambda: graphml.to_graphml(sub)),
                      "schakel-view.graphml", "application/graphml+xml", key="ex_dl_graphml",
                      on_click="ignore")
    c.download_button(_("Nodes CSV"), _exported(
        sub, "nodes_csv", lambda: graph_view.to_csv(sub)[0]), "schakel-nodes.csv", "text/csv",
        key="ex_dl_nodes", on_click="ignore")
    d.download_button(_("Relationships CSV"), _exported(
        sub, "relationships_csv", lambda: graph_view.to_csv(sub)[1]),
        "schakel-relationships.csv", "text/csv", key="ex_dl_edges", on_click="ignore")
    e.download_button(_("FollowTheMoney (Aleph)"), _exported(
        sub, "ftm", lambda: ftm.to_lines(sub)), "schakel-view.ftm.json",
        "application/json", key="ex_dl_ftm", on_click="ignore",
        help=_("Entities of the FollowTheMoney model, one per line, for Aleph or OpenAleph"))
    f.download_button(_("Neo4j import (CSV set)"), _exported(
        sub, "neo4j_csv", lambda: neo4j_csv.to_zip(sub)), "schakel-neo4j-import.zip",
        "application/zip", key="ex_dl_neo4j", on_click="ignore",
        help=_("CSV files for neo4j-admin database import, with the command in IMPORT.txt"))


def _ref(ref: str) -> str:
    """A ref as a code span, cut to 16 characters (only a backtick could end the span)."""
    shown = ref[:16].replace("`", "'")
    return f"`{shown}{'…' if len(ref) > 16 else ''}`"


def _mode_changed() -> None:
    """Expanded nodes belong to the drawing they were expanded in."""
    s = _state()
    s.update(mode=st.session_state["ex_mode"], expanded=[])


def _filters_of(s: dict[str, Any]) -> Filters:
    return Filters(types=tuple(s["roles"] + s["ties"] + s["others"]),
                   partners=tuple(s["partners"]) or None,
                   since=date.fromisoformat(s["since"]) if s["since"] else None,
                   until=date.fromisoformat(s["until"]) if s["until"] else None)


def _heading(s: dict[str, Any], text: str, detail: str, **clear: Any) -> None:
    """What is drawn, with how many nodes were expanded, and *Clear*, which empties the
    exploration (``clear``: the state it sets) and leaves any saved view."""
    a, b = st.columns([5, 1])
    a.markdown(text + (_(", expanded {n}").format(n=len(s["expanded"])) if s["expanded"] else "")
               + (_(", {n} left out").format(n=len(s["hidden"])) if s["hidden"] else ""),
               help=detail)
    # a callback: it empties the sidebar's list of what is left out before that is drawn
    b.button(_("Clear"), key="ex_clear", on_click=_clear, kwargs=clear)


def _clear(**clear: Any) -> None:
    s = _state()
    _set_hidden(s, [])
    s.update(expanded=[], **clear)
    st.session_state.pop("explore_view", None)


def _neighbourhood(s: dict[str, Any]) -> Subgraph | None:
    if not s["seeds"]:
        st.info(_("Find something by its ref, or open a candidate from the Candidates page."))
        return None
    more = (" " + _("and {n} more").format(n=len(s["seeds"]) - 1)) if len(s["seeds"]) > 1 else ""
    _heading(s, _("Starting from {ref}{more}, {hops}").format(
                 ref=_ref(s["seeds"][0]), more=more, hops=counted(s["hops"], "hop")),
             _("Starting points: {refs}").format(refs=", ".join(md(r) for r in s["seeds"])),
             seeds=[])
    sub = _read(s, lambda: explore.neighbourhood(
        state.store(), state.current(), s["seeds"], hops=s["hops"], filters=_filters_of(s),
        cap=s["cap"], expanded=s["expanded"], hidden=s["hidden"]))
    message = subgraph_summary(sub)
    if sub.truncated:
        st.warning(message.capitalize() + ". " + _("Narrow the filters, lower the hops or "
                                                   "raise the cap to see more."))
    else:
        st.caption(message.capitalize())
    return sub


def _paths(s: dict[str, Any]) -> Subgraph | None:
    source = s["seeds"][0] if s["seeds"] else None
    target = s["target"]
    if source is None or target is None:
        chosen = (_("From {ref}.").format(ref=_ref(source)) + " " if source else "") + (
            _("To {ref}.").format(ref=_ref(target)) + " " if target else "")
        st.info(chosen + _("Find each end by its ref, then choose *From here* and *To here*: "
                           "the shortest paths between the two are drawn, over the links the "
                           "sidebar allows."))
        return None
    _heading(s, _("Paths from {source} to {target}, at most {length}").format(
                 source=_ref(source), target=_ref(target),
                 length=counted(s["longest"], "relationship")),
             _("From {source} to {target}").format(source=md(source), target=md(target)),
             seeds=[], target=None)
    found = _read(s, lambda: explore.paths(
        state.store(), state.current(), source, target, longest=s["longest"],
        filters=_filters_of(s), cap=s["cap"], expanded=s["expanded"], hidden=s["hidden"]))
    if not found.sub.nodes:
        hint = (" " + _("Raise *Longest path* or allow more relationships in the sidebar.")
                if found.length is None and not found.timed_out and not found.missing else "")
        st.warning(paths_summary(found) + hint)
        return None
    if found.drawn < found.found:
        st.warning(paths_summary(found) + ". " + _("Raise the cap or narrow the filters to see "
                                                   "more."))
    elif found.more:
        st.warning(paths_summary(found) + ". " + _("Only the first {n} are drawn: narrow the "
                                                   "filters to see others.").format(
            n=explore.MAX_PATHS))
    else:
        st.caption(paths_summary(found))
    return found.sub


def render() -> None:
    viewer = state.current()
    store = state.store()
    s = _state()
    st.title(_("Explore"))
    opened: SavedView | None = st.session_state.get("explore_view")
    if opened is not None:
        st.caption(saving.opened_caption(opened))
    _widget_default("mode", s["mode"])
    st.radio(_("Draw"), list(MODES), format_func=lambda m: _(MODES[m]), horizontal=True,
             key="ex_mode", on_change=_mode_changed, label_visibility="collapsed")
    _filters(s, explore.partners(store, viewer))
    _search(s)
    st.session_state.pop("ex_sub", None)  # a page run reads the graph afresh; a click need not
    _workspace()
    saving.save_form(Kind.EXPLORE, dict(s), key="ex", opened=opened)


def _read(s: dict[str, Any], read: Callable[[], T]) -> T:
    """What ``read`` gives for the exploration ``s``: read once per page run and per change
    of what to draw, not again for a click on the canvas (that read is in the audit log
    already, and the click's details come in half a second)."""
    wanted = json.dumps({k: s[k] for k in DEFAULT if k != "pinned"}, sort_keys=True,
                        default=str)
    kept = st.session_state.get("ex_sub")
    if kept is not None and kept[0] == wanted:
        return kept[1]  # type: ignore[no-any-return]
    value = read()
    st.session_state["ex_sub"] = (wanted, value)
    return value


CANVAS_KEY = "ex_canvas"


@st.fragment
def _workspace() -> None:
    """The canvas and what goes with it: the details beside it, the timeline beneath.
    A click on the canvas runs this part of the page again, not the whole page."""
    s = _state()
    # What the analyst did on the canvas is done before the drawing is read, so this run
    # draws its outcome: an expansion costs one run of the fragment, not two.
    event = canvas.new_event(st.session_state.get(CANVAS_KEY), CANVAS_KEY)
    shown: Subgraph | None = st.session_state.get("ex_drawn")
    if event and shown is not None:
        _on_canvas(event, s, shown)
    state.keep("explore", s)  # a reload, a new tab or a link of this session draws it again
    sub = _paths(s) if s["mode"] == "paths" else _neighbourhood(s)
    if sub is None:
        return
    st.session_state["ex_drawn"] = sub
    wide = st.toggle(_("Full width"), key="ex_wide",
                     help=_("The drawing across the whole page, the details beneath it. "
                            "The drawing's own button makes it full screen."))
    if wide:
        graph_col = st.container()
        side = st.container()
    else:
        graph_col, side = st.columns([3, 2])
    with graph_col:
        event = canvas.new_event(canvas.draw(
            sub, key=CANVAS_KEY, pinned=s["pinned"], fixed=_chosen(s),
            can_undo=bool(s["expanded"]),
            paths_from=s["seeds"][0] if s["seeds"] and not sub.layered else None,
            selected=st.session_state.get("ex_selected", []),
            height=720 if wide else 620), CANVAS_KEY)
        if event:  # (one the start of this run did not see)
            _on_canvas(event, s, sub)
            st.rerun(scope="fragment")
        st.caption(_("Click a node for its details; double-click to expand it; right-click "
                     "(or Enter) for the menu: expand, leave out, pin, paths. Ctrl-click "
                     "selects several. Shapes and colours: the legend under the drawing."))
    with side:
        _selection(s, sub)
        _details(sub)
    _graph_timeline(sub)
    # What is folded away is made only when it is opened: an expansion's run stays short.
    more = st.expander(_("More: expand from a list, export"), key="ex_more", on_change="rerun")
    if more.open:
        with more:
            _expand(s, sub)
            st.markdown(_("**Export this view**"))
            _exports(sub, "Schakel view")
    # the drawing as text, for who cannot see it
    table = st.expander(_("The graph as a table"), key="ex_table", on_change="rerun")
    if table.open:
        with table:
            nodes, edges = graph_view.table(sub)
            st.dataframe(nodes, hide_index=True)
            st.dataframe(edges, hide_index=True)


def _chosen(s: dict[str, Any]) -> set[str]:
    """The refs the user chose to start (or end) at: drawn always, never left out."""
    return set(s["seeds"]) | ({s["target"]} if s["target"] else set())


def _on_canvas(event: dict[str, Any], s: dict[str, Any], sub: Subgraph) -> None:
    """Do what the analyst did on the canvas drawing ``sub``: the caller draws it."""
    ids = [i for i in event["ids"] if i in sub.nodes]
    refs = [sub.nodes[i].ref for i in ids if sub.nodes[i].ref]
    action = event["action"]
    if action == "select":
        st.session_state["ex_selected"] = ids
        if len(ids) == 1:
            st.session_state["ex_detail"] = ids[0]
        return
    if action == "expand":
        drawn = () if sub.layered else s["seeds"]
        new = [r for r in refs if r not in drawn and r not in s["expanded"]]
        if not new:
            st.toast(_("Already expanded: its direct links are drawn."))
            return
        s["expanded"] = [*s["expanded"], *new]
        st.session_state.setdefault("ex_undo", []).append(new)
    elif action == "undo":
        batches = st.session_state.get("ex_undo") or ([[s["expanded"][-1]]] if s["expanded"]
                                                     else [])
        if not batches:
            return
        last = set(batches.pop())
        s["expanded"] = [r for r in s["expanded"] if r not in last]
    elif action in ("pin", "unpin"):
        positions = event.get("positions") or {}
        pinned = dict(s["pinned"])
        for i in ids:
            ref, at = sub.nodes[i].ref, positions.get(i)
            if action == "unpin":
                pinned.pop(ref, None)
            elif isinstance(at, dict) and isinstance(at.get("x"), int | float):
                pinned[ref] = [float(at["x"]), float(at["y"])]
        s["pinned"] = pinned
    elif action == "hide":
        chosen = _chosen(s)
        for i in ids:
            node = sub.nodes[i]
            if node.ref and node.ref not in chosen:
                _leave_out(node.ref, f"{kind_name(node.kind)} · {node.caption}")
        st.rerun()  # the sidebar lists what is left out
    elif action == "paths" and refs:
        _paths_to(refs[0])
        st.rerun()  # another kind of drawing, another heading


def _selection(s: dict[str, Any], sub: Subgraph) -> None:
    """Several nodes selected on the canvas: act on them together."""
    chosen = [i for i in st.session_state.get("ex_selected", []) if i in sub.nodes]
    if len(chosen) < 2:
        return
    names = ", ".join(sub.nodes[i].caption for i in chosen[:6]) + (" …" if len(chosen) > 6
                                                                     else "")
    st.markdown(_("**{n} selected**: {names}").format(n=len(chosen), names=md(names)))
    a, b = st.columns(2)
    for column, action, label in ((a, "expand", _("Expand all")),
                                  (b, "hide", _("Leave out all"))):
        if column.button(label, key=f"ex_sel_{action}"):
            _on_canvas({"action": action, "ids": chosen}, s, sub)
            st.rerun(scope="fragment")


def _graph_timeline(sub: Subgraph) -> None:
    """Incidents, signals and stays of what is drawn along a time axis; brushing a span
    narrows the drawing to it (the time window, shared with the map)."""
    events = timeline.of_subgraph(sub)
    if not events:
        return
    with st.expander(_("Timeline of the drawing ({n} events)").format(n=number(len(events))),
                     expanded=True):
        chosen = st.altair_chart(timeline.chart(events), key="ex_timeline",
                                 on_select="rerun", selection_mode=timeline.BRUSH,
                                 width="stretch")
        span = timeline.brushed(chosen)
        st.caption(_("Drag across the axis to narrow the drawing to that time; the time "
                     "window in the sidebar shows it and widens it again."))
        if span is not None:
            s = _state()
            since, until = span
            if (s["since"], s["until"]) != (since.isoformat(), until.isoformat()):
                s["since"], s["until"] = since.isoformat(), until.isoformat()
                for key in WINDOW_SLIDERS:
                    st.session_state.pop(key, None)
                st.rerun()


if __name__ == "__main__":  # run by st.navigation as the page script
    render()
