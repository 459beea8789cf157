"""Who may be given a case: an active officer of the case's agency (both kinds)."""

from __future__ import annotations

from sqlmodel import Session

from db.models import User
from states.roles import Role
from workflow.accounts.memberships import member_officers
from workflow.accounts.roles import roles_of
from workflow.errors import DomainValidation


def validate_assignee(session: Session, agency_id: int, assignee_id: int, field: str = "assignee_id") -> User:
    """The officer, of the agency or holding the officer's role there besides their own agency (then without the
    unit: units belong to the person's own agency)."""
    user = session.get(User, assignee_id)
    if user is not None and user.active and user.agency_id != agency_id:
        member = next((u for u in member_officers(session, agency_id) if u.id == user.id), None)
        if member is not None:
            return User.model_validate({**user.model_dump(), "unit_id": None})  # a detached copy
    if (user is None or user.id is None or user.agency_id != agency_id or not user.active
            or Role.OFFICER not in roles_of(session, user.id, agency_id)):
        raise DomainValidation.one(field, "invalid_assignee", "承办人不存在或不是本机关的承办人")
    return user
