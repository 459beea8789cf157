"""``banli stats rebuild``: the summaries recomputed from the raw tables — every application, 12345 order and met
reply clock contributes exactly what the flush hook adds for it (workflow.tally.contrib), so a rebuild of consistent
summaries changes nothing (idempotent) and a rebuild after rows were written around the workflow (SQL by hand, a
restore of an older dump, a calendar or time-zone change) makes them right again. One agency's or all."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import Connection, Engine, case, delete, func, literal, select
from sqlmodel import Session, SQLModel

import db.models  # noqa: F401  (registers the tables)
from db.engine import write_session
from db.models import Agency
from states.calendar import WorkCalendar
from states.vocab import CaseKindName, ClockStatus
from workflow.agencies.config import agency_config
from workflow.calendar.service import agency_calendar, load_calendar
from workflow.tally import contrib, store
from workflow.tally.contrib import CLOCK_FIELDS, DISCLOSURE_FIELDS, WORKORDER_FIELDS, Delta, Workdays

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
            seen[agency_id] = (agency_config(cast(Any, SimpleNamespace(settings=row[0], code=row[1]))).timezone
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


def _contributions(conn: Connection, agency_id: int, delta: Delta, tz_of: Callable[[int], str],
                   workdays: Workdays) -> int:
    """Add every contribution of one agency's cases and reply clocks to ``delta``; returns the cases counted."""
    cases = 0
    # Applications grouped on exactly the columns that count: one contribution per group, weighted by its size
    # (of the reply instant only whether there is one).
    cols = [D.c[f] if f != "replied_at" else case((D.c.replied_at.is_not(None), 1), else_=None).label(f)
            for f in DISCLOSURE_FIELDS]
    for *values, n in conn.execute(select(*cols, func.count()).where(D.c.agency_id == agency_id).group_by(*cols)):
        contrib.disclosure(dict(zip(DISCLOSURE_FIELDS, values, strict=True)), delta, workdays, int(n))
        cases += int(n)
    cols = [W.c[f] for f in WORKORDER_FIELDS]
    for *values, n in conn.execute(select(*cols, func.count()).where(W.c.agency_id == agency_id).group_by(*cols)):
        contrib.workorder(dict(zip(WORKORDER_FIELDS, values, strict=True)), delta, tz_of, int(n))
        cases += int(n)
    cols = [K.c[f] for f in CLOCK_FIELDS]
    met = (K.c.agency_id == agency_id, K.c.case_kind == CaseKindName.DISCLOSURE, K.c.kind == "reply",
           K.c.status == ClockStatus.MET)
    for *values, n in conn.execute(select(*cols, func.count()).where(*met).group_by(*cols)):
        contrib.clock(dict(zip(CLOCK_FIELDS, values, strict=True)), delta, tz_of, int(n))
    return cases


def rebuild(engine: Engine, agency_id: int | None = None) -> Rebuilt:
    """One transaction: the summaries of one agency (or all) recomputed; readers see the old or the new ones."""
    with write_session(engine) as s:
        done = rebuild_connection(s.connection(), agency_id)
        s.commit()
        return done
