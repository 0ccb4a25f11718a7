"""Reads of the population baselines: what has been imported, and the population's shares by monitoring code.

A share's denominator is the people counted in the question's mapped categories (excluded ones, such as "Does
not apply", are left out of it and of the counts); "Not answered" is a category like any other, so a report
can set it aside or keep it as it sets aside its own respondents' blanks.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from crm.consultations.monitoring import BY_CODE
from crm.core.models import Area
from crm.extensions import db
from crm.reports.models import EXCLUDED, BaselineImport, CategoryMap, CensusTable, PopulationBaseline


@dataclass
class ImportedTable:
    area: Area
    table: CensusTable
    source: BaselineImport
    total: int


def imported_tables() -> list[ImportedTable]:
    """One row per area and census table held, with the import that wrote it: read from the totals, of which
    each area has one per table."""
    rows = db.session.execute(
        select(Area, CensusTable, BaselineImport, PopulationBaseline.count)
        .join(Area, Area.id == PopulationBaseline.area_id)
        .join(CensusTable, CensusTable.id == PopulationBaseline.census_table_id)
        .join(BaselineImport, BaselineImport.id == PopulationBaseline.import_id)
        .where(PopulationBaseline.is_total.is_(True))
        .order_by(Area.sort_order, Area.name, CensusTable.sort_order)
    )
    return [ImportedTable(area, table, source, total) for area, table, source, total in rows]


def any_illustrative() -> bool:
    return bool(db.session.scalar(select(BaselineImport.id).where(BaselineImport.is_illustrative).limit(1)))


@dataclass
class Baseline:
    """The population of some areas for one monitoring question."""

    question_code: str
    shares: dict[str, tuple[int, float]] = field(default_factory=dict)  # code -> (count, share of 1)
    missing_area_ids: list[int] = field(default_factory=list)  # asked for, with no table for the question
    table_codes: list[str] = field(default_factory=list)
    is_illustrative: bool = False  # made-up figures (the demo's) are among them
    imported_at: datetime | None = None  # the oldest import used

    @property
    def population(self) -> int:
        return sum(count for count, _ in self.shares.values())


def baseline_for(question_code: str, area_ids) -> Baseline:
    """The population of `area_ids` by the answer codes of `question_code`, summed across the areas.

    An area may hold more than one table for a question (age by single year and by five-year bands): its
    most recent import is used, so no one is counted twice."""
    area_ids = sorted(set(area_ids))
    result = Baseline(question_code)
    if question_code not in BY_CODE or not area_ids:
        result.missing_area_ids = area_ids
        return result
    tables = select(CensusTable.id).where(CensusTable.question_code == question_code)
    held = db.session.execute(
        select(
            PopulationBaseline.area_id,
            PopulationBaseline.census_table_id,
            BaselineImport.imported_at,
            BaselineImport.id,
            BaselineImport.is_illustrative,
            CensusTable.code,
        )
        .join(BaselineImport, BaselineImport.id == PopulationBaseline.import_id)
        .join(CensusTable, CensusTable.id == PopulationBaseline.census_table_id)
        .where(
            PopulationBaseline.is_total.is_(True),
            PopulationBaseline.area_id.in_(area_ids),
            PopulationBaseline.census_table_id.in_(tables),
        )
    ).all()
    chosen = {}
    for row in sorted(held, key=lambda row: (row.imported_at, row.id)):
        chosen[row.area_id] = row  # the latest wins
    result.missing_area_ids = [area_id for area_id in area_ids if area_id not in chosen]
    if not chosen:
        return result
    result.table_codes = sorted({row.code for row in chosen.values()})
    result.is_illustrative = any(row.is_illustrative for row in chosen.values())
    result.imported_at = min(row.imported_at for row in chosen.values())
    sums = db.session.execute(
        select(
            PopulationBaseline.area_id,
            PopulationBaseline.census_table_id,
            CategoryMap.monitoring_code,
            func.sum(PopulationBaseline.count),
        )
        .join(
            CategoryMap,
            (CategoryMap.census_table_id == PopulationBaseline.census_table_id)
            & (CategoryMap.label == PopulationBaseline.category),
        )
        .where(
            PopulationBaseline.area_id.in_(list(chosen)),
            PopulationBaseline.census_table_id.in_(tables),
            PopulationBaseline.is_total.is_(False),
            CategoryMap.monitoring_code != EXCLUDED,
        )
        .group_by(PopulationBaseline.area_id, PopulationBaseline.census_table_id, CategoryMap.monitoring_code)
    )
    counts: dict[str, int] = defaultdict(int)
    for area_id, table_id, code, count in sums:
        if chosen[area_id].census_table_id == table_id:
            counts[code] += int(count or 0)
    population = sum(counts.values())
    for code in BY_CODE[question_code].codes:
        if code in counts:
            result.shares[code] = (counts[code], counts[code] / population if population else 0.0)
    return result


def baseline_shares(question_code: str, area_ids) -> dict[str, tuple[int, float]]:
    """{monitoring code: (people, share of 1)} for the areas together; `areas_without_baseline` says which
    of them hold no table for the question (so are not in the figures)."""
    return baseline_for(question_code, area_ids).shares


def areas_without_baseline(question_code: str, area_ids) -> list[Area]:
    missing = baseline_for(question_code, area_ids).missing_area_ids
    if not missing:
        return []
    return list(db.session.scalars(select(Area).where(Area.id.in_(missing)).order_by(Area.sort_order)))
