"""Audit events are append-only in the database, and the audit viewer's filters are served by indexes.

On PostgreSQL a trigger refuses UPDATE, DELETE and TRUNCATE of audit_event, whoever asks (the app's own
mapper events refuse them too, but a database copy, a psql session or a bug would not go through those).
Removing events is allowed only in a transaction that has set `SET LOCAL crm.allow_audit_purge = 'on'`:
the test suite's clean-up does, and so will the retention command when audit events reach the end of their
period. Nothing else in the app sets it. The triggers are ENABLE ALWAYS, so they fire in a replica session
(`session_replication_role = replica`) too. SQLite (development and the first test pass) has no such guard.

Each filter of /staff/admin/audit is an index whose last column is occurred_at, so a filtered page is read
newest first from the index: person, action, and kind of record with its record.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 10:30:00

"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

PURGE_SETTING = "crm.allow_audit_purge"

CREATE_GUARD = f"""
CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'UPDATE' AND coalesce(current_setting('{PURGE_SETTING}', true), '') = 'on' THEN
        RETURN OLD;  -- NULL would skip the row; for TRUNCATE (a statement trigger) OLD is NULL and ignored
    END IF;
    RAISE EXCEPTION 'audit events cannot be changed or deleted (%)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event
    FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();
CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
    FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only();
ALTER TABLE audit_event ENABLE ALWAYS TRIGGER audit_event_no_change;
ALTER TABLE audit_event ENABLE ALWAYS TRIGGER audit_event_no_truncate;
"""

DROP_GUARD = """
DROP TRIGGER audit_event_no_truncate ON audit_event;
DROP TRIGGER audit_event_no_change ON audit_event;
DROP FUNCTION audit_event_append_only();
"""


def upgrade():
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_event_actor_id")
        batch_op.drop_index("ix_audit_event_action")
        batch_op.drop_index("ix_audit_event_entity")
        batch_op.create_index("ix_audit_event_actor_occurred", ["actor_id", "occurred_at"], unique=False)
        batch_op.create_index("ix_audit_event_action_occurred", ["action", "occurred_at"], unique=False)
        batch_op.create_index(
            "ix_audit_event_entity_occurred", ["entity_type", "entity_id", "occurred_at"], unique=False
        )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(CREATE_GUARD)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(DROP_GUARD)
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_event_entity_occurred")
        batch_op.drop_index("ix_audit_event_action_occurred")
        batch_op.drop_index("ix_audit_event_actor_occurred")
        batch_op.create_index("ix_audit_event_entity", ["entity_type", "entity_id"], unique=False)
        batch_op.create_index("ix_audit_event_action", ["action"], unique=False)
        batch_op.create_index("ix_audit_event_actor_id", ["actor_id"], unique=False)
