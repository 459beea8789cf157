"""Every upload path takes one file per field and a name that is text, as the case upload of the API does
(tests/web/test_api_files.py): the case pages, the portal's application and correction forms, the 12345 import (API
and page) and the holiday notice. A name with a control character, or not UTF-8, is refused like an empty one; a
second part under a one-file field is refused, not dropped."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from db.models import Disclosure, StoredFile, WorkOrder
from tests.web.conftest import Web, count, csrf_of, register_case, token
from tests.web.portal_helpers import application, challenge_of
from tests.web.test_portal_follow import LOOKUP, submitted

PDF = b"%PDF-1.4\n% names test\n"
BOUNDARY = "banli-names-boundary"
BAD_NAMES = (b"a\x07b.pdf", b"\xff\xfe.pdf")  # a bell; bytes that are not UTF-8 (Starlette read them as "\xff\xfe")
File = tuple[str, bytes, bytes]  # (field, raw filename bytes, content)


def multipart(fields: dict[str, str], files: list[File]) -> tuple[bytes, dict[str, str]]:
    """A form as a client may write it, file names as raw bytes."""
    b = BOUNDARY.encode()
    out = b"".join(b"--" + b + f'\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n'.encode() + v.encode() + b"\r\n"
                   for k, v in fields.items())
    out += b"".join(b"--" + b + f'\r\nContent-Disposition: form-data; name="{name}"; filename="'.encode() + fname
                    + b'"\r\nContent-Type: application/octet-stream\r\n\r\n' + data + b"\r\n" for name, fname, data in files)
    return out + b"--" + b + b"--\r\n", {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}


def post(c: TestClient, url: str, fields: dict[str, str], files: list[File],
         headers: dict[str, str] | None = None) -> Any:
    content, h = multipart(fields, files)
    return c.post(url, content=content, headers={**h, **(headers or {})})


def test_the_case_page_takes_one_file_with_a_name_that_is_text(web: Web) -> None:
    case = register_case(web)
    url = f"/cases/disclosure/{case.id}"
    officer = web.login("officer")
    fields = {"category": "correction", "csrf_token": csrf_of(officer.get(url).text)}
    r = post(officer, url + "/files", fields, [("file", "一.pdf".encode(), PDF), ("file", "二.pdf".encode(), PDF)])
    assert r.status_code == 422 and 'id="err-upload-file">一次只能上传一个文件' in r.text
    for name in BAD_NAMES:
        r = post(officer, url + "/files", fields, [("file", name, PDF)])
        assert r.status_code == 422 and 'id="err-upload-file">文件名无效' in r.text, name
    assert count(web, StoredFile) == 0
    r = post(officer, url + "/files", fields, [("file", "补正 材料.pdf".encode(), PDF)])
    assert r.status_code == 303 and "补正 材料.pdf" in officer.get(url).text


def test_the_portal_forms_refuse_a_name_that_is_not_text(web: Web) -> None:
    c = web.client()
    for name in BAD_NAMES:
        html = c.get("/gongkai/default/shenqing").text
        challenge, answer = challenge_of(html)
        form = {**application(), "csrf_token": csrf_of(html), "challenge_token": challenge,
                "challenge_answer": answer}
        r = post(c, "/gongkai/default/shenqing", {k: str(v) for k, v in form.items()}, [("attachments", name, PDF)])
        assert r.status_code == 422 and "文件名无效" in r.text, name
    assert count(web, Disclosure) == 0
    sub = submitted(web)
    before = count(web, StoredFile)
    for name in BAD_NAMES:  # a supplement to the submission (the correction form)
        fields = {"tracking_no": sub.submission_no, "query_code": sub.query_code, "note": "补充",
                  "csrf_token": csrf_of(c.get(LOOKUP).text)}
        r = post(c, "/gongkai/default/chaxun/buzheng", fields, [("attachments", name, PDF)])
        assert r.status_code == 422 and "文件名无效" in r.text, name
    assert count(web, StoredFile) == before


def test_the_12345_import_takes_one_file_and_one_mapping_with_names_that_are_text(web: Web) -> None:
    line = ('{"工单编号": "IM-1", "来电时间": "2026-03-02 09:15", "诉求类型": "投诉", "诉求内容": "噪音"}\n').encode()
    with TestClient(web.app) as api:
        h = token(api, "default-front")
        r = post(api, "/api/workorders/import", {}, [("file", b"a.jsonl", line), ("file", b"b.jsonl", line)], h)
        assert r.status_code == 422, r.text
        assert [(f["field"], f["code"]) for f in r.json()["error"]["fields"]] == [("file", "too_many_files")]
        r = post(api, "/api/workorders/import", {}, [("file", b"a\x07.jsonl", line)], h)
        assert [(f["field"], f["code"]) for f in r.json()["error"]["fields"]] == [("file", "bad_filename")]
        r = post(api, "/api/workorders/import", {}, [("file", b"a.jsonl", line), ("mapping", b"\xff.yaml", b"x: 1")], h)
        assert [(f["field"], f["code"]) for f in r.json()["error"]["fields"]] == [("mapping", "bad_filename")]
    front = web.login("front")
    fields = {"csrf_token": csrf_of(front.get("/workorders/import").text)}
    r = post(front, "/workorders/import", fields, [("file", b"a.jsonl", line), ("file", b"b.jsonl", line)])
    assert r.status_code == 422 and "一次只能上传一个文件" in r.text
    r = post(front, "/workorders/import", fields, [("file", b"\xff\xfe.jsonl", line)])
    assert r.status_code == 422 and "文件名无效" in r.text
    assert count(web, WorkOrder) == 0
    r = post(front, "/workorders/import", fields, [("file", "工单 导出.jsonl".encode(), line)])
    assert r.status_code in (200, 303), r.text
    assert count(web, WorkOrder) == 1


def test_a_holiday_notice_file_needs_a_name_that_is_text(web: Web) -> None:
    admin = web.login("admin")
    notice = ("year: 2026\ndocument: 某县人民政府关于火把节放假的通知\nscope: default\nholidays:\n"
              "  - {name: 火把节, start: 2026-03-20, end: 2026-03-20}\n").encode()
    fields = {"csrf_token": csrf_of(admin.get("/admin/calendar").text)}
    for name in BAD_NAMES:
        r = post(admin, "/admin/calendar/preview", fields, [("file", name, notice)])
        assert r.status_code == 422 and "文件名无效" in r.text, name
    r = post(admin, "/admin/calendar/import", {**fields, "text": notice.decode(), "filename": "a\x07.yaml"}, [])
    assert r.status_code == 422 and "文件名无效" in r.text
    r = post(admin, "/admin/calendar/preview", fields, [("file", "火把节 通知.yaml".encode(), notice)])
    assert r.status_code == 200 and "火把节" in r.text
