"""The one case engine: every action of every request kind goes through ``act`` here.

One call is one transaction: load and lock the row (FOR UPDATE on PostgreSQL; BEGIN IMMEDIATE on SQLite),
check the expected version, build the facts, fire the kind's machine — which applies the policy
(states.policy) and the guards and, in its ``before`` hook, validates the payload and runs the action's
handler (fields, clocks, ledger, outbox) — then the kind's follow-up, the new version, the next-due
denormalisation, the audit event, and one commit. API, pages, portal, scheduler and CLI alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, col, func, select

from db.engine import write_session
from db.models import Agency, Event
from states.formats import cn_date
from states.machine import SAME
from states.policy import CaseParty, Sight, lists_all_cases, may_list_cases, may_see_agency, sight
from states.roles import Role
from states.wording import PRESS_STEPS
from workflow.accounts.principal import Principal
from workflow.agencies.config import agency_config
from workflow.calendar.service import agency_calendar
from workflow.cases.audit import event_values
from workflow.cases.context import CaseCtx, new_action_key
from workflow.cases.kind import CaseKind
from workflow.cases.when import resolve
from workflow.errors import DomainValidation, Forbidden, InvalidTransition, NotFound, StaleVersion
from workflow.timesource import aware, local_date


@dataclass(frozen=True)
class ActionResult:
    id: int
    state: str
    version: int
    allowed_actions: list[str]
    result: dict[str, Any]
    visible: bool = True  # does the actor still see the case (e.g. not after reassigning it away)?


def party(row: Any) -> CaseParty:
    return CaseParty(row.agency_id, row.assignee_id)


def case_sight(actor: Principal, row: Any) -> Sight:
    """How much of this case the actor may read (states.policy)."""
    return sight(actor.actor, party(row))


def list_scope(actor: Principal, wanted_agency: int | None) -> tuple[int | None, int | None]:
    """Which cases a list may show the actor (states.policy): (the agency; the assignee the list is limited to, or
    None). A supervisor may name its own agency or one below it (another: NotFound); officers see only their own
    cases."""
    if not may_list_cases(actor.actor):
        raise Forbidden("您的角色无权查看案件")
    agency = actor.agency_id
    if wanted_agency is not None and wanted_agency != actor.agency_id and Role.SUPERVISOR in actor.roles:
        if not may_see_agency(actor.actor, wanted_agency):
            raise NotFound("机关")
        agency = wanted_agency
    return agency, None if lists_all_cases(actor.actor) else actor.id


def agency_of(session: Session, agency_id: int) -> Agency:
    agency = session.get(Agency, agency_id)
    if agency is None:
        raise NotFound("机关")
    return agency


def load_for_update(session: Session, kind: CaseKind, case_id: int, actor: Principal) -> Any:
    """The row, locked; NotFound for a case of another agency (its existence is not disclosed)."""
    row = session.exec(select(kind.table).where(kind.table.id == case_id).with_for_update()).first()
    if row is None or not actor.can_see_agency(row.agency_id):
        raise NotFound(kind.noun)
    return row


def load_for_reading(session: Session, kind: CaseKind, case_id: int, actor: Principal) -> tuple[Any, Sight]:
    """The row and how much of it the actor sees: NotFound across agencies, Forbidden when the policy says none."""
    row = session.get(kind.table, case_id)
    if row is None or not actor.can_see_agency(row.agency_id):
        raise NotFound(kind.noun)
    seen = case_sight(actor, row)
    if seen == Sight.NONE:
        raise Forbidden(kind.not_yours)
    return row, seen


def open_ctx(session: Session, kind: CaseKind, row: Any, actor: Principal, now: datetime) -> CaseCtx:
    """The kind's context for one action or one view of ``row``."""
    agency = agency_of(session, row.agency_id)
    return kind.make_ctx(session, row, agency, agency_config(agency), agency_calendar(session, agency), actor, now)


def allowed_actions(kind: CaseKind, ctx: CaseCtx) -> list[str]:
    """The actions the context's actor may take now, as the machine decides them."""
    allowed = kind.machine.allowed(ctx.row.state, kind.facts(ctx), ctx.actor.actor, ctx.is_assignee, ctx.party)
    return [a for a in allowed if a in kind.applicant_actions] if ctx.actor.is_applicant else allowed


def unavailable_actions(kind: CaseKind, ctx: CaseCtx) -> list[dict[str, str]]:
    """The actions of the current state the actor's role may take but that are not available now, each with the
    reason (a guard's message, with the date a window ended when known) — so nothing vanishes unexplained."""
    if ctx.actor.is_applicant or ctx.actor.is_system:
        return []
    rows = kind.machine.unavailable(ctx.row.state, kind.facts(ctx), ctx.actor.actor, ctx.is_assignee, ctx.party)
    return [{"action": trigger, "label": kind.labels.get(trigger, label), "reason": reason}
            for trigger, label, reason in rows]


