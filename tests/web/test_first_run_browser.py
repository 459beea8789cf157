"""Issue 16, must show: the first run in headless Chromium. A fresh database (``banli migrate`` prints the
administrator's password) → the administrator logs in with it → is made to change it → lands on the setup page.
An application registered before the setup keeps its receipt date; its documents wait (marked on the case page)
and go out after the setup with the entered agency name, seal text and remedy organ — no placeholder anywhere in a
document that leaves the system. Screenshots in test-artifacts/screenshots/first-run-*.png."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from playwright.sync_api import Page, expect
from sqlmodel import col, select

from db.engine import make_engine, read_session
from db.models import Disclosure, Outbox, StoredFile, User
from notifications.files import file_path
from notifications.outbox import deliver_due
from settings import Settings
from tests.ops.cli_helpers import free_port, run_cli
from web.app import create_app
from workflow.accounts.principal import Principal
from workflow.accounts.roles import roles_of
from workflow.cases.attachments import attach_to_disclosure
from workflow.disclosure import actions as wf
from workflow.timesource import FixedTime, local_dt

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PLACEHOLDERS = ("某县某局", "某县人民政府", "有管辖权的人民法院", "未设置", "{year}", "{seq")
NAME, SEAL, ORGAN, COURT = "青山县自然资源局", "青山县自然资源局政务公开专用章", "青山县人民政府", "青山县人民法院"


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"first-run-{name}.png"), full_page=True)


class Fresh:
    def __init__(self, settings: Settings, password: str) -> None:
        self.settings = settings
        self.password = password
        self.engine = make_engine(settings.database_url)
        self.clock = FixedTime(local_dt(2026, 3, 2, 9, 0))
        self.app = create_app(settings, self.engine, self.clock, run_scheduler=False)
        self.url = ""

    def deliver(self) -> Any:
        out: dict[str, Any] = {}
        t = threading.Thread(target=lambda: out.update(stats=deliver_due(
            self.engine, self.clock.now(), instance="first-run", settings=self.settings)))
        t.start()
        t.join()
        return out["stats"]


@pytest.fixture
def fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Iterator[Fresh]:
    settings = Settings(database_url=f"sqlite:///{tmp_path}/fresh.db", var_dir=tmp_path / "var",
                        secret_key="first-run-secret-0123456789", scheduler="off", check_templates_on_start=False)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    code, out, err = run_cli(monkeypatch, capsys, settings, "migrate")
    assert code == 0, err
    m = re.search(r"密码：\s*(\S+)", out)
    assert m and "用户名：admin" in out, out
    f = Fresh(settings, m.group(1))
    server = uvicorn.Server(uvicorn.Config(f.app, host="127.0.0.1", port=(port := free_port()), log_level="warning",
                                           lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    f.url = f"http://127.0.0.1:{port}"
    try:
        yield f
    finally:
        server.should_exit = True
        thread.join(timeout=5)
        f.engine.dispose()


def _login(page: Page, url: str, password: str) -> None:
    page.goto(url + "/login")
    page.fill("#f-username", "admin")
    page.fill("#f-password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def _texts(f: Fresh, case_id: int) -> dict[str, str]:
    with read_session(f.engine) as s:
        files = s.exec(select(StoredFile).where(StoredFile.case_id == case_id, StoredFile.category == "notice",
                                                col(StoredFile.filename).endswith(".pdf"))).all()
    return {x.filename: subprocess.run(["pdftotext", str(file_path(x.sha256, f.settings.files_path)), "-"],
                                       capture_output=True, text=True, check=True).stdout for x in files}


def test_first_run(fresh: Fresh, new_context: Any) -> None:
    page = new_context().new_page()
    # 1. the printed password works once: every page leads to the password form
    _login(page, fresh.url, fresh.password)
    assert page.url.endswith("/account/password?first=1")
    expect(page.locator("#first-password")).to_contain_text("初始密码")
    shot(page, "1-change-password")
    page.goto(fresh.url + "/frontdesk/register")
    assert page.url.endswith("/account/password?first=1")
    page.fill("#f-current_password", fresh.password)
    page.fill("#f-new_password", "qingshan-2026-gk")
    page.fill("#f-new_password2", "qingshan-2026-gk")
    page.click("#password-form button[type=submit]")
    page.wait_for_load_state()
    assert "/login" in page.url

    # 2. logged in with the new password: the setup page; every page says what is missing
    _login(page, fresh.url, "qingshan-2026-gk")
    assert page.url.endswith("/setup")
    expect(page.locator("#setup-missing")).to_contain_text("行政复议机关")
    expect(page.locator("#setup-banner")).to_be_visible()
    shot(page, "2-setup-page")

    # 3. before the setup, the desk registers an application (the receipt date is the applicant's right)
    page.goto(fresh.url + "/frontdesk/register")
    page.fill("#f-applicant_name", "李四")
    page.select_option("#f-id_type", "resident_id")
    page.fill("#f-id_number", "11010519491231002X")
    page.fill("#f-phone", "13912345678")
    page.fill("#f-email", "lisi@example.com")
    page.fill("#f-address", "青山县人民路8号")
    page.fill("#f-description", "2025年本县耕地占补平衡项目的验收文件")
    page.select_option("#f-form_wanted", "electronic")
    page.select_option("#f-obtain_way", "email")
    page.click("form[action='/frontdesk/register'] button[type=submit]")
    expect(page.locator("#receipt")).to_be_visible()
    with read_session(fresh.engine) as s:
        case = s.exec(select(Disclosure)).one()
        admin = s.exec(select(User).where(User.username == "admin")).one()
        assert case.id is not None and admin.id is not None
        admin_roles = roles_of(s, admin.id, admin.agency_id)
    receipt_date = case.receipt_date
    assert receipt_date is not None and receipt_date.isoformat() == "2026-03-02"
    # the officer (here the administrator, who holds every role) answers before the setup too
    me = Principal(admin.id, admin.agency_id, admin_roles, admin.display_name)
    wf.act(fresh.engine, case.id, "assign", {"assignee_id": admin.id}, me, fresh.clock.now())
    attach_to_disclosure(fresh.engine, case.id, data=b"%PDF-1.4\n%%EOF\n", filename="验收文件.pdf", category="reply_info",
                         actor=me, now=fresh.clock.now(), settings=fresh.settings)  # the information, by e-mail
    wf.act(fresh.engine, case.id, "reply", {"category": "disclose", "reason": "provided"}, me, fresh.clock.now())
    fresh.deliver()
    with read_session(fresh.engine) as s:
        outside = s.exec(select(Outbox).where(Outbox.case_id == case.id, Outbox.channel != "internal")).all()
    assert outside and all(o.status == "held" for o in outside)
    assert _texts(fresh, case.id) == {}  # nothing rendered, nothing sent
    page.goto(fresh.url + f"/cases/disclosure/{case.id}")
    expect(page.locator("#documents-held")).to_contain_text("等待机关设置")
    expect(page.locator("#setup-banner")).to_contain_text("份在等待")
    shot(page, "3-case-waiting")

    # 4. two days later the administrator completes the setup
    fresh.clock.set(local_dt(2026, 3, 4, 10, 0))
    _login(page, fresh.url, "qingshan-2026-gk")  # the session of two days ago has timed out
    assert page.url.endswith("/setup")
    page.fill("#f-name", NAME)
    page.fill("#f-seal_text", SEAL)
    page.fill("#f-address", "青山县人民路1号")
    page.fill("#f-postal_code", "675000")
    page.fill("#f-phone", "0878-3120000")
    page.fill("#f-reconsideration_organ", ORGAN)
    page.fill("#f-litigation_court", COURT)
    page.fill("input[name=reply_doc_format_prefix]", "青自然公开复")
    page.select_option("select[name=reply_doc_format_width]", "3")
    expect(page.locator("#preview-reply_doc_format")).to_have_text(re.compile(r"^青自然公开复〔\d{4}〕001号$"))
    shot(page, "4-setup-filled")
    page.click("#setup-form button[type=submit]")
    page.wait_for_load_state()
    assert page.url.endswith("/admin/agency")
    expect(page.locator(".flash.ok")).to_contain_text("机关设置已完成")
    expect(page.locator("#setup-banner")).to_have_count(0)
    shot(page, "5-done")

    # 5. the documents go out now, with what was entered; the receipt date has not moved
    stats = fresh.deliver()
    assert stats.dead == 0 and stats.sent >= 2
    texts = _texts(fresh, case.id)
    assert any("回执" in n for n in texts) and any("答复" in n for n in texts), list(texts)
    for name, text in texts.items():
        flat = re.sub(r"\s+", "", text)
        assert NAME in flat, name
        for bad in PLACEHOLDERS:
            assert bad not in flat, (name, bad)
    receipt = re.sub(r"\s+", "", next(t for n, t in texts.items() if "回执" in n))
    reply = re.sub(r"\s+", "", next(t for n, t in texts.items() if "答复" in n))
    assert "2026年3月2日" in receipt
    for doc in (receipt, reply):  # the seal, drawn over the date, carries the entered text
        assert f"{SEAL}（印章）" in re.sub(r"\d{4}年\d{1,2}月\d{1,2}日", "", doc)
    assert f"向{ORGAN}申请行政复议" in reply and COURT in reply
    with read_session(fresh.engine) as s:
        assert s.get(Disclosure, case.id).receipt_date == receipt_date  # type: ignore[union-attr]
        emails = s.exec(select(Outbox).where(Outbox.case_id == case.id, Outbox.channel == "email")).all()
    assert emails and all(o.status == "sent" for o in emails)
    for eml in (fresh.settings.var_dir / "outbox").glob("*.eml"):
        body = eml.read_bytes().decode("utf-8", "replace")
        assert "某县某局" not in body
