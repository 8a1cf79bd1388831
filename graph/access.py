"""Who is reading: the signed-in user as ``graph``'s read API sees them.

Every read function of the dashboard takes a :class:`Viewer`. Roles decide which
capabilities a user has; the dashboard hides pages by the same table, but the read
API is where the rule is kept.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass, field, replace
from enum import StrEnum

from graph.errors import GraphError


class Role(StrEnum):
    ADMIN = "admin"
    INVESTIGATOR = "investigator"
    ANALYST = "analyst"
    PARTNER = "partner"  # a care partner: its own partner's records, and shared findings


class Capability(StrEnum):
    OVERVIEW = "overview"  # counts and charts, no person shown
    EXPLORE = "explore"  # candidates, explore, saved views
    CONSOLE = "console"  # read-only Cypher
    SHARE = "share"  # share findings with a team (of care partners)
    REVIEW = "review"  # decide on findings, and read those decisions
    USERS = "users"  # manage users
    AUDIT = "audit"  # read the audit log
    UPLOAD = "upload"  # upload a partner's delivery (its own partner's; an admin, any)


CAPABILITIES: dict[Role, frozenset[Capability]] = {
    Role.ADMIN: frozenset({Capability.OVERVIEW, Capability.USERS, Capability.AUDIT,
                           Capability.UPLOAD}),
    Role.INVESTIGATOR: frozenset({Capability.OVERVIEW, Capability.EXPLORE, Capability.CONSOLE,
                                  Capability.SHARE, Capability.REVIEW}),
    Role.ANALYST: frozenset({Capability.OVERVIEW, Capability.EXPLORE, Capability.REVIEW}),
    Role.PARTNER: frozenset({Capability.OVERVIEW, Capability.EXPLORE, Capability.UPLOAD}),
}
# Reads of personal data: none without a stated purpose.
PERSONAL: frozenset[Capability] = frozenset({Capability.EXPLORE, Capability.CONSOLE,
                                             Capability.SHARE, Capability.REVIEW,
                                             Capability.AUDIT})


class AccessDenied(GraphError):
    """The viewer's role does not allow this read."""

    def __init__(self, user: str, capability: Capability) -> None:
        super().__init__(f"user {user!r} may not use {capability.value}")
        self.user = user
        self.capability = capability


class PurposeMissing(GraphError):
    """Personal data is read only for a stated purpose (a case number and a reason)."""

    def __init__(self, user: str) -> None:
        super().__init__(f"user {user!r} has not stated the purpose of this session")
        self.user = user


@dataclass(frozen=True)
class Purpose:
    """Why a session reads personal data: a case or request number and a short reason."""

    case: str
    reason: str

    def __str__(self) -> str:
        return f"{self.case}: {self.reason}"


@dataclass(frozen=True)
class Viewer:
    user: str
    role: Role
    teams: tuple[str, ...] = field(default=())
    partner: str | None = None  # the organisation the user works for
    purpose: Purpose | None = None

    def can(self, capability: Capability) -> bool:
        return capability in CAPABILITIES[self.role]

    def require(self, capability: Capability) -> None:
        """:class:`AccessDenied` without the capability; :class:`PurposeMissing` for a read
        of personal data in a session without a purpose."""
        if not self.can(capability):
            raise AccessDenied(self.user, capability)
        if capability in PERSONAL and self.purpose is None:
            raise PurposeMissing(self.user)

    @property
    def only_partner(self) -> str | None:
        """The partner whose records alone this viewer may see (``None``: no such limit)."""
        if self.role is Role.PARTNER:
            return self.partner or "\u0000no partner"  # a partner user without one sees nothing
        return None

    def with_purpose(self, purpose: Purpose) -> Viewer:
        return replace(self, purpose=purpose)


# Schakel itself, for what it reads without a person asking (a scheduled run, a test).
SYSTEM = Viewer("system", Role.INVESTIGATOR, purpose=Purpose("-", "no purpose was stated"))


def command_line(case: str = "-", reason: str = "-") -> Viewer:
    """Whoever runs a ``schakel`` command on this machine, as the audit log records them:
    an investigator, with the case and reason the command was given."""
    return Viewer(f"cli:{getpass.getuser()}", Role.INVESTIGATOR,
                  purpose=Purpose(case.strip() or "-", reason.strip() or "-"))

