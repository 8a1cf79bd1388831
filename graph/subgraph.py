"""What a read of the graph gives to draw: nodes, relationships and the subgraph they make.

These are plain values, shared by exploration (:mod:`graph.explore`), the console
(:mod:`graph.console`) and the dashboard's drawing; how they are worded for a reader is
the dashboard's business (``dashboard/text.py``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from graph.schema import Label
from graph.words import word

# Node kinds as the dashboard shows them.
KINDS: tuple[str, ...] = ("minor", "adult", "incident", "location", "signal", "identifier")
# The kinds that are persons (kind_of): what the audit log names.
PERSON_KINDS = frozenset({"minor", "adult"})


def kind_of(labels: Iterable[str]) -> str:
    """The kind the dashboard shows for a node with these labels."""
    labels = set(labels)
    if Label.MINOR in labels:
        return "minor"
    if Label.PERSON in labels:
        return "adult"
    for lab in (Label.INCIDENT, Label.LOCATION, Label.SIGNAL, Label.IDENTIFIER):
        if lab in labels:
            return lab.value.lower()
    return "other"


@dataclass(frozen=True)
class Decided:
    """The team's latest decision on a ranked person (a value of graph.reviews.Decision)."""

    decision: str
    by: str
    at: str


@dataclass
class GraphNode:
    id: str
    ref: str
    kind: str
    props: dict[str, Any]
    hop: int = 0
    flagged: tuple[int, float] | None = None  # (rank, score) in the latest analysis run
    decided: Decided | None = None  # a ranked person's latest review, for who may see it
    via: str | None = None  # in a path: the expanded node that brought this one, not a path

    @property
    def caption(self) -> str:
        """A short label: the kind of incident or signal, the place, a person's codename,
        or the start of the ref."""
        p = self.props
        if self.kind in ("incident", "signal"):
            when = str(p.get("occurred_at") or p.get("observed_at") or "")[:10]
            return f"{word(p.get('kind')) or self.kind} {when}".strip()
        if self.kind == "location":
            return str(p.get("name") or p.get("city") or self.ref)
        if self.kind in PERSON_KINDS and p.get("codename"):
            return str(p["codename"])
        return self.ref[:12] + ("…" if len(self.ref) > 12 else "")


@dataclass
class GraphEdge:
    id: str
    source: str
    target: str
    type: str
    props: dict[str, Any] = field(default_factory=dict)


@dataclass
class Subgraph:
    nodes: dict[str, GraphNode]
    edges: list[GraphEdge]
    total: int  # nodes within reach, shown or not
    exact: bool = True  # False when a hop was cut short and ``total`` is a lower bound
    seeds: tuple[str, ...] = ()
    layered: bool = False  # drawn in columns by ``hop`` (a path), not in rings

    @property
    def truncated(self) -> bool:
        return len(self.nodes) < self.total
