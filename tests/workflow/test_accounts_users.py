"""New staff accounts (workflow.accounts.users.create_user): the login-name rule, one name whatever its case, the
e-mail shape and the lengths the database keeps — for the pages, the API and the command line alike."""

from __future__ import annotations

import pytest

from tests.conftest import Db
from workflow.accounts.users import UserError, create_user, username_ok
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
