"""条例第三十五条: the applicant's reasons, once asked for (说明理由告知书), are recorded on the application — the day
they came, what they said and whether the agency found them reasonable — so that 不予处理 (无正当理由大量反复申请)
and a delayed reply period (延迟答复) rest on them. The period to state them is a clock (``reasons_period``).

Revision ID: 0018
Revises: 0017
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0018"
down_revision: Union[str, None] = "0017"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('disclosure', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reasons_received_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('reasons_text', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('reasons_assessment', sqlmodel.sql.sqltypes.AutoString(length=16),
                                      nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('disclosure', schema=None) as batch_op:
        batch_op.drop_column('reasons_assessment')
        batch_op.drop_column('reasons_text')
        batch_op.drop_column('reasons_received_date')
