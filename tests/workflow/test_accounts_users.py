"""New staff accounts (workflow.accounts.users.create_user): the login-name rule, one name whatever its case, the
e-mail shape and the lengths the database keeps — for the pages, the API and the command line alike."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from sqlmodel import Session, select

from db.engine import read_session, serialize, write_session
from db.models import Agency
from tests.conftest import Db
from workflow.accounts.principal import system
from workflow.accounts.users import UserError, create_user, create_user_in, username_ok
from workflow.agencies.registry import create_agency
from workflow.errors import Conflict
from workflow.timesource import FixedTime


@pytest.mark.parametrize("name", ["admin", "x", "default-front", "u1_2-3", "Wang.Wu", "9", "a" * 64])
def test_login_names_taken(name: str) -> None:
    assert username_ok(name)


@pytest.mark.parametrize("name", ["", " ", "a b", "a/b", "a\\b", "a\u200bb", "😀", "王五", "wаng", "-a", ".", "..",
                                  "_a", "a@b", "a" * 65, "a\x00", "a\nb"])
def test_login_names_refused(name: str) -> None:
    assert not username_ok(name)


def _create(db: Db, clock: FixedTime, **over: object) -> None:
    args: dict[str, object] = {"agency_code": "default", "username": "wang.wu", "password": "password123",
                               "roles": ["officer"], "display_name": "王五", "now": clock.now(), **over}
    create_user(db.engine, **args)  # type: ignore[arg-type]


@pytest.mark.parametrize(("over", "field", "code"), [
    ({"username": "WANG.WU"}, "username", "username_taken"),
    ({"username": "Wang.Wu"}, "username", "username_taken"),
    ({"username": "wang wu"}, "username", "invalid_username"),
    ({"username": "wang\r\nwu"}, "username", "control_characters"),
    ({"username": "w" * 65}, "username", "too_long"),
    ({"username": "wang.wu2", "email": "王五"}, "email", "invalid_email"),
    ({"username": "wang.wu2", "email": "a\nb@c.cn"}, "email", "control_characters"),
    ({"username": "wang.wu2", "display_name": "王" * 101}, "display_name", "too_long"),
    ({"username": "wang.wu2", "unit_name": "科" * 201}, "unit_name", "too_long"),
])
def test_refused_at_the_field(db: Db, clock: FixedTime, over: dict[str, object], field: str, code: str) -> None:
    _create(db, clock)
    with pytest.raises(UserError) as e:
        _create(db, clock, **over)
    assert (e.value.field, e.value.code) == (field, code), e.value.message


def _while_held(db: Db, first: Callable[[Session], None], second: Callable[[], None]) -> BaseException | None:
    """Run ``first`` inside a write transaction left open while ``second`` starts in another thread, then commit it;
    what ``second`` raised (None if it went through)."""
    outcome: list[BaseException | None] = []

    def other() -> None:
        try:
            second()
            outcome.append(None)
        except BaseException as exc:  # the test reads it
            outcome.append(exc)

    with write_session(db.engine) as s:
        first(s)
        t = threading.Thread(target=other)
        t.start()
        t.join(0.5)
        assert t.is_alive(), "the second write did not wait for the first"
        s.commit()
    t.join(10)
    assert outcome, "the second write never finished"
    return outcome[0]


def test_two_instances_creating_one_name_in_two_cases(db: Db, clock: FixedTime) -> None:
    """Wang and wang created at once (two app instances on one PostgreSQL): the second waits for the first and is
    told the name is taken — the unique index alone compares case."""
    def first(s: Session) -> None:
        agency = s.exec(select(Agency).where(Agency.code == "default")).one()
        create_user_in(s, agency=agency, username="Wang", password="password123", roles=["officer"],
                       display_name="王", now=clock.now())

    err = _while_held(db, first, lambda: _create(db, clock, username="wang"))
    assert isinstance(err, UserError) and err.code == "username_taken", err


def test_two_instances_creating_one_agency_code(db: Db, clock: FixedTime) -> None:
    with read_session(db.engine) as s:
        agency_id = s.exec(select(Agency.id).where(Agency.code == "default")).one()
    actor = system(agency_id, "命令行")

    def first(s: Session) -> None:
        s.add(Agency(code="county", name="青山县人民政府", settings={}, created_at=clock.now()))
        serialize(s, "agency-codes")

    err = _while_held(db, first, lambda: create_agency(db.engine, code="county", name="青山县某局", actor=actor,
                                                         now=clock.now()))
    assert isinstance(err, Conflict) and err.code == "agency_code_taken", err
