"""The fixed-date statutory holidays (全国年节及纪念日放假办法第二条: 元旦, 劳动节, 国庆节) a year without its holiday
notice is counted with, kept with the calendar's state: the first start after this revision stores them from the
packaged data (workflow/calendar/data/fixed_holidays.yaml) and bumps the calendar version, so the recompute sweep
counts every open deadline again — a provisional one reaching 1 January 2027 no longer counts it as a working day.

Revision ID: 0019
Revises: 0018
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: Union[str, None] = "0018"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column("calendar_state", sa.Column("fixed_holidays", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("calendar_state") as batch:
        batch.drop_column("fixed_holidays")
