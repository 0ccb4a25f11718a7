"""Co-production principles: an admin-edited reference list (seeded by `flask crm seed-reference`), how each
event or programme met each of them (principle_assessment), and a co-production level for programmes ("" until
someone records it).

Revision ID: 0028
Revises: 0026
Create Date: 2026-11-29 18:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None

LEVELS = "'inform', 'consult', 'involve', 'collaborate', 'empower', ''"
RATINGS = "'not_assessed', 'met', 'partly_met', 'not_met'"


def upgrade():
    op.create_table(
        "coproduction_principle",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("is_retired", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coproduction_principle")),
        sa.UniqueConstraint("code", name=op.f("uq_coproduction_principle_code")),
        sa.UniqueConstraint("name", name=op.f("uq_coproduction_principle_name")),
    )
    op.create_index(
        op.f("ix_coproduction_principle_is_retired"), "coproduction_principle", ["is_retired"], unique=False
    )
    op.create_table(
        "principle_assessment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("principle_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("programme_id", sa.Integer(), nullable=True),
        sa.Column("rating", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(f"rating IN ({RATINGS})", name=op.f("ck_principle_assessment_rating_allowed")),
        sa.CheckConstraint(
            "(event_id IS NULL) <> (programme_id IS NULL)", name=op.f("ck_principle_assessment_one_subject")
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["engagement_event.id"],
            name=op.f("fk_principle_assessment_event_id_engagement_event"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["principle_id"],
            ["coproduction_principle.id"],
            name=op.f("fk_principle_assessment_principle_id_coproduction_principle"),
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programme.id"],
            name=op.f("fk_principle_assessment_programme_id_programme"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_principle_assessment")),
        sa.UniqueConstraint("event_id", "principle_id", name=op.f("uq_principle_assessment_event_id")),
        sa.UniqueConstraint(
            "programme_id", "principle_id", name=op.f("uq_principle_assessment_programme_id")
        ),
    )
    op.create_index(
        op.f("ix_principle_assessment_principle_id"), "principle_assessment", ["principle_id"], unique=False
    )
    with op.batch_alter_table("programme", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("coproduction_level", sa.String(length=20), server_default="", nullable=False)
        )
        batch_op.create_check_constraint(
            op.f("ck_programme_coproduction_level_allowed"), f"coproduction_level IN ({LEVELS})"
        )
    with op.batch_alter_table("programme", schema=None) as batch_op:
        batch_op.alter_column("coproduction_level", server_default=None)


def downgrade():
    with op.batch_alter_table("programme", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_programme_coproduction_level_allowed"), type_="check")
        batch_op.drop_column("coproduction_level")
    op.drop_index(op.f("ix_principle_assessment_principle_id"), table_name="principle_assessment")
    op.drop_table("principle_assessment")
    op.drop_index(op.f("ix_coproduction_principle_is_retired"), table_name="coproduction_principle")
    op.drop_table("coproduction_principle")
