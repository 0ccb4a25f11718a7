"""Population baselines: importing Census 2021 tables and keeping the mapping of their categories.

An import checks every figure first and either replaces the table's counts for every area in the file or
changes nothing (DESIGN rule 3). Like every service it changes the session and audits; the caller commits.
"""

import re
from dataclasses import dataclass, field

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import selectinload

from crm.auth.models import StaffUser
from crm.consultations.monitoring import BY_CODE, QUESTIONS
from crm.core import audit
from crm.core.models import Area, Characteristic, DeliveryArea
from crm.core.reference import GSS_CODES
from crm.core.rules import RuleBroken, bounded_text
from crm.extensions import db
from crm.reports.baseline_files import BaselineFile, BaselineFileError, normalised, read_baseline_file
from crm.reports.census import TABLES
from crm.reports.models import (
    EXCLUDED,
    MEASURE_KINDS,
    PERCENT_KINDS,
    BaselineImport,
    CategoryMap,
    CensusTable,
    Measure,
    Objective,
    PopulationBaseline,
    PriorityCohort,
)

_WHOLE_NUMBER = re.compile(r"-?\d+")


@dataclass(frozen=True)
class Problem:
    row: int | None
    column: str
    message: str


class BaselineRejected(ValueError):
    """Nothing was imported: the file as a whole (`str(error)`), or these rows, have problems."""

    def __init__(self, message: str, problems: list[Problem] | None = None):
        super().__init__(message)
        self.problems = problems or []


class MappingError(ValueError):
    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass
class BaselinePlan:
    table: CensusTable
    counts: dict[int, dict[str, int]] = field(default_factory=dict)  # area id -> category label -> count
    totals: dict[int, str] = field(default_factory=dict)  # area id -> the total's label
    problems: list[Problem] = field(default_factory=list)
    skipped_areas: set[tuple[str, str]] = field(default_factory=set)  # (name, code) outside the register


@dataclass(frozen=True)
class ImportedBaseline:
    record: BaselineImport
    skipped_areas: int  # areas in the file outside the register, left out when asked to


# ---- Reference data: the tables and their default mapping --------------------------------------------------


def seed_census_tables() -> int:
    """Add the tables and categories of crm.reports.census that are missing. A mapping an admin changed is
    kept: running it again adds only what is new."""
    tables = {table.code: table for table in db.session.scalars(select(CensusTable))}
    added = 0
    for order, definition in enumerate(TABLES):
        table = tables.get(definition.code)
        if table is None:
            table = CensusTable(
                code=definition.code,
                title=definition.title,
                variable=definition.variable,
                total_label=definition.total_label,
                question_code=definition.question_code,
                sort_order=order,
            )
            db.session.add(table)
            added += 1
        known = {normalised(category.label) for category in table.categories}
        for position, (label, code) in enumerate(definition.categories):
            if normalised(label) not in known:
                table.categories.append(CategoryMap(label=label, monitoring_code=code, sort_order=position))
                added += 1
    return added


def census_tables() -> list[CensusTable]:
    return list(
        db.session.scalars(
            select(CensusTable).options(selectinload(CensusTable.categories)).order_by(CensusTable.sort_order)
        )
    )


def mapping_choices(table: CensusTable) -> list[tuple[str, str]]:
    """What a census category of `table` can map to: an answer of its question, or nothing."""
    question = BY_CODE[table.question_code]
    return [(code, question.label(code)) for code in question.codes] + [(EXCLUDED, "Excluded (not counted)")]


# ---- Import ------------------------------------------------------------------------------------------------


