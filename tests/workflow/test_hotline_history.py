"""12345 orders the platform already handled before go-live (issue 14 item 5): imported with their 签收, 反馈, 回访 and
办结 times, each step through the case engine on its own time — closed orders closed, their clocks met on the day
— all of an order or nothing of it, and nothing twice."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
from sqlmodel import col, select

from db.engine import read_session
from db.models import Clock, Event, WorkOrder
from tests.helpers import make_staff
from tests.hotline_helpers import local
from workflow.accounts.principal import system
from workflow.hotline.batch import import_file

NOW = local(2026, 6, 1, 10)
HEADERS = ["工单编号", "来电时间", "来电人", "联系电话", "诉求类型", "诉求内容", "签收时间", "反馈时间", "答复内容",
           "回访时间", "回访结果", "办结时间"]


def _file(path: Path, rows: list[list[Any]]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(HEADERS)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


ROWS: list[list[Any]] = [
    # closed on the platform: signed, replied, called back, closed
    ["H-1", "2026-03-02 09:00", "王建华", "13800000001", "求助", "路灯不亮", "2026-03-02 10:00", "2026-03-04 16:00",
     "已修复路灯", "2026-03-05 09:00", "满意", "2026-03-06 10:00"],
    # replied, closed without a callback
    ["H-2", "2026-03-03 09:00", "李秀英", "13800000002", "咨询", "医保备案流程", "", "2026-03-03 15:00",
     "已电话解答", "", "", "2026-03-05 11:00"],
    # still open: no history
    ["H-3", "2026-05-28 09:00", "张志强", "13800000003", "投诉", "夜间施工噪音", "", "", "", "", "", ""],
    # replied, awaiting the callback
    ["H-4", "2026-05-20 09:00", "刘丽", "13800000004", "投诉", "占道经营", "2026-05-20 11:00", "2026-05-22 17:00",
     "已责令整改", "", "", ""],
    # bad: closed before it was replied to
    ["H-5", "2026-03-02 09:00", "陈明", "13800000005", "求助", "停水", "", "2026-03-04 16:00", "已恢复供水", "", "",
     "2026-03-03 10:00"],
    # bad: a reply without its text
    ["H-6", "2026-03-02 09:00", "杨文", "13800000006", "求助", "停电", "", "2026-03-04 16:00", "", "", "", ""],
    # bad: a callback result the platform does not use
    ["H-7", "2026-03-02 09:00", "黄桂兰", "13800000007", "咨询", "落户", "", "2026-03-02 16:00", "已解答",
     "2026-03-03 09:00", "还行", ""],
]


def _orders(db) -> dict[str, WorkOrder]:
    with read_session(db.engine) as s:
        return {o.order_no: o for o in s.exec(select(WorkOrder)).all()}


def test_historical_orders_come_in_with_their_steps(db, tmp_path) -> None:
    staff = make_staff(db.engine, NOW)
    path = _file(tmp_path / "export.xlsx", ROWS)
    report = import_file(db.engine, path, None, staff.leader, NOW)
    assert (report.created, report.historical) == (4, 3), report.errors
    problems = {e.row: (e.column, e.problem_zh) for e in report.errors}
    assert problems == {6: ("办结时间", "办结时间早于反馈时间"), 7: ("答复内容", "反馈了办理结果的工单须填写答复内容"),
                        8: ("回访结果", "未知的回访结果“还行”（可选：满意、基本满意、不满意）")}
    orders = _orders(db)
    assert {k: o.state for k, o in orders.items()} == {"H-1": "closed", "H-2": "closed", "H-3": "received",
                                                      "H-4": "replied"}
    h1 = orders["H-1"]
    assert h1.result_text == "已修复路灯" and h1.callback_result == "satisfied"
    assert h1.replied_at == local(2026, 3, 4, 16)
    with read_session(db.engine) as s:
        events = s.exec(select(Event).where(Event.case_kind == "workorder", Event.case_id == h1.id)
                        .order_by(col(Event.id))).all()
        handling = s.exec(select(Clock).where(Clock.case_kind == "workorder", Clock.case_id == h1.id,
                                              Clock.kind == "handling")).one()
    assert [e.action for e in events] == ["intake", "sign_for", "reply", "record_callback", "close"]
    # each step dated when it happened, and marked as entered later (补录) with the reason
    assert [e.created_at for e in events[1:]] == [local(2026, 3, 2, 10), local(2026, 3, 4, 16), local(2026, 3, 5, 9),
                                                 local(2026, 3, 6, 10)]
    assert all(e.payload["backfill"]["reason"].startswith("上线导入") for e in events[1:])
    assert handling.status == "met" and handling.met_at == local(2026, 3, 4, 16)
    again = import_file(db.engine, path, None, staff.leader, NOW)
    assert (again.created, again.unchanged, again.error_rows) == (0, 4, 3)


def test_only_a_leader_or_an_administrator_brings_past_steps_in(db, tmp_path) -> None:
    staff = make_staff(db.engine, NOW)
    path = _file(tmp_path / "export.xlsx", ROWS[:3])
    for who in (system(staff.agency_id, "批量导入"), staff.front):
        report = import_file(db.engine, path, None, who, NOW, dry_run=True)
        assert report.created == 1 and {e.row for e in report.errors} == {2, 3}
        assert all("负责人或系统管理员" in e.problem_zh for e in report.errors)
    dry = import_file(db.engine, path, None, staff.admin, NOW, dry_run=True)
    assert (dry.created, dry.historical, dry.errors) == (3, 2, [])
    assert _orders(db) == {}
