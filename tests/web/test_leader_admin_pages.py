"""Leader dashboard figures and drill-downs, extension approvals, lists; admin users, settings, holiday notices."""

from __future__ import annotations

import re
from datetime import date

from sqlmodel import select

from db.engine import read_session
from db.models import Agency, ApprovalRequest, CalendarNotice, Clock, User
from tests.helpers import clock_due, resident_id
from tests.web.conftest import Web, count, csrf_of, register_case
from workflow.accounts.roles import roles_of
from workflow.agencies.config import agency_config
from workflow.disclosure import actions as wf
from workflow.timesource import local_dt


def stat(html: str, ident: str) -> int:
    m = re.search(rf'id="{ident}"><div class="n">(\d+)</div>', html)
    assert m, ident
    return int(m.group(1))


def case_links(html: str) -> set[int]:
    return {int(i) for i in re.findall(r'<a href="/cases/disclosure/(\d+)">', html)}


def test_dashboard_counts_due_and_overdue_by_officer_and_unit_with_drilldowns(web: Web) -> None:
    a = register_case(web)
    b = register_case(web, applicant_name="李四")
    c = register_case(web, applicant_name="王五", assignee_id=web.staff.officer2.id)
    web.clock.set(local_dt(2026, 3, 30, 10))  # the reply deadline of all three (2026-03-30)
    leader = web.fresh("leader")
    html = leader.get("/leader").text
    assert stat(html, "stat-due-today") == 3 and stat(html, "stat-due-week") == 3 and stat(html, "stat-overdue") == 0
    assert case_links(leader.get("/cases?due=today&open=1").text) == {a.id, b.id, c.id}
    wf.act(web.db.engine, a.id, "reply", {"category": "disclose", "reason": "provided"}, web.staff.officer,
           web.clock.now())
    web.clock.set(local_dt(2026, 3, 31, 9))
    leader = web.fresh("leader")
    html = leader.get("/leader").text
    assert stat(html, "stat-overdue") == 2 and stat(html, "stat-due-today") == 0
    officer_rows = re.findall(r'assignee=(\d+)">([^<]+)</a></td><td class="num">(\d+)</td>', html)
    assert {(int(u), name, int(n)) for u, name, n in officer_rows} == {
        (web.staff.officer.id, "承办人李明", 1), (web.staff.officer2.id, "承办人赵强", 1)}
    unit_rows = re.findall(r'unit=(\d+)">([^<]+)</a></td><td class="num">(\d+)</td>', html)
    assert {(name, int(n)) for _, name, n in unit_rows} == {("综合科", 1), ("法规科", 1)}
    assert case_links(leader.get("/cases?overdue=1&open=1").text) == {b.id, c.id}
    assert case_links(leader.get(f"/cases?overdue=1&assignee={web.staff.officer2.id}").text) == {c.id}
    unit_id = next(u for u, name, _ in unit_rows if name == "综合科")
    assert case_links(leader.get(f"/cases?overdue=1&unit={unit_id}").text) == {b.id}
    assert case_links(leader.get("/cases?state=replied").text) == {a.id}
    assert case_links(leader.get("/cases?month=2026-03").text) == {a.id, b.id, c.id}
    assert case_links(leader.get("/cases?month=2026-02").text) == set()
    assert "<svg" in html and "按期答复率" in html and "100%" in html  # the one reply was on time


