"""A consultation names the officer who runs it: as its owner they may see its suppressed equality figures
in the representation report (DESIGN rule 2).

Revision ID: 0024
Revises: 0023
Create Date: 2026-11-29 16:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("consultation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("owner_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_consultation_owner_id"), ["owner_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_consultation_owner_id_staff_user"), "staff_user", ["owner_id"], ["id"]
        )


def downgrade():
    with op.batch_alter_table("consultation", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_consultation_owner_id_staff_user"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_consultation_owner_id"))
        batch_op.drop_column("owner_id")
