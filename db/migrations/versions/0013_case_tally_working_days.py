"""Maintained summaries (issue 21): replies' working days from receipt (``wd`` over ``wd_n`` replies) in
``case_tally``, so the leaders' average working days to reply is read from the summaries too; filled by a rebuild.

Revision ID: 0013
Revises: 0012
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

from workflow.tally.rebuild import rebuild_connection

revision: str = "0013"
down_revision: Union[str, None] = "0012"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('case_tally', schema=None) as batch_op:
        batch_op.add_column(sa.Column('wd_n', sa.Integer(), server_default=sa.text('0'), nullable=False))
        batch_op.add_column(sa.Column('wd', sa.Integer(), server_default=sa.text('0'), nullable=False))
    rebuild_connection(op.get_bind(), None)


def downgrade() -> None:
    with op.batch_alter_table('case_tally', schema=None) as batch_op:
        batch_op.drop_column('wd')
        batch_op.drop_column('wd_n')
