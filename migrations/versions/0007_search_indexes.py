"""Indexes for searching and deleting at the design's scale (one million feedback items, 50,000 groups).

Substring search (`LIKE '%q%'` on lower(name)) cannot use a btree index, so on PostgreSQL the searched
columns of the big registers (50,000 groups and their contacts) get trigram (pg_trgm) GIN indexes, which
serve LIKE with a leading wildcard. Policies and consultations number in the hundreds: reading them is
quicker than any index. SQLite has no trigram index and scans, which is fine at its size. `merged_into_id` gets the index every foreign key needs,
so deleting or merging a group does not scan the register.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 09:10:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# (index name, table, expression): each searched the way the queries search it.
TRIGRAM_INDEXES = [
    ("ix_community_group_name_trgm", "community_group", "lower(name)"),
    ("ix_community_group_description_trgm", "community_group", "lower(description)"),
    ("ix_contact_name_trgm", "contact", "lower(name)"),
    ("ix_contact_email_trgm", "contact", "lower(email)"),
]


def upgrade():
    op.create_index(op.f("ix_community_group_merged_into_id"), "community_group", ["merged_into_id"])
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, expression in TRIGRAM_INDEXES:
        op.execute(sa.text(f"CREATE INDEX {name} ON {table} USING gin ({expression} gin_trgm_ops)"))


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for name, _table, _expression in TRIGRAM_INDEXES:
            op.execute(sa.text(f"DROP INDEX IF EXISTS {name}"))
    op.drop_index(op.f("ix_community_group_merged_into_id"), table_name="community_group")
