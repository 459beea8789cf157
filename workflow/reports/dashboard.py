"""The leader's dashboard figures, each one SQL aggregate (GROUP BY), never a loop over cases. Read-only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import case
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, func, select

from db.models import ApprovalRequest, Clock, Disclosure, Unit, User
from states.disclosure import STATE_LABELS
from states.vocab import ApprovalStatus, CaseKindName, ClockStatus
from states.wording import NO_ASSIGNEE, NO_UNIT
from workflow.kinds import duty_kinds
from workflow.portal.queue import Unconfirmed, unconfirmed
from workflow.reports.stats import AgencyScope, agency_clause
from workflow.tally import read as tally
from workflow.timesource import end_of_day, start_of_day


@dataclass(frozen=True)
class PendingExtension:
    approval_id: int
    case_id: int
    tracking_no: str
    version: int
    applicant: str
    days: int
    reason: str
    requested_by: str
    requested_at: datetime
    reply_due: date | None


@dataclass(frozen=True)
class Dashboard:
    by_state: list[tuple[str, str, int]]  # state, label, count
    due_today: int
    due_week: int
    overdue: int
    overdue_by_officer: list[tuple[int | None, str, int]]
    overdue_by_unit: list[tuple[int | None, str, int]]
    pending_extensions: list[PendingExtension]
    received_by_month: list[tuple[str, int]]  # YYYY-MM, count (oldest first, every month present)
    on_time_by_month: list[tuple[str, int, int]]  # YYYY-MM, replies, on time
    week_end: date
    unconfirmed: Unconfirmed  # online submissions waiting for a clerk, oldest first, with their age


def _month(s: Session, column: Any) -> Any:
    if s.get_bind().dialect.name == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)


def months_back(today: date, n: int) -> list[str]:
    y, m = today.year, today.month
    out = []
    for _ in range(n):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return out[::-1]


def week_window(today: date, tz: str) -> tuple[datetime, datetime, date]:
    """From the start of today to the end of Sunday of this week (agency time)."""
    sunday = today + timedelta(days=6 - today.weekday())
    return start_of_day(today, tz), end_of_day(sunday, tz), sunday


@dataclass(frozen=True)
class DueCounts:
    """Cases (not clocks) with a running duty clock due by the end of today, by the end of the week, and overdue."""

    due_today: int = 0
    due_week: int = 0
    overdue: int = 0


def due_counts(s: Session, *, now: datetime, end_of_today: datetime, end_of_week: datetime,
               agency_id: AgencyScope = None, case_kind: str | None = None) -> dict[tuple[int, str], DueCounts]:
    """{(agency id, case kind): DueCounts} in one pass over the running duty clocks due by the end of the week (the
    overdue ones included) — of one agency or several with ``agency_id`` (a supervisor's reach), one kind's with
    ``case_kind``. Counted per case: a
    12345 order can be late to sign for and to handle at once, and the drill-down lists count cases. "Overdue" is
    due before ``now``; "due" is after ``now`` and by the end of the day / week (the case list's filters)."""
    horizon = max(end_of_today, end_of_week)
    where: list[Any] = [col(Clock.kind).in_(duty_kinds()), Clock.status == ClockStatus.RUNNING, col(Clock.due_at) <= horizon,
                        agency_clause(Clock.__table__, agency_id)]  # type: ignore[attr-defined]
    if case_kind is not None:
        where.append(Clock.case_kind == case_kind)
    ahead = col(Clock.due_at) > now

    def anyof(cond: Any) -> Any:
        return func.max(case((cond, 1), else_=0))

    per_case = (sa_select(col(Clock.agency_id), col(Clock.case_kind), anyof(col(Clock.due_at) < now).label("overdue"),
                       anyof(ahead & (col(Clock.due_at) <= end_of_today)).label("today"),
                       anyof(ahead & (col(Clock.due_at) <= end_of_week)).label("week"))
                .where(*where).group_by(col(Clock.agency_id), col(Clock.case_kind), col(Clock.case_id)).subquery())
    c = per_case.c
    stmt = (sa_select(c.agency_id, c.case_kind, func.sum(c.today), func.sum(c.week), func.sum(c.overdue))
            .group_by(c.agency_id, c.case_kind))
    return {(int(a), str(k)): DueCounts(int(t or 0), int(w or 0), int(o or 0)) for a, k, t, w, o in s.execute(stmt).all()}


def counts_by_agency(s: Session, stmt: Any) -> dict[int, int]:
    """{agency id: count} from a ``SELECT agency_id, count(*) … GROUP BY agency_id``."""
    return {int(a): int(n) for a, n in s.exec(stmt).all()}


def build_dashboard(s: Session, agency_id: int, *, now: datetime, today: date, tz: str, months: int = 12,
                    summaries: bool = True) -> Dashboard:
    """The figures; ``summaries``: the counts by state and by month from the maintained summaries (workflow.tally),
    else from the cases (the cross-check). What falls due or is overdue now is read from the running clocks (as many
    as the open cases, whatever the history)."""
    if summaries:
        counts = {st: n for (_, st), n in tally.state_counts(s, CaseKindName.DISCLOSURE, agency_id).items()}
    else:
        counts = {st: int(n) for st, n in s.exec(select(Disclosure.state, func.count())
                                                 .where(Disclosure.agency_id == agency_id)
                                                 .group_by(col(Disclosure.state))).all()}
    by_state = [(st, STATE_LABELS.get(st, st), n) for st, n in counts.items()]
    order = list(STATE_LABELS)
    by_state.sort(key=lambda r: order.index(r[0]) if r[0] in order else 99)
    _, week_end_at, sunday = week_window(today, tz)
    # disclosure applications only: 12345 orders have their own figures (workflow.hotline.dashboard), never one sum
    mine = Clock.case_kind == CaseKindName.DISCLOSURE
    due = due_counts(s, now=now, end_of_today=end_of_day(today, tz), end_of_week=week_end_at, agency_id=agency_id,
                     case_kind=CaseKindName.DISCLOSURE).get((agency_id, CaseKindName.DISCLOSURE), DueCounts())
    late = (select(Clock.assignee_id, Clock.case_kind, Clock.case_id)
            .where(col(Clock.agency_id) == agency_id, mine, col(Clock.kind).in_(duty_kinds()), Clock.status == ClockStatus.RUNNING,
                   col(Clock.due_at) < now).distinct().subquery())
    n = func.count()
    by_officer = [(uid, name or NO_ASSIGNEE["disclosure"], int(k)) for uid, name, k in s.exec(
        select(late.c.assignee_id, User.display_name, n).select_from(late)
        .outerjoin(User, col(User.id) == late.c.assignee_id)
        .group_by(late.c.assignee_id, col(User.display_name)).order_by(n.desc())).all()]
    by_unit = [(uid, name or NO_UNIT, int(k)) for uid, name, k in s.exec(
        select(User.unit_id, Unit.name, n).select_from(late)
        .outerjoin(User, col(User.id) == late.c.assignee_id).outerjoin(Unit, col(Unit.id) == col(User.unit_id))
        .group_by(col(User.unit_id), col(Unit.name)).order_by(n.desc())).all()]
    if summaries:
        received, on_time = tallied_months(s, agency_id, today, months)
    else:
        received, on_time = received_by_month(s, agency_id, today, months), on_time_by_month(s, agency_id, today, months)
    return Dashboard(by_state, due.due_today, due.due_week, due.overdue, by_officer, by_unit,
                     pending_extensions(s, agency_id), received, on_time, sunday, unconfirmed(s, agency_id, now))


def tallied_months(s: Session, agency_id: int, today: date, months: int
                   ) -> tuple[list[tuple[str, int]], list[tuple[str, int, int]]]:
    """``received_by_month`` and ``on_time_by_month`` from the summaries (replies by the month they were made)."""
    keys = months_back(today, months)
    got = tally.by_month(s, agency_id, date.fromisoformat(keys[0] + "-01"), today)
    return ([(k, got[k]["received"] if k in got else 0) for k in keys],
            [(k, *((got[k]["replied"], got[k]["on_time"]) if k in got else (0, 0))) for k in keys])


def pending_extension_rows(s: Session, agency_id: int, case_model: Any, case_kind: str, clock_kind: str,
                           clock_value: Any, clock_cond: Any = True) -> list[Any]:
    """Pending extension requests of one case kind, oldest first: (request, case row, requester's name,
    ``clock_value`` of the case's ``clock_kind`` clock — matched further by ``clock_cond``)."""
    requester = select(User.id, User.display_name).subquery()
    return list(s.exec(
        select(ApprovalRequest, case_model, requester.c.display_name, clock_value)
        .join(case_model, col(case_model.id) == col(ApprovalRequest.case_id))
        .outerjoin(requester, requester.c.id == col(ApprovalRequest.requested_by))
        .outerjoin(Clock, (col(Clock.case_kind) == case_kind) & (col(Clock.case_id) == col(case_model.id))
                   & (col(Clock.kind) == clock_kind) & clock_cond)
        .where(ApprovalRequest.agency_id == agency_id, ApprovalRequest.case_kind == case_kind,
               ApprovalRequest.kind == "extension", ApprovalRequest.status == ApprovalStatus.PENDING)
        .order_by(col(ApprovalRequest.requested_at))).all())


def pending_extensions(s: Session, agency_id: int) -> list[PendingExtension]:
    rows = pending_extension_rows(s, agency_id, Disclosure, CaseKindName.DISCLOSURE, "reply", col(Clock.due_date))
    return [PendingExtension(a.id or 0, d.id or 0, d.tracking_no or "", d.version, d.applicant_name,
                             int(a.payload.get("days", 0)), str(a.payload.get("reason", "")), name or "",
                             a.requested_at, due) for a, d, name, due in rows]


def received_by_month(s: Session, agency_id: int, today: date, months: int) -> list[tuple[str, int]]:
    keys = months_back(today, months)
    first = date.fromisoformat(keys[0] + "-01")
    m = _month(s, Disclosure.receipt_date)
    got = {str(k): int(n) for k, n in s.exec(
        select(m, func.count()).where(Disclosure.agency_id == agency_id, col(Disclosure.receipt_date) >= first)
        .group_by(m)).all()}
    return [(k, got.get(k, 0)) for k in keys]


def on_time_by_month(s: Session, agency_id: int, today: date, months: int) -> list[tuple[str, int, int]]:
    """Replies per month of the reply date, and how many were made by the (extended) reply deadline."""
    keys = months_back(today, months)
    first = date.fromisoformat(keys[0] + "-01")
    m = _month(s, Disclosure.concluded_date)
    on_time = func.sum(case((col(Clock.met_at) <= col(Clock.due_at), 1), else_=0))
    got = {str(k): (int(n), int(t or 0)) for k, n, t in s.exec(
        select(m, func.count(), on_time).select_from(Disclosure)
        .join(Clock, (col(Clock.case_kind) == CaseKindName.DISCLOSURE) & (col(Clock.case_id) == col(Disclosure.id))
              & (col(Clock.kind) == "reply") & (col(Clock.status) == ClockStatus.MET))
        .where(Disclosure.agency_id == agency_id, col(Disclosure.concluded_date) >= first)
        .group_by(m)).all()}
    return [(k, *got.get(k, (0, 0))) for k in keys]
