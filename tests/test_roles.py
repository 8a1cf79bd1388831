"""Every role against every read function: allowed exactly where the role's capabilities
say, refused (AccessDenied) elsewhere, and never without a stated purpose."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from graph import console, explore, overview, reviews, views
from graph.access import CAPABILITIES, AccessDenied, Capability, PurposeMissing, Role, Viewer
from graph.subgraph import Subgraph
from tests.conftest import Scenario
from tests.helpers import PURPOSE

READS: dict[str, tuple[Capability, Callable[[Any, Viewer, str], object]]] = {
    "overview.counts": (Capability.OVERVIEW, lambda s, v, run: overview.counts(s, v)),
    "overview.deliveries": (Capability.OVERVIEW, lambda s, v, run: overview.deliveries(s, v)),
    "overview.runs": (Capability.OVERVIEW, lambda s, v, run: overview.runs(s, v)),
    "overview.findings": (Capability.EXPLORE, lambda s, v, run: overview.findings(s, v, run)),
    "overview.structure": (Capability.EXPLORE, lambda s, v, run: overview.structure(s, v, "x")),
    "overview.share": (Capability.SHARE, lambda s, v, run: overview.share(s, v, "none", [])),
    "explore.search": (Capability.EXPLORE, lambda s, v, run: explore.search(s, v, "a")),
    "explore.neighbourhood": (Capability.EXPLORE,
                              lambda s, v, run: explore.neighbourhood(s, v, ["x"])),
    "explore.details": (Capability.EXPLORE, lambda s, v, run: explore.details(s, v, "x")),
    "explore.describe": (Capability.EXPLORE, lambda s, v, run: explore.describe(s, v, ["x"])),
    "explore.record_export": (Capability.EXPLORE, lambda s, v, run: explore.record_export(
        s, v, Subgraph({}, [], 0), "csv")),
    "views.list": (Capability.EXPLORE, lambda s, v, run: views.list_views(s, v)),
    "views.open": (Capability.EXPLORE, lambda s, v, run: _missing_view(s, v)),
    "console.run": (Capability.CONSOLE, lambda s, v, run: console.run(s, v, "RETURN 1")),
    "reviews.of_persons": (Capability.REVIEW, lambda s, v, run: reviews.of_persons(s, v, ["x"])),
    "reviews.decide": (Capability.REVIEW, lambda s, v, run: _no_finding(s, v)),
}


def _no_finding(store: Any, viewer: Viewer) -> None:
    try:
        reviews.decide(store, viewer, "no-such-finding", reviews.Decision.PURSUE)
    except reviews.ReviewRefused:
        pass


def _missing_view(store: Any, viewer: Viewer) -> None:
    try:
        views.open_view(store, viewer, "no-such-view")
    except views.ViewNotFound:
        pass


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("name", list(READS))
def test_each_role_reads_exactly_what_its_capabilities_allow(scenario: Scenario, role: Role,
                                                              name: str) -> None:
    capability, read = READS[name]
    viewer = Viewer(f"u-{role.value}", role, ("t",), partner="youth-care", purpose=PURPOSE)
    if capability in CAPABILITIES[role]:
        read(scenario.store, viewer, scenario.run_id)
    else:
        with pytest.raises(AccessDenied):
            read(scenario.store, viewer, scenario.run_id)
    if capability is not Capability.OVERVIEW and capability in CAPABILITIES[role]:
        with pytest.raises(PurposeMissing):
            read(scenario.store, Viewer("np", role, ("t",), partner="youth-care"),
                 scenario.run_id)


def test_the_table_of_capabilities() -> None:
    assert Capability.CONSOLE in CAPABILITIES[Role.INVESTIGATOR]
    assert not ({Capability.CONSOLE, Capability.SHARE} & (CAPABILITIES[Role.ANALYST]
                                                          | CAPABILITIES[Role.PARTNER]))
    assert CAPABILITIES[Role.ADMIN] == {Capability.OVERVIEW, Capability.USERS,
                                        Capability.AUDIT, Capability.UPLOAD}
    # deliveries are uploaded by a partner's user (its own) or an administrator (any)
    assert Capability.UPLOAD in CAPABILITIES[Role.PARTNER]
    assert not {Capability.UPLOAD} & (CAPABILITIES[Role.ANALYST]
                                      | CAPABILITIES[Role.INVESTIGATOR])