def import_baseline(
    actor, filename: str, content: bytes, illustrative: bool = False, skip_other_areas: bool = False
) -> ImportedBaseline:
    """Check the whole file, then replace its table's counts for the areas it holds; or raise BaselineRejected
    and change nothing. With skip_other_areas, areas outside the register (a whole-country ONS file holds
    every local authority) are left out instead of refused."""
    plan = plan_baseline(filename, content, skip_other_areas)
    if plan.problems:
        rows = len({problem.row for problem in plan.problems})
        raise BaselineRejected(
            f"Nothing was imported: {len(plan.problems):,} problems in {rows:,} "
            f"{'place' if rows == 1 else 'places'} of the file",
            plan.problems,
        )
    record = BaselineImport(
        census_table_id=plan.table.id,
        source_filename=(filename or "upload.csv")[:255],
        imported_by_id=None if isinstance(actor, str) else actor.id,
        imported_by_label=actor if isinstance(actor, str) else actor.email,
        is_illustrative=illustrative,
    )
    db.session.add(record)
    db.session.flush()
    # Deleted and inserted by statements of their own, in this order: the unit of work's flush would insert
    # first, and meet the unique key of the rows being replaced.
    db.session.execute(
        delete(PopulationBaseline).where(
            PopulationBaseline.census_table_id == plan.table.id, PopulationBaseline.area_id.in_(plan.counts)
        )
    )
    rows = [
        dict(
            area_id=area_id,
            census_table_id=plan.table.id,
            category=label,
            count=count,
            is_total=label == plan.totals[area_id],
            import_id=record.id,
        )
        for area_id, counts in plan.counts.items()
        for label, count in counts.items()
    ]
    db.session.execute(insert(PopulationBaseline), rows)
    audit.record(actor, "baseline.imported", record, ["population_baseline"])
    return ImportedBaseline(record, len(plan.skipped_areas))


def plan_baseline(filename: str, content: bytes, skip_other_areas: bool = False) -> BaselinePlan:
    """What the file would import, and every problem in it."""
    try:
        found = read_baseline_file(filename, content)
    except BaselineFileError as error:
        raise BaselineRejected(str(error)) from error
    table = _table_for(found)
    plan = BaselinePlan(table)
    labels = {normalised(category.label): category for category in table.categories}
    total_key = normalised(table.total_label)
    areas = _area_lookup()
    unknown_areas, unknown_categories = set(), set()
    first_row: dict[int, int] = {}
    for cell in found.cells:
        area = areas.get(cell.area_code.upper()) or areas.get(normalised(cell.area_name))
        if area is None:
            key = (cell.area_name, cell.area_code)
            if skip_other_areas:
                plan.skipped_areas.add(key)
            elif key not in unknown_areas:
                unknown_areas.add(key)
                plan.problems.append(_unknown_area(cell, found))
            continue
        key = normalised(cell.category)
        if key == total_key:
            label = table.total_label
            plan.totals[area.id] = label
        elif key in labels:
            label = labels[key].label
        else:
            if key not in unknown_categories:
                unknown_categories.add(key)
                plan.problems.append(_unknown_category(cell, found, table))
            continue
        first_row.setdefault(area.id, cell.row)
        count = _count(cell, plan.problems)
        counts = plan.counts.setdefault(area.id, {})
        if label in counts:
            plan.problems.append(Problem(cell.row, cell.column, f"{area.name} has ‘{cell.category}’ twice"))
        elif count is not None:
            counts[label] = count
    _check_totals(plan, labels, first_row, found, {area.id: area.name for area in areas.values()})
    if not plan.counts and not plan.problems:
        plan.problems.append(Problem(None, "", "The file holds no figures for any of the region’s areas"))
    return plan


def _table_for(found: BaselineFile) -> CensusTable:
    tables = census_tables()
    known = ", ".join(f"{table.code} ({table.title})" for table in tables)
    if found.table_code:
        table = next((table for table in tables if table.code == found.table_code), None)
        if table is None:
            raise BaselineRejected(
                f"The file name says it is table {found.table_code}, which is not mapped to a monitoring "
                f"question. The tables that are: {known}"
            )
        if normalised(table.variable) != normalised(found.variable):
            raise BaselineRejected(
                f"The file name says it is table {table.code} ({table.title}), but its figures are of "
                f"‘{found.variable}’. Check the file, or rename it"
            )
        return table
    candidates = [table for table in tables if normalised(table.variable) == normalised(found.variable)]
    if not candidates:
        raise BaselineRejected(
            f"No Census table of ‘{found.variable}’ is mapped to a monitoring question. The tables that are: "
            f"{known}"
        )
    # Age comes in more than one table: the one that knows the file's categories is the file's.
    in_file = {normalised(cell.category) for cell in found.cells}
    return max(candidates, key=lambda table: len(in_file & {normalised(c.label) for c in table.categories}))


