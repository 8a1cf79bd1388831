"""The exchange format v1 files, column by column: what each cell may hold, and the
typed record each good row becomes.

A parser takes the cell's text and returns the typed value, or raises
:class:`CellError` with a reason. Reasons never repeat the cell's value (it may be a
raw identifier); the file, line and column say where to look.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

MAX_REF = 128
MAX_TEXT = 200
MAX_CELL = 1000
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

# Columns that carry data the exchange format forbids. Refused with their own message.
FORBIDDEN_COLUMNS = frozenset({
    "name", "first_name", "last_name", "surname", "given_name", "given_names", "full_name",
    "initials", "nationality", "ethnicity", "ethnic_origin", "race", "religion",
    "country_of_birth", "place_of_birth", "date_of_birth", "birth_date", "dob", "address",
    "street", "house_number", "postcode", "postal_code", "zip", "bsn", "national_number",
    "national_id", "passport_number", "email", "phone_number",
})


class CellError(ValueError):
    """A cell that does not hold what its column promises."""


Parser = Callable[[str], Any]

# C0 control characters and DEL; one regex scan is ~20x faster than testing each
# character in Python, and refs are most of what a delivery holds.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Free text (a city, a location's name) may hold what RFC 4180 quoting is for: a line
# break or a tab inside quotes. Rejecting it would also reject every incident, stay and
# signal at that location. Other control characters are no text.
_C0_BUT_BREAKS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def ref(text: str) -> str:
    if _CONTROL.search(text):
        raise CellError("holds control characters")
    value = text.strip()
    if len(value) > MAX_REF:
        raise CellError(f"is longer than {MAX_REF} characters")
    return value


def free_text(text: str) -> str:
    value = text.strip()
    if len(value) > MAX_TEXT:
        raise CellError(f"is longer than {MAX_TEXT} characters")
    if value.startswith(FORMULA_PREFIXES):
        raise CellError("starts with = + - @ (a spreadsheet formula prefix); free text may not")
    if _C0_BUT_BREAKS.search(value):
        raise CellError("holds control characters")
    return value


def one_of(*values: str) -> Parser:
    allowed = frozenset(values)
    expected = ", ".join(values)

    def parse(text: str) -> str:
        value = text.strip()
        if value not in allowed:
            raise CellError(f"is not one of: {expected}")
        return value

    return parse


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?$")


def iso_date(text: str) -> date:
    value = text.strip()
    if not _DATE.match(value):
        raise CellError("is not an ISO 8601 date (YYYY-MM-DD)")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CellError("is not a date of the calendar") from None


def date_or_datetime(text: str) -> date | datetime:
    value = text.strip()
    if _DATE.match(value):
        return iso_date(value)
    if not _DATETIME.match(value):
        raise CellError("is not an ISO 8601 date or date-time")
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise CellError("is not a date-time of the calendar") from None


def year(text: str) -> int:
    value = text.strip()
    if not re.fullmatch(r"\d{4}", value):
        raise CellError("is not a four-digit year")
    number = int(value)
    if number < 1900:
        raise CellError("is before 1900")
    return number


def coordinate(limit: float) -> Parser:
    def parse(text: str) -> float:
        value = text.strip()
        if not re.fullmatch(r"-?\d{1,3}(\.\d+)?", value):
            raise CellError("is not a decimal number")
        if "." in value and len(value.split(".")[1]) > 3:
            raise CellError("has more than 3 decimals; coarsen coordinates to at most 3")
        number = float(value)
        if not -limit <= number <= limit:
            raise CellError(f"is outside -{limit:g}..{limit:g}")
        return number

    return parse


def country(text: str) -> str:
    value = text.strip()
    if not re.fullmatch(r"[A-Z]{2}", value):
        raise CellError("is not an ISO 3166-1 alpha-2 code (two capital letters)")
    return value


@dataclass(frozen=True)
class Column:
    name: str
    parse: Parser
    required: bool = False
    identifying: bool = False  # pseudonymised when the delivery is not
    default: Any = None


@dataclass(frozen=True)
class FileSpec:
    """One CSV file of the exchange format."""

    filename: str
    columns: tuple[Column, ...]
    version: str = "1"  # the first version of the exchange format that has the file

    @property
    def names(self) -> frozenset[str]:
        return frozenset(c.name for c in self.columns)

    @property
    def required(self) -> frozenset[str]:
        return frozenset(c.name for c in self.columns if c.required)


INCIDENT_KINDS = ("pickpocketing", "shoplifting", "burglary", "theft", "fraud", "drugs",
                  "begging", "violence", "other")
SIGNAL_KINDS = ("runaway", "missing", "no_id_documents", "carrying_cash", "school_absence",
                "unaccompanied_travel", "claimed_relative", "other")
LOCATION_KINDS = ("station", "shopping_street", "shop", "market", "public_transport",
                  "residence", "shelter", "school", "other")
ROLES = ("suspect", "victim", "witness", "reporter", "present", "collector")
RELATION_KINDS = ("parent", "sibling", "legal_guardian", "household", "partner", "caseworker",
                  "associate")
IDENTIFIER_KINDS = ("phone", "vehicle", "address", "account")
PARTNER_KINDS = ("police", "prosecution", "youth_care", "shelter", "municipality",
                 "child_protection", "foreign_police", "other")
# Exchange format 1.1: who may declare a person one of its professionals (or a foster
# parent), by role. A partner declares only what it can know first hand: its own staff,
# those it assigns or contracts, those it registers.
DECLARERS: dict[str, frozenset[str]] = {
    "caseworker": frozenset({"youth_care", "child_protection", "shelter", "municipality"}),
    "youth_worker": frozenset({"youth_care", "municipality"}),
    "shelter_staff": frozenset({"shelter"}),
    "foster_parent": frozenset({"youth_care", "child_protection"}),
    "teacher": frozenset({"municipality"}),
    "coach": frozenset({"municipality"}),
    "lawyer": frozenset({"prosecution", "child_protection", "police"}),
    "interpreter": frozenset({"police", "foreign_police", "prosecution", "child_protection"}),
    "store_detective": frozenset({"police"}),
}

# In load order: what a row names must be loaded before it.
FILES: tuple[FileSpec, ...] = (
    FileSpec("locations.csv", (
        Column("location_ref", ref, required=True),
        Column("kind", one_of(*LOCATION_KINDS), required=True),
        Column("city", free_text, required=True),
        Column("country", country, default="NL"),
        Column("lat", coordinate(90)),
        Column("lon", coordinate(180)),
        Column("name", free_text),
    )),
    FileSpec("persons.csv", (
        Column("person_ref", ref, required=True, identifying=True),
        Column("birth_year", year),
        Column("sex", one_of("f", "m", "x")),
        Column("category", one_of("minor", "adult")),
    )),
    FileSpec("professionals.csv", (
        Column("person_ref", ref, required=True, identifying=True),
        Column("role", one_of(*DECLARERS), required=True),
        Column("since", iso_date),
        Column("until", iso_date),
    ), version="1.1"),
    FileSpec("incidents.csv", (
        Column("incident_ref", ref, required=True),
        Column("kind", one_of(*INCIDENT_KINDS), required=True),
        Column("occurred_at", date_or_datetime, required=True),
        Column("location_ref", ref, required=True),
        Column("status", one_of("reported", "suspect_identified", "prosecuted", "convicted",
                                "dismissed")),
    )),
    FileSpec("involvements.csv", (
        Column("incident_ref", ref, required=True),
        Column("person_ref", ref, required=True, identifying=True),
        Column("role", one_of(*ROLES), required=True),
    )),
    FileSpec("signals.csv", (
        Column("signal_ref", ref, required=True),
        Column("person_ref", ref, required=True, identifying=True),
        Column("kind", one_of(*SIGNAL_KINDS), required=True),
        Column("observed_at", date_or_datetime, required=True),
        Column("location_ref", ref),
        Column("related_person_ref", ref, identifying=True),
    )),
    FileSpec("relations.csv", (
        Column("person_ref", ref, required=True, identifying=True),
        Column("other_ref", ref, required=True, identifying=True),
        Column("kind", one_of(*RELATION_KINDS), required=True),
        Column("since", iso_date),
        Column("until", iso_date),
    )),
    FileSpec("stays.csv", (
        Column("person_ref", ref, required=True, identifying=True),
        Column("location_ref", ref, required=True),
        Column("from", iso_date, required=True),
        Column("until", iso_date),
    )),
    FileSpec("identifiers.csv", (
        Column("person_ref", ref, required=True, identifying=True),
        Column("kind", one_of(*IDENTIFIER_KINDS), required=True),
        Column("identifier_ref", ref, required=True, identifying=True),
        Column("observed_at", iso_date),
    )),
    FileSpec("aliases.csv", (
        Column("person_ref", ref, required=True, identifying=True),
        Column("other_ref", ref, required=True, identifying=True),
        Column("basis", one_of("fingerprint", "photo", "document", "investigator"),
               required=True),
        Column("established_at", iso_date),
    )),
)

SPECS: dict[str, FileSpec] = {spec.filename: spec for spec in FILES}


def check_row(spec: FileSpec, row: dict[str, Any], *, extracted: date,
              partner_kind: str | None = None) -> tuple[str, str] | None:
    """Rules that span columns (and, for a declaration, the delivering partner's kind);
    ``(column, reason)`` of the first broken one, or None."""
    if spec.filename == "professionals.csv" and partner_kind is not None \
            and partner_kind not in DECLARERS[row["role"]]:
        allowed = ", ".join(sorted(DECLARERS[row["role"]]))
        return "role", (f"a {partner_kind} partner may not declare a {row['role']} (only: "
                        f"{allowed})")
    if row.get("birth_year") is not None and row["birth_year"] > extracted.year:
        return "birth_year", "is after the year of the extract (a birth year in the future)"
    for start, end in (("since", "until"), ("from", "until")):
        if row.get(start) is not None and row.get(end) is not None and row[end] < row[start]:
            return end, f"is before {start}"
    if (spec.filename in ("aliases.csv", "relations.csv")
            and row.get("person_ref") == row.get("other_ref")):
        return "other_ref", "names the same person as person_ref"
    if spec.filename == "signals.csv" and row.get("related_person_ref") == row.get("person_ref"):
        return "related_person_ref", "names the same person as person_ref"
    for name in ("occurred_at", "observed_at", "established_at", "since", "from"):
        value = row.get(name)
        if value is not None and day_of(value) > extracted:
            return name, "is after the extract was taken"
    return None


def day_of(value: date | datetime) -> date:
    """The calendar day of a date or date-time, as the partner wrote it."""
    return value.date() if isinstance(value, datetime) else value
