"""Writing one imported application through the workflow, as a clerk would have entered it on the day: the
registration back-filled at its receipt (workflow.disclosure.actions), then each step through the case engine
as of its own date (workflow.cases.engine, workflow.cases.when). Guards, periods, clocks, numbers, events and
documents are therefore exactly those of the per-action path. Runs inside the caller's transaction (one row:
one transaction or one savepoint) and never commits."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from db.loaded import attach_inserted
from db.models import Clock, Disclosure
from states.disclosure import STATE_LABELS
from workflow.accounts.principal import Principal
from workflow.cases.clocks import case_clocks, inserted_clocks
from workflow.cases.context import Collected
from workflow.disclosure.actions import _insert_registrations, _prepare, reserve_registration
from workflow.disclosure.context import KIND, Ctx
from workflow.disclosure.kind import DISCLOSURE
from workflow.errors import DomainValidation, InvalidTransition
from workflow.golive.buffer import pool_of
from workflow.golive.columns import STATUS_LABELS
from workflow.golive.rows import RowPlan
from workflow.golive.step import take_step
from workflow.timesource import start_of_day

# Fields of a refused step → the column of the file they come from (else the step's own date column).
FIELD_COLUMNS = {"assignee_id": "assignee", "items": "correction_items", "period_days": "correction_period",
                 "days": "extension_days", "quantity": "fee_quantity", "paid_date": "fee_paid_date",
                 "received_date": None, "sent_date": "consultation_sent", "delivered_date": "delivered_date",
                 "withdrawn_date": "concluded_date", "tracking_no": "tracking_no", "reason": "decision",
                 "third_party_objection": "objection_outcome", "public_interest_reason": "public_interest_reason",
                 "detail": "decision_detail"}


class RowRefused(Exception):
    """The workflow refused the row: the column to blame and the reason (plain Chinese)."""

    def __init__(self, column: str, message: str, code: str = "refused") -> None:
        super().__init__(message)
        self.column, self.message, self.code = column, message, code


@dataclass(frozen=True)
class Imported:
    case_id: int
    tracking_no: str
    state: str


def write_row(session: Session, engine: Engine, plan: RowPlan, actor: Principal, now: datetime, tz: str,
              assignee_id: int | None, collected: Collected, deferred: list[Any] | None = None) -> Imported:
    """Register the application at its receipt and take its steps on their days; RowRefused names the column. The
    row's audit events and notices are left in ``collected`` (nothing reads them back): the caller writes them, in
    the same transaction, once the row is accepted. ``deferred``: the case and its first clocks are not inserted
    but get reserved ids and are listed there, and nothing is flushed (workflow.golive.buffer writes the row)."""
    prepared = _prepare(engine, plan.registration, actor, now)
    prepared.values["source_no"] = plan.source_no
    if deferred is None:
        (registered,) = _insert_registrations(session, [prepared], collected, keep_clock_ids=True)
    else:
        registered = reserve_registration(session, prepared, collected, pool_of(session).take)
    # The row just inserted, as the session would load it (every column is in the inserted values): no SELECT.
    row = attach_inserted(session, Disclosure, {**prepared.values, "id": registered.id})
    # … and its clocks, each with an explanation of its own as loaded from its JSON column (the values' share memoised
    # parts with other registrations).
    inserted_clocks(session, KIND, registered.id, [
        attach_inserted(session, Clock, {**values, "case_id": registered.id, "id": clock_id,
                                         "explanation": json.loads(json.dumps(values["explanation"]))})
        for values, clock_id in zip(prepared.clocks, prepared.clock_ids, strict=True)])
    if deferred is not None:
        deferred.append(row)
        deferred.extend(case_clocks(session, KIND, registered.id))
    reason = plan.registration.backfill_reason or ""
    actx = prepared.ctx  # the agency, its settings and calendar, as the registration read them
    ctx = Ctx(session, row, actx.agency, actx.cfg, actx.cal, actor, now)
    # The registration is the case's only step so far (what workflow.cases.engine.previous_step would read back).
    ctx.previous_at, ctx.previous_known = max(prepared.now, plan.registration.received_at), True
    ctx.new_case()  # no extension request, consultation or file yet
    ctx.collected = collected
    ctx.history = True
    at = plan.received
    for step in plan.steps:
        at = max(at, start_of_day(step.day, tz))  # a day's steps keep their order; never before the receipt
        payload = {"assignee_id": assignee_id} if step.action == "assign" else step.payload
        try:
            take_step(session, DISCLOSURE, ctx, step.action, payload, at, reason,
                      flush=deferred is None and not session.autoflush)
        except DomainValidation as exc:
            first = exc.fields[0] if exc.fields else {}
            column = FIELD_COLUMNS.get(str(first.get("field", "")).split(".")[0]) or step.column
            raise RowRefused(column, str(first.get("message", exc.message)), str(first.get("code", "invalid"))
                             ) from exc
        except InvalidTransition as exc:
            label = DISCLOSURE.labels.get(step.action, step.action)
            message = exc.message if exc.code != "illegal_action" else (
                f"按所填日期，此时申请处于“{STATE_LABELS.get(row.state, row.state)}”，不能{label}")
            raise RowRefused(step.column, f"{label}：{message}", exc.code) from exc
    _check_outcome(row, plan)  # every step is back-filled: its notices were made held (workflow.cases.engine.step)
    return Imported(int(registered.id), registered.tracking_no, str(row.state))


def _check_outcome(row: Disclosure, plan: RowPlan) -> None:
    """The case ends where the file says it is, and counts in the row of table 三 the file names."""
    if plan.status == "concluded":
        if row.concluded_date is None:
            raise RowRefused("status", f"按所填日期，该申请尚未办结（现为“{STATE_LABELS.get(row.state, row.state)}”）",
                             "inconsistent")
    elif row.state != plan.status:
        raise RowRefused("status", f"按所填日期，该申请应为“{STATE_LABELS.get(row.state, row.state)}”，"
                                   f"而不是“{STATUS_LABELS[plan.status]}”", "inconsistent")
    if plan.report_row and row.report_row and plan.report_row != row.report_row:
        raise RowRefused("report_row", f"该处理结果计入表三 {row.report_row}，与所填栏目“{plan.report_row}”不一致",
                         "inconsistent")
