"""Deadline recompute after a calendar import: a re-issued 2026 notice moves 国庆 (10/8 becomes a holiday,
Saturday 10/10 is no longer a make-up working day). Affected open clocks move, with events; closed cases
and unaffected clocks keep their dates."""

from __future__ import annotations

from datetime import date

from db.engine import read_session
from tests.helpers import make_staff
from tests.workflow.sweep_helpers import (
    at,
    case_row,
    clock_of,
    events,
    moved_national_day_notice,
    outbox,
    register_on,
    run,
)
from workflow.calendar.service import calendar_version, count_stale_clocks, import_notice
from workflow.disclosure import actions as wf
from workflow.timesource import end_of_day


def _aware(dt):
    from datetime import UTC

    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def test_import_moves_affected_open_clocks_only(db, clock) -> None:
    staff = make_staff(db.engine, clock.now())
    moved = register_on(db.engine, staff, date(2026, 9, 8))  # reply due 10/12 → 10/14
    before = register_on(db.engine, staff, date(2026, 9, 2))  # reply due 9/30: unaffected
    notice_moves = register_on(db.engine, staff, date(2026, 9, 28))  # correction notice due 10/13 → 10/15
    closed = register_on(db.engine, staff, date(2026, 9, 8))
    wf.act(db.engine, closed, "reply", {"category": "disclose", "reason": "already_public",
                                        "detail": {"published_where": "本局门户网站"}}, staff.officer,
           at(date(2026, 9, 28), 10))
    old_reply = clock_of(db.engine, moved, "reply")
    closed_reply = clock_of(db.engine, closed, "reply")
    assert old_reply.due_date == date(2026, 10, 12)
    now = at(date(2026, 9, 29), 10)
    result = import_notice(db.engine, moved_national_day_notice(), actor_label="管理员", now=now)
    assert result.stale_clocks == 6  # two open clocks (correction notice, reply) of each open case

    report = run(db.engine, "recompute", now, batch_size=2)
    assert report.done == {"moved": 3, "unchanged": 3} and report.remaining == 0 and report.batches == 3
    with read_session(db.engine) as s:
        assert count_stale_clocks(s) == 0
        version = calendar_version(s)

    new_reply = clock_of(db.engine, moved, "reply")
    assert new_reply.due_date == date(2026, 10, 14)
    assert new_reply.deadline_version == old_reply.deadline_version + 1
    assert new_reply.calendar_version == version
    ev = events(db.engine, moved, "recompute")
    assert [(e.payload["clock"], e.payload["old"], e.payload["new"], e.payload["calendar_version"], e.actor_label)
            for e in ev] == [("reply", "2026-10-12", "2026-10-14", version, "系统")]

    assert clock_of(db.engine, before, "reply").due_date == date(2026, 9, 30)
    assert events(db.engine, before, "recompute") == []
    assert clock_of(db.engine, before, "reply").calendar_version == version

    nm = clock_of(db.engine, notice_moves, "correction_notice")
    assert nm.due_date == date(2026, 10, 15)
    # the window only allows a notice: the case's next deadline is its reply's (recomputed too), never the window's
    nm_reply = clock_of(db.engine, notice_moves, "reply")
    assert nm_reply.due_date > date(2026, 10, 15)
    assert _aware(case_row(db.engine, notice_moves).next_due_at) == end_of_day(nm_reply.due_date)
    assert {e.payload["clock"] for e in events(db.engine, notice_moves, "recompute")} == {"correction_notice", "reply"}

    after_closed = clock_of(db.engine, closed, "reply")
    assert after_closed.status == "met" and after_closed.calendar_version == closed_reply.calendar_version
    assert events(db.engine, closed, "recompute") == []

    assert run(db.engine, "recompute", now).done == {}


def test_moved_deadline_gets_its_reminders_again(db, clock) -> None:
    staff = make_staff(db.engine, clock.now())
    case = register_on(db.engine, staff, date(2026, 9, 8))
    run(db.engine, "reminders", at(date(2026, 9, 29), 10))  # rung 5 for 10/12
    import_notice(db.engine, moved_national_day_notice(), actor_label="管理员", now=at(date(2026, 9, 29), 11))
    run(db.engine, "recompute", at(date(2026, 9, 29), 11, 1))
    run(db.engine, "reminders", at(date(2026, 9, 29), 11, 2))  # 10/14 is now 5 working days away
    reply = clock_of(db.engine, case, "reply")
    keys = [o.dedupe_key for o in outbox(db.engine, "internal.reminder", case) if f":{reply.id}:" in o.dedupe_key]
    assert [k.split(":")[2:4] for k in keys] == [["v1", "r5"], ["v2", "r5"]]
