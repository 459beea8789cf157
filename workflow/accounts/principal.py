"""Who performs an action: a staff member, the applicant (through the portal) or the system."""

from __future__ import annotations

from dataclasses import dataclass

from states.policy import Actor, ActorKind, may_see_agency
from states.roles import Role


@dataclass(frozen=True)
class Principal:
    id: int | None  # None: the system (scheduler) or the applicant via the portal
    agency_id: int | None  # None: the system acting across agencies
    roles: frozenset[Role]
    label: str  # shown in the timeline: a name, "系统", "申请人"
    kind: str = "staff"  # staff | system | applicant (the applicant acting through the portal)
    supervises: frozenset[int] = frozenset()  # a supervisor's agencies below its own (states.policy)

    @property
    def actor(self) -> Actor:
        return Actor(self.id, self.roles, self.agency_id, ActorKind(self.kind), self.supervises)

    @property
    def is_system(self) -> bool:
        return self.id is None

    @property
    def is_applicant(self) -> bool:
        return self.kind == "applicant"

    def has(self, *roles: Role) -> bool:
        return bool(self.roles & set(roles))

    def can_see_agency(self, agency_id: int) -> bool:
        return may_see_agency(self.actor, agency_id)


def system(agency_id: int, label: str = "系统") -> Principal:
    return Principal(None, agency_id, frozenset(), label, "system")


def applicant(agency_id: int) -> Principal:
    """The applicant through the portal: may fire only states.disclosure.APPLICANT_ACTIONS."""
    return Principal(None, agency_id, frozenset(), "申请人（网上）", "applicant")
