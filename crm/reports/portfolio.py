"""Portfolio reports across policies: EIA coverage, barriers heard by characteristic, and a heat map of which
characteristics each policy has heard from.

These count policies and feedback items, not people by a monitoring category, so disclosure control does not
apply: every item behind a count is one click away for the same staff (DESIGN.md section 4 rule 2 covers
counts of people by monitoring category, which the representation report shows).
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import case, exists, func, select, union
from sqlalchemy.orm import selectinload

from crm.consultations.models import consultation_policy
from crm.core.args import one_id, one_of
from crm.core.models import Barrier, Characteristic, DeliveryArea
from crm.core.pagination import paginate
from crm.core.reference import active_entries
from crm.core.time import end_of_uk_day, start_of_uk_day
from crm.eias.models import EIA
from crm.engagement.models import event_policy
from crm.evidence.queries import weak_evidence_below
from crm.extensions import db
from crm.feedback.models import Feedback, feedback_barrier, feedback_characteristic, feedback_policy
from crm.policies.models import POLICY_KINDS, Policy
from crm.reports.cache import cached

SIGNED_OFF = ("approved", "published")
IN_PROGRESS = ("draft", "in_review")
# In the order the report reads: the state a policy is in is the first that holds.
EIA_STATES = {
    "current": "Current approved EIA",
    "overdue": "Review overdue",
    "in_progress": "EIA in progress",
    "none": "No EIA",
}
POLICIES_PER_PAGE = 25


# ---- EIA coverage ------------------------------------------------------------------------------------------


def _eia_state(today: date):
    """A SQL expression: the EIA state of each policy (see EIA_STATES)."""

    def any_eia(*conditions):
        return exists().where(EIA.policy_id == Policy.id, *conditions)

    return case(
        (
            any_eia(EIA.status.in_(SIGNED_OFF), (EIA.review_due.is_(None)) | (EIA.review_due >= today)),
            "current",
        ),
        (any_eia(EIA.status.in_(SIGNED_OFF)), "overdue"),
        (any_eia(EIA.status.in_(IN_PROGRESS)), "in_progress"),
        else_="none",
    )


@dataclass(frozen=True)
class CoverageFilters:
    key_only: bool = False
    delivery_area: int | None = None
    state: str = ""

    @classmethod
    def from_args(cls, args) -> "CoverageFilters":
        return cls(
            key_only=args.get("key") == "yes",
            delivery_area=one_id(args, "delivery_area"),
            state=one_of(args, "state", EIA_STATES),
        )


@dataclass(frozen=True)
class CoverageLine:
    """One row of the coverage table: a delivery area (or "Not given", or the whole portfolio)."""

    label: str
    area_id: int | None
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def covered_share(self) -> str:
        return f"{100 * self.counts['current'] / self.total:.0f}%" if self.total else "No policies"


@dataclass
class EIACoverage:
    lines: list[CoverageLine]  # one per delivery area in use, then "Not given"
    whole: CoverageLine
    by_kind: list[CoverageLine]
    pagination: object  # the policies matching the filters, one page of them
    states: dict[int, str]  # policy id -> its EIA state, for the page


def _live_policies(key_only: bool):
    query = select(Policy).where(Policy.status != "retired")
    return query.where(Policy.is_key.is_(True)) if key_only else query


def eia_coverage(filters: CoverageFilters, today: date, page: int) -> EIACoverage:
    """Every policy that is not retired (or only key ones) by the state of its EIA, by delivery area and by
    kind, in two grouped statements; and one page of the policies themselves."""
    state = _eia_state(today).label("state")
    live = _live_policies(filters.key_only).subquery()
    counted = (
        select(Policy.delivery_area_id, Policy.kind, state, func.count().label("n"))
        .where(Policy.id.in_(select(live.c.id)))
        .group_by(Policy.delivery_area_id, Policy.kind, state)
    )
    by_area: dict[int | None, dict[str, int]] = {}
    by_kind: dict[str, dict[str, int]] = {}
    whole = dict.fromkeys(EIA_STATES, 0)
    for row in db.session.execute(counted):
        by_area.setdefault(row.delivery_area_id, dict.fromkeys(EIA_STATES, 0))[row.state] += row.n
        by_kind.setdefault(row.kind, dict.fromkeys(EIA_STATES, 0))[row.state] += row.n
        whole[row.state] += row.n
    areas = db.session.scalars(select(DeliveryArea).order_by(DeliveryArea.sort_order, DeliveryArea.name))
    lines = [
        CoverageLine(area.name, area.id, by_area.get(area.id, dict.fromkeys(EIA_STATES, 0)))
        for area in areas
        if not area.is_retired or area.id in by_area
    ]
    if None in by_area:
        lines.append(CoverageLine("No delivery area given", None, by_area[None]))
    kinds = [
        CoverageLine(label, None, by_kind[kind]) for kind, label in POLICY_KINDS.items() if kind in by_kind
    ]
    listed = (
        _live_policies(filters.key_only)
        .options(selectinload(Policy.delivery_area), selectinload(Policy.owner))
        .order_by(Policy.reference)
    )
    if filters.delivery_area:
        listed = listed.where(Policy.delivery_area_id == filters.delivery_area)
    if filters.state:
        listed = listed.where(_eia_state(today) == filters.state)
    pagination = paginate(listed, page=page, per_page=POLICIES_PER_PAGE)
    on_page = [policy.id for policy in pagination.items]
    states = dict(db.session.execute(select(Policy.id, state).where(Policy.id.in_(on_page))).all())
    return EIACoverage(lines, CoverageLine("All policies", None, whole), kinds, pagination, states)


# ---- Barriers by characteristic ----------------------------------------------------------------------------


@dataclass(frozen=True)
class BarrierTable:
    barriers: list[Barrier]
    characteristics: list[Characteristic]
    counts: dict[tuple[int, int], int]  # (barrier id, characteristic id) -> items
    barrier_totals: dict[int, int]  # items naming the barrier, whatever they speak for
    computed_at: datetime | None = None  # when the counts were worked out (crm/reports/cache.py)

    def count(self, barrier_id: int, characteristic_id: int) -> int:
        return self.counts.get((barrier_id, characteristic_id), 0)


def _received_between(query, date_from: date | None, date_to: date | None):
    if date_from:
        query = query.where(Feedback.received_at >= start_of_uk_day(date_from))
    if date_to:
        query = query.where(Feedback.received_at < end_of_uk_day(date_to))
    return query


def barrier_table(date_from: date | None = None, date_to: date | None = None) -> BarrierTable:
    """Feedback items that count (not excluded), by the barriers and characteristics they were coded with:
    the same items the inbox lists for that barrier, characteristic and period."""
    pairs = (
        select(
            feedback_barrier.c.barrier_id,
            feedback_characteristic.c.characteristic_id,
            func.count().label("n"),
        )
        .select_from(feedback_barrier)
        .join(Feedback, Feedback.id == feedback_barrier.c.feedback_id)
        .join(feedback_characteristic, feedback_characteristic.c.feedback_id == Feedback.id)
        .where(Feedback.status != "excluded")
        .group_by(feedback_barrier.c.barrier_id, feedback_characteristic.c.characteristic_id)
    )
    totals = (
        select(feedback_barrier.c.barrier_id, func.count().label("n"))
        .select_from(feedback_barrier)
        .join(Feedback, Feedback.id == feedback_barrier.c.feedback_id)
        .where(Feedback.status != "excluded")
        .group_by(feedback_barrier.c.barrier_id)
    )

    def compute() -> dict:
        return {
            "pairs": [
                [row.barrier_id, row.characteristic_id, row.n]
                for row in db.session.execute(_received_between(pairs, date_from, date_to))
            ],
            "totals": [
                [row.barrier_id, row.n]
                for row in db.session.execute(_received_between(totals, date_from, date_to))
            ],
        }

    kept = cached(f"barriers:{date_from}:{date_to}", compute)
    counts = {(barrier, characteristic): n for barrier, characteristic, n in kept.payload["pairs"]}
    barrier_totals = dict(kept.payload["totals"])
    barriers = [b for b in _all(Barrier) if not b.is_retired or b.id in barrier_totals]
    used = {characteristic for _barrier, characteristic in counts}
    characteristics = [c for c in _all(Characteristic) if not c.is_retired or c.id in used]
    return BarrierTable(barriers, characteristics, counts, barrier_totals, kept.computed_at)


def _all(model) -> list:
    return list(db.session.scalars(select(model).order_by(model.sort_order, model.name)))


# ---- Coverage heat map: policies by characteristic ---------------------------------------------------------


@dataclass(frozen=True)
class HeatRow:
    policy: Policy
    reached: int  # items that reached the policy and count
    counts: dict[int, int]  # characteristic id -> reached items coded as speaking for it


@dataclass(frozen=True)
class HeatMap:
    characteristics: list[Characteristic]
    rows: list[HeatRow]
    pagination: object
    weak_below: int
    computed_at: datetime | None = None  # when the counts were worked out (crm/reports/cache.py)

    def shade(self, count: int) -> int:
        """0 nothing heard; 1 weak evidence; 2 heard; 3 heard from 4× the weak threshold; 4 from 20×."""
        if count == 0:
            return 0
        if count < self.weak_below:
            return 1
        if count < 4 * self.weak_below:
            return 2
        return 3 if count < 20 * self.weak_below else 4


def _reached_pairs(policy_ids: list[int]):
    """(policy_id, feedback_id) of counted items reaching each of these policies by any of the three paths:
    a UNION, so an item reaching a policy twice counts once."""
    counted = Feedback.status != "excluded"
    return union(
        select(consultation_policy.c.policy_id, Feedback.id.label("feedback_id"))
        .join(consultation_policy, consultation_policy.c.consultation_id == Feedback.consultation_id)
        .where(consultation_policy.c.policy_id.in_(policy_ids), counted),
        select(event_policy.c.policy_id, Feedback.id.label("feedback_id"))
        .join(event_policy, event_policy.c.event_id == Feedback.event_id)
        .where(event_policy.c.policy_id.in_(policy_ids), counted),
        select(feedback_policy.c.policy_id, Feedback.id.label("feedback_id"))
        .join(feedback_policy, feedback_policy.c.feedback_id == Feedback.id)
        .where(feedback_policy.c.policy_id.in_(policy_ids), counted),
    ).subquery("reached")


def coverage_heat_map(key_only: bool, delivery_area: int | None, page: int) -> HeatMap:
    """One page of policies, each with the items that reached it by characteristic: two grouped statements
    over the page's policies, however many items there are."""
    listed = _live_policies(key_only).order_by(Policy.reference)
    if delivery_area:
        listed = listed.where(Policy.delivery_area_id == delivery_area)
    pagination = paginate(listed, page=page, per_page=POLICIES_PER_PAGE)
    policies = list(pagination.items)
    ids = [policy.id for policy in policies]

    def compute() -> dict:
        if not ids:
            return {"pairs": [], "reached": []}
        pairs = _reached_pairs(ids)
        return {
            "pairs": [
                [row.policy_id, row.characteristic_id, row.n]
                for row in db.session.execute(
                    select(
                        pairs.c.policy_id,
                        feedback_characteristic.c.characteristic_id,
                        func.count().label("n"),
                    )
                    .join(
                        feedback_characteristic, feedback_characteristic.c.feedback_id == pairs.c.feedback_id
                    )
                    .group_by(pairs.c.policy_id, feedback_characteristic.c.characteristic_id)
                )
            ],
            "reached": [
                list(row)
                for row in db.session.execute(
                    select(pairs.c.policy_id, func.count()).group_by(pairs.c.policy_id)
                )
            ],
        }

    kept = cached("coverage:" + ",".join(map(str, sorted(ids))), compute)
    counts: dict[int, dict[int, int]] = {policy_id: {} for policy_id in ids}
    for policy_id, characteristic_id, n in kept.payload["pairs"]:
        counts[policy_id][characteristic_id] = n
    reached = dict(kept.payload["reached"])
    characteristics = active_entries(Characteristic)
    rows = [HeatRow(policy, reached.get(policy.id, 0), counts[policy.id]) for policy in policies]
    return HeatMap(characteristics, rows, pagination, weak_evidence_below(), kept.computed_at)
