"""The withdrawal manifest of the exchange format (``docs/exchange-format-withdrawal.md``):
a partner takes back whole deliveries or single records, read into a
:class:`graph.withdrawal.Withdrawal`.

It is checked as a delivery's manifest is: every problem named with its place in the file,
nothing applied when any is found. Raw identifiers (``"pseudonymised": false``) become
pseudonyms under the team key, as in a delivery.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, ValidationError

from graph.withdrawal import Record, Withdrawal
from ingest.errors import DeliveryRefused, KeyProblem
from ingest.pseudonymise import TeamKey

MAX_BYTES = 4 * 1024 * 1024
Ref = Annotated[str, Field(min_length=1, max_length=200)]
# the column that names a record of each file (graph.withdrawal.RECORD_LABELS: its label)
OWN_REF = {"persons.csv": "person_ref", "incidents.csv": "incident_ref",
           "signals.csv": "signal_ref", "locations.csv": "location_ref"}


class _Node(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    file: Literal["persons.csv", "incidents.csv", "signals.csv", "locations.csv"]
    person_ref: Ref | None = None
    incident_ref: Ref | None = None
    signal_ref: Ref | None = None
    location_ref: Ref | None = None


class _Involvement(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    file: Literal["involvements.csv"]
    incident_ref: Ref
    person_ref: Ref
    role: Literal["suspect", "victim", "witness", "reporter", "present", "collector"]


class _Manifest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    format: Literal["exchange/withdrawal-1"]
    partner: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]{0,63}$")]
    key_id: Annotated[str, Field(min_length=1, max_length=64)]
    pseudonymised: StrictBool
    reason: Annotated[str, Field(min_length=3, max_length=500)]
    deliveries: list[Annotated[str, Field(min_length=1, max_length=100)]] = []
    records: list[_Involvement | _Node] = []


def read(path: Path, key: TeamKey) -> Withdrawal:
    """The withdrawal at ``path``; :class:`DeliveryRefused` naming every problem."""
    if not path.is_file():
        raise DeliveryRefused(str(path), ["no such file"])
    if path.stat().st_size > MAX_BYTES:
        raise DeliveryRefused(str(path), ["larger than 4 MiB: split the withdrawal"])
    return parse(path.read_bytes(), str(path), key)


def parse(raw: bytes, source: str, key: TeamKey) -> Withdrawal:
    """The withdrawal in ``raw`` (the file ``source``, for messages)."""
    if len(raw) > MAX_BYTES:
        raise DeliveryRefused(source, ["larger than 4 MiB: split the withdrawal"])
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise DeliveryRefused(source, ["not UTF-8"]) from None
    except json.JSONDecodeError as exc:
        raise DeliveryRefused(source, [f"not valid JSON (line {exc.lineno}: {exc.msg})"]) from None
    try:
        manifest = _Manifest.model_validate(data)
    except ValidationError as exc:
        raise DeliveryRefused(source, [
            f"{'.'.join(str(p) for p in e['loc']) or 'withdrawal'}: {e['msg']}"
            for e in exc.errors()]) from None
    problems = []
    rows_key: TeamKey | None = None
    try:
        rows_key = key.for_rows(manifest.key_id, manifest.pseudonymised)
    except KeyProblem as exc:
        problems.append(str(exc))
    if not manifest.deliveries and not manifest.records:
        problems.append("names no delivery and no record: nothing to withdraw")

    def ref(value: str, identifying: bool) -> str:
        return rows_key.pseudonym(value) if identifying and rows_key is not None else value

    records = []
    for number, item in enumerate(manifest.records):
        if isinstance(item, _Involvement):
            records.append(Record(item.file, ref(item.person_ref, True),
                                  item.incident_ref, item.role))
            continue
        column = OWN_REF[item.file]
        given = {k: v for k, v in item.model_dump(exclude={"file"}).items() if v is not None}
        if set(given) != {column}:
            problems.append(f"records.{number}: a record of {item.file} is named by "
                            f"{column} alone")
            continue
        records.append(Record(item.file, ref(given[column], column == "person_ref")))
    if problems:
        raise DeliveryRefused(source, problems)
    return Withdrawal(manifest.partner, manifest.reason, list(manifest.deliveries), records)
