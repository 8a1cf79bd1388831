"""Reviews of findings: what an analyst decided about a person the analysis ranked.

A finding is a set of pattern hits for a person to review, never a conclusion. A review
records the person's decision on it — a lead to pursue, explained by a family tie or by
the adult's work, or not enough to act on — with who decided and when. Every review is a
new ``Review`` node: nothing is overwritten, so the history shows who decided what. A
review is about the person (``person_ref``), not only the run: the next run's finding for
the same person shows it, with the run and the patterns it was made on, so a team does
not review the same caseworker twice, and sees when new patterns have come up since.

There is no free-text note: a note is where a child's name would end up, and the
decisions say why. Reviews are made and read by analysts and investigators; a care
partner's users see neither. Retention deletes the reviews of a person who has left the
graph.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, LiteralString

from graph.access import Capability, Viewer
from graph.errors import GraphError
from graph.store import Store, plain
from i18n import N_, _


class Decision(StrEnum):
    OPEN = "open"
    PURSUE = "pursue"
    FAMILY = "explained_family"
    WORK = "explained_work"
    INSUFFICIENT = "insufficient"


DECISIONS: dict[Decision, str] = {
    Decision.OPEN: N_("open: not decided yet"),
    Decision.PURSUE: N_("a lead to pursue"),
    Decision.FAMILY: N_("explained: a family tie not on record"),
    Decision.WORK: N_("explained: their work (caseworker, staff, store detective, "
                      "youth worker)"),
    Decision.INSUFFICIENT: N_("not enough to act on"),
}
# Decisions that say the hits have an innocent explanation: the page can hide them.
EXPLAINED = frozenset({Decision.FAMILY, Decision.WORK})


def label_of(decision: str) -> str:
    """How the page names a decision stored as ``decision`` (as stored, if unknown)."""
    if decision not in Decision._value2member_map_:
        return decision
    return _(DECISIONS[Decision(decision)])


class ReviewRefused(GraphError):
    """No such finding, or not a decision."""


@dataclass(frozen=True)
class Review:
    person_ref: str
    run_id: str
    finding: str
    decision: Decision
    by: str
    at: str
    patterns: tuple[str, ...]

    @property
    def label(self) -> str:
        return _(DECISIONS[self.decision])


SAVE: LiteralString = (
    "MATCH (f:Finding {ref: $finding}) "
    "CREATE (r:Review {ref: randomUUID()}) "
    "SET r.person_ref = f.person_ref, r.run_id = f.run_id, r.finding = f.ref, "
    "r.patterns = f.patterns, r.decision = $decision, r.by = $user, r.at = datetime(), "
    "r.partners = [], r.deliveries = [] "
    "RETURN properties(r) AS r")
OF_PERSONS: LiteralString = (
    "MATCH (r:Review) WHERE r.person_ref IN $persons "
    "RETURN properties(r) AS r ORDER BY r.at DESC, r.ref")
# Run by retention: the reviews of persons no longer in the graph.
DROP_ORPHANS: LiteralString = (
    "MATCH (r:Review) WHERE NOT EXISTS { MATCH (:Person {ref: r.person_ref}) } "
    "DELETE r RETURN count(*) AS removed")


def _review(props: dict[str, Any]) -> Review:
    p = plain(props)
    return Review(p["person_ref"], p["run_id"], p["finding"], Decision(p["decision"]), p["by"],
                  p["at"], tuple(p.get("patterns") or ()))


def decide(store: Store, viewer: Viewer, finding: str, decision: Decision | str) -> Review:
    """Record ``viewer``'s decision on a finding (a new review; earlier ones stay)."""
    viewer.require(Capability.REVIEW)
    if decision not in Decision._value2member_map_:
        raise ReviewRefused(f"{decision!r} is not a decision: one of "
                            + ", ".join(d.value for d in Decision))
    rows = store.run(SAVE, {"finding": finding, "decision": str(decision),
                            "user": viewer.user})
    if not rows:
        raise ReviewRefused(f"no finding {finding!r}")
    review = _review(rows[0]["r"])
    store.audit.record(viewer, "findings.review", {"finding": finding,
                                                   "decision": review.decision.value},
                       records=1, persons=[review.person_ref])
    return review


def of_persons(store: Store, viewer: Viewer, persons: list[str]) -> dict[str, list[Review]]:
    """Every review of each of these persons, newest first."""
    viewer.require(Capability.REVIEW)
    found: dict[str, list[Review]] = {}
    for row in store.run(OF_PERSONS, {"persons": persons}, read_only=True):
        review = _review(row["r"])
        found.setdefault(review.person_ref, []).append(review)
    store.audit.record(viewer, "findings.reviews", {"persons": len(persons)},
                       records=sum(map(len, found.values())), persons=sorted(found))
    return found
