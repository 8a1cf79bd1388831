"""Every dashboard input that reaches Cypher travels as a parameter; names that cannot be
parameters come from the schema's lists. Injection strings change nothing and fail no
query."""

from __future__ import annotations

from datetime import date

import pytest

from graph import explore, overview, views
from graph.access import Role, Viewer
from graph.explore import Filters
from tests.conftest import Scenario
from tests.helpers import PURPOSE, totals

IVO = Viewer("ivo", Role.INVESTIGATOR, ("jit",), purpose=PURPOSE)
HOSTILE = [
    "' OR 1=1 //", "\" OR \"\"=\"", "x'}) MATCH (n) DETACH DELETE n //",
    "` MATCH (n) DETACH DELETE n //", "SUSPECT_IN|CONCERNS", "Person) DETACH DELETE (n",
    "$q", "{ref: 1}", "\\u0027) CREATE (:X) //", "\x00", "<script>alert(1)</script>",
    "a" * 5000,
]


@pytest.mark.parametrize("text", HOSTILE)
def test_injection_strings_change_nothing(scenario: Scenario, text: str) -> None:
    store = scenario.store
    before = totals(store)
    assert explore.search(store, IVO, text) == [] or text == "$q"
    sub = explore.neighbourhood(store, IVO, [text], hops=2, expanded=[text],
                                filters=Filters(types=(text, "SUSPECT_IN"), partners=(text,),
                                                since=date(2015, 1, 1)))
    assert sub.nodes == {}
    assert explore.details(store, IVO, text) is None
    assert explore.describe(store, IVO, [text]) == {text: f"{text} (no longer in the graph)"}
    assert overview.findings(store, IVO, text) == []
    assert overview.structure(store, IVO, text) == []
    with pytest.raises(views.ViewNotFound):
        views.open_view(store, IVO, text)
    saved = views.save(store, IVO, name=text[:200], kind=views.Kind.EXPLORE,
                       state={"seeds": [text]}, description=text[:5000])
    assert views.open_view(store, IVO, saved.id).name == text[:200].strip()
    views.delete(store, IVO, saved.id)
    assert totals(store) == before


def test_relationship_types_come_only_from_the_schema(scenario: Scenario) -> None:
    analysis_links = Filters(types=("CONCERNS", "SUPPORTED_BY", "HAS_MEMBER", "DROP"))
    assert analysis_links.params()["types"] == []
    ref = overview.findings(scenario.store, IVO, scenario.run_id, limit=1)[0]["person_ref"]
    sub = explore.neighbourhood(scenario.store, IVO, [ref], hops=2, filters=analysis_links)
    assert sub.edges == [] and len(sub.nodes) == 1  # the seed, and nothing followed