def fire(kind: CaseKind, ctx: CaseCtx, action: str, raw_payload: Mapping[str, Any] | None,
         stamp: Mapping[str, Any] | None = None) -> str:
    """Fire one action inside the caller's transaction (no commit); returns the new state. ``stamp``: what the
    audit event keeps besides the payload (a back-filled step's recording time and reason)."""
    if ctx.actor.is_applicant and action not in kind.applicant_actions:
        raise InvalidTransition("申请人不能执行此操作", allowed_actions(kind, ctx), "forbidden")
    if action not in kind.handlers and action in kind.machine.by_trigger:
        raise InvalidTransition(f"此操作不能在这里执行（{action}）", allowed_actions(kind, ctx), "unknown_action")
    facts = kind.facts(ctx)
    before = ctx.row.state
    # The machine decides (policy, guards) and names the row that fires; the handler then does the I/O outside any
    # transitions callback (stack notes: a callback's exception is not rolled back), before the row takes its state.
    row, after = kind.machine.fire_row(before, action, facts, ctx.actor.actor, ctx.is_assignee, ctx.party)
    payload = kind.parse(ctx, action, raw_payload)
    ctx.event = {}
    kind.handlers[action](ctx, payload)
    if row.dest != SAME:
        ctx.row.state = after
    if kind.after_fire is not None:
        kind.after_fire(ctx, action)
    ctx.row.updated_at = ctx.now
    ctx.row.version += 1  # every action is a new version (optimistic locking)
    kind.refresh(ctx)
    ctx.record_event(event_values(agency_id=ctx.row.agency_id, case_kind=kind.name, case_id=ctx.case_id,
                                  actor=ctx.actor, action=action, from_state=before, to_state=ctx.row.state,
                                  now=ctx.now, payload={**kind.event_payload(payload), **ctx.event, **(stamp or {})}))
    return str(ctx.row.state)


def previous_step(session: Session, kind: CaseKind, row: Any) -> datetime | None:
    """When the case's last step happened (each step's event is dated when the step happened), and never before the
    case came in. Only the kind's actions are steps: the events that record an arrival, a platform's correction, a
    document made, a file attached or a deadline recomputed are dated when the system did it, not when anything
    happened to the case — counting them would refuse every back-filled step once a case's receipt was printed. Nor
    are 催办 and 督办 (``PRESS_STEPS``): they press the case without moving it, on what was known when they were
    sent — a reply posted on the due day and entered after the next day's 催办 is dated the due day."""
    last = session.exec(select(func.max(Event.created_at)).where(
        col(Event.case_kind) == kind.name, col(Event.case_id) == row.id,
        col(Event.action).in_(sorted(set(kind.handlers) - PRESS_STEPS.keys())))).one()
    times = [aware(t) for t in (last, kind.received(row)) if t is not None]
    return max(times, default=None)


def step(session: Session, kind: CaseKind, ctx: CaseCtx, action: str, payload: Mapping[str, Any] | None, *,
         effective_at: datetime | None = None, backfill_reason: str | None = None,
         email_notices: bool = False) -> None:
    """One action inside the caller's transaction (no commit), as of ``effective_at``: the time checked
    (workflow.cases.when), the step fired as of then, a back-filled step's notices written held. ``act`` wraps it in its
    own transaction; imports call it for each step of a row written all-or-nothing."""
    now = ctx.now
    previous = ctx.previous_at if ctx.previous_known else previous_step(session, kind, ctx.row)
    when = resolve(actor=ctx.actor, now=now, effective_at=effective_at, reason=backfill_reason,
                   previous=previous, cfg=ctx.cfg, cal=ctx.cal, noun=kind.noun)
    ctx.now = when.effective  # guards, periods, clocks and documents as of the step's own time
    ctx.action_key = new_action_key()  # one context may take several steps (an imported row)
    # A back-filled step's notices are written held: printed and stored, not e-mailed, unless the clerk asks (the
    # applicant had them on paper when the step happened); its staff notices are not sent at all.
    ctx.hold_notices = when.recorded_later and not ctx.actor.is_system and not email_notices
    try:
        fire(kind, ctx, action, payload, when.stamp())
    except InvalidTransition as exc:
        if effective_at is None or exc.code != "guard_failed":
            raise
        day = local_date(when.effective, ctx.tz)  # a condition of the law failed as of the date given
        raise DomainValidation.one("effective_at", "guard_failed",
                                   f"按所填办理时间（{cn_date(day)}）：{exc.message}") from exc
    finally:
        ctx.now, ctx.hold_notices = now, False
    if action not in PRESS_STEPS:
        ctx.previous_at = max(when.effective, previous) if previous is not None else when.effective
        ctx.previous_known = True


def act(engine: Engine, kind: CaseKind, case_id: int, action: str, payload: Mapping[str, Any] | None,
        actor: Principal, now: datetime, expected_version: int | None = None, *,
        effective_at: datetime | None = None, backfill_reason: str | None = None,
        email_notices: bool = False) -> ActionResult:
    """Perform one action on one case, atomically, as of ``effective_at`` (default: now; see workflow.cases.when)."""
    with write_session(engine) as session:
        row = load_for_update(session, kind, case_id, actor)
        ctx = open_ctx(session, kind, row, actor, now)
        if expected_version is not None and row.version != expected_version:
            raise StaleVersion(row.version, allowed_actions(kind, ctx))
        step(session, kind, ctx, action, payload, effective_at=effective_at, backfill_reason=backfill_reason,
             email_notices=email_notices)
        session.flush()  # autoflush is off: the facts for the allowed actions must see this action's rows
        allowed = allowed_actions(kind, ctx)
        visible = actor.is_system or actor.is_applicant or case_sight(actor, row) != Sight.NONE
        try:
            session.commit()
        except StaleDataError as exc:  # a concurrent writer got there first
            raise StaleVersion(-1, []) from exc
        return ActionResult(ctx.case_id, row.state, row.version, allowed if visible else [], ctx.result, visible)
