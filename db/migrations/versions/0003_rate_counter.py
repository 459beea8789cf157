"""Public rate-limit counters in the database, shared by every instance (workflow.portal.rate_limits).

Revision ID: 0003
Revises: 0002
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0003"
down_revision: Union[str, None] = "0002"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('rate_counter',
    sa.Column('scope', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('window_start', sa.Integer(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('scope', 'key', 'window_start')
    )
    with op.batch_alter_table('rate_counter', schema=None) as batch_op:
        batch_op.create_index('ix_rate_counter_expiry', ['scope', 'window_start'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('rate_counter', schema=None) as batch_op:
        batch_op.drop_index('ix_rate_counter_expiry')
    op.drop_table('rate_counter')
