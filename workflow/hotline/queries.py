"""Read side for 12345 work orders: filtered keyset lists, the detail view, replies for export. Never commits."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any, BinaryIO, Literal

from sqlalchemy import or_
from sqlmodel import Session, col, func, select

from db.engine import read_session
from db.models import ApprovalRequest, Event, StoredFile, User, WorkOrder
from states.formats import mask_phone
from states.hotline import (
    ACTION_LABELS,
    CALLBACK_LABELS,
    CATEGORY_LABELS,
    OPEN_STATES,
    RESOLUTION_LABELS,
    STATE_LABELS,
    URGENCY_LABELS,
)
from states.policy import Sight
from states.vocab import ApprovalStatus
from states.wording import EVENT_LABELS
from workflow.accounts.principal import Principal
from workflow.cases import engine as case_engine
from workflow.cases.approvals import pending_label
from workflow.cases.clocks import case_clocks, clerk_lines, clock_view, soon_until
from workflow.cases.engine import load_for_reading, open_ctx
from workflow.cases.files import may_attach
from workflow.cases.keyset import CaseListFilter, common_filters, in_zone, keyset_page, listed_zone
from workflow.hotline.context import KIND, Ctx, cycle_view, cycles
from workflow.hotline.export import write_export
from workflow.hotline.kind import HOTLINE
from workflow.hotline.mapping import ColumnMapping, parse_datetime
from workflow.runtime import Engine


@dataclass(frozen=True)
class ListFilter(CaseListFilter):
    caller: str | None = None  # name (part) or the full phone number
    text: str | None = None  # order number, title or content (part)
    category: list[str] | None = None
    urgency: str | None = None
    unit_id: int | None = None


def filtered(actor: Principal, f: ListFilter, now: datetime) -> Any:
    """The orders ``actor`` may list that match ``f`` (a SELECT of WorkOrder, unordered)."""
    q = common_filters(select(WorkOrder), WorkOrder, OPEN_STATES, actor, f, now)
    if f.overdue is False:
        q = q.where(or_(col(WorkOrder.next_due_at).is_(None), col(WorkOrder.next_due_at) >= now))
    if f.caller:
        q = q.where(or_(col(WorkOrder.caller_name).contains(f.caller), col(WorkOrder.caller_phone) == f.caller))
    if f.text:
        q = q.where(or_(col(WorkOrder.order_no).contains(f.text), col(WorkOrder.title).contains(f.text),
                        col(WorkOrder.content).contains(f.text)))
    if f.category:
        q = q.where(col(WorkOrder.category).in_(f.category))
    if f.urgency:
        q = q.where(WorkOrder.urgency == f.urgency)
    if f.unit_id is not None:
        q = q.where(WorkOrder.unit_id == f.unit_id)
    return q


def count_workorders(session: Session, actor: Principal, f: ListFilter, *, now: datetime) -> int:
    return int(session.exec(select(func.count()).select_from(filtered(actor, f, now).subquery())).one())


def list_workorders(session: Session, actor: Principal, f: ListFilter, *, now: datetime, limit: int = 50,
                    cursor: str | None = None) -> tuple[list[dict[str, Any]], str | None]:
    """Newest first (keyset on id); every filter is server-side."""
    return keyset_page(session, filtered(actor, f, now), WorkOrder, lambda r: list_item(r, now), limit=limit,
                       cursor=cursor)


def workorder_list(engine: Engine, actor: Principal, f: ListFilter, *, now: datetime, limit: int = 50,
                   cursor: str | None = None) -> tuple[list[dict[str, Any]], str | None]:
    """``list_workorders`` in one read session (the API's list): the items and the next page's cursor."""
    f = in_zone(f, listed_zone(engine, actor, f))  # a day as a due bound: a day of the listed agency
    with read_session(engine) as s:
        return list_workorders(s, actor, f, now=now, limit=limit, cursor=cursor)


def list_item(r: WorkOrder, now: datetime) -> dict[str, Any]:
    """A row for lists: the caller's phone masked."""
    return {
        "id": r.id, "agency_id": r.agency_id, "platform": r.platform, "order_no": r.order_no, "state": r.state,
        "state_label": STATE_LABELS.get(r.state, r.state), "resolution": r.resolution, "cycle": r.cycle,
        "category": r.category, "category_label": CATEGORY_LABELS.get(r.category, r.category),
        "urgency": r.urgency, "urgency_label": URGENCY_LABELS.get(r.urgency, r.urgency),
        "caller_name": r.caller_name, "caller_phone_masked": mask_phone(r.caller_phone),
        "title": r.title, "content": r.content[:120], "received_at": r.received_at.isoformat(),
        "assignee_id": r.assignee_id, "next_due_at": r.next_due_at.isoformat() if r.next_due_at else None,
        "overdue": bool(r.next_due_at and r.next_due_at < now and r.state in OPEN_STATES),
        "overdue_level": r.overdue_level, "version": r.version,
    }


def _iso(v: datetime | None) -> str | None:
    return v.isoformat() if v is not None else None


def get_detail(session: Session, order_id: int, actor: Principal, *, now: datetime) -> dict[str, Any]:
    """One order with its clocks (explained), allowed actions, cycles, approvals and audit trail, as the actor
    may see it (states.policy): the caller's phone masked unless the actor sees the order in full."""
    row, seen = load_for_reading(session, HOTLINE, order_id, actor)
    full_personal_data = seen == Sight.FULL
    ctx = open_ctx(session, HOTLINE, row, actor, now)
    assert isinstance(ctx, Ctx)
    cfg = ctx.cfg
    users = {u.id: u.display_name for u in session.exec(select(User).where(User.agency_id == row.agency_id)).all()}
    events = session.exec(select(Event).where(Event.case_kind == KIND, Event.case_id == order_id)
                          .order_by(col(Event.id))).all()
    approvals = session.exec(select(ApprovalRequest).where(ApprovalRequest.case_kind == KIND,
                                                           ApprovalRequest.case_id == order_id)
                             .order_by(col(ApprovalRequest.id))).all()
    handling = ctx.clocks().get("handling")
    return {
        "id": row.id, "agency_id": row.agency_id, "version": row.version, "state": row.state,
        "state_label": STATE_LABELS.get(row.state, row.state), "resolution": row.resolution,
        "resolution_label": RESOLUTION_LABELS.get(row.resolution or "", None), "platform": row.platform,
        "order_no": row.order_no, "cycle": row.cycle, "received_at": row.received_at.isoformat(),
        "caller": {"name": row.caller_name,
                   "phone": row.caller_phone if full_personal_data else mask_phone(row.caller_phone)},
        "category": row.category, "category_label": CATEGORY_LABELS.get(row.category, row.category),
        "category_code": row.category_code, "urgency": row.urgency,
        "urgency_label": URGENCY_LABELS.get(row.urgency, row.urgency), "title": row.title,
        "content": row.content, "location": row.location, "platform_due_at": _iso(row.platform_due_at),
        "designated": row.designated, "lead_unit": row.lead_unit, "assisting_units": row.assisting_units,
        "profile_code": row.profile_code,
        "handling_due": None if handling is None else {
            "due_at": _iso(handling.due_at), "source": ctx.cycle_row().due_source,  # platform | profile
            "explanation": clerk_lines(handling.explanation.get("lines_zh", []))},
        "assignee": {"id": row.assignee_id, "name": users.get(row.assignee_id)} if row.assignee_id else None,
        "unit_id": row.unit_id, "extensions_used": row.extensions_used,
        "extension_days_total": row.extension_days_total, "next_due_at": _iso(row.next_due_at),
        "overdue_level": row.overdue_level, "result_text": row.result_text, "replied_at": _iso(row.replied_at),
        "callback_result": row.callback_result,
        "callback_label": CALLBACK_LABELS.get(row.callback_result or "", None), "callback_note": row.callback_note,
        "closed_at": _iso(row.closed_at), "terminated_reason": row.terminated_reason,
        "merged_into_id": row.merged_into_id, "related_ids": row.related_ids,
        "linked_disclosure_id": row.linked_disclosure_id,
        "clocks": [clock_view(c, now, soon_until(ctx.cal, ctx.today)) for c in case_clocks(session, KIND, order_id)],
        "timezone": ctx.tz, "may_upload": may_attach(actor, row),
        "cycles": [cycle_view(c, cfg.timezone) for c in cycles(session, order_id)],
        "approvals": [a.model_dump(mode="json") for a in approvals],
        "allowed_actions": [{"action": a, "label": ACTION_LABELS.get(a, a)}
                            for a in case_engine.allowed_actions(HOTLINE, ctx)],
        "unavailable_actions": case_engine.unavailable_actions(HOTLINE, ctx),
        "pending_approvals": [pending_label(KIND, a.kind) for a in approvals if a.status == ApprovalStatus.PENDING],
        "events": [{"id": e.id, "action": e.action, "label": ACTION_LABELS.get(e.action, EVENT_LABELS.get(e.action,
                    e.action)), "actor": e.actor_label, "from": e.from_state, "to": e.to_state, "payload": e.payload,
                    "at": e.created_at.isoformat()} for e in events],
    }


EXPORT_ACTIONS = {"reply": "办理完毕", "interim_reply": "阶段性答复"}


class ExportWindowError(ValueError):
    """A bad bound of an export window: ``field`` (since/until) and a Chinese message for the person."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


def export_window(since: str, until: str | None, mapping: ColumnMapping) -> tuple[datetime, datetime | None]:
    """``[start, end)`` of an export from what a person typed (the page, the API and the CLI alike).

    ``since``: a date (from that day's start) or a date and time. ``until``: a date includes that whole day
    (2026-03-31 → up to 04-01 00:00); a date and time is exclusive. Naive values are in the mapping's zone.
    """
    bounds: dict[str, datetime | None] = {}
    for name, value in (("since", since), ("until", until)):
        if name == "until" and not value:
            bounds[name] = None
            continue
        try:
            dt = parse_datetime(value, mapping, end_of_day=name == "until")
        except (ValueError, TypeError):
            raise ExportWindowError(name, f"无法识别的日期或时间“{value}”（应如 2026-03-01 或 2026-03-01 08:00）") from None
        bounds[name] = dt + timedelta(microseconds=1) if dt.time() == time.max else dt
    start, end = bounds["since"], bounds["until"]
    assert start is not None
    if end is not None and end <= start:
        raise ExportWindowError("until", "截止时间应晚于起始时间")
    return start, end


def export_rows(session: Session, agency_id: int, since: datetime, until: datetime | None = None
                ) -> Iterator[dict[str, Any]]:
    """Replies recorded since ``since`` (each reply of each cycle, and interim replies), for the platform."""
    q = (select(Event, WorkOrder).join(WorkOrder, col(WorkOrder.id) == col(Event.case_id))
         .where(Event.case_kind == KIND, Event.agency_id == agency_id, col(Event.action).in_(EXPORT_ACTIONS),
                col(Event.created_at) >= since))
    if until is not None:
        q = q.where(col(Event.created_at) < until)
    file_names: dict[int, str] = {}
    for ev, wo in session.exec(q.order_by(col(Event.id))):
        ids = [int(i) for i in ev.payload.get("attachment_ids") or []]
        missing = [i for i in ids if i not in file_names]
        if missing:
            for f in session.exec(select(StoredFile).where(col(StoredFile.id).in_(missing))):
                assert f.id is not None
                file_names[f.id] = f.filename
        yield {
            "order_no": wo.order_no, "result": EXPORT_ACTIONS[ev.action],
            "reply_text": ev.payload.get("result_text") or ev.payload.get("text") or "",
            "replied_at": ev.created_at, "handler": ev.actor_label,
            "attachments": [file_names.get(i, str(i)) for i in ids],
        }


def export_replies(engine: Engine, agency_id: int, since: datetime, until: datetime | None,
                   fmt: Literal["xlsx", "jsonl"], out: BinaryIO) -> int:
    """The replies of ``export_rows`` written to ``out`` as they are read (one read session); the rows written."""
    with read_session(engine) as s:
        return write_export(export_rows(s, agency_id, since, until), fmt, out)
