"""12345 work-order use cases: idempotent intake, and one transaction per action (``act``).

``intake`` is idempotent on (agency, platform, order number): a repeat with the same record hash
changes nothing; a changed repeat updates the changed fields of an open order and records an
``update`` event with old and new values. ``act`` follows the disclosure pattern: open a write
transaction, lock the row (FOR UPDATE on PostgreSQL; BEGIN IMMEDIATE on SQLite), check the
expected version, check role/state/guards against ``states.hotline``, validate the payload, fire the
shared machine, run the action's handler (fields, cycles, clocks, outbox), append the audit event,
commit once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from db.engine import write_session
from db.models import Agency, WorkOrder, WorkOrderCycle
from states.calendar import WorkCalendar
from states.hotline import TERMINAL_STATES
from states.roles import Role
from states.vocab import OPEN_CLOCK
from workflow.accounts.principal import Principal
from workflow.agencies.config import agency_config
from workflow.calendar.service import agency_calendar
from workflow.cases import engine as case_engine
from workflow.cases.audit import append_event
from workflow.cases.clocks import replan_clock, start_planned
from workflow.cases.engine import ActionResult
from workflow.errors import Conflict, DomainValidation, InvalidTransition, NotFound
from workflow.hotline.context import (
    KIND,
    Ctx,
    planner_for,
    refresh_next_due,
)
from workflow.hotline.kind import HOTLINE
from workflow.hotline.plan import OrderPlan, check_record
from workflow.hotline.records import RECORD_KEYS, RowError, normalise_fields, record_hash

Source = Literal["api", "import"]
INTAKE_ROLES = (Role.FRONT_DESK, Role.LEADER, Role.ADMIN)
UPDATABLE = tuple(k for k in RECORD_KEYS if k not in ("platform", "order_no"))
REPLAN_ON = frozenset({"received_at", "category", "urgency", "platform_due_at"})


@dataclass(frozen=True)
class IntakeResult:
    id: int
    created: bool
    updated: bool
    state: str
    version: int
    changes: dict[str, Any] = field(default_factory=dict)


def row_errors_to_validation(errors: list[RowError]) -> DomainValidation:
    return DomainValidation([{"field": e.column, "code": e.code, "message": e.problem_zh} for e in errors])


def record_from_input(values: Mapping[str, Any], platform: str = "12345") -> dict[str, Any]:
    """An API body (field names as keys) through the import's checks; DomainValidation lists every problem."""
    record, errors = normalise_fields(values)
    if errors:
        raise row_errors_to_validation(errors)
    record["platform"] = platform
    return record


def check_intake_actor(actor: Principal) -> None:
    if not (actor.is_system or actor.has(*INTAKE_ROLES)):
        raise InvalidTransition("只有前台登记员、负责人或管理员可以接收工单", [], "forbidden")


def _agency(session: Session, agency_id: int | None) -> Agency:
    agency = session.get(Agency, agency_id) if agency_id is not None else None
    if agency is None:
        raise NotFound("机关")
    return agency


def find_order(session: Session, agency_id: int, platform: str, order_no: str, *, lock: bool = False
               ) -> WorkOrder | None:
    q = select(WorkOrder).where(WorkOrder.agency_id == agency_id, WorkOrder.platform == platform,
                                WorkOrder.order_no == order_no)
    return session.exec(q.with_for_update() if lock else q).first()


def create_planned(session: Session, plan: OrderPlan, actor: Principal, now: datetime, source: Source, *,
                   cal: WorkCalendar, tz: str) -> WorkOrder:
    """Insert a planned order through the session (the batch import inserts the same plan in bulk)."""
    row = WorkOrder(**{k: v for k, v in plan.order.items() if k != "version"})
    session.add(row)
    session.flush()
    assert row.id is not None
    session.add(WorkOrderCycle(workorder_id=row.id, **plan.cycle))
    for c in plan.clocks:
        start_planned(session, c, agency_id=row.agency_id, case_kind=KIND, case_id=row.id, cal=cal, now=now,
                      tz=tz, cycle=1)
    append_event(session, agency_id=row.agency_id, case_kind=KIND, case_id=row.id, actor=actor, action="intake",
                 from_state=None, to_state=row.state, now=now, payload={**plan.event, "source": source})
    return row


def _json(v: Any) -> Any:
    return v.astimezone(UTC).isoformat() if isinstance(v, datetime) else v


