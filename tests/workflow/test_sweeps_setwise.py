"""Reminders written by one INSERT … SELECT (issue 21) are the rows ``internal_notice`` builds in Python, on SQLite and
PostgreSQL: same context (agency snapshot, recipient's name, case reference with its trimmed summary, the clock, the
working days left, the desk flag), same recipient, dedupe key, status and times — for awkward summaries (whitespace
Python strips, line breaks, 60 characters and more, characters outside the BMP, none at all), a number taken from a
later column or ``#id``, a case row that is missing, an officer without a name and a desk clock of a work order."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from sqlalchemy import insert, select, update
from sqlmodel import col

from db.engine import read_session, write_session
from db.models import Clock, Disclosure, Outbox, User
from states.roles import Role
from tests.helpers import make_staff
from tests.workflow.sweep_helpers import at, clock_of, register_on, run
from workflow.accounts.roles import replace_roles
from workflow.kinds import clock_kinds
from workflow.sweeps.base import case_refs, desk_users, fallback_ref, internal_notice, load_agencies, people
from workflow.sweeps.setwise import WHITESPACE

RECEIVED = date(2026, 9, 8)  # reply due Monday 10/12 (after 国庆)
SUMMARIES = [
    "2025年本县农村道路建设项目的招标文件",
    "\u3000\u3000关于某项目的批复\r\n及其附件\u3000 \n",
    "第一行\n第二行\n" + "长" * 70,
    "恰" * 60,
    "多" * 61,
    "𠮷" * 70,
    "",
    " \t\u3000\n",
]


def _expected(s: Any, ag: Any, row: Outbox) -> dict[str, Any]:
    """What the Python builder makes of the clock and recipient named by the row's dedupe key."""
    m = re.fullmatch(r"reminder:(\d+):v(\d+):r(\d+):user:(\d+)", row.dedupe_key)
    assert m, row.dedupe_key
    clock_id, version, rung, uid = (int(g) for g in m.groups())
    c = s.get(Clock, clock_id)
    spec = clock_kinds()[c.kind]
    if spec.for_desk:
        name = dict(desk_users(s, ag.id))[uid]
    else:
        assert uid == c.assignee_id
        name = people(s, [uid]).get(uid, ("（未分办）", ""))[0]
    notice: dict[str, Any] = {"clock_label": spec.label, "due_date": c.due_date.isoformat(),
                              "provisional": c.provisional,
                              "working_days_left": ag.cal.workdays_between(ag.today, c.due_date)}
    if spec.for_desk:
        notice["for_desk"] = True
    ref = case_refs(s, [(c.case_kind, c.case_id)]).get((c.case_kind, c.case_id)) or fallback_ref(c.case_kind, c.case_id)
    return internal_notice(agency=ag, notice_type="internal.reminder", recipient_id=uid, recipient_name=name,
                           case_kind=c.case_kind, case_id=c.case_id, case=ref, notice=notice,
                           dedupe_key=f"reminder:{c.id}:v{version}:r{rung}:user:{uid}", now=row.created_at,
                           not_before=row.next_attempt_at)


