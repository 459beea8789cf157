"""Concurrency: two officers racing on one application; gap-free numbers under parallel registration."""

from __future__ import annotations

import contextlib
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import select

from db.engine import read_session
from db.models import Clock, Disclosure, Event, Outbox
from states.roles import Role
from tests.helpers import make_staff, registration, resident_id
from workflow.accounts.principal import Principal
from workflow.disclosure import actions as wf
from workflow.disclosure.payloads import RegisterIn
from workflow.disclosure.receipt import check_query_code
from workflow.errors import StaleVersion


def test_two_officers_racing_one_wins_the_other_gets_a_conflict(db, clock) -> None:
    staff = make_staff(db.engine, clock.now())
    r = wf.register(db.engine, RegisterIn.model_validate(registration(assignee_id=staff.officer.id)), staff.front,
                    clock.now())
    version = r.version
    # The assignee and a leader (who may act on any case) submit different actions against the same version.
    leader_officer = Principal(staff.leader.id, staff.agency_id, frozenset({Role.LEADER, Role.OFFICER}), "负责人")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def run(actor: Principal, action: str, payload: dict) -> None:
        barrier.wait()
        try:
            wf.act(db.engine, r.id, action, payload, actor, clock.now(), expected_version=version)
            outcomes.append("ok:" + action)
        except StaleVersion:
            outcomes.append("stale:" + action)

    for _ in range(5):  # race several times; each round starts from a fresh version
        outcomes.clear()
        with read_session(db.engine) as s:
            version = s.get(Disclosure, r.id).version  # type: ignore[union-attr]
        t1 = threading.Thread(target=run, args=(staff.officer, "request_reasons", {"facts": "甲"}))
        t2 = threading.Thread(target=run, args=(leader_officer, "request_reasons", {"facts": "乙"}))
        for t in (t1, t2):
            t.start()
        for t in (t1, t2):
            t.join()
        assert sorted(o.split(":")[0] for o in outcomes) == ["ok", "stale"], outcomes
    with read_session(db.engine) as s:
        events = s.exec(select(Event).where(Event.case_id == r.id, Event.action == "request_reasons")).all()
        row = s.get(Disclosure, r.id)
    assert len(events) == 5  # one per round: nothing lost, nothing applied twice
    assert row is not None and row.version == version + 1


