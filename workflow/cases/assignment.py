"""Who may be given a case: an active officer of the case's agency (both kinds)."""

from __future__ import annotations

from sqlmodel import Session

from db.models import User
from states.roles import Role
from workflow.errors import DomainValidation


def validate_assignee(session: Session, agency_id: int, assignee_id: int, field: str = "assignee_id") -> User:
    user = session.get(User, assignee_id)
    if user is None or user.agency_id != agency_id or not user.active or Role.OFFICER not in user.role_set:
        raise DomainValidation.one(field, "invalid_assignee", "承办人不存在或不是本机关的承办人")
    return user
