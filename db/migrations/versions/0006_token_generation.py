"""Ending an account's sessions ends its API tokens too (issue 15): a generation number on the account that
every token carries; ending the sessions bumps it.

Revision ID: 0006
Revises: 0005
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: Union[str, None] = "0005"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


# Not batches (which rebuild app_user on SQLite, and the rebuild is refused: other tables reference it): both
# databases add and drop a column in place (SQLite drops one since 3.35).
def upgrade() -> None:
    op.add_column('app_user', sa.Column('token_generation', sa.Integer(), server_default=sa.text('0'), nullable=False))


def downgrade() -> None:
    op.execute("ALTER TABLE app_user DROP COLUMN token_generation")
