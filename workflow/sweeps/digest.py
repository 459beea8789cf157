"""Leaders' daily digest: on working days at the agency's ``digest_time`` (default 08:30), one
``internal.digest`` per leader listing the agency's duty deadlines that are overdue, due today and due
within 3 working days, by unit and officer.

Once per (agency, date): the ``job_run`` slot ``digest:<agency id>:<date>`` is claimed with
``INSERT … ON CONFLICT DO NOTHING`` in the same transaction that enqueues the notices (a rolled-back
run releases its slot), and each notice also carries the dedupe key ``digest:<agency>:<date>:user:<leader>``.
The job is checked every minute; it fires on the first check at or after ``digest_time``.

Rules chosen: nothing on rest days (a make-up Saturday is a working day and gets a digest). A digest
is a snapshot of the day; after downtime only today's digest is sent — a missed earlier day's digest
would report stale figures and is superseded by today's. If the process comes up after the end of the
agency's working day, that day's digest is skipped (tomorrow's supersedes it) rather than sent at night.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, and_, distinct, func, select

from db.engine import write_session
from notifications.outbox import enqueue_many
from states.vocab import ClockStatus
from workflow.cases.clocks import SOON_WORKDAYS, soon_until
from workflow.kinds import clock_kinds, duty_kinds, installed
from workflow.sweeps.base import (
    CLOCKS,
    NO_OFFICER,
    NO_UNIT,
    AgencyInfo,
    Budget,
    RunOptions,
    SweepReport,
    case_refs,
    claim_slot,
    fallback_ref,
    finish_slot,
    internal_notice,
    load_agencies,
    people,
    sweep,
)

SOON_WD = SOON_WORKDAYS
DIGEST_ROWS = 100  # cases listed per part of a digest (the most urgent); the totals count them all
# Where each part's full list is (the staff case list, filtered as the part is): a digest names the most urgent
# cases and links to the rest (issue 21).
FULL_LISTS = {"overdue": "/cases?open=1&overdue=1", "due_today": "/cases?open=1&due=today",
              "due_soon": "/cases?open=1&due=soon"}


def _category(ag: AgencyInfo, now: datetime, soon_end: Any) -> dict[str, Any]:
    """The three lists as SQL conditions on the clock table (each served by ix_clock_agency_due)."""
    c = CLOCKS.c
    return {"overdue": c.due_at < now,
            "due_today": and_(c.due_at >= now, c.due_date <= ag.today),
            "due_soon": and_(c.due_date > ag.today, c.due_date <= soon_end)}


def digest_rows(session: Any, ag: AgencyInfo, now: datetime, *, limit: int = DIGEST_ROWS) -> dict[str, Any]:
    """The three lists of the digest (rows: unit, officer, kind_label, number, summary, clock_label, due_date, days),
    each the ``limit`` most urgent, ``totals`` (how many deadlines each list has in all: a digest stays readable,
    and its queries bounded, however many cases an agency has) and ``by_kind``: per request kind, how many cases
    are overdue, due today and due soon — the figures the digest states, never one number adding disclosure
    applications and 12345 orders (issue 20), and cases, not deadlines (an order late to sign for and to handle is
    one case)."""
    c = CLOCKS.c
    soon_end = soon_until(ag.cal, ag.today)
    base = (c.agency_id == ag.id, c.status == ClockStatus.RUNNING, c.kind.in_(duty_kinds()))
    cats = _category(ag, now, soon_end)
    totals = {key: int(session.execute(select(func.count()).select_from(CLOCKS).where(*base, cond)).scalar_one())
              for key, cond in cats.items()}
    picked: dict[str, list[Any]] = {
        key: list(session.execute(select(c.id, c.case_kind, c.case_id, c.kind, c.due_date, c.due_at, c.assignee_id,
                                         c.provisional)
                                  .where(*base, cond).order_by(c.due_at, c.id).limit(limit)).all())
        for key, cond in cats.items()}
    rows = [r for items in picked.values() for r in items]
    refs = case_refs(session, {(r.case_kind, r.case_id) for r in rows})
    names = people(session, {r.assignee_id for r in rows})
    out: dict[str, Any] = {"overdue": [], "due_today": [], "due_soon": []}
    for key, items in picked.items():
        for r in items:
            ref = refs.get((r.case_kind, r.case_id)) or fallback_ref(r.case_kind, r.case_id)
            officer, unit = names.get(r.assignee_id, (NO_OFFICER, NO_UNIT))
            if key == "overdue":
                days = ag.cal.workdays_between(r.due_date, ag.today)
            elif key == "due_today":
                days = 0
            else:
                days = ag.cal.workdays_between(ag.today, r.due_date)
            kind = clock_kinds().get(r.kind)
            out[key].append({"unit": unit, "officer": officer, "kind_label": ref["kind_label"],
                             "number": ref["number"], "summary": ref["summary"],
                             "clock_label": kind.label if kind else r.kind, "due_date": r.due_date.isoformat(),
                             "provisional": bool(r.provisional), "days": days})
    for key in ("overdue", "due_today", "due_soon"):
        out[key].sort(key=lambda x: (x["unit"], x["officer"], x["due_date"], x["number"]))
    out["totals"] = totals
    out["by_kind"] = _by_kind(session, base, cats)
    out["links"] = dict(FULL_LISTS)
    return out


def _by_kind(session: Any, base: tuple[Any, ...], cats: dict[str, Any]) -> list[dict[str, Any]]:
    """[{kind, label, overdue, due_today, due_soon}] for each request kind with something to say (the installed
    kinds in their order, then any other by name); counted per case."""
    c = CLOCKS.c
    counts: dict[str, dict[str, int]] = {}
    for key, cond in cats.items():
        for kind, n in session.execute(select(c.case_kind, func.count(distinct(c.case_id))).where(*base, cond)
                                       .group_by(c.case_kind)).all():
            counts.setdefault(str(kind), dict.fromkeys(cats, 0))[key] = int(n)
    kinds = installed()  # the installed kinds first, in their order; then any other by name
    order = list(kinds)
    return [{"kind": kind, "label": kinds[kind].label() if kind in kinds else kind, **figures}
            for kind, figures in sorted(counts.items(), key=lambda kv: (kv[0] not in order,
                                                                        order.index(kv[0]) if kv[0] in order else 0,
                                                                        kv[0]))]


def _window(ag: AgencyInfo, now: datetime) -> str | None:
    """None when the digest may go out now, else why not."""
    if not ag.cal.is_workday(ag.today):
        return "rest_day_agencies"
    local = now.astimezone(ZoneInfo(ag.tz)).time()
    if local < time.fromisoformat(ag.cfg.digest_time):
        return "not_yet"
    if local >= ag.hours.periods[-1][1]:
        return "after_hours_skipped"
    return None


@sweep("digest")
def digest(engine: Engine, now: datetime, report: SweepReport, budget: Budget, opts: RunOptions) -> None:
    """Send today's digest of every agency whose digest time has come (once per agency and day)."""
    for ag in load_agencies(engine, now):
        why_not = _window(ag, now)
        if why_not:
            report.add(why_not)
            continue
        day = ag.today.isoformat()
        with write_session(engine) as s:
            run_id = claim_slot(s, "digest", f"digest:{ag.id}:{day}", instance=opts.instance, now=now)
            if run_id is None:
                report.add("already_sent_today")
                continue
            lists = digest_rows(s, ag, now)
            notices = [internal_notice(agency=ag, notice_type="internal.digest", recipient_id=uid,
                                       recipient_name=name, case_kind=None, case_id=None, case=None,
                                       notice={"digest_date": day, **lists},
                                       dedupe_key=f"digest:{ag.id}:{day}:user:{uid}", now=now, not_before=now)
                       for uid, name in ag.leaders]
            new = enqueue_many(s, notices)
            finish_slot(s, run_id, now=now, stats={"leaders": len(ag.leaders), "sent": new, **lists["totals"]})
            s.commit()
        report.batches += 1
        report.add("digests", new)
        if not ag.leaders:
            report.add("agencies_without_leader")


__all__ = ["DIGEST_ROWS", "FULL_LISTS", "SOON_WD", "digest", "digest_rows"]
