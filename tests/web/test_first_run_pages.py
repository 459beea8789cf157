"""The first run on the pages (issue 16): the bootstrap administrator must change the printed password before
anything else (pages and API), then lands on the setup page while the agency's notice settings are incomplete;
every staff page says what is missing; the setup page speaks plain Chinese (no format strings, no JSON, no codes
shown raw) and proposes the remedy bodies from the hierarchy."""

from __future__ import annotations

import re

from sqlmodel import select

from db.engine import write_session
from db.models import Agency, User
from states.roles import Role
from tests.conftest import unconfigure_agency
from tests.helpers import password_hash
from tests.web.conftest import Web, csrf_of
from tests.web.wording import ADMIN_ONLY, findings
from workflow.accounts.principal import system
from workflow.accounts.roles import roles_of
from workflow.agencies.registry import create_agency, update_agency


def _bootstrap_admin(web: Web) -> None:
    """The printed password is random; the test sets a known one on the same account (still to be changed)."""
    with write_session(web.db.engine) as s:
        admin = s.exec(select(User).where(User.username == "admin")).one()
        assert admin.id is not None
        assert admin.must_change_password and Role.INSTANCE_ADMIN in roles_of(s, admin.id, admin.agency_id)
        admin.password_hash = password_hash()
        s.add(admin)
        s.commit()


def _login(web: Web, username: str, password: str) -> tuple[object, str]:
    c = web.client()
    token = csrf_of(c.get("/login").text)
    r = c.post("/login", data={"username": username, "password": password, "csrf_token": token})
    assert r.status_code == 303, r.text
    return c, r.headers["location"]


def test_the_printed_password_must_be_changed_first(web: Web) -> None:
    unconfigure_agency(web.db.engine)
    _bootstrap_admin(web)
    c, where = _login(web, "admin", "password123")
    page = c.get(where)  # type: ignore[attr-defined]
    for url in ("/", "/setup", "/admin/users", "/frontdesk/register", "/cases"):
        r = c.get(url)  # type: ignore[attr-defined]
        assert r.status_code == 303 and r.headers["location"] == "/account/password?first=1", url
    page = c.get("/account/password?first=1")  # type: ignore[attr-defined]
    assert page.status_code == 200 and "初始密码" in page.text and 'id="first-password"' in page.text
    api = web.client().post("/api/token", data={"username": "admin", "password": "password123"})
    assert api.status_code == 403 and api.json()["error"]["code"] == "password_change_required"
    assert "修改密码" in api.json()["error"]["message"]
    r = c.post("/account/password", data={  # type: ignore[attr-defined]
        "current_password": "password123", "new_password": "a-new-secret-1", "new_password2": "a-new-secret-1",
        "csrf_token": csrf_of(page.text)})
    assert r.status_code == 303 and "password_changed" in r.headers["location"]
    # logged in again: the setup page, since the agency's notice settings are incomplete
    c, where = _login(web, "admin", "a-new-secret-1")
    assert where == "/setup"
    assert web.client().post("/api/token", data={"username": "admin", "password": "a-new-secret-1"}).status_code == 200


def test_every_staff_page_says_what_is_missing(web: Web) -> None:
    unconfigure_agency(web.db.engine)
    front = web.login("front")
    page = front.get("/frontdesk/register").text
    assert 'id="setup-banner"' in page and "通信地址" in page and "行政复议机关" in page
    assert "请本机关的机关管理员" in page and 'href="/setup"' not in page
    admin = web.login("admin")
    page = admin.get("/admin/users").text
    assert 'href="/setup"' in page and "联系系统管理员" not in page
    assert admin.get("/login").headers["location"] == "/setup"


def test_the_setup_page_in_plain_chinese(web: Web) -> None:
    unconfigure_agency(web.db.engine)
    actor = system(web.staff.agency_id, "命令行")
    create_agency(web.db.engine, code="county", name="青山县人民政府", actor=actor, now=web.clock.now())
    update_agency(web.db.engine, "default", parent_code="county", actor=actor, now=web.clock.now())
    admin = web.login("admin")
    page = admin.get("/setup")
    assert page.status_code == 200
    html = page.text
    # proposed from the hierarchy, with the article
    assert 'value="青山县人民政府"' in html and 'value="青山县人民法院"' in html and "第二十四条" in html
    # no format strings, JSON or raw codes in front of the administrator
    assert findings(html, "/setup", admin=True) == []  # the project's own wording check
    visible = re.sub(r"<[^>]+>", " ", ADMIN_ONLY.sub(" ", html))
    for raw in ("{year}", "{seq", "yunnan_county", "Asia/Shanghai", "JSON", "联系系统管理员", "rules.md", "DERIVED"):
        assert raw not in visible, raw
    assert "依申〔2026〕0001号" in html  # the example of the number in force
    assert "县级机关默认时限" in html and "北京时间" in html
    # a refused save keeps what was typed and names each field
    token = csrf_of(html)
    form = {"csrf_token": token, "name": "某县某局", "code": "default", "seal_text": "", "office_name": "",
            "address": "", "postal_code": "", "phone": "", "email": "", "office_hours": "",
            "reconsideration_organ": "青山县人民政府", "litigation_court": "青山县人民法院",
            "morning_from": "09:00", "morning_to": "12:00", "afternoon_from": "14:30", "afternoon_to": "18:00",
            "timezone": "Asia/Shanghai", "hotline_profile": "yunnan_county",
            **{f"{f}_{p}": v for f in ("tracking_format", "reply_doc_format", "notice_doc_format", "submission_format")
               for p, v in (("prefix", "青自然"), ("layout", "bracket"), ("width", "4"))}}
    r = admin.post("/setup", data=form)
    assert r.status_code == 422
    assert "不能是安装时的" in r.text and "请填写通信地址" in r.text and "请填写联系电话" in r.text
    form.update(name="青山县自然资源局", address="青山县人民路1号", phone="0878-3120000")
    r = admin.post("/setup", data=form)
    assert r.status_code == 303, r.text
    after = admin.get(r.headers["location"]).text
    assert 'id="setup-banner"' not in after and "机关设置已完成" in after
    with write_session(web.db.engine) as s:
        agency = s.get(Agency, web.staff.agency_id)
        assert agency is not None and agency.name == "青山县自然资源局"
        assert agency.settings["reply_doc_format"] == "青自然〔{year}〕{seq:04d}号"
        assert agency.settings["seal_text"] == "青山县自然资源局"
