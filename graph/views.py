"""Saved views: an exploration or a console query, with its parameters, kept in versions.

Each save is a new ``SavedView`` node (``ref`` = ``<view id>@<version>``); nothing is
ever overwritten, so every earlier version can be opened. Only the owner saves new
versions, renames or deletes; who may open a view is its visibility: ``private`` (the
owner), ``team`` (members of the teams it was shared with) or ``everyone``. A view
that exists but may not be seen answers exactly like one that does not exist.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, LiteralString

from neo4j.exceptions import ConstraintError

from graph.access import Capability, Viewer
from graph.errors import GraphError
from graph.store import Store, plain


class Visibility(StrEnum):
    PRIVATE = "private"
    TEAM = "team"
    EVERYONE = "everyone"


class Kind(StrEnum):
    EXPLORE = "explore"
    QUERY = "query"


class ViewNotFound(GraphError):
    """No such view (or version) that this user may see."""

    def __init__(self, view_id: str, version: int | None = None) -> None:
        which = f"{view_id} version {version}" if version else view_id
        super().__init__(f"no saved view {which} that you may open")
        self.view_id = view_id
        self.version = version


class ViewRefused(GraphError):
    """The change is not allowed (not the owner, a bad name, a team the owner is not in)."""


@dataclass(frozen=True)
class SavedView:
    id: str
    version: int
    versions: int
    name: str
    description: str
    kind: Kind
    state: dict[str, Any]
    owner: str
    visibility: Visibility
    teams: tuple[str, ...]
    saved_at: str
    withdrawn: str | None = None  # a record it names was since withdrawn (graph/withdrawal.py)

    def link(self, *, pinned: bool = False) -> str:
        """The share link's query string: never more than the view's id and version."""
        return f"?view={self.id}" + (f"&version={self.version}" if pinned else "")


_SAVE_ATTEMPTS = 10
_VISIBLE = ("(v.owner = $user OR v.visibility = 'everyone' "
            "OR (v.visibility = 'team' AND any(t IN v.teams WHERE t IN $teams)))")
SAVE: LiteralString = (
    "OPTIONAL MATCH (old:SavedView {view_id: $id}) "
    "WITH max(old.version) AS last, collect(old.owner)[0] AS owner "
    "WHERE owner IS NULL OR owner = $user "
    "WITH coalesce(last, 0) + 1 AS version "
    "CREATE (v:SavedView {ref: $id + '@' + toString(version)}) "
    "SET v += $props, v.view_id = $id, v.version = version, v.owner = $user, "
    "v.saved_at = datetime(), v.partners = [], v.deliveries = [] "
    "RETURN v.version AS version")
LATEST: LiteralString = (
    "MATCH (v:SavedView) WHERE " + _VISIBLE + " "
    "WITH v.view_id AS id, max(v.version) AS version, count(v) AS versions "
    "MATCH (v:SavedView {view_id: id, version: version}) "
    "RETURN properties(v) AS v, versions ORDER BY v.saved_at DESC")
OPEN: LiteralString = (
    "MATCH (v:SavedView {view_id: $id}) WHERE " + _VISIBLE + " "
    "WITH collect(v) AS found "
    "WITH size(found) AS versions, reduce(best = null, x IN found | CASE "
    "WHEN $version IS NOT NULL AND x.version <> $version THEN best "
    "WHEN best IS NULL OR x.version > best.version THEN x ELSE best END) AS v "
    "WHERE v IS NOT NULL RETURN properties(v) AS v, versions")
HISTORY: LiteralString = (
    "MATCH (v:SavedView {view_id: $id}) WHERE " + _VISIBLE + " "
    "RETURN properties(v) AS v ORDER BY v.version DESC")
DELETE: LiteralString = (
    "MATCH (v:SavedView {view_id: $id, owner: $user}) DETACH DELETE v RETURN count(*) AS n")


def _props(name: str, description: str, kind: Kind, state: dict[str, Any],
           visibility: Visibility, teams: tuple[str, ...]) -> dict[str, Any]:
    return {"name": name, "description": description, "kind": kind.value,
            "state": json.dumps(state, sort_keys=True, default=str),
            "visibility": visibility.value, "teams": list(teams)}


def _view(props: dict[str, Any], versions: int) -> SavedView:
    p = plain(props)
    return SavedView(p["view_id"], p["version"], versions, p["name"], p.get("description", ""),
                     Kind(p["kind"]), json.loads(p["state"]), p["owner"],
                     Visibility(p["visibility"]), tuple(p.get("teams") or ()), p["saved_at"],
                     p.get("withdrawn"))


def _who(viewer: Viewer) -> dict[str, Any]:
    return {"user": viewer.user, "teams": list(viewer.teams)}


def save(store: Store, viewer: Viewer, *, name: str, kind: Kind, state: dict[str, Any],
         description: str = "", visibility: Visibility = Visibility.PRIVATE,
         teams: tuple[str, ...] | None = None, view_id: str | None = None) -> SavedView:
    """Save a new view, or (with ``view_id``) a new version of one's own view."""
    viewer.require(Capability.EXPLORE)
    name = name.strip()
    if not name or len(name) > 200:
        raise ViewRefused("a view needs a name of 1 to 200 characters")
    if len(description) > 5000:
        raise ViewRefused("a description is at most 5,000 characters")
    teams = tuple(viewer.teams) if teams is None else tuple(teams)
    if not set(teams) <= set(viewer.teams):
        raise ViewRefused("a view can only be shared with teams you are a member of")
    if visibility is Visibility.TEAM and not teams:
        raise ViewRefused("choose at least one team to share the view with")
    if view_id is not None and open_view(store, viewer, view_id).owner != viewer.user:
        raise ViewRefused("only the owner saves new versions of a view; save it as a new view")
    props = _props(name, description, kind, state, visibility, teams)
    view_id = view_id or secrets.token_urlsafe(9)
    for attempt in range(_SAVE_ATTEMPTS):
        try:
            rows = store.run(SAVE, {"id": view_id, "props": props, **_who(viewer)})
        except ConstraintError:
            # Two saves at once took the same version number; the unique ref refused the
            # later one. A short, random wait keeps the same two from clashing again.
            time.sleep(secrets.randbelow(10 * (attempt + 1)) / 1000)
            continue
        if not rows:  # deleted, or taken over, between the check and the save
            raise ViewNotFound(view_id)
        return open_view(store, viewer, view_id, rows[0]["version"])
    raise ViewRefused("the view is being saved by someone else at this moment; try again")