def _area_lookup() -> dict[str, Area]:
    """Areas by GSS code and by name, without "Region-wide", which no census file holds."""
    areas = list(db.session.scalars(select(Area).where(Area.kind != "region")))
    by_name = {normalised(area.name): area for area in areas}
    lookup = dict(by_name)
    for code, name in GSS_CODES.items():
        if normalised(name) in by_name:
            lookup[code] = by_name[normalised(name)]
    return lookup


def _unknown_area(cell, found: BaselineFile) -> Problem:
    column = "geography" if found.layout == "ons" else "area"
    named = f"‘{cell.area_name}’" + (f" ({cell.area_code})" if cell.area_code else "")
    return Problem(
        cell.row,
        column,
        f"{named} is not one of the region’s areas. Remove its rows from the file, or add the area to the "
        "areas list first",
    )


def _unknown_category(cell, found: BaselineFile, table: CensusTable) -> Problem:
    if found.layout == "ons":
        row, column = found.header_row, found.category_columns.get(cell.category, cell.column)
    else:
        row, column = cell.row, found.category_column
    return Problem(
        row,
        column,
        f"‘{cell.category}’ is not a category of {table.code} in the mapping. If it is one, add it under "
        f"{table.code} on the baseline mapping page (Add a census category), choose what it counts as, then "
        "import the file again",
    )


def _count(cell, problems: list[Problem]) -> int | None:
    value = cell.value.replace(",", "").strip()
    if not value:
        problems.append(Problem(cell.row, cell.column, "The count is missing: enter a whole number"))
    elif not _WHOLE_NUMBER.fullmatch(value):
        problems.append(Problem(cell.row, cell.column, f"‘{cell.value[:40]}’ is not a whole number"))
    elif int(value) < 0:
        problems.append(
            Problem(cell.row, cell.column, f"The count {value} is negative: counts are 0 or more")
        )
    else:
        return int(value)
    return None


def _check_totals(
    plan: BaselinePlan, labels: dict, first_row: dict, found: BaselineFile, names: dict
) -> None:
    """Every area needs its total, and the categories that count (not excluded) cannot add up to more."""
    counted = {category.label for category in labels.values() if category.monitoring_code != EXCLUDED}
    total_column = found.category_columns.get(plan.table.total_label, found.category_column or "total")
    for area_id, counts in plan.counts.items():
        row = first_row[area_id]
        if area_id not in plan.totals:
            plan.problems.append(
                Problem(
                    row,
                    total_column,
                    f"There is no total (‘{plan.table.total_label}’) for {names[area_id]}: "
                    "every area needs one",
                )
            )
            continue
        total = counts.get(plan.totals[area_id])
        summed = sum(count for label, count in counts.items() if label in counted)
        if total is not None and summed > total:
            plan.problems.append(
                Problem(
                    row,
                    total_column,
                    f"The categories of {names[area_id]} add up to {summed:,}, "
                    f"more than its total of {total:,}",
                )
            )


# ---- The mapping -------------------------------------------------------------------------------------------


def set_mapping(actor, table: CensusTable, codes: dict[int, str]) -> int:
    """Map each of the table's categories (by id) to a code of its question. Returns how many changed."""
    allowed = {code for code, _ in mapping_choices(table)}
    wrong = {str(cid): "Choose one of the options" for cid, code in codes.items() if code not in allowed}
    if wrong:
        raise MappingError(wrong)
    changed = 0
    for category in table.categories:
        code = codes.get(category.id)
        if code is not None and code != category.monitoring_code:
            category.monitoring_code = code
            audit.record(actor, "baseline.mapping_changed", category, ["monitoring_code"])
            changed += 1
    return changed


