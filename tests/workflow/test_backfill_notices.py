"""Issue 14 item 3: the applicant's (and the 12345 caller's) documents of a back-filled step carry the step's own date,
are rendered and stored for printing by the outbox, and are not e-mailed — unless the clerk asks (``email_notices``),
when they are e-mailed as on the day. Delivered through the real outbox sweep to a real SMTP server (aiosmtpd)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import col, select

from db.engine import read_session
from db.models import Outbox, StoredFile
from notifications.files import read_file
from notifications.render import render
from tests.helpers import Staff, make_staff, registration
from tests.hotline_helpers import local, new_order
from tests.workflow.sweep_helpers import run
from workflow.disclosure import actions as dwf
from workflow.disclosure.payloads import RegisterIn
from workflow.hotline import actions as hwf

REASON = "上线前纸质办理，据台账补录"
NOW = local(2026, 3, 2, 10)  # when the paper steps are entered


def _paper_application(engine: Any, staff: Staff, email: str, *, send: bool) -> int:
    """An application received on 24 February 2025, answered on 18 March 2025, entered now in 补录 mode."""
    data = registration(received_at="2025-02-24T09:30:00+08:00", backfill_reason=REASON, email=email,
                        email_notices=send)
    cid = dwf.register(engine, RegisterIn.model_validate(data), staff.front, NOW).id
    when: dict[str, Any] = {"backfill_reason": REASON, "email_notices": send}
    dwf.act(engine, cid, "assign", {"assignee_id": staff.officer.id}, staff.front, NOW,
            effective_at=local(2025, 2, 25, 10), **when)
    dwf.act(engine, cid, "reply", {"category": "disclose", "reason": "provided"}, staff.officer, NOW,
            effective_at=local(2025, 3, 18, 15), **when)
    return cid


def _rows(engine: Any, kind: str, case_id: int) -> dict[str, Outbox]:
    with read_session(engine) as s:
        return {o.notice_type: o for o in s.exec(select(Outbox).where(Outbox.case_kind == kind,
                                                                      Outbox.case_id == case_id))}


def _stored(engine: Any, settings: Any, kind: str, case_id: int) -> dict[str, list[tuple[str, int]]]:
    """notice type → (file name, size) of the documents stored for the case (each readable from disk)."""
    out: dict[str, list[tuple[str, int]]] = {}
    with read_session(engine) as s:
        for f in s.exec(select(StoredFile).where(StoredFile.case_kind == kind, StoredFile.case_id == case_id)
                        .order_by(col(StoredFile.id))):
            assert len(read_file(f, settings.files_path)) == f.size > 0
            out.setdefault(str(f.notice_type), []).append((f.filename, f.size))
    return out


def _to(messages: list[Any], addr: str) -> list[str]:
    return [str(m["Subject"]) for m in messages if str(m["To"].addresses[0].addr_spec) == addr]


@pytest.mark.smtp
def test_backfilled_documents_are_dated_then_printed_and_not_emailed_unless_asked(db, smtp_sink) -> None:
    sink, port = smtp_sink
    settings = db.settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port,
                                              "mail_from": "xxgk@example.gov.cn"})
    staff = make_staff(db.engine, NOW)
    paper = _paper_application(db.engine, staff, "paper@example.com", send=False)
    asked = _paper_application(db.engine, staff, "asked@example.com", send=True)
    # a 12345 order signed for and answered on paper last week, entered now
    oid = new_order(db.engine, staff.front, NOW, received_at="2026-02-23 09:00:00")
    hwf.act(db.engine, oid, "sign_for", {}, staff.front, NOW, effective_at=local(2026, 2, 23, 10),
            backfill_reason=REASON)
    hwf.act(db.engine, oid, "assign", {"assignee_id": staff.officer.id}, staff.front, NOW,
            effective_at=local(2026, 2, 23, 10, 30), backfill_reason=REASON)
    hwf.act(db.engine, oid, "reply", {"result_text": "已协调施工方停止夜间作业"}, staff.officer, NOW,
            effective_at=local(2026, 2, 25, 16), backfill_reason=REASON)

    # written with the step's own date; the applicant's as a printed document unless the clerk asked for e-mail
    for cid, channel in ((paper, "print"), (asked, "email")):
        rows = _rows(db.engine, "disclosure", cid)
        assert rows["disclosure.receipt"].context["issued_date"] == "2025-02-24"
        assert rows["disclosure.reply"].context["issued_date"] == "2025-03-18"
        assert {rows[t].channel for t in ("disclosure.receipt", "disclosure.reply")} == {channel}
    order = _rows(db.engine, "workorder", oid)
    assert {t: (o.channel, o.context["issued_date"]) for t, o in order.items() if t.startswith("workorder.")} == {
        "workorder.reply_sheet": ("print", "2026-02-25"), "workorder.caller_text": ("print", "2026-02-25")}
    assert "2025年3月18日" in render("disclosure.reply", _rows(db.engine, "disclosure", paper)["disclosure.reply"]
                                   .context, "txt", settings=settings).content.decode("utf-8")

    report = run(db.engine, "outbox", NOW, settings=settings)
    assert report.error is None
    # nothing reaches the applicant who had the letters on paper; the one whose clerk asked gets both
    assert _to(sink.messages, "paper@example.com") == []
    assert len(_to(sink.messages, "asked@example.com")) == 2
    # … and every document is still produced: rendered and stored with the case, ready to print
    for kind, case_id, types in (("disclosure", paper, ("disclosure.receipt", "disclosure.reply")),
                                 ("workorder", oid, ("workorder.reply_sheet", "workorder.caller_text"))):
        stored = _stored(db.engine, settings, kind, case_id)
        assert all(stored.get(t) for t in types), stored
        assert {o.status for t, o in _rows(db.engine, kind, case_id).items() if t in types} == {"sent"}
    assert any(name.endswith(".pdf") for name, _ in _stored(db.engine, settings, "disclosure", paper)["disclosure.reply"])
