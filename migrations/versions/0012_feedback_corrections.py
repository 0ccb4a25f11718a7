"""Feedback that can be corrected: its first words kept when the text is edited, why it is excluded, and
the item it duplicates.

Items already excluded were excluded by their responses (marked spam or withdrawn), so their reason is
"response". On SQLite the table is rebuilt to add the constraints, which drops the full-text triggers of
migration 0004; they are made again afterwards, as migration 0006 does.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29 13:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

REASONS = ("spam", "withdrawn", "out_of_scope", "duplicate", "response")
# As migrations 0004 and 0006 made them: they keep feedback_fts in step with feedback on SQLite.
SQLITE_FEEDBACK_TRIGGERS = [
    "CREATE TRIGGER feedback_fts_insert AFTER INSERT ON feedback BEGIN "
    "INSERT INTO feedback_fts(rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER feedback_fts_delete AFTER DELETE ON feedback BEGIN "
    "INSERT INTO feedback_fts(feedback_fts, rowid, text) VALUES ('delete', old.id, old.text); END",
    "CREATE TRIGGER feedback_fts_update AFTER UPDATE OF text ON feedback BEGIN "
    "INSERT INTO feedback_fts(feedback_fts, rowid, text) VALUES ('delete', old.id, old.text); "
    "INSERT INTO feedback_fts(rowid, text) VALUES (new.id, new.text); END",
]


def _sqlite_triggers(create: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for trigger in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER IF EXISTS feedback_fts_{trigger}")
    if create:
        for statement in SQLITE_FEEDBACK_TRIGGERS:
            op.execute(statement)


def upgrade():
    _sqlite_triggers(create=False)
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.add_column(sa.Column("original_text", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("exclusion_reason", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("exclusion_note", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(sa.Column("duplicate_of_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_feedback_duplicate_of_id"), ["duplicate_of_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_feedback_duplicate_of_id_feedback"), "feedback", ["duplicate_of_id"], ["id"]
        )
        batch_op.create_check_constraint(
            op.f("ck_feedback_exclusion_reason_allowed"),
            "exclusion_reason IN ({})".format(", ".join(f"'{reason}'" for reason in REASONS)),
        )
    _sqlite_triggers(create=True)
    op.execute("UPDATE feedback SET exclusion_reason = 'response' WHERE status = 'excluded'")


def downgrade():
    _sqlite_triggers(create=False)
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_feedback_exclusion_reason_allowed"), type_="check")
        batch_op.drop_constraint(batch_op.f("fk_feedback_duplicate_of_id_feedback"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_feedback_duplicate_of_id"))
        batch_op.drop_column("duplicate_of_id")
        batch_op.drop_column("exclusion_note")
        batch_op.drop_column("exclusion_reason")
        batch_op.drop_column("original_text")
    _sqlite_triggers(create=True)
