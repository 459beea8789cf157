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

from sqlalchemy import Engine, select

from db.engine import write_session
from notifications.context import case_ref
from notifications.outbox import enqueue_many
from workflow.cases.clocks import CLOCK_KINDS, DUTY_KINDS
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
    finish_slot,
    internal_notice,
    load_agencies,
    people,
    sweep,
)

SOON_WD = 3


def digest_rows(session: Any, ag: AgencyInfo, now: datetime) -> dict[str, list[dict[str, Any]]]:
    """The three lists of the digest (rows: unit, officer, kind_label, number, summary, clock_label, due_date, days)."""
    c = CLOCKS.c
    soon_end = ag.cal.add_workdays_date(ag.today, SOON_WD)
    rows = session.execute(
        select(c.id, c.case_kind, c.case_id, c.kind, c.due_date, c.due_at, c.assignee_id)
        .where(c.agency_id == ag.id, c.status == "running", c.kind.in_(DUTY_KINDS), c.due_date <= soon_end)
        .order_by(c.due_date, c.id)).all()
    refs = case_refs(session, {(r.case_kind, r.case_id) for r in rows})
    names = people(session, {r.assignee_id for r in rows})
    out: dict[str, list[dict[str, Any]]] = {"overdue": [], "due_today": [], "due_soon": []}
    for r in rows:
        ref = refs.get((r.case_kind, r.case_id)) or case_ref(r.case_kind, f"#{r.case_id}", "（无摘要）")
        officer, unit = names.get(r.assignee_id, (NO_OFFICER, NO_UNIT))
        due_at = r.due_at if r.due_at.tzinfo else r.due_at.replace(tzinfo=now.tzinfo)
        if due_at < now:
            key, days = "overdue", ag.cal.workdays_between(r.due_date, ag.today)
        elif r.due_date <= ag.today:
            key, days = "due_today", 0
        else:
            key, days = "due_soon", ag.cal.workdays_between(ag.today, r.due_date)
        kind = CLOCK_KINDS.get(r.kind)
        out[key].append({"unit": unit, "officer": officer, "kind_label": ref["kind_label"], "number": ref["number"],
                         "summary": ref["summary"], "clock_label": kind.label if kind else r.kind,
                         "due_date": r.due_date.isoformat(), "days": days})
    for items in out.values():
        items.sort(key=lambda x: (x["unit"], x["officer"], x["due_date"], x["number"]))
    return out


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
            finish_slot(s, run_id, now=now, stats={"leaders": len(ag.leaders), "sent": new,
                                                   **{k: len(v) for k, v in lists.items()}})
            s.commit()
        report.batches += 1
        report.add("digests", new)
        if not ag.leaders:
            report.add("agencies_without_leader")


__all__ = ["SOON_WD", "digest", "digest_rows"]
