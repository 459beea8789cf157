"""Reports API: roles, the four annual-report formats and their content types, the statistics (disclosure +
12345) as JSON and XLSX (read back with openpyxl), supervisors across agencies, bad input."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from db.engine import read_session, write_session
from db.models import Agency, User
from tests.helpers import password_hash, principal, registration
from tests.hotline_helpers import local
from tests.report import hotline_scripted
from web.app import create_app
from workflow.accounts.users import create_user_in
from workflow.disclosure import actions as wf
from workflow.disclosure.payloads import RegisterIn
from workflow.timesource import FixedTime

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class Api:
    def __init__(self, db: Any) -> None:
        self.db = db
        self.clock = FixedTime(local(2026, 4, 1, 10))
        self.world = hotline_scripted.build(db.engine)
        st = self.world["staff"]
        wf.register(db.engine, RegisterIn.model_validate(registration(assignee_id=st.officer.id)), st.front,
                    local(2026, 3, 2, 10))
        with write_session(db.engine) as s:
            agency = s.get(Agency, st.agency_id)
            assert agency is not None
            self.code = agency.code
            # 乙局 is a department under this agency: the supervisor here reaches it (issue 16)
            below = s.exec(select(Agency).where(Agency.code == "B")).one()
            below.parent_id = agency.id
            s.add(below)
            sup = create_user_in(s, agency=agency, username="sup", password="password123", roles=["supervisor"],
                                 display_name="监督员", now=self.clock.now(), password_hash=password_hash())
            s.commit()
            self.supervisor = principal(s, sup)
        self.app = create_app(db.settings, db.engine, self.clock, run_scheduler=False)
        self.client = TestClient(self.app)

    def h(self, who: str) -> dict[str, str]:
        p = self.supervisor if who == "supervisor" else getattr(self.world["staff"], who)
        with read_session(self.db.engine) as s:
            user = s.get(User, p.id)
        return {"Authorization": f"Bearer {self.app.state.tokens.issue(user)}"}

    def get(self, url: str, who: str | None = "leader", **params: Any) -> Any:
        return self.client.get(url, params=params, headers=self.h(who) if who else {})


@pytest.fixture
def api(db: Any) -> Api:
    return Api(db)


def test_annual_report_in_every_format(api: Api) -> None:
    r = api.get("/api/reports/annual/2026", format="json")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert body["year"] == 2026 and len(body["table3"]["rows"]) == 25 and len(body["table4"]) == 15
    assert body["table3"]["rows"][0]["values"][-1] == 1  # 一、本年新收: the one registration
    assert all(c["ok"] for c in body["checks"])
    assert len(api.get("/api/reports/annual/2026", report_format="2019").json()["table3"]["rows"]) == 23
    html = api.get("/api/reports/annual/2026", format="html")
    assert html.headers["content-type"].startswith("text/html") and "申请人情况" in html.text
    xlsx = api.get("/api/reports/annual/2026", format="xlsx")
    assert xlsx.headers["content-type"] == XLSX
    assert "attachment" in xlsx.headers["content-disposition"]
    assert "filename*=UTF-8''" in xlsx.headers["content-disposition"]
    assert openpyxl.load_workbook(io.BytesIO(xlsx.content)).sheetnames[:3] == ["表二 主动公开", "表三 申请办理", "表四 复议诉讼"]
    docx = api.get("/api/reports/annual/2026", format="docx")
    assert docx.headers["content-type"] == DOCX
    assert "word/document.xml" in zipfile.ZipFile(io.BytesIO(docx.content)).namelist()


@pytest.mark.parametrize(("params", "field"), [
    ({"format": "pdf"}, "format"), ({"report_format": "2018"}, "report_format")])
def test_annual_report_bad_input(api: Api, params: dict[str, str], field: str) -> None:
    r = api.get("/api/reports/annual/2026", **params)
    assert r.status_code == 422 and r.json()["error"]["fields"][0]["field"].endswith(field)


def test_annual_report_year_out_of_range(api: Api) -> None:
    r = api.get("/api/reports/annual/1990")
    assert r.status_code == 422 and "年度应在2019至2100之间" in r.text


@pytest.mark.parametrize(("who", "status"), [
    ("leader", 200), ("admin", 200), ("supervisor", 200), ("front", 403), ("officer", 403), (None, 401)])
def test_roles(api: Api, who: str | None, status: int) -> None:
    for url in ("/api/reports/annual/2026", "/api/reports/stats", "/api/reports/stats.xlsx"):
        assert api.get(url, who).status_code == status, (who, url)


def test_statistics_json_has_both_kinds_for_the_period(api: Api) -> None:
    r = api.get("/api/reports/stats", **{"from": "2026-01-01", "to": "2026-03-31"})
    assert r.status_code == 200
    st = r.json()
    assert st["period"] == {"start": "2026-01-01", "end": "2026-03-31"} and st["agency_id"] == api.world["a"]
    assert st["disclosure"]["received"] == 1
    h = st["hotline"]
    assert h["received"] == 8 and h["rates"]["satisfaction"] == {"numerator": 4, "denominator": 5, "rate": 0.8}
    assert list(h["by_month"]) == ["2026-01", "2026-02", "2026-03"]
    default = api.get("/api/reports/stats").json()  # this year up to today (1 April)
    assert default["period"] == {"start": "2026-01-01", "end": "2026-04-01"}
    bad = api.get("/api/reports/stats", **{"from": "2026-03-01", "to": "2026-02-01"})
    assert bad.status_code == 422 and bad.json()["error"]["fields"][0]["message"] == "截止日期不能早于起始日期"
    assert api.get("/api/reports/stats", **{"from": "昨天"}).status_code == 422


def test_supervisor_across_agencies_and_leaders_only_their_own(api: Api) -> None:
    everyone = api.get("/api/reports/stats", "supervisor").json()  # its agency and the one below it, summed
    assert everyone["agency_id"] == sorted([api.world["a"], api.world["b"]])
    assert everyone["agency"].endswith("（含下级机关）")
    assert everyone["hotline"]["received"] == 9
    b = api.get("/api/reports/stats", "supervisor", agency="B").json()
    assert b["agency"] == "乙局" and b["hotline"]["received"] == 1 and b["disclosure"]["received"] == 0
    assert api.get("/api/reports/annual/2026", "supervisor", agency="B").json()["table3"]["rows"][0]["values"][-1] == 0
    assert api.get("/api/reports/stats", "supervisor", agency="NOPE").status_code == 404
    assert api.get("/api/reports/stats", "leader", agency=api.code).status_code == 200
    for url in ("/api/reports/stats", "/api/reports/annual/2026", "/api/reports/stats.xlsx"):
        r = api.get(url, "leader", agency="B")
        assert r.status_code == 403 and r.json()["error"]["message"] == "只能查看本机关的统计报表"
    assert api.get("/api/reports/stats", "leader", agency="NOPE").status_code == 403  # no probing for codes


def test_statistics_xlsx_read_back(api: Api) -> None:
    params = {"from": "2026-01-01", "to": "2026-03-31"}
    st = api.get("/api/reports/stats", **params).json()
    r = api.get("/api/reports/stats.xlsx", **params)
    assert r.status_code == 200 and r.headers["content-type"] == XLSX
    assert 'filename="statistics-2026-01-01-2026-03-31.xlsx"' in r.headers["content-disposition"]
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["说明", "依申请公开_概况", "依申请公开_按月", "依申请公开_按答复类型", "依申请公开_按承办人",
                             "依申请公开_按科室", "12345_概况", "12345_按诉求类型", "12345_按月", "12345_回访结果"]
    overview = {row[0]: row[1:4] for row in wb["12345_概况"].iter_rows(min_row=2, values_only=True)}
    h = st["hotline"]
    for key, label in h["rate_labels"].items():
        rate = h["rates"][key]
        assert overview[label] == (rate["numerator"], rate["denominator"], rate["rate"]), label
    assert wb["12345_概况"]["D2"].number_format == "0.00%"
    cats = list(wb["12345_按诉求类型"].iter_rows(values_only=True))
    header = cats[0]
    complaint = dict(zip(header, next(c for c in cats if c[0] == "投诉"), strict=True))
    assert complaint["收到工单"] == 3 and complaint["反馈办理结果"] == 3 and complaint["按时办结率"] == 0.6667
    assert complaint["延期"] == 1 and complaint["延期率"] == 0.3333
    months = [row[0] for row in wb["12345_按月"].iter_rows(min_row=2, values_only=True)]
    assert months == ["2026-01", "2026-02", "2026-03"]
    results = dict(wb["12345_回访结果"].iter_rows(min_row=2, values_only=True))
    assert results == {"满意": 2, "基本满意": 2, "不满意": 1}
    disclosure = dict(wb["依申请公开_概况"].iter_rows(min_row=2, values_only=True))
    assert disclosure["收到申请"] == 1 and disclosure["办结"] == 0
    about = dict(wb["说明"].iter_rows(min_row=2, values_only=True))
    assert about["统计期间"] == "2026-01-01 至 2026-03-31（含）" and "满意" in about["回访满意率口径"]
