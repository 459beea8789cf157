"""Leaders' daily digest around 国庆 2026: at 08:30 on working days (the make-up Saturday 10/10 too), never on rest days."""

from __future__ import annotations

import re
from datetime import date

from sqlmodel import select

from db.engine import read_session
from db.models import JobRun
from notifications.render import render, render_subject
from tests.helpers import make_staff
from tests.hotline_helpers import local, new_order
from tests.workflow.sweep_helpers import at, outbox, register_on, run
from workflow.sweeps.base import case_refs, load_agencies
from workflow.sweeps.digest import digest_rows


def _setup(db, clock):
    staff = make_staff(db.engine, clock.now())
    cases = {
        "overdue": register_on(db.engine, staff, date(2026, 9, 2)),  # reply due 9/30
        "today": register_on(db.engine, staff, date(2026, 9, 4)),  # due 10/9
        "soon": register_on(db.engine, staff, date(2026, 9, 8), assignee_id=staff.officer2.id),  # due 10/12
        "unassigned": register_on(db.engine, staff, date(2026, 9, 7), assign=False),  # due 10/10
        "later": register_on(db.engine, staff, date(2026, 9, 14)),  # due 10/16: not listed
    }
    return staff, cases


def test_digest_once_per_working_day_at_the_configured_time(db, clock) -> None:
    staff, _ = _setup(db, clock)
    assert run(db.engine, "digest", at(date(2026, 10, 9), 8, 29)).done == {"not_yet": 1}
    first = run(db.engine, "digest", at(date(2026, 10, 9), 8, 30))
    leaders = first.done["digests"]
    assert leaders >= 1
    assert run(db.engine, "digest", at(date(2026, 10, 9), 8, 31)).done == {"already_sent_today": 1}
    assert run(db.engine, "digest", at(date(2026, 10, 9), 15, 0)).done == {"already_sent_today": 1}
    for d in (date(2026, 10, 1), date(2026, 10, 4), date(2026, 10, 11)):  # holiday, holiday Sunday, Sunday
        assert run(db.engine, "digest", at(d, 9)).done == {"rest_day_agencies": 1}
    assert run(db.engine, "digest", at(date(2026, 10, 10), 9)).done == {"digests": leaders}  # make-up Saturday
    assert run(db.engine, "digest", at(date(2026, 10, 12), 18, 30)).done == {"after_hours_skipped": 1}
    rows = outbox(db.engine, "internal.digest")
    assert [o.context["notice"]["digest_date"] for o in rows] == ["2026-10-09"] * leaders + ["2026-10-10"] * leaders
    assert f"user:{staff.leader.id}" in {o.recipient for o in rows}
    with read_session(db.engine) as s:
        slots = sorted(r.slot for r in s.exec(select(JobRun)).all())
    assert slots == [f"digest:{staff.agency_id}:2026-10-09", f"digest:{staff.agency_id}:2026-10-10"]


def test_digest_lists_overdue_due_today_and_due_soon_by_unit_and_officer(db, clock) -> None:
    staff, _ = _setup(db, clock)
    run(db.engine, "digest", at(date(2026, 10, 9), 8, 45))
    row = next(o for o in outbox(db.engine, "internal.digest") if o.recipient == f"user:{staff.leader.id}")
    n = row.context["notice"]
    assert [(r["officer"], r["unit"], r["due_date"], r["days"]) for r in n["overdue"]] == [
        ("承办人李明", "综合科", "2026-09-30", 2)]
    assert [(r["officer"], r["due_date"], r["days"]) for r in n["due_today"]] == [("承办人李明", "2026-10-09", 0)]
    soon = [(r["unit"], r["officer"], r["due_date"], r["days"]) for r in n["due_soon"]]
    assert soon == sorted([("（未指定科室）", "（未分办）", "2026-10-10", 1), ("法规科", "承办人赵强", "2026-10-12", 2)])
    assert all(r["clock_label"] == "答复期限" for r in n["overdue"] + n["due_today"] + n["due_soon"])
    html = render("internal.digest", row.context, "html").content.decode()
    assert "已逾期1件" in html and "今日到期1件" in html and "3个工作日内到期2件" in html
    assert "承办人赵强" in html and "法规科" in html


