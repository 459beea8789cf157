"""A request kind's own case list (the API's lists, the 12345 order list): the filters every kind's list has,
newest first in keyset pages on id, and the page cursor. Read-only; the kind adds its own filters (applicant,
caller, category …) and its list item."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from sqlmodel import Session, col

from states.inputs import int_in_range
from workflow.accounts.principal import Principal
from workflow.agencies.cache import agency_context_cached
from workflow.cases.engine import list_scope
from workflow.errors import DomainValidation
from workflow.runtime import Engine
from workflow.timesource import DEFAULT_TZ, end_of_day, start_of_day


@dataclass(frozen=True)
class CaseListFilter:
    """What every kind's list may be filtered by (a kind's ``ListFilter`` adds its own)."""

    state: list[str] | None = None
    assignee_id: int | None = None
    # an instant, or a day of the listed agency (``in_zone``): due by its 24:00 / due after its 0:00
    due_before: datetime | date | None = None
    due_after: datetime | date | None = None
    overdue: bool | None = None  # True: past the next deadline and still open (a kind may read False too)
    agency_id: int | None = None  # supervisors only
    open_only: bool = False


F = TypeVar("F", bound=CaseListFilter)


def in_zone(f: F, tz: str) -> F:
    """``f`` with a day given as a due bound made an instant of the zone ``tz`` (the listed agency's): due_before
    D is D 24:00, a deadline on D included; due_after D is just after D 0:00, for a deadline at 0:00 is the
    previous day's 24:00 (the disclosure periods end so)."""
    before, after = f.due_before, f.due_after
    if isinstance(before, date) and not isinstance(before, datetime):
        before = end_of_day(before, tz)
    if isinstance(after, date) and not isinstance(after, datetime):
        after = start_of_day(after, tz) + timedelta(microseconds=1)
    return replace(f, due_before=before, due_after=after)


def listed_zone(engine: Engine, actor: Principal, f: CaseListFilter) -> str:
    """The zone a list's days are read in: the listed agency's (list_scope), from the agency cache."""
    agency_id, _ = list_scope(actor, f.agency_id)
    return DEFAULT_TZ if agency_id is None else agency_context_cached(engine, agency_id).cfg.timezone


def common_filters(q: Any, table: Any, open_states: Collection[str], actor: Principal, f: CaseListFilter,
                   now: datetime) -> Any:
    """``q`` (a SELECT of ``table``) limited to what ``actor`` may list (states.policy, via list_scope) and to
    ``f``'s shared filters; ``open_states``: the kind's states that are not finished."""
    agency_id, only_assignee = list_scope(actor, f.agency_id)
    if agency_id is not None:
        q = q.where(table.agency_id == agency_id)
    if only_assignee is not None:
        q = q.where(table.assignee_id == only_assignee)
    if f.state:
        q = q.where(col(table.state).in_(f.state))
    if f.open_only:
        q = q.where(col(table.state).in_(list(open_states)))
    if f.assignee_id is not None:
        q = q.where(table.assignee_id == f.assignee_id)
    for bound in (f.due_before, f.due_after):
        if bound is not None and not isinstance(bound, datetime):
            raise TypeError("a day as a due bound: in_zone first")
    if f.due_before is not None:
        q = q.where(col(table.next_due_at) <= f.due_before)
    if f.due_after is not None:
        q = q.where(col(table.next_due_at) >= f.due_after)
    if f.overdue is True:
        q = q.where(col(table.next_due_at) < now, col(table.state).in_(list(open_states)))
    return q


def keyset_page(session: Session, q: Any, table: Any, item: Callable[[Any], dict[str, Any]], *, limit: int,
                cursor: str | None) -> tuple[list[dict[str, Any]], str | None]:
    """One page of ``q``, newest first (keyset on id, after ``cursor``): the rows as ``item`` gives them, and the
    next page's cursor (None on the last page)."""
    if cursor:
        _, last_id = decode_cursor(cursor)
        q = q.where(col(table.id) < int(last_id))
    rows = session.exec(q.order_by(col(table.id).desc()).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor(["id", rows[-1].id]) if more and rows else None
    return [item(r) for r in rows], next_cursor


def encode_cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values, default=str).encode()).decode()


def decode_cursor(cursor: str) -> list[Any]:
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        if not isinstance(data, list) or len(data) != 2:
            raise ValueError
        last_id = data[1]  # compared with an id column: an integer both databases can hold
        if isinstance(last_id, bool) or not isinstance(last_id, int) or not int_in_range(last_id):
            raise ValueError
        return data
    except (ValueError, json.JSONDecodeError) as exc:
        raise DomainValidation.one("cursor", "invalid_cursor", "分页游标无效") from exc
