"""补录 through the API (issue 14): steps that happened on paper recorded with their own date — validated as of
that date, recorded honestly (both times, the reason), refused clearly when they cannot be right."""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import event
from sqlmodel import col, select

from db.engine import read_session, write_session
from db.models import Agency, Clock, Disclosure, Event, Outbox
from tests.helpers import registration
from tests.web.conftest import token
from tests.workflow.sweep_helpers import run
from workflow.sweeps.lapses import lapse
from workflow.timesource import local_dt

REASON = "上线前纸质办理，据台账补录"


def _h(client: Any) -> dict[str, dict[str, str]]:
    return {w: token(client, f"default-{w}") for w in ("front", "officer", "leader")}


def _register_2025(client: Any, h: dict[str, dict[str, str]], received_at: str = "2025-02-24T09:30:00+08:00",
                   **over: Any) -> int:
    body = registration(received_at=received_at, backfill_reason=REASON, **over)
    r = client.post("/api/disclosures", json=body, headers=h["front"])
    assert r.status_code == 201, r.text
    assert r.json()["tracking_no"].startswith(f"依申〔{received_at[:4]}〕")
    return int(r.json()["id"])


def _act(client: Any, h: dict[str, str], cid: int, action: str, payload: dict[str, Any], at: str | None,
         reason: str | None = REASON, **extra: Any) -> Any:
    body: dict[str, Any] = {"payload": payload, **extra}
    if at is not None:
        body["effective_at"] = at
    if reason is not None:
        body["backfill_reason"] = reason
    return client.post(f"/api/disclosures/{cid}/actions/{action}", json=body, headers=h)


def _field_error(r: Any, field: str) -> str:
    assert r.status_code == 422, r.text
    fields = r.json()["error"]["fields"]
    hit = [f for f in fields if f["field"] == field]
    assert hit, fields
    return str(hit[0]["message"])


def test_a_paper_case_of_last_year_is_recorded_with_its_dates(client, staff, db) -> None:
    h = _h(client)
    # Over a year old: refused without a reason (the ordinary limit stays), accepted with one.
    old = registration(received_at="2025-02-24T09:30:00+08:00")
    assert "补录" in _field_error(client.post("/api/disclosures", json=old, headers=h["front"]), "received_at")
    cid = _register_2025(client, h)
    r = _act(client, h["front"], cid, "assign", {"assignee_id": staff.officer.id}, "2025-02-25T10:00:00+08:00")
    assert r.status_code == 200, r.text
    r = _act(client, h["officer"], cid, "reply", {"category": "disclose", "reason": "provided"},
             "2025-03-18T15:00:00+08:00")
    assert r.status_code == 200, r.text
    d = client.get(f"/api/disclosures/{cid}", headers=h["officer"]).json()
    assert d["state"] == "replied" and d["concluded_date"] == "2025-03-18"
    reply_clock = next(c for c in d["clocks"] if c["kind"] == "reply")
    assert reply_clock["status"] == "met"
    with read_session(db.engine) as s:
        events = s.exec(select(Event).where(Event.case_id == cid).order_by(col(Event.id))).all()
        row = s.get(Disclosure, cid)
        notices = s.exec(select(Outbox).where(Outbox.case_id == cid)).all()
    assert row is not None and row.registered_at is not None
    assert [e.action for e in events] == ["register", "assign", "reply"]
    # The event is dated when the step happened and keeps when (and why) it was recorded.
    assert events[2].created_at.date() == date(2025, 3, 18)
    assert events[2].payload["backfill"]["reason"] == REASON
    assert events[2].payload["backfill"]["recorded_at"].startswith("2026-03-02")
    # Its documents carry the historical date and are printed, not emailed (the applicant had them on paper).
    assert notices and all(n.channel != "email" for n in notices)
    reply = next(n for n in notices if n.notice_type == "disclosure.reply")
    assert reply.context["issued_date"] == "2025-03-18"


