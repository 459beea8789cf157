"""Maintained summaries (issue 21): monthly twins of the daily grains (a period reads its whole months from them) and
an index for the view of all agencies; the table is rebuilt to add the twins.

Revision ID: 0014
Revises: 0013
"""
from typing import Sequence, Union

from alembic import op

from workflow.tally.rebuild import rebuild_connection

revision: str = "0014"
down_revision: Union[str, None] = "0013"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_index('ix_case_tally_all', 'case_tally', ['case_kind', 'grain', 'day'], unique=False)
    rebuild_connection(op.get_bind(), None)


def downgrade() -> None:
    op.drop_index('ix_case_tally_all', table_name='case_tally')
    op.execute("DELETE FROM case_tally WHERE grain IN ('m', 'q', 'v')")
