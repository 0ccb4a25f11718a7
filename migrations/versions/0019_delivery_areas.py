"""Delivery areas: the scheme's key delivery areas become an admin-edited reference list, and a policy names
one instead of a free-text work area, so objectives and the EIA coverage report can count by area. A policy
can also be marked a key strategy or policy (the scheme commits to an EIA for each).

Every work area already typed becomes a delivery area of that name, and its policies point at it.

Revision ID: 0019
Revises: 0016
Create Date: 2026-11-29 15:00:00

"""

import re

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0016"
branch_labels = None
depends_on = None


def _code(name: str) -> str:
    # As crm.core.reference.code_for, frozen here so the migration does not change if that does.
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60]


def upgrade():
    op.create_table(
        "delivery_area",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("is_retired", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery_area")),
        sa.UniqueConstraint("code", name=op.f("uq_delivery_area_code")),
        sa.UniqueConstraint("name", name=op.f("uq_delivery_area_name")),
    )
    with op.batch_alter_table("delivery_area", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_delivery_area_is_retired"), ["is_retired"], unique=False)
    with op.batch_alter_table("policy", schema=None) as batch_op:
        batch_op.add_column(sa.Column("delivery_area_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("is_key", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_index(batch_op.f("ix_policy_delivery_area_id"), ["delivery_area_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_policy_delivery_area_id_delivery_area"),
            "delivery_area",
            ["delivery_area_id"],
            ["id"],
        )

    connection = op.get_bind()
    names = {}
    for (typed,) in connection.execute(
        sa.text("SELECT DISTINCT work_area FROM policy WHERE work_area <> ''")
    ):
        name = typed.strip()[:120]
        if name and _code(name) and name.lower() not in {known.lower() for known in names}:
            names[name] = _code(name)
    now = sa.func.now()
    area = sa.table(
        "delivery_area",
        sa.column("id", sa.Integer),
        sa.column("code", sa.String),
        sa.column("name", sa.String),
        sa.column("description", sa.Text),
        sa.column("sort_order", sa.Integer),
        sa.column("is_retired", sa.Boolean),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("updated_at", sa.DateTime(timezone=True)),
    )
    codes_seen = set()
    for order, (name, code) in enumerate(sorted(names.items())):
        if code in codes_seen:
            continue
        codes_seen.add(code)
        connection.execute(
            area.insert().values(
                code=code,
                name=name,
                description="",
                sort_order=100 + order,
                is_retired=False,
                created_at=now,
                updated_at=now,
            )
        )
    connection.execute(
        sa.text(
            "UPDATE policy SET delivery_area_id = "
            "(SELECT d.id FROM delivery_area d WHERE lower(d.name) = lower(trim(policy.work_area)))"
        )
    )
    with op.batch_alter_table("policy", schema=None) as batch_op:
        batch_op.alter_column("is_key", server_default=None)
        batch_op.drop_column("work_area")


def downgrade():
    with op.batch_alter_table("policy", schema=None) as batch_op:
        batch_op.add_column(sa.Column("work_area", sa.String(length=120), server_default="", nullable=False))
    op.execute(
        "UPDATE policy SET work_area = "
        "coalesce((SELECT d.name FROM delivery_area d WHERE d.id = policy.delivery_area_id), '')"
    )
    with op.batch_alter_table("policy", schema=None) as batch_op:
        batch_op.alter_column("work_area", server_default=None)
        batch_op.drop_constraint(batch_op.f("fk_policy_delivery_area_id_delivery_area"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_policy_delivery_area_id"))
        batch_op.drop_column("is_key")
        batch_op.drop_column("delivery_area_id")
    with op.batch_alter_table("delivery_area", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_delivery_area_is_retired"))
    op.drop_table("delivery_area")
