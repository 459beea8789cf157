"""db.loaded.new_row builds what the model's constructor builds (the engine's clocks, ledger entries, consultations and
extension requests are made with it), and a session inserts it alike."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from db.engine import write_session
from db.loaded import new_row
from db.models import ApprovalRequest, Clock, ClockAdjustment, Consultation

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
CASES: list[tuple[type, dict[str, Any]]] = [
    (Clock, {"agency_id": 1, "case_kind": "disclosure", "case_id": 7, "kind": "reply", "cycle": 1, "amount": 20,
             "start_date": date(2026, 3, 2), "updated_at": NOW, "assignee_id": None,
             "explanation": {"base_reason": "收到申请之日"}}),
    (ClockAdjustment, {"clock_id": 3, "kind": "pause", "start_date": date(2026, 3, 3), "end_date": None,
                       "reason": "征求第三方意见", "expected_end": date(2026, 3, 20), "actor_id": 2, "created_at": NOW}),
    (Consultation, {"disclosure_id": 7, "consultee_kind": "third_party", "consultee_name": "某公司",
                    "consultee_contact": "", "sent_date": date(2026, 3, 3), "due_date": date(2026, 3, 17)}),
    (ApprovalRequest, {"agency_id": 1, "case_kind": "disclosure", "case_id": 7, "kind": "extension",
                       "payload": {"days": 20, "reason": "需要调取档案"}, "requested_by": 2, "requested_at": NOW}),
]


def _fields(obj: Any) -> dict[str, Any]:
    return {k: v for k, v in obj.__dict__.items() if k != "_sa_instance_state"}


@pytest.mark.parametrize(("model", "values"), CASES, ids=[m.__name__ for m, _ in CASES])
def test_new_row_is_what_the_constructor_builds(model: type, values: dict[str, Any]) -> None:
    built: Any = model(**values)
    fast: Any = new_row(model, **values)
    assert _fields(fast) == _fields(built)
    assert fast.__pydantic_fields_set__ == built.__pydantic_fields_set__
    assert (fast.__pydantic_extra__, fast.__pydantic_private__) == (built.__pydantic_extra__,
                                                                      built.__pydantic_private__)
    assert fast.model_dump() == built.model_dump()
    key = next(iter(values))
    setattr(fast, key, values[key])  # attribute events work on it afterwards
    with pytest.raises(TypeError, match="no field"):
        new_row(model, **values, not_a_field=1)


def test_a_new_row_is_inserted_with_its_values(db) -> None:  # type: ignore[no-untyped-def]
    values = CASES[0][1]
    with write_session(db.engine) as s:
        row = new_row(Clock, **values)
        s.add(row)
        s.commit()
        got = s.exec(select(Clock).where(Clock.id == row.id)).one()
    built = Clock(**values)
    assert {k: getattr(got, k) for k in Clock.model_fields if k not in ("id", "updated_at")} == {
        k: getattr(built, k) for k in Clock.model_fields if k not in ("id", "updated_at")}


def test_new_row_before_any_mapper_is_configured() -> None:
    """The first object a process builds may be a new row (the constructor configures the mappers; so must it)."""
    code = ("from datetime import date\nfrom db.loaded import new_row\nfrom db.models import Clock\n"
            "c = new_row(Clock, agency_id=1, case_kind='disclosure', case_id=1, kind='reply', amount=20,"
            " start_date=date(2026, 3, 2))\nc.amount = 15\nassert c.amount == 15\n")
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root, env={"PYTHONPATH": str(root)})


def test_attach_inserted_before_any_mapper_is_configured() -> None:
    """The same for a row attached as loaded: its attributes work when it is the first object of a process."""
    code = ("from datetime import date\nfrom sqlalchemy.orm import Session\nfrom db.loaded import attach_inserted\n"
            "from db.models import Clock\ns = Session()\n"
            "c = attach_inserted(s, Clock, {'id': 7, 'agency_id': 1, 'case_kind': 'disclosure', 'case_id': 1,"
            " 'kind': 'reply', 'amount': 20, 'start_date': date(2026, 3, 2)})\n"
            "c.amount = 15\nassert c.amount == 15 and c in s.dirty\n")
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root, env={"PYTHONPATH": str(root)})