def test_setwise_reminders_are_the_rows_python_builds(db, clock) -> None:
    assert "\u3000" in WHITESPACE and "\u200b" not in WHITESPACE
    staff = make_staff(db.engine, clock.now())
    cases = [register_on(db.engine, staff, RECEIVED) for _ in SUMMARIES]
    nameless = register_on(db.engine, staff, RECEIVED, assignee_id=staff.officer2.id)
    reply = clock_of(db.engine, cases[0], "reply")
    with write_session(db.engine) as s:
        for cid, text in zip(cases, SUMMARIES, strict=True):
            s.execute(update(Disclosure).where(col(Disclosure.id) == cid).values(description=text))
        # the number from the next column, then #id
        s.execute(update(Disclosure).where(col(Disclosure.id) == cases[1]).values(tracking_no=None,
                                                                                  submission_no="网申〔2026〕7号"))
        s.execute(update(Disclosure).where(col(Disclosure.id) == cases[2]).values(tracking_no="", submission_no=None))
        s.execute(update(User).where(col(User.id) == staff.officer2.id).values(display_name=""))
        base = dict(agency_id=staff.agency_id, cycle=1, status="running", unit="wd", amount=20,
                    start_date=RECEIVED, due_date=reply.due_date, due_at=reply.due_at, explanation={},
                    calendar_version=reply.calendar_version, provisional=False, missing_years=[], deadline_version=1,
                    overdue_level=0, updated_at=clock.now())
        # a clock whose case row is gone (provisional: its notice says so), and a work order's desk clock (its
        # reminders go to the desk)
        s.execute(insert(Clock).values(case_kind="disclosure", case_id=987654, kind="reply",
                                       assignee_id=staff.officer.id, **{**base, "provisional": True}))
        desk_kind = next(k for k, v in clock_kinds().items() if v.for_desk and v.case_kind == "workorder")
        s.execute(insert(Clock).values(case_kind="workorder", case_id=987655, kind=desk_kind, assignee_id=None,
                                       **base))
        s.commit()
    for day in (date(2026, 9, 29), date(2026, 10, 9), date(2026, 10, 12)):  # rungs 5, 3 and 0 of the reply clocks
        run(db.engine, "reminders", at(day, 10))
    with read_session(db.engine) as s:
        rows = list(s.execute(select(Outbox).where(col(Outbox.notice_type) == "internal.reminder")
                              .order_by(col(Outbox.id))).scalars())
        assert len(rows) >= 3 * (len(SUMMARIES) + 3)
        ags = {when: {a.id: a for a in load_agencies(db.engine, when)} for when in {r.created_at for r in rows}}
        seen = set()
        for row in rows:
            got = {k: getattr(row, k) for k in ("agency_id", "notice_type", "channel", "recipient", "recipient_name",
                                                 "context", "dedupe_key", "status", "attempts", "next_attempt_at",
                                                 "created_at", "case_kind", "case_id")}
            want = _expected(s, ags[row.created_at][row.agency_id], row)  # the agency on the day it was written
            assert got == want, (got, want)
            seen.add((row.case_id, row.context["case"]["summary"], row.context["case"]["number"]))
    summaries = {cid: summary for cid, summary, _ in seen}
    assert summaries[cases[1]] == "关于某项目的批复\r 及其附件"
    assert summaries[cases[3]] == "恰" * 60 and summaries[cases[4]] == "多" * 60 + "…"
    assert summaries[cases[5]] == "𠮷" * 60 + "…" and summaries[cases[6]] == summaries[cases[7]] == "（无摘要）"
    numbers = {cid: number for cid, _, number in seen}
    assert numbers[cases[1]] == "网申〔2026〕7号" and numbers[cases[2]] == f"#{cases[2]}"
    assert numbers[987654] == "#987654" and summaries[987654] == "（无摘要）"
    names = {r.case_id: r.recipient_name for r in rows}
    assert names[nameless] == "（未分办）" and names[987655] == "前台小王"
    assert {r.case_id for r in rows if r.context["notice"]["provisional"] is True} == {987654}


def _expected_overdue(s: Any, ag: Any, row: Outbox) -> dict[str, Any]:
    """What ``internal_notice`` builds (as the escalation sweep built it row by row) for the clock, level and leader
    named by the row's dedupe key."""
    m = re.fullmatch(r"overdue:(\d+):v(\d+):l(\d+):user:(\d+)", row.dedupe_key)
    assert m, row.dedupe_key
    clock_id, version, level, uid = (int(g) for g in m.groups())
    c = s.get(Clock, clock_id)
    officer, unit = people(s, [c.assignee_id]).get(c.assignee_id, ("（未分办）", "（未指定科室）"))
    notice = {"level": level, "clock_label": clock_kinds()[c.kind].label, "due_date": c.due_date.isoformat(),
              "provisional": c.provisional, "days_overdue": ag.cal.workdays_between(c.due_date, ag.today),
              "officer": officer, "unit": unit}
    ref = case_refs(s, [(c.case_kind, c.case_id)]).get((c.case_kind, c.case_id)) or fallback_ref(c.case_kind, c.case_id)
    return internal_notice(agency=ag, notice_type="internal.overdue", recipient_id=uid,
                           recipient_name=dict(ag.leaders)[uid], case_kind=c.case_kind, case_id=c.case_id, case=ref,
                           notice=notice, dedupe_key=f"overdue:{c.id}:v{version}:l{level}:user:{uid}",
                           now=row.created_at, not_before=row.next_attempt_at)