def test_a_digest_lists_the_most_urgent_and_counts_them_all(db, clock) -> None:
    """Issue 21: a digest is bounded — at most DIGEST_ROWS cases per part, the totals still count every case."""
    staff, _ = _setup(db, clock)
    for day in (1, 3):
        register_on(db.engine, staff, date(2026, 9, day))  # two more overdue (due 9/29, 10/1 → 9/30 …)
    now = at(date(2026, 10, 9), 8, 45)
    (ag,) = [a for a in load_agencies(db.engine, now) if a.id == staff.agency_id]
    with read_session(db.engine) as s:
        lists = digest_rows(s, ag, now, limit=1)
    assert lists["totals"] == {"overdue": 3, "due_today": 1, "due_soon": 2}
    assert [len(lists[k]) for k in ("overdue", "due_today", "due_soon")] == [1, 1, 1]
    assert lists["overdue"][0]["days"] == max(r["days"] for r in lists["overdue"])  # the longest overdue first
    ctx = {"agency": {"name": "某县某局"}, "recipient": {"name": "负责人"},
           "notice": {"digest_date": "2026-10-09", **lists}}
    html = render("internal.digest", ctx, "html").content.decode()
    assert "政府信息公开申请已逾期3件" in html and "以下列出最紧急的1项期限，其余2项请登录系统查看" in html
    assert "（全部清单：案件查询 /cases?open=1&amp;overdue=1）" in html  # … and where the rest are
    assert "/cases?open=1&amp;due=soon" in html and "due=today" not in html  # today's one is listed in full
    assert lists["by_kind"] == [{"kind": "disclosure", "label": "政府信息公开申请", "overdue": 3, "due_today": 1,
                                 "due_soon": 2}]


def test_a_digest_counts_each_kind_on_its_own_and_cases_not_deadlines(db, clock) -> None:
    """Issue 20: disclosure applications and 12345 orders are never one number — the digest says each kind's figures,
    and counts cases: an order late both to sign for and to handle is one overdue order, listed with both deadlines."""
    staff, _ = _setup(db, clock)
    late = new_order(db.engine, staff.front, local(2026, 9, 1, 9, 30), received_at="2026-09-01 09:30:00")
    now = at(date(2026, 10, 9), 8, 45)
    (ag,) = [a for a in load_agencies(db.engine, now) if a.id == staff.agency_id]
    with read_session(db.engine) as s:
        lists = digest_rows(s, ag, now)
    order_lines = [r for r in lists["overdue"] if r["kind_label"] == "12345工单"]
    assert {r["clock_label"] for r in order_lines} == {"签收时限", "办理时限"}, order_lines  # two deadlines …
    by_kind = {k["kind"]: (k["overdue"], k["due_today"], k["due_soon"]) for k in lists["by_kind"]}
    assert by_kind == {"disclosure": (1, 1, 2), "workorder": (1, 0, 0)}  # … one overdue order
    assert lists["totals"]["overdue"] == 1 + len(order_lines)  # deadlines listed
    ctx = {"agency": {"name": "某县某局"}, "recipient": {"name": "负责人"},
           "notice": {"digest_date": "2026-10-09", **lists}}
    html = render("internal.digest", ctx, "html").content.decode()
    para = re.search(r"<p>截至.*?</p>", html, re.S)
    assert para and "政府信息公开申请已逾期1件，今日到期1件，3个工作日内到期2件；12345工单已逾期1件，今日到期0件" in para.group(0), para
    assert "一、已逾期（政府信息公开申请1件，12345工单1件）" in html and "已逾期2件" not in html
    subject = render_subject("internal.digest", ctx)
    assert subject == "【每日汇总】2026年10月9日：政府信息公开申请今日到期1件、逾期1件；12345工单今日到期0件、逾期1件", subject
    assert late


def test_case_references_of_any_number_of_cases(db) -> None:
    """Issue 21: past 65,535 ids PostgreSQL refused the digest's one IN (…) list; the ids now go in chunks."""
    with read_session(db.engine) as s:
        assert case_refs(s, {("disclosure", i) for i in range(1, 70_001)} | {("workorder", 1)}) == {}
