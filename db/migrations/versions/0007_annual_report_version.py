"""Annual report versions (issue 14 item 4): the figures of a year's report as last generated, so that the report
page can say when a back-filled step has changed them since.

Revision ID: 0007
Revises: 0006
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007"
down_revision: Union[str, None] = "0006"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('annual_report_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('report_format', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.Column('generated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('last_generated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('generated_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], ),
    sa.ForeignKeyConstraint(['generated_by'], ['app_user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('annual_report_version', schema=None) as batch_op:
        batch_op.create_index('ix_annual_report_version', ['agency_id', 'year', 'report_format', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('annual_report_version', schema=None) as batch_op:
        batch_op.drop_index('ix_annual_report_version')
    op.drop_table('annual_report_version')
