"""Invitations: consented contacts invited by email to a consultation or an event (crm/engagement/invitations.py).

Revision ID: 0030
Revises: 0027
Create Date: 2026-11-29 18:16:06.286654

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "invitation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=True),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("email_id", sa.Integer(), nullable=True),
        sa.Column("invited_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(consultation_id IS NULL) <> (event_id IS NULL)", name=op.f("ck_invitation_one_target")
        ),
        sa.ForeignKeyConstraint(
            ["consultation_id"], ["consultation.id"], name=op.f("fk_invitation_consultation_id_consultation")
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contact.id"], name=op.f("fk_invitation_contact_id_contact")
        ),
        sa.ForeignKeyConstraint(
            ["email_id"], ["outbound_email.id"], name=op.f("fk_invitation_email_id_outbound_email")
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["engagement_event.id"], name=op.f("fk_invitation_event_id_engagement_event")
        ),
        sa.ForeignKeyConstraint(
            ["invited_by_id"], ["staff_user.id"], name=op.f("fk_invitation_invited_by_id_staff_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitation")),
        sa.UniqueConstraint("contact_id", "consultation_id", name="uq_invitation_contact_consultation"),
        sa.UniqueConstraint("contact_id", "event_id", name="uq_invitation_contact_event"),
    )
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_invitation_consultation_id"), ["consultation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_invitation_contact_id"), ["contact_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_invitation_event_id"), ["event_id"], unique=False)


def downgrade():
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invitation_event_id"))
        batch_op.drop_index(batch_op.f("ix_invitation_contact_id"))
        batch_op.drop_index(batch_op.f("ix_invitation_consultation_id"))

    op.drop_table("invitation")
