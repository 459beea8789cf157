"""12345 intake pages and access: the hand-registration form (bad input at its fields, kept, nothing written),
the import page (report, per-row problems, error files), roles × pages, officers on orders not assigned to
them, anonymous access, CSRF."""

from __future__ import annotations

import csv
import io
import re
import threading
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from db.models import Clock, Event, WorkOrder
from tests.fixtures.hotline_gen import make_xlsx
from tests.hotline_helpers import local, order_input
from tests.web.conftest import Web, count, csrf_of
from workflow.hotline import actions as wf

GOOD = {"order_no": "SD-0001", "received_at": "2026-03-02T09:15", "category": "complaint", "urgency": "normal",
        "caller_name": "李桂兰", "caller_phone": "13987654321", "title": "夜间施工噪音",
        "content": "鹿城镇滨江路工地夜间施工噪音扰民", "location": "鹿城镇滨江路", "assisting_units": "县住建局\n县城管局"}


def field_error(html: str, name: str) -> str:
    m = re.search(rf'id="err-{re.escape(name)}">([^<]*)<', html)
    assert m, f"no error slot for {name}"
    return m.group(1)


def order(web: Web, **over: Any) -> int:
    return wf.intake(web.db.engine, wf.record_from_input(order_input(**over)), web.staff.front, web.clock.now()).id


def written(web: Web) -> tuple[int, int, int]:
    return count(web, WorkOrder), count(web, Event), count(web, Clock)


def test_intake_form_registers_an_order_and_a_repeat_is_recognised(web: Web) -> None:
    c = web.login("front")
    form = c.get("/workorders/new").text
    for label in ("工单编号", "来电（派单）时间", "诉求类型", "紧急程度", "诉求内容", "平台办理时限", "协办单位"):
        assert label in form, label
    r = web.post(c, "/workorders/new", GOOD)
    assert r.status_code == 303
    page = c.get(r.headers["location"]).text
    assert "已登记工单 SD-0001" in page and 'id="order-state">待签收' in page and "县住建局、县城管局" in page
    again = web.post(c, "/workorders/new", GOOD)
    assert again.headers["location"] == r.headers["location"]
    assert "工单 SD-0001 已存在，内容未变化" in c.get(again.headers["location"]).text
    assert count(web, WorkOrder) == 1


@pytest.mark.parametrize(("over", "field", "message"), [
    ({"order_no": ""}, "order_no", "缺少工单编号"),
    ({"content": "   "}, "content", "缺少诉求内容"),
    ({"received_at": "昨天下午"}, "received_at", "无法识别的时间“昨天下午”"),
    ({"received_at": "2026-03-09T09:00"}, "received_at", "来电时间晚于当前时间，请核对"),
    ({"platform_due_at": "2026-03-01T18:00"}, "platform_due_at", "办理时限早于来电时间"),
    ({"category": "chat"}, "category", "未知的诉求类型“chat”"),
    ({"title": "长" * 301}, "title", "诉求标题过长（301字，最多300字）"),
])
def test_intake_bad_input_is_shown_at_its_field_kept_and_nothing_written(web: Web, over: dict[str, str], field: str,
                                                                         message: str) -> None:
    c = web.login("front")
    before = written(web)
    r = web.post(c, "/workorders/new", {**GOOD, **over})
    assert r.status_code == 422
    assert message in field_error(r.text, field)
    assert 'id="form-error-summary"' in r.text
    assert 'value="夜间施工噪音"' in r.text or field == "title"  # what was typed stays in the form
    assert "鹿城镇滨江路工地夜间施工噪音扰民" in r.text or field == "content"
    assert written(web) == before


def test_intake_reports_every_problem_at_once(web: Web) -> None:
    c = web.login("front")
    r = web.post(c, "/workorders/new", {**GOOD, "order_no": "", "content": "", "received_at": "x"})
    assert r.status_code == 422
    assert all(field_error(r.text, f) for f in ("order_no", "content", "received_at"))
    assert count(web, WorkOrder) == 0


