"""A programme of events reported as a whole: its totals, activity mix, whom it reached (by characteristic,
over time, and by area), what was heard at it and what that changed.

Reach is officers' estimate of people by characteristic, so it goes through disclosure control like every
count of people by category: characteristic by quarter is one table, suppressed with its row totals.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select

from crm.core import suppression
from crm.core.models import Area, Characteristic, Theme
from crm.core.suppression import Cell
from crm.core.time import uk_day_and_time
from crm.engagement.models import EVENT_KINDS, EngagementEvent, EventReach, Programme, event_group
from crm.extensions import db
from crm.feedback.models import Feedback, feedback_characteristic, feedback_theme
from crm.policies.models import INFLUENCE_USES, Policy, PolicyInfluence

PER_PAGE = 25


def financial_quarter(day: date) -> tuple[int, int]:
    """(year the financial year starts, quarter 1-4): UK public bodies' year runs April to March."""
    start_year = day.year if day.month >= 4 else day.year - 1
    return start_year, (day.month - 4) % 12 // 3 + 1


def quarter_label(quarter: tuple[int, int]) -> str:
    year, number = quarter
    months = {1: "Apr to Jun", 2: "Jul to Sep", 3: "Oct to Dec", 4: "Jan to Mar"}[number]
    return f"{months} {year if number < 4 else year + 1}"


@dataclass(frozen=True)
class ReachTable:
    """Estimated people reached, characteristic by quarter, suppressed; `withheld` when nothing may show."""

    characteristics: list[Characteristic]
    quarters: list[tuple[int, int]]
    cells: list[list[Cell]]  # a row per characteristic, a cell per quarter then its total
    threshold: int

    @property
    def quarter_labels(self) -> list[str]:
        return [quarter_label(q) for q in self.quarters]

    @property
    def withheld(self) -> bool:
        return any(cell.suppressed == suppression.WITHHELD for row in self.cells for cell in row)


@dataclass(frozen=True)
class InfluenceLine:
    policy: Policy
    uses: dict[str, int]  # use -> items


@dataclass(frozen=True)
class ProgrammeReport:
    programme: Programme
    events: int
    first: datetime | None
    last: datetime | None
    attendance: int
    events_with_attendance: int
    groups: int
    kinds: list[tuple[str, int]]  # (label, events), most first
    areas: list[tuple[str, int, int]]  # (area, events, attendance)
    reach: ReachTable
    feedback: int
    feedback_uncoded: int
    themes: list[tuple[str, int]]
    characteristics: list[tuple[str, int]]
    influence: list[InfluenceLine]


def _programme_events(programme_id: int):
    return select(EngagementEvent.id).where(
        EngagementEvent.programme_id == programme_id, EngagementEvent.is_archived.is_(False)
    )


def _reach_table(programme_id: int) -> ReachTable:
    rows = db.session.execute(
        select(EventReach.characteristic_id, EngagementEvent.starts_at, EventReach.estimated_count)
        .join(EngagementEvent, EngagementEvent.id == EventReach.event_id)
        .where(EventReach.event_id.in_(_programme_events(programme_id)))
    ).all()
    totals: Counter = Counter()
    for characteristic_id, starts_at, estimate in rows:
        totals[(characteristic_id, financial_quarter(uk_day_and_time(starts_at)[0]))] += estimate
    used = {characteristic for characteristic, _quarter in totals}
    characteristics = [
        c
        for c in db.session.scalars(
            select(Characteristic).order_by(Characteristic.sort_order, Characteristic.name)
        )
        if c.id in used
    ]
    quarters = sorted({quarter for _characteristic, quarter in totals})
    threshold, _minimum = suppression.settings()
    if not characteristics:
        return ReachTable([], [], [], threshold)
    grid = [[totals.get((c.id, q), 0) for q in quarters] for c in characteristics]
    # Suppressed with the column sums too, though a person can share several characteristics and those sums
    # are not shown: hiding more than needed is safe, and a reader cannot use a figure they never see.
    suppressed = suppression.suppress_table(grid, threshold)
    return ReachTable(characteristics, quarters, suppressed[:-1], threshold)


