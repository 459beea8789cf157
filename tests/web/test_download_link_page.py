"""The download link of a reply too large to mail (条例第四十条), served by the portal: the files marked for the
applicant, listed and downloadable until the link's last day; a wrong signature, a past day, another agency's
URL or a file not marked for the applicant all read as an invalid link."""

from __future__ import annotations

import os
from datetime import timedelta

from tests.web.conftest import Web, register_case
from workflow.cases.attachments import attach_to_disclosure
from workflow.disclosure.download_links import download_token, link_path
from workflow.timesource import local_date

PDF = b"%PDF-1.4\n" + os.urandom(2000) + b"\n%%EOF\n"
INVALID = "下载链接无效或已过期"


def test_the_link_lists_and_serves_only_the_applicants_files_until_its_last_day(web: Web) -> None:
    case = register_case(web)
    shown = attach_to_disclosure(web.db.engine, case.id, data=PDF, filename="征收补偿安置方案.pdf",
                                 category="reply_info", actor=web.staff.officer, now=web.clock.now(),
                                 settings=web.db.settings)
    inner = attach_to_disclosure(web.db.engine, case.id, data=PDF + b"x", filename="内部审批单.pdf", category="other",
                                 actor=web.staff.officer, now=web.clock.now(), settings=web.db.settings)
    secret = web.db.settings.resolved_secret_key()
    until = local_date(web.clock.now(), "Asia/Shanghai") + timedelta(days=30)
    path = link_path("default", case.id, until, download_token(case.id, until, secret))
    c = web.client()

    page = c.get(path)
    assert page.status_code == 200 and "征收补偿安置方案.pdf" in page.text and "内部审批单" not in page.text
    assert f"本链接有效期至{until.isoformat()}" in page.text
    got = c.get(f"{path}/{shown.id}")
    assert got.status_code == 200 and got.content == PDF
    assert "attachment" in got.headers["content-disposition"]

    assert INVALID in c.get(f"{path}/{inner.id}").text  # not marked for the applicant
    wrong = link_path("default", case.id, until, "0" * 24)
    assert c.get(wrong).status_code == 404 and INVALID in c.get(wrong).text
    past = until - timedelta(days=60)
    assert c.get(link_path("default", case.id, past, download_token(case.id, past, secret))).status_code == 404
    other = link_path("default", case.id + 1, until, download_token(case.id + 1, until, secret))
    assert c.get(other).status_code == 404  # a signed link of a case that is not there
    assert c.get(path.replace("/gongkai/default/", "/gongkai/nosuch/")).status_code == 404
