"""The edge's other limits (issue 15): a body past the size limit is refused before it is read (by its
Content-Length, against a real uvicorn) or as soon as it passes the limit (a chunked body); pages carry a
Content-Security-Policy; the public status API takes the query code in the body (the GET form still answers)."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

from fastapi.testclient import TestClient

from tests.helpers import registration
from tests.web.conftest import Live, Web, token

MB = 1024 * 1024


def test_a_huge_anonymous_upload_is_refused_before_its_body_is_sent(live: Live) -> None:
    """300 MB announced to the portal's application form: 413 at once, without waiting for a byte of it."""
    host, port = urlsplit(live.url).hostname, urlsplit(live.url).port
    head = ("POST /gongkai/default/shenqing HTTP/1.1\r\nHost: x\r\nAccept: text/html\r\n"
            "Content-Type: multipart/form-data; boundary=b\r\n"
            f"Content-Length: {300 * MB}\r\nConnection: close\r\n\r\n")
    with socket.create_connection((host, port), timeout=10) as sock:
        started = time.monotonic()
        sock.sendall(head.encode() + b"--b\r\n" + b"x" * 1024)  # 1 KB of the 300 MB, then nothing
        answer = sock.recv(4096).decode("utf-8", "replace")
        elapsed = time.monotonic() - started
    assert answer.startswith("HTTP/1.1 413"), answer[:200]
    assert "提交的内容过大" in answer and elapsed < 5


def test_a_chunked_body_is_stopped_at_the_limit(web: Web) -> None:
    web.app.state.settings = web.db.settings.model_copy(update={"max_request_bytes": 1 * MB})
    api = TestClient(web.app)
    front = token(api, "default-front")
    case = api.post("/api/disclosures", json=registration(), headers=front).json()["id"]
    sent = [0]

    def body() -> Iterator[bytes]:  # no Content-Length: the edge counts what streams in
        yield b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\r\n%PDF-1.4\n"
        for _ in range(3):
            sent[0] += 1
            yield b"x" * MB
        yield b"\r\n--b--\r\n"

    r = api.post(f"/api/disclosures/{case}/files", content=body(),
                 headers={**front, "content-type": "multipart/form-data; boundary=b"})
    assert r.status_code == 413 and "提交的内容过大（超过 1 MB）" in r.text, r.text
    small = api.post(f"/api/disclosures/{case}/files", files={"file": ("a.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")},
                     headers=front)
    assert small.status_code == 201, small.text


def test_pages_carry_a_content_security_policy(web: Web) -> None:
    for path in ("/login", "/chaxun", "/gongkai/default/shenqing"):
        csp = web.client().get(path).headers["content-security-policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-eval" not in csp, path
    csp = web.login("officer").get("/cases").headers["content-security-policy"]
    assert "object-src 'none'" in csp


def test_public_status_takes_the_code_in_the_body(client, staff) -> None:
    front = token(client, "default-front")
    reg = client.post("/api/disclosures", json=registration(), headers=front).json()
    body = {"tracking_no": reg["tracking_no"], "query_code": reg["query_code"]}
    r = client.post("/api/public/status", json=body)
    assert r.status_code == 200 and r.json()["state"] == "registered"
    assert client.get("/api/public/status", params=body).json() == r.json()  # the deprecated form still answers
    wrong = client.post("/api/public/status", json={**body, "query_code": "AAAAAAAAAA"})
    assert wrong.status_code == 404
    assert client.post("/api/public/status", json={**body, "extra": 1}).status_code == 422
    ops = client.get("/openapi.json", headers=front).json()["paths"]["/api/public/status"]
    assert ops["get"]["deprecated"] is True and "deprecated" not in ops["post"]
