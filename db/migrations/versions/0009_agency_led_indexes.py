"""Indexes led by the agency wherever a query reads one agency's rows (issue 21).

One agency's statistics read every agency's met reply clocks of the year through ``ix_clock_reply_met`` (led by
``met_at``): at 10 M applications and 200 agencies an agency paid for all of them. Now:

- ``ix_clock_reply_met`` and ``ix_clock_workorder_met`` are led by ``agency_id``; the all-agencies view keeps a
  date-led twin (``…_all``), as do the fees of table 二 (``ix_disclosure_fee_paid`` / ``…_all``);
- the agency-led ``ix_disclosure_receipt``, ``ix_disclosure_concluded`` and ``ix_workorder_received`` carry the
  columns the GROUP BYs read (INCLUDE, PostgreSQL), so one agency's figures are index-only scans like all agencies'.

On a large PostgreSQL database the index builds take a while (minutes at 10 M rows) and lock writes to the tables
meanwhile: run ``banli migrate`` in a maintenance window.

Revision ID: 0009
Revises: 0008
"""
from typing import Any, Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: Union[str, None] = "0008"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

REPLY_MET = "kind = 'reply' AND status = 'met'"
WORKORDER_MET = "case_kind = 'workorder' AND status = 'met'"
FEE_PAID = "fee_paid_date IS NOT NULL"

# name → (table, columns, include, where) before and after
Spec = tuple[str, list[str], list[str], str | None]
BEFORE: dict[str, Spec] = {
    "ix_clock_reply_met": ("clock", ["met_at", "agency_id"], ["due_at", "assignee_id", "case_kind"], REPLY_MET),
    "ix_clock_workorder_met": ("clock", ["kind", "agency_id", "met_at"], ["due_at", "case_id", "cycle"], WORKORDER_MET),
    "ix_disclosure_fee_paid": ("disclosure", ["fee_paid_date", "agency_id"], ["fee_amount"], FEE_PAID),
    "ix_disclosure_receipt": ("disclosure", ["agency_id", "receipt_date"], [], None),
    "ix_disclosure_concluded": ("disclosure", ["agency_id", "concluded_date"], [], None),
    "ix_workorder_received": ("workorder", ["agency_id", "received_at"], [], None),
}
AFTER: dict[str, Spec] = {
    "ix_clock_reply_met": ("clock", ["agency_id", "met_at"], ["due_at", "assignee_id", "case_kind"], REPLY_MET),
    "ix_clock_reply_met_all": ("clock", ["met_at"], ["agency_id", "due_at", "assignee_id", "case_kind"], REPLY_MET),
    "ix_clock_workorder_met": ("clock", ["agency_id", "kind", "met_at"], ["due_at", "case_id", "cycle"], WORKORDER_MET),
    "ix_clock_workorder_met_all": ("clock", ["kind", "met_at"], ["agency_id", "due_at", "case_id", "cycle"],
                                   WORKORDER_MET),
    "ix_disclosure_fee_paid": ("disclosure", ["agency_id", "fee_paid_date"], ["fee_amount"], FEE_PAID),
    "ix_disclosure_fee_paid_all": ("disclosure", ["fee_paid_date"], ["agency_id", "fee_amount"], FEE_PAID),
    "ix_disclosure_receipt": ("disclosure", ["agency_id", "receipt_date"],
                              ["concluded_date", "applicant_category", "report_row"], None),
    "ix_disclosure_concluded": ("disclosure", ["agency_id", "concluded_date"],
                                ["receipt_date", "applicant_category", "report_row", "extended", "replied_at",
                                 "assignee_id", "unit_id"], None),
    "ix_workorder_received": ("workorder", ["agency_id", "received_at"], ["category", "resolution"], None),
}


def _options(include: list[str], where: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if include:
        out["postgresql_include"] = include
    if where:
        out["postgresql_where"] = sa.text(where)
        out["sqlite_where"] = sa.text(where)
    return out


def _swap(old: dict[str, Spec], new: dict[str, Spec]) -> None:
    for name in old:
        op.drop_index(name, table_name=old[name][0])
    for name, (table, columns, include, where) in new.items():
        op.create_index(name, table, columns, unique=False, **_options(include, where))


def upgrade() -> None:
    _swap(BEFORE, AFTER)


def downgrade() -> None:
    _swap(AFTER, BEFORE)
