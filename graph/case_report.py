"""What a case report on a finding holds, read for one viewer (``reports/`` renders it as
HTML and PDF).

For a prosecutor or a care partner: the person and the score with its band, the pattern
hits and the counter-evidence as sentences, the minors it rests on (not for a care
partner's user, as on the Candidates page), an evidence table with provenance (partner,
delivery, extract date), the person's timeline, the structure around the person to draw,
and the case number and purpose it was made under, by whom and when. It is a lead, not a
verdict, and says so. Every report is an audit entry (``report.make``) naming the persons
it holds; a care partner's user gets a report only on a finding shared with its team, and
only its own partner's records in it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, LiteralString

from graph import explore, overview
from graph.access import Capability, Viewer
from graph.analysis import counter as counters
from graph.errors import GraphError
from graph.explore import SHARED_WITH_ME
from graph.store import Store, plain
from graph.subgraph import Subgraph
from i18n import N_

DISCLAIMER = N_("This report describes a lead found by network analysis of pseudonymised "
              "records of the partners of a joint investigation team. It is not a verdict, "
              "nor evidence of guilt: each record must be checked at its source before any "
              "decision about a person is taken.")


class NoSuchFinding(GraphError):
    def __init__(self, finding: str) -> None:
        super().__init__(f"no finding {finding} that you may open")


FINDING: LiteralString = (
    "MATCH (f:Finding {ref: $finding}) WHERE " + SHARED_WITH_ME + " "
    "RETURN properties(f) AS f, "
    "COLLECT { MATCH (p:Person {ref: f.person_ref}) RETURN p.codename }[0] AS codename, "
    "COLLECT { MATCH (p:Person {ref: f.person_ref}) RETURN elementId(p) }[0] AS node")
PROVENANCE: LiteralString = (
    "UNWIND $refs AS ref MATCH (n {ref: ref}) WHERE n:Incident OR n:Signal OR n:Identifier "
    "OR n:Location OR n:Person "
    "UNWIND coalesce(n.deliveries, []) AS delivery "
    "MATCH (d:Delivery {ref: delivery}) WHERE $partner IS NULL OR d.partner = $partner "
    "RETURN ref, d.partner AS partner, d.ref AS delivery, d.extracted_at AS extracted_at "
    "ORDER BY ref, extracted_at")


@dataclass
class Evidence:
    ref: str
    pattern: str
    sentence: str
    sources: list[dict[str, Any]] = field(default_factory=list)  # partner, delivery, date


@dataclass
class CaseReport:
    finding: dict[str, Any]
    codename: str | None
    evidence: list[Evidence]
    counter_evidence: list[str]
    minors: list[dict[str, Any]]  # empty for a care partner's user
    timeline: list[dict[str, Any]]
    structure: Subgraph | None
    case: str
    purpose: str
    made_by: str
    made_at: str
    disclaimer: str = DISCLAIMER
    out_of_date: str | None = None
    # the minors of whom a care partner named the person as the contact, with the signals
    # and partners (a note that lowers nothing); for a care partner's user, as
    # overview.contacts_seen leaves it
    contact_of: list[dict[str, Any]] = field(default_factory=list)

    @property
    def persons(self) -> list[str]:
        """The persons the report names, for the audit log."""
        return list(dict.fromkeys([self.finding["person_ref"],
                                   *(m["ref"] for m in self.minors),
                                   *(m["ref"] for m in self.contact_of if m.get("ref"))]))


def read(store: Store, viewer: Viewer, finding_ref: str, *, hops: int = 1,
         cap: int = 60) -> CaseReport:
    """The report on ``finding_ref`` as ``viewer`` may have it; logged as ``report.make``."""
    viewer.require(Capability.EXPLORE)
    rows = store.run(FINDING, {"finding": finding_ref, "partner": viewer.only_partner,
                               "teams": list(viewer.teams)}, read_only=True)
    if not rows:
        raise NoSuchFinding(finding_ref)
    f = plain(rows[0]["f"])
    for key in ("indicators", "counter_evidence", "minors", "contact_of"):
        f[key] = json.loads(f[key]) if f.get(key) else []
    partner = viewer.only_partner
    refs = list(dict.fromkeys(r for i in f["indicators"] for r in i["evidence"]))
    lines = explore.describe(store, viewer, refs)
    sources: dict[str, list[dict[str, Any]]] = {}
    for row in plain(store.run(PROVENANCE, {"refs": refs, "partner": partner},
                               read_only=True)):
        sources.setdefault(row["ref"], []).append(
            {"partner": row["partner"], "delivery": row["delivery"],
             "extracted_at": str(row["extracted_at"] or "")[:10]})
    evidence = [Evidence(r, i["name"], lines.get(r, r), sources.get(r, []))
                for i in f["indicators"] for r in i["evidence"]]
    counter = [counters.partner_text(c) if partner else counters.reason_text(c)
               for c in f["counter_evidence"]]
    events = explore.timeline(store, viewer, rows[0]["node"]) if rows[0]["node"] else []
    try:
        structure = explore.neighbourhood(store, viewer, [f["person_ref"]], hops=hops, cap=cap)
    except GraphError:
        structure = None
    purpose = viewer.purpose
    report = CaseReport(
        f, rows[0]["codename"], evidence, list(dict.fromkeys(counter)),
        [] if partner else f["minors"], events, structure,
        purpose.case if purpose else "-", purpose.reason if purpose else "-", viewer.user,
        datetime.now(UTC).isoformat(timespec="seconds"), out_of_date=f.get("out_of_date_reason"),
        contact_of=overview.contacts_seen(f["contact_of"], partner))
    store.audit.record(viewer, "report.make", {"finding": finding_ref,
                                               "run": f.get("run_id")},
                       records=1 + len(evidence) + len(events), persons=report.persons)
    return report
