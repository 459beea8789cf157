"""The holiday arrangements through the API, as the administrator's calendar page (``/admin/calendar``) keeps them:
which years have them or are provisional, the template, a notice previewed (nothing written) and imported (the
page's workflow: the calendar version bumped, the open deadlines then recomputed), every problem of a notice a 422
at its field and line, the page's scope check and roles."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import select

from db.engine import read_session
from db.models import CalendarNotice, Clock
from tests.conftest import Db
from tests.helpers import Staff, registration
from tests.web.conftest import csrf_of, token
from web.holiday_notice import MAX_NOTICE_BYTES
from workflow.accounts.principal import system
from workflow.accounts.users import create_user
from workflow.agencies.registry import create_agency
from workflow.disclosure import actions as wf
from workflow.disclosure.payloads import RegisterIn
from workflow.sweeps.run import run_all
from workflow.timesource import FixedTime

CAL = "/api/calendar"
LOCAL = """year: 2026
document: 某县人民政府关于火把节放假的通知
scope: default
holidays:
  - {name: 火把节, start: 2026-03-20, end: 2026-03-20}
"""
NATIONAL_2027 = """year: 2027
document: 国办发明电〔2026〕9号
scope: national
holidays:
  - {name: 元旦, start: 2027-01-01, end: 2027-01-03}
workdays: [2027-01-09]
"""
BROKEN = """year: 2026
document: 某县人民政府关于火把节放假的通知
scope: default
holidays:
  - {name: 火把节, start: 2026-03-40}
  - {name: 彝族年, start: 2025-11-20}
