"""Diversity objectives and targets: an objective per key delivery area, its measures (a computed kind,
what it is about, baseline, target, period and owner), and priority cohorts (named sets of monitoring
categories) that measures and reports can use.

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-29 15:34:28.620846

"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "priority_cohort",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_priority_cohort")),
        sa.UniqueConstraint("name", name=op.f("uq_priority_cohort_name")),
    )
    op.create_table(
        "objective",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delivery_area_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["delivery_area_id"],
            ["delivery_area.id"],
            name=op.f("fk_objective_delivery_area_id_delivery_area"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["staff_user.id"], name=op.f("fk_objective_owner_id_staff_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_objective")),
    )
    with op.batch_alter_table("objective", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_objective_delivery_area_id"), ["delivery_area_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_objective_owner_id"), ["owner_id"], unique=False)

    op.create_table(
        "measure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("objective_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("category", sa.String(length=120), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=True),
        sa.Column("characteristic_id", sa.Integer(), nullable=True),
        sa.Column("baseline", sa.Float(), nullable=False),
        sa.Column("target", sa.Float(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('respondent_share', 'event_reach', 'groups_engaged', 'eia_coverage', 'feedback_acted_on')",
            name=op.f("ck_measure_kind_allowed"),
        ),
        sa.ForeignKeyConstraint(
            ["characteristic_id"],
            ["characteristic.id"],
            name=op.f("fk_measure_characteristic_id_characteristic"),
        ),
        sa.ForeignKeyConstraint(
            ["cohort_id"], ["priority_cohort.id"], name=op.f("fk_measure_cohort_id_priority_cohort")
        ),
        sa.ForeignKeyConstraint(
            ["objective_id"],
            ["objective.id"],
            name=op.f("fk_measure_objective_id_objective"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["owner_id"], ["staff_user.id"], name=op.f("fk_measure_owner_id_staff_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measure")),
    )
    with op.batch_alter_table("measure", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_measure_characteristic_id"), ["characteristic_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_measure_cohort_id"), ["cohort_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_measure_objective_id"), ["objective_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_measure_owner_id"), ["owner_id"], unique=False)


def downgrade():
    with op.batch_alter_table("measure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_measure_owner_id"))
        batch_op.drop_index(batch_op.f("ix_measure_objective_id"))
        batch_op.drop_index(batch_op.f("ix_measure_cohort_id"))
        batch_op.drop_index(batch_op.f("ix_measure_characteristic_id"))

    op.drop_table("measure")
    with op.batch_alter_table("objective", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_objective_owner_id"))
        batch_op.drop_index(batch_op.f("ix_objective_delivery_area_id"))

    op.drop_table("objective")
    op.drop_table("priority_cohort")
