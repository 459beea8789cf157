"""Trusted proxies (BANLI_FORWARDED_ALLOW_IPS): X-Forwarded-For/-Proto are honoured only from a trusted peer.

The live tests run the app under real uvicorn with the options ``banli serve`` passes it
(``cli.serve.uvicorn_proxy_options``); the peer is 127.0.0.1. The address the app saw is read back from
the audit row of a failed login (``web.deps.client_ip``); the scheme from the Secure flag of the cookie.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
import uvicorn
from sqlmodel import col, select

from cli.serve import uvicorn_proxy_options
from db.engine import read_session
from db.models import Event
from tests.web.conftest import Web, _free_port
from web.app import create_app
from web.proxy import TrustedProxies

SPOOF = "198.51.100.66"  # what a client writes into its own X-Forwarded-For
REAL = "203.0.113.9"  # what the proxy appends: the address it saw


@pytest.mark.parametrize(("spec", "peer", "xff", "expected"), [
    ("", "127.0.0.1", [f"{SPOOF}, {REAL}"], "127.0.0.1"),  # no proxy configured: the header is ignored
    ("10.0.0.1", "127.0.0.1", [REAL], "127.0.0.1"),  # untrusted peer
    ("127.0.0.1", "127.0.0.1", [f"{SPOOF}, {REAL}"], REAL),  # right-most untrusted hop, not the spoof
    ("127.0.0.1,10.0.0.0/8", "127.0.0.1", [SPOOF, f"{REAL}, 10.1.2.3"], REAL),  # two proxies, two headers
    ("10.0.0.0/8", "10.9.9.9", [f"{REAL}:5555"], REAL),  # host:port form
    ("::1", "::1", ["[2001:db8::7]:443"], "2001:db8::7"),
    ("127.0.0.1", "127.0.0.1", ["127.0.0.1"], "127.0.0.1"),  # every hop a proxy: the left-most
    ("127.0.0.1", "127.0.0.1", [], "127.0.0.1"),
    ("*", "192.0.2.1", [f"{SPOOF}, {REAL}"], SPOOF),  # trust everything: the left-most (documented as unsafe)
])
def test_client_address_rule(spec: str, peer: str, xff: list[str], expected: str) -> None:
    assert TrustedProxies(spec).client(peer, xff) == expected


def test_rule_is_idempotent_after_uvicorn() -> None:
    """uvicorn rewrites the peer first; applying the rule again to its answer changes nothing."""
    proxies = TrustedProxies("127.0.0.1,10.0.0.0/8")
    first = proxies.client("127.0.0.1", [f"{SPOOF}, {REAL}, 10.1.1.1"])
    assert first == REAL
    assert proxies.client(first, [f"{SPOOF}, {REAL}, 10.1.1.1"]) == REAL


@contextmanager
def _serve(web: Web, allow: str) -> Iterator[str]:
    settings = web.db.settings.model_copy(update={"forwarded_allow_ips": allow})
    app = create_app(settings, web.db.engine, web.clock, run_scheduler=False)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="off", **uvicorn_proxy_options(settings)))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=5)


def _seen_address(web: Web, url: str, headers: dict[str, str]) -> str:
    """Fail one login with these headers and read the address the audit trail recorded for it."""
    r = httpx.post(f"{url}/api/token", data={"username": web.username("officer"), "password": "wrong"},
                   headers=headers, timeout=60)  # a loaded CI machine (httpx's default is 5 s)
    assert r.status_code == 401
    with read_session(web.db.engine) as s:
        ev = s.exec(select(Event).where(Event.action == "login_failed").order_by(col(Event.id).desc())).first()
    assert ev is not None
    return str(ev.payload["ip"])


def _login_cookie_secure(url: str, headers: dict[str, str]) -> bool:
    r = httpx.get(f"{url}/login", headers={"accept": "text/html", **headers}, timeout=60)
    cookies = r.headers.get_list("set-cookie")
    assert cookies, "the login page sets its CSRF cookie"
    return all("secure" in c.lower() for c in cookies)


def test_forwarded_headers_honoured_from_trusted_peer(web: Web) -> None:
    headers = {"X-Forwarded-For": f"{SPOOF}, {REAL}", "X-Forwarded-Proto": "https"}
    with _serve(web, "127.0.0.1") as url:
        assert _seen_address(web, url, headers) == REAL
        assert _seen_address(web, url, {}) == "127.0.0.1"
        assert _login_cookie_secure(url, headers)


@pytest.mark.parametrize("allow", ["", "10.0.0.1"])
def test_forwarded_headers_ignored_from_untrusted_peer(web: Web, allow: str) -> None:
    headers = {"X-Forwarded-For": f"{SPOOF}, {REAL}", "X-Forwarded-Proto": "https"}
    with _serve(web, allow) as url:
        assert _seen_address(web, url, headers) == "127.0.0.1"
        assert not _login_cookie_secure(url, headers)
