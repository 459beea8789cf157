"""What the agency administration pages and API show: one agency with its place in the tree, open work, settings,
missing notice settings, the proposed remedy bodies and its users. Read-only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import col, select

from db.engine import read_session
from db.models import Agency, CalendarNotice, User
from states.agencies import KIND_LABELS, AgencyKind, Node, RemedyProposal
from states.roles import Role
from workflow.accounts.roles import roles_in
from workflow.agencies.completeness import Missing, missing_notice_settings
from workflow.agencies.config import AgencyConfig, agency_config
from workflow.agencies.registry import OpenWork, by_code, descendants_of, hierarchy, list_agencies, open_work
from workflow.agencies.registry import remedy_proposal as propose
from workflow.errors import NotFound


@dataclass(frozen=True)
class UserLine:
    username: str
    display_name: str
    roles: frozenset[Role]
    active: bool


@dataclass(frozen=True)
class AgencyDetail:
    id: int
    code: str
    name: str
    kind: str
    kind_label: str
    active: bool
    deactivated_at: datetime | None
    parent: Node | None
    children: list[Node]
    work: OpenWork
    proposal: RemedyProposal | None
    cfg: AgencyConfig
    missing: list[Missing]
    users: list[UserLine]
    below: frozenset[int]  # every agency under this one (not offered as its parent)


def agency_detail(engine: Engine, code: str) -> AgencyDetail:
    """NotFound for an unknown code."""
    with read_session(engine) as s:
        a = by_code(s, code)
        assert a.id is not None
        nodes = hierarchy(s)
        held = roles_in(s, a.id)
        users = [UserLine(u.username, u.display_name, held.get(u.id or 0, frozenset()), u.active)
                 for u in s.exec(select(User).where(User.agency_id == a.id).order_by(col(User.username))).all()]
        cfg = agency_config(a)
        return AgencyDetail(
            a.id, a.code, a.name, a.kind, KIND_LABELS[AgencyKind(a.kind)], a.active, a.deactivated_at,
            nodes.get(a.parent_id) if a.parent_id else None,
            sorted((n for n in nodes.values() if n.parent_id == a.id), key=lambda n: n.code),
            open_work(s, a.id), propose(s, a), cfg, missing_notice_settings(a.name, cfg), users,
            descendants_of(nodes, a.id))


def agency_id_of(engine: Engine, code: str) -> int:
    with read_session(engine) as s:
        a = s.exec(select(Agency).where(Agency.code == code)).first()
    if a is None or a.id is None:
        raise NotFound(f"代码为“{code}”的机关")
    return a.id


def name_and_config(engine: Engine, agency_id: int) -> tuple[str, AgencyConfig]:
    with read_session(engine) as s:
        a = s.get(Agency, agency_id)
    if a is None:
        raise NotFound("机关")
    return a.name, agency_config(a)


def parent_choices(engine: Engine, detail: AgencyDetail | None = None) -> list[tuple[str, str]]:
    """Active agencies as (code, indented name), the agency itself and those below it left out."""
    skip = set(detail.below) | {detail.id} if detail else set()
    return [(r.node.code, "　" * r.depth + r.node.name) for r in list_agencies(engine)
            if r.node.active and r.node.id not in skip]


def local_calendar_scopes(engine: Engine) -> list[tuple[str, str]]:
    """Local holiday arrangements imported besides the State Council's: (scope, the notice that set it up)."""
    with read_session(engine) as s:
        rows = s.exec(select(CalendarNotice.scope, CalendarNotice.document)
                      .where(CalendarNotice.scope != "national", col(CalendarNotice.active))
                      .order_by(col(CalendarNotice.scope), col(CalendarNotice.year).desc())).all()
    codes = {a.code for a in _agencies(engine)}
    out: dict[str, str] = {}
    for scope, document in rows:
        if scope not in codes:  # an agency's own closures always apply to it: not a choice
            out.setdefault(scope, document)
    return list(out.items())


def _agencies(engine: Engine) -> list[Agency]:
    with read_session(engine) as s:
        return list(s.exec(select(Agency)).all())
