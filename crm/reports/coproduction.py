"""The co-production report: how far events share power (their co-production level) over time and by delivery
area, and which of the authority's co-production principles are most often not met.

These count events, programmes and assessments, not people, so disclosure control does not apply (DESIGN.md
section 4 rule 2 covers counts of people by a monitoring category): no suppression, and every figure is exact.
Archived events and programmes are left out, as on the programme report.
"""

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, select, union

from crm.core.models import CoproductionPrinciple, DeliveryArea
from crm.core.time import uk_day_and_time
from crm.engagement.models import (
    COPRODUCTION_LEVELS,
    EngagementEvent,
    PrincipleAssessment,
    PrincipleRating,
    Programme,
    event_policy,
)
from crm.extensions import db
from crm.policies.models import Policy
from crm.reports.programmes import financial_quarter, quarter_label

NO_DELIVERY_AREA = "No delivery area"
# Stated on the page and in the README: the rule that puts an event under a delivery area.
DELIVERY_AREA_RULE = (
    "An event counts under each delivery area it serves, once each: its programme’s delivery area and the "
    "delivery areas of the policies it is linked to. So an event serving two areas counts under both, and "
    "the areas add up to more than the number of events; the last row counts each event once."
)


@dataclass(frozen=True)
class LevelRow:
    label: str
    counts: dict[str, int]  # level -> events, every level present

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class LevelTable:
    """Events by co-production level, a row per quarter or per delivery area, then the row for all events."""

    rows: list[LevelRow]
    whole: LevelRow


@dataclass(frozen=True)
class PrincipleCount:
    principle: CoproductionPrinciple
    not_met: int
    partly_met: int
    met: int

    @property
    def label(self) -> str:
        return self.principle.name + (" (retired)" if self.principle.is_retired else "")

    @property
    def assessed(self) -> int:
        return self.not_met + self.partly_met + self.met


@dataclass(frozen=True)
class CoproductionReport:
    by_quarter: LevelTable
    by_area: LevelTable
    principles: list[PrincipleCount]  # most often not met first


def _row(label: str, counts: Counter) -> LevelRow:
    return LevelRow(label, {level: counts.get(level, 0) for level in COPRODUCTION_LEVELS})


def _current_events():
    return select(EngagementEvent.id).where(EngagementEvent.is_archived.is_(False))


def levels_by_quarter() -> LevelTable:
    """Events per level per financial quarter, oldest first. The quarter is the UK day's, worked out here
    from each event's start: a few thousand (level, start) pairs in one statement, which SQLite and
    PostgreSQL cannot both put in UK quarters themselves."""
    rows = db.session.execute(
        select(EngagementEvent.coproduction_level, EngagementEvent.starts_at).where(
            EngagementEvent.is_archived.is_(False)
        )
    ).all()
    counts: dict[tuple[int, int], Counter] = {}
    whole: Counter = Counter()
    for level, starts_at in rows:
        counts.setdefault(financial_quarter(uk_day_and_time(starts_at)[0]), Counter())[level] += 1
        whole[level] += 1
    return LevelTable(
        [_row(quarter_label(quarter), counts[quarter]) for quarter in sorted(counts)],
        _row("All quarters", whole),
    )


def levels_by_area() -> LevelTable:
    """Events per level per delivery area (DELIVERY_AREA_RULE), in the areas' order, then events with no
    delivery area, then every event once. Four statements."""
    served = union(
        select(EngagementEvent.id.label("event_id"), Programme.delivery_area_id.label("area_id"))
        .join(Programme, Programme.id == EngagementEvent.programme_id)
        .where(Programme.delivery_area_id.is_not(None)),
        select(event_policy.c.event_id, Policy.delivery_area_id)
        .join(Policy, Policy.id == event_policy.c.policy_id)
        .where(Policy.delivery_area_id.is_not(None)),
    ).subquery()  # a union: an event whose programme and policy share an area counts there once
    by_area = db.session.execute(
        select(served.c.area_id, EngagementEvent.coproduction_level, func.count())
        .join(EngagementEvent, EngagementEvent.id == served.c.event_id)
        .where(EngagementEvent.is_archived.is_(False))
        .group_by(served.c.area_id, EngagementEvent.coproduction_level)
    ).all()
    counts: dict[int, Counter] = {}
    for area_id, level, number in by_area:
        counts.setdefault(area_id, Counter())[level] = number
    areas = db.session.execute(
        select(DeliveryArea.id, DeliveryArea.name)
        .where(DeliveryArea.id.in_(list(counts)))
        .order_by(DeliveryArea.sort_order, DeliveryArea.name)
    ).all()

    def by_level(*conditions) -> Counter:
        return Counter(
            dict(
                db.session.execute(
                    select(EngagementEvent.coproduction_level, func.count())
                    .where(EngagementEvent.is_archived.is_(False), *conditions)
                    .group_by(EngagementEvent.coproduction_level)
                ).all()
            )
        )

    unserved = by_level(EngagementEvent.id.not_in(select(served.c.event_id)))
    whole = by_level()
    rows = [_row(name, counts[area_id]) for area_id, name in areas]
    if unserved:
        rows.append(_row(NO_DELIVERY_AREA, unserved))
    return LevelTable(rows, _row("All events", whole))


def principles_not_met() -> list[PrincipleCount]:
    """Each principle in use (and any retired one with assessments) with how many current events and
    programmes rated it not met, partly met and met: most often not met first, then most often partly met,
    then in the admin's order. One grouped statement and one for the principles."""
    current = (PrincipleAssessment.event_id.in_(_current_events())) | (
        PrincipleAssessment.programme_id.in_(select(Programme.id).where(Programme.is_archived.is_(False)))
    )
    rows = db.session.execute(
        select(PrincipleAssessment.principle_id, PrincipleAssessment.rating, func.count())
        .where(current, PrincipleAssessment.rating != PrincipleRating.NOT_ASSESSED)
        .group_by(PrincipleAssessment.principle_id, PrincipleAssessment.rating)
    ).all()
    ratings: dict[int, Counter] = {}
    for principle_id, rating, number in rows:
        ratings.setdefault(principle_id, Counter())[rating] = number
    principles = db.session.scalars(
        select(CoproductionPrinciple)
        .where(CoproductionPrinciple.is_retired.is_(False) | CoproductionPrinciple.id.in_(list(ratings)))
        .order_by(CoproductionPrinciple.sort_order, CoproductionPrinciple.name)
    ).all()
    counted = [
        PrincipleCount(
            p,
            ratings.get(p.id, Counter())[PrincipleRating.NOT_MET],
            ratings.get(p.id, Counter())[PrincipleRating.PARTLY_MET],
            ratings.get(p.id, Counter())[PrincipleRating.MET],
        )
        for p in principles
    ]
    return most_often_not_met(counted)


def most_often_not_met(lines: list[PrincipleCount]) -> list[PrincipleCount]:
    """Most often not met first, then most often partly met; among equals, the order given (the admin's:
    sorted() is stable)."""
    return sorted(lines, key=lambda line: (-line.not_met, -line.partly_met))


def coproduction_report() -> CoproductionReport:
    return CoproductionReport(levels_by_quarter(), levels_by_area(), principles_not_met())
