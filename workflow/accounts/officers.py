"""The officers (承办人) a case can be given to in an agency: its own, by name, then those of other agencies who
hold the role there (兼任). Read-only; the form's choices, not the check (workflow.cases.assignment)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from db.engine import read_session
from db.models import Unit, User
from states.roles import Role
from workflow.accounts.memberships import member_officers
from workflow.accounts.roles import holders
from workflow.runtime import Engine


@dataclass(frozen=True)
class Officer:
    id: int
    display_name: str
    unit_name: str  # "" without a unit
    member: bool = False  # of another agency, an officer here too (兼任)

    @property
    def label(self) -> str:
        """How a form names the officer: 姓名（科室）, 姓名（兼任）, or the bare name without a unit."""
        if self.member:
            return f"{self.display_name}（兼任）"
        return f"{self.display_name}（{self.unit_name}）" if self.unit_name else self.display_name


def officers_in(s: Session, agency_id: int) -> list[Officer]:
    """Active officers of the agency, by name, then the members of other agencies who are officers here."""
    rows = s.exec(select(User, Unit.name).outerjoin(Unit, col(Unit.id) == col(User.unit_id))
                  .where(User.agency_id == agency_id, col(User.active)).order_by(col(User.display_name))).all()
    own = {u.id for u in holders(s, agency_id, Role.OFFICER)}
    members = member_officers(s, agency_id)
    return [Officer(u.id or 0, u.display_name, unit or "") for u, unit in rows if u.id in own] + \
        [Officer(u.id or 0, u.display_name, "", member=True) for u in members]


def officers_of(engine: Engine, agency_id: int) -> list[Officer]:
    """``officers_in`` in its own read session (a form that needs nothing else)."""
    with read_session(engine) as s:
        return officers_in(s, agency_id)
