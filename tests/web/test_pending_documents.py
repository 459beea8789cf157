"""Documents of an action exist when the page after it is shown: while the outbox renders them the case page
says "生成中" and updates its list of documents (banli.js) until they are stored; never "暂无文书" for a
document that is coming."""

from __future__ import annotations

from tests.hotline_helpers import order_input
from tests.web.conftest import Web, drain_outbox, register_case
from workflow.disclosure import actions as wf
from workflow.hotline import actions as hotline


def test_case_page_shows_coming_documents_until_they_are_stored(web: Web) -> None:
    case = register_case(web)
    wf.act(web.db.engine, case.id, "request_correction", {"items": ["请写明文件名称"]}, web.staff.officer,
           web.clock.now())
    officer = web.fresh("officer")
    html = officer.get(f"/cases/disclosure/{case.id}").text
    assert 'id="documents-pending"' in html and "《政府信息公开申请补正告知书》" in html
    assert f'data-refresh-url="/cases/disclosure/{case.id}"' in html and "暂无文书" not in html
    drain_outbox(web)
    html = officer.get(f"/cases/disclosure/{case.id}").text
    assert 'id="documents-pending"' not in html and "data-refresh-url" not in html
    assert "政府信息公开申请补正告知书" in html


def test_work_order_page_shows_the_reply_sheet_coming_until_it_is_stored(web: Web) -> None:
    oid = hotline.intake(web.db.engine, hotline.record_from_input(order_input()), web.staff.front, web.clock.now()).id
    for action, who, payload in (("sign_for", web.staff.front, {}),
                                 ("assign", web.staff.front, {"assignee_id": web.staff.officer.id}),
                                 ("reply", web.staff.officer, {"result_text": "已协调施工单位停止夜间作业。"})):
        hotline.act(web.db.engine, oid, action, payload, who, web.clock.now())
    officer = web.fresh("officer")
    html = officer.get(f"/workorders/{oid}").text
    assert 'id="documents-pending"' in html and "《12345政务服务便民热线办理情况回复单》" in html
    assert f'data-refresh-url="/workorders/{oid}"' in html and "暂无文书" not in html
    drain_outbox(web)
    html = officer.get(f"/workorders/{oid}").text
    assert 'id="documents-pending"' not in html and "data-refresh-url" not in html
    assert "12345政务服务便民热线办理情况回复单" in html
