"""Agencies as administered objects: create, edit (name, kind, the body above), deactivate and reactivate.

Each function is one transaction with an audit row (``Event`` with ``case_kind="agency"``). Who may do it is
decided by states.policy (``may_manage_agencies``: the instance administrator, or the command line). A body
with cases is never deleted; it is deactivated once nothing is open.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import Session, col, func, select

from db.engine import read_session, serialize, write_session
from db.models import Agency, Disclosure, User, WorkOrder
from states.agencies import (
    AgencyKind,
    Node,
    RemedyProposal,
    ancestors,
    code_problem,
    descendants,
    guess_kind,
    makes_cycle,
    tree_order,
)
from states.agencies import propose_remedy as propose_from_chain
from states.disclosure import DState
from states.hotline import OPEN_STATES as WORKORDER_OPEN
from states.policy import may_manage_agencies
from workflow.accounts.principal import Principal
from workflow.agencies.cache import invalidate
from workflow.cases.audit import append_event
from workflow.errors import Conflict, DomainValidation, Forbidden, NotFound

log = logging.getLogger(__name__)
AGENCY = "agency"  # Event.case_kind of agency changes (case_id: the agency's id)
FINISHED = (DState.DELIVERED, DState.CLOSED, DState.ARCHIVED, DState.DISCARDED)  # nothing left to do but file
KEEP = object()  # "leave the body above as it is"


def node_of(a: Agency) -> Node:
    assert a.id is not None
    return Node(a.id, a.code, a.name, AgencyKind(a.kind), a.parent_id, a.active)


def hierarchy(session: Session) -> dict[int, Node]:
    """Every agency as a node of the tree, by id (a few dozen rows on a county's instance)."""
    return {a.id: node_of(a) for a in session.exec(select(Agency)).all() if a.id is not None}


def by_code(session: Session, code: str) -> Agency:
    agency = session.exec(select(Agency).where(Agency.code == code.strip())).first()
    if agency is None:
        raise NotFound(f"代码为“{code.strip()}”的机关")
    return agency


def remedy_proposal(session: Session, agency: Agency) -> RemedyProposal | None:
    """The reconsideration organ and court the hierarchy suggests for ``agency`` (行政复议法第二十四条)."""
    nodes = hierarchy(session)
    me = nodes.get(agency.id or 0) or node_of(agency)
    return propose_from_chain(me, ancestors(nodes, me.id))


def _check_manager(actor: Principal) -> None:
    if not may_manage_agencies(actor.actor):
        raise Forbidden("只有平台管理员可以新建、修改或停用机关；机关管理员只能管理本机关的用户和设置")


def _name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 200:
        raise DomainValidation.one("name", "invalid_name", "机关名称不能为空且不超过200个字符")
    return name


def _kind(kind: str | None, name: str) -> AgencyKind:
    if not kind:
        return guess_kind(name)
    try:
        return AgencyKind(kind)
    except ValueError:
        raise DomainValidation.one("kind", "invalid_kind", "机关类别应为人民政府、政府工作部门或其他机关") from None


def _parent(session: Session, parent_code: str | None) -> Agency | None:
    if not parent_code:
        return None
    parent = session.exec(select(Agency).where(Agency.code == parent_code.strip())).first()
    if parent is None:
        raise DomainValidation.one("parent", "unknown_parent", f"上级机关代码“{parent_code}”不存在")
    if not parent.active:
        raise DomainValidation.one("parent", "inactive_parent", f"上级机关“{parent.name}”已停用，不能挂在其下")
    return parent


def _save(s: Session, agency: Agency, actor: Principal, action: str, now: datetime, **payload: object) -> Agency:
    """Write the change to ``agency`` with its audit row (``action``, ``payload``), commit, and forget any cached
    copy of the agency."""
    s.add(agency)
    s.flush()
    assert agency.id is not None
    append_event(s, agency_id=agency.id, case_kind=AGENCY, case_id=agency.id, actor=actor, action=action,
                 from_state=None, to_state=None, payload={"code": agency.code, **payload}, now=now)
    s.commit()
    s.refresh(agency)
    invalidate(agency.id)
    return agency


def create_agency(engine: Engine, *, code: str, name: str, actor: Principal, now: datetime,
                  parent_code: str | None = None, kind: str | None = None) -> Agency:
    """A new agency, optionally under ``parent_code``; Conflict if the code is taken."""
    _check_manager(actor)
    code = code.strip()
    problem = code_problem(code)
    if problem:
        raise DomainValidation.one("code", "invalid_code", problem)
    name = _name(name)
    with write_session(engine) as s:
        serialize(s, "agency-codes")  # two instances creating the same code at once: the second is told it is taken
        if s.exec(select(Agency.id).where(Agency.code == code)).first() is not None:
            raise Conflict(f"机关代码“{code}”已被使用，请换一个代码", "agency_code_taken")
        parent = _parent(s, parent_code)
        agency = Agency(code=code, name=name, kind=_kind(kind, name).value, parent_id=parent.id if parent else None,
                        settings={}, created_at=now)
        _save(s, agency, actor, "create_agency", now, name=name, kind=agency.kind,
              parent=parent.code if parent else None)
        log.info("agency %s created by %s", code, actor.label)
        return agency


def update_agency(engine: Engine, code: str, *, actor: Principal, now: datetime, name: str | None = None,
                  kind: str | None = None, parent_code: str | object | None = KEEP) -> Agency:
    """Rename, re-classify or move an agency (``parent_code=None`` or "": no body above); refuses a cycle."""
    _check_manager(actor)
    with write_session(engine) as s:
        agency = by_code(s, code)
        assert agency.id is not None
        changed: dict[str, list[object]] = {}
        if name is not None and _name(name) != agency.name:
            changed["name"] = [agency.name, _name(name)]
            agency.name = _name(name)
        if kind is not None and _kind(kind, agency.name).value != agency.kind:
            changed["kind"] = [agency.kind, _kind(kind, agency.name).value]
            agency.kind = _kind(kind, agency.name).value
        if parent_code is not KEEP:
            parent = _parent(s, parent_code if isinstance(parent_code, str) else None)
            new_parent = parent.id if parent else None
            if makes_cycle(hierarchy(s), agency.id, new_parent):
                raise DomainValidation.one("parent", "hierarchy_cycle", "不能把机关挂在它自己或它的下级机关之下")
            if new_parent != agency.parent_id:
                old = s.get(Agency, agency.parent_id) if agency.parent_id else None
                changed["parent"] = [old.code if old else None, parent.code if parent else None]
                agency.parent_id = new_parent
        if not changed:
            return agency
        return _save(s, agency, actor, "edit_agency", now, changed=changed)


@dataclass(frozen=True)
class OpenWork:
    disclosures: int
    workorders: int
    active_children: list[str]

    @property
    def any(self) -> bool:
        return bool(self.disclosures or self.workorders or self.active_children)


def open_work(session: Session, agency_id: int) -> OpenWork:
    """What keeps an agency from being deactivated: unfinished cases and active bodies below it."""
    d = int(session.exec(select(func.count()).select_from(Disclosure).where(
        Disclosure.agency_id == agency_id, col(Disclosure.state).not_in([st.value for st in FINISHED]))).one())
    w = int(session.exec(select(func.count()).select_from(WorkOrder).where(
        WorkOrder.agency_id == agency_id, col(WorkOrder.state).in_(WORKORDER_OPEN))).one())
    kids = [a.name for a in session.exec(select(Agency).where(Agency.parent_id == agency_id, col(Agency.active))
                                         .order_by(col(Agency.code))).all()]
    return OpenWork(d, w, kids)


def refusal(work: OpenWork) -> str:
    """Why an agency cannot be deactivated yet, and what to do about it (plain Chinese)."""
    parts = []
    if work.disclosures:
        parts.append(f"{work.disclosures}件未办结的依申请公开申请")
    if work.workorders:
        parts.append(f"{work.workorders}件未办结的12345工单")
    text = "该机关尚有" + "、".join(parts) + "，请先办结（答复并送达）后再停用" if parts else ""
    if work.active_children:
        kids = "、".join(work.active_children[:5]) + ("等" if len(work.active_children) > 5 else "")
        text += ("；" if text else "") + f"其下还有在用的机关（{kids}），请先把它们改挂到其他上级机关或停用"
    return text + "。已办结的案件和文书会一直保留，停用不会删除任何记录。"


def set_agency_active(engine: Engine, code: str, active: bool, *, actor: Principal, now: datetime) -> Agency:
    """Deactivate (refused while anything is open: Conflict naming it) or reactivate an agency."""
    _check_manager(actor)
    with write_session(engine) as s:
        agency = by_code(s, code)
        assert agency.id is not None
        if agency.active == active:
            return agency
        if not active:
            if actor.agency_id == agency.id and actor.kind == "staff":
                raise Conflict("不能停用自己所在的机关", "self_agency")
            work = open_work(s, agency.id)
            if work.any:
                raise Conflict(refusal(work), "agency_has_open_cases")
        agency.active = active
        agency.deactivated_at = None if active else now
        return _save(s, agency, actor, "activate_agency" if active else "deactivate_agency", now)


@dataclass(frozen=True)
class AgencyRow:
    """One line of the agency list: the agency, its depth in the tree, the body above, people and open cases."""

    node: Node
    depth: int
    parent_name: str
    users: int
    open_disclosures: int
    open_workorders: int


def list_agencies(engine: Engine) -> list[AgencyRow]:
    """Every agency in tree order (parents before their children)."""
    with read_session(engine) as s:
        nodes = hierarchy(s)
        users = dict(s.exec(select(User.agency_id, func.count()).where(col(User.active))
                            .group_by(col(User.agency_id))).all())
        open_d = dict(s.exec(select(Disclosure.agency_id, func.count()).where(
            col(Disclosure.state).not_in([st.value for st in FINISHED])).group_by(col(Disclosure.agency_id))).all())
        open_w = dict(s.exec(select(WorkOrder.agency_id, func.count()).where(
            col(WorkOrder.state).in_(WORKORDER_OPEN)).group_by(col(WorkOrder.agency_id))).all())
    return [AgencyRow(n, depth, nodes[n.parent_id].name if n.parent_id is not None and n.parent_id in nodes else "",
                      int(users.get(n.id, 0)), int(open_d.get(n.id, 0)), int(open_w.get(n.id, 0)))
            for n, depth in tree_order(nodes.values())]


def descendants_of(nodes: dict[int, Node], agency_id: int) -> frozenset[int]:
    """Every agency below ``agency_id`` (states.agencies.descendants over the loaded tree)."""
    return descendants(nodes.values(), agency_id)


def supervised_agencies(session: Session, agency_id: int) -> frozenset[int]:
    """The agencies a supervisor of ``agency_id`` reaches below its own (states.policy.supervises)."""
    return descendants_of(hierarchy(session), agency_id)


def supervised_nodes(engine: Engine, agency_ids: frozenset[int]) -> list[Node]:
    """The agencies a supervisor reaches below its own (``Principal.supervises``), by code: what it may name in
    the lists' and reports' agency filters."""
    if not agency_ids:
        return []
    with read_session(engine) as s:
        return sorted((n for i, n in hierarchy(s).items() if i in agency_ids), key=lambda n: n.code)


def first_agency(session: Session) -> Agency:
    """The agency a fresh install created (the lowest id)."""
    agency = session.exec(select(Agency).order_by(col(Agency.id))).first()
    if agency is None:
        raise NotFound("机关")
    return agency