def test_extension_request_is_approved_or_denied_from_the_dashboard(web: Web) -> None:
    a = register_case(web)
    b = register_case(web, applicant_name="李四")
    officer = web.login("officer")
    for case in (a, b):
        r = web.post(officer, f"/cases/disclosure/{case.id}/actions/request_extension",
                     {"days": "10", "reason": "涉及多个科室，需调取档案"}, page=f"/cases/disclosure/{case.id}")
        assert r.status_code == 303
    leader = web.login("leader")
    html = leader.get("/leader").text
    assert html.count("申请延长 <strong>10</strong> 个工作日") == 2
    with read_session(web.db.engine) as s:
        reqs = {r.case_id: r for r in s.exec(select(ApprovalRequest)).all()}
    token = csrf_of(html)
    version = re.search(rf'/leader/approvals/{reqs[a.id].id}/approve">\s*<input[^>]+>\s*<input type="hidden" '
                        r'name="expected_version" value="(\d+)"', html)
    assert version
    r = leader.post(f"/leader/approvals/{reqs[a.id].id}/approve",
                    data={"days": "5", "note": "同意", "expected_version": version.group(1), "csrf_token": token})
    assert r.status_code == 303
    r = leader.post(f"/leader/approvals/{reqs[b.id].id}/deny", data={"note": "可按期办结", "csrf_token": token})
    assert r.status_code == 303
    with read_session(web.db.engine) as s:
        after = {r.case_id: r.status for r in s.exec(select(ApprovalRequest)).all()}
    assert after == {a.id: "approved", b.id: "denied"}
    assert clock_due(web.db.engine, a.id, "reply", web.clock.now(), web.staff.leader) == "2026-04-07"  # +5 WD
    assert clock_due(web.db.engine, b.id, "reply", web.clock.now(), web.staff.leader) == "2026-03-30"
    html = leader.get("/leader").text
    assert "没有待审批的延期申请" in html
    again = leader.post(f"/leader/approvals/{reqs[a.id].id}/approve", data={"csrf_token": token})
    assert "该延期申请已处理" in leader.get(again.headers["location"]).text


def test_case_list_paginates_filters_and_sorts_by_the_nearest_deadline(web: Web) -> None:
    for i in range(27):
        register_case(web, applicant_name=f"申请人{i:02d}", id_number=resident_id(f"110105199001{i + 1:02d}123"))
    front = web.login("front")
    page1 = front.get("/cases").text
    page2 = front.get("/cases?page=2").text
    assert "共 27 件，第 1/2 页" in page1 and len(case_links(page1)) == 25 and len(case_links(page2)) == 2
    assert case_links(front.get("/cases?q=申请人07").text) and len(case_links(front.get("/cases?q=申请人07").text)) == 1
    assert "下一页" in page1 and "上一页" in page2


def test_my_cases_colours_overdue_soon_and_provisional(web: Web) -> None:
    early = register_case(web, received_at="2026-02-02T09:00:00+08:00")  # reply due 2026-03-06 (春节)
    # reply due 2026-03-11: soon on 03-09 (a case's correction-notice window binds nobody: it makes no case "soon")
    soon = register_case(web, received_at="2026-02-05T09:00:00+08:00")
    window_only = register_case(web)  # correction notice due 2026-03-11, reply 2026-03-30
    web.clock.set(local_dt(2026, 12, 21, 10))
    late = register_case(web, received_at="2026-12-21T09:00:00+08:00")  # runs into 2027: no notice yet
    web.clock.set(local_dt(2026, 3, 9, 10))
    html = web.fresh("officer").get("/cases/mine").text
    rows = re.findall(r'<tr class="([a-z]*)">\s*<td>依申请公开</td>\s*<td class="mono"><a href="/cases/disclosure/(\d+)"', html)
    assert [(cls, int(i)) for cls, i in rows][:2] == [("overdue", early.id), ("soon", soon.id)]
    assert ("", late.id) in [(cls, int(i)) for cls, i in rows]
    assert ("", window_only.id) in [(cls, int(i)) for cls, i in rows]
    assert "暂定日期</span>" in html.split(f"/cases/disclosure/{late.id}")[1]


def test_admin_creates_users_and_changes_roles(web: Web) -> None:
    admin = web.login("admin")
    r = web.post(admin, "/admin/users", {"username": "clerk2", "display_name": "窗口小刘", "password": "password-2",
                                         "roles": "front_desk", "unit_name": "办公室"}, page="/admin/users")
    assert r.status_code == 303
    with read_session(web.db.engine) as s:
        u = s.exec(select(User).where(User.username == "clerk2")).one()
        assert u.id is not None
        assert roles_of(s, u.id, u.agency_id) == {"front_desk"}
    token = csrf_of(admin.get("/admin/users").text)
    admin.post(f"/admin/users/{u.id}/roles", data={"roles": ["front_desk", "officer"], "csrf_token": token})
    with read_session(web.db.engine) as s:
        assert roles_of(s, u.id, u.agency_id) == {"front_desk", "officer"}
    r = admin.post(f"/admin/users/{web.staff.admin.id}/roles", data={"roles": ["leader"], "csrf_token": token})
    assert "不能取消自己的系统管理员角色" in admin.get(r.headers["location"]).text


