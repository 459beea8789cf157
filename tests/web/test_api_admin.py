"""Admin scheduler API: sweep status (last run, counts, lag), outbox counts and dead letters, retry."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from db.engine import read_session, write_session
from db.models import Agency, Outbox
from notifications.fixtures import fixture_context
from notifications.outbox import enqueue
from tests.web.conftest import token
from tests.workflow.sweep_helpers import at, register_on
from workflow.sweeps.run import run_all


def _dead(db, agency_id: int, key: str) -> int:
    now = at(date(2026, 3, 2), 10)
    with write_session(db.engine) as s:
        oid = enqueue(s, agency_id=agency_id, notice_type="internal.reminder", channel="email",
                      context=fixture_context("internal.reminder"), dedupe_key=key, now=now,
                      recipient="bounce@example.com")
        row = s.get(Outbox, oid)
        row.status, row.attempts, row.last_error = "dead", 8, "550 5.1.1 no such user"
        s.commit()
    return oid


def test_scheduler_status_for_admin_and_leader_only(client, staff, db) -> None:
    register_on(db.engine, staff, date(2026, 9, 2))
    run_all(db.engine, at(date(2026, 10, 9), 10), instance="api-test", settings=db.settings.model_copy(
        update={"outbox_dir": db.settings.var_dir / "eml"}))
    dead = _dead(db, staff.agency_id, "dead-1")
    assert client.get("/api/admin/scheduler", headers=token(client, "default-officer")).status_code == 403
    assert client.get("/api/admin/scheduler").status_code == 401
    for user in ("default-admin", "default-leader"):
        r = client.get("/api/admin/scheduler", headers=token(client, user))
        assert r.status_code == 200, r.text
        body = r.json()
        jobs = {s["job"]: s for s in body["sweeps"]}
        assert list(jobs) == ["recompute", "lapses", "escalation", "reminders", "digest", "outbox"]
        assert jobs["escalation"]["done"]["urge"] == 1 and jobs["escalation"]["last_instance"] == "api-test"
        assert jobs["reminders"]["remaining"] == 0 and jobs["reminders"]["lag_seconds"] == 0
        assert jobs["outbox"]["interval_seconds"] == 15 and jobs["outbox"]["last_finished_at"]
        assert body["outbox"]["by_status"]["dead"] == 1 and body["outbox"]["by_status"]["sent"] >= 1
        assert [d["id"] for d in body["outbox"]["dead_letters"]] == [dead]
        assert body["outbox"]["dead_letters"][0]["last_error"].startswith("550")
        assert body["clocks"]["stale_after_calendar_import"] == 0


def test_retry_dead_letter(client, staff, db) -> None:
    dead = _dead(db, staff.agency_id, "dead-2")
    admin, leader = token(client, "default-admin"), token(client, "default-leader")
    assert client.post(f"/api/admin/outbox/{dead}/retry", headers=leader).status_code == 403
    r = client.post(f"/api/admin/outbox/{dead}/retry", headers=admin)
    assert r.status_code == 200 and r.json() == {"id": dead, "status": "pending"}
    with read_session(db.engine) as s:
        row = s.get(Outbox, dead)
        assert row.status == "pending" and row.attempts == 0
    again = client.post(f"/api/admin/outbox/{dead}/retry", headers=admin)
    assert again.status_code == 409 and again.json()["error"]["code"] == "not_dead"
    assert client.post("/api/admin/outbox/999999/retry", headers=admin).status_code == 404
    with write_session(db.engine) as s:
        other = Agency(code="other", name="另一机关", settings={}, created_at=at(date(2026, 3, 2), 10))
        s.add(other)
        s.commit()
        other_id = other.id
    foreign = _dead(db, other_id, "dead-3")
    assert client.post(f"/api/admin/outbox/{foreign}/retry", headers=admin).status_code == 404
    with read_session(db.engine) as s:
        assert s.exec(select(Outbox).where(Outbox.id == foreign)).one().status == "dead"
