"""Agencies as administered objects: kind, active flag and an index on the parent (the hierarchy); accounts that
must change their password at the next login; the old placeholder remedy bodies removed from stored settings.

Revision ID: 0004
Revises: 0003
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004"
down_revision: Union[str, None] = "0003"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# Defaults of earlier releases, written into settings by the old settings form: placeholders, never a real body.
PLACEHOLDERS = {"reconsideration_organ": "某县人民政府", "litigation_court": "有管辖权的人民法院"}


def upgrade() -> None:
    with op.batch_alter_table("agency", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=16), nullable=False, server_default="department"))
        batch_op.add_column(sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column("deactivated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.create_index(batch_op.f("ix_agency_parent_id"), ["parent_id"], unique=False)
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("must_change_password", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    agency = sa.table("agency", sa.column("id", sa.Integer), sa.column("settings", sa.JSON))
    conn = op.get_bind()
    for row in conn.execute(sa.select(agency.c.id, agency.c.settings)).all():
        settings = dict(row.settings or {})
        cleaned = {k: v for k, v in settings.items() if PLACEHOLDERS.get(k) != v}
        if cleaned != settings:
            conn.execute(agency.update().where(agency.c.id == row.id).values(settings=cleaned))


def downgrade() -> None:
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.drop_column("must_change_password")
    with op.batch_alter_table("agency", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agency_parent_id"))
        batch_op.drop_column("deactivated_at")
        batch_op.drop_column("active")
        batch_op.drop_column("kind")