def test_admin_saves_agency_settings(web: Web) -> None:
    admin = web.login("admin")
    page = admin.get("/admin/agency").text
    data = dict(re.findall(r'name="([a-z_]+)" id="f-[a-z_]+" value="([^"]*)"', page))
    data.update({"name": "某县交通运输局", "short_name": "县交通局", "correction_period_wd": "10",
                 "working_hours": "09:00-12:00\n14:00-17:30", "receipt_on_rest_day_rolls_forward": "on",
                 "report_row_overrides": '{"disclose.already_public": "3.1"}', "csrf_token": csrf_of(page)})
    r = admin.post("/admin/agency", data=data)
    assert r.status_code == 303, r.text
    with read_session(web.db.engine) as s:
        agency = s.exec(select(Agency)).first()
        assert agency is not None
        cfg = agency_config(agency)
    assert agency.name == "某县交通运输局" and cfg.short_name == "县交通局" and cfg.correction_period_wd == 10
    assert cfg.working_hours == ["09:00-12:00", "14:00-17:30"] and cfg.fee_pauses_reply_clock is False



def test_account_and_settings_changes_are_in_the_audit_log(web: Web) -> None:
    """操作记录: who created, re-roled, reset, locked out or deactivated which account, and which agency
    settings changed from what to what — never a password; admins only."""
    admin = web.login("admin")
    web.post(admin, "/admin/users", {"username": "clerk3", "display_name": "窗口小周", "password": "secret-pass-3",
                                     "roles": "front_desk"}, page="/admin/users")
    with read_session(web.db.engine) as s:
        u = s.exec(select(User).where(User.username == "clerk3")).one()
    web.post(admin, f"/admin/users/{u.id}/roles", {"roles": ["front_desk", "officer"]}, page="/admin/users")
    web.post(admin, f"/admin/users/{u.id}/password", {"password": "another-pass-9"}, page="/admin/users")
    web.post(admin, f"/admin/users/{u.id}/deactivate", {}, page="/admin/users")
    page = admin.get("/admin/agency").text
    data = dict(re.findall(r'name="([a-z_]+)" id="f-[a-z_]+" value="([^"]*)"', page))
    data.update({"short_name": "县自然资源局", "correction_period_wd": "12", "csrf_token": csrf_of(page)})
    assert admin.post("/admin/agency", data=data).status_code == 303
    officer = web.login("officer")
    web.post(officer, "/account/password", {"current_password": "password123", "new_password": "officer-new-1",
                                            "new_password2": "officer-new-1"}, page="/account/password")
    log = admin.get("/admin/audit")
    assert log.status_code == 200 and 'href="/admin/audit"' in log.text
    rows = re.findall(r"<tr><td class=\"nowrap\">[^<]*</td><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td>", log.text)
    assert [(action, target) for _, action, target in rows] == [
        ("修改本人密码", "default-officer"), ("修改机关设置", "机关设置"), ("停用账户", "clerk3"),
        ("重置密码", "clerk3"), ("调整角色", "clerk3"), ("创建账户", "clerk3")]
    assert rows[-1][0] == rows[1][0] != rows[0][0]  # the admin did these; the officer changed their own password
    assert "角色：前台登记员 → 前台登记员、承办人" in log.text and "结束登录会话 1 个" in log.text
    assert "申请人补正期限（工作日）：15 → 12" in log.text and "机关简称：（空） → 县自然资源局" in log.text
    assert "答复期限" not in log.text  # unchanged settings (even defaults now written out) are not listed
    for secret in ("secret-pass-3", "another-pass-9", "officer-new-1", "password_hash"):
        assert secret not in log.text
    assert web.login("leader").get("/admin/audit").status_code == 403

LOCAL = """year: 2026
document: 某县人民政府关于火把节放假的通知
scope: default
holidays:
  - {name: 火把节, start: 2026-03-20, end: 2026-03-20}
"""