def add_category(actor, table: CensusTable, label: str, code: str) -> CategoryMap:
    label = " ".join((label or "").split())
    if not label:
        raise MappingError({"label": "Enter the census category, as the file names it"})
    if len(label) > 200:
        raise MappingError({"label": "The census category must be 200 characters or fewer"})
    if ":" in label and normalised(label.split(":", 1)[0]) == normalised(table.variable):
        label = label.split(":", 1)[1].strip()  # pasted with the variable's name in front
    existing = {normalised(category.label) for category in table.categories} | {normalised(table.total_label)}
    if normalised(label) in existing:
        raise MappingError({"label": f"{table.code} already has the category ‘{label}’"})
    if code not in {value for value, _ in mapping_choices(table)}:
        raise MappingError({"monitoring_code": "Choose what the category counts as"})
    category = CategoryMap(label=label, monitoring_code=code, sort_order=len(table.categories))
    table.categories.append(category)
    audit.record(actor, "baseline.category_added", category, ["label", "monitoring_code"])
    return category


# ---- Diversity objectives, measures and priority cohorts


class ObjectiveError(RuleBroken):
    """An objective, measure or cohort change was refused."""


def _category_codes() -> set[str]:
    """Every monitoring category a measure or cohort may name: "question:answer"."""
    return {f"{question.code}:{code}" for question in QUESTIONS for code, _ in question.options}


def _delivery_area(area_id) -> DeliveryArea:
    area = db.session.get(DeliveryArea, area_id) if area_id else None
    if area is None:
        raise ObjectiveError("delivery_area_id", "Select a delivery area")
    return area


def _owner(owner_id) -> int | None:
    if owner_id is None:
        return None
    owner = db.session.get(StaffUser, owner_id)
    if owner is None or not owner.is_active_account:
        raise ObjectiveError("owner_id", "Select an owner from the list")
    return owner.id


def create_objective(actor, **values) -> Objective:
    title = bounded_text(values.get("title"), "title", "Title", 200)
    if not title:
        raise ObjectiveError("title", "Enter the objective")
    objective = Objective(
        title=title,
        description=bounded_text(values.get("description"), "description", "Description", 5000),
        delivery_area_id=_delivery_area(values.get("delivery_area_id")).id,
        owner_id=_owner(values.get("owner_id")),
    )
    db.session.add(objective)
    audit.record(
        actor, "objective.created", objective, ["title", "description", "delivery_area_id", "owner_id"]
    )
    return objective


def update_objective(actor, objective: Objective, **values) -> list[str]:
    title = bounded_text(values.get("title"), "title", "Title", 200)
    if not title:
        raise ObjectiveError("title", "Enter the objective")
    changed = audit.changed_field_names(
        objective,
        {
            "title": title,
            "description": bounded_text(values.get("description"), "description", "Description", 5000),
            "delivery_area_id": _delivery_area(values.get("delivery_area_id")).id,
            "owner_id": _owner(values.get("owner_id")),
        },
    )
    if changed:
        audit.record(actor, "objective.updated", objective, changed)
    return changed


MEASURE_FIELDS = (
    "kind",
    "category",
    "cohort_id",
    "characteristic_id",
    "baseline",
    "target",
    "period_start",
    "period_end",
    "owner_id",
)


