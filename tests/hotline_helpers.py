"""Helpers for the 12345 work-order tests: agency profile, orders, actions, clock look-ups."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import select

from db.engine import read_session, write_session
from db.models import Agency
from tests.helpers import resident_id
from workflow.accounts.principal import Principal
from workflow.cases.engine import ActionResult
from workflow.hotline import actions as wf
from workflow.hotline.queries import get_detail

SH = ZoneInfo("Asia/Shanghai")
PROFILES = ("yunnan_county", "guangdong", "sichuan", "shandong")

_seq = [0]


def set_profile(engine: Any, code: str, overrides: dict[str, Any] | None = None) -> None:
    with write_session(engine) as s:
        agency = s.exec(select(Agency).order_by(Agency.id)).first()  # type: ignore[arg-type]
        assert agency is not None
        agency.settings = {**(agency.settings or {}), "hotline_profile": code,
                           "hotline_overrides": overrides or {}}
        s.add(agency)
        s.commit()


def order_input(**over: Any) -> dict[str, Any]:
    _seq[0] += 1
    data: dict[str, Any] = {
        "order_no": f"YN2026{_seq[0]:08d}", "received_at": "2026-03-02 09:15:00", "caller_name": "李桂兰",
        "caller_phone": "13987654321", "category": "投诉", "urgency": "一般", "title": "夜间施工噪音",
        "content": "鹿城镇滨江路工地夜间施工噪音扰民，凌晨仍在作业。", "location": "某县鹿城镇滨江路",
    }
    data.update(over)
    return data


def new_order(engine: Any, actor: Principal, now: datetime, **over: Any) -> int:
    platform = over.pop("platform", "12345")
    return wf.intake(engine, wf.record_from_input(order_input(**over), platform), actor, now).id


def act(engine: Any, oid: int, action: str, who: Principal, now: datetime, **payload: Any) -> ActionResult:
    return wf.act(engine, oid, action, payload, who, now)


def detail(engine: Any, oid: int, actor: Principal, now: datetime) -> dict[str, Any]:
    with read_session(engine) as s:
        return get_detail(s, oid, actor, now=now)


def clock(d: dict[str, Any], kind: str, cycle: int | None = None) -> dict[str, Any]:
    cyc = d["cycle"] if cycle is None else cycle
    return next(c for c in d["clocks"] if c["kind"] == kind and c["cycle"] == cyc)


def due_local(c: dict[str, Any]) -> str:
    """A clock's due instant as Beijing wall-clock time ('2026-03-03 24:00' style for end of day)."""
    at = datetime.fromisoformat(c["due_at"]).astimezone(SH)
    if at.hour == 0 and at.minute == 0:
        from datetime import timedelta

        return (at - timedelta(days=1)).strftime("%Y-%m-%d") + " 24:00"
    return at.strftime("%Y-%m-%d %H:%M")


def local(y: int, m: int, d: int, h: int = 10, mi: int = 0) -> datetime:
    return datetime(y, m, d, h, mi, tzinfo=SH)


CONVERT = {"reason": "属于政府信息公开申请事项", "applicant": {"id_type": "resident_id", "id_number": resident_id()},
           "request": {"form_wanted": "electronic", "obtain_way": "online"}}
