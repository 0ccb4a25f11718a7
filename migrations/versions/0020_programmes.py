"""Programmes: a series of engagement events (a street team's sessions, say) reported as a whole. An event
may belong to one.

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-29 15:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "programme",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("delivery_area_id", sa.Integer(), nullable=True),
        sa.Column("is_archived", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["delivery_area_id"],
            ["delivery_area.id"],
            name=op.f("fk_programme_delivery_area_id_delivery_area"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme")),
        sa.UniqueConstraint("name", name=op.f("uq_programme_name")),
    )
    with op.batch_alter_table("programme", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_programme_delivery_area_id"), ["delivery_area_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_programme_is_archived"), ["is_archived"], unique=False)
    with op.batch_alter_table("engagement_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("programme_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_engagement_event_programme_id"), ["programme_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_engagement_event_programme_id_programme"), "programme", ["programme_id"], ["id"]
        )


def downgrade():
    with op.batch_alter_table("engagement_event", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_engagement_event_programme_id_programme"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_engagement_event_programme_id"))
        batch_op.drop_column("programme_id")
    with op.batch_alter_table("programme", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_programme_is_archived"))
        batch_op.drop_index(batch_op.f("ix_programme_delivery_area_id"))
    op.drop_table("programme")
