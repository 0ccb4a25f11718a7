"""Population baselines, and the diversity objectives and targets measured against the records.

Baselines: Census 2021 counts per area, the comparison point for "who did we hear from".

census_table: a topic summary table (TS021 ethnic group, ...) and the monitoring question it answers.
baseline_category_map: each of the table's census categories, mapped to one answer code of that question or
"excluded" (reference data: seeded, then edited by admins). baseline_import: one imported file.
population_baseline: one count per area, table and census category, from the import that last wrote it.
"""

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.auth.models import StaffUser
from crm.core.models import (
    Area,
    Characteristic,
    Choice,
    DeliveryArea,
    TimestampMixin,
    UTCDateTime,
    allowed_values,
    utc_now,
)
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


# ---- Diversity objectives and targets


class MeasureKind(Choice):
    """What a measure counts, always computed from the records (never typed). Each should rise."""

    RESPONDENT_SHARE = "respondent_share", "Share of respondents from a category"
    EVENT_REACH = "event_reach", "People with a characteristic reached at events"
    GROUPS_ENGAGED = "groups_engaged", "Groups engaged that represent a characteristic"
    EIA_COVERAGE = "eia_coverage", "Key policies with a current approved EIA"
    FEEDBACK_ACTED_ON = "feedback_acted_on", "Feedback acted on"


MEASURE_KINDS = MeasureKind.labels()
PERCENT_KINDS = ("respondent_share", "eia_coverage", "feedback_acted_on")


def measure_figure(value: float, percent: bool) -> str:
    """A measure's figure as pages write it: "42%" for a share, "1,200" for a count."""
    return f"{value:.0f}%" if percent else f"{value:,.0f}"


class PriorityCohort(TimestampMixin, db.Model):
    """A named set of monitoring categories ("question:code"), such as the groups disproportionately
    affected by COVID-19, that measures and reports can use as one."""

    __tablename__ = "priority_cohort"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)


class Objective(TimestampMixin, db.Model):
    """A diversity objective for one key delivery area."""

    __tablename__ = "objective"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    delivery_area_id: Mapped[int] = mapped_column(ForeignKey("delivery_area.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"), index=True)

    delivery_area: Mapped[DeliveryArea] = relationship()
    owner: Mapped[StaffUser | None] = relationship()
    measures: Mapped[list["Measure"]] = relationship(
        back_populates="objective", order_by="Measure.id", cascade="all, delete-orphan"
    )


class Measure(TimestampMixin, db.Model):
    """How progress on an objective is measured: a kind, what it is about (a category or cohort, or a
    characteristic), a baseline and a target over a period, and who answers for it."""

    __tablename__ = "measure"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    objective_id: Mapped[int] = mapped_column(ForeignKey("objective.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    category: Mapped[str] = mapped_column(String(120), default="")  # "question:code", for a respondent share
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("priority_cohort.id"), index=True)
    characteristic_id: Mapped[int | None] = mapped_column(ForeignKey("characteristic.id"), index=True)
    baseline: Mapped[float] = mapped_column(Float)
    target: Mapped[float] = mapped_column(Float)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"), index=True)

    objective: Mapped[Objective] = relationship(back_populates="measures")
    cohort: Mapped[PriorityCohort | None] = relationship()
    characteristic: Mapped[Characteristic | None] = relationship()
    owner: Mapped[StaffUser | None] = relationship()

    __table_args__ = (allowed_values("kind", MeasureKind),)

    @property
    def kind_label(self) -> str:
        return MEASURE_KINDS.get(self.kind, self.kind)

    @property
    def is_percent(self) -> bool:
        return self.kind in PERCENT_KINDS

    @property
    def baseline_text(self) -> str:
        return measure_figure(self.baseline, self.is_percent)

    @property
    def target_text(self) -> str:
        return measure_figure(self.target, self.is_percent)


class ReportCache(db.Model):
    """A report's figures kept for a few minutes (REPORT_CACHE_SECONDS), for the reports whose SQL alone
    takes longer than a page may at the design's volumes. The page says when they were worked out."""

    __tablename__ = "report_cache"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    payload: Mapped[dict] = mapped_column(JSON)
