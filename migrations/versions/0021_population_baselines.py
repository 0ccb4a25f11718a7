"""Population baselines: Census 2021 counts per area, and the mapping of census categories to monitoring codes.

census_table: a topic summary table and the monitoring question it answers; baseline_category_map: its
categories, each mapped to an answer code or "excluded" (both reference data, seeded by `crm seed-reference`);
baseline_import: one imported file; population_baseline: a count per area, table and category.

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-29 14:34:29

"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "census_table",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("variable", sa.String(length=120), nullable=False),
        sa.Column("total_label", sa.String(length=200), nullable=False),
        sa.Column("question_code", sa.String(length=60), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_census_table")),
        sa.UniqueConstraint("code", name=op.f("uq_census_table_code")),
    )
    op.create_table(
        "baseline_category_map",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("census_table_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("monitoring_code", sa.String(length=60), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["census_table_id"],
            ["census_table.id"],
            name=op.f("fk_baseline_category_map_census_table_id_census_table"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_baseline_category_map")),
        sa.UniqueConstraint(
            "census_table_id", "label", name=op.f("uq_baseline_category_map_census_table_id")
        ),
    )
    op.create_table(
        "baseline_import",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("census_table_id", sa.Integer(), nullable=False),
        sa.Column("source_filename", sa.String(length=255), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("imported_by_id", sa.Integer(), nullable=True),
        sa.Column("imported_by_label", sa.String(length=255), nullable=False),
        sa.Column("is_illustrative", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["census_table_id"],
            ["census_table.id"],
            name=op.f("fk_baseline_import_census_table_id_census_table"),
        ),
        sa.ForeignKeyConstraint(
            ["imported_by_id"], ["staff_user.id"], name=op.f("fk_baseline_import_imported_by_id_staff_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_baseline_import")),
    )
    with op.batch_alter_table("baseline_import", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_baseline_import_census_table_id"), ["census_table_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_baseline_import_imported_by_id"), ["imported_by_id"], unique=False
        )

    op.create_table(
        "population_baseline",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("census_table_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=200), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("is_total", sa.Boolean(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["area_id"], ["area.id"], name=op.f("fk_population_baseline_area_id_area")),
        sa.ForeignKeyConstraint(
            ["census_table_id"],
            ["census_table.id"],
            name=op.f("fk_population_baseline_census_table_id_census_table"),
        ),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["baseline_import.id"],
            name=op.f("fk_population_baseline_import_id_baseline_import"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_population_baseline")),
        sa.UniqueConstraint(
            "area_id", "census_table_id", "category", name=op.f("uq_population_baseline_area_id")
        ),
    )
    with op.batch_alter_table("population_baseline", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_population_baseline_census_table_id"), ["census_table_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_population_baseline_import_id"), ["import_id"], unique=False)


def downgrade():
    with op.batch_alter_table("population_baseline", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_population_baseline_import_id"))
        batch_op.drop_index(batch_op.f("ix_population_baseline_census_table_id"))

    op.drop_table("population_baseline")
    with op.batch_alter_table("baseline_import", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_baseline_import_imported_by_id"))
        batch_op.drop_index(batch_op.f("ix_baseline_import_census_table_id"))

    op.drop_table("baseline_import")
    op.drop_table("baseline_category_map")
    op.drop_table("census_table")
