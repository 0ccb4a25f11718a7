"""Population baselines: Census 2021 counts per area, the comparison point for "who did we hear from".

census_table: a topic summary table (TS021 ethnic group, ...) and the monitoring question it answers.
baseline_category_map: each of the table's census categories, mapped to one answer code of that question or
"excluded" (reference data: seeded, then edited by admins). baseline_import: one imported file.
population_baseline: one count per area, table and census category, from the import that last wrote it.
"""

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.core.models import Area, UTCDateTime, utc_now
from crm.extensions import db

EXCLUDED = "excluded"


class CensusTable(db.Model):
    __tablename__ = "census_table"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)  # "TS021"
    title: Mapped[str] = mapped_column(String(200))
    # The variable's name as files print it ("Ethnic group"), to tell which table a file holds.
    variable: Mapped[str] = mapped_column(String(120))
    # The total's category label: "Total: All usual residents", "All persons"... Every file must hold it.
    total_label: Mapped[str] = mapped_column(String(200))
    question_code: Mapped[str] = mapped_column(String(60))  # crm.consultations.monitoring question code
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    categories: Mapped[list["CategoryMap"]] = relationship(
        back_populates="table", order_by="CategoryMap.sort_order", cascade="all, delete-orphan"
    )


class CategoryMap(db.Model):
    __tablename__ = "baseline_category_map"
    __table_args__ = (UniqueConstraint("census_table_id", "label"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    census_table_id: Mapped[int] = mapped_column(ForeignKey("census_table.id", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(String(200))  # as the file prints it, without the variable's name
    monitoring_code: Mapped[str] = mapped_column(String(60))  # an answer code of the question, or EXCLUDED
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    table: Mapped[CensusTable] = relationship(back_populates="categories")


class BaselineImport(db.Model):
    __tablename__ = "baseline_import"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    census_table_id: Mapped[int] = mapped_column(ForeignKey("census_table.id"), index=True)
    source_filename: Mapped[str] = mapped_column(String(255))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"), index=True)
    imported_by_label: Mapped[str] = mapped_column(String(255))
    # Made-up figures (the demo's): every screen that shows them says so.
    is_illustrative: Mapped[bool] = mapped_column(Boolean, default=False)

    table: Mapped[CensusTable] = relationship()


class PopulationBaseline(db.Model):
    __tablename__ = "population_baseline"
    __table_args__ = (UniqueConstraint("area_id", "census_table_id", "category"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"))  # the unique key leads with it
    census_table_id: Mapped[int] = mapped_column(ForeignKey("census_table.id"), index=True)
    category: Mapped[str] = mapped_column(String(200))
    count: Mapped[int] = mapped_column(Integer)
    # The table's total ("Total: All usual residents"): one per area and table, so it also lists the imports.
    is_total: Mapped[bool] = mapped_column(Boolean, default=False)
    import_id: Mapped[int] = mapped_column(ForeignKey("baseline_import.id"), index=True)

    area: Mapped[Area] = relationship()
    table: Mapped[CensusTable] = relationship()
    source: Mapped[BaselineImport] = relationship()
