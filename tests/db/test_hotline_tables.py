"""The work-order tables create on SQLite, keep intake idempotent, and catch stale writes."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, SQLModel, select

import db.models
from db.engine import make_engine
from db.models import Agency, WorkOrder, WorkOrderCycle
from states.hotline import MACHINE

CST = timezone(timedelta(hours=8))
T0 = datetime(2026, 3, 2, 9, 15, tzinfo=CST)


@pytest.fixture
def engine(tmp_path):
    eng = make_engine(f"sqlite:///{tmp_path / 'banli.db'}")
    SQLModel.metadata.create_all(eng)
    with Session(eng) as s:
        s.add(Agency(code="cx-hb", name="某县环保局", created_at=T0))
        s.commit()
    return eng


def order(**kw):
    base = dict(agency_id=1, order_no="GD20260302001", state="received", received_at=T0, category="complaint",
                content="夜间施工噪音扰民", profile_code="yunnan_county", source_hash="0" * 64,
                created_at=T0, updated_at=T0)
    return WorkOrder(**{**base, **kw})


def test_tables_and_indexes_exist(engine):
    assert {"WorkOrder", "WorkOrderCycle"} <= set(db.models.__all__)
    insp = sa.inspect(engine)
    assert {"workorder", "workorder_cycle"} <= set(insp.get_table_names())
    names = {ix["name"] for ix in insp.get_indexes("workorder")}
    assert {"ix_workorder_agency_state", "ix_workorder_assignee", "ix_workorder_received",
            "ix_workorder_category", "ix_workorder_next_due"} <= names


def test_roundtrip_and_idempotent_order_no(engine):
    with Session(engine) as s:
        s.add(order(assisting_units=["住建局", "城管局"], related_ids=[7], platform_due_at=T0 + timedelta(days=7)))
        s.commit()
    with Session(engine) as s:
        wo = s.exec(select(WorkOrder)).one()
        assert wo.assisting_units == ["住建局", "城管局"] and wo.related_ids == [7]
        assert wo.received_at == T0 and wo.received_at.tzinfo is not None  # aware (comes back in UTC)
        assert (wo.version, wo.cycle, wo.urgency, wo.designated) == (1, 1, "normal", False)
        s.add(order())
        with pytest.raises(IntegrityError):
            s.commit()
    with Session(engine) as s:  # same number on another platform is another order
        s.add(order(platform="12315"))
        s.commit()


def test_naive_datetimes_rejected(engine):
    with Session(engine) as s:
        s.add(order(received_at=datetime(2026, 3, 2, 9, 15)))
        with pytest.raises(StatementError, match="timezone information"):
            s.commit()


def test_stale_version_detected(engine):
    with Session(engine) as s:
        s.add(order())
        s.commit()
    with Session(engine) as a, Session(engine, expire_on_commit=False) as b:
        wb = b.get(WorkOrder, 1)
        b.commit()  # end b's read transaction; wb keeps version 1 (SQLite would refuse the upgrade)
        wa = a.get(WorkOrder, 1)
        assert wa is not None and wb is not None
        # The workflow bumps the version itself on every action (version_id_generator=False).
        wa.state, wa.version = "signed_for", wa.version + 1
        a.commit()
        assert wa.version == 2
        wb.state, wb.version = "return_requested", wb.version + 1
        with pytest.raises(StaleDataError):
            b.commit()


def test_cycles_unique_per_order(engine):
    with Session(engine) as s:
        s.add(order())
        s.commit()
        s.add(WorkOrderCycle(workorder_id=1, cycle=1, started_at=T0))
        s.add(WorkOrderCycle(workorder_id=1, cycle=2, reason="rehandle", started_at=T0 + timedelta(days=9)))
        s.commit()
        s.add(WorkOrderCycle(workorder_id=1, cycle=2, started_at=T0))
        with pytest.raises(IntegrityError):
            s.commit()


def test_no_trigger_is_named_like_a_column():
    # stack notes: a trigger named like a nullable column overwrites it with a functools.partial
    columns = set(WorkOrder.model_fields)
    assert not columns & set(MACHINE.triggers)
