"""Monitoring answers kept apart from responses in the database too (crm/consultations/monitoring_store.py).

- monitoring_waiting: a response's answers, sealed under a key held outside the database, until a batch of
  responses to the consultation is published together in a transaction of its own;
- monitoring_snapshot: a consultation's suppressed monitoring tables, frozen before its answers are deleted
  at the end of their retention period;
- monitoring_answer is rewritten: every row was written in its response's transaction (on PostgreSQL,
  monitoring_answer.xmin = response.xmin joined them) and in its response's order. The rows are copied
  out, deleted and written back in a random order, all in this migration's transaction. Answers of spam or
  withdrawn responses lose their "x:" mark: they are now left out of the counts by their keyed ids.

After upgrading PostgreSQL, run `VACUUM FULL monitoring_answer` so that the old row versions, which still
carry the old transaction ids, are gone from the data files too.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 12:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "monitoring_waiting",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("sealed", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultation.id"],
            name=op.f("fk_monitoring_waiting_consultation_id_consultation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitoring_waiting")),
    )
    with op.batch_alter_table("monitoring_waiting", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_monitoring_waiting_consultation_id"), ["consultation_id"], unique=False
        )
    op.create_table(
        "monitoring_snapshot",
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tables", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultation.id"],
            name=op.f("fk_monitoring_snapshot_consultation_id_consultation"),
        ),
        sa.PrimaryKeyConstraint("consultation_id", name=op.f("pk_monitoring_snapshot")),
    )
    op.execute(
        "CREATE TEMPORARY TABLE monitoring_answer_copy AS "
        "SELECT id, consultation_id, question, "
        "CASE WHEN answer LIKE 'x:%' THEN substr(answer, 3) ELSE answer END AS answer "
        "FROM monitoring_answer"
    )
    op.execute("DELETE FROM monitoring_answer")
    op.execute(
        "INSERT INTO monitoring_answer (id, consultation_id, question, answer) "
        "SELECT id, consultation_id, question, answer FROM monitoring_answer_copy ORDER BY random()"
    )
    op.execute("DROP TABLE monitoring_answer_copy")


def downgrade():
    # The shuffled rows stay shuffled; answers of spam or withdrawn responses count again after a downgrade.
    op.drop_table("monitoring_snapshot")
    with op.batch_alter_table("monitoring_waiting", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_monitoring_waiting_consultation_id"))
    op.drop_table("monitoring_waiting")
