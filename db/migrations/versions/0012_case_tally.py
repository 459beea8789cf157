"""Maintained summaries (issue 21): ``case_tally``, the counts the leaders' and supervisors' pages read, filled from
the existing cases by the same rebuild ``banli stats rebuild`` runs (workflow.tally.rebuild) in 0013.

Revision ID: 0012
Revises: 0011
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0012"
down_revision: Union[str, None] = "0011"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

COUNTS = ("cases", "received", "concluded", "closed", "replied", "on_time", "extended")


def upgrade() -> None:
    op.create_table(
        'case_tally',
        sa.Column('agency_id', sa.Integer(), nullable=False),
        sa.Column('case_kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('grain', sqlmodel.sql.sqltypes.AutoString(length=1), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('assignee_id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('category', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column('report_row', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        *[sa.Column(name, sa.Integer(), server_default=sa.text('0'), nullable=False) for name in COUNTS],
        sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], ),
        sa.PrimaryKeyConstraint('agency_id', 'case_kind', 'grain', 'day', 'assignee_id', 'unit_id', 'category',
                                'report_row', 'state', name='pk_case_tally'),
    )
    # filled by 0013's rebuild (the summaries of the cases already there), once the table has all its columns


def downgrade() -> None:
    op.drop_table('case_tally')
