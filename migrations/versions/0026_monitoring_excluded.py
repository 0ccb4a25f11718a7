"""monitoring_excluded: answers of spam or withdrawn responses left out of the counts in batches of k or more,
and response.monitoring_excluded saying whose were (crm/consultations/monitoring_store.py).

Revision ID: 0026
Revises: 0025
Create Date: 2026-11-29 17:55:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "monitoring_excluded",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultation.id"],
            name=op.f("fk_monitoring_excluded_consultation_id_consultation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitoring_excluded")),
    )
    op.create_index(
        op.f("ix_monitoring_excluded_consultation_id"),
        "monitoring_excluded",
        ["consultation_id"],
        unique=False,
    )
    with op.batch_alter_table("response") as batch:
        batch.add_column(
            sa.Column("monitoring_excluded", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    _keep_out_what_was_left_out()


def _keep_out_what_was_left_out():
    """Before this revision, the counts left out spam and withdrawn responses one by one, by the ids the key
    derives: they stay out, published as one shuffled batch per consultation. The key is the app's (flask db
    upgrade runs inside it), so the ids come from the code that makes them."""
    import random
    from collections import defaultdict

    from crm.consultations.monitoring_store import answer_ids

    bind = op.get_bind()
    left_out = bind.execute(
        sa.text(
            "SELECT id, consultation_id, reference FROM response WHERE status NOT IN ('received', 'accepted')"
        )
    ).all()
    by_consultation = defaultdict(list)
    for _id, consultation_id, reference in left_out:
        by_consultation[consultation_id].extend(answer_ids(reference))
    excluded = sa.table("monitoring_excluded", sa.column("id"), sa.column("consultation_id"))
    for consultation_id, ids in by_consultation.items():
        random.SystemRandom().shuffle(ids)
        bind.execute(excluded.insert(), [{"id": id_, "consultation_id": consultation_id} for id_ in ids])
    if left_out:
        bind.execute(
            sa.text(
                "UPDATE response SET monitoring_excluded = :yes WHERE status NOT IN ('received', 'accepted')"
            ),
            {"yes": True},
        )


def downgrade():
    with op.batch_alter_table("response") as batch:
        batch.drop_column("monitoring_excluded")
    op.drop_index(op.f("ix_monitoring_excluded_consultation_id"), table_name="monitoring_excluded")
    op.drop_table("monitoring_excluded")
