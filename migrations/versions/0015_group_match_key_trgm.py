"""A trigram index on community_group.match_key, for the near-duplicate matcher (crm/core/matching.py).

The matcher asks PostgreSQL for groups whose match key is `%` (trigram-similar, at NAME_MATCH_THRESHOLD) to
a name's key and orders them by similarity(); a GIN gin_trgm_ops index answers that at 50,000 groups in a
few milliseconds where the first-word blocking it replaces scanned and missed most variants. SQLite has no
trigram index: the matcher compares keys in Python there.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-29 12:40:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

INDEX = "ix_community_group_match_key_trgm"


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute(sa.text(f"CREATE INDEX {INDEX} ON community_group USING gin (match_key gin_trgm_ops)"))


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(sa.text(f"DROP INDEX IF EXISTS {INDEX}"))