def test_a_backfilled_steps_notices_are_written_held_from_the_start(client, staff, db) -> None:
    """Issue 14 item 3: a back-filled step's notices carry its date and are not e-mailed unless the clerk asks —
    the applicant's are printed and stored, a notice to staff (分派通知 to the officer) is kept back. They are
    written so (no outbox row is rewritten afterwards); a step of today, or one the clerk asks to send, goes out."""
    h = _h(client)
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    cid = _register_2025(client, h)
    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        assert _act(client, h["front"], cid, "assign", {"assignee_id": staff.officer.id},
                    "2025-02-25T10:00:00+08:00").status_code == 200
        assert _act(client, h["officer"], cid, "reply", {"category": "disclose", "reason": "provided"},
                    "2025-03-18T15:00:00+08:00").status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert not [q for q in statements if q.lstrip().upper().startswith("UPDATE OUTBOX")]
    with read_session(db.engine) as s:
        notices = {n.notice_type: n for n in s.exec(select(Outbox).where(Outbox.case_id == cid))}
    assigned, reply = notices["internal.assigned"], notices["disclosure.reply"]
    assert (assigned.channel, assigned.status) == ("internal", "held")
    assert assigned.created_at.astimezone(ZoneInfo("Asia/Shanghai")).date() == date(2025, 2, 25)
    assert (reply.channel, reply.recipient, reply.status) == ("print", "", "pending")  # printed and stored
    assert notices["disclosure.receipt"].channel == "print"

    # The clerk asks for the e-mails: the applicant's notice is e-mailed and the officer is told.
    other = _register_2025(client, h)
    assert _act(client, h["front"], other, "assign", {"assignee_id": staff.officer.id}, "2025-02-25T10:00:00+08:00",
                email_notices=True).status_code == 200
    assert _act(client, h["officer"], other, "reply", {"category": "disclose", "reason": "provided"},
                "2025-03-18T15:00:00+08:00", email_notices=True).status_code == 200
    # A step of today is no back-filled step: its notices go out as always.
    today = client.post("/api/disclosures", json=registration(), headers=h["front"]).json()["id"]
    assert _act(client, h["front"], today, "assign", {"assignee_id": staff.officer.id}, None,
                reason=None).status_code == 200
    with read_session(db.engine) as s:
        sent = {(n.case_id, n.notice_type): (n.channel, n.status)
                for n in s.exec(select(Outbox).where(col(Outbox.case_id).in_([other, today])))}
    assert sent[(other, "internal.assigned")] == ("internal", "pending")
    assert sent[(other, "disclosure.reply")] == ("email", "pending")
    assert sent[(today, "internal.assigned")] == ("internal", "pending")
    assert sent[(today, "disclosure.receipt")] == ("email", "pending")


def test_no_escalation_for_a_period_that_ended_before_it_was_recorded(client, staff, db, clock) -> None:
    """Issue 14 item 3: nobody is pressed now for a deadline that had passed when the case was back-filled — the
    clock and the case take the level reached then, silently; a level reached after the recording goes out."""
    h = _h(client)
    old = _register_2025(client, h)  # reply due 2025-03-24: 催办 and 督办 both passed long before the recording
    recent = _register_2025(client, h, received_at="2026-01-23T09:30:00+08:00")  # due 2026-02-27: 催办 passed
    for cid, day in ((old, "2025-02-25"), (recent, "2026-01-26")):
        assert _act(client, h["front"], cid, "assign", {"assignee_id": staff.officer.id},
                    f"{day}T10:00:00+08:00").status_code == 200

    def pressed(cid: int) -> tuple[list[str], list[str], tuple[int, bool]]:
        with read_session(db.engine) as s:
            events = [e.action for e in s.exec(select(Event).where(Event.case_id == cid).order_by(col(Event.id)))]
            notices = [n.status for n in s.exec(select(Outbox).where(Outbox.case_id == cid,
                                                                     Outbox.notice_type == "internal.overdue"))]
            reply = s.exec(select(Clock).where(Clock.case_id == cid, Clock.kind == "reply")).one()
        return ([a for a in events if a in ("urge", "supervise")], notices,
                (reply.overdue_level, reply.breached_at is not None))

    run(db.engine, "escalation", clock.now())
    assert pressed(old) == ([], [], (2, True))
    assert pressed(recent) == ([], [], (1, True))
    run(db.engine, "escalation", local_dt(2026, 3, 10, 10))  # the 6th working day after the due day: 督办
    assert pressed(old) == ([], [], (2, True))
    events, notices, level = pressed(recent)
    assert events == ["supervise"] and notices and all(n == "pending" for n in notices) and level == (2, True)


