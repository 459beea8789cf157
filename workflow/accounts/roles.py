"""Roles as rows (issue 17): who holds which role in which agency — one ``user_role`` row per (person, agency,
role), read and written here only. A person holds roles in their own agency (``app_user.agency_id``) and possibly
in others they also serve (兼任, workflow.accounts.memberships). Every reader answers ``frozenset[Role]``; what people
type (a list of names, or comma text on the command line) is parsed once, by workflow.accounts.users.checked_roles.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from typing import Any

from sqlalchemy import delete, event
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, col, select

from db.models import User, UserRole
from states.roles import Role


def _grouped(rows: Iterable[tuple[int, str]]) -> dict[int, frozenset[Role]]:
    out: dict[int, set[Role]] = defaultdict(set)
    for key, role in rows:
        out[key].add(Role(role))
    return {k: frozenset(v) for k, v in out.items()}


# A person's roles in an agency, read once per transaction: an import checks the same officer for every row it
# assigns (workflow.cases.assignment). Forgotten when the transaction ends and whenever roles are written here
# (replace_roles is the only writer) — and, once they were written in the transaction, on any rollback (a savepoint's
# too: what was read after the write may be undone).
_ROLES_KEY = "banli.roles_of"
_WRITTEN_KEY = "banli.roles_written"


@event.listens_for(OrmSession, "after_transaction_end")
def _forget(session: OrmSession, transaction: Any) -> None:
    if transaction.parent is None:
        session.info.pop(_ROLES_KEY, None)
        session.info.pop(_WRITTEN_KEY, None)


@event.listens_for(OrmSession, "after_soft_rollback")
def _forget_rolled_back(session: OrmSession, previous_transaction: Any) -> None:
    if session.info.get(_WRITTEN_KEY):
        session.info.pop(_ROLES_KEY, None)


def roles_of(session: Session, user_id: int, agency_id: int) -> frozenset[Role]:
    """The roles ``user_id`` holds in ``agency_id`` (empty: none there); read once per transaction."""
    cache: dict[tuple[int, int], frozenset[Role]] = session.info.setdefault(_ROLES_KEY, {})
    held = cache.get((user_id, agency_id))
    if held is None:
        held = cache[(user_id, agency_id)] = roles_in(session, agency_id, [user_id]).get(user_id, frozenset())
    return held


def roles_in(session: Session, agency_id: int, user_ids: Collection[int] | None = None) -> dict[int, frozenset[Role]]:
    """user id → roles held in ``agency_id``, for everyone holding any there (or only ``user_ids``): its own staff
    and the people of other agencies serving it."""
    q = select(UserRole.user_id, UserRole.role).where(UserRole.agency_id == agency_id)
    if user_ids is not None:
        q = q.where(col(UserRole.user_id).in_(list(user_ids)))
    return _grouped(session.exec(q).all())


def roles_by_agency(session: Session, user_id: int) -> dict[int, frozenset[Role]]:
    """agency id → the roles ``user_id`` holds there (their own agency and any other they serve)."""
    return _grouped(session.exec(select(UserRole.agency_id, UserRole.role).where(UserRole.user_id == user_id)).all())


def holders(session: Session, agency_id: int, *roles: Role, own_staff: bool = True) -> list[User]:
    """Active people holding any of ``roles`` in ``agency_id``, by id: its own staff, or (``own_staff=False``) the
    people of other agencies who serve it."""
    held = select(UserRole.user_id).where(UserRole.agency_id == agency_id,
                                          col(UserRole.role).in_([str(r) for r in roles]))
    home: Any = User.agency_id == agency_id if own_staff else User.agency_id != agency_id
    return list(session.exec(select(User).where(col(User.id).in_(held), col(User.active).is_(True), home)
                             .order_by(col(User.id))).all())


def replace_roles(session: Session, user_id: int, agency_id: int, roles: frozenset[Role]) -> frozenset[Role]:
    """Make ``roles`` what ``user_id`` holds in ``agency_id`` (empty: none there any more), in the caller's
    transaction; the roles held there before."""
    session.info.pop(_ROLES_KEY, None)
    session.info[_WRITTEN_KEY] = True
    before = roles_of(session, user_id, agency_id)
    gone = [str(r) for r in before - roles]
    if gone:
        session.execute(delete(UserRole).where(col(UserRole.user_id) == user_id,
                                               col(UserRole.agency_id) == agency_id, col(UserRole.role).in_(gone)))
    for r in sorted(roles - before):
        session.add(UserRole(user_id=user_id, agency_id=agency_id, role=str(r)))
    session.flush()
    session.info.pop(_ROLES_KEY, None)
    return before
