"""One analysis run: project, detect, rank, group, and write the findings back.

Each run gets an id; its ``Finding`` and ``Structure`` nodes carry that id, the run's
time and parameters, and are linked to the persons they concern and the incidents,
signals and identifiers that support them. Earlier runs are kept.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, LiteralString

import networkx as nx

from graph.access import SYSTEM, Viewer
from graph.analysis import counter, markers, patterns, ranking
from graph.analysis.projection import project
from graph.analysis.ranking import Candidate
from graph.analysis.structures import Structure, structures
from graph.inbox.after_analysis import Changes
from graph.inbox.alerts import Merged
from graph.store import Store

WRITE_FINDINGS: LiteralString = (
    "UNWIND $findings AS f "
    "CREATE (n:Finding {ref: f.ref}) SET n += f.props "
    "WITH n, f UNWIND f.refs AS ref MATCH (p:Person {ref: ref}) "
    "MERGE (n)-[:CONCERNS]->(p)")
WRITE_EVIDENCE: LiteralString = (
    "UNWIND $evidence AS e MATCH (n:Finding {ref: e.finding}) "
    "OPTIONAL MATCH (i:Incident {ref: e.ref}) OPTIONAL MATCH (s:Signal {ref: e.ref}) "
    "OPTIONAL MATCH (x:Identifier {ref: e.ref}) OPTIONAL MATCH (p:Person {ref: e.ref}) "
    "WITH n, e, coalesce(i, s, x, p) AS target WHERE target IS NOT NULL "
    "MERGE (n)-[r:SUPPORTED_BY]->(target) "
    "SET r.patterns = CASE WHEN e.pattern IN coalesce(r.patterns, []) THEN r.patterns "
    "ELSE coalesce(r.patterns, []) + e.pattern END")
WRITE_STRUCTURES: LiteralString = (
    "UNWIND $structures AS s CREATE (n:Structure {ref: s.ref}) SET n += s.props "
    "WITH n, s UNWIND s.members AS m MATCH (p:Person {ref: m.ref}) "
    "MERGE (n)-[r:HAS_MEMBER]->(p) SET r.role = m.role")
# Derived results remember which deliveries they rest on, so retention can follow them.
PROVENANCE: LiteralString = (
    "MATCH (n) WHERE (n:Finding OR n:Structure) AND n.run_id = $run "
    "OPTIONAL MATCH (n)-[:SUPPORTED_BY|HAS_MEMBER]->(e) "
    "WITH n, collect(e.deliveries) AS ds, collect(e.partners) AS ps "
    "SET n.deliveries = reduce(acc = [], d IN ds | acc + [x IN d WHERE NOT x IN acc]), "
    "n.partners = reduce(acc = [], p IN ps | acc + [x IN p WHERE NOT x IN acc])")
LATEST_RUN: LiteralString = (
    "MATCH (f:Finding) WITH f.run_id AS run, max(f.run_at) AS at "
    "RETURN run ORDER BY at DESC LIMIT 1")
RUN_FINDINGS: LiteralString = (
    "MATCH (f:Finding {run_id: $run}) RETURN f.person_ref AS person_ref, "
    "f.aliases AS aliases, f.rank AS rank, f.score AS score ORDER BY f.rank")


CONTACT = "contact"  # SUPPORTED_BY.patterns of a signal the finding's contact note cites
MINORS_SHOWN = 25  # the minors a finding lists, those that weigh most first
RECORDS_SHOWN = 50  # of each, the records that link it to the adult


@dataclass
class Result:
    run: dict[str, Any]
    graph: nx.Graph
    candidates: list[Candidate]
    structures: list[Structure]
    signals: Merged | None = None  # what the run told the team (graph/inbox)
    signals_failed: str | None = None  # why it could not: the run itself stands


def _refs(g: nx.Graph, node: patterns.Node) -> tuple[str, list[str]]:
    refs = sorted(g.nodes[node]["refs"]) or [node[1]]
    main = node[1] if node[1] in refs else refs[0]
    return main, [r for r in refs if r != main]


def candidate_json(g: nx.Graph, c: Candidate) -> dict[str, Any]:
    """A finding as JSON: the person, rank and score (0-1) with its band, the pattern
    hits with their evidence (``indicators``), and why the score is what it is: the
    minors it rests on with their signs of exploitation and the records that link each to
    the person (``minors``), and what was weighed against it (``counter_evidence``)."""
    person_ref, aliases = _refs(g, c.node)
    return {
        "person_ref": person_ref, "codename": g.nodes[c.node].get("codename"),
        "rank": c.rank, "score": c.score, "aliases": aliases,
        # whether any partner recorded a birth year or category: one whose age nobody
        # recorded may be one of the children (docs/analysis.md, blind spots)
        "age_recorded": bool(g.nodes[c.node].get("age_recorded")),
        # all its links are what a parent or guardian does too: ask first whether the
        # adult is family of the child (docs/analysis.md, blind spots)
        "guardian_like": c.guardian_like,
        "indicators": [{"name": name, "value": hit.value, "evidence": hit.evidence}
                       for name, hit in sorted(c.hits.items())],
        "band": c.band, "evidence_mass": c.mass,
        "minors": [{"ref": _refs(g, link.minor)[0],
                    "codename": g.nodes[link.minor].get("codename"),
                    "weight": round(link.mass, 4),
                    "links": list(link.kinds), "markers": link.markers.found,
                    "lowered_by": link.counter.reason if link.counter else None,
                    # the same, to say in the reader's language (counter.reason_text)
                    "lowered_by_said": link.counter.said() if link.counter else None,
                    "records": list(link.records[:RECORDS_SHOWN])}
                   for link in sorted(c.links, key=lambda li: -li.mass)[:MINORS_SHOWN]],
        "counter_evidence": [{"kind": k.kind, **k.said(), "factor": k.factor,
                              "evidence": list(k.evidence)} for k in c.counter_evidence],
        # a note that lowers nothing: the minors of whom a care partner named the person
        # as the contact, with those signals and the partners that recorded them
        "contact_of": contact_json(g, c.node),
    }


def contact_json(g: nx.Graph, adult: patterns.Node) -> list[dict[str, Any]]:
    """The minors of whom a care partner named ``adult`` as the one it reached about the
    child (:func:`patterns.named_as_contact`), with the signals and their partners."""
    named = patterns.named_as_contact(g, adult)
    shown = sorted(((_refs(g, minor)[0], minor, signals) for minor, signals in named.items()),
                   key=lambda row: row[0])[:MINORS_SHOWN]
    return [{"ref": ref, "codename": g.nodes[minor].get("codename"),
             "signals": sorted(s[1] for s in signals)[:RECORDS_SHOWN],
             "partners": sorted({p for s in signals for p in g.nodes[s]["partners"]})}
            for ref, minor, signals in shown]


def structure_json(g: nx.Graph, s: Structure, index: int, run_id: str) -> dict[str, Any]:
    return {"id": f"{run_id}/structure/{index}",
            "core": sorted(_refs(g, n)[0] for n in s.core),
            "members": sorted(_refs(g, n)[0] for n in s.members),
            "minors": sorted(_refs(g, n)[0] for n in s.minors),
            "helpers": sorted(_refs(g, n)[0] for n in s.helpers)}


def analyse(store: Store, *, top: int = 20, keep: int = 200, viewer: Viewer = SYSTEM,
            changes: Changes | None = None) -> Result:
    """Run the analysis over the whole graph and write its findings back; then tell the
    team what changed since the run before (``changes``, default :class:`Changes`).

    The run reads every person, so it is logged in the audit log like any other read,
    with the candidates it ranked as the persons it names."""
    started = datetime.now(UTC)
    run_id = f"run-{started:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"
    g = project(store)
    candidates = ranking.rank(g)
    groups = structures(g, candidates, top=top)
    parameters = {
        "top": top, "keep": keep,
        "link_weights": ranking.LINK_WEIGHTS, "base": ranking.BASE,
        "conduct_base": ranking.CONDUCT_BASE, "means_base": ranking.MEANS_BASE,
        "caseload": ranking.CASELOAD, "calibration": list(ranking.CALIBRATION),
        "markers": markers.WEIGHTS, "counter_evidence": counter.FACTORS,
        "detectors": "defaults of graph.analysis.patterns (docs/analysis.md)",
    }
    persons = sum(1 for _, a in g.nodes(data=True) if a["kind"] == "person")
    run = {"id": run_id, "started_at": started.isoformat(),
           "finished_at": datetime.now(UTC).isoformat(), "parameters": parameters,
           "persons": persons,
           "candidates": len(candidates), "structures": len(groups)}
    _write(store, g, run, candidates[:keep], groups)
    store.audit.record(viewer, "analysis.run", {"run": run_id, "top": top, "keep": keep},
                       records=persons,
                       persons=[_refs(g, c.node)[0] for c in candidates[:keep]])
    result = Result(run, g, candidates, groups)
    try:
        result.signals = (changes or Changes()).after_run(store, run_id)
    except Exception as exc:  # the run is written; its signals are extra
        result.signals_failed = str(exc).splitlines()[0][:300] or type(exc).__name__
    return result


def _write(store: Store, g: nx.Graph, run: dict[str, Any], candidates: list[Candidate],
           groups: list[Structure]) -> None:
    common = {"run_id": run["id"], "run_at": run["started_at"],
              "parameters": json.dumps(run["parameters"], sort_keys=True)}
    findings, evidence = [], []
    for c in candidates:
        data = candidate_json(g, c)
        ref = f"{run['id']}/finding/{c.rank}"
        findings.append({"ref": ref, "refs": [data["person_ref"], *data["aliases"]], "props": {
            **common, "rank": c.rank, "score": c.score, "person_ref": data["person_ref"],
            "aliases": data["aliases"], "patterns": sorted(c.hits),
            "indicators": json.dumps(data["indicators"], sort_keys=True),
            "band": c.band, "evidence_mass": c.mass, "age_recorded": data["age_recorded"],
            "guardian_like": data["guardian_like"],
            "minors": json.dumps(data["minors"], sort_keys=True),
            "counter_evidence": json.dumps(data["counter_evidence"], sort_keys=True),
            "contact_of": json.dumps(data["contact_of"], sort_keys=True)}})
        evidence += [{"finding": ref, "ref": r, "pattern": name}
                     for name, hit in c.hits.items() for r in hit.evidence]
        # the note's signals count among what the finding rests on, so that withdrawing or
        # expiring them reaches the finding as its evidence does
        evidence += [{"finding": ref, "ref": r, "pattern": CONTACT}
                     for named in data["contact_of"] for r in named["signals"]]
    shaped = []
    for i, s in enumerate(groups, start=1):
        data = structure_json(g, s, i, run["id"])
        members = ([{"ref": r, "role": "core"} for r in data["core"]]
                   + [{"ref": r, "role": "minor"} for r in data["minors"]]
                   + [{"ref": r, "role": "helper"} for r in data["helpers"]])
        shaped.append({"ref": data["id"], "members": members, "props": {
            **common, "core": data["core"], "member_refs": data["members"]}})
    for i in range(0, len(findings), 500):
        store.run(WRITE_FINDINGS, {"findings": findings[i:i + 500]})
    for i in range(0, len(evidence), 5000):
        store.run(WRITE_EVIDENCE, {"evidence": evidence[i:i + 5000]})
    if shaped:
        store.run(WRITE_STRUCTURES, {"structures": shaped})
    store.run(PROVENANCE, {"run": run["id"]})


def latest_findings(store: Store) -> tuple[str | None, list[dict[str, Any]]]:
    """The id of the latest run, and its findings best first."""
    rows = store.run(LATEST_RUN, read_only=True)
    if not rows:
        return None, []
    run_id = rows[0]["run"]
    return run_id, store.run(RUN_FINDINGS, {"run": run_id}, read_only=True)


def document(result: Result) -> dict[str, Any]:
    """The run, its candidates and its structures as one JSON document (``analyse --json``)."""
    g = result.graph
    return {
        "run": result.run,
        "candidates": [candidate_json(g, c) for c in result.candidates],
        "structures": [structure_json(g, s, i, result.run["id"])
                       for i, s in enumerate(result.structures, start=1)],
    }
