"""What the graph already holds, read without writing: for a dry run of a delivery
(:mod:`ingest.check`) and the upload page's preview.

Every query here is read-only and parameterised; labels come from :class:`Label`, never
from input.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import LiteralString, cast

from graph import schema
from graph.schema import Label
from graph.store import Store

CHUNK = 10_000  # refs to a query

# The labels a delivery's refs can name (records of exchange format v1 that have a ref).
KNOWABLE = frozenset({Label.LOCATION, Label.PERSON, Label.INCIDENT, Label.SIGNAL})


def existing(store: Store, label: Label, refs: Iterable[str], *,
             partner: str | None = None) -> set[str]:
    """Those of ``refs`` that name a node of ``label`` in the graph (``partner``: that
    this partner delivered, for a partner's user, who may not learn what others hold)."""
    if label not in KNOWABLE:
        raise ValueError(f"not a label a delivery's refs name: {label}")
    query = cast(LiteralString,
                 f"UNWIND $refs AS ref MATCH (n:{schema.label(label)} {{ref: ref}}) "
                 "WHERE $partner IS NULL OR $partner IN n.partners "
                 "RETURN collect(ref) AS found")
    wanted = sorted(set(refs))
    found: set[str] = set()
    for start in range(0, len(wanted), CHUNK):
        rows = store.run(query, {"refs": wanted[start:start + CHUNK], "partner": partner},
                         read_only=True)
        found.update(rows[0]["found"])
    return found


@dataclass(frozen=True)
class Loaded:
    """A delivery with the same content, loaded before."""

    ref: str
    status: str
    loaded_at: datetime | None


LOADED = ("MATCH (d:Delivery {checksum: $checksum}) "
          "RETURN d.ref AS ref, d.status AS status, d.loaded_at AS loaded_at "
          "ORDER BY d.loaded_at LIMIT 1")


def loaded_before(store: Store, checksum: str) -> Loaded | None:
    """The delivery with this ``checksum`` (the same files, byte for byte), if loaded."""
    rows = store.run(LOADED, {"checksum": checksum}, read_only=True)
    if not rows:
        return None
    at = rows[0]["loaded_at"]
    return Loaded(rows[0]["ref"], rows[0]["status"] or "",
                  at.to_native() if hasattr(at, "to_native") else at)
