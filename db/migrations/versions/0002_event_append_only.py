"""Audit events are append-only: the database refuses UPDATE and DELETE on ``event``.

Revision ID: 0002
Revises: 0001
"""
from typing import Sequence, Union

from alembic import op

revision: str = "0002"
down_revision: Union[str, None] = "0001"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("CREATE TRIGGER event_no_update BEFORE UPDATE ON event "
                   "BEGIN SELECT RAISE(ABORT, 'event is append-only'); END")
        op.execute("CREATE TRIGGER event_no_delete BEFORE DELETE ON event "
                   "BEGIN SELECT RAISE(ABORT, 'event is append-only'); END")
    else:
        op.execute("""
            CREATE OR REPLACE FUNCTION banli_event_append_only() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION 'event is append-only'; END; $$ LANGUAGE plpgsql""")
        op.execute("CREATE TRIGGER event_no_update_delete BEFORE UPDATE OR DELETE ON event "
                   "FOR EACH ROW EXECUTE FUNCTION banli_event_append_only()")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS event_no_update")
        op.execute("DROP TRIGGER IF EXISTS event_no_delete")
    else:
        op.execute("DROP TRIGGER IF EXISTS event_no_update_delete ON event")
        op.execute("DROP FUNCTION IF EXISTS banli_event_append_only()")
