"""People in several agencies (issue 16): roles held in an agency other than one's own, and the agency a browser
session acts in.

Revision ID: 0008
Revises: 0007
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008"
down_revision: Union[str, None] = "0007"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('agency_membership',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('roles', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('user_id', 'agency_id')
    )
    with op.batch_alter_table('agency_membership', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agency_membership_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_agency_membership_user_id'), ['user_id'], unique=False)
    with op.batch_alter_table('web_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('agency_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_web_session_agency_id', 'agency', ['agency_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('web_session', schema=None) as batch_op:
        batch_op.drop_constraint('fk_web_session_agency_id', type_='foreignkey')
        batch_op.drop_column('agency_id')
    with op.batch_alter_table('agency_membership', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agency_membership_user_id'))
        batch_op.drop_index(batch_op.f('ix_agency_membership_agency_id'))
    op.drop_table('agency_membership')
