"""A response keyed in from an event names that event: response.event_id, nullable, set to null if the event
is ever deleted (the response stands without it), indexed for an event's responses.

Revision ID: 0023
Revises: 0022
Create Date: 2026-11-29 15:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.add_column(sa.Column("event_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_response_event_id"), ["event_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_response_event_id_engagement_event"),
            "engagement_event",
            ["event_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_response_event_id_engagement_event"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_response_event_id"))
        batch_op.drop_column("event_id")