def test_holiday_notice_preview_shows_day_changes_and_moved_deadlines_without_writing(web: Web) -> None:
    case = register_case(web)  # reply due 2026-03-30
    admin = web.login("admin")
    notices = count(web, CalendarNotice)
    with read_session(web.db.engine) as s:
        dues = sorted((c.id, c.due_date) for c in s.exec(select(Clock)).all())
    r = web.post(admin, "/admin/calendar/preview", {"text": LOCAL}, page="/admin/calendar")
    assert r.status_code == 200
    changes = r.text.split('id="day-changes"')[1].split("</section>")[0]
    assert "2026-03-20" in changes and "新增" in changes and "放假（火把节）" in changes
    moved = r.text.split('id="moved-clocks"')[1].split("</section>")[0]
    assert case.tracking_no in moved and "答复期限" in moved and "2026-03-30" in moved and "2026-03-31" in moved
    with read_session(web.db.engine) as s:
        assert sorted((c.id, c.due_date) for c in s.exec(select(Clock)).all()) == dues
    assert count(web, CalendarNotice) == notices
    token = csrf_of(r.text)
    done = admin.post("/admin/calendar/import", data={"text": LOCAL, "filename": "huobajie.yaml", "csrf_token": token})
    assert done.status_code == 303
    assert "已导入 2026 年" in admin.get(done.headers["location"]).text
    assert count(web, CalendarNotice) == notices + 1


def test_holiday_notice_for_another_scope_is_refused(web: Web) -> None:
    admin = web.login("admin")
    r = web.post(admin, "/admin/calendar/preview", {"text": LOCAL.replace("scope: default", "scope: elsewhere")},
                 page="/admin/calendar")
    assert r.status_code == 422 and "不能导入范围为 elsewhere" in r.text


def test_national_notice_replacing_the_current_one_lists_removed_days(web: Web) -> None:
    admin = web.login("admin")
    text = ("year: 2026\ndocument: 国办发明电〔2025〕7号（更正）\nscope: national\nholidays:\n"
            "  - {name: 元旦, start: 2026-01-01, end: 2026-01-03}\nworkdays: [2026-01-04]\n")
    r = web.post(admin, "/admin/calendar/preview", {"text": text}, page="/admin/calendar")
    assert r.status_code == 200 and "将替换现有通知" in r.text
    changes = r.text.split('id="day-changes"')[1]
    assert "删除" in changes and "春节" in changes
    assert date(2026, 2, 16).isoformat() in changes


def test_a_passed_correction_notice_window_is_not_shown_as_overdue(web: Web) -> None:
    case = register_case(web)  # correction notice window ends 2026-03-11, reply due 2026-03-30
    web.clock.set(local_dt(2026, 3, 12, 10))
    html = web.fresh("officer").get("/cases/mine").text
    row = html.split(f"/cases/disclosure/{case.id}")[0].rsplit("<tr", 1)[1]
    assert 'class=""' in row
    assert "答复期限 2026-03-30" in html.split(f"/cases/disclosure/{case.id}")[1]


def test_admin_sees_scheduler_status_and_retries_a_dead_letter(web: Web) -> None:
    from db.engine import write_session
    from db.models import Outbox
    from notifications.fixtures import fixture_context

    with write_session(web.db.engine) as s:
        row = Outbox(agency_id=web.staff.agency_id, notice_type="internal.reminder", channel="email",
                     recipient="nobody@example.invalid", recipient_name="某人", context=fixture_context("internal.reminder"),
                     dedupe_key="dead-1", status="dead", attempts=8, next_attempt_at=web.clock.now(),
                     last_error="550 no such user", created_at=web.clock.now())
        s.add(row)
        s.commit()
        oid = row.id
    admin = web.login("admin")
    page = admin.get("/admin/system")
    assert page.status_code == 200 and "重新发送" in page.text
    # the reason in Chinese; the mail server's own words are the instance administrator's (issue 20)
    assert "对方邮件服务器拒收（收件地址可能不存在或已停用）" in page.text and "550 no such user" not in page.text
    r = web.post(admin, f"/admin/system/outbox/{oid}/retry", {}, page="/admin/system")
    assert r.status_code == 303
    with write_session(web.db.engine) as s:
        again = s.get(Outbox, oid)
        assert again is not None and again.status == "pending" and again.attempts == 0
    # a leader may not retry, and a retry without the CSRF token is refused
    leader = web.login("leader")
    assert leader.post(f"/admin/system/outbox/{oid}/retry", data={"csrf_token": "x"}).status_code in (403, 400)
