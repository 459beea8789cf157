"""The one authorization policy (pure): who sees which case, with which personal data, and who may fire
which row of a transition table.

Used by the case engine for every request kind and therefore by the API, the pages, file downloads and
exports alike. No DB, no I/O: the caller passes the actor and the two facts of the case that matter
(its agency and its assignee).

The rules:

* Nobody acts on another agency's cases. A supervisor reads the cases of its own agency and of the agencies
  below it in the hierarchy (``Actor.supervises``: a county's supervising office over its departments and
  towns), masked, and never acts as a supervisor; an agency beside or above its own stays hidden.
* The front desk and leaders see every case of their agency in full and fire their rows on any of them.
* An officer sees and acts only on the cases assigned to them; a leader who is also an officer may step in
  on officer rows of any case of the agency.
* An administrator manages users, calendars and templates: no case content, no applicant files.
* The instance administrator creates agencies and their administrators; an agency's administrator manages only
  its own agency's users and settings.
* The system (scheduler) fires the rows marked ``system``; the applicant acts through the portal only.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from states.roles import Role


class ActorKind(StrEnum):
    STAFF = "staff"
    SYSTEM = "system"  # the scheduler
    APPLICANT = "applicant"  # the applicant through the portal


class Sight(StrEnum):
    """How much of a case an actor may read."""

    NONE = "none"
    MASKED = "masked"  # the case, with identity numbers and phones masked; no applicant files
    FULL = "full"


WIDE_ROLES = frozenset({Role.FRONT_DESK, Role.LEADER})  # the agency's whole caseload, in full
LIST_ROLES = frozenset({Role.FRONT_DESK, Role.LEADER, Role.SUPERVISOR})  # list every case, not only their own
CASE_ROLES = frozenset({Role.FRONT_DESK, Role.LEADER, Role.OFFICER, Role.SUPERVISOR})  # may open case screens


@dataclass(frozen=True)
class Actor:
    """Who acts: id (None for the system or the applicant), roles, own agency, kind."""

    id: int | None
    roles: frozenset[Role]
    agency_id: int | None = None
    kind: ActorKind = ActorKind.STAFF
    supervises: frozenset[int] = frozenset()  # the agencies below ``agency_id`` (workflow.agencies.registry)

    @property
    def is_system(self) -> bool:
        """The scheduler or the applicant: fires only rows marked ``system`` (the kind narrows further)."""
        return self.id is None

    def has(self, *roles: Role) -> bool:
        return bool(self.roles & set(roles))


SYSTEM = Actor(None, frozenset(), None, ActorKind.SYSTEM)


@dataclass(frozen=True)
class CaseParty:
    """The facts of a case the policy reads."""

    agency_id: int
    assignee_id: int | None


def own_case(actor: Actor, case: CaseParty) -> bool:
    return actor.agency_id == case.agency_id


def is_assignee(actor: Actor, case: CaseParty) -> bool:
    return actor.id is not None and case.assignee_id == actor.id


def supervises(actor: Actor, agency_id: int) -> bool:
    """A supervisor's reach: its own agency and every agency below it, nothing beside or above."""
    return Role.SUPERVISOR in actor.roles and (agency_id == actor.agency_id or agency_id in actor.supervises)


def may_see_agency(actor: Actor, agency_id: int) -> bool:
    """Whether ``agency_id``'s cases exist for the actor at all (otherwise: not found, never forbidden)."""
    return actor.agency_id == agency_id or supervises(actor, agency_id)


def sight(actor: Actor, case: CaseParty) -> Sight:
    """How much of ``case`` the actor may read."""
    if actor.kind == ActorKind.SYSTEM:
        return Sight.FULL
    if actor.kind == ActorKind.APPLICANT:
        return Sight.FULL if own_case(actor, case) else Sight.NONE  # the portal checked the query code
    if own_case(actor, case):
        if actor.roles & WIDE_ROLES:
            return Sight.FULL
        if Role.OFFICER in actor.roles and is_assignee(actor, case):
            return Sight.FULL
    if supervises(actor, case.agency_id):
        return Sight.MASKED
    return Sight.NONE


def may_read_files(actor: Actor, case: CaseParty) -> bool:
    """Applicant uploads and documents of a case: only those who see it in full."""
    return sight(actor, case) == Sight.FULL


def may_fire(roles: frozenset[Role], actor: Actor, case: CaseParty | None) -> bool:
    """May ``actor`` fire a row open to ``roles`` on ``case``? (``case`` None: judged on roles alone.)"""
    if actor.is_system:
        return False  # system rows are judged by the machine (``Transition.system``)
    if case is not None and not own_case(actor, case):
        return False  # supervisors read the agencies below theirs; nobody acts there
    matched = roles & actor.roles
    if matched - {Role.OFFICER}:
        return True  # front desk, leader: any case of the agency
    if Role.OFFICER in matched:
        # An officer acts on the cases assigned to them; a leader who is also an officer may step in.
        return case is None or is_assignee(actor, case) or Role.LEADER in actor.roles
    return False


def lists_all_cases(actor: Actor) -> bool:
    """Case lists: the whole agency (front desk, leaders, supervisors) or only one's own cases (officers)."""
    return bool(actor.roles & LIST_ROLES)


def may_list_cases(actor: Actor) -> bool:
    return bool(actor.roles & CASE_ROLES)


def may_manage_agencies(actor: Actor) -> bool:
    """Create, edit, move or deactivate agencies: the instance administrator, or the command line (which has the
    database's own access)."""
    return actor.kind == ActorKind.SYSTEM or Role.INSTANCE_ADMIN in actor.roles


def may_administer(actor: Actor, agency_id: int) -> bool:
    """Manage ``agency_id``'s users and settings: the instance administrator for any agency, an agency's
    administrator for its own only."""
    if may_manage_agencies(actor):
        return True
    return Role.ADMIN in actor.roles and actor.agency_id == agency_id


def may_grant(actor: Actor, roles: frozenset[Role]) -> bool:
    """Only the instance administrator (or the command line) makes another instance administrator."""
    return Role.INSTANCE_ADMIN not in roles or may_manage_agencies(actor)


def may_import_history(actor: Actor) -> bool:
    """Bring an agency's paper history in (the go-live import, workflow.golive): its administrator or a leader,
    for their own agency. The import then replays each step as the role that takes it (registration, assignment,
    the officer's steps, an approval) — what several clerks did on paper."""
    return actor.kind == ActorKind.STAFF and actor.agency_id is not None and bool(
        actor.roles & {Role.ADMIN, Role.LEADER})