def _influence(feedback_ids) -> list[InfluenceLine]:
    rows = db.session.execute(
        select(PolicyInfluence.policy_id, PolicyInfluence.use, func.count())
        .where(PolicyInfluence.feedback_id.in_(feedback_ids))
        .group_by(PolicyInfluence.policy_id, PolicyInfluence.use)
    ).all()
    uses: dict[int, dict[str, int]] = {}
    for policy_id, use, count in rows:
        uses.setdefault(policy_id, dict.fromkeys(INFLUENCE_USES, 0))[use] = count
    policies = db.session.scalars(select(Policy).where(Policy.id.in_(uses)).order_by(Policy.reference))
    return [InfluenceLine(policy, uses[policy.id]) for policy in policies]


def programme_report(programme: Programme) -> ProgrammeReport:
    """Everything the programme page shows, in a fixed number of grouped statements."""
    events = _programme_events(programme.id)
    summary = db.session.execute(
        select(
            func.count(EngagementEvent.id),
            func.min(EngagementEvent.starts_at),
            func.max(EngagementEvent.starts_at),
            func.coalesce(func.sum(EngagementEvent.attendance), 0),
            func.count(EngagementEvent.attendance),
        ).where(EngagementEvent.id.in_(events))
    ).one()
    groups = db.session.scalar(
        select(func.count(func.distinct(event_group.c.group_id))).where(event_group.c.event_id.in_(events))
    )
    kinds = db.session.execute(
        select(EngagementEvent.kind, func.count())
        .where(EngagementEvent.id.in_(events))
        .group_by(EngagementEvent.kind)
        .order_by(func.count().desc(), EngagementEvent.kind)
    ).all()
    areas = db.session.execute(
        select(
            func.coalesce(Area.name, "No area given"),
            func.count(EngagementEvent.id),
            func.coalesce(func.sum(EngagementEvent.attendance), 0),
        )
        .select_from(EngagementEvent)
        .outerjoin(Area, Area.id == EngagementEvent.area_id)
        .where(EngagementEvent.id.in_(events))
        .group_by(Area.name)
        .order_by(func.count(EngagementEvent.id).desc(), Area.name)
    ).all()
    heard = select(Feedback.id).where(Feedback.event_id.in_(events), Feedback.status != "excluded")
    feedback = db.session.scalar(select(func.count()).select_from(heard.subquery()))
    coded_for = select(feedback_characteristic.c.feedback_id).where(
        feedback_characteristic.c.feedback_id.in_(heard)
    )
    uncoded = db.session.scalar(
        select(func.count()).select_from(heard.where(Feedback.id.not_in(coded_for)).subquery())
    )
    themes = db.session.execute(
        select(Theme.name, func.count())
        .join(feedback_theme, feedback_theme.c.theme_id == Theme.id)
        .where(feedback_theme.c.feedback_id.in_(heard))
        .group_by(Theme.name)
        .order_by(func.count().desc(), Theme.name)
    ).all()
    characteristics = db.session.execute(
        select(Characteristic.name, func.count())
        .join(feedback_characteristic, feedback_characteristic.c.characteristic_id == Characteristic.id)
        .where(feedback_characteristic.c.feedback_id.in_(heard))
        .group_by(Characteristic.name, Characteristic.sort_order)
        .order_by(Characteristic.sort_order)
    ).all()
    return ProgrammeReport(
        programme=programme,
        events=summary[0],
        first=summary[1],
        last=summary[2],
        attendance=summary[3],
        events_with_attendance=summary[4],
        groups=groups,
        kinds=[(EVENT_KINDS.get(kind, kind), count) for kind, count in kinds],
        areas=[tuple(row) for row in areas],
        reach=_reach_table(programme.id),
        feedback=feedback,
        feedback_uncoded=uncoded,
        themes=[tuple(row) for row in themes],
        characteristics=[tuple(row) for row in characteristics],
        influence=_influence(heard),
    )


def programme_list(include_archived: bool = False) -> list[tuple[Programme, int, datetime | None]]:
    """Every programme with its events and the date of its latest: one grouped statement."""
    counted = (
        select(
            EngagementEvent.programme_id,
            func.count().label("events"),
            func.max(EngagementEvent.starts_at).label("latest"),
        )
        .where(EngagementEvent.is_archived.is_(False), EngagementEvent.programme_id.is_not(None))
        .group_by(EngagementEvent.programme_id)
        .subquery()
    )
    query = (
        select(Programme, func.coalesce(counted.c.events, 0), counted.c.latest)
        .outerjoin(counted, counted.c.programme_id == Programme.id)
        .order_by(Programme.is_archived, Programme.name)
    )
    if not include_archived:
        query = query.where(Programme.is_archived.is_(False))
    return [tuple(row) for row in db.session.execute(query)]