def test_setwise_overdue_notices_are_the_rows_python_builds(db, clock) -> None:
    """The leaders' 催办/督办 notices of the escalation sweep, written by one INSERT … SELECT per batch (issue 21): the
    same rows as ``internal_notice`` — awkward summaries, an officer without a name, one without a unit, a case
    nobody is assigned, a leader without a name; both levels, and both after a
    downtime (催办 and 督办 on the same morning)."""
    staff = make_staff(db.engine, clock.now())
    cases = [register_on(db.engine, staff, RECEIVED) for _ in SUMMARIES]
    nameless = register_on(db.engine, staff, RECEIVED, assignee_id=staff.officer2.id)
    unassigned = register_on(db.engine, staff, RECEIVED, assign=False)
    late = register_on(db.engine, staff, date(2026, 9, 1))  # due 9/29: 督办 due before the first run
    with write_session(db.engine) as s:
        for cid, text in zip(cases, SUMMARIES, strict=True):
            s.execute(update(Disclosure).where(col(Disclosure.id) == cid).values(description=text))
        s.execute(update(Disclosure).where(col(Disclosure.id) == cases[1]).values(tracking_no=None,
                                                                                  submission_no="网申〔2026〕7号"))
        s.execute(update(User).where(col(User.id) == staff.officer2.id).values(display_name="", unit_id=None))
        s.execute(update(User).where(col(User.id) == staff.admin.id).values(display_name=""))
        replace_roles(s, staff.admin.id, staff.agency_id, frozenset({Role.ADMIN, Role.LEADER}))
        # a deadline counted through a year without its holiday notice: the notice marks it provisional
        s.execute(update(Clock).where(col(Clock.case_id) == late, col(Clock.kind) == "reply").values(provisional=True))
        s.commit()
    for day in (date(2026, 10, 14), date(2026, 10, 20)):  # 催办 (and 督办 of the late one at once); then 督办
        run(db.engine, "escalation", at(day, 10))
    with read_session(db.engine) as s:
        rows = list(s.execute(select(Outbox).where(col(Outbox.notice_type) == "internal.overdue")
                              .order_by(col(Outbox.id))).scalars())
        ags = {when: {a.id: a for a in load_agencies(db.engine, when)} for when in {r.created_at for r in rows}}
        for row in rows:
            got = {k: getattr(row, k) for k in ("agency_id", "notice_type", "channel", "recipient", "recipient_name",
                                                 "context", "dedupe_key", "status", "attempts", "next_attempt_at",
                                                 "created_at", "case_kind", "case_id")}
            want = _expected_overdue(s, ags[row.created_at][row.agency_id], row)
            assert got == want, (got, want)
    leaders = {r.recipient for r in rows}
    names = {r.recipient: r.recipient_name for r in rows}
    assert names[f"user:{staff.leader.id}"] == "负责人陈红" and names[f"user:{staff.admin.id}"] == "（未分办）"
    levels = {(r.case_id, r.context["notice"]["level"]) for r in rows}
    assert {(c, lv) for c in [*cases, nameless, unassigned, late] for lv in (1, 2)} == levels
    assert len(rows) == len(levels) * len(leaders)
    officers = {r.case_id: (r.context["notice"]["officer"], r.context["notice"]["unit"]) for r in rows}
    assert officers[nameless] == ("（未分办）", "（未指定科室）") and officers[unassigned] == ("（未分办）", "（未指定科室）")
    assert officers[cases[0]] == ("承办人李明", "综合科")
    assert {r.case_id for r in rows if r.context["notice"]["provisional"] is True} == {late}
