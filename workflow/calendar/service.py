"""The calendar as data in the database: seeding, versioned notice imports, loading, staleness.

Holiday notices are rows (never code). Every import bumps the calendar version; clocks store the
version they were computed with, so stale deadlines can be found and recomputed. The fixed-date statutory holidays
assumed for a year without its notice (states.calendar_fixed) are kept with the version (``calendar_state``): a change
to them bumps it too (``sync_fixed_holidays``). What else counts by the calendar
listens (``on_calendar_change``): it sees the calendars before and after, in the import's transaction.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Engine, delete, update
from sqlmodel import Session, col, func, select

from db.engine import write_session
from db.models import CalendarDay, CalendarNotice, CalendarState, Clock
from states.calendar import SpecialDay, WorkCalendar, merge_scopes
from states.calendar_fixed import FixedHolidays, parse_fixed_holidays
from states.calendar_notice import NoticeData
from states.vocab import OPEN_CLOCK
from workflow.agencies.config import AgencySettings, calendar_scopes

NATIONAL = "national"
_CACHE_SIZE = 16
_cache: OrderedDict[tuple[str, int, tuple[str, ...]], WorkCalendar] = OrderedDict()
_cache_lock = threading.Lock()


@dataclass(frozen=True)
class ImportResult:
    notice_id: int
    version: int
    replaced_notice_id: int | None
    holidays: int
    workdays: int
    stale_clocks: int


def calendar_version(session: Session) -> int:
    state = session.get(CalendarState, 1)
    return state.version if state else 0


class CalendarListener(Protocol):
    """Something kept by the calendar: ``before`` is called with the scopes about to change (in the transaction that
    changes them, before it does), ``after`` with what ``before`` returned, once the new days are in."""

    def before(self, session: Session, scopes: Iterable[str]) -> Any: ...

    def after(self, session: Session, state: Any) -> None: ...


_LISTENERS: list[CalendarListener] = []


def on_calendar_change(listener: CalendarListener) -> None:
    _LISTENERS.append(listener)


def _changing(session: Session, scopes: Iterable[str]) -> list[tuple[CalendarListener, Any]]:
    scopes = set(scopes)
    return [(one, one.before(session, scopes)) for one in _LISTENERS]


def _changed(session: Session, states: list[tuple[CalendarListener, Any]]) -> None:
    session.flush()
    for one, state in states:
        one.after(session, state)


def _bump_version(session: Session) -> int:
    state = session.get(CalendarState, 1)
    if state is None:
        state = CalendarState(id=1, version=0)
        session.add(state)
    state.version += 1
    session.flush()
    return state.version


def _store_notice(session: Session, data: NoticeData, *, source: str, actor_label: str, now: datetime,
                  version: int) -> tuple[CalendarNotice, int | None]:
    old = session.exec(
        select(CalendarNotice).where(
            CalendarNotice.scope == data.scope, CalendarNotice.year == data.year, CalendarNotice.active
        )
    ).first()
    notice = CalendarNotice(
        scope=data.scope, year=data.year, document=data.document, source=source, imported_by=actor_label,
        imported_at=now, calendar_version=version, active=True, raw=data.raw,
    )
    session.add(notice)
    session.flush()
    replaced = None
    if old is not None:
        # A later import for the same year/scope replaces the earlier one (kept for history).
        session.execute(delete(CalendarDay).where(col(CalendarDay.notice_id) == old.id))
        old.active = False
        old.replaced_by_id = notice.id
        replaced = old.id
        session.flush()
    rows = [
        {"notice_id": notice.id, "scope": data.scope, "day": d.day, "kind": d.kind, "name": d.name}
        for d in [*data.holidays, *data.workdays]
    ]
    if rows:
        session.execute(CalendarDay.__table__.insert(), rows)  # type: ignore[attr-defined]
    return notice, replaced


def seed_national(session: Session, notices: list[NoticeData], *, now: datetime) -> int:
    """Seed national notices for years not yet present (first start); returns how many were added."""
    present = set(session.exec(select(CalendarNotice.year).where(CalendarNotice.scope == NATIONAL)).all())
    todo = [n for n in notices if n.year not in present]
    if not todo:
        return 0
    listening = _changing(session, {NATIONAL})
    version = _bump_version(session)
    for n in todo:
        _store_notice(session, n, source="chinese-calendar 1.11.0", actor_label="系统初始化", now=now,
                      version=version)
    _changed(session, listening)
    return len(todo)


def fixed_holidays(session: Session) -> FixedHolidays | None:
    """The fixed-date statutory holidays the calendar assumes for uncovered years (None before the first start)."""
    state = session.get(CalendarState, 1)
    return parse_fixed_holidays(state.fixed_holidays) if state is not None and state.fixed_holidays else None


def sync_fixed_holidays(session: Session, data: FixedHolidays) -> bool:
    """Store ``data`` as the fixed-date holidays unless they are stored already; a change bumps the calendar version
    (open deadlines are recomputed by the sweep) and tells the listeners, as a notice import does. True if changed."""
    raw = dict(data.raw)
    state = session.get(CalendarState, 1)
    if state is not None and state.fixed_holidays == raw:
        return False
    listening = _changing(session, {NATIONAL})
    _bump_version(session)
    state = session.get(CalendarState, 1)
    assert state is not None
    state.fixed_holidays = raw
    session.add(state)
    _changed(session, listening)
    return True


def import_notice(engine: Engine, data: NoticeData, *, actor_label: str, now: datetime,
                  source: str = "import") -> ImportResult:
    """Import one holiday notice in one transaction (replacing an earlier one for the year/scope)."""
    with write_session(engine) as session:
        listening = _changing(session, {data.scope})
        version = _bump_version(session)
        notice, replaced = _store_notice(session, data, source=source, actor_label=actor_label, now=now,
                                         version=version)
        _changed(session, listening)
        stale = count_stale_clocks(session, version)
        session.commit()
        from workflow.agencies.cache import invalidate

        invalidate()
        assert notice.id is not None
        return ImportResult(notice.id, version, replaced, len(data.holidays), len(data.workdays), stale)


def load_calendar(session: Session, scopes: tuple[str, ...] = (NATIONAL,)) -> WorkCalendar:
    """The working calendar for these scopes at the current version (cached per version)."""
    version = calendar_version(session)
    key = (str(session.get_bind().engine.url), version, scopes)
    with _cache_lock:
        cal = _cache.get(key)
        if cal is not None:
            _cache.move_to_end(key)
            return cal
    rows = session.exec(select(CalendarDay).where(CalendarDay.scope.in_(scopes))).all()  # type: ignore[attr-defined]
    covered = session.exec(
        select(CalendarNotice.year).where(CalendarNotice.scope == NATIONAL, CalendarNotice.active)
    ).all()
    national = [SpecialDay(r.day, r.kind, r.name, r.scope) for r in rows if r.scope == NATIONAL]  # type: ignore[arg-type]
    local = [SpecialDay(r.day, r.kind, r.name, r.scope) for r in rows if r.scope != NATIONAL]  # type: ignore[arg-type]
    cal = WorkCalendar(merge_scopes(national, local), covered, version=version, fixed=fixed_holidays(session))
    with _cache_lock:
        _cache[key] = cal
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return cal


def agency_calendar(session: Session, agency: AgencySettings) -> WorkCalendar:
    return load_calendar(session, calendar_scopes(agency))


def count_stale_clocks(session: Session, version: int | None = None) -> int:
    """How many open clocks were computed with an older calendar version."""
    version = calendar_version(session) if version is None else version
    return int(
        session.exec(
            select(func.count()).select_from(Clock).where(
                Clock.calendar_version < version, Clock.status.in_(OPEN_CLOCK)  # type: ignore[attr-defined]
            )
        ).one()
    )


def mark_agency_clocks_stale(session: Session, agency_id: int) -> None:
    """The agency's open clocks computed again by the recompute sweep (workflow.sweeps.recompute), as after a holiday
    notice: its calendar or time zone changed, so its deadlines count other days or end at other instants."""
    version = calendar_version(session)
    session.execute(update(Clock).where(col(Clock.agency_id) == agency_id, col(Clock.status).in_(OPEN_CLOCK),
                                        col(Clock.calendar_version) >= version).values(calendar_version=version - 1))


def stale_clock_ids(session: Session, limit: int = 1000, after_id: int = 0) -> list[int]:
    """Open clocks computed with an older calendar version, in id order (for batched recompute)."""
    version = calendar_version(session)
    return list(
        session.exec(
            select(Clock.id).where(
                Clock.calendar_version < version,
                Clock.status.in_(OPEN_CLOCK),  # type: ignore[attr-defined]
                Clock.id > after_id,  # type: ignore[operator]
            ).order_by(Clock.id).limit(limit)  # type: ignore[arg-type]
        ).all()
    )


@dataclass(frozen=True)
class YearEntry:
    day: str
    kind: str
    name: str
    scope: str
    document: str
    source: str


def show_year(session: Session, year: int, scopes: tuple[str, ...] | None = None) -> tuple[list[YearEntry], bool]:
    """Holidays and make-up days of a year with their source; and whether the year is covered."""
    q = select(CalendarDay, CalendarNotice).join(CalendarNotice, CalendarDay.notice_id == CalendarNotice.id).where(  # type: ignore[arg-type]
        CalendarNotice.year == year, CalendarNotice.active
    )
    if scopes:
        q = q.where(CalendarDay.scope.in_(scopes))  # type: ignore[attr-defined]
    out = [
        YearEntry(d.day.isoformat(), d.kind, d.name, d.scope, n.document, n.source)
        for d, n in session.exec(q.order_by(CalendarDay.day)).all()  # type: ignore[arg-type]
    ]
    covered = session.exec(
        select(CalendarNotice.id).where(CalendarNotice.scope == NATIONAL, CalendarNotice.year == year,
                                        CalendarNotice.active)
    ).first() is not None
    return out, covered


def mark_clocks_version(session: Session, clock_ids: list[int], version: int) -> None:
    """Used by the recompute sweep after recomputing clocks."""
    if clock_ids:
        session.execute(update(Clock).where(Clock.id.in_(clock_ids)).values(calendar_version=version))  # type: ignore[union-attr]
