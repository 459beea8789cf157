"""Rows as the disclosure workflow would leave them, inserted with Core (the workflow is built elsewhere)."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, insert
from sqlmodel import col

from db.models import Agency, Clock, Consultation, Disclosure, Event, RemedyCase, Unit, User, UserRole
from workflow.tally.rebuild import rebuild_connection

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2024, 1, 1, tzinfo=UTC)
_seq = itertools.count(1)

# The disclosure workflow's actions (states/disclosure.py) that conclude an application, by table-三 row.
CONCLUDING_ACTION = {"3.6.1": "lapse_correction", "3.6.2": "lapse_fee", "3.6.3": "withdraw"}


def _id(value: int | None) -> int:
    assert value is not None
    return value


def at(day: date, hour: int = 10) -> datetime:
    """``day`` at ``hour`` o'clock in Asia/Shanghai (stored as UTC)."""
    return datetime.combine(day, time(hour), SH)


def agency(engine: Engine, code: str, name: str) -> int:
    with engine.begin() as conn:
        return _id(conn.execute(insert(Agency).values(code=code, name=name, settings={}, created_at=T0)
                                .returning(col(Agency.id))).scalar_one())


def unit(engine: Engine, agency_id: int, name: str) -> int:
    with engine.begin() as conn:
        return _id(conn.execute(insert(Unit).values(agency_id=agency_id, name=name).returning(col(Unit.id))).scalar_one())


def user(engine: Engine, agency_id: int, unit_id: int | None, username: str) -> int:
    """An officer (承办人) of the agency."""
    with engine.begin() as conn:
        uid = _id(conn.execute(insert(User).values(
            agency_id=agency_id, unit_id=unit_id, username=username, display_name=username,
            password_hash="x", created_at=T0).returning(col(User.id))).scalar_one())
        conn.execute(insert(UserRole).values(user_id=uid, agency_id=agency_id, role="officer"))
        return uid


def disclosure_row(agency_id: int, category: str, receipt: date | None, concluded: date | None,
                   row: str | None, **extra: Any) -> dict[str, Any]:
    n = next(_seq)
    concluded_state = "withdrawn" if row == "3.6.3" else ("closed" if row and row.startswith("3.6") else "replied")
    values: dict[str, Any] = dict(
        agency_id=agency_id, version=1,
        state=(concluded_state if concluded else ("registered" if receipt else "submitted")),
        tracking_no=f"T{n}" if receipt else None, submission_no=f"S{n}", query_code_hash="h",
        applicant_type="natural" if category == "natural" else "organization",
        applicant_category=category, applicant_name=f"申请人{n}", id_type="id", id_number=str(n),
        applicant_key=f"id:{n}", description="申请公开某信息", form_wanted="electronic", obtain_way="email",
        channel="internet", received_at_raw=at(receipt or date(2026, 1, 1)), receipt_date=receipt,
        base_date=receipt, fee_detail={}, decision_detail={}, delivery={},
        concluded_date=concluded, concluded_at=at(concluded, 16) if concluded else None,
        report_row=row if concluded else None,
        replied_at=at(concluded, 16) if concluded and row and not row.startswith("3.6") else None,
        withdrawn_at=at(concluded, 16) if concluded and row == "3.6.3" else None,
        fee_method=None, fee_amount=None, fee_paid_date=None, assignee_id=None, unit_id=None, extended=False,
        created_at=T0, updated_at=T0,
    )
    values.update(extra)
    return values


def insert_disclosures(engine: Engine, rows: list[dict[str, Any]], *, events: bool = True) -> list[int]:
    """Insert rows and, unless told not to, their register/conclude events at receipt/conclusion time."""
    ids = []
    with engine.begin() as conn:
        for r in rows:
            ids.append(_id(conn.execute(insert(Disclosure).values(**r).returning(col(Disclosure.id))).scalar_one()))
        if events:
            evs = []
            for i, r in zip(ids, rows, strict=True):
                evs.extend(events_for(i, r))
            if evs:
                conn.execute(insert(Event), evs)
        rebuild_connection(conn, None)  # rows written around the workflow: the summaries as `banli stats rebuild`
    return ids


def events_for(case_id: int, r: dict[str, Any]) -> list[dict[str, Any]]:
    base = dict(agency_id=r["agency_id"], case_kind="disclosure", case_id=case_id)
    out = [dict(base, action="submit", from_state=None, to_state="submitted", payload={},
                created_at=r["received_at_raw"])]
    if r["receipt_date"] is not None:
        out.append(dict(base, action="register", from_state="submitted", to_state="registered",
                        payload={"receipt_date": r["receipt_date"].isoformat()}, created_at=at(r["receipt_date"], 10)))
    if r["concluded_date"] is not None:
        action = CONCLUDING_ACTION.get(r["report_row"] or "", "reply")
        payload = {"report_row": r["report_row"]}
        if action == "withdraw":
            payload["withdrawn_date"] = r["concluded_date"].isoformat()
        out.append(dict(base, action=action, from_state="handling", to_state=r["state"], payload=payload,
                        created_at=at(r["concluded_date"], 16)))
    return out


def remedy(agency_id: int, kind: str, filed: date, outcome: str = "pending",
           decided: date | None = None) -> dict[str, Any]:
    return dict(agency_id=agency_id, kind=kind, filed_date=filed, outcome=outcome, decided_date=decided,
                created_at=T0)


def insert_rows(engine: Engine, model: Any, rows: list[dict[str, Any]]) -> None:
    if rows:
        with engine.begin() as conn:
            conn.execute(insert(model), rows)
            rebuild_connection(conn, None)  # as `banli stats rebuild` after rows written by SQL


def reply_clock(agency_id: int, case_id: int, due: date, met: datetime | None,
                assignee_id: int | None = None, status: str = "met") -> dict[str, Any]:
    return dict(agency_id=agency_id, case_kind="disclosure", case_id=case_id, kind="reply", cycle=1,
                status=status, unit="wd", amount=20, due_date=due, due_at=at(due, 23).replace(minute=59),
                explanation={}, missing_years=[], met_at=met, assignee_id=assignee_id, updated_at=T0)


__all__ = ["Clock", "Consultation", "RemedyCase"]
