"""Fill factor 85 on the tables updated most (issue 21, PostgreSQL only): the cases and their clocks keep room on
each page so that an update changing no indexed column (a reminder rung, an overdue level, a version) stays on its
page without writing an index entry (HOT). New pages take it at once; existing rows as they are rewritten (or after
``VACUUM FULL``).

Revision ID: 0016
Revises: 0015
"""
from typing import Sequence, Union

from alembic import op

from db.models._base import FILLFACTOR

revision: str = "0016"
down_revision: Union[str, None] = "0015"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

TABLES = ("disclosure", "clock", "workorder")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"ALTER TABLE {table} SET (fillfactor = {FILLFACTOR})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"ALTER TABLE {table} RESET (fillfactor)")
