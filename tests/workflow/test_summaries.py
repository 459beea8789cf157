"""The maintained summaries (issue 21) over a scripted mixed workload on SQLite and PostgreSQL: both request kinds,
registrations, assignments and reassignments, an extension, a correction lapsed by the scheduler, a withdrawal,
back-filled steps, replies across months and a year end. After every step the summaries moved in the same
transaction equal a rebuild from the raw tables; the figures read from them equal the raw scans."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta

from sqlmodel import select

from cli.main import run as cli
from db.engine import read_session, write_session
from db.models import Agency, CaseTally, Disclosure
from settings import get_settings
from states.calendar import SpecialDay
from states.calendar_notice import NoticeData
from tests.helpers import make_staff
from tests.hotline_helpers import act as wo_act
from tests.hotline_helpers import local, new_order
from tests.workflow.sweep_helpers import at, clock_of, moved_national_day_notice, register_on, run
from workflow.agencies.admin import save_agency_settings
from workflow.agencies.config import agency_config
from workflow.calendar.service import import_notice
from workflow.disclosure import actions as wf
from workflow.hotline.dashboard import build_hotline_dashboard
from workflow.reports.annual import annual_report
from workflow.reports.dashboard import build_dashboard
from workflow.reports.stats import Period, disclosure_stats, stats_for_leaders
from workflow.reports.supervision import agencies_overview
from workflow.tally import read as tally
from workflow.tally.contrib import MEASURES
from workflow.tally.rebuild import rebuild

REPLY = {"category": "disclose", "reason": "provided", "text": "予以公开"}


def stored(engine) -> dict[tuple, tuple[int, ...]]:
    """The summary rows (zero rows left out: a delta may leave one behind, a rebuild does not write it)."""
    with read_session(engine) as s:
        rows = s.exec(select(CaseTally)).all()
    out = {}
    for r in rows:
        counts = tuple(getattr(r, m) for m in MEASURES)
        if any(counts):
            out[(r.agency_id, r.case_kind, r.grain, r.day, r.assignee_id, r.unit_id, r.category, r.report_row,
                 r.state)] = counts
    return out


def assert_consistent(engine) -> None:
    """Maintained == rebuilt from the raw tables, and a second rebuild changes nothing."""
    maintained = stored(engine)
    rebuild(engine)
    rebuilt = stored(engine)
    assert maintained == rebuilt, {k: (maintained.get(k), rebuilt.get(k))
                                   for k in set(maintained) | set(rebuilt) if maintained.get(k) != rebuilt.get(k)}
    rebuild(engine)
    assert stored(engine) == rebuilt


def assert_figures_agree(engine, agency_id: int, today: date) -> None:
    now = at(today, 18)
    periods = [Period.year(2025), Period.year(2026), Period(date(2026, 1, 1), date(2026, 2, 15)),
               Period(date(2026, 2, 16), date(2026, 3, 31)), Period(date(2026, 1, 15), date(2026, 1, 20)),
               Period(date(2025, 12, 10), date(2026, 3, 4))]  # whole months from the monthly twins, the ends by day
    with read_session(engine) as s:
        for scope in (agency_id, None, frozenset({agency_id})):
            for p in periods:
                raw = disclosure_stats(s, scope, p)
                assert tally.disclosure_stats(s, scope, p) == raw, (scope, p)
                assert stats_for_leaders(s, scope, p, summaries=True) == stats_for_leaders(s, scope, p)
            for year in (2025, 2026):
                for fmt in ("2021", "2019"):
                    a = annual_report(s, scope, year, fmt, summaries=True)
                    b = annual_report(s, scope, year, fmt)
                    assert a.table3.values == b.table3.values and a.table3.unclassified == b.table3.unclassified
        d_sum = build_dashboard(s, agency_id, now=now, today=today, tz="Asia/Shanghai")
        d_raw = build_dashboard(s, agency_id, now=now, today=today, tz="Asia/Shanghai", summaries=False)
        assert sorted(d_sum.by_state) == sorted(d_raw.by_state)
        assert d_sum.received_by_month == d_raw.received_by_month
        assert d_sum.on_time_by_month == d_raw.on_time_by_month
        assert build_hotline_dashboard(s, agency_id, now=now) == build_hotline_dashboard(s, agency_id, now=now,
                                                                                         summaries=False)
        end_today = at(today, 23, 59)
        o_sum = agencies_overview(s, now=now, end_of_today=end_today, end_of_week=end_today + timedelta(days=3))
        o_raw = agencies_overview(s, now=now, end_of_today=end_today, end_of_week=end_today + timedelta(days=3),
                                  summaries=False)
        assert o_sum == o_raw


def test_mixed_workload_summaries_equal_the_raw_tables(db, clock) -> None:
    staff = make_staff(db.engine, datetime(2025, 11, 1, 2, tzinfo=clock.now().tzinfo))
    e, officer, officer2, leader, front = db.engine, staff.officer, staff.officer2, staff.leader, staff.front
    checkpoints: list[date] = []

    def check(today: date) -> None:
        assert_consistent(e)
        assert_figures_agree(e, staff.agency_id, today)
        checkpoints.append(today)

    carried = register_on(e, staff, date(2025, 12, 22))  # received in 2025, replied in 2026 (二, 三)
    still_open = register_on(e, staff, date(2025, 12, 29))  # open across the year end
    check(date(2025, 12, 31))
    wf.act(e, carried, "reply", REPLY, officer, at(date(2026, 1, 15), 15))
    a = register_on(e, staff, date(2026, 1, 5))
    wf.act(e, a, "reply", {"category": "unavailable", "reason": "not_held", "text": "经检索没有"}, officer,
           at(date(2026, 1, 20), 15))
    ext = register_on(e, staff, date(2026, 1, 12))
    wf.act(e, ext, "request_extension", {"days": 15, "reason": "涉及多个科室，需调取档案"}, officer,
           at(date(2026, 2, 2), 10))
    wf.act(e, ext, "approve_extension", {}, leader, at(date(2026, 2, 3), 10))
    lapse = register_on(e, staff, date(2026, 2, 2))
    wf.act(e, lapse, "request_correction", {"items": ["请补充身份证明"], "period_days": 10}, officer,
           at(date(2026, 2, 4), 10))
    gone = register_on(e, staff, date(2026, 2, 10), assign=False)
    wf.act(e, gone, "withdraw", {"reason": "不再需要"}, front, at(date(2026, 2, 12), 11))
    check(date(2026, 2, 12))
    for d in range(20):  # the scheduler lapses the correction (视为放弃) once its period has passed
        run(e, "lapses", at(date(2026, 2, 20) + timedelta(days=d), 10))
    wf.act(e, ext, "reply", REPLY, officer, at(date(2026, 3, 5), 15))  # replied within the extended period
    wf.act(e, still_open, "reassign", {"assignee_id": officer2.id, "reason": "调整分工"}, leader, at(date(2026, 3, 6), 9))  # reassigned
    late = register_on(e, staff, date(2026, 3, 2))
    # back-filled: the reply was made on paper on 20 March and recorded on 10 April
    wf.act(e, late, "reply", REPLY, officer, at(date(2026, 4, 10), 9), effective_at=at(date(2026, 3, 20), 15),
           backfill_reason="纸质答复补录")
    wo1 = new_order(e, front, local(2026, 3, 2, 9, 15), category="咨询", content="咨询医保异地就医备案办理流程")
    wo_act(e, wo1, "sign_for", front, local(2026, 3, 2, 10))
    wo_act(e, wo1, "assign", front, local(2026, 3, 2, 10, 5), assignee_id=officer.id)
    wo_act(e, wo1, "start_handling", officer, local(2026, 3, 2, 11))
    wo_act(e, wo1, "reply", officer, local(2026, 3, 4, 16), result_text="已答复来电人")
    new_order(e, front, local(2026, 4, 1, 9, 15), category="求助", content="求助：小区路灯不亮")
    check(date(2026, 4, 10))
    # after rows were changed around the workflow the rebuild makes the summaries right again
    with read_session(e) as s:
        before = stored(e)
        assert before and s.exec(select(CaseTally)).first() is not None
    assert len(checkpoints) == 3


def test_stats_rebuild_command(db, clock, monkeypatch, capsys) -> None:
    staff = make_staff(db.engine, clock.now())
    register_on(db.engine, staff, date(2026, 3, 2))
    maintained = stored(db.engine)
    with db.engine.begin() as conn:  # as if the summaries had been lost
        conn.execute(CaseTally.__table__.delete())  # type: ignore[attr-defined]
    monkeypatch.setenv("BANLI_DATABASE_URL", db.url)
    get_settings.cache_clear()
    try:
        assert cli(["stats", "rebuild", "--agency", "nonexistent"]) == 2
        assert cli(["stats", "rebuild"]) == 0
        assert stored(db.engine) == maintained
        code = None
        with read_session(db.engine) as s:
            from db.models import Agency
            code = s.get(Agency, staff.agency_id).code  # type: ignore[union-attr]
        assert cli(["stats", "rebuild", "--agency", code]) == 0
        assert stored(db.engine) == maintained
    finally:
        get_settings.cache_clear()
    assert "统计汇总" in capsys.readouterr().out


def test_two_transactions_flushing_in_opposite_orders_do_not_deadlock(pg_db, clock) -> None:
    """Each of two transactions flushes two changes whose summary rows the other's flushes share, in the opposite
    order (T1: months 1–2, then 3–4; T2: 3–4, then 1–2). Written per flush, T1 would hold 1–2 and wait for 3–4 while T2
    holds 3–4 and waits for 1–2 (PostgreSQL: deadlock detected). Summed and written at commit, in key order, both
    commit; the summaries then equal a rebuild."""
    e = pg_db.engine
    staff = make_staff(e, datetime(2025, 11, 1, 2, tzinfo=clock.now().tzinfo))
    ids = [register_on(e, staff, date(2026, 1, 5), assign=False) for _ in range(4)]
    moves = {ids[0]: date(2026, 2, 4), ids[1]: date(2026, 4, 6), ids[2]: date(2026, 4, 7), ids[3]: date(2026, 2, 5)}
    first = {ids[0]: date(2026, 1, 5), ids[1]: date(2026, 3, 3), ids[2]: date(2026, 3, 4), ids[3]: date(2026, 1, 6)}
    with write_session(e) as s:  # D0, D3 in January, D1, D2 in March: the four months' rows exist
        for case_id, day in first.items():
            row = s.get(Disclosure, case_id)
            row.receipt_date = day
        s.commit()
    flushed, errors = threading.Barrier(2, timeout=30), []

    def transaction(one: int, two: int) -> None:
        try:
            with write_session(e) as s:
                for n, case_id in enumerate((one, two)):
                    row = s.get(Disclosure, case_id)
                    row.receipt_date = moves[case_id]
                    s.flush()
                    if n == 0:
                        flushed.wait()  # both transactions made their first change
                s.commit()
        except Exception as exc:  # what the other thread saw is the test's result
            errors.append(exc)

    threads = [threading.Thread(target=transaction, args=(ids[0], ids[1])),   # Jan→Feb, then Mar→Apr
               threading.Thread(target=transaction, args=(ids[2], ids[3]))]   # Mar→Apr, then Jan→Feb
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert_consistent(e)


def test_a_new_time_zone_counts_the_days_again(db, clock) -> None:
    """The summaries count instants by the agency's local day: an order received and a reply made at 00:30 北京时间
    fall on the day before in 新疆时间. Saving the agency's new zone counts its summaries again, in that transaction."""
    e = db.engine
    staff = make_staff(e, datetime(2025, 11, 1, 2, tzinfo=clock.now().tzinfo))
    new_order(e, staff.front, local(2026, 3, 2, 1), received_at="2026-03-02 00:30:00", category="咨询",
              content="咨询医保异地就医备案办理流程")
    case = register_on(e, staff, date(2026, 2, 24))
    wf.act(e, case, "reply", REPLY, staff.officer, local(2026, 3, 3, 0, 30))
    assert_consistent(e)
    with read_session(e) as s:
        agency = s.get(Agency, staff.agency_id)
        assert agency is not None
        cfg = agency_config(agency).model_copy(update={"timezone": "Asia/Urumqi"})
    before = stored(e)
    save_agency_settings(e, staff.agency_id, name=agency.name, cfg=cfg, actor=staff.admin, now=clock.now())
    assert stored(e) != before  # the two instants moved to the day before
    assert_consistent(e)


