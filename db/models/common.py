"""Tables shared by both request kinds: audit events, clocks, ledger, outbox, files, series, jobs."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Column, Index, Integer, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from db.models._base import HOT_UPDATES, json_field


class Event(SQLModel, table=True):
    """Append-only audit trail: one row per action on a case (database triggers refuse UPDATE/DELETE)."""

    __tablename__ = "event"
    __table_args__ = (Index("ix_event_case", "case_kind", "case_id", "id"),)
    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    case_kind: str = Field(max_length=16)
    case_id: int
    actor_id: int | None = Field(default=None, foreign_key="app_user.id")
    actor_label: str = Field(default="", max_length=100)  # "系统" for sweeps
    action: str = Field(max_length=64)
    from_state: str | None = Field(default=None, max_length=40)
    to_state: str | None = Field(default=None, max_length=40)
    payload: dict[str, Any] = json_field()
    created_at: datetime


class Clock(SQLModel, table=True):
    """One legal/SLA time limit of a case, stored so dashboards and sweeps never recompute calendars."""

    __tablename__ = "clock"
    __table_args__ = (
        UniqueConstraint("case_kind", "case_id", "kind", "cycle"),
        Index("ix_clock_sweep", "status", "due_at"),
        # The due-now figures (workflow/reports/dashboard.py due_counts), one agency's and every agency's: the running
        # clocks with every column the count needs (read without visiting the rows; running clocks are few beside
        # the history).
        Index("ix_clock_running_due", "agency_id", "due_at", "case_kind", "case_id", "kind",
              postgresql_where=text("status = 'running'"), sqlite_where=text("status = 'running'")),
        Index("ix_clock_agency_due", "agency_id", "status", "due_at"),
        Index("ix_clock_assignee_due", "assignee_id", "status", "due_at"),
        Index("ix_clock_calver", "calendar_version", "status"),
        # The sweeps (workflow/sweep_*.py) select by agency, status and due day ranges.
        Index("ix_clock_sweep_day", "agency_id", "status", "due_date"),
        # On-time rate of replies (workflow/reports/stats.py): met reply clocks by the day they were met — one
        # agency's led by the agency (its own rows only, however many agencies there are: issue 21), and by the day
        # for the view of all agencies.
        Index("ix_clock_reply_met", "agency_id", "met_at", postgresql_include=["due_at", "assignee_id", "case_kind"],
              postgresql_where=text("kind = 'reply' AND status = 'met'"),
              sqlite_where=text("kind = 'reply' AND status = 'met'")),
        Index("ix_clock_reply_met_all", "met_at", postgresql_include=["agency_id", "due_at", "assignee_id", "case_kind"],
              postgresql_where=text("kind = 'reply' AND status = 'met'"),
              sqlite_where=text("kind = 'reply' AND status = 'met'")),
        # 12345 statistics (workflow/reports/hotline.py): met sign-for/handling/callback clocks by the day met; the
        # same pair (one agency, all agencies).
        Index("ix_clock_workorder_met", "agency_id", "kind", "met_at",
              postgresql_include=["due_at", "case_id", "cycle"],
              postgresql_where=text("case_kind = 'workorder' AND status = 'met'"),
              sqlite_where=text("case_kind = 'workorder' AND status = 'met'")),
        Index("ix_clock_workorder_met_all", "kind", "met_at",
              postgresql_include=["agency_id", "due_at", "case_id", "cycle"],
              postgresql_where=text("case_kind = 'workorder' AND status = 'met'"),
              sqlite_where=text("case_kind = 'workorder' AND status = 'met'")),
        HOT_UPDATES,  # PostgreSQL: room on each page for updates in place (db.models._base.FILLFACTOR)
    )
    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id")
    case_kind: str = Field(max_length=16)
    case_id: int
    kind: str = Field(max_length=32)
    cycle: int = 1
    status: str = Field(default="running", max_length=16)  # running | paused | met | cancelled
    unit: str = Field(default="wd", max_length=8)  # wd | wmin (working minutes) | fixed (an instant) | days
    amount: int  # base length in `unit`
    start_date: date | None = None  # base date (the start day itself is not counted)
    start_at: datetime | None = None  # base instant for minute clocks
    due_date: date | None = None
    due_at: datetime | None = None  # end of due_date in the agency's time zone, or the exact instant
    explanation: dict[str, Any] = json_field()
    calendar_version: int = 0
    provisional: bool = False
    missing_years: list[int] = json_field(default_factory=list)
    deadline_version: int = 1
    met_at: datetime | None = None
    breached_at: datetime | None = None
    overdue_level: int = 0
    assignee_id: int | None = Field(default=None, foreign_key="app_user.id")
    # The reminder sweep's high-water mark: the lowest ladder rung (working days before due) already
    # reminded for ``reminded_version`` of the deadline. A new deadline_version makes every rung new.
    # A server default (no Python-side one), so bulk inserts that do not name these columns keep working.
    reminded_version: int = Field(default=0, sa_column=Column("reminded_version", Integer, nullable=False,
                                                              server_default=text("0")))
    reminded_rung: int | None = None
    updated_at: datetime


class ClockAdjustment(SQLModel, table=True):
    """Ledger of what moved a clock: pauses, extensions, restarts — never an overwritten date."""

    __tablename__ = "clock_adjustment"
    id: int | None = Field(default=None, primary_key=True)
    clock_id: int = Field(foreign_key="clock.id", index=True)
    kind: str = Field(max_length=16)  # pause | extension | restart | delay
    start_date: date | None = None
    end_date: date | None = None  # None while a pause is open
    expected_end: date | None = None  # an open pause's expected end (e.g. the consultation deadline)
    workdays: int | None = None
    reason: str = Field(default="", max_length=500)
    actor_id: int | None = Field(default=None, foreign_key="app_user.id")
    approver_id: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime


class ApprovalRequest(SQLModel, table=True):
    """A request waiting for a leader (e.g. an extension) — one table for both case kinds."""

    __tablename__ = "approval_request"
    __table_args__ = (Index("ix_approval_pending", "agency_id", "status"),)
    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id")
    case_kind: str = Field(max_length=16)
    case_id: int
    kind: str = Field(max_length=32)
    payload: dict[str, Any] = json_field()
    status: str = Field(default="pending", max_length=16)  # pending | approved | denied
    requested_by: int | None = Field(default=None, foreign_key="app_user.id")
    requested_at: datetime
    decided_by: int | None = Field(default=None, foreign_key="app_user.id")
    decided_at: datetime | None = None
    decision_note: str = Field(default="", max_length=500)


class Outbox(SQLModel, table=True):
    """A notice to render/deliver after commit; written in the same transaction as the state change."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "status", "next_attempt_at"),
        Index("ix_outbox_case", "case_kind", "case_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    case_kind: str | None = Field(default=None, max_length=16)
    case_id: int | None = None
    notice_type: str = Field(max_length=64)
    channel: str = Field(max_length=16)  # email | internal | print
    recipient: str = Field(default="", max_length=320)  # an address, "user:<id>", or "" for print
    recipient_name: str = Field(default="", max_length=200)
    context: dict[str, Any] = json_field()
    dedupe_key: str = Field(max_length=300, unique=True)
    status: str = Field(default="pending", max_length=16)  # pending | sending | sent | dead | held
    attempts: int = 0
    next_attempt_at: datetime
    locked_by: str | None = Field(default=None, max_length=100)
    lease_until: datetime | None = None
    last_error: str | None = Field(default=None, max_length=2000)
    message_id: str | None = Field(default=None, max_length=300)
    sent_at: datetime | None = None
    created_at: datetime


class StoredFile(SQLModel, table=True):
    """A content-hashed file under the files directory: scans, corrections, replies, generated notices."""

    __tablename__ = "stored_file"
    __table_args__ = (Index("ix_stored_file_case", "case_kind", "case_id"),)
    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    case_kind: str | None = Field(default=None, max_length=16)
    case_id: int | None = None
    category: str = Field(max_length=32)  # application | correction | reply_info | notice | attachment
    notice_type: str | None = Field(default=None, max_length=64)
    filename: str = Field(max_length=255)
    content_type: str = Field(max_length=120)
    sha256: str = Field(max_length=64, index=True)
    size: int
    for_applicant: bool = False  # downloadable by the applicant through the public look-up
    created_by: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime


class NumberSeries(SQLModel, table=True):
    """Gap-free counters (tracking numbers, document numbers) per agency, kind and year."""

    __tablename__ = "number_series"
    agency_id: int = Field(foreign_key="agency.id", primary_key=True)
    kind: str = Field(max_length=32, primary_key=True)
    year: int = Field(primary_key=True)
    last_value: int = 0


class JobRun(SQLModel, table=True):
    """Claims a recurring job's slot once across all instances (INSERT … ON CONFLICT DO NOTHING)."""

    __tablename__ = "job_run"
    __table_args__ = (UniqueConstraint("job", "slot"),)
    id: int | None = Field(default=None, primary_key=True)
    job: str = Field(max_length=64)
    slot: str = Field(max_length=64)
    instance: str = Field(max_length=100)
    started_at: datetime
    finished_at: datetime | None = None
    stats: dict[str, Any] = json_field()


class SweepStatus(SQLModel, table=True):
    """Last run, counts and lag per sweep (for the admin page)."""

    __tablename__ = "sweep_status"
    job: str = Field(primary_key=True, max_length=64)
    last_started_at: datetime | None = None
    last_finished_at: datetime | None = None
    last_instance: str | None = Field(default=None, max_length=100)
    last_stats: dict[str, Any] = json_field()
    last_error: str | None = Field(default=None, max_length=2000)


__all__ = ["ApprovalRequest", "Clock", "ClockAdjustment", "Event", "JobRun", "NumberSeries", "Outbox",
           "StoredFile", "SweepStatus"]
