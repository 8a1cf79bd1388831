"""Who is reading: the signed-in user as ``graph``'s read API sees them.

Every read function of the dashboard takes a :class:`Viewer`. Roles decide which
capabilities a user has; the dashboard hides pages by the same table, but the read
API is where the rule is kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from graph.errors import GraphError


class Role(StrEnum):
    ADMIN = "admin"
    INVESTIGATOR = "investigator"
    ANALYST = "analyst"


class Capability(StrEnum):
    OVERVIEW = "overview"  # counts and charts, no person shown
    EXPLORE = "explore"  # candidates, explore, saved views
    CONSOLE = "console"  # read-only Cypher
    USERS = "users"  # manage users


CAPABILITIES: dict[Role, frozenset[Capability]] = {
    Role.ADMIN: frozenset({Capability.OVERVIEW, Capability.USERS}),
    Role.INVESTIGATOR: frozenset({Capability.OVERVIEW, Capability.EXPLORE, Capability.CONSOLE}),
    Role.ANALYST: frozenset({Capability.OVERVIEW, Capability.EXPLORE}),
}


class AccessDenied(GraphError):
    """The viewer's role does not allow this read."""

    def __init__(self, user: str, capability: Capability) -> None:
        super().__init__(f"user {user!r} may not use {capability.value}")
        self.user = user
        self.capability = capability


@dataclass(frozen=True)
class Viewer:
    user: str
    role: Role
    teams: tuple[str, ...] = field(default=())

    def can(self, capability: Capability) -> bool:
        return capability in CAPABILITIES[self.role]

    def require(self, capability: Capability) -> None:
        if not self.can(capability):
            raise AccessDenied(self.user, capability)
