"""Saved views: versions kept, visibility honoured, links that carry only the view's id."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from graph import views
from graph.access import Role, Viewer
from graph.store import Store
from graph.views import Kind, ViewNotFound, ViewRefused, Visibility
from tests.helpers import PURPOSE

OWNER = Viewer("olga", Role.ANALYST, ("team-a", "team-b"), purpose=PURPOSE)
TEAMMATE = Viewer("tom", Role.INVESTIGATOR, ("team-a",), purpose=PURPOSE)
OUTSIDER = Viewer("otto", Role.ANALYST, ("team-c",), purpose=PURPOSE)
STATE = {"seeds": ["p1"], "hops": 2, "partners": [], "since": "2015-01-01"}


def test_every_save_is_a_new_version_and_old_ones_stay(store: Store) -> None:
    first = views.save(store, OWNER, name="Ring A", kind=Kind.EXPLORE, state=STATE,
                       description="first look")
    second = views.save(store, OWNER, name="Ring A", kind=Kind.EXPLORE,
                        state={**STATE, "hops": 3}, view_id=first.id)
    renamed = views.rename(store, OWNER, first.id, "Ring A (Utrecht)")
    assert (first.version, second.version, renamed.version) == (1, 2, 3)
    assert views.open_view(store, OWNER, first.id).name == "Ring A (Utrecht)"
    assert views.open_view(store, OWNER, first.id, 1).state == STATE
    assert views.open_view(store, OWNER, first.id, 2).state["hops"] == 3
    assert renamed.state["hops"] == 3 and renamed.versions == 3
    assert [v.version for v in views.history(store, OWNER, first.id)] == [3, 2, 1]
    assert [v.id for v in views.list_views(store, OWNER)] == [first.id]


def test_visibility_decides_who_may_open(store: Store) -> None:
    private = views.save(store, OWNER, name="mine", kind=Kind.EXPLORE, state=STATE)
    team = views.save(store, OWNER, name="ours", kind=Kind.QUERY,
                      state={"query": "RETURN 1"}, visibility=Visibility.TEAM, teams=("team-a",))
    public = views.save(store, OWNER, name="all", kind=Kind.EXPLORE, state=STATE,
                        visibility=Visibility.EVERYONE)
    assert {v.name for v in views.list_views(store, TEAMMATE)} == {"ours", "all"}
    assert {v.name for v in views.list_views(store, OUTSIDER)} == {"all"}
    for who, hidden in ((TEAMMATE, private), (OUTSIDER, private), (OUTSIDER, team)):
        with pytest.raises(ViewNotFound):
            views.open_view(store, who, hidden.id)
        with pytest.raises(ViewNotFound):
            views.open_view(store, who, hidden.id, 1)
        with pytest.raises(ViewNotFound):
            views.history(store, who, hidden.id)
    assert views.open_view(store, OUTSIDER, public.id).name == "all"


def test_only_the_owner_changes_a_view(store: Store) -> None:
    shared = views.save(store, OWNER, name="shared", kind=Kind.EXPLORE, state=STATE,
                        visibility=Visibility.EVERYONE)
    with pytest.raises(ViewRefused):
        views.save(store, TEAMMATE, name="hijack", kind=Kind.EXPLORE, state={},
                   view_id=shared.id)
    with pytest.raises(ViewRefused):
        views.rename(store, TEAMMATE, shared.id, "hijack")
    with pytest.raises(ViewRefused):
        views.delete(store, TEAMMATE, shared.id)
    assert views.open_view(store, OUTSIDER, shared.id).versions == 1
    assert views.delete(store, OWNER, shared.id) == 1
    with pytest.raises(ViewNotFound):
        views.open_view(store, OWNER, shared.id)


def test_sharing_needs_a_team_of_ones_own(store: Store) -> None:
    with pytest.raises(ViewRefused):
        views.save(store, OWNER, name="x", kind=Kind.EXPLORE, state=STATE,
                   visibility=Visibility.TEAM, teams=("team-c",))
    with pytest.raises(ViewRefused):
        views.save(store, OWNER, name="x", kind=Kind.EXPLORE, state=STATE,
                   visibility=Visibility.TEAM, teams=())
    with pytest.raises(ViewRefused):
        views.save(store, OWNER, name="  ", kind=Kind.EXPLORE, state=STATE)


def test_a_link_holds_the_id_and_version_and_nothing_else(store: Store) -> None:
    view = views.save(store, OWNER, name="n", kind=Kind.EXPLORE, state=STATE)
    assert view.link() == f"?view={view.id}"
    assert view.link(pinned=True) == f"?view={view.id}&version=1"
    assert "olga" not in view.link(pinned=True)


def test_saves_at_the_same_moment_get_distinct_versions(store: Store) -> None:
    view = views.save(store, OWNER, name="busy", kind=Kind.EXPLORE, state=STATE)

    def again(i: int) -> int:
        return views.save(store, OWNER, name=f"busy {i}", kind=Kind.EXPLORE,
                          state={**STATE, "hops": i}, view_id=view.id).version

    with ThreadPoolExecutor(4) as pool:
        versions = list(pool.map(again, range(8)))
    assert sorted(versions) == list(range(2, 10))
    assert len(views.history(store, OWNER, view.id)) == 9


def test_a_save_that_keeps_clashing_is_refused_with_a_message(store: Store) -> None:
    view = views.save(store, OWNER, name="stuck", kind=Kind.EXPLORE, state=STATE)
    # A node that holds the next version's ref without being a version of the view:
    # every attempt takes version 2, and the unique ref refuses every one.
    store.run("CREATE (:SavedView {ref: $ref})", {"ref": f"{view.id}@2"})
    with pytest.raises(ViewRefused, match="being saved by someone else"):
        views.save(store, OWNER, name="stuck", kind=Kind.EXPLORE, state=STATE, view_id=view.id)
    assert [v.version for v in views.history(store, OWNER, view.id)] == [1]
