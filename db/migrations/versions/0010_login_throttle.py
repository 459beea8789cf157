"""Failed logins counted in the database (issue 15): per client address and per login name, shared by every
instance (workflow.accounts.throttle); the account's own failure count and lock move there (a name without an
account is counted and locked the same way, so the answers tell nothing about which accounts exist). Locks
in force are carried over.

Revision ID: 0010
Revises: 0009
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0010"
down_revision: Union[str, None] = "0009"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('login_throttle',
    sa.Column('scope', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('window_start', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('blocked_until', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('scope', 'key')
    )
    with op.batch_alter_table('login_throttle', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_throttle_expires_at'), ['expires_at'], unique=False)
    op.execute("INSERT INTO login_throttle (scope, key, failures, window_start, blocked_until, expires_at) "
               "SELECT 'name', username, failed_logins, locked_until, locked_until, locked_until "
               "FROM app_user WHERE locked_until IS NOT NULL")
    # In place, not batches (a batch rebuilds app_user on SQLite, refused: other tables reference it); SQLite
    # drops a column since 3.35.
    op.execute("ALTER TABLE app_user DROP COLUMN failed_logins")
    op.execute("ALTER TABLE app_user DROP COLUMN locked_until")


def downgrade() -> None:
    op.add_column('app_user', sa.Column('failed_logins', sa.Integer(), server_default=sa.text('0'), nullable=False))
    op.add_column('app_user', sa.Column('locked_until', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    op.execute("UPDATE app_user SET locked_until = (SELECT blocked_until FROM login_throttle t "
               "WHERE t.scope = 'name' AND t.key = app_user.username)")
    with op.batch_alter_table('login_throttle', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_throttle_expires_at'))
    op.drop_table('login_throttle')