def test_backfilled_steps_are_refused_clearly(client, staff, db) -> None:
    h = _h(client)
    cid = _register_2025(client, h)
    # no reason
    r = _act(client, h["front"], cid, "assign", {"assignee_id": staff.officer.id}, "2025-02-25T10:00:00+08:00",
             reason=None)
    assert "补录原因" in _field_error(r, "backfill_reason")
    # before the case's previous step (registered 2025-02-24)
    r = _act(client, h["front"], cid, "assign", {"assignee_id": staff.officer.id}, "2025-02-20T10:00:00+08:00")
    assert "上一步" in _field_error(r, "effective_at")
    # in the future
    r = _act(client, h["front"], cid, "assign", {"assignee_id": staff.officer.id}, "2026-03-09T10:00:00+08:00")
    assert "晚于当前" in _field_error(r, "effective_at")
    assert _act(client, h["front"], cid, "assign", {"assignee_id": staff.officer.id},
                "2025-02-25T10:00:00+08:00").status_code == 200
    # a correction request beyond the 7-working-day window (条例第三十条), whatever day it is recorded
    r = _act(client, h["officer"], cid, "request_correction", {"items": ["请补充文号"], "period_days": 15},
             "2025-03-10T10:00:00+08:00")
    assert "7个工作日" in _field_error(r, "effective_at") or "补正" in _field_error(r, "effective_at")
    # a role the agency does not allow to back-fill
    with write_session(db.engine) as s:
        agency = s.get(Agency, staff.agency_id)
        assert agency is not None
        agency.settings = {**agency.settings, "backfill_roles": ["leader"]}
        s.add(agency)
        s.commit()
    r = _act(client, h["officer"], cid, "request_correction", {"items": ["请补充文号"], "period_days": 15},
             "2025-02-26T10:00:00+08:00")
    assert "角色" in _field_error(r, "effective_at")
    # within the grace (today) no reason and no back-filling role is needed — the law's window still applies
    r = _act(client, h["officer"], cid, "request_correction", {"items": ["请补充文号"], "period_days": 15},
             "2026-03-02T09:00:00+08:00", reason=None)
    assert "补正" in _field_error(r, "effective_at")


def _system_records(engine: Any, kind: str, case_id: int, agency_id: int, at: Any) -> None:
    """What the system writes on a case's timeline when it does something rather than when something happened to
    the case: the receipt made into a document, a file attached, a deadline recomputed — dated now."""
    with write_session(engine) as s:
        for action in ("document", "attach", "recompute"):
            s.add(Event(agency_id=agency_id, case_kind=kind, case_id=case_id, actor_id=None, actor_label="系统",
                        action=action, from_state=None, to_state=None, created_at=at, payload={}))
        s.commit()


def test_documents_made_and_files_attached_since_are_not_steps(client, staff, db, clock) -> None:
    """A case registered from paper has its receipt rendered seconds later (a 生成文书 event, dated now); the steps
    taken on paper after the receipt are still back-filled with their own dates, on both kinds."""
    h = _h(client)
    cid = _register_2025(client, h)
    _system_records(db.engine, "disclosure", cid, staff.agency_id, clock.now())
    r = _act(client, h["front"], cid, "assign", {"assignee_id": staff.officer.id}, "2025-02-25T10:00:00+08:00")
    assert r.status_code == 200, r.text
    # the steps themselves still bound the next one
    r = _act(client, h["officer"], cid, "request_correction", {"items": ["请补充文号"], "period_days": 15},
             "2025-02-25T09:00:00+08:00")
    assert "2025年2月25日" in _field_error(r, "effective_at")

    body = {"order_no": "GD-BF-2", "received_at": "2026-02-24 09:00", "caller_name": "王", "caller_phone":
            "13987654321", "category": "投诉", "content": "路灯不亮"}
    oid = client.post("/api/workorders", json=body, headers=h["front"]).json()["id"]
    _system_records(db.engine, "workorder", oid, staff.agency_id, clock.now())
    r = client.post(f"/api/workorders/{oid}/actions/sign_for", headers=h["front"], json={
        "payload": {}, "effective_at": "2026-02-24T10:00:00+08:00", "backfill_reason": REASON})
    assert r.status_code == 200, r.text


