"""Respondent updates: response.wants_updates (a receipt now and "what happened" once the outcome is published,
by email) and response.outcome_emailed_at, so that second email goes once (crm/consultations/receipts.py).

Revision ID: 0031
Revises: 0030
Create Date: 2026-11-29 20:50:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("response") as batch:
        batch.add_column(sa.Column("wants_updates", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch.add_column(sa.Column("outcome_emailed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("response") as batch:
        batch.drop_column("outcome_emailed_at")
        batch.drop_column("wants_updates")
