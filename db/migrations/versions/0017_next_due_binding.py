"""A case's next deadline is its nearest running clock that binds someone (a duty, or a period that lapses by
itself): the 7-working-day correction-notice window (条例第三十条) only allows a notice, yet registration wrote it as
the next deadline and nothing moved it once it passed — every application untouched for seven working days was
listed as overdue. The rows written so are computed again from their clocks.

Revision ID: 0017
Revises: 0016
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: Union[str, None] = "0016"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

BINDING = ("reply", "correction_period", "consultation", "fee_payment")  # the disclosure clock kinds that bind


def upgrade() -> None:
    kinds = ", ".join(f"'{k}'" for k in BINDING)
    op.execute(sa.text(f"""
        UPDATE disclosure SET next_due_at = (
            SELECT min(c.due_at) FROM clock c
            WHERE c.case_kind = 'disclosure' AND c.case_id = disclosure.id AND c.status = 'running'
              AND c.kind IN ({kinds}))
        WHERE EXISTS (
            SELECT 1 FROM clock w
            WHERE w.case_kind = 'disclosure' AND w.case_id = disclosure.id AND w.status = 'running'
              AND w.kind = 'correction_notice')"""))


def downgrade() -> None:
    """Nothing to undo: the rows keep the nearest binding deadline."""
