"""Reminders before due: the assigned officer hears of a deadline 5, 3 and 1 working days ahead and on the day.

Rule (decided with set-based SQL, never per-row calendar arithmetic over every open clock):

- A clock has ``w`` working days left on a working day ``today``: ``w = workdays_between(today, due_date)``
  (0 on the due day). Rung ``r`` of the ladder is *reached* when ``w <= r``. The ladder: for a disclosure
  clock ``AgencyConfig.ladder(kind)`` (default 5, 3, 1, 0); for the clock of a kind with its own ladders
  (``CaseKind.reminder_ladders``: a work order's are the ``reminders`` of its profile cell after the agency's
  overrides, docs/hotline-profiles.md, grouped by ladder in ``workflow.hotline.ladders``) those, unless
  ``reminder_ladders_wd`` names the clock kind. The rung that fires is
  the nearest reached one, so on a working day each rung owns a window ``next_lower_rung < w <= r`` —
  which the agency calendar turns into a window of due dates
  ``[add_workdays(today, lower + 1), add_workdays(today, r + 1))``. One indexed range query per rung selects the clocks whose high-water mark (``reminded_version``/``reminded_rung``)
  does not already cover that rung for the current ``deadline_version``.
- Set-based (issue 21): a batch of up to ``CLAIM`` such clocks (due-date order, ``FOR UPDATE SKIP LOCKED``) gets its
  reminders from one ``INSERT INTO outbox … SELECT`` — the database builds each row's context from the clock, its
  case and its recipient (``workflow.sweeps.setwise``), as ``internal_notice`` would — and its high-water marks from
  one UPDATE; the next batch starts at the due date the last one reached.
- **Catch-up after downtime: only the current rung fires.** A clock whose 5-day rung was missed
  while the process was down and which now has 2 working days left gets the 3-day rung (saying
  "2 working days left"), not a stale 5-day reminder too: a superseded rung carries no information
  the current one does not, and two reminders on the same morning are noise. Nothing current is
  lost: every rung that is current on a working day fires exactly once, however late.
- Reminders are decided on working days only (none on 10/1–10/7; a make-up Saturday is a working day
  and gets its reminders); one decided outside working hours is held until the next working-hours start.
- Exactly once per (clock, rung, deadline_version, recipient): the outbox ``dedupe_key`` is
  ``reminder:<clock>:v<version>:r<rung>:user:<officer>``, inserted ``ON CONFLICT DO NOTHING`` in the same
  transaction that moves the clock's high-water mark. A moved deadline (new ``deadline_version``,
  e.g. an approved extension) makes every rung new again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, String, and_, func, literal, or_, select, update

from db.engine import dialect_name, read_session, write_session
from states.vocab import ClockStatus
from workflow.kinds import clock_kinds, desk_kinds, installed, reminder_kinds
from workflow.sweeps import setwise
from workflow.sweeps.base import (
    CLOCKS,
    USERS,
    AgencyInfo,
    Budget,
    RunOptions,
    SweepReport,
    case_table,
    desk_users,
    load_agencies,
    skip_locked,
    sweep,
)
from workflow.sweeps.hours import remind_by_the_hour
from workflow.sweeps.setwise import Sql, by_value, kinds_of, recipient_name
from workflow.timesource import start_of_day


@dataclass(frozen=True)
class Window:
    """Clocks of ``kinds`` due in ``[lo, hi)`` are at rung ``rung`` today."""

    rung: int
    kinds: tuple[str, ...]
    lo: date
    hi: date
    where: Any = field(default=None, compare=False)  # only the work orders of some profile cells


def ladders(ag: AgencyInfo) -> list[tuple[tuple[int, ...], tuple[str, ...], Any]]:
    """(rungs, clock kinds, condition or None) for every reminder ladder of the agency."""
    # a kind whose own ladders give none (no 12345 profile loads): its clocks are reminded on the agency's ladders,
    # not silently not
    own = {name: list(k.reminder_ladders(ag.cfg, ag.id)) for name, k in sorted(installed().items()) if k.reminder_ladders}
    plain: dict[tuple[int, ...], list[str]] = {}
    profiled: dict[str, list[str]] = {}
    for kind in reminder_kinds():
        case_kind = clock_kinds()[kind].case_kind
        if own.get(case_kind) and kind not in ag.cfg.reminder_ladders_wd:
            profiled.setdefault(case_kind, []).append(kind)
        else:
            plain.setdefault(ag.cfg.ladder(kind), []).append(kind)
    out: list[tuple[tuple[int, ...], tuple[str, ...], Any]] = []
    for case_kind, kinds in profiled.items():
        for ladder, where in own[case_kind]:
            if where is None:  # every case shares it: one query with the other kinds of the same ladder
                plain.setdefault(ladder, []).extend(kinds)
            else:
                out.append((ladder, tuple(kinds), where))
    return [(ladder, tuple(kinds), None) for ladder, kinds in plain.items()] + out


def rung_windows(ag: AgencyInfo) -> list[Window]:
    """The due-date window of every rung today (most urgent first); assumes today is a working day."""

    def start(k: int) -> date:  # the first due date with k working days left
        return ag.today if k == 0 else ag.cal.add_workdays_date(ag.today, k)

    out = []
    for ladder, kinds, where in ladders(ag):
        for i, rung in enumerate(ladder):
            lower = ladder[i + 1] + 1 if i + 1 < len(ladder) else 0
            out.append(Window(rung, kinds, start(lower), start(rung + 1), where))
    return sorted(out, key=lambda w: (w.rung, w.kinds))


def _pending(ag: AgencyInfo, w: Window, now: datetime) -> list[Any]:
    c = CLOCKS.c
    desk = _desk_clocks()
    # a clock of working minutes (an urgent sign-for) is reminded by the hour (workflow.sweeps.hours), not by the day;
    # a fixed instant (a platform's deadline at 11:00) already past today has ended: no "due today" reminder for it
    # (issue 14 item 3 — nor for an order recorded after it). A day clock runs to the end of its due day.
    cond = [c.agency_id == ag.id, c.status == ClockStatus.RUNNING, c.kind.in_(w.kinds), c.unit != "wmin",
            or_(c.unit != "fixed", c.due_at > now),
            c.due_date >= w.lo, c.due_date < w.hi, or_(c.assignee_id.is_not(None), *(and_(c.case_kind == case_kind, c.kind.in_(kinds))
                                                                 for case_kind, kinds in desk.items())),
            or_(c.reminded_version != c.deadline_version, c.reminded_rung.is_(None), c.reminded_rung > w.rung)]
    return cond if w.where is None else [*cond, w.where]


def _desk_clocks() -> dict[str, tuple[str, ...]]:
    """Case kind → its clock kinds the desk answers for (reminded even while nobody is assigned)."""
    out: dict[str, tuple[str, ...]] = {}
    for kind in desk_kinds():
        case_kind = clock_kinds()[kind].case_kind
        out[case_kind] = (*out.get(case_kind, ()), kind)
    return out


CLAIM = 5_000  # clocks claimed per batch at least: the notices are built by one statement, not row by row


def _notices(s: Any, ag: AgencyInfo, w: Window, ids: list[int], desk: tuple[tuple[int, str], ...], now: datetime,
             hold: datetime) -> int:
    """One ``INSERT INTO outbox … SELECT … ON CONFLICT (dedupe_key) DO NOTHING`` for the claimed clocks ``ids``: a
    reminder to the officer of each (to every desk user for a desk clock), its context built by the database as
    ``internal_notice`` builds it (workflow.sweeps.setwise). Returns how many were new."""
    sql = Sql(dialect_name(s))
    c = CLOCKS.c
    specs = clock_kinds()
    for_desk = tuple(k for k in w.kinds if k in specs and specs[k].for_desk)
    labels = {k: specs[k].label for k in w.kinds if k in specs}
    days_left: dict[date, int] = {}
    d = w.lo
    while d < w.hi:
        days_left[d] = ag.cal.workdays_between(ag.today, d)
        d += timedelta(days=1)
    users = USERS.alias("recipient")
    parts = []
    for name, kind in kinds_of(w.kinds).items():
        t = case_table(kind)
        ref = setwise.case_ref(sql, kind, t)
        frm = CLOCKS.outerjoin(t, t.c.id == c.case_id)
        for desk_part in (False, True):
            if desk_part and (not for_desk or not desk):
                continue
            uid = users.c.id if desk_part else c.assignee_id
            who = recipient_name(users.c.display_name)
            notice = [("clock_label", by_value(c.kind, labels, c.kind)), ("due_date", sql.iso_date(c.due_date)),
                      ("provisional", sql.json_bool(c.provisional)),
                      ("working_days_left", by_value(c.due_date, days_left, None))]
            if desk_part:
                notice.append(("for_desk", sql.json_value(True)))
            context = sql.obj(("agency", sql.json_value(ag.snapshot)), ("recipient", sql.obj(("name", who))),
                              ("issued_date", literal(ag.today.isoformat(), String)), ("notice", sql.obj(*notice)),
                              ("case", ref))
            key = (literal("reminder:", String) + sql.text(c.id) + literal(":v", String) + sql.text(c.deadline_version)
                   + literal(f":r{w.rung}:user:", String) + sql.text(uid))
            join = (frm.join(users, users.c.id.in_([u for u, _ in desk])) if desk_part
                    else frm.outerjoin(users, users.c.id == c.assignee_id))
            which = c.kind.in_(for_desk) if desk_part else c.kind.not_in(for_desk)
            parts.append(select(*setwise.internal_row(sql, "internal.reminder", uid, who, context, key, hold=hold,
                                                      now=now))
                         .select_from(join).where(sql.ids(c.id, ids), c.case_kind == name, which))
    return setwise.insert_notices(s, parts)


def _batch(engine: Engine, ag: AgencyInfo, w: Window, opts: RunOptions, now: datetime, hold: datetime,
           report: SweepReport, after: date | None) -> tuple[int, date | None]:
    """Claim, remind and mark one batch (at least ``CLAIM`` clocks, due-date order); returns (rows claimed, the due
    date reached). The notices come from one INSERT … SELECT, the high-water marks from one UPDATE.

    Every claimed row is marked in the same transaction, so the next batch no longer takes it; it starts at the due
    date the last one reached (``after``), so rows marked earlier in the window are not read again and again."""
    c = CLOCKS.c
    size = max(opts.batch_size, CLAIM)
    with write_session(engine) as s:
        q = select(c.id, c.kind, c.due_date).where(*_pending(ag, w, now)).order_by(c.due_date).limit(size)
        if after is not None:
            q = q.where(c.due_date >= after)
        rows = s.execute(skip_locked(q, engine)).all()
        if not rows:
            return 0, after
        ids = [int(r.id) for r in rows]
        specs = clock_kinds()
        desk = desk_users(s, ag.id)
        built = sum(len(desk) if (specs.get(r.kind) and specs[r.kind].for_desk) else 1 for r in rows)
        new = _notices(s, ag, w, ids, desk, now, hold)
        # the rows are locked: deadline_version is still the one reminded
        s.execute(update(CLOCKS).where(Sql(dialect_name(s)).ids(c.id, ids)).values(
            reminded_version=c.deadline_version, reminded_rung=w.rung))
        s.commit()
    report.batches += 1
    report.add("reminded", new)
    report.add("already_sent", max(0, built - new))
    report.add(f"rung_{w.rung}", new)
    if hold > now:
        report.add("held_to_working_hours", new)
    return len(rows), rows[-1].due_date


def _left(engine: Engine, ag: AgencyInfo, windows: list[Window], now: datetime) -> int:
    with read_session(engine) as s:
        return sum(int(s.execute(select(func.count()).select_from(CLOCKS).where(*_pending(ag, w, now))).scalar_one())
                   for w in windows)


@sweep("reminders")
def remind(engine: Engine, now: datetime, report: SweepReport, budget: Budget, opts: RunOptions) -> None:
    """Remind assigned officers of the rung each running clock has reached today (see the module doc)."""
    for ag in load_agencies(engine, now):
        if not ag.cal.is_workday(ag.today):
            report.add("rest_day_agencies")
            continue
        hold = ag.hold(now)
        remind_by_the_hour(engine, ag, now, hold, report)  # 12345 hour clocks: minutes before, in working time
        windows = rung_windows(ag)
        for w in windows:
            after: date | None = None
            while not budget.exhausted():
                n, after = _batch(engine, ag, w, opts, now, hold, report, after)
                if n < max(opts.batch_size, CLAIM):
                    break
        if budget.exhausted():
            left = _left(engine, ag, windows, now)
            if left:
                report.remaining += left
                report.lag_seconds = max(report.lag_seconds, (now - start_of_day(ag.today, ag.tz)).total_seconds())


__all__ = ["Window", "ladders", "remind", "rung_windows"]