def test_import_page_shows_the_report_and_offers_the_error_file(web: Web, tmp_path: Path) -> None:
    path = tmp_path / "工单.xlsx"
    manifest = make_xlsx(path, 60, bad_fraction=0.1, seed=3)  # received over 60 days from 2 March
    web.clock.set(local(2026, 5, 4, 10))
    c = web.login("front")
    assert "上传平台导出的工单文件" in c.get("/workorders/import").text
    token = csrf_of(c.get("/workorders/import").text)
    r = c.post("/workorders/import", data={"csrf_token": token},
               files={"file": ("工单.xlsx", path.read_bytes(), "application/octet-stream")})
    assert r.status_code == 200, r.text[:300]
    html = r.text
    assert f"共 60 行：已新增 {60 - len(manifest)}" in html
    rows = re.findall(r'<tr><td class="num">(\d+)</td><td>([^<]+)</td><td>([^<]+)</td>', html)
    assert {int(n) for n, _, _ in rows} == set(manifest)
    for n, column, problem in rows:
        assert column == manifest[int(n)][1], (n, column, problem)
    assert count(web, WorkOrder) == 60 - len(manifest)
    link = re.search(r'href="(/workorders/import/[^"]+/errors\.xlsx)"', html)
    assert link
    xlsx = c.get(link.group(1))
    assert xlsx.status_code == 200
    sheet = list(openpyxl.load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert sheet[0] == ("行号", "列", "问题") and {r[0] for r in sheet[1:]} == set(manifest)
    text = c.get(link.group(1).replace(".xlsx", ".csv")).content.decode("utf-8-sig")
    assert len(list(csv.reader(io.StringIO(text)))) == len(sheet)
    # the same file again adds nothing; a dry run writes nothing
    token = csrf_of(c.get("/workorders/import").text)
    again = c.post("/workorders/import", data={"csrf_token": token, "dry_run": "on"},
                   files={"file": ("工单.xlsx", path.read_bytes(), "application/octet-stream")})
    assert "将新增 0" in again.text and "试运行" in again.text
    assert web.login("officer").get(link.group(1)).status_code == 403
    assert c.get("/workorders/import/not-a-token/errors.xlsx").status_code == 404


def test_a_long_import_goes_on_in_the_background_with_its_progress_page(web: Web, tmp_path: Path,
                                                                        held_import: threading.Event) -> None:
    """An import still running after the upload's wait is followed on its own page (refreshing itself), which
    shows the result when it ends; the problem list is downloadable from there too."""
    import time

    path = tmp_path / "工单.xlsx"
    manifest = make_xlsx(path, 40, bad_fraction=0.1, seed=5)
    web.clock.set(local(2026, 5, 4, 10))
    c = web.login("front")
    r = c.post("/workorders/import", data={"csrf_token": csrf_of(c.get("/workorders/import").text)},
               files={"file": ("工单.xlsx", path.read_bytes(), "application/octet-stream")})
    assert r.status_code == 303, r.text[:300]
    url = r.headers["location"]
    assert re.fullmatch(r"/workorders/import/[A-Za-z0-9_-]{16,64}", url)
    running = c.get(url)
    assert running.status_code == 200 and 'id="import-progress"' in running.text
    assert '<meta http-equiv="refresh" content="2">' in running.text and "正在导入：工单.xlsx" in running.text
    assert c.get(url + "/errors.xlsx").status_code == 404  # no problem list before the end
    assert web.login("officer").get(url).status_code == 403
    held_import.set()
    for _ in range(300):
        page = c.get(url)
        if 'id="import-report"' in page.text:
            break
        time.sleep(0.05)
    assert f"共 40 行：已新增 {40 - len(manifest)}" in page.text and "refresh" not in page.text
    assert count(web, WorkOrder) == 40 - len(manifest)
    sheet = list(openpyxl.load_workbook(io.BytesIO(c.get(url + "/errors.xlsx").content)).active.iter_rows(
        values_only=True))
    assert {r[0] for r in sheet[1:]} == set(manifest)
    assert c.get("/workorders/import/" + "x" * 24).status_code == 404


def test_an_interrupted_import_says_so_and_how_to_finish_it(web: Web, tmp_path: Path) -> None:
    import json
    import time

    from web import import_jobs

    folder = web.app.state.settings.var_dir / "import-reports" / str(web.staff.agency_id)
    folder.mkdir(parents=True, exist_ok=True)
    token = "t" * 24
    stopped = time.time() - import_jobs.STALE_SECONDS - 5
    (folder / f"{token}.json").write_text(json.dumps({
        "state": "running", "processed": 1500, "heartbeat": stopped, "filename": "平台导出.xlsx", "dry_run": False,
        "started": stopped - 30}), encoding="utf-8")
    page = web.login("front").get(f"/workorders/import/{token}")
    assert page.status_code == 200 and 'id="import-interrupted"' in page.text
    assert "已处理约 1500 行" in page.text and "请重新上传同一文件" in page.text and "refresh" not in page.text


def test_an_import_whose_file_cannot_be_read_is_refused_at_the_file_field(web: Web) -> None:
    c = web.login("front")
    r = c.post("/workorders/import", data={"csrf_token": csrf_of(c.get("/workorders/import").text)},
               files={"file": ("坏文件.xlsx", b"not a zip file", "application/octet-stream")})
    assert r.status_code == 422 and field_error(r.text, "file")
    assert count(web, WorkOrder) == 0


def test_import_page_refuses_other_files_and_a_bad_mapping(web: Web) -> None:
    c = web.login("front")
    token = csrf_of(c.get("/workorders/import").text)
    r = c.post("/workorders/import", data={"csrf_token": token}, files={"file": ("a.csv", b"x,y", "text/csv")})
    assert r.status_code == 422 and "只接受平台导出的 .xlsx 或 .jsonl 文件" in field_error(r.text, "file")
    r = c.post("/workorders/import", data={"csrf_token": token},
               files={"file": ("a.jsonl", b"{}\n", "application/x-ndjson"), "mapping": ("m.yaml", b"- a\n- b\n", "")})
    assert r.status_code == 422 and field_error(r.text, "mapping")
    assert count(web, WorkOrder) == 0


PAGES: dict[str, set[str]] = {
    "/workorders": {"front", "officer", "officer2", "leader"},
    "/workorders/{id}": {"front", "officer", "leader"},  # officer2: not assigned to them
    "/workorders/new": {"front", "leader"},
    "/workorders/import": {"front", "leader"},
    "/workorders/export": {"front", "leader"},
    "/reports": {"leader", "admin"},
}


@pytest.mark.parametrize("who", ["front", "officer", "officer2", "leader", "admin"])
def test_roles_on_the_12345_pages(web: Web, who: str) -> None:
    oid = order(web)
    wf.act(web.db.engine, oid, "assign", {"assignee_id": web.staff.officer.id}, web.staff.front, web.clock.now())
    c = web.login(who)
    for page, allowed in PAGES.items():
        r = c.get(page.format(id=oid))
        assert r.status_code == (200 if who in allowed else 403), (who, page, r.status_code)


def test_officer_cannot_see_or_act_on_an_order_not_assigned_to_them(web: Web) -> None:
    oid = order(web)
    wf.act(web.db.engine, oid, "assign", {"assignee_id": web.staff.officer.id}, web.staff.front, web.clock.now())
    wf.act(web.db.engine, oid, "sign_for", {}, web.staff.front, web.clock.now())
    other = web.login("officer2")
    assert "未交办给您" in other.get(f"/workorders/{oid}").text
    assert f"/workorders/{oid}" not in other.get("/workorders").text
    assert f"/workorders/{oid}" not in other.get("/cases/mine").text
    token = csrf_of(other.get("/workorders").text)
    before = written(web)
    for action, data in (("start_handling", {}), ("reply", {"result_text": "已处理"})):
        r = other.post(f"/workorders/{oid}/actions/{action}", data={**data, "csrf_token": token})
        assert r.status_code == 403 and "未交办给您" in r.text
    r = other.post(f"/workorders/{oid}/files", data={"category": "other", "csrf_token": token},
                   files={"file": ("x.pdf", b"%PDF-1.4 x", "application/pdf")})
    assert r.status_code == 403
    assert written(web) == before
    # the assigned officer may, and gets no desk actions
    mine = web.login("officer").get(f"/workorders/{oid}").text
    assert 'id="action-start_handling"' in mine and 'id="action-sign_for"' not in mine


def test_desk_actions_are_refused_to_an_officer_even_on_their_own_order(web: Web) -> None:
    oid = order(web)
    wf.act(web.db.engine, oid, "assign", {"assignee_id": web.staff.officer.id}, web.staff.front, web.clock.now())
    c = web.login("officer")
    r = web.post(c, f"/workorders/{oid}/actions/sign_for", {}, page=f"/workorders/{oid}")
    assert r.status_code == 403 and "您没有执行此操作的权限" in r.text


def test_anonymous_is_sent_to_the_login_page_and_nothing_is_written(web: Web) -> None:
    oid = order(web)
    anon = web.client()
    for url in ("/workorders", f"/workorders/{oid}", "/workorders/new", "/workorders/import", "/workorders/export",
                "/reports", "/reports/annual?year=2025&format=json", "/reports/stats.xlsx"):
        r = anon.get(url)
        assert r.status_code == 303 and r.headers["location"].startswith("/login"), url
    before = written(web)
    assert anon.post(f"/workorders/{oid}/actions/sign_for", data={"csrf_token": "x"}).status_code == 303
    assert anon.post("/workorders/new", data={**GOOD, "csrf_token": "x"}).status_code == 303
    assert written(web) == before


def test_csrf_is_checked_on_every_12345_form(web: Web) -> None:
    oid = order(web)
    c = web.login("front")
    c.get(f"/workorders/{oid}")
    before = written(web)
    for url, data in ((f"/workorders/{oid}/actions/sign_for", {}), ("/workorders/new", GOOD),
                      ("/workorders/import", {}), (f"/workorders/{oid}/files", {"category": "other"})):
        for token in (None, "forged-token"):
            body = {**data, **({"csrf_token": token} if token else {})}
            r = c.post(url, data=body)
            assert r.status_code == 403 and "CSRF" in r.text, (url, token)
    assert written(web) == before


def test_an_upload_over_the_limit_is_refused_at_its_own_field(web: Web, monkeypatch: pytest.MonkeyPatch) -> None:
    from web import import_jobs

    monkeypatch.setattr(import_jobs, "MAX_UPLOAD_BYTES", 100)
    c = web.login("front")
    token = csrf_of(c.get("/workorders/import").text)
    r = c.post("/workorders/import", data={"csrf_token": token}, files={"file": ("a.jsonl", b"{}\n" * 50, "")})
    assert r.status_code == 422 and "上传的文件过大" in field_error(r.text, "file")
    r = c.post("/workorders/import", data={"csrf_token": token},
               files={"file": ("a.jsonl", b"{}\n", ""), "mapping": ("m.yaml", b"# x\n" * 50, "")})
    assert r.status_code == 422 and "上传的文件过大" in field_error(r.text, "mapping") and not field_error(r.text, "file")
    assert count(web, WorkOrder) == 0



def test_a_changed_repeat_of_a_closed_order_is_refused_on_the_form(web: Web) -> None:
    """The platform changing an order already closed: refused in Chinese on the intake form, the input kept — not the
    API's JSON envelope; and a platform update's timeline line names the platform's deadline, with （空） for a value
    it had not set (not None)."""
    c = web.login("front")
    first = web.post(c, "/workorders/new", GOOD)
    assert first.status_code == 303
    later = web.post(c, "/workorders/new", {**GOOD, "platform_due_at": "2026-03-06T18:00"})
    assert later.status_code == 303
    page = c.get(later.headers["location"]).text
    assert "平台办理时限：（空） → 2026-03-06 18:00" in page and "None" not in page
    oid = int(first.headers["location"].rsplit("/", 1)[-1])
    staff, now = web.staff, web.clock.now()
    wf.act(web.db.engine, oid, "sign_for", {}, staff.front, now)
    wf.act(web.db.engine, oid, "assign", {"assignee_id": staff.officer.id}, staff.front, now)
    wf.act(web.db.engine, oid, "reply", {"result_text": "已协调施工方停止夜间作业"}, staff.officer, now)
    wf.act(web.db.engine, oid, "record_callback", {"result": "satisfied"}, staff.front, now)
    wf.act(web.db.engine, oid, "close", {}, staff.front, now)
    before = written(web)
    r = web.post(c, "/workorders/new", {**GOOD, "content": "鹿城镇滨江路工地夜间施工噪音扰民（补充内容）"})
    assert r.status_code == 409 and r.headers["content-type"].startswith("text/html"), r.text
    assert "工单“SD-0001”已办结，平台发来的变更未予更新" in r.text and "（补充内容）" in r.text
    assert written(web) == before
