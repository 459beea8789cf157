"""Attachments: content-type by magic bytes, size limits, roles, and the applicant's downloads."""

from __future__ import annotations

from sqlmodel import select

from db.engine import read_session
from db.models import Event, StoredFile
from tests.helpers import registration
from tests.web.conftest import token

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _case(client, staff) -> tuple[dict, dict]:
    front = token(client, "default-front")
    body = client.post("/api/disclosures", json=registration(assignee_id=staff.officer.id), headers=front).json()
    return body, front


def test_upload_checks_content_not_name(client, staff, db) -> None:
    body, _front = _case(client, staff)
    officer = token(client, "default-officer")
    url = f"/api/disclosures/{body['id']}/files"
    ok = client.post(url, files={"file": ("补正材料.pdf", PDF, "application/pdf")}, data={"category": "correction"},
                     headers=officer)
    assert ok.status_code == 201, ok.text
    fake = client.post(url, files={"file": ("看起来是.pdf", b"<html><script>alert(1)</script></html>", "application/pdf")},
                       headers=officer)
    assert fake.status_code == 422 and fake.json()["error"]["fields"][0]["code"] == "file_type_not_allowed"
    big = client.post(url, files={"file": ("big.png", PNG + b"\x00" * (10 * 1024 * 1024), "image/png")},
                      headers=officer)
    assert big.status_code == 422 and big.json()["error"]["fields"][0]["code"] == "file_too_large"
    empty = client.post(url, files={"file": ("e.pdf", b"", "application/pdf")}, headers=officer)
    assert empty.status_code == 422
    bad_cat = client.post(url, files={"file": ("a.pdf", PDF, "application/pdf")}, data={"category": "x"},
                          headers=officer)
    assert bad_cat.status_code == 422
    other = token(client, "default-officer2")
    assert client.post(url, files={"file": ("a.pdf", PDF, "application/pdf")}, headers=other).status_code == 403
    with read_session(db.engine) as s:
        files = s.exec(select(StoredFile).where(StoredFile.case_id == body["id"])).all()
        events = s.exec(select(Event).where(Event.case_id == body["id"], Event.action == "attach")).all()
    assert len(files) == 1 and len(events) == 1 and events[0].payload["sha256"] == files[0].sha256
    dl = client.get(f"/api/disclosures/{body['id']}/files/{ok.json()['id']}", headers=officer)
    assert dl.status_code == 200 and dl.content == PDF
    assert dl.headers["x-content-type-options"] == "nosniff"
    assert "attachment" in dl.headers["content-disposition"]


def test_applicant_downloads_only_their_reply_information(client, staff) -> None:
    mine, _front = _case(client, staff)
    theirs, _ = _case(client, staff)
    officer = token(client, "default-officer")
    internal = client.post(f"/api/disclosures/{mine['id']}/files", files={"file": ("scan.png", PNG, "image/png")},
                           data={"category": "application"}, headers=officer).json()
    provided = client.post(f"/api/disclosures/{mine['id']}/files", files={"file": ("招标文件.pdf", PDF, "application/pdf")},
                           data={"category": "reply_info"}, headers=officer).json()
    q = {"tracking_no": mine["tracking_no"], "query_code": mine["query_code"]}
    view = client.get("/api/public/status", params=q).json()
    assert [d["id"] for d in view["documents"]] == [provided["id"]]
    assert client.get(f"/api/public/files/{provided['id']}", params=q).content == PDF
    assert client.get(f"/api/public/files/{internal['id']}", params=q).status_code == 404
    other = {"tracking_no": theirs["tracking_no"], "query_code": theirs["query_code"]}
    assert client.get(f"/api/public/files/{provided['id']}", params=other).status_code == 404
    assert client.get(f"/api/public/files/{provided['id']}",
                      params={"tracking_no": mine["tracking_no"], "query_code": theirs["query_code"]}).status_code == 404


def _multipart(*parts: tuple[bytes, bytes, bytes]) -> tuple[bytes, dict[str, str]]:
    """A multipart body as a client may write it: (field name, raw filename bytes, content) per part."""
    boundary = b"banli-test-boundary"
    body = b"".join(b"--" + boundary + b'\r\nContent-Disposition: form-data; name="' + name + b'"; filename="' + fname
                    + b'"\r\nContent-Type: application/pdf\r\n\r\n' + data + b"\r\n" for name, fname, data in parts)
    return body + b"--" + boundary + b"--\r\n", {"Content-Type": f"multipart/form-data; boundary={boundary.decode()}"}


def test_one_file_a_request_and_names_that_are_text(client, staff, db) -> None:
    """Two ``file`` parts are refused (only the last was stored, silently); a name with a control character, or not
    UTF-8 (Starlette read ``\\xff\\xfe.pdf`` as ``ÿþ.pdf``), is refused like an empty one; a name in UTF-8 is kept."""
    body, _front = _case(client, staff)
    officer = token(client, "default-officer")
    url = f"/api/disclosures/{body['id']}/files"

    def post(*parts: tuple[bytes, bytes, bytes]):  # type: ignore[no-untyped-def]
        content, headers = _multipart(*parts)
        return client.post(url, content=content, headers={**officer, **headers})

    r = post((b"file", "一.pdf".encode(), PDF), (b"file", "二.pdf".encode(), PDF + b"2"))
    assert r.status_code == 422, r.text
    assert [(f["field"], f["code"], f["message"]) for f in r.json()["error"]["fields"]] == [
        ("file", "too_many_files", "一次只能上传一个文件")]
    for fname in (b"a\x07b.pdf", b"\xff\xfe.pdf", b"a\x1bb.pdf", "a\u202eb.pdf".encode(), b"  "):
        r = post((b"file", fname, PDF))
        assert r.status_code == 422, (fname, r.text)
        assert [(f["field"], f["code"]) for f in r.json()["error"]["fields"]] == [("file", "bad_filename")], fname
    with read_session(db.engine) as s:
        assert s.exec(select(StoredFile).where(StoredFile.case_id == body["id"])).all() == []
    r = post((b"file", "café 材料ÿ.pdf".encode(), PDF))
    assert r.status_code == 201, r.text
    with read_session(db.engine) as s:
        assert [f.filename for f in s.exec(select(StoredFile).where(StoredFile.case_id == body["id"]))] == [
            "café 材料ÿ.pdf"]
