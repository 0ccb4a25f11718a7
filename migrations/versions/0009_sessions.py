"""Sessions that end everywhere, and sign-in lockouts per account and client address.

staff_user.session_generation: copied into the session at sign-in and raised on sign-out, role change,
deactivation and password change, so every older session of that person stops working.

sign_in_throttle gains client_address and is unique per (email, client_address) instead of per email, so
failures from one address no longer lock the account's owner out everywhere. Existing rows are deleted:
they have no address, and a lockout lasts 15 minutes anyway.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 10:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("staff_user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("session_generation", sa.Integer(), server_default=sa.text("0"), nullable=False)
        )
    op.execute("DELETE FROM sign_in_throttle")
    with op.batch_alter_table("sign_in_throttle", schema=None) as batch_op:
        batch_op.add_column(sa.Column("client_address", sa.String(length=45), nullable=False))
        batch_op.drop_constraint("uq_sign_in_throttle_email", type_="unique")
        batch_op.create_unique_constraint("uq_sign_in_throttle_email_address", ["email", "client_address"])


def downgrade():
    op.execute("DELETE FROM sign_in_throttle")
    with op.batch_alter_table("sign_in_throttle", schema=None) as batch_op:
        batch_op.drop_constraint("uq_sign_in_throttle_email_address", type_="unique")
        batch_op.create_unique_constraint("uq_sign_in_throttle_email", ["email"])
        batch_op.drop_column("client_address")
    with op.batch_alter_table("staff_user", schema=None) as batch_op:
        batch_op.drop_column("session_generation")
