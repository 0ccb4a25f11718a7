"""Background jobs: long imports and exports, their progress, result and failure, and who asked for them.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 09:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# As the code stood when this revision was made (see 0006): a later change needs a revision of its own.
STATUSES = ["queued", "running", "done", "failed"]


def upgrade():
    op.create_table(
        "job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("active_key", sa.String(length=255), nullable=True),
        sa.Column("queue_ref", sa.String(length=40), nullable=False),
        sa.Column("stage", sa.String(length=120), nullable=False),
        sa.Column("progress_done", sa.Integer(), nullable=False),
        sa.Column("progress_total", sa.Integer(), nullable=False),
        sa.Column("started_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "status IN ({})".format(", ".join(f"'{status}'" for status in STATUSES)),
            name=op.f("ck_job_status_allowed"),
        ),
        sa.ForeignKeyConstraint(
            ["started_by_id"], ["staff_user.id"], name=op.f("fk_job_started_by_id_staff_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job")),
        sa.UniqueConstraint("active_key", name=op.f("uq_job_active_key")),
    )
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_job_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_job_started_by_id"), ["started_by_id"], unique=False)


def downgrade():
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_job_started_by_id"))
        batch_op.drop_index(batch_op.f("ix_job_created_at"))
    op.drop_table("job")
