"""``banli stats rebuild``: the summaries recomputed from the raw tables — every application, 12345 order and met
reply clock contributes exactly what the flush hook adds for it (workflow.tally.contrib), so a rebuild of consistent
summaries changes nothing (idempotent) and a rebuild after rows were written around the workflow (SQL by hand, a
restore of an older dump) makes them right again. One agency's or all. (A time-zone change rebuilds its agency itself,
``workflow.tally.hook.rebuild_in``; a calendar change counts the working days again, ``workflow.tally.recount``.)"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace
from typing import Any
from typing import cast as typed

from sqlalchemy import Connection, Date, Engine, case, cast, delete, func, literal, select
from sqlmodel import Session, SQLModel

import db.models  # noqa: F401  (registers the tables)
from db.engine import write_session
from db.models import Agency
from states.calendar import WorkCalendar
from states.vocab import CaseKindName, ClockStatus
from workflow.agencies.config import agency_config
from workflow.calendar.service import agency_calendar, load_calendar
from workflow.tally import contrib, store
from workflow.tally.contrib import CLOCK_FIELDS, WORKORDER_FIELDS, Delta, Workdays

D = SQLModel.metadata.tables["disclosure"]
W = SQLModel.metadata.tables["workorder"]
K = SQLModel.metadata.tables["clock"]
A = SQLModel.metadata.tables["agency"]
DEFAULT_TZ = "Asia/Shanghai"


@dataclass(frozen=True)
class Rebuilt:
    cells: int  # summary rows written
    cases: int  # applications and orders counted


def zones(conn: Connection) -> Callable[[int], str]:
    """The agencies' time zones (their settings), each read once."""
    seen: dict[int, str] = {}

    def tz_of(agency_id: int) -> str:
        if agency_id not in seen:
            row = conn.execute(select(A.c.settings, A.c.code).where(A.c.id == agency_id)).first()
            seen[agency_id] = (agency_config(typed(Any, SimpleNamespace(settings=row[0], code=row[1]))).timezone
                               if row is not None else DEFAULT_TZ)
        return seen[agency_id]
    return tz_of


def workdays_by(session: Session) -> Workdays:
    """Working days between two dates by each agency's calendar (workflow.calendar.service), loaded once."""
    calendars: dict[int, WorkCalendar] = {}

    def workdays(agency_id: int, a: date, b: date) -> int:
        if agency_id not in calendars:
            with session.no_autoflush:
                agency = session.get(Agency, agency_id)
                calendars[agency_id] = (agency_calendar(session, agency) if agency is not None
                                        else load_calendar(session))
        return calendars[agency_id].workdays_between(a, b)
    return workdays


def _where(table: Any, agency_id: int | None) -> Any:
    return literal(True) if agency_id is None else table.c.agency_id == agency_id


def rebuild_connection(conn: Connection, agency_id: int | None) -> Rebuilt:
    """Replace the summaries of ``agency_id`` (None: all agencies, one after the other — the memory a rebuild needs
    is one agency's summaries) inside the caller's transaction."""
    conn.execute(delete(store.T).where(_where(store.T, agency_id)))
    ids = [agency_id] if agency_id is not None else [int(a) for a in conn.execute(select(A.c.id).order_by(A.c.id))
                                                      .scalars()]
    tz_of, workdays = zones(conn), workdays_by(Session(bind=conn))
    cells = cases = 0
    for one in ids:
        delta: Delta = Counter()
        cases += _contributions(conn, one, delta, tz_of, workdays)
        cells += store.insert_fresh(conn, delta)  # deleted above: nothing to add to
    return Rebuilt(cells, cases)


def counted_replies(c: Any) -> tuple[Any, ...]:
    """The applications whose reply counts its working days (``wd``; workflow.tally.contrib.disclosure): received,
    concluded and replied, not concluded before received. ``c``: the disclosure table's columns."""
    return (c.receipt_date.is_not(None), c.concluded_date.is_not(None), c.replied_at.is_not(None),
            c.receipt_date <= c.concluded_date)


def _contributions(conn: Connection, agency_id: int, delta: Delta, tz_of: Callable[[int], str],
                   workdays: Workdays) -> int:
    """Add every contribution of one agency's cases and reply clocks to ``delta``; returns the cases counted. Each
    part of an application's contribution (workflow.tally.contrib) is one GROUP BY on just the columns it reads, so
    Python folds groups as many as the summaries' rows, not one per application."""
    c = D.c
    mine = c.agency_id == agency_id
    cases = 0
    for state, n in conn.execute(select(c.state, func.count()).where(mine).group_by(c.state)):
        contrib.by_state({"agency_id": agency_id, "state": state}, delta, int(n))
        cases += int(n)
    closed_on = case((c.concluded_date > c.receipt_date, c.concluded_date), else_=c.receipt_date)
    both = (c.receipt_date.is_not(None), c.concluded_date.is_not(None))
    parts: tuple[tuple[tuple[str, ...], Callable[..., None], tuple[Any, ...]], ...] = (
        (contrib.RECEIVED_PART, contrib.received, (c.receipt_date.is_not(None),)),
        (contrib.CONCLUDED_PART, contrib.concluded, (c.concluded_date.is_not(None),)),
        (contrib.CLOSED_PART, contrib.closed, both))
    for fields, part, cond in parts:
        cols = [closed_on if f == "closed_on" else c[f] for f in fields]
        for *values, n in conn.execute(select(*cols, func.count()).where(mine, *cond).group_by(*cols)):
            part({"agency_id": agency_id, **dict(zip(fields, values, strict=True))}, delta, int(n))
    replied = (mine, *counted_replies(c))
    for r, done, n in conn.execute(select(c.receipt_date, c.concluded_date, func.count()).where(*replied)
                                   .group_by(c.receipt_date, c.concluded_date)):
        contrib.working_days(agency_id, r, done, delta, workdays(agency_id, r, done) * int(n), int(n))
    cols = [W.c[f] for f in WORKORDER_FIELDS]
    for *values, n in conn.execute(select(*cols, func.count()).where(W.c.agency_id == agency_id).group_by(*cols)):
        contrib.workorder(dict(zip(WORKORDER_FIELDS, values, strict=True)), delta, tz_of, int(n))
        cases += int(n)
    met = (K.c.agency_id == agency_id, K.c.case_kind == CaseKindName.DISCLOSURE, K.c.kind == "reply",
           K.c.status == ClockStatus.MET, K.c.met_at.is_not(None))
    if conn.dialect.name == "postgresql":  # the day met in the agency's zone, counted by the database
        day = cast(func.timezone(tz_of(agency_id), K.c.met_at), Date)
        ok = func.coalesce(K.c.met_at <= K.c.due_at, False)
        for d, who, on_time, n in conn.execute(select(day, K.c.assignee_id, ok, func.count()).where(*met)
                                               .group_by(day, K.c.assignee_id, ok)):
            contrib.reply(agency_id, d, int(who or 0), bool(on_time), delta, int(n))
        return cases
    cols = [K.c[f] for f in CLOCK_FIELDS]
    for *values, n in conn.execute(select(*cols, func.count()).where(*met).group_by(*cols)):
        contrib.clock(dict(zip(CLOCK_FIELDS, values, strict=True)), delta, tz_of, int(n))
    return cases


def rebuild(engine: Engine, agency_id: int | None = None) -> Rebuilt:
    """One transaction: the summaries of one agency (or all) recomputed; readers see the old or the new ones."""
    with write_session(engine) as s:
        done = rebuild_connection(s.connection(), agency_id)
        s.commit()
        return done
