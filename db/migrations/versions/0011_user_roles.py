"""Roles as rows (issue 17): one ``user_role`` row per (person, agency, role) instead of comma-separated text in
``app_user.roles`` (the person's own agency) and ``agency_membership.roles`` (another agency they serve). The text is
copied into rows (names trimmed, each pair once), then the column and the membership table go: a person serves an
agency where they hold a role there. (The audit trail keeps when each membership was granted.)

Revision ID: 0011
Revises: 0010
"""
from datetime import UTC, datetime
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0011"
down_revision: Union[str, None] = "0010"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

user_role = sa.table("user_role", sa.column("user_id", sa.Integer), sa.column("agency_id", sa.Integer),
                     sa.column("role", sa.String))
app_user = sa.table("app_user", sa.column("id", sa.Integer), sa.column("agency_id", sa.Integer),
                    sa.column("roles", sa.String))
membership = sa.table("agency_membership", sa.column("user_id", sa.Integer), sa.column("agency_id", sa.Integer),
                      sa.column("roles", sa.String), sa.column("created_at", sqlmodel.sql.sqltypes.UTCDateTime))


def _create_membership() -> None:
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


def upgrade() -> None:
    op.create_table('user_role',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('user_id', 'agency_id', 'role')
    )
    with op.batch_alter_table('user_role', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_role_agency_id'), ['agency_id'], unique=False)

    conn = op.get_bind()
    held: set[tuple[int, int, str]] = set()
    for table in (app_user, membership):
        who = table.c.id if table is app_user else table.c.user_id
        for user_id, agency_id, text in conn.execute(sa.select(who, table.c.agency_id, table.c.roles)).all():
            held.update((user_id, agency_id, r.strip()) for r in (text or "").split(",") if r.strip())
    if held:
        conn.execute(user_role.insert(), [{"user_id": u, "agency_id": a, "role": r} for u, a, r in sorted(held)])

    with op.batch_alter_table('agency_membership', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agency_membership_user_id'))
        batch_op.drop_index(batch_op.f('ix_agency_membership_agency_id'))
    op.drop_table('agency_membership')
    # In place, not a batch (a batch rebuilds app_user on SQLite, refused: other tables reference it); SQLite drops a
    # column since 3.35.
    op.execute("ALTER TABLE app_user DROP COLUMN roles")


def downgrade() -> None:
    op.add_column('app_user', sa.Column('roles', sqlmodel.sql.sqltypes.AutoString(length=200), server_default='',
                                        nullable=False))
    _create_membership()
    conn = op.get_bind()
    home = dict(conn.execute(sa.select(app_user.c.id, app_user.c.agency_id)).all())
    texts: dict[tuple[int, int], list[str]] = {}
    for user_id, agency_id, role in conn.execute(sa.select(user_role.c.user_id, user_role.c.agency_id,
                                                           user_role.c.role)).all():
        texts.setdefault((user_id, agency_id), []).append(role)
    now = datetime.now(UTC)
    for (user_id, agency_id), roles in sorted(texts.items()):
        text = ",".join(sorted(roles))
        if home.get(user_id) == agency_id:
            conn.execute(app_user.update().where(app_user.c.id == user_id).values(roles=text))
        else:
            conn.execute(membership.insert().values(user_id=user_id, agency_id=agency_id, roles=text, created_at=now))
    with op.batch_alter_table('user_role', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_role_agency_id'))
    op.drop_table('user_role')
