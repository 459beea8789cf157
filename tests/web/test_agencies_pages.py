"""机关管理 pages (issue 16): the instance administrator builds a county on the page, in Chinese; an agency's
administrator cannot open them; deactivation with an open case is refused on the page with the reason."""

from __future__ import annotations

from tests.helpers import make_staff, registration
from tests.web.conftest import Web
from workflow.accounts.users import create_user
from workflow.disclosure import actions as wf
from workflow.disclosure.payloads import RegisterIn


def _platform(web: Web) -> None:
    create_user(web.db.engine, agency_code="default", username="default-platform", password="password123",
                roles=["instance_admin", "admin"], display_name="平台管理员", now=web.clock.now())


def test_instance_admin_builds_a_county_on_the_page(web: Web) -> None:
    _platform(web)
    c = web.login("platform")
    page = c.get("/admin/agencies")
    assert page.status_code == 200 and "机关管理" in page.text and "新建机关" in page.text
    r = web.post(c, "/admin/agencies", {"code": "county", "name": "某某县人民政府", "parent": "", "kind": ""},
                 page="/admin/agencies")
    assert r.status_code == 303 and r.headers["location"] == "/admin/agencies/county"
    r = web.post(c, "/admin/agencies", {"code": "land", "name": "某某县自然资源局", "parent": "county", "kind": ""},
                 page="/admin/agencies")
    assert r.status_code == 303
    land = c.get("/admin/agencies/land")
    assert "某某县人民政府" in land.text and "按上下级关系建议" in land.text and "某某县人民法院" in land.text
    assert "文书所需设置尚未填写" in land.text and "通信地址" in land.text
    # what is the agency's own, shown on its page
    assert "依申〔2026〕0001号" in land.text and "县级机关默认时限" in land.text and "国务院节假日安排" in land.text
    # its administrator
    r = web.post(c, "/admin/agencies/land/users", {"username": "land-boss", "display_name": "王局", "email": "",
                                                    "password": "password123", "roles": "admin"},
                 page="/admin/agencies/land")
    assert r.status_code == 303
    assert "land-boss" in c.get("/admin/agencies/land").text
    # refusals shown on the page
    dup = web.post(c, "/admin/agencies", {"code": "land", "name": "重复", "parent": "", "kind": ""},
                   page="/admin/agencies")
    assert dup.status_code == 422 and "机关代码“land”已被使用" in dup.text
    cyc = web.post(c, "/admin/agencies/county", {"name": "某某县人民政府", "kind": "government", "parent": "land"},
                   page="/admin/agencies/county")
    assert cyc.status_code == 422 and "不能把机关挂在它自己或它的下级机关之下" in cyc.text
    tree = c.get("/admin/agencies").text
    assert tree.index("某某县人民政府") < tree.index("某某县自然资源局")


def test_deactivation_with_an_open_case_is_refused_on_the_page(web: Web) -> None:
    _platform(web)
    c = web.login("platform")
    web.post(c, "/admin/agencies", {"code": "land", "name": "某某县自然资源局", "parent": "", "kind": ""},
             page="/admin/agencies")
    staff = make_staff(web.db.engine, web.clock.now(), agency_code="land")
    wf.register(web.db.engine, RegisterIn.model_validate(registration()), staff.front, web.clock.now())
    page = c.get("/admin/agencies/land")
    assert "暂不能停用" in page.text and "1件未办结的依申请公开申请" in page.text
    r = web.post(c, "/admin/agencies/land/deactivate", {}, page="/admin/agencies/land")
    assert r.status_code == 303
    assert "1件未办结的依申请公开申请" in c.get(r.headers["location"]).text


def test_an_agency_admin_cannot_open_agency_management(web: Web) -> None:
    admin = web.login("admin")
    assert admin.get("/admin/agencies").status_code == 403
    assert 'href="/admin/agencies"' not in admin.get("/admin/users").text
    assert "平台管理员" not in admin.get("/admin/users").text  # the role it may not grant is not offered