def _replan_cycle(ctx: Ctx) -> None:
    """The platform corrected a field the deadlines depend on: recompute the open clocks of this cycle."""
    row, cyc = ctx.row, ctx.cycle_row()
    dispatched = cyc.reason in ("dispatch", "reassign")
    start = row.received_at if cyc.reason == "dispatch" else cyc.started_at
    label = {"dispatch": "收到工单", "reassign": "平台改派", "rehandle": "退回重办"}.get(cyc.reason, "收到工单")
    cp = ctx.planner.plan_cycle(row.category, row.urgency, start, row.platform_due_at if dispatched else None,
                                reason=label, sign_for=dispatched, return_window=dispatched)
    clocks = ctx.clocks()
    for plan in cp.clocks:
        c = clocks.get(plan.kind)
        if c is not None and c.status in OPEN_CLOCK:
            old = c.due_at
            replan_clock(ctx.session, c, plan, cal=ctx.cal, now=ctx.now, tz=ctx.tz)
            if old != c.due_at:
                ctx.event.setdefault("moved", []).append(
                    {"clock": c.kind, "old": _json(old), "new": _json(c.due_at)})
    if "sign_for" in clocks and clocks["sign_for"].status in OPEN_CLOCK:
        cyc.sign_for_due_at = clocks["sign_for"].due_at
    if "handling" in clocks and clocks["handling"].status in OPEN_CLOCK:
        cyc.handling_due_at, cyc.due_source = clocks["handling"].due_at, cp.due_source
    ctx.session.add(cyc)


def apply_update(ctx: Ctx, record: Mapping[str, Any]) -> dict[str, Any]:
    """Set the fields a changed repeat differs in; returns {field: {old, new}} (empty: nothing changed)."""
    changes: dict[str, Any] = {}
    for k in UPDATABLE:
        old, new = getattr(ctx.row, k), record.get(k)
        if k == "assisting_units":
            old, new = list(old or []), list(new or [])
        if old != new:
            changes[k] = {"old": _json(old), "new": _json(new)}
            setattr(ctx.row, k, new)
    ctx.row.source_hash = record_hash(record)
    if changes:
        ctx.row.updated_at = ctx.now
        ctx.row.version += 1
        if REPLAN_ON & set(changes):
            _replan_cycle(ctx)
        refresh_next_due(ctx)
    return changes


def update_existing(session: Session, row: WorkOrder, record: Mapping[str, Any], actor: Principal,
                    now: datetime, source: Source) -> IntakeResult:
    """A repeat of a known order number: unchanged, updated (open orders), or refused (closed)."""
    assert row.id is not None
    if row.source_hash == record_hash(record):
        return IntakeResult(row.id, False, False, row.state, row.version)
    if row.state in TERMINAL_STATES:
        raise Conflict(f"工单“{row.order_no}”已办结，平台发来的变更未予更新", "workorder_closed")
    agency = _agency(session, row.agency_id)
    ctx = Ctx(session, row, agency, agency_config(agency), agency_calendar(session, agency), actor, now)
    changes = apply_update(ctx, record)
    if changes:
        append_event(session, agency_id=row.agency_id, case_kind=KIND, case_id=row.id, actor=actor, action="update",
                     from_state=row.state, to_state=row.state, now=now,
                     payload={"changes": changes, "source": source, **ctx.event})
    session.add(row)
    return IntakeResult(row.id, False, bool(changes), row.state, row.version, changes)


def intake(engine: Engine, record: Mapping[str, Any], actor: Principal, now: datetime, *,
           source: Source = "api") -> IntakeResult:
    """Receive one order the platform dispatched (a normalised record, see workflow.hotline.records)."""
    check_intake_actor(actor)
    problems = check_record(record, now)
    if problems:
        raise row_errors_to_validation(problems)
    platform, order_no = str(record.get("platform") or "12345"), str(record["order_no"])
    for attempt in (1, 2):
        try:
            with write_session(engine) as session:
                agency = _agency(session, actor.agency_id)
                assert agency.id is not None
                existing = find_order(session, agency.id, platform, order_no, lock=True)
                if existing is not None:
                    res = update_existing(session, existing, record, actor, now, source)
                    session.commit()
                    return IntakeResult(res.id, False, res.updated, existing.state, existing.version, res.changes)
                cfg = agency_config(agency)
                cal = agency_calendar(session, agency)
                plan = planner_for(cfg, cal).plan_order({**record, "platform": platform}, agency_id=agency.id,
                                                        now=now)
                row = create_planned(session, plan, actor, now, source, cal=cal, tz=cfg.timezone)
                session.commit()
                assert row.id is not None
                return IntakeResult(row.id, True, False, row.state, row.version)
        except IntegrityError:  # the same order arrived concurrently: the second is a repeat
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


# ------------------------------------------------------------------ actions


def allowed_actions(ctx: Ctx) -> list[str]:
    return case_engine.allowed_actions(HOTLINE, ctx)


def act(engine: Engine, order_id: int, action: str, payload: Mapping[str, Any] | None, actor: Principal,
        now: datetime, expected_version: int | None = None, **when: Any) -> ActionResult:
    """Perform one action on one work order, atomically (the shared case engine; ``when``: effective_at,
    backfill_reason, email_notices — see workflow.cases.when)."""
    return case_engine.act(engine, HOTLINE, order_id, action, payload, actor, now, expected_version, **when)