def test_a_holiday_notice_counts_the_replies_working_days_again(db, clock) -> None:
    """Replies already counted span days a later notice changes (8 October made a holiday, Saturday 10 October no
    longer a make-up working day): their working days are counted again in the import's transaction — the summaries
    equal a rebuild and the leaders' average working days equal the raw figures."""
    e = db.engine
    staff = make_staff(e, datetime(2025, 11, 1, 2, tzinfo=clock.now().tzinfo))
    for received, replied in ((date(2026, 9, 8), date(2026, 10, 15)), (date(2026, 9, 28), date(2026, 10, 15)),
                              (date(2026, 10, 9), date(2026, 10, 20)), (date(2026, 11, 2), date(2026, 11, 5))):
        case = register_on(e, staff, received)
        wf.act(e, case, "reply", REPLY, staff.officer, at(replied, 15))
    assert_consistent(e)
    before = stored(e)
    import_notice(e, moved_national_day_notice(), actor_label="管理员", now=at(date(2026, 11, 6), 9))
    after = stored(e)
    moved = {k: (before[k][MEASURES.index("wd")], v[MEASURES.index("wd")]) for k, v in after.items()
             if k in before and v != before[k]}
    assert moved and all(new < old for old, new in moved.values())  # two days fewer, one day fewer
    assert_consistent(e)
    assert_figures_agree(e, staff.agency_id, date(2026, 11, 6))


