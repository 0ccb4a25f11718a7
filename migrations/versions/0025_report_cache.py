"""report_cache: the slowest reports' figures kept for a few minutes (crm/reports/cache.py).

Revision ID: 0025
Revises: 0024
Create Date: 2026-11-29 16:22:32

"""

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "report_cache",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_report_cache")),
    )


def downgrade():
    op.drop_table("report_cache")
