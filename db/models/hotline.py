"""12345 work orders transferred to the agency, and one row per handling cycle.

Clocks (sign-for, handling, callback), events, extension approvals and the outbox live in the shared
tables of ``db.models.common`` with ``case_kind="workorder"``. ``state`` is a plain string
(``states.hotline.WorkOrderState``); how the order ended is ``resolution``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Integer, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from db.models._base import HOT_UPDATES, json_field

_workorder_version = Column("version", Integer, nullable=False, default=1)


class WorkOrder(SQLModel, table=True):
    """One work order as dispatched by the hotline platform; intake is idempotent on the order number."""

    __tablename__ = "workorder"
    __table_args__ = (
        UniqueConstraint("agency_id", "platform", "order_no"),
        Index("ix_workorder_agency_state", "agency_id", "state"),  # sweeps
        Index("ix_workorder_assignee", "assignee_id", "state", "next_due_at"),  # an officer's list
        # dashboards and one agency's 12345 statistics (received per month, category and resolution: index-only on PG)
        Index("ix_workorder_received", "agency_id", "received_at", postgresql_include=["category", "resolution"]),
        Index("ix_workorder_category", "agency_id", "category", "received_at"),
        Index("ix_workorder_next_due", "agency_id", "next_due_at"),
        # 12345 statistics (workflow/reports/hotline.py) of all agencies: received per month, category and resolution;
        # the category of an agency's orders for the hash join with their met clocks (index-only on PostgreSQL).
        Index("ix_workorder_report_received", "received_at", "agency_id", postgresql_include=["category", "resolution"]),
        Index("ix_workorder_report_category", "agency_id", "id", "category"),
        HOT_UPDATES,  # PostgreSQL: room on each page for updates in place (db.models._base.FILLFACTOR)
    )
    # As for disclosures: the workflow bumps ``version`` once per action/update itself (an action may
    # change no other column), and SQLAlchemy adds "WHERE version = <old>" to the UPDATE.
    __mapper_args__ = {"version_id_col": _workorder_version, "version_id_generator": False}

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id")
    platform: str = Field(default="12345", max_length=32)
    order_no: str = Field(max_length=64)
    version: int = Field(default=1, sa_column=_workorder_version)
    state: str = Field(max_length=32)
    resolution: str | None = Field(default=None, max_length=16)  # states.hotline.WorkOrderResolution
    cycle: int = 1  # 1-based; +1 on rehandle / reassign (states.hotline.NEW_CYCLE_TRIGGERS)

    # As dispatched (GB/T 33358-2016 工单: caller, matter, deadline)
    received_at: datetime
    caller_name: str = Field(default="", max_length=100)
    caller_phone: str = Field(default="", max_length=40)
    category: str = Field(max_length=16)  # consult | help | complaint | report | suggestion
    category_code: str = Field(default="", max_length=32)  # GB/T 39666-2020 style code, "" if none
    urgency: str = Field(default="normal", max_length=8)  # normal | urgent
    title: str = Field(default="", max_length=300)
    content: str = Field(max_length=8000)
    location: str = Field(default="", max_length=300)
    platform_due_at: datetime | None = None  # 北京条例第十三条: the order states its own deadline; it wins
    designated: bool = False  # 经协调确定或者直接指定: may not be returned (潍坊条例第二十二条第二款)
    lead_unit: str = Field(default="", max_length=200)  # 主办单位
    assisting_units: list[str] = json_field(default_factory=list)  # 协办单位
    profile_code: str = Field(max_length=64)  # the time-limit profile in force at intake
    source_hash: str = Field(max_length=64)  # workflow.hotline.records.record_hash of the imported record

    # Handling
    assignee_id: int | None = Field(default=None, foreign_key="app_user.id")
    unit_id: int | None = Field(default=None, foreign_key="unit.id")
    state_before_return: str | None = Field(default=None, max_length=32)  # where reject_return goes back
    extensions_used: int = 0
    extension_days_total: int = 0
    next_due_at: datetime | None = None  # the nearest running clock, for sorting
    overdue_level: int = 0  # escalation ladder steps fired this cycle

    # Outcome
    result_text: str | None = Field(default=None, max_length=8000)
    replied_at: datetime | None = None
    callback_result: str | None = Field(default=None, max_length=24)  # states.hotline.CallbackResult
    callback_note: str = Field(default="", max_length=2000)
    closed_at: datetime | None = None
    terminated_reason: str | None = Field(default=None, max_length=2000)

    # Links
    merged_into_id: int | None = Field(default=None, foreign_key="workorder.id")  # 并单
    related_ids: list[int] = json_field(default_factory=list)  # repeat demands, earlier orders
    linked_disclosure_id: int | None = Field(default=None, foreign_key="disclosure.id")

    created_at: datetime
    updated_at: datetime


class WorkOrderCycle(SQLModel, table=True):
    """One handling cycle; re-handling or reassignment opens a new one so the first cycle's figures stay."""

    __tablename__ = "workorder_cycle"
    __table_args__ = (
        UniqueConstraint("workorder_id", "cycle"),
        # 12345 statistics (workflow/reports/hotline.py): a met clock's cycle figures, index-only; re-handlings.
        Index("ix_workorder_cycle_report", "workorder_id", "cycle", "extensions_used", "callback_result"),
        Index("ix_workorder_cycle_rehandle", "workorder_id", "cycle", postgresql_where=text("reason = 'rehandle'"),
              sqlite_where=text("reason = 'rehandle'")),
    )

    id: int | None = Field(default=None, primary_key=True)
    workorder_id: int = Field(foreign_key="workorder.id")
    cycle: int
    reason: str = Field(default="dispatch", max_length=16)  # dispatch | rehandle | reassign
    reason_text: str = Field(default="", max_length=2000)
    started_at: datetime
    signed_at: datetime | None = None
    sign_for_due_at: datetime | None = None
    handling_due_at: datetime | None = None
    due_source: str = Field(default="profile", max_length=16)  # platform | profile (effective_handling_due)
    replied_at: datetime | None = None
    callback_result: str | None = Field(default=None, max_length=24)
    signed_on_time: bool | None = None
    replied_on_time: bool | None = None
    extensions_used: int = 0  # approved extensions in this cycle (the profile's max_extensions is per cycle)
    extension_days: int = 0
    ended_at: datetime | None = None