workdays: [2026-03-18]
"""


def _register(db: Db, staff: Staff, clock: FixedTime) -> Any:
    return wf.register(db.engine, RegisterIn.model_validate(registration(assignee_id=staff.officer.id)), staff.front,
                       clock.now())  # reply due 2026-03-30


def _stored(db: Db) -> tuple[list[tuple[int, int, str]], list[tuple[int | None, Any]]]:
    with read_session(db.engine) as s:
        notices = sorted((n.id or 0, n.year, n.scope) for n in s.exec(select(CalendarNotice)).all())
        dues = sorted((c.id, c.due_date) for c in s.exec(select(Clock)).all())
    return notices, dues


def _problems(r: Any) -> list[dict[str, Any]]:
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert err["code"] == "invalid_input" and err["message"].startswith("节假日安排有误")
    return list(err["fields"])


def test_preview_of_a_valid_notice_writes_nothing(db: Db, clock: FixedTime, client: TestClient,
                                                  staff: Staff) -> None:
    case = _register(db, staff, clock)
    admin = token(client, "default-admin")
    before = _stored(db)
    by_text = client.post(f"{CAL}/preview", headers=admin, data={"text": LOCAL})
    assert by_text.status_code == 200, by_text.text
    pv = by_text.json()
    assert (pv["year"], pv["scope"], pv["scope_label"]) == (2026, "default", "本机关地方安排")
    assert pv["filename"] == "notice.yaml" and pv["replaces"] is None and (pv["holidays"], pv["workdays"]) == (1, 0)
    assert pv["changes"] == [{"date": "2026-03-20", "change": "added", "change_label": "新增", "old": "",
                              "new": "放假（火把节）"}]
    reply = next(m for m in pv["moved"] if m["clock_label"] == "答复期限")
    assert reply["case_no"] == case.tracking_no and reply["case_id"] == case.id
    assert (reply["old_due"], reply["new_due"]) == ("2026-03-30", "2026-03-31")
    assert pv["checked_clocks"] >= len(pv["moved"]) >= 1 and pv["problems"] == []
    by_file = client.post(f"{CAL}/preview", headers=admin,
                          files={"file": ("火把节.yaml", LOCAL.encode("utf-8"), "text/yaml")})
    assert by_file.status_code == 200, by_file.text
    assert by_file.json() == {**pv, "filename": "火把节.yaml"}
    assert _stored(db) == before


def test_an_invalid_notice_is_refused_at_its_lines_and_nothing_is_stored(db: Db, clock: FixedTime,
                                                                         client: TestClient, staff: Staff) -> None:
    _register(db, staff, clock)
    admin = token(client, "default-admin")
    before = _stored(db)
    for url in (f"{CAL}/preview", f"{CAL}/import"):
        fields = _problems(client.post(url, headers=admin, files={"file": ("notice.yaml", BROKEN.encode(), "text/yaml")}))
        assert [(f["field"], f["line"]) for f in fields] == [("file", 5), ("file", 6), ("file", 7)], fields
        assert fields[0]["message"] == "第 5 行：开始日期格式错误：“2026-03-40”，应为 YYYY-MM-DD"
        assert fields[1]["message"] == "第 6 行：开始日期 2025-11-20 不在 2026 年内"
        assert "调休上班日应为周末" in fields[2]["message"]
        # pasted: at the text
        fields = _problems(client.post(url, headers=admin, data={"text": "year: [2026\n"}))
        assert [f["field"] for f in fields] == ["text"] and "YAML 格式错误" in fields[0]["message"]
        # a scope this agency does not use: the page's check, at the scope's line
        fields = _problems(client.post(url, headers=admin, data={"text": LOCAL.replace("scope: default",
                                                                                       "scope: elsewhere")}))
        assert fields == [{"field": "text", "code": "scope_not_used", "line": 3,
                           "message": "第 3 行：本机关使用的日历范围为 national、default，不能导入范围为 elsewhere 的安排"}]
        # nothing sent; a file too large; two files; a name that is not text
        fields = _problems(client.post(url, headers=admin, data={"text": "  "}))
        assert fields == [{"field": "", "code": "missing", "message": "请上传文件或粘贴节假日安排"}]
        big = b"# " + b"x" * MAX_NOTICE_BYTES + b"\n" + LOCAL.encode()
        fields = _problems(client.post(url, headers=admin, files={"file": ("big.yaml", big, "text/yaml")}))
        assert fields == [{"field": "file", "code": "too_large", "message": "文件过大（不超过256KB）"}]
        r = client.post(url, headers=admin, files=[("file", ("a.yaml", LOCAL.encode(), "text/yaml")),
                                                   ("file", ("b.yaml", LOCAL.encode(), "text/yaml"))])
        assert r.status_code == 422 and r.json()["error"]["fields"][0]["message"] == "一次只能上传一个文件"
        r = client.post(url, headers=admin, data={"text": LOCAL, "filename": "a/b.yaml"})
        assert r.status_code == 422 and r.json()["error"]["fields"][0]["field"] == "filename"
    assert _stored(db) == before


def test_import_then_the_year_is_in_and_deadlines_move(db: Db, clock: FixedTime, client: TestClient,
                                                       staff: Staff) -> None:
    case = _register(db, staff, clock)
    admin = token(client, "default-admin")
    years = client.get(f"{CAL}/years", headers=admin)
    assert years.status_code == 200, years.text
    ys = years.json()
    assert ys["scopes"] == ["national", "default"]
    by_year = {y["year"]: y for y in ys["years"]}
    assert [y["year"] for y in ys["years"]][:2] == [2027, 2026]  # newest first; this year and the next
    assert by_year[2026] == {"year": 2026, "national": True, "local_scopes": [], "provisional": False,
                             "provisional_note": ""}
    assert by_year[2027]["provisional"] and not by_year[2027]["national"]
    assert by_year[2027]["provisional_note"].startswith("2027年全国节假日安排尚未导入：暂按周末和元旦、劳动节、国庆节的法定日期计算")
    n2026 = next(n for n in ys["notices"] if n["year"] == 2026)
    assert n2026["title"] == "2026年全国节假日安排" and n2026["source"].startswith("系统内置") and n2026["applies"]

    pv = client.post(f"{CAL}/preview", headers=admin, data={"text": LOCAL}).json()
    r = client.post(f"{CAL}/import", headers=admin, files={"file": ("huobajie.yaml", LOCAL.encode(), "text/yaml")})
    assert r.status_code == 200, r.text
    done = r.json()
    assert (done["year"], done["scope"], done["holidays"], done["workdays"]) == (2026, "default", 1, 0)
    assert done["moving"] == len(pv["moved"]) and done["calendar_version"] == ys["calendar_version"] + 1
    assert done["replaced_notice_id"] is None and done["stale_clocks"] >= done["moving"]
    assert done["message"].startswith("已导入 2026 年 某县人民政府关于火把节放假的通知（放假 1 天、调休上班 0 天）；")
    r = client.post(f"{CAL}/import", headers=admin, data={"text": NATIONAL_2027, "filename": "国办2027.yaml"})
    assert r.status_code == 200, r.text

    ys = client.get(f"{CAL}/years", headers=admin).json()
    by_year = {y["year"]: y for y in ys["years"]}
    assert by_year[2026]["local_scopes"] == ["default"]
    assert by_year[2027] == {"year": 2027, "national": True, "local_scopes": [], "provisional": False,
                             "provisional_note": ""}
    assert ys["stale_clocks"] >= 1 and ys["calendar_version"] == done["calendar_version"] + 1
    mine = next(n for n in ys["notices"] if n["scope"] == "default")
    assert mine == {"year": 2026, "scope": "default", "scope_label": "本机关地方安排", "applies": True,
                    "title": "某县人民政府关于火把节放假的通知", "document": "某县人民政府关于火把节放假的通知",
                    "source": "上传文件 huobajie.yaml", "imported_by": "管理员", "imported_at": mine["imported_at"]}
    assert next(n for n in ys["notices"] if n["year"] == 2027)["source"] == "上传文件 国办2027.yaml"
    # the recompute sweep moves the deadline the preview named, as after the page's import
    run_all(db.engine, clock.now(), settings=db.settings, only=("recompute",))
    with read_session(db.engine) as s:
        clocks = s.exec(select(Clock).where(Clock.case_id == case.id, Clock.kind == "reply")).all()
    assert [c.due_date.isoformat() for c in clocks if c.due_date] == ["2026-03-31"]
    assert client.get(f"{CAL}/years", headers=admin).json()["stale_clocks"] == 0


def test_only_the_agencys_administrator(db: Db, clock: FixedTime, client: TestClient, staff: Staff) -> None:
    create_user(db.engine, agency_code="default", username="platform", password="password123",
                roles=["instance_admin"], display_name="平台管理员", now=clock.now())
    admin = token(client, "default-admin")
    r = client.get(f"{CAL}/template.yaml", headers=admin)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/yaml")
    assert "year: 2027" in r.text and "节假日安排导入模板" in r.text
    before = _stored(db)
    for who in ("default-officer", "default-leader", "default-front", "platform", None):
        h = token(client, who) if who else {}
        status = 403 if who else 401
        assert client.get(f"{CAL}/years", headers=h).status_code == status, who
        assert client.get(f"{CAL}/template.yaml", headers=h).status_code == status, who
        for op in ("preview", "import"):
            r = client.post(f"{CAL}/{op}", headers=h, data={"text": LOCAL})
            assert r.status_code == status, (who, op, r.text)
    assert _stored(db) == before


def test_arrangements_other_agencies_share_are_the_platforms(db: Db, clock: FixedTime, client: TestClient,
                                                             staff: Staff) -> None:
    """On an instance serving several agencies, the national arrangements move every agency's deadlines: an agency's
    administrator may not import them (403 in the API, the reason on the page; its own local ones it may), the
    platform administrator may. Where it is the only agency, its administrator imports them (the test above)."""
    create_agency(db.engine, code="other", name="邻县某局", actor=system(staff.agency_id, "命令行"), now=clock.now())
    create_user(db.engine, agency_code="default", username="platform", password="password123",
                roles=["instance_admin", "admin"], display_name="平台管理员", now=clock.now())
    admin = token(client, "default-admin")
    before = _stored(db)
    for op in ("preview", "import"):
        r = client.post(f"{CAL}/{op}", headers=admin, data={"text": NATIONAL_2027})
        assert r.status_code == 403, r.text
        err = r.json()["error"]
        assert err["code"] == "scope_shared"
        assert err["message"] == "第 3 行：全国的节假日安排还适用于本平台的其他 1 个机关，导入会改变它们的期限，须由平台管理员导入"
    page = TestClient(client.app, headers={"accept": "text/html"}, follow_redirects=False)
    login = page.post("/login", data={"username": "default-admin", "password": "password123",
                                      "csrf_token": csrf_of(page.get("/login").text)})
    assert login.status_code == 303, login.text
    r = page.post("/admin/calendar/preview", data={"text": NATIONAL_2027, "csrf_token": csrf_of(
        page.get("/admin/calendar").text)})
    assert r.status_code == 422 and "须由平台管理员导入" in r.text
    assert _stored(db) == before
    assert client.post(f"{CAL}/import", headers=admin, data={"text": LOCAL}).status_code == 200  # its own
    r = client.post(f"{CAL}/import", headers=token(client, "platform"), data={"text": NATIONAL_2027})
    assert r.status_code == 200, r.text
