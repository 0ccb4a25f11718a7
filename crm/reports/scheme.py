"""The scheme report: one printable page per financial quarter or year for the authority's board, pulling
together the objectives' progress, whom we heard from, the engagement portfolio, EIA coverage and what
changed because of what people said. Every figure comes from the same rules as its own report."""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from crm.core.time import end_of_uk_day, start_of_uk_day
from crm.engagement.models import COPRODUCTION_LEVELS, EVENT_KINDS, EngagementEvent, Programme
from crm.extensions import db
from crm.outcomes.models import Outcome
from crm.policies.models import INFLUENCE_USES, Policy, PolicyInfluence
from crm.reports import objectives, portfolio, representation
from crm.reports.models import Measure, Objective

_QUARTER = re.compile(r"(\d{4})-Q([1-4])")
_YEAR = re.compile(r"(\d{4})")


@dataclass(frozen=True)
class Period:
    """A financial quarter ("2026-Q3": October to December 2026) or year ("2026": April 2026 to March
    2027)."""

    key: str
    start: date
    end: date
    label: str

    @classmethod
    def parse(cls, key: str) -> "Period | None":
        key = (key or "").strip()
        if match := _QUARTER.fullmatch(key):
            year, quarter = int(match[1]), int(match[2])
            month = 4 + 3 * (quarter - 1)
            start = date(year + (month > 12), (month - 1) % 12 + 1, 1)
            following = date(start.year + (start.month + 3 > 12), (start.month + 2) % 12 + 1, 1)
            months = {
                1: "April to June",
                2: "July to September",
                3: "October to December",
                4: "January to March",
            }
            return cls(key, start, following - timedelta(days=1), f"{months[quarter]} {start.year}")
        if match := _YEAR.fullmatch(key):
            year = int(match[1])
            if 2000 <= year <= 2100:
                return cls(key, date(year, 4, 1), date(year + 1, 3, 31), f"April {year} to March {year + 1}")
        return None

    @classmethod
    def containing(cls, day: date) -> "Period":
        year = day.year if day.month >= 4 else day.year - 1
        return cls.parse(f"{year}-Q{(day.month - 4) % 12 // 3 + 1}")


def recent_periods(today: date, count: int = 8) -> list[Period]:
    """The current and previous quarters, then the current and previous years, for the period choice."""
    periods, day = [], today
    for _ in range(count):
        period = Period.containing(day)
        periods.append(period)
        day = period.start - timedelta(days=1)
    year = today.year if today.month >= 4 else today.year - 1
    return periods + [Period.parse(str(year)), Period.parse(str(year - 1))]


@dataclass(frozen=True)
class MeasureLine:
    objective: Objective
    measure: Measure
    value: objectives.Value
    rag: str


@dataclass(frozen=True)
class SchemeReport:
    period: Period
    measures: list[MeasureLine]
    representation: representation.RepresentationReport
    events: int
    attendance: int
    kinds: list[tuple[str, int]]
    levels: list[tuple[str, int]]
    programmes: list[tuple[str, int]]
    coverage: portfolio.EIACoverage
    changes: list[tuple[Policy, dict[str, int]]]
    outcomes: list[Outcome]


def _measures(period: Period) -> list[MeasureLine]:
    lines = []
    for objective in db.session.scalars(
        select(Objective).options(selectinload(Objective.measures)).order_by(Objective.title)
    ):
        for measure in objective.measures:
            start, end = max(measure.period_start, period.start), min(measure.period_end, period.end)
            if start > end:
                continue  # the measure does not run in this period
            value = objectives.value_of(measure, measure.period_start, end)
            lines.append(MeasureLine(objective, measure, value, objectives.rag(measure, value)))
    return lines


def _events(period: Period):
    return select(EngagementEvent).where(
        EngagementEvent.is_archived.is_(False),
        EngagementEvent.starts_at >= start_of_uk_day(period.start),
        EngagementEvent.starts_at < end_of_uk_day(period.end),
    )


def _grouped(column: str, period: Period) -> list[tuple[str, int]]:
    """The period's events counted by one of their columns, most first."""
    events = _events(period).subquery()
    by = events.c[column]
    return [
        tuple(row)
        for row in db.session.execute(select(by, func.count()).group_by(by).order_by(func.count().desc(), by))
    ]


def scheme_report(period: Period) -> SchemeReport:
    events = _events(period).subquery()
    count, attendance = db.session.execute(
        select(func.count(), func.coalesce(func.sum(events.c.attendance), 0))
    ).one()
    programmes = db.session.execute(
        select(Programme.name, func.count())
        .join(events, events.c.programme_id == Programme.id)
        .group_by(Programme.name)
        .order_by(func.count().desc(), Programme.name)
    ).all()
    changes: dict[int, dict[str, int]] = {}
    for policy_id, use, number in db.session.execute(
        select(PolicyInfluence.policy_id, PolicyInfluence.use, func.count())
        .where(
            PolicyInfluence.decided_at >= start_of_uk_day(period.start),
            PolicyInfluence.decided_at < end_of_uk_day(period.end),
        )
        .group_by(PolicyInfluence.policy_id, PolicyInfluence.use)
    ):
        changes.setdefault(policy_id, dict.fromkeys(INFLUENCE_USES, 0))[use] = number
    policies = db.session.scalars(select(Policy).where(Policy.id.in_(changes)).order_by(Policy.reference))
    outcomes = db.session.scalars(
        select(Outcome)
        .options(selectinload(Outcome.consultation))
        .where(
            Outcome.status == "published",
            Outcome.published_at >= start_of_uk_day(period.start),
            Outcome.published_at < end_of_uk_day(period.end),
        )
        .order_by(Outcome.published_at)
    ).all()
    scope = representation.Scope(date_from=period.start.isoformat(), date_to=period.end.isoformat())
    return SchemeReport(
        period=period,
        measures=_measures(period),
        representation=representation.representation_report(scope),
        events=count,
        attendance=attendance,
        kinds=[(EVENT_KINDS.get(kind, kind), n) for kind, n in _grouped("kind", period)],
        levels=[
            (COPRODUCTION_LEVELS.get(level, level), n) for level, n in _grouped("coproduction_level", period)
        ],
        programmes=[tuple(row) for row in programmes],
        coverage=portfolio.eia_coverage(portfolio.CoverageFilters(key_only=True), period.end, 1),
        changes=[(policy, changes[policy.id]) for policy in policies],
        outcomes=list(outcomes),
    )
