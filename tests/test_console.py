"""The Cypher console: reads run; writes, LOAD CSV, admin procedures and runaway queries do
not, whatever the spelling; the database is unchanged afterwards."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from neo4j.exceptions import ClientError

from graph import console
from graph.access import AccessDenied, Role, Viewer
from tests.conftest import Scenario
from tests.helpers import PURPOSE, totals

INVESTIGATOR = Viewer("ivo", Role.INVESTIGATOR, ("team-a",), purpose=PURPOSE)
ANALYST = Viewer("ann", Role.ANALYST, ("team-a",), purpose=PURPOSE)

WRITES = [
    "CREATE (:Person {ref: 'x'})",
    "MATCH (p:Person) WITH p LIMIT 1 SET p.ref = 'changed'",
    "MATCH (p:Person) WITH p LIMIT 1 DETACH DELETE p",
    "MERGE (p:Person {ref: 'y'}) RETURN p",
    "MATCH (p:Person) WITH p LIMIT 1 REMOVE p:Minor",
    "match (p) with p limit 1 create (p)-[:ASSOCIATE_OF]->(p)",
    "CALL { CREATE (:Incident {ref: 'z'}) } RETURN 1",
    "MATCH (n) FOREACH (x IN [1] | CREATE (:Signal {ref: 'w'}))",
    "UNWIND [1] AS x CALL db.createLabel('Evil') RETURN x",
    "CALL db.createProperty('evil')",
]
REFUSED_BEFORE_RUNNING = [
    "LOAD CSV FROM 'file:///etc/passwd' AS row RETURN row",
    "load  csv with headers from 'http://example.org/x.csv' AS r RETURN r",
    "USING PERIODIC COMMIT LOAD CSV FROM 'file:///x' AS r RETURN r",
    "SHOW USERS",
    "SHOW TRANSACTIONS",
    "TERMINATE TRANSACTIONS 'neo4j-transaction-1'",
    "USE system SHOW DATABASES",
    "MATCH (n) RETURN n LIMIT 1; CREATE (:Person {ref: 'x'})",
    "CALL dbms.setConfigValue('db.logs.query.enabled', 'INFO')",
    "CALL db.clearQueryCaches()",
    "CALL apoc.load.json('http://example.org')",
    "CREATE INDEX evil FOR (n:Person) ON (n.evil)",
    "DROP CONSTRAINT person_ref_unique",
    "PROFILE MATCH (n) RETURN n",
    "",
]


def test_reads_run_with_parameters_and_nodes_become_a_graph(scenario: Scenario) -> None:
    result = console.run(scenario.store, INVESTIGATOR,
                         "MATCH (m:Minor)-[r:SUSPECT_IN]->(i:Incident) RETURN m, r, i LIMIT $n",
                         {"n": 5})
    assert result.columns == ["m", "r", "i"] and len(result.rows) == 5
    assert result.rows[0]["r"] == "[:SUSPECT_IN]"
    assert {n.kind for n in result.graph.nodes.values()} == {"minor", "incident"}
    assert len(result.graph.edges) == 5


def test_relationships_alone_bring_their_endpoints(scenario: Scenario) -> None:
    result = console.run(scenario.store, INVESTIGATOR,
                         "MATCH ()-[r:COLLECTED_AFTER]->() RETURN r LIMIT 3")
    ids = set(result.graph.nodes)
    assert result.graph.edges and all(e.source in ids and e.target in ids
                                      for e in result.graph.edges)


def test_the_row_limit_cuts_and_says_so(scenario: Scenario) -> None:
    result = console.run(scenario.store, INVESTIGATOR, "MATCH (p:Person) RETURN p.ref AS ref",
                         row_limit=7)
    assert len(result.rows) == 7 and result.truncated


@pytest.mark.parametrize("query", WRITES)
def test_writes_are_refused_and_nothing_changes(scenario: Scenario, query: str) -> None:
    before = totals(scenario.store)
    labels = scenario.store.run("CALL db.labels() YIELD label RETURN collect(label) AS l")
    with pytest.raises(console.QueryRefused):
        console.run(scenario.store, INVESTIGATOR, query)
    assert totals(scenario.store) == before
    assert scenario.store.run("CALL db.labels() YIELD label RETURN collect(label) AS l") == labels


def test_the_server_classifies_writes_that_look_like_reads(scenario: Scenario) -> None:
    # These start like a read; only the server's EXPLAIN tells they write.
    for query in WRITES[1:3] + WRITES[6:8]:
        with pytest.raises(console.QueryRefused, match="the console only reads"):
            console.run(scenario.store, INVESTIGATOR, query)


@pytest.mark.parametrize("query", REFUSED_BEFORE_RUNNING)
def test_dangerous_reads_and_commands_are_refused(scenario: Scenario, query: str) -> None:
    before = totals(scenario.store)
    with pytest.raises(console.QueryRefused):
        console.run(scenario.store, INVESTIGATOR, query)
    assert totals(scenario.store) == before


def test_the_server_itself_refuses_a_write_in_a_read_transaction(scenario: Scenario) -> None:
    # The second lock, tested without the first: Neo4j 5.26 on one server refuses it.
    before = totals(scenario.store)
    with scenario.store.session(read_only=True) as session, pytest.raises(ClientError):
        session.run("CREATE (:Person {ref: 'through-the-back-door'})").consume()
    assert totals(scenario.store) == before


def test_a_long_query_is_stopped_by_the_server(scenario: Scenario) -> None:
    with pytest.raises(console.QueryFailed) as failed:
        console.run(scenario.store, INVESTIGATOR,
                    "UNWIND range(1, 2000000000) AS x WITH x WHERE x < 0 RETURN count(x)",
                    timeout_s=1.0)
    assert "Terminated" in failed.value.code or "timeout" in failed.value.message.lower()


def test_strings_and_comments_do_not_trip_the_checks(scenario: Scenario) -> None:
    result = console.run(scenario.store, INVESTIGATOR,
                         "// LOAD CSV is not what this does\n"
                         "RETURN 'CREATE (x); SHOW USERS' AS text, $p AS p", {"p": "USE x"})
    assert result.rows == [{"text": "CREATE (x); SHOW USERS", "p": "USE x"}]


def test_syntax_errors_come_back_as_messages(scenario: Scenario) -> None:
    with pytest.raises(console.QueryFailed) as failed:
        console.run(scenario.store, INVESTIGATOR, "MATCH (n RETURN n")
    assert "Syntax" in failed.value.code


def test_only_investigators_have_a_console(scenario: Scenario) -> None:
    with pytest.raises(AccessDenied):
        console.run(scenario.store, ANALYST, "RETURN 1")


def test_persons_drawn_from_a_result_are_in_the_audit_log(scenario: Scenario) -> None:
    """Relationships alone bring their endpoints into the drawing: those persons were
    shown as much as the ones the query returned, and the log names them."""
    result = console.run(scenario.store, INVESTIGATOR,
                         "MATCH ()-[r:SUSPECT_IN]->() RETURN r LIMIT 3")
    drawn = {n.ref for n in result.graph.nodes.values() if n.kind in ("minor", "adult")}
    assert drawn  # the suspects, fetched as endpoints
    entry = list(scenario.store.audit.entries())[-1]
    assert entry["action"] == "console.query"
    assert drawn <= set(entry["persons"])


def test_connect_result_nodes_draws_the_relationships_between_them(scenario: Scenario) -> None:
    store = scenario.store

    def between(result: console.QueryResult) -> set[str]:
        return {r["id"] for r in store.run(
            "MATCH (a)-[r]->(b) WHERE elementId(a) IN $ids AND elementId(b) IN $ids "
            "RETURN elementId(r) AS id", {"ids": sorted(result.graph.nodes)})}

    query = "MATCH (m:Minor)-[s:SUSPECT_IN]->(i:Incident) RETURN m, i LIMIT 5"
    bare = console.run(store, INVESTIGATOR, query)
    assert bare.graph.nodes and not bare.graph.edges and bare.connected == 0
    joined = console.run(store, INVESTIGATOR, query, connect=True)
    assert joined.rows == bare.rows  # the table is what the query returned
    assert len(between(joined)) >= 5  # at least the five SUSPECT_IN
    assert {e.id for e in joined.graph.edges} == between(joined)
    assert joined.connected == len(between(joined))
    # A relationship the query returned is drawn once, and not counted as added.
    returned = console.run(store, INVESTIGATOR, query.replace("RETURN m, i", "RETURN m, s, i"),
                           connect=True)
    ids = [e.id for e in returned.graph.edges]
    assert sorted(ids) == sorted(set(ids)) and set(ids) == between(returned)
    assert returned.connected == len(ids) - len(returned.rows)


def test_connecting_that_runs_out_of_time_keeps_the_result_and_says_so(
        scenario: Scenario, monkeypatch: pytest.MonkeyPatch) -> None:
    # A connecting query that cannot finish within the time-out (the server stops it).
    monkeypatch.setattr(console, "CONNECTED", (
        "UNWIND range(1, 10000000000) AS x WITH x WHERE x < 0 "
        "RETURN x AS id, x AS source, x AS target, '' AS type, {} AS props LIMIT $max"))
    result = console.run(scenario.store, INVESTIGATOR,
                         "MATCH (m:Minor)-[:SUSPECT_IN]->(i) RETURN m, i LIMIT 3",
                         timeout_s=0.5, connect=True)
    assert len(result.rows) == 3 and result.graph.nodes
    assert result.connected == 0 and not result.graph.edges
    assert result.notes == ["The result's nodes were not connected (it took longer than the "
                            "time-out): drawn with only the relationships the query returned."]


@pytest.mark.parametrize("name", list(console.EXAMPLES))
def test_each_example_runs_and_answers_its_question(scenario: Scenario, name: str) -> None:
    query, params = console.EXAMPLES[name]
    result = console.run(scenario.store, INVESTIGATOR, query, params)
    assert result.rows, f"{name}: no rows on a scenario that plants what it looks for"
    drawn = {n.ref: n.props for n in result.graph.nodes.values()}

    def props(cell: str) -> dict[str, Any]:  # a node in a row reads "(Label ref)"
        return drawn[cell.rstrip(")").split(" ", 1)[1]]

    if name.startswith("A runaway"):
        for row in result.rows:
            signal, incident = props(row["s"]), props(row["i"])
            left = str(signal["observed_at"])[:10]
            arrested = str(incident["occurred_at"])[:10]
            assert signal["kind"] == "runaway" and left <= arrested
            assert (date.fromisoformat(arrested) - date.fromisoformat(left)).days <= 14
    if name.startswith("Minors who move"):
        for row in result.rows:
            assert row["moves"] == len(row["first_moves"]) or len(row["first_moves"]) == 5
            for move in row["first_moves"]:
                first, second = move.split(" -> ")
                assert first.split(" ", 1)[1] != second.split(" ", 1)[1]  # another city
                gap = date.fromisoformat(second[:10]) - date.fromisoformat(first[:10])
                assert 0 <= gap.days <= 7
