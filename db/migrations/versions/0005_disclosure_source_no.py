"""Go-live import (issue 14): an application brought in from the agency's paper 台账 keeps its own number
(原编号), unique per agency, so importing the same file again adds nothing.

Revision ID: 0005
Revises: 0004
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0005"
down_revision: Union[str, None] = "0004"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('disclosure', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_no', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.create_unique_constraint('uq_disclosure_agency_id_source_no', ['agency_id', 'source_no'])


def downgrade() -> None:
    with op.batch_alter_table('disclosure', schema=None) as batch_op:
        batch_op.drop_constraint('uq_disclosure_agency_id_source_no', type_='unique')
        batch_op.drop_column('source_no')
