"""What a holiday-notice import would change, computed without writing anything.

The preview compares the new notice with the active one for the same year and scope (days added,
removed or changed) and recomputes, in memory, every open clock of the agencies that use that scope with the
would-be calendar — working-day clocks and the hour-based ones (12345 sign-for and urgent handling in working
hours, a platform's deadline extended by working days) — by the recompute's own rule
(``workflow.cases.clocks.recomputed_due`` and ``ClockMove.moved``), listing each deadline that would move, old →
new: the import's recompute then moves exactly these (issue 20: the preview said 9, the import moved 12).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from db.engine import read_session
from db.models import Agency, CalendarDay, CalendarNotice, Clock, ClockAdjustment
from states.calendar import SpecialDay, WorkCalendar, merge_scopes
from states.calendar_notice import NoticeData
from states.vocab import OPEN_CLOCK
from states.wording import DAY_KINDS
from workflow.agencies.config import agency_config, calendar_scopes
from workflow.calendar.service import NATIONAL, fixed_holidays
from workflow.cases.clocks import INSTANT_UNITS, clock_move, recomputed_due
from workflow.kinds import clock_kinds, installed
from workflow.runtime import Engine


@dataclass(frozen=True)
class DayChange:
    day: date
    change: str  # added | removed | changed
    old: str  # "放假（春节）" or ""
    new: str


@dataclass(frozen=True)
class MovedClock:
    agency: str
    case_kind: str
    case_id: int
    case_no: str
    clock_label: str
    old_due: date | None
    new_due: date | None
    old_text: str  # as a clerk reads it: the day, or for an hour-based clock the local time as well
    new_text: str
    provisional_before: bool
    provisional_after: bool
    url: str = ""  # the case's page (its kind's descriptor)


@dataclass(frozen=True)
class NoticePreview:
    data: NoticeData
    current_document: str | None  # the active notice it would replace
    changes: list[DayChange]
    moved: list[MovedClock]
    checked_clocks: int
    problems: list[str]


def _describe(kind: str, name: str) -> str:
    return f"{DAY_KINDS.get(kind, kind)}（{name}）"


def _diff(old: list[CalendarDay], new: list[SpecialDay]) -> list[DayChange]:
    before = {d.day: (d.kind, d.name) for d in old}
    after = {d.day: (d.kind, d.name) for d in new}
    out: list[DayChange] = []
    for day in sorted(before.keys() | after.keys()):
        b, a = before.get(day), after.get(day)
        if b == a:
            continue
        change = "added" if b is None else "removed" if a is None else "changed"
        out.append(DayChange(day, change, _describe(*b) if b else "", _describe(*a) if a else ""))
    return out


def _would_be_calendar(session: Session, agency: Agency, data: NoticeData, replaced_id: int | None) -> WorkCalendar:
    scopes = calendar_scopes(agency)
    rows = session.exec(select(CalendarDay).where(col(CalendarDay.scope).in_(scopes))).all()
    kept = [SpecialDay(r.day, r.kind, r.name, r.scope) for r in rows  # type: ignore[arg-type]
            if r.notice_id != replaced_id]
    incoming = data.special_days()
    national = [d for d in kept if d.scope == NATIONAL] + ([*incoming] if data.scope == NATIONAL else [])
    local = [d for d in kept if d.scope != NATIONAL] + ([] if data.scope == NATIONAL else [*incoming])
    covered = set(session.exec(select(CalendarNotice.year).where(
        CalendarNotice.scope == NATIONAL, col(CalendarNotice.active))).all())
    if data.scope == NATIONAL:
        covered.add(data.year)
    return WorkCalendar(merge_scopes(national, local), covered, version=-1, fixed=fixed_holidays(session))


def _case_numbers(session: Session, ids: dict[str, set[int]]) -> dict[tuple[str, int], str]:
    """Each case's number as notices name it (``CaseKind.ref_number``: the first filled column, else #id)."""
    out: dict[tuple[str, int], str] = {}
    for name, wanted in ids.items():
        kind = installed().get(name)
        if kind is None or not wanted:
            continue
        t = kind.table.__table__
        cols = [t.c[n] for n in kind.ref_number]
        for r in session.execute(select(t.c.id, *cols).where(t.c.id.in_(sorted(wanted)))).all():
            out[(name, int(r[0]))] = next((str(v) for v in r[1:] if v), f"#{r[0]}")
    return out


