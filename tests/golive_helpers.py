"""Go-live helpers for tests: a second agency with its staff, the per-action replay of an import file (what clerks
would enter one step at a time through the public workflow), and a comparable snapshot of an agency's cases."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from sqlmodel import col, select

from db.engine import read_session
from db.models import ApprovalRequest, Clock, ClockAdjustment, Consultation, Disclosure, Event, Outbox
from tests.conftest import configure_agency
from tests.helpers import Staff, make_staff
from tests.report import factory
from workflow.accounts.principal import Principal
from workflow.disclosure import actions
from workflow.golive.actor import import_principal
from workflow.golive.rows import RowPlan, parse_row
from workflow.golive.source import read_rows
from workflow.timesource import start_of_day

TZ = "Asia/Shanghai"


def second_agency(engine: Any, now: datetime, code: str = "b") -> Staff:
    factory.agency(engine, code, "某县另一局")
    configure_agency(engine, code, name=None)  # set up like the first one: its documents go out alike
    return make_staff(engine, now, agency_code=code)


def runner(engine: Any, staff: Staff) -> Principal:
    """The leader who runs the import (workflow.golive.run elevates them for the steps)."""
    return staff.leader


def plans(path: Path, now: datetime) -> list[RowPlan]:
    """The rows of an import file as the importer reads them (every row must be good)."""
    written, rows = read_rows(path)
    out: list[RowPlan] = []
    seen: dict[str, int] = {}
    for number, cells in rows:
        plan = parse_row(number, cells, written, tz=TZ, now=now, source_no_seen=seen)
        assert not isinstance(plan, list), plan
        out.append(plan)
    return out


def replay(engine: Any, plan: RowPlan, actor: Principal, now: datetime, assignee_id: int | None) -> int:
    """One row entered by hand: the registration, then each step through ``actions.act`` with its date."""
    actor = import_principal(actor)  # the same roles the importer takes each step as
    reg = actions.register(engine, plan.registration, actor, now)
    at = plan.received
    for step in plan.steps:
        at = max(at, start_of_day(step.day, TZ))
        payload = {"assignee_id": assignee_id} if step.action == "assign" else step.payload
        actions.act(engine, reg.id, step.action, _json(payload), actor, now, effective_at=at,
                    backfill_reason=plan.registration.backfill_reason)
    return reg.id


def _json(payload: dict[str, Any]) -> dict[str, Any]:
    """A payload as a client would send it (dates as ISO strings)."""
    return {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in payload.items()}


_CASE_SKIP = {"id", "agency_id", "query_code_hash", "source_no", "assignee_id", "unit_id", "registered_by"}
_IDS = {"id", "case_id", "agency_id", "clock_id", "disclosure_id", "assignee_id", "previous_assignee_id", "actor_id",
        "approver_id", "requested_by", "decided_by", "query_code", "remedy_id"}


def _clean(value: Any) -> Any:
    """JSON with database ids, query codes and the per-action dedupe keys taken out."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if k not in _IDS}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def snapshot(engine: Any, agency_id: int) -> list[dict[str, Any]]:
    """Every case of the agency with its clocks, ledger, consultations, events and notices, comparable across
    agencies and runs (ids, hashes and random keys left out), in tracking-number order."""
    out = []
    with read_session(engine) as s:
        cases = s.exec(select(Disclosure).where(Disclosure.agency_id == agency_id)
                       .order_by(col(Disclosure.tracking_no))).all()
        for case in cases:
            clocks = s.exec(select(Clock).where(Clock.case_kind == "disclosure", Clock.case_id == case.id)
                            .order_by(col(Clock.kind), col(Clock.cycle))).all()
            ledger = [_clean(a.model_dump()) for c in clocks for a in s.exec(
                select(ClockAdjustment).where(ClockAdjustment.clock_id == c.id).order_by(col(ClockAdjustment.id)))]
            events = s.exec(select(Event).where(Event.case_kind == "disclosure", Event.case_id == case.id)
                            .order_by(col(Event.id))).all()
            notices = s.exec(select(Outbox).where(Outbox.case_kind == "disclosure", Outbox.case_id == case.id)
                             .order_by(col(Outbox.id))).all()
            consultations = s.exec(select(Consultation).where(Consultation.disclosure_id == case.id)
                                   .order_by(col(Consultation.id))).all()
            approvals = s.exec(select(ApprovalRequest).where(ApprovalRequest.case_kind == "disclosure",
                                                             ApprovalRequest.case_id == case.id)
                               .order_by(col(ApprovalRequest.id))).all()
            out.append({
                "case": {k: v for k, v in case.model_dump().items() if k not in _CASE_SKIP},
                "clocks": [_clean(c.model_dump()) for c in clocks],
                "ledger": ledger,
                "consultations": [_clean(c.model_dump()) for c in consultations],
                "approvals": [_clean(a.model_dump()) for a in approvals],
                "events": [_clean({**e.model_dump(exclude={"agency_id"})}) for e in events],
                "notices": [(n.notice_type, n.channel, n.recipient if not n.recipient.startswith("user:") else "user",
                             _clean({k: v for k, v in n.context.items() if k != "agency"})) for n in notices],
                "notice_status": [(n.notice_type, n.status) for n in notices],
            })
    return out