def test_a_lapse_found_late_is_dated_when_it_happened(client, staff, db, clock) -> None:
    """条例第三十条: correction not supplied in time → the application is deemed withdrawn on that day, however late
    the sweep (or a clerk) records it."""
    h = _h(client)
    cid = _register_2025(client, h)
    assert _act(client, h["front"], cid, "assign", {"assignee_id": staff.officer.id},
                "2025-02-25T10:00:00+08:00").status_code == 200
    r = _act(client, h["officer"], cid, "request_correction", {"items": ["请补充文号"], "period_days": 15},
             "2025-02-26T10:00:00+08:00")
    assert r.status_code == 200, r.text
    lapse(db.engine, clock.now(), instance="test", settings=db.settings)
    d = client.get(f"/api/disclosures/{cid}", headers=h["officer"]).json()
    assert d["state"] == "closed"
    due = next(c for c in d["clocks"] if c["kind"] == "correction_period")["due_date"]
    with read_session(db.engine) as s:
        closing = s.exec(select(Event).where(Event.case_id == cid, Event.action == "lapse_correction")).one()
    assert closing.created_at.astimezone(ZoneInfo("Asia/Shanghai")).date() > date.fromisoformat(due)
    assert closing.created_at.year == 2025
    assert d["concluded_date"] is not None and d["concluded_date"].startswith("2025-")


def test_work_orders_take_the_same_effective_time(client, staff, db) -> None:
    """The 12345 actions go through the same engine: an order signed for on paper last week is recorded so."""
    h = _h(client)
    body = {"order_no": "GD-BF-1", "received_at": "2026-02-24 09:00", "caller_name": "王", "caller_phone":
            "13987654321", "category": "投诉", "content": "路灯不亮"}
    oid = client.post("/api/workorders", json=body, headers=h["front"]).json()["id"]
    url = f"/api/workorders/{oid}/actions/sign_for"
    r = client.post(url, json={"payload": {}, "effective_at": "2026-02-24T10:00:00+08:00"}, headers=h["front"])
    assert "补录原因" in _field_error(r, "backfill_reason")
    r = client.post(url, json={"payload": {}, "effective_at": "2026-02-24T10:00:00+08:00", "backfill_reason": REASON},
                    headers=h["front"])
    assert r.status_code == 200, r.text
    d = client.get(f"/api/workorders/{oid}", headers=h["front"]).json()
    sign = next(c for c in d["clocks"] if c["kind"] == "sign_for")
    assert sign["status"] == "met" and d["events"][-1]["at"].startswith("2026-02-24")
    assert d["events"][-1]["payload"]["backfill"]["reason"] == REASON


def test_every_notice_an_action_makes_follows_the_steps_hold() -> None:
    """Inside an action, notices go to the outbox through the context (``CaseCtx.enqueue``/``enqueue_values``, which
    apply the step's ``hold_notices``): no handler calls the outbox's own enqueue functions with the action's
    session, so a back-filled step's notices are held wherever they are made."""
    root = Path(__file__).resolve().parents[2] / "workflow"
    direct = []
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.args
                    and node.func.id in ("enqueue", "enqueue_many", "enqueue_applicant_notice")
                    and ast.unparse(node.args[0]) == "ctx.session"):
                direct.append(f"{path.relative_to(root.parent)}:{node.lineno}")
    assert not direct, direct


def test_a_registration_not_allowed_to_back_fill_is_refused_at_its_receipt_time(client, staff, db) -> None:
    with write_session(db.engine) as s:
        agency = s.get(Agency, staff.agency_id)
        assert agency is not None
        agency.settings = {**agency.settings, "backfill_roles": ["leader"]}
        s.add(agency)
        s.commit()
    body = registration(received_at="2025-02-24T09:30:00+08:00", backfill_reason=REASON)
    r = client.post("/api/disclosures", json=body, headers=_h(client)["front"])
    assert "角色" in _field_error(r, "received_at")


def test_an_unreadable_effective_time_is_told_with_its_offset(client, staff) -> None:
    """The offset is required: the hint for a time that cannot be read shows one (it once said “可带时区”)."""
    h = _h(client)
    cid = _register_2025(client, h)
    for at in ("昨天", "2025-02-25T10:00:00"):
        message = _field_error(_act(client, h["front"], cid, "assign", {"assignee_id": staff.officer.id}, at),
                               "effective_at")
        assert "+08:00" in message and "可带" not in message, message
