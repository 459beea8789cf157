"""Issue 20: the calendar preview lists exactly the deadlines the import's recompute then moves — working-day
clocks and the hour-based ones (an urgent 12345 order's 2-working-hour sign-for), old → new per clock, the same
count on both sides; an hour-based deadline can move within its day, and both sides say so with its times."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from db.engine import read_session
from db.models import Event
from states.calendar_notice import parse_notice
from tests.helpers import make_staff
from tests.hotline_helpers import local, new_order
from tests.workflow.sweep_helpers import register_on, run
from web.pages.timeline import clock_moved
from workflow.calendar.preview import preview_notice
from workflow.calendar.service import import_notice

# Two days off of the agency's own calendar: Monday 9 March and Friday 13 March 2026.
NOTICE = """year: 2026
document: 某县人民政府关于临时放假的通知
scope: default
holidays:
  - {name: 临时放假, start: 2026-03-09, end: 2026-03-09}
  - {name: 临时放假, start: 2026-03-13, end: 2026-03-13}
"""


def _recompute_events(engine: Any) -> list[Event]:
    with read_session(engine) as s:
        return list(s.exec(select(Event).where(Event.action == "recompute").order_by(col(Event.id))).all())


def test_the_preview_counts_and_shows_what_the_recompute_does_hour_clocks_included(db, clock) -> None:
    staff = make_staff(db.engine, clock.now())
    # working hours 09:00–12:00, 14:30–18:00; an urgent order: sign for within 2 working hours
    across_monday = new_order(db.engine, staff.front, local(2026, 3, 6, 17, 0), urgency="紧急",
                              received_at="2026-03-06 17:00:00")  # Fri 17:00 → Mon 9 March 10:00
    same_day = new_order(db.engine, staff.front, local(2026, 3, 13, 17, 0), urgency="紧急",
                         received_at="2026-03-13 17:00:00")  # Fri 17:00 → Mon 16 March 10:00
    untouched = new_order(db.engine, staff.front, local(2026, 3, 2, 9, 30), urgency="紧急",
                          received_at="2026-03-02 09:30:00")  # Mon 2 March 11:30: before the days off
    ordinary = new_order(db.engine, staff.front, local(2026, 3, 6, 9, 30), received_at="2026-03-06 09:30:00")
    application = register_on(db.engine, staff, local(2026, 3, 2).date())  # reply due in 20 working days
    data = parse_notice(NOTICE, "notice.yaml")

    with read_session(db.engine) as s:
        pv = preview_notice(s, data)
    listed = {(m.case_kind, m.case_id, m.clock_label): (m.old_text, m.new_text) for m in pv.moved}
    assert len(listed) == len(pv.moved)
    # the hour-based clocks, with their times: one moves to the next working day, one within its own day
    assert listed[("workorder", across_monday, "签收时限")] == ("2026-03-09 10:00", "2026-03-10 10:00")
    assert listed[("workorder", same_day, "签收时限")] == ("2026-03-16 10:00", "2026-03-16 11:00")
    urls = {(m.case_kind, m.case_id): m.url for m in pv.moved}  # each links to its kind's case page
    assert urls[("workorder", same_day)] == f"/workorders/{same_day}"
    assert urls[("disclosure", application)] == f"/cases/disclosure/{application}"
    assert not any(k[1] == untouched and k[0] == "workorder" for k in listed)
    # working-day clocks as before: by their day
    assert ("workorder", ordinary, "签收时限") in listed and ("disclosure", application, "答复期限") in listed
    assert all(" " not in new for (kind, _, label), (_, new) in listed.items() if label != "签收时限")

    import_notice(db.engine, data, actor_label="管理员", now=local(2026, 3, 6, 18, 30))
    report = run(db.engine, "recompute", local(2026, 3, 6, 18, 31))
    assert report.done.get("moved", 0) == len(pv.moved), (report.done, [m.clock_label for m in pv.moved])

    evs = _recompute_events(db.engine)
    assert len(evs) == len(pv.moved)
    by_case = {(e.case_kind, e.case_id, e.payload["clock"]): e.payload for e in evs}
    assert {(k, i) for k, i, _ in by_case} == {(k, i) for k, i, _ in listed}
    # the case's timeline reads old → new with the times, as the preview did
    assert clock_moved(by_case[("workorder", same_day, "sign_for")]) == \
        "签收时限：2026-03-16 10:00 → 2026-03-16 11:00（按新的节假日安排重新计算）"
    assert clock_moved(by_case[("workorder", across_monday, "sign_for")], "Asia/Shanghai") == \
        "签收时限：2026-03-09 10:00 → 2026-03-10 10:00（按新的节假日安排重新计算）"
    assert clock_moved(by_case[("disclosure", application, "reply")]).startswith("答复期限：2026-03-30 → 2026-04-01")  # two days off

    with read_session(db.engine) as s:  # imported: nothing left to move
        assert preview_notice(s, data).moved == []
