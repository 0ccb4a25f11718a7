"""Outreach tasks: a gap in a policy's coverage turned into planned outreach (crm/evidence/outreach.py), and
the events logged against each task.

Revision ID: 0029
Revises: 0026
Create Date: 2026-11-29 17:43:21.720894

"""

import sqlalchemy as sa
from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "outreach_task",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("policy_id", sa.Integer(), nullable=False),
        sa.Column("characteristic_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by_event_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('open', 'closed')", name=op.f("ck_outreach_task_status_allowed")),
        sa.ForeignKeyConstraint(["area_id"], ["area.id"], name=op.f("fk_outreach_task_area_id_area")),
        sa.ForeignKeyConstraint(
            ["characteristic_id"],
            ["characteristic.id"],
            name=op.f("fk_outreach_task_characteristic_id_characteristic"),
        ),
        sa.ForeignKeyConstraint(
            ["closed_by_event_id"],
            ["engagement_event.id"],
            name=op.f("fk_outreach_task_closed_by_event_id_engagement_event"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["staff_user.id"], name=op.f("fk_outreach_task_created_by_id_staff_user")
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["staff_user.id"], name=op.f("fk_outreach_task_owner_id_staff_user")
        ),
        sa.ForeignKeyConstraint(["policy_id"], ["policy.id"], name=op.f("fk_outreach_task_policy_id_policy")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outreach_task")),
    )
    with op.batch_alter_table("outreach_task", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outreach_task_area_id"), ["area_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_outreach_task_characteristic_id"), ["characteristic_id"], unique=False
        )
        batch_op.create_index("ix_outreach_task_listing", ["status", "due_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_outreach_task_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_outreach_task_policy_id"), ["policy_id"], unique=False)

    op.create_table(
        "outreach_task_event",
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["engagement_event.id"],
            name=op.f("fk_outreach_task_event_event_id_engagement_event"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["outreach_task.id"],
            name=op.f("fk_outreach_task_event_task_id_outreach_task"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("task_id", "event_id", name=op.f("pk_outreach_task_event")),
    )
    with op.batch_alter_table("outreach_task_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outreach_task_event_event_id"), ["event_id"], unique=False)


def downgrade():
    with op.batch_alter_table("outreach_task_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outreach_task_event_event_id"))

    op.drop_table("outreach_task_event")
    with op.batch_alter_table("outreach_task", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outreach_task_policy_id"))
        batch_op.drop_index(batch_op.f("ix_outreach_task_owner_id"))
        batch_op.drop_index("ix_outreach_task_listing")
        batch_op.drop_index(batch_op.f("ix_outreach_task_characteristic_id"))
        batch_op.drop_index(batch_op.f("ix_outreach_task_area_id"))

    op.drop_table("outreach_task")
