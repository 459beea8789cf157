"""Helpers for the sweep tests: register cases at a given date, run sweeps at a local time, read results."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from typing import Any

from sqlmodel import col, select

from db.engine import read_session
from db.models import Clock, Disclosure, Event, Outbox
from states.calendar import SpecialDay
from states.calendar_notice import NoticeData
from tests.helpers import Staff, registration
from workflow.calendar.seed import seed_from_chinese_calendar
from workflow.disclosure import actions as wf
from workflow.disclosure.payloads import RegisterIn
from workflow.sweeps.run import SWEEPS, SweepReport
from workflow.timesource import local_dt


def at(d: date, hour: int = 10, minute: int = 0) -> datetime:
    return local_dt(d.year, d.month, d.day, hour, minute)


def register_on(engine: Any, staff: Staff, d: date, *, assign: bool = True, **over: Any) -> int:
    """Register an application received on ``d`` (10:00 local), assigned to the officer."""
    received = at(d, 9, 30)
    data = registration(received_at=received.isoformat(), **over)
    if assign:
        data.setdefault("assignee_id", staff.officer.id)
    return wf.register(engine, RegisterIn.model_validate(data), staff.front, received).id


def run(engine: Any, job: str, now: datetime, **kw: Any) -> SweepReport:
    return SWEEPS[job](engine, now, instance="test", **kw)


def outbox(engine: Any, notice_type: str, case_id: int | None = None) -> list[Outbox]:
    with read_session(engine) as s:
        q = select(Outbox).where(Outbox.notice_type == notice_type)
        if case_id is not None:
            q = q.where(Outbox.case_id == case_id)
        return list(s.exec(q.order_by(col(Outbox.id))).all())


def clock_of(engine: Any, case_id: int, kind: str) -> Clock:
    with read_session(engine) as s:
        c = s.exec(select(Clock).where(Clock.case_id == case_id, Clock.case_kind == "disclosure",
                                       Clock.kind == kind).order_by(col(Clock.cycle).desc())).first()
        assert c is not None
        return c


def case_row(engine: Any, case_id: int) -> Disclosure:
    with read_session(engine) as s:
        row = s.get(Disclosure, case_id)
        assert row is not None
        return row


def events(engine: Any, case_id: int, action: str | None = None) -> list[Event]:
    with read_session(engine) as s:
        q = select(Event).where(Event.case_kind == "disclosure", Event.case_id == case_id)
        if action:
            q = q.where(Event.action == action)
        return list(s.exec(q.order_by(col(Event.id))).all())


def reminder_days(rows: list[Outbox], clock_id: int, tz: str = "Asia/Shanghai") -> list[tuple[str, int, int]]:
    """(local date decided, rung, working days left) of the reminders of one clock, in order."""
    from zoneinfo import ZoneInfo

    out = []
    for o in rows:
        parts = o.dedupe_key.split(":")
        if int(parts[1]) != clock_id:
            continue
        created = o.created_at if o.created_at.tzinfo else o.created_at.replace(tzinfo=ZoneInfo("UTC"))
        out.append((created.astimezone(ZoneInfo(tz)).date().isoformat(), int(parts[3][1:]),
                    int(o.context["notice"]["working_days_left"])))
    return out


def moved_national_day_notice() -> NoticeData:
    """The 2026 national notice with National Day moved: 8 October a holiday, Saturday 10 October no longer a
    make-up working day."""
    n2026 = next(n for n in seed_from_chinese_calendar() if n.year == 2026)
    holidays = [*n2026.holidays, SpecialDay(date(2026, 10, 8), "holiday", "国庆节")]
    workdays = [d for d in n2026.workdays if d.day != date(2026, 10, 10)]
    return dataclasses.replace(n2026, document="国办发明电〔2025〕7号（测试：国庆调整）", holidays=holidays,
                               workdays=workdays)
