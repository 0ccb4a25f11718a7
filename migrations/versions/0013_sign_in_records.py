"""Failed sign-in records get the time of their last failure, the clock of their retention period.

sign_in_throttle.last_failed_at: `crm retention --apply` deletes a record 90 days after it (the
"sign_in_records" data class of crm/core/retention.py). Rows already there start their clock now.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29 12:10:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("sign_in_throttle", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "last_failed_at",
                sa.DateTime(timezone=True),
                server_default=sa.func.current_timestamp(),
                nullable=False,
            )
        )
    with op.batch_alter_table("sign_in_throttle", schema=None) as batch_op:
        batch_op.alter_column("last_failed_at", server_default=None)
        batch_op.create_index("ix_sign_in_throttle_last_failed_at", ["last_failed_at"], unique=False)


def downgrade():
    with op.batch_alter_table("sign_in_throttle", schema=None) as batch_op:
        batch_op.drop_index("ix_sign_in_throttle_last_failed_at")
        batch_op.drop_column("last_failed_at")
