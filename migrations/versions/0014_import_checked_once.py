"""An uploaded groups file is read and checked once: its upload keeps what the check found, never the file.

import_batch loses `content` (the file) and gains `token` (the random key in the preview's address),
`row_count`, `summary` (the preview's counts, problems and warnings) and `rows` (the checked rows, emptied
once imported). Uploads waiting for confirmation are deleted: they hold only a file, which is no longer
read; the person uploads it again.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-29 12:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("DELETE FROM import_batch")
    with op.batch_alter_table("import_batch", schema=None) as batch_op:
        batch_op.drop_column("content")
        batch_op.add_column(sa.Column("token", sa.String(length=64), nullable=False))
        batch_op.add_column(sa.Column("row_count", sa.Integer(), nullable=False))
        batch_op.add_column(sa.Column("summary", sa.JSON(), nullable=False))
        batch_op.add_column(sa.Column("rows", sa.JSON(), nullable=False))
        batch_op.create_unique_constraint(batch_op.f("uq_import_batch_token"), ["token"])
        batch_op.create_index(batch_op.f("ix_import_batch_uploaded_at"), ["uploaded_at"], unique=False)


def downgrade():
    op.execute("DELETE FROM import_batch")
    with op.batch_alter_table("import_batch", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_batch_uploaded_at"))
        batch_op.drop_constraint(batch_op.f("uq_import_batch_token"), type_="unique")
        batch_op.drop_column("rows")
        batch_op.drop_column("summary")
        batch_op.drop_column("row_count")
        batch_op.drop_column("token")
        batch_op.add_column(sa.Column("content", sa.LargeBinary(), nullable=False))
