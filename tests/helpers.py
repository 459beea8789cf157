"""Test helpers: staff, valid identity numbers, registration payloads, a principal for each role."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from db.engine import read_session, write_session
from db.models import Agency, User
from states.identity import resident_id_check_char, uscc_check_char
from states.roles import Role
from workflow.accounts.principal import Principal
from workflow.accounts.roles import roles_of
from workflow.accounts.users import create_user_in


def resident_id(first17: str = "11010519491231002") -> str:
    return first17 + resident_id_check_char(first17)


def uscc(first17: str = "91350100M000100Y4") -> str:
    return first17 + uscc_check_char(first17)


@dataclass
class Staff:
    front: Principal
    officer: Principal
    officer2: Principal
    leader: Principal
    admin: Principal
    agency_id: int


def principal(session: Session, u: User) -> Principal:
    """The user acting in their own agency, with the roles held there."""
    assert u.id is not None
    return Principal(u.id, u.agency_id, roles_of(session, u.id, u.agency_id), u.display_name)


_HASH: dict[str, str] = {}


def password_hash() -> str:
    """argon2 costs ~0.25 s here: hash the shared test password once per session."""
    if "h" not in _HASH:
        from workflow.accounts.passwords import hash_password

        _HASH["h"] = hash_password("password123")
    return _HASH["h"]


def make_staff(engine: Any, now: datetime, agency_code: str | None = None) -> Staff:
    """Create one user per role in the (first) agency; password 'password123'."""
    with write_session(engine) as s:
        q = select(Agency).order_by(Agency.id)  # type: ignore[arg-type]
        if agency_code:
            q = select(Agency).where(Agency.code == agency_code)
        agency = s.exec(q).first()
        assert agency is not None
        prefix = agency.code
        spec = [("front", ["front_desk"], "前台小王", None), ("officer", ["officer"], "承办人李明", "综合科"),
                ("officer2", ["officer"], "承办人赵强", "法规科"), ("leader", ["leader"], "负责人陈红", "综合科"),
                ("admin", ["admin"], "管理员", None)]
        out = {}
        for key, roles, name, unit in spec:
            u = create_user_in(s, agency=agency, username=f"{prefix}-{key}", password="password123", roles=roles,
                               display_name=name, now=now, email=f"{key}@{prefix}.example.cn", unit_name=unit,
                               password_hash=password_hash())
            out[key] = principal(s, u)
        s.commit()
        assert agency.id is not None
        return Staff(agency_id=agency.id, **out)


def registration(**over: Any) -> dict[str, Any]:
    """An in-person application by e-mail-reachable 张三 asking for the information by post (a reply that gives the
    information by e-mail or online must carry its files: tests of that set ``obtain_way`` and upload them)."""
    data: dict[str, Any] = {
        "applicant_type": "natural", "applicant_category": "natural", "applicant_name": "张三",
        "id_type": "resident_id", "id_number": resident_id(), "phone": "13800138000",
        "email": "zhangsan@example.com", "address": "某县人民路1号", "postal_code": "675000",
        "description": "2025年本县农村道路建设项目的招标文件", "form_wanted": "electronic", "obtain_way": "post",
        "channel": "in_person", "received_at": "2026-03-02T09:30:00+08:00",
    }
    data.update(over)
    return data


def detail(engine: Any, case_id: int, actor: Principal, now: datetime) -> dict[str, Any]:
    from workflow.disclosure.queries import get_detail

    with read_session(engine) as s:
        return get_detail(s, case_id, actor, now=now)


def clock_due(engine: Any, case_id: int, kind: str, now: datetime, actor: Principal) -> str | None:
    d = detail(engine, case_id, actor, now)
    for c in d["clocks"]:
        if c["kind"] == kind:
            return str(c["due_date"])
    return None

__all__ = ["Role"]


def spy_on_hashes(monkeypatch: Any) -> list[str]:
    """Record every password hash ``authenticate`` verifies against (the dummy one included), in order."""
    import workflow.accounts.users as users

    seen: list[str] = []
    real = users.verify_password

    def verify(password_hash: str, password: str) -> bool:
        seen.append(password_hash)
        return real(password_hash, password)

    monkeypatch.setattr(users, "verify_password", verify)
    return seen
