"""The Schakel graph schema: the one source of every label, relationship type and
property name that reaches Cypher.

Labels and relationship types cannot be query parameters, so every query that needs
one takes it from here through :func:`label` or :func:`rel_type`, which refuse any
name that is not in these lists. Investigators type these names: keep them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from graph.errors import SchemaError


class Label(StrEnum):
    PERSON = "Person"
    MINOR = "Minor"  # extra label: under 18 at some recorded event
    INCIDENT = "Incident"
    LOCATION = "Location"
    SIGNAL = "Signal"
    IDENTIFIER = "Identifier"
    DELIVERY = "Delivery"
    FINDING = "Finding"
    STRUCTURE = "Structure"
    SAVED_VIEW = "SavedView"
    REVIEW = "Review"  # an analyst's decision on a finding (graph/reviews.py)
    # The inbox (graph/inbox/): what a delivery or a run means for a partner, team or user.
    # `Alert` is what the dashboard and the command line call a signal; the label `Signal`
    # is taken by the partners' own records (a runaway or missing report).
    ALERT = "Alert"
    WATCH = "Watch"  # a user watches a person, structure, place or city
    RULE = "Rule"  # a team's saved read-only query, run after every delivery


class Rel(StrEnum):
    # (Person)-[role]->(Incident): one type per involvement role
    SUSPECT_IN = "SUSPECT_IN"
    VICTIM_IN = "VICTIM_IN"
    WITNESS_IN = "WITNESS_IN"
    REPORTED = "REPORTED"
    PRESENT_AT = "PRESENT_AT"
    COLLECTED_AFTER = "COLLECTED_AFTER"
    # places and signals
    AT = "AT"
    ABOUT = "ABOUT"
    NAMES = "NAMES"
    STAYED_AT = "STAYED_AT"
    USES = "USES"
    # known ties between persons
    PARENT_OF = "PARENT_OF"
    SIBLING_OF = "SIBLING_OF"
    LEGAL_GUARDIAN_OF = "LEGAL_GUARDIAN_OF"
    SAME_HOUSEHOLD = "SAME_HOUSEHOLD"
    PARTNER_OF = "PARTNER_OF"
    CASEWORKER_OF = "CASEWORKER_OF"
    ASSOCIATE_OF = "ASSOCIATE_OF"
    SAME_AS = "SAME_AS"
    # (Delivery)-[:DECLARES {role}]->(Person): a partner's declared professional (format 1.1)
    DECLARES = "DECLARES"
    # analysis
    CONCERNS = "CONCERNS"
    SUPPORTED_BY = "SUPPORTED_BY"
    HAS_MEMBER = "HAS_MEMBER"


# exchange-format role -> relationship type
INVOLVEMENT_ROLES: dict[str, Rel] = {
    "suspect": Rel.SUSPECT_IN,
    "victim": Rel.VICTIM_IN,
    "witness": Rel.WITNESS_IN,
    "reporter": Rel.REPORTED,
    "present": Rel.PRESENT_AT,
    "collector": Rel.COLLECTED_AFTER,
}

# exchange-format relation kind -> relationship type (person_ref is <kind> of other_ref)
RELATION_KINDS: dict[str, Rel] = {
    "parent": Rel.PARENT_OF,
    "sibling": Rel.SIBLING_OF,
    "legal_guardian": Rel.LEGAL_GUARDIAN_OF,
    "household": Rel.SAME_HOUSEHOLD,
    "partner": Rel.PARTNER_OF,
    "caseworker": Rel.CASEWORKER_OF,
    "associate": Rel.ASSOCIATE_OF,
}

FAMILY_TIES: frozenset[Rel] = frozenset(
    {Rel.PARENT_OF, Rel.SIBLING_OF, Rel.LEGAL_GUARDIAN_OF, Rel.SAME_HOUSEHOLD, Rel.PARTNER_OF}
)
PROFESSIONAL_TIES: frozenset[Rel] = frozenset({Rel.CASEWORKER_OF})

# Nodes that carry a unique `ref`. `Minor` is an extra label on Person, not a node kind.
KEYED_LABELS: tuple[Label, ...] = tuple(label for label in Label if label is not Label.MINOR)

# Provenance: every node and relationship lists where it came from.
PROVENANCE_PROPERTIES: tuple[str, str] = ("partners", "deliveries")


@dataclass(frozen=True)
class Constraint:
    name: str
    label: Label
    key: str

    @property
    def cypher(self) -> str:
        return (
            f"CREATE CONSTRAINT {self.name} IF NOT EXISTS "
            f"FOR (n:{self.label}) REQUIRE n.{self.key} IS UNIQUE"
        )


@dataclass(frozen=True)
class Index:
    name: str
    label: Label
    key: str

    @property
    def cypher(self) -> str:
        return f"CREATE INDEX {self.name} IF NOT EXISTS FOR (n:{self.label}) ON (n.{self.key})"


CONSTRAINTS: tuple[Constraint, ...] = (
    *(Constraint(f"{label.lower()}_ref_unique", label, "ref") for label in KEYED_LABELS),
    # graph/codenames.py: a person's own codename is unique in the database
    Constraint("person_own_codename_unique", Label.PERSON, "own_codename"),
)

INDEXES: tuple[Index, ...] = (
    Index("person_codename", Label.PERSON, "codename"),
    Index("incident_occurred_at", Label.INCIDENT, "occurred_at"),
    Index("incident_kind", Label.INCIDENT, "kind"),
    Index("signal_kind", Label.SIGNAL, "kind"),
    Index("signal_observed_at", Label.SIGNAL, "observed_at"),
    Index("location_city", Label.LOCATION, "city"),
    Index("delivery_partner", Label.DELIVERY, "partner"),
    Index("finding_run", Label.FINDING, "run_id"),
    Index("structure_run", Label.STRUCTURE, "run_id"),
    Index("saved_view_owner", Label.SAVED_VIEW, "owner"),
    Index("saved_view_id", Label.SAVED_VIEW, "view_id"),
    Index("review_person", Label.REVIEW, "person_ref"),
    Index("alert_addressee", Label.ALERT, "addressee"),
    Index("alert_status", Label.ALERT, "status"),
)


def label(name: object) -> str:
    """``name`` as a label that is safe to put in Cypher, or :class:`SchemaError`.

    >>> label("Person")
    'Person'
    """
    if isinstance(name, str) and name in Label._value2member_map_:
        return name
    raise SchemaError("label", name)


def rel_type(name: object) -> str:
    """``name`` as a relationship type that is safe to put in Cypher, or :class:`SchemaError`."""
    if isinstance(name, str) and name in Rel._value2member_map_:
        return name
    raise SchemaError("relationship type", name)
