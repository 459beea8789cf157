"""Disclosure applications (依申请公开) and their consultations and remedy records."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Column, Index, Integer, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from db.models._base import HOT_UPDATES, json_field

_disclosure_version = Column("version", Integer, nullable=False, default=1)


class Disclosure(SQLModel, table=True):
    """One application under the 2019 Regulation; ``state`` is a plain string (states.disclosure)."""

    __tablename__ = "disclosure"
    __table_args__ = (
        UniqueConstraint("agency_id", "tracking_no"),
        UniqueConstraint("agency_id", "submission_no"),  # each agency numbers its online submissions
        UniqueConstraint("agency_id", "source_no"),  # the agency's own number of an imported case (workflow.golive)
        Index("ix_disclosure_agency_state", "agency_id", "state"),
        Index("ix_disclosure_assignee", "assignee_id", "state"),
        # One agency's figures (leaders' statistics, the annual report, the dashboard) read its own rows only, however
        # many agencies share the table (issue 21); INCLUDE makes the GROUP BYs index-only scans on PostgreSQL.
        Index("ix_disclosure_receipt", "agency_id", "receipt_date",
              postgresql_include=["concluded_date", "applicant_category", "report_row"]),
        Index("ix_disclosure_concluded", "agency_id", "concluded_date",
              postgresql_include=["receipt_date", "applicant_category", "report_row", "extended", "replied_at",
                                  "assignee_id", "unit_id"]),
        Index("ix_disclosure_applicant", "agency_id", "applicant_key", "receipt_date"),
        Index("ix_disclosure_next_due", "agency_id", "next_due_at"),
        # The same figures for all agencies (a supervisor's view): date-leading.
        Index("ix_disclosure_report_receipt", "receipt_date", "agency_id",
              postgresql_include=["concluded_date", "applicant_category", "report_row"]),
        Index("ix_disclosure_report_concluded", "concluded_date", "agency_id",
              postgresql_include=["receipt_date", "applicant_category", "report_row", "extended", "replied_at",
                                  "assignee_id", "unit_id"]),
        Index("ix_disclosure_report_open", "agency_id", "receipt_date",
              postgresql_include=["assignee_id", "unit_id"],
              postgresql_where=text("concluded_date IS NULL"), sqlite_where=text("concluded_date IS NULL")),
        # Fees collected in a year (annual report table 二): one agency's, and all agencies'.
        Index("ix_disclosure_fee_paid", "agency_id", "fee_paid_date", postgresql_include=["fee_amount"],
              postgresql_where=text("fee_paid_date IS NOT NULL"), sqlite_where=text("fee_paid_date IS NOT NULL")),
        Index("ix_disclosure_fee_paid_all", "fee_paid_date", postgresql_include=["agency_id", "fee_amount"],
              postgresql_where=text("fee_paid_date IS NOT NULL"), sqlite_where=text("fee_paid_date IS NOT NULL")),
        HOT_UPDATES,  # PostgreSQL: room on each page for updates in place (db.models._base.FILLFACTOR)
    )
    # The workflow bumps ``version`` itself once per action (even one that changes no other column);
    # SQLAlchemy still adds "WHERE version = <old>" to the UPDATE, so a concurrent writer fails.
    __mapper_args__ = {"version_id_col": _disclosure_version, "version_id_generator": False}

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id")
    version: int = Field(default=1, sa_column=_disclosure_version)
    state: str = Field(max_length=32)
    tracking_no: str | None = Field(default=None, max_length=64)  # None until registered
    submission_no: str | None = Field(default=None, max_length=64)  # online submissions (workflow.portal.submissions)
    source_no: str | None = Field(default=None, max_length=64)  # 原编号: the agency's number before go-live (import)
    query_code_hash: str = Field(max_length=128)

    # Applicant (条例第二十九条第一项)
    applicant_type: str = Field(max_length=16)  # natural | organization
    applicant_category: str = Field(max_length=24)  # natural|business|research|public_welfare|legal_service|other
    applicant_name: str = Field(max_length=200)
    id_type: str = Field(max_length=32)
    id_number: str = Field(max_length=64)
    applicant_key: str = Field(max_length=100)  # normalised id_type:id_number, for fee counting
    phone: str = Field(default="", max_length=40)
    email: str = Field(default="", max_length=254)
    address: str = Field(default="", max_length=300)
    postal_code: str = Field(default="", max_length=10)
    contact_person: str = Field(default="", max_length=100)  # organisations
    assisted: bool = False  # 条例第四十三条
    oral: bool = False  # 条例第二十九条: 口头提出，代为填写

    # Request (条例第二十九条第二、三项)
    description: str = Field(max_length=4000)
    document_ref: str = Field(default="", max_length=200)
    purpose: str = Field(default="", max_length=1000)
    form_wanted: str = Field(max_length=16)  # paper | electronic | inspection
    obtain_way: str = Field(max_length=16)  # collect | post | email | online

    # Receipt (条例第三十一条)
    channel: str = Field(max_length=16)  # in_person | post_signed | letter | internet | fax | email
    received_at_raw: datetime
    confirmed_at: datetime | None = None
    receipt_date: date | None = None
    base_date: date | None = None  # the reply clock's base (receipt, or the corrected application)
    registered_at: datetime | None = None
    registered_by: int | None = Field(default=None, foreign_key="app_user.id")

    # Handling
    assignee_id: int | None = Field(default=None, foreign_key="app_user.id")
    unit_id: int | None = Field(default=None, foreign_key="unit.id")
    correction_requested: bool = False
    extended: bool = False
    extension_days: int = 0
    delayed: bool = False  # 条例第三十五条 delayed reply period set
    # 条例第三十五条: the applicant's reasons, asked for by the latest 说明理由告知书 (its period is the
    # ``reasons_period`` clock), when received, what they said and what the agency found of them
    reasons_received_date: date | None = None
    reasons_text: str = Field(default="", max_length=2000)
    reasons_assessment: str | None = Field(default=None, max_length=16)  # reasonable | unreasonable
    next_due_at: datetime | None = None  # the nearest running clock, for "my cases" sorting
    overdue_level: int = 0

    # Fees (国办函〔2020〕109号)
    fee_method: str | None = Field(default=None, max_length=8)  # item | page
    fee_amount: int | None = None  # yuan
    fee_detail: dict[str, Any] = json_field()
    fee_notice_date: date | None = None
    fee_paid_date: date | None = None

    # Outcome (resolution kept apart from state)
    decision: str | None = Field(default=None, max_length=40)  # states.decisions code
    decision_detail: dict[str, Any] = json_field()
    report_row: str | None = Field(default=None, max_length=16)  # table 三 row key, e.g. "3.4"
    reply_doc_no: str | None = Field(default=None, max_length=64)
    replied_at: datetime | None = None
    concluded_at: datetime | None = None
    concluded_date: date | None = None  # counts for table 三 in this date's year
    delivery: dict[str, Any] = json_field()
    delivered_date: date | None = None
    withdrawn_at: datetime | None = None

    # Links
    linked_workorder_id: int | None = None
    source_workorder_id: int | None = None
    duplicate_flag: bool = False

    created_at: datetime
    updated_at: datetime


class Consultation(SQLModel, table=True):
    """A consultation of a third party (条例第三十二条) or another agency (第三十四条)."""

    __tablename__ = "consultation"
    id: int | None = Field(default=None, primary_key=True)
    disclosure_id: int = Field(foreign_key="disclosure.id", index=True)
    consultee_kind: str = Field(max_length=16)  # third_party | agency
    consultee_name: str = Field(max_length=200)
    consultee_contact: str = Field(default="", max_length=300)
    sent_date: date
    due_date: date | None = None
    received_date: date | None = None
    opinion: str | None = Field(default=None, max_length=16)  # agree | object | none (silent)
    opinion_text: str = Field(default="", max_length=2000)
    deemed: bool = False  # silence after 15 working days


class RemedyCase(SQLModel, table=True):
    """Reconsideration or litigation about an application (for annual-report table 四)."""

    __tablename__ = "remedy_case"
    __table_args__ = (Index("ix_remedy_agency_kind", "agency_id", "kind"),)
    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id")
    disclosure_id: int | None = Field(default=None, foreign_key="disclosure.id")
    kind: str = Field(max_length=32)  # reconsideration | litigation_direct | litigation_after_reconsideration
    filed_date: date
    outcome: str = Field(default="pending", max_length=16)  # upheld | corrected | other | pending
    decided_date: date | None = None
    note: str = Field(default="", max_length=1000)
    created_at: datetime


class AnnualReportVersion(SQLModel, table=True):
    """The figures of an annual report as last generated (workflow.reports.versions): when a step back-filled later
    changes a year already reported, the report page shows the difference from this version."""

    __tablename__ = "annual_report_version"
    __table_args__ = (Index("ix_annual_report_version", "agency_id", "year", "report_format", "id"),)
    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id")
    year: int
    report_format: str = Field(max_length=8)  # 2021 | 2019
    figures: dict[str, Any] = json_field()  # {"table3": {row: [7 values]}, "fee": yuan, "table4": [15 values]}
    generated_at: datetime  # first generated with these figures
    last_generated_at: datetime  # generated again with the same figures
    generated_by: int | None = Field(default=None, foreign_key="app_user.id")
