"""Concurrency: two officers racing on one application; gap-free numbers under parallel registration."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlmodel import select

from db.engine import read_session
from db.models import Disclosure, Event
from states.roles import Role
from tests.helpers import make_staff, registration, resident_id
from workflow import disclosure as wf
from workflow.disclosure_payloads import RegisterIn
from workflow.errors import StaleVersion
from workflow.principal import Principal


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
