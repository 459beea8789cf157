"""The 12345 pages for staff, each read in one session: the order list (a page of orders with each one's urgency,
assignee and pending requests, the count, the officers to filter by) and the order page (its detail under the one
policy, its files, the documents to come and held, what its forms offer to choose from)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from db.engine import read_session
from states.hotline import WorkOrderState
from states.vocab import CaseKindName
from workflow.accounts.officers import Officer, officers_in
from workflow.accounts.principal import Principal
from workflow.agencies.config import AgencySettings
from workflow.agencies.held import held_documents
from workflow.calendar.service import agency_calendar
from workflow.cases.approvals import pending_by_case
from workflow.cases.clocks import soon_until
from workflow.cases.files import reads_files
from workflow.cases.form_choices import FormChoices, form_choices
from workflow.cases.listing import user_names
from workflow.cases.pending_documents import pending_documents
from workflow.hotline.files import order_files
from workflow.hotline.kind import HOTLINE
from workflow.hotline.payloads import PAYLOADS
from workflow.hotline.queries import ListFilter, count_workorders, get_detail, list_workorders
from workflow.runtime import Engine
from workflow.timesource import local_date

KIND = CaseKindName.WORKORDER


@dataclass(frozen=True)
class ListedOrder:
    item: dict[str, Any]  # as the API lists it (workflow.hotline.queries.list_item)
    due_at: datetime | None
    urgency: str  # "overdue", "soon" (due within the soon window) or "" (and always "" once closed)
    assignee: str  # the assignee's name, or ""
    pending: list[str]  # markers of the order's pending requests


@dataclass(frozen=True)
class OrderListPage:
    orders: list[ListedOrder]
    total: int
    next_cursor: str | None
    officers: tuple[Officer, ...]  # of the asked agency, when asked for (the assignee filter)


def _urgency(due: datetime | None, now: datetime, soon: date, tz: str) -> str:
    if due is None:
        return ""
    if due <= now:
        return "overdue"
    return "soon" if local_date(due, tz) <= soon else ""


def order_list_page(engine: Engine, actor: Principal, f: ListFilter, agency: AgencySettings, *, now: datetime,
                    today: date, tz: str, limit: int, cursor: str | None,
                    officers_of: int | None = None) -> OrderListPage:
    """A page of the orders ``actor`` may see matching ``f``, newest first (``agency``: the actor's, for the soon
    window in its working calendar; ``officers_of``: the agency whose officers the filter offers, if any)."""
    with read_session(engine) as s:
        items, next_cursor = list_workorders(s, actor, f, now=now, limit=limit, cursor=cursor)
        total = count_workorders(s, actor, f, now=now)
        cal = agency_calendar(s, agency)
        names = user_names(s, {it["assignee_id"] for it in items if it["assignee_id"]})
        waiting = pending_by_case(s, KIND, [it["id"] for it in items])
        officers = tuple(officers_in(s, officers_of)) if officers_of is not None else ()
    soon = soon_until(cal, today)
    orders = []
    for it in items:
        due = datetime.fromisoformat(it["next_due_at"]) if it["next_due_at"] else None
        orders.append(ListedOrder(it, due, _urgency(due, now, soon, tz) if it["state"] != WorkOrderState.CLOSED else "",
                                  names.get(it["assignee_id"], ""), waiting.get(it["id"], [])))
    return OrderListPage(orders, total, next_cursor, officers)


@dataclass(frozen=True)
class OrderPage:
    detail: dict[str, Any]  # ``get_detail`` (as the API gives it)
    files: list[dict[str, Any]]  # the order's stored files
    pending_documents: list[str]  # titles the outbox will still store
    held_documents: list[str]  # titles waiting for the agency's settings
    choices: FormChoices  # what the allowed actions' forms offer (officers, units)


def order_page(engine: Engine, order_id: int, actor: Principal, *, now: datetime) -> OrderPage:
    """The order as ``actor`` may see it (the one policy: NotFound / Forbidden) with what its page shows."""
    with read_session(engine) as s:
        d = get_detail(s, order_id, actor, now=now)
        files = order_files(s, order_id) if reads_files(s, HOTLINE, order_id, actor) else []
        return OrderPage(d, files, pending_documents(s, KIND, order_id),
                         held_documents(s, KIND, order_id),
                         form_choices(s, actor.agency_id, (PAYLOADS[a["action"]] for a in d["allowed_actions"]
                                                           if a["action"] in PAYLOADS)))