def test_without_expected_version_racing_actions_serialise(db, clock) -> None:
    staff = make_staff(db.engine, clock.now())
    r = wf.register(db.engine, RegisterIn.model_validate(registration(assignee_id=staff.officer.id)), staff.front,
                    clock.now())
    barrier = threading.Barrier(2)
    results: list[str] = []

    def reply() -> None:
        barrier.wait()
        try:
            wf.act(db.engine, r.id, "reply", {"category": "disclose", "reason": "provided"}, staff.officer, clock.now())
            results.append("ok")
        except Exception as exc:
            results.append(type(exc).__name__)

    threads = [threading.Thread(target=reply) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["InvalidTransition", "ok"]
    with read_session(db.engine) as s:
        assert len(s.exec(select(Event).where(Event.case_id == r.id, Event.action == "reply")).all()) == 1


def test_twenty_parallel_registrations_get_gap_free_numbers(db, clock) -> None:
    staff = make_staff(db.engine, clock.now())

    def one(i: int) -> str:
        first17 = f"11010519900101{i:03d}"
        data = registration(applicant_name=f"申请人{i}", id_number=resident_id(first17))
        return wf.register(db.engine, RegisterIn.model_validate(data), staff.front, clock.now()).tracking_no

    with ThreadPoolExecutor(max_workers=20) as ex:
        numbers = list(ex.map(one, range(20)))
    assert sorted(numbers) == [f"依申〔2026〕{i:04d}号" for i in range(1, 21)]


def _item(i: int, actor: Principal, now: datetime, **over: Any) -> tuple[RegisterIn, Principal, datetime]:
    data = registration(applicant_name=f"申请人{i}", id_number=resident_id(f"11010519900101{i:03d}"), **over)
    return RegisterIn.model_validate(data), actor, now


def test_group_commit_gives_each_item_its_own_result_in_order(db, clock) -> None:
    staff = make_staff(db.engine, clock.now())
    now = clock.now()
    no_role = Principal(staff.officer.id, staff.agency_id, frozenset({Role.OFFICER}), "承办人")
    future = (now + timedelta(days=2)).isoformat()
    items = [_item(1, staff.front, now), _item(2, no_role, now), _item(3, staff.front, now),
             _item(4, staff.front, now, received_at=future), _item(5, staff.front, now, assignee_id=staff.officer.id),
             _item(6, staff.front, now)]
    results = wf.register_batch(db.engine, items)
    assert [type(r).__name__ for r in results] == ["Registered", "InvalidTransition", "Registered",
                                                    "DomainValidation", "Registered", "Registered"]
    ok = [r for r in results if isinstance(r, wf.Registered)]
    # Gap-free: the numbers taken are exactly 1..4, none lost to the refused items.
    assert sorted(r.tracking_no for r in ok) == [f"依申〔2026〕{i:04d}号" for i in range(1, 5)]
    assert results[4].state == "handling" and results[4].version == 2  # type: ignore[union-attr]
    with read_session(db.engine) as s:
        for r in ok:
            row = s.get(Disclosure, r.id)
            assert row is not None and row.tracking_no == r.tracking_no
            assert check_query_code(row.query_code_hash, r.query_code)
            clocks = s.exec(select(Clock).where(Clock.case_kind == "disclosure", Clock.case_id == r.id)).all()
            assert sorted(c.kind for c in clocks) == ["correction_notice", "reply"]
            events = s.exec(select(Event).where(Event.case_kind == "disclosure", Event.case_id == r.id,
                                                Event.action == "register")).all()
            assert len(events) == 1 and events[0].payload["tracking_no"] == r.tracking_no
            notices = s.exec(select(Outbox).where(Outbox.case_kind == "disclosure", Outbox.case_id == r.id,
                                                  Outbox.notice_type == "disclosure.receipt")).all()
            assert len(notices) == 1 and notices[0].context["case"]["tracking_no"] == r.tracking_no
            assert notices[0].context["notice"]["query_code"] == r.query_code
        assert len(s.exec(select(Disclosure)).all()) == 4  # nothing written for the refused items


def test_group_commit_falls_back_to_one_transaction_per_item(db, clock, monkeypatch) -> None:
    """If the shared transaction fails, each item is retried alone: the good ones still land, numbered
    without gaps, and only the item that really fails reports its error."""
    staff = make_staff(db.engine, clock.now())
    now = clock.now()
    real = wf._insert_registrations
    calls: list[int] = []

    def flaky(conn, preps):  # the batch fails as a whole; item 2 also fails alone
        calls.append(len(preps))
        if len(preps) > 1 or preps[0].data.applicant_name == "申请人2":
            raise RuntimeError("simulated database failure")
        return real(conn, preps)

    monkeypatch.setattr(wf, "_insert_registrations", flaky)
    results = wf.register_batch(db.engine, [_item(i, staff.front, now) for i in (1, 2, 3)])
    assert calls == [3, 1, 1, 1]
    assert isinstance(results[1], RuntimeError)
    assert [r.tracking_no for r in (results[0], results[2])] == ["依申〔2026〕0001号", "依申〔2026〕0002号"]  # type: ignore[union-attr]
    with read_session(db.engine) as s:
        assert len(s.exec(select(Disclosure)).all()) == 2
        assert len(s.exec(select(Event).where(Event.action == "register")).all()) == 2


def test_parallel_group_commits_number_without_gaps(db, clock) -> None:
    """Several writers batching at once (as two server processes do) share one gap-free series."""
    staff = make_staff(db.engine, clock.now())
    now = clock.now()

    def batch(k: int) -> list[str]:
        res = wf.register_batch(db.engine, [_item(k * 10 + j, staff.front, now) for j in range(5)])
        return [r.tracking_no for r in res if isinstance(r, wf.Registered)]

    with ThreadPoolExecutor(max_workers=4) as ex:
        numbers = [n for part in ex.map(batch, range(4)) for n in part]
    assert sorted(numbers) == [f"依申〔2026〕{i:04d}号" for i in range(1, 21)]


def test_group_commits_take_the_counters_in_one_order(pg_db, clock, monkeypatch) -> None:
    """Two batches, each with a receipt of 2025 and one of 2026, listed in opposite orders: each takes the two years'
    counters in key order, so neither holds one counter while waiting for the other's (PostgreSQL would detect a
    deadlock, roll one batch back and register its items one transaction each)."""
    staff = make_staff(pg_db.engine, clock.now())
    now = clock.now()
    old = {"received_at": "2025-12-30T09:30:00+08:00", "backfill_reason": "纸质登记补录"}
    batches = [[_item(1, staff.front, now, **old), _item(2, staff.front, now)],
               [_item(3, staff.front, now), _item(4, staff.front, now, **old)]]
    real_next, real_register, took = wf.next_number, wf.register, threading.Barrier(2)
    alone: list[Any] = []

    def next_number(conn, *args, **kwargs):  # both batches hold their first counter before taking the second
        n = real_next(conn, *args, **kwargs)
        with contextlib.suppress(threading.BrokenBarrierError):  # the other waits for this one's counter: go on
            took.wait(timeout=3)
        return n

    def register(*args, **kwargs):
        alone.append(args)
        return real_register(*args, **kwargs)

    monkeypatch.setattr(wf, "next_number", next_number)
    monkeypatch.setattr(wf, "register", register)
    with ThreadPoolExecutor(max_workers=2) as ex:
        results = list(ex.map(lambda items: wf.register_batch(pg_db.engine, items), batches))
    assert alone == []  # both shared transactions committed
    numbers = sorted(r.tracking_no for part in results for r in part)  # type: ignore[union-attr]
    assert numbers == ["依申〔2025〕0001号", "依申〔2025〕0002号", "依申〔2026〕0001号", "依申〔2026〕0002号"]