def open_view(store: Store, viewer: Viewer, view_id: str, version: int | None = None
              ) -> SavedView:
    """A view (its latest version, or ``version``) that ``viewer`` may see."""
    viewer.require(Capability.EXPLORE)
    rows = store.run(OPEN, {"id": view_id, "version": version, **_who(viewer)}, read_only=True)
    store.audit.record(viewer, "view.open", {"view": view_id, "version": version},
                       records=len(rows))
    if not rows:
        raise ViewNotFound(view_id, version)
    return _view(rows[0]["v"], rows[0]["versions"])


def list_views(store: Store, viewer: Viewer) -> list[SavedView]:
    """The latest version of every view ``viewer`` may see, most recently saved first."""
    viewer.require(Capability.EXPLORE)
    return [_view(r["v"], r["versions"])
            for r in store.run(LATEST, _who(viewer), read_only=True)]


def history(store: Store, viewer: Viewer, view_id: str) -> list[SavedView]:
    """Every version of a view, newest first."""
    viewer.require(Capability.EXPLORE)
    rows = store.run(HISTORY, {"id": view_id, **_who(viewer)}, read_only=True)
    if not rows:
        raise ViewNotFound(view_id)
    return [_view(r["v"], len(rows)) for r in rows]


def rename(store: Store, viewer: Viewer, view_id: str, name: str) -> SavedView:
    """A new version with a new name and everything else as the latest version."""
    latest = open_view(store, viewer, view_id)
    if latest.owner != viewer.user:
        raise ViewRefused("only the owner of a view can rename it")
    return save(store, viewer, name=name, kind=latest.kind, state=latest.state,
                description=latest.description, visibility=latest.visibility,
                teams=tuple(t for t in latest.teams if t in viewer.teams), view_id=view_id)


def delete(store: Store, viewer: Viewer, view_id: str) -> int:
    """Delete every version of one's own view; the number of versions deleted."""
    viewer.require(Capability.EXPLORE)
    latest = open_view(store, viewer, view_id)
    if latest.owner != viewer.user:
        raise ViewRefused("only the owner of a view can delete it")
    return int(store.run(DELETE, {"id": view_id, "user": viewer.user})[0]["n"])