def test_an_agency_taking_on_local_holidays_moves_its_deadlines_and_working_days(db, clock) -> None:
    """A regional arrangement (8 October a holiday there) is imported; nothing of the agency moves until it applies
    it. Then, in the saving transaction, its replies spanning that day count one working day fewer, and its open
    clocks are computed again by the recompute sweep (the running reply clock ends a day later)."""
    e = db.engine
    staff = make_staff(e, datetime(2025, 11, 1, 2, tzinfo=clock.now().tzinfo))
    done = register_on(e, staff, date(2026, 9, 28))
    wf.act(e, done, "reply", REPLY, staff.officer, at(date(2026, 10, 12), 15))
    running = register_on(e, staff, date(2026, 9, 29))
    due = clock_of(e, running, "reply").due_date
    local_days = NoticeData(year=2026, document="某自治区节假日安排（测试）", scope="region-t",
                            holidays=[SpecialDay(date(2026, 10, 8), "holiday", "地方节日")], workdays=[], raw={})
    import_notice(e, local_days, actor_label="管理员", now=at(date(2026, 10, 13), 9))
    run(e, "recompute", at(date(2026, 10, 13), 9, 5))
    assert clock_of(e, running, "reply").due_date == due  # not the agency's arrangement (yet)
    before = stored(e)
    with read_session(e) as s:
        agency = s.get(Agency, staff.agency_id)
        assert agency is not None
        cfg = agency_config(agency).model_copy(update={"calendar_scopes": ["region-t"]})
    save_agency_settings(e, staff.agency_id, name=agency.name, cfg=cfg, actor=staff.admin,
                         now=at(date(2026, 10, 13), 10))
    wd = MEASURES.index("wd")
    assert [(k[3], before[k][wd], v[wd]) for k, v in stored(e).items() if k in before and v != before[k]
            and k[2] == "d"] == [(date(2026, 10, 12), before[k][wd], before[k][wd] - 1)
                                 for k in before if k[2] == "d" and k[3] == date(2026, 10, 12) and before[k][wd]]
    assert_consistent(e)
    run(e, "recompute", at(date(2026, 10, 13), 10, 5))
    assert clock_of(e, running, "reply").due_date == due + timedelta(days=1)