def _url(case_kind: str, case_id: int) -> str:
    kind = installed().get(case_kind)
    return kind.url(case_id) if kind is not None else ""


def scope_agencies(session: Session, scope: str) -> list[Agency]:
    """The agencies whose calendar takes a notice of ``scope`` (national: every one), in id order."""
    return [a for a in session.exec(select(Agency).order_by(col(Agency.id))).all() if scope in calendar_scopes(a)]


def other_agencies_using(engine: Engine, scope: str, code: str) -> int:
    """How many agencies besides ``code`` take a notice of ``scope`` (importing it moves their deadlines too)."""
    with read_session(engine) as s:
        return sum(1 for a in scope_agencies(s, scope) if a.code != code)


def preview_import(engine: Engine, data: NoticeData) -> NoticePreview:
    """``preview_notice`` in a read session of its own."""
    with read_session(engine) as s:
        return preview_notice(s, data)


def preview_notice(session: Session, data: NoticeData) -> NoticePreview:
    """Read-only: the day changes and the open deadlines that importing ``data`` would move."""
    current = session.exec(select(CalendarNotice).where(
        CalendarNotice.scope == data.scope, CalendarNotice.year == data.year, col(CalendarNotice.active))).first()
    old_days = list(session.exec(select(CalendarDay).where(CalendarDay.notice_id == current.id)).all()) \
        if current is not None else []
    changes = _diff(old_days, data.special_days())
    agencies = scope_agencies(session, data.scope)
    moved: list[MovedClock] = []
    problems: list[str] = []
    checked = 0
    for agency in agencies:
        try:
            cal = _would_be_calendar(session, agency, data, current.id if current else None)
        except ValueError as exc:
            problems.append(f"{agency.name}：新日历无法合成（{exc}）")
            continue
        tz = agency_config(agency).timezone
        clocks = list(session.exec(select(Clock).where(
            Clock.agency_id == agency.id, col(Clock.status).in_(OPEN_CLOCK),
            col(Clock.unit).in_(("wd", *INSTANT_UNITS))).order_by(col(Clock.id))).all())
        adjs: dict[int, list[ClockAdjustment]] = defaultdict(list)
        if clocks:
            for a in session.exec(select(ClockAdjustment).where(
                    col(ClockAdjustment.clock_id).in_([c.id for c in clocks])).order_by(col(ClockAdjustment.id))).all():
                adjs[a.clock_id].append(a)
        checked += len(clocks)
        found = []
        for c in clocks:
            due = recomputed_due(c, adjs[c.id or 0], cal, tz)
            move = clock_move(c, due)
            if due is not None and move.moved:
                found.append((c, move, due.provisional))
        ids: dict[str, set[int]] = defaultdict(set)
        for c, _, _ in found:
            ids[c.case_kind].add(c.case_id)
        numbers = _case_numbers(session, ids)
        specs = clock_kinds()
        moved.extend(MovedClock(agency.name, c.case_kind, c.case_id, numbers.get((c.case_kind, c.case_id), f"#{c.case_id}"),
                                specs[c.kind].label if c.kind in specs else c.kind, move.old_date,
                                move.new_date, *move.texts(tz), c.provisional, prov, _url(c.case_kind, c.case_id))
                     for c, move, prov in found)
    moved.sort(key=lambda m: (m.new_text, m.case_no))
    return NoticePreview(data, current.document if current else None, changes, moved, checked, problems)