def _measure_values(values: dict) -> dict:
    """A measure's values checked: what it is about fits its kind, the figures fit its unit, the target is
    above the baseline (every kind should rise) and the period ends after it starts."""
    kind = values.get("kind")
    if kind not in MEASURE_KINDS:
        raise ObjectiveError("kind", "Select what the measure counts")
    clean = {name: values.get(name) for name in MEASURE_FIELDS}
    clean["category"] = clean["category"] or ""
    if kind == "respondent_share":
        if bool(clean["category"]) == bool(clean["cohort_id"]):
            raise ObjectiveError("category", "Choose a category or a priority cohort, not both")
        if clean["category"] and clean["category"] not in _category_codes():
            raise ObjectiveError("category", "Choose a category from the list")
        if clean["cohort_id"]:
            cohort = db.session.get(PriorityCohort, clean["cohort_id"])
            if cohort is None:
                raise ObjectiveError("cohort_id", "Choose a priority cohort from the list")
            if len({category.partition(":")[0] for category in cohort.categories}) != 1:
                raise ObjectiveError(
                    "cohort_id",
                    "A share needs a cohort of one question's answers: one person can be in several",
                )
        clean["characteristic_id"] = None
    else:
        clean["category"], clean["cohort_id"] = "", None
        if kind in ("event_reach", "groups_engaged"):
            if (
                not clean["characteristic_id"]
                or db.session.get(Characteristic, clean["characteristic_id"]) is None
            ):
                raise ObjectiveError("characteristic_id", "Choose the characteristic it counts")
        else:
            clean["characteristic_id"] = None
    for name, label in (("baseline", "Baseline"), ("target", "Target")):
        figure = clean[name]
        if figure is None:
            raise ObjectiveError(name, f"Enter the {label.lower()} as a number")
        if figure < 0 or (kind in PERCENT_KINDS and figure > 100):
            raise ObjectiveError(
                name,
                f"{label} must be a percentage from 0 to 100"
                if kind in PERCENT_KINDS
                else f"{label} must be 0 or more",
            )
    if clean["target"] <= clean["baseline"]:
        raise ObjectiveError("target", "The target must be above the baseline: this measure should rise")
    if clean["period_start"] is None:
        raise ObjectiveError("period_start", "Enter the date the period starts")
    if clean["period_end"] is None:
        raise ObjectiveError("period_end", "Enter the date the period ends")
    if clean["period_end"] <= clean["period_start"]:
        raise ObjectiveError("period_end", "The period must end after it starts")
    clean["owner_id"] = _owner(clean["owner_id"])
    return clean


def add_measure(actor, objective: Objective, **values) -> Measure:
    measure = Measure(objective=objective, **_measure_values(values))
    db.session.add(measure)
    audit.record(actor, "measure.created", measure, list(MEASURE_FIELDS))
    return measure


def update_measure(actor, measure: Measure, **values) -> list[str]:
    changed = audit.changed_field_names(measure, _measure_values(values))
    if changed:
        audit.record(actor, "measure.updated", measure, changed)
    return changed


def _cohort_values(values: dict, cohort_id: int | None = None) -> dict:
    name = bounded_text(values.get("name"), "name", "Name", 200)
    if not name:
        raise ObjectiveError("name", "Enter the cohort's name")
    taken = select(PriorityCohort.id).where(func.lower(PriorityCohort.name) == name.lower())
    if cohort_id is not None:
        taken = taken.where(PriorityCohort.id != cohort_id)
    if db.session.scalar(taken) is not None:
        raise ObjectiveError("name", "There is already a cohort with this name")
    categories = list(dict.fromkeys(values.get("categories") or []))
    if not categories:
        raise ObjectiveError("categories", "Choose at least one category")
    if set(categories) - _category_codes():
        raise ObjectiveError("categories", "Choose categories from the list")
    return {
        "name": name,
        "description": bounded_text(values.get("description"), "description", "Description", 5000),
        "categories": categories,
    }


def create_cohort(actor, **values) -> PriorityCohort:
    cohort = PriorityCohort(**_cohort_values(values))
    db.session.add(cohort)
    audit.record(actor, "cohort.created", cohort, ["name", "description", "categories"])
    return cohort


def update_cohort(actor, cohort: PriorityCohort, **values) -> list[str]:
    changed = audit.changed_field_names(cohort, _cohort_values(values, cohort.id))
    if changed:
        audit.record(actor, "cohort.updated", cohort, changed)
    return changed
