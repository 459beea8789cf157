"""机关设置 in human terms (issue 16): document numbers from patterns with a preview, no Python format strings, no
JSON text areas, the 12345 profile by its Chinese name with its source, the time from a list, choices as
checkboxes — every setting explained where it is edited; nothing tells the administrator to ask an administrator."""

from __future__ import annotations

import re

from db.engine import read_session, write_session
from db.models import Agency
from tests.web.conftest import Web, csrf_of
from tests.web.wording import ADMIN_ONLY, findings
from workflow.agencies.config import agency_config

RAW = ("{year}", "{seq", "JSON", "yunnan_county", "Asia/Shanghai", "联系系统管理员", "front_desk", "rules.md",
       "DERIVED", "每行一个：pdf", "范围代码")


def _visible(html: str) -> str:
    """What the administrator reads, the profile sources table aside (tests.web.wording: admin-only sources)."""
    html = ADMIN_ONLY.sub(" ", re.sub(r"<script.*?</script>", " ", html, flags=re.S))
    return re.sub(r"<[^>]+>", " ", html)


def test_the_settings_page_speaks_plain_chinese(web: Web) -> None:
    page = web.login("admin").get("/admin/agency")
    assert page.status_code == 200
    text = _visible(page.text)
    for raw in RAW:
        assert raw not in text, raw
    assert findings(page.text, "/admin/agency", admin=True) == []  # the project's own wording check
    for plain in ("依申〔2026〕0001号", "字头", "县级机关默认时限", "北京时间", "PDF（便于打印，推荐）",
                  "前台登记员", "答复期限", "“已经主动公开，告知获取方式”的答复计入", "第二十四条"):
        assert plain in text, plain


def test_patterns_lists_and_ladders_are_saved(web: Web) -> None:
    admin = web.login("admin")
    page = admin.get("/admin/agency").text
    data: dict[str, object] = dict(re.findall(r'name="([a-z_]+)" id="f-[a-z_]+" value="([^"]*)"', page))
    data.update({"csrf_token": csrf_of(page), "reply_doc_format_prefix": "自然公开复", "reply_doc_format_layout": "dash",
                 "reply_doc_format_width": "3", "ladder_reply": "5、2，0", "mail_attachments": ["pdf", "docx"],
                 "backfill_roles": ["leader"], "timezone": "Asia/Shanghai", "hotline_profile": "sichuan",
                 "already_public_row": "3.6.3"})
    r = admin.post("/admin/agency", data=data)
    assert r.status_code == 303, _visible(r.text)[:2000]
    with read_session(web.db.engine) as s:
        cfg = agency_config(s.get(Agency, web.staff.agency_id))  # type: ignore[arg-type]
    assert cfg.reply_doc_format == "自然公开复{year}-{seq:03d}"
    assert cfg.tracking_format == "依申〔{year}〕{seq:04d}号"  # not on the posted form: unchanged
    assert cfg.reminder_ladders_wd == {"reply": [5, 2, 0]} and cfg.mail_attachments == ["pdf", "docx"]
    assert cfg.backfill_roles == ["leader"] and cfg.hotline_profile == "sichuan"
    assert cfg.report_row_overrides == {"disclose.already_public": "3.6.3"}
    again = admin.get("/admin/agency").text
    assert "自然公开复2026-001" in again and 'value="5、2、0"' in again
    bad = dict(data, reply_doc_format_prefix="复{", csrf_token=csrf_of(again))
    r = admin.post("/admin/agency", data=bad)
    assert r.status_code == 422 and "字头不能含空格或花括号" in r.text


def _error_at(html: str, field: str) -> str:
    m = re.search(rf'<p class="field-error" id="err-{field}">([^<]*)</p>', html)
    assert m is not None, field
    return m.group(1)


def test_a_setting_the_workflow_cannot_use_is_refused_at_its_field(web: Web) -> None:
    """Findings h3 #1: the page's widgets bound what a browser sends, but a hand-made POST went through; now each
    value is checked when saved and the message stands at the input that edits it; nothing is saved."""
    admin = web.login("admin")
    page = admin.get("/admin/agency").text
    data: dict[str, object] = dict(re.findall(r'name="([a-z_]+)" id="f-[a-z_]+" value="([^"]*)"', page))
    data.update({"csrf_token": csrf_of(page), "reply_wd": "25", "working_hours": "12:00-09:00",
                 "ladder_reply": "500", "timezone": "Mars/Olympus", "digest_time": "99:99",
                 "email": "notanemail", "seal_text": "某" * 300, "hotline_profile": "nope"})
    r = admin.post("/admin/agency", data=data)
    assert r.status_code == 422
    assert "1到20" in _error_at(r.text, "reply_wd") and "第三十三条" in _error_at(r.text, "reply_wd")
    assert "结束时间应晚于开始时间" in _error_at(r.text, "working_hours")
    assert "0到250" in _error_at(r.text, "ladder_reply")
    assert "北京时间" in _error_at(r.text, "timezone")
    assert "24小时制" in _error_at(r.text, "digest_time")
    assert "电子邮箱格式不正确" in _error_at(r.text, "email")
    assert "不超过40个字符" in _error_at(r.text, "seal_text")  # printed inside the 42 mm seal ring
    assert "时限方案" in _error_at(r.text, "hotline_profile")
    with read_session(web.db.engine) as s:
        cfg = agency_config(s.get(Agency, web.staff.agency_id))  # type: ignore[arg-type]
    assert cfg.reply_wd == 20 and cfg.timezone == "Asia/Shanghai" and cfg.reminder_ladders_wd == {}
    # the inputs carry the same bounds
    assert re.search(r'name="reply_wd" id="f-reply_wd" value="20" min="1" max="20"', page)
    assert re.search(r'name="seal_text" id="f-seal_text" value="[^"]*" maxlength="40"', page)


def test_stored_settings_the_checks_would_refuse_still_show_and_the_others_save(web: Web) -> None:
    """A value stored before the checks (or by hand) does not break the page, and saving the page is not refused
    for it while it stays as it is."""
    with write_session(web.db.engine) as s:
        agency = s.get(Agency, web.staff.agency_id)
        assert agency is not None
        agency.settings = {**(agency.settings or {}), "tracking_format": "{seq:099999999d}", "reply_wd": 25}
        s.add(agency)
        s.commit()
    admin = web.login("admin")
    page = admin.get("/admin/agency")
    assert page.status_code == 200 and "自定义样式" in page.text and len(page.text) < 1_000_000
    data: dict[str, object] = dict(re.findall(r'name="([a-z_]+)" id="f-[a-z_]+" value="([^"]*)"', page.text))
    data.update({"csrf_token": csrf_of(page.text), "short_name": "县自然资源局"})
    r = admin.post("/admin/agency", data=data)
    assert r.status_code == 303, _visible(r.text)[:2000]
    with read_session(web.db.engine) as s:
        cfg = agency_config(s.get(Agency, web.staff.agency_id))  # type: ignore[arg-type]
    assert cfg.short_name == "县自然资源局" and cfg.reply_wd == 25
