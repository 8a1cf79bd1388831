"""The audit log: every read of personal data leaves an entry; any tampering shows."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

import pytest

from graph import console, explore, overview, views
from graph.access import Purpose, Role, Viewer
from graph.analysis.run import analyse
from graph.audit import AuditLog, Problem, Selection, by_user
from graph.settings import Settings
from ingest.pseudonymise import DEMO_KEY, TeamKey
from tests.conftest import Scenario
from tests.helpers import PURPOSE, schakel

IVO = Viewer("ivo", Role.INVESTIGATOR, ("jit",), purpose=PURPOSE)


def fill(log: AuditLog, n: int) -> None:
    for i in range(n):
        log.record(IVO, "test.read", {"i": i}, records=i, persons=[f"p{i}"])


def lines(log: AuditLog) -> list[str]:
    return log.path.read_text().splitlines()


def test_an_intact_log_verifies(tmp_path: Path) -> None:
    log = AuditLog(tmp_path)
    fill(log, 5)
    assert log.verify() == (5, [])
    entry = json.loads(lines(log)[2])
    assert (entry["seq"], entry["user"], entry["case"], entry["persons"]) == (3, "ivo", "T-1",
                                                                            ["p2"])
    assert entry["prev"] == json.loads(lines(log)[1])["hash"]


@pytest.mark.parametrize("tamper", ["edit", "delete", "reorder", "truncate", "garbage",
                                    "not-an-object", "seq-as-text", "bad-bytes", "head"])
def test_tampering_is_detected(tmp_path: Path, tamper: str) -> None:
    log = AuditLog(tmp_path)
    fill(log, 6)
    rows = lines(log)
    if tamper == "edit":
        entry = json.loads(rows[2])
        entry["user"] = "someone-else"
        rows[2] = json.dumps(entry, sort_keys=True)
    elif tamper == "delete":
        del rows[3]
    elif tamper == "reorder":
        rows[1], rows[2] = rows[2], rows[1]
    elif tamper == "truncate":
        rows = rows[:-2]
    elif tamper == "not-an-object":
        rows[4] = "5"
    elif tamper == "seq-as-text":
        entry = json.loads(rows[2])
        entry["seq"] = "three"
        rows[2] = json.dumps(entry, sort_keys=True)
    elif tamper not in ("bad-bytes", "head"):
        rows[4] = "{not json"
    text = ("\n".join(rows) + "\n").encode()
    if tamper == "bad-bytes":
        text = text.replace(rows[4].encode(), b"\xff\xfe" + rows[4].encode()[2:])
    log.path.write_bytes(text)
    if tamper == "head":  # the log intact, its head edited into something else
        log.head_path.write_text('{"seq": "six"')
    _, problems = log.verify()  # a report, never an exception
    assert problems, tamper
    assert len(list(log.entries())) >= len(rows) - 1  # the rest stays readable
    if tamper == "head":  # and reads are still logged, after the last entry
        assert log.record(IVO, "test.read", {}, records=0)["seq"] == 7


def test_a_selection_matches_person_user_case_action_and_days(tmp_path: Path) -> None:
    log = AuditLog(tmp_path)
    ann = Viewer("ann", Role.ANALYST, ("jit",), purpose=Purpose("JIT-7", "meeting"))
    log.record(IVO, "explore.neighbourhood", {}, records=3, persons=["p1", "p2"])
    log.record(ann, "explore.details", {}, records=1, persons=["p2"])
    log.record(ann, "export.nodes_csv", {}, records=9, persons=["p1", "p3"])
    log.record(IVO, "console.refused", {}, records=0)
    today = json.loads(lines(log)[0])["at"][:10]
    day = date.fromisoformat(today)

    def chosen(**kw: object) -> list[int]:
        return [e["seq"] for e in log.select(Selection(**kw))]  # type: ignore[arg-type]

    assert chosen() == [1, 2, 3, 4]
    assert chosen(person="p2") == [1, 2]
    assert chosen(user="ann") == [2, 3]
    assert chosen(case="jit-7") == [2, 3]  # case numbers in any case
    assert chosen(action="export.") == [3]
    assert chosen(user="ann", person="p1") == [3]
    assert chosen(since=day, until=day) == [1, 2, 3, 4]
    assert chosen(since=day + timedelta(days=1)) == []
    assert chosen(until=day - timedelta(days=1)) == []
    assert Selection(user="ann", since=day).logged() == {"user": "ann", "since": today}
    assert [e["seq"] for e in log.about("p3")] == [3]


def test_the_review_by_user_counts_persons_cases_exports_and_refusals(tmp_path: Path) -> None:
    log = AuditLog(tmp_path)
    ann = Viewer("ann", Role.ANALYST, ("jit",), purpose=Purpose("JIT-7", "meeting"))
    other = Viewer("ann", Role.ANALYST, ("jit",), purpose=Purpose("JIT-9", "other case"))
    log.record(IVO, "explore.neighbourhood", {}, records=3, persons=["p1", "p2"])
    log.record(ann, "explore.details", {}, records=1, persons=["p2"])
    log.record(other, "export.nodes_csv", {}, records=9, persons=["p1", "p3", "p4"])
    log.record(IVO, "console.refused", {}, records=0)
    rows = by_user(log.entries())
    assert [r["user"] for r in rows] == ["ann", "ivo"]  # the most persons read first
    first, second = rows
    assert {k: first[k] for k in ("entries", "persons", "cases", "exports", "refused")} == {
        "entries": 2, "persons": 4, "cases": 2, "exports": 1, "refused": 0}
    assert {k: second[k] for k in ("entries", "persons", "cases", "exports", "refused")} == {
        "entries": 2, "persons": 2, "cases": 1, "exports": 0, "refused": 1}
    entries = list(log.entries())
    assert (second["first"], second["last"]) == (entries[0]["at"], entries[3]["at"])


def test_the_cli_verifies_and_shows_who_looked_at_a_person(neo4j_settings: Settings,
                                                           tmp_path: Path) -> None:
    log = AuditLog.of_home(tmp_path)
    key = TeamKey("demo", DEMO_KEY)
    child = key.pseudonym("BSN-123456782")
    log.record(IVO, "explore.neighbourhood", {"seeds": [child]}, records=12, persons=[child])
    log.record(Viewer("ann", Role.ANALYST, ("jit",), purpose=Purpose("REQ-7", "a request")),
               "explore.search", {"text": "x"}, records=1, persons=["someone-else"])
    ok = schakel(neo4j_settings, "audit", "verify", SCHAKEL_HOME=str(tmp_path))
    assert ok.returncode == 0 and "Intact: 2 entries" in ok.stdout
    shown = schakel(neo4j_settings, "audit", "show", "--person-id", "BSN-123456782",
                    "--case", "DPO-1", "--reason", "subject access request",
                    SCHAKEL_HOME=str(tmp_path))
    assert shown.returncode == 0, shown.stderr
    assert "ivo" in shown.stdout and "T-1" in shown.stdout and "ann" not in shown.stdout
    assert "BSN-123456782" not in shown.stdout + log.path.read_text()  # never the raw id
    # the officer's own look is logged too, and the chain still holds
    last = list(log.entries())[-1]
    assert last["action"] == "audit.show" and last["persons"] == [child]
    assert last["case"] == "DPO-1"
    rows = lines(log)
    log.path.write_text("\n".join(rows[1:]) + "\n")
    broken = schakel(neo4j_settings, "audit", "verify", SCHAKEL_HOME=str(tmp_path))
    assert broken.returncode == 1 and "not intact" in broken.stderr


def test_a_write_cut_short_is_reported_and_the_rest_stays_readable(
        neo4j_settings: Settings, tmp_path: Path) -> None:
    """A full disk or a power cut can leave the last entry half written. The officer can
    still read every other entry; the next read is logged on a line of its own; and
    verify names the damaged line."""
    log = AuditLog.of_home(tmp_path)
    fill(log, 3)
    whole = log.path.read_bytes()
    log.path.write_bytes(whole + b'{"seq": 4, "at": "2026-')  # no newline: cut short
    assert [e["seq"] for e in log.entries()] == [1, 2, 3]
    shown = schakel(neo4j_settings, "audit", "show", "--person", "p1", SCHAKEL_HOME=str(tmp_path))
    assert shown.returncode == 0 and "Traceback" not in shown.stderr, shown.stderr
    assert "not intact" in shown.stderr and "1 entries about p1" in shown.stdout
    # audit show's own read was logged, after the damaged fragment, as a whole entry
    rows = lines(log)
    assert rows[3] == '{"seq": 4, "at": "2026-'
    after = json.loads(rows[4])
    assert after["action"] == "audit.show" and after["seq"] == 4
    assert [e["seq"] for e in log.entries()] == [1, 2, 3, 4]
    # Exactly the damaged line: the entry after it follows the one before it.
    assert log.verify() == (4, [Problem(4, "not a JSON entry (edited or damaged)")])
    # Without audit.head too (lost with the same power cut): the chain goes on from the
    # last entry that can be read.
    log.head_path.unlink()
    log.path.write_bytes(log.path.read_bytes() + b'{"seq": 5, "at')
    assert log.record(IVO, "test.read", {}, records=0)["seq"] == 5


def test_appends_from_many_threads_keep_one_chain(tmp_path: Path) -> None:
    log = AuditLog(tmp_path)
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda i: log.record(IVO, "t", {"i": i}, records=0), range(200)))
    assert log.verify() == (200, [])
    assert [e["seq"] for e in log.entries()] == list(range(1, 201))


def test_every_read_of_personal_data_is_logged(scenario: Scenario) -> None:
    store = scenario.store
    log = store.audit
    start = sum(1 for _ in log.entries())
    top = overview.findings(store, IVO, scenario.run_id, limit=3)
    person = top[0]["person_ref"]
    explore.search(store, IVO, person[:8])
    sub = explore.neighbourhood(store, IVO, [person], hops=1)
    explore.details(store, IVO, next(iter(sub.nodes)))
    explore.describe(store, IVO, top[0]["indicators"][0]["evidence"])
    explore.record_export(store, IVO, sub, "graphml")
    console.run(store, IVO, "MATCH (p:Person {ref: $r}) RETURN p.ref AS ref", {"r": person})
    with pytest.raises(console.QueryRefused):
        console.run(store, IVO, "LOAD CSV FROM 'file:///etc/passwd' AS r RETURN r")
    view = views.save(store, IVO, name="v", kind=views.Kind.EXPLORE, state={"seeds": [person]})
    views.open_view(store, IVO, view.id)
    if top[0]["structure"]:
        overview.structure(store, IVO, top[0]["structure"])
    analyse(store, top=3, viewer=IVO)
    new = list(log.entries())[start:]
    actions = [e["action"] for e in new]
    for action in ("candidates.findings", "explore.search", "explore.neighbourhood",
                   "explore.details", "findings.evidence", "export.graphml", "console.query",
                   "console.refused", "view.open", "analysis.run"):
        assert action in actions, action
    assert all(e["user"] == "ivo" and e["case"] == "T-1" and e["reason"] for e in new)
    # "who looked at this child": every read that returned the person names them
    about = {e["action"] for e in log.about(person)}
    assert {"candidates.findings", "explore.search", "explore.neighbourhood",
            "console.query", "analysis.run"} <= about
    neighbourhood = next(e for e in new if e["action"] == "explore.neighbourhood")
    assert neighbourhood["records"] == len(sub.nodes) + len(sub.edges)
    assert log.verify()[1] == []


def test_a_findings_aliases_are_named_with_its_person(scenario: Scenario) -> None:
    """Candidates shows a finding's person "also" under the refs merged into it: a read
    of those persons too. (The test scenario's findings have no aliases: one is made.)"""
    store = scenario.store
    a, b, c = (r["ref"] for r in store.run("MATCH (p:Person) RETURN p.ref AS ref LIMIT 3"))
    # and the minors its score rests on, which the page lists
    minors = json.dumps([{"ref": c, "weight": 0.5, "links": [], "markers": {},
                          "lowered_by": None}])
    store.run("CREATE (:Finding {ref: 'audit-alias-f', run_id: 'audit-alias-run', rank: 1, "
              "score: 1.0, person_ref: $a, aliases: [$b], patterns: ['broker'], "
              "indicators: '[]', minors: $minors})", {"a": a, "b": b, "minors": minors})
    try:
        found = overview.findings(store, IVO, "audit-alias-run")
        assert [(f["person_ref"], f["aliases"]) for f in found] == [(a, [b])]
        entry = list(store.audit.entries())[-1]
        assert entry["action"] == "candidates.findings" and set(entry["persons"]) == {a, b, c}
    finally:
        store.run("MATCH (f:Finding {run_id: 'audit-alias-run'}) DELETE f")


def test_the_log_is_not_in_the_graph_the_console_reads(scenario: Scenario) -> None:
    store = scenario.store
    explore.search(store, IVO, "a")
    assert store.audit.path.exists()
    result = console.run(store, IVO, "MATCH (n) WHERE n.action IS NOT NULL OR n.prev IS NOT NULL "
                                     "RETURN count(n) AS n")
    assert result.rows == [{"n": 0}]
