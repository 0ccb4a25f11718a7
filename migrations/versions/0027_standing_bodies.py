"""Standing bodies, their members, recommendations and the authority's responses (crm/bodies), and EIA
findings citing accepted recommendations.

Revision ID: 0027
Revises: 0026
Create Date: 2026-11-29 17:44:53.665047

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "standing_body",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("remit", sa.Text(), nullable=False),
        sa.Column("terms_of_reference", sa.Text(), nullable=False),
        sa.Column("response_weeks", sa.Integer(), nullable=False),
        sa.Column("has_public_register", sa.Boolean(), nullable=False),
        sa.Column("is_archived", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('youth_assembly', 'commission', 'taskforce', 'network', 'panel', 'board')",
            name=op.f("ck_standing_body_kind_allowed"),
        ),
        sa.CheckConstraint(
            "response_weeks BETWEEN 1 AND 52", name=op.f("ck_standing_body_response_weeks_range")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_standing_body")),
        sa.UniqueConstraint("name", name=op.f("uq_standing_body_name")),
        sa.UniqueConstraint("slug", name=op.f("uq_standing_body_slug")),
    )
    with op.batch_alter_table("standing_body", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_standing_body_is_archived"), ["is_archived"], unique=False)

    op.create_table(
        "body_policy",
        sa.Column("body_id", sa.Integer(), nullable=False),
        sa.Column("policy_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["body_id"],
            ["standing_body.id"],
            name=op.f("fk_body_policy_body_id_standing_body"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["policy_id"], ["policy.id"], name=op.f("fk_body_policy_policy_id_policy")),
        sa.PrimaryKeyConstraint("body_id", "policy_id", name=op.f("pk_body_policy")),
    )
    with op.batch_alter_table("body_policy", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_body_policy_policy_id"), ["policy_id"], unique=False)

    op.create_table(
        "body_meeting",
        sa.Column("body_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["body_id"],
            ["standing_body.id"],
            name=op.f("fk_body_meeting_body_id_standing_body"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["engagement_event.id"],
            name=op.f("fk_body_meeting_event_id_engagement_event"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("body_id", "event_id", name=op.f("pk_body_meeting")),
    )
    with op.batch_alter_table("body_meeting", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_body_meeting_event_id"), ["event_id"], unique=False)

    op.create_table(
        "membership",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("body_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("is_under_18", sa.Boolean(), nullable=False),
        sa.Column("consent", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "role IN ('chair', 'member', 'co_opted', 'adviser')", name=op.f("ck_membership_role_allowed")
        ),
        sa.CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name=op.f("ck_membership_term_order")),
        sa.ForeignKeyConstraint(
            ["body_id"],
            ["standing_body.id"],
            name=op.f("fk_membership_body_id_standing_body"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contact.id"], name=op.f("fk_membership_contact_id_contact")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_membership")),
    )
    with op.batch_alter_table("membership", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_membership_body_id"), ["body_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_membership_contact_id"), ["contact_id"], unique=False)

    op.create_table(
        "recommendation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("body_id", sa.Integer(), nullable=True),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("made_on", sa.Date(), nullable=False),
        sa.Column("response_due_on", sa.Date(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "body_id IS NOT NULL OR event_id IS NOT NULL", name=op.f("ck_recommendation_has_source")
        ),
        sa.CheckConstraint("response_due_on >= made_on", name=op.f("ck_recommendation_due_after_made")),
        sa.ForeignKeyConstraint(
            ["body_id"], ["standing_body.id"], name=op.f("fk_recommendation_body_id_standing_body")
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["engagement_event.id"],
            name=op.f("fk_recommendation_event_id_engagement_event"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["staff_user.id"], name=op.f("fk_recommendation_owner_id_staff_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recommendation")),
    )
    with op.batch_alter_table("recommendation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recommendation_body_id"), ["body_id"], unique=False)
        batch_op.create_index("ix_recommendation_due", ["response_due_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_recommendation_event_id"), ["event_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_recommendation_owner_id"), ["owner_id"], unique=False)

    op.create_table(
        "eia_finding_recommendation",
        sa.Column("finding_id", sa.Integer(), nullable=False),
        sa.Column("recommendation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["finding_id"],
            ["eia_finding.id"],
            name=op.f("fk_eia_finding_recommendation_finding_id_eia_finding"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendation.id"],
            name=op.f("fk_eia_finding_recommendation_recommendation_id_recommendation"),
        ),
        sa.PrimaryKeyConstraint(
            "finding_id", "recommendation_id", name=op.f("pk_eia_finding_recommendation")
        ),
    )
    with op.batch_alter_table("eia_finding_recommendation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_eia_finding_recommendation_recommendation_id"), ["recommendation_id"], unique=False
        )

    op.create_table(
        "recommendation_policy",
        sa.Column("recommendation_id", sa.Integer(), nullable=False),
        sa.Column("policy_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["policy_id"], ["policy.id"], name=op.f("fk_recommendation_policy_policy_id_policy")
        ),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendation.id"],
            name=op.f("fk_recommendation_policy_recommendation_id_recommendation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("recommendation_id", "policy_id", name=op.f("pk_recommendation_policy")),
    )
    with op.batch_alter_table("recommendation_policy", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recommendation_policy_policy_id"), ["policy_id"], unique=False)

    op.create_table(
        "recommendation_response",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recommendation_id", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=20), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("responded_on", sa.Date(), nullable=False),
        sa.Column("responded_by_id", sa.Integer(), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("implementation", sa.String(length=20), nullable=False),
        sa.Column("implementation_evidence", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "decision IN ('accepted', 'accepted_in_part', 'not_accepted')",
            name=op.f("ck_recommendation_response_decision_allowed"),
        ),
        sa.CheckConstraint(
            "implementation IN ('planned', 'in_progress', 'done', '')",
            name=op.f("ck_recommendation_response_implementation_allowed"),
        ),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendation.id"],
            name=op.f("fk_recommendation_response_recommendation_id_recommendation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["responded_by_id"],
            ["staff_user.id"],
            name=op.f("fk_recommendation_response_responded_by_id_staff_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recommendation_response")),
        sa.UniqueConstraint("recommendation_id", name=op.f("uq_recommendation_response_recommendation_id")),
    )


def downgrade():
    op.drop_table("recommendation_response")
    with op.batch_alter_table("recommendation_policy", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recommendation_policy_policy_id"))

    op.drop_table("recommendation_policy")
    with op.batch_alter_table("eia_finding_recommendation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_eia_finding_recommendation_recommendation_id"))

    op.drop_table("eia_finding_recommendation")
    with op.batch_alter_table("recommendation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recommendation_owner_id"))
        batch_op.drop_index(batch_op.f("ix_recommendation_event_id"))
        batch_op.drop_index("ix_recommendation_due")
        batch_op.drop_index(batch_op.f("ix_recommendation_body_id"))

    op.drop_table("recommendation")
    with op.batch_alter_table("membership", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_membership_contact_id"))
        batch_op.drop_index(batch_op.f("ix_membership_body_id"))

    op.drop_table("membership")
    with op.batch_alter_table("body_policy", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_body_policy_policy_id"))

    op.drop_table("body_policy")
    with op.batch_alter_table("standing_body", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_standing_body_is_archived"))

    with op.batch_alter_table("body_meeting", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_body_meeting_event_id"))

    op.drop_table("body_meeting")
    op.drop_table("standing_body")
