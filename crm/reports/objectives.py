"""Diversity objectives: each measure's value computed from the records for a period, never typed, and
its red, amber or green against the target.

The kinds (crm.reports.models.MeasureKind), all for the objective's delivery area and the period:
- respondent share: of the people who answered the monitoring question in the consultations about the
  area's policies, the share in the category or cohort; from the consultations' published figures only,
  so it can be a range (crm.reports.representation);
- event reach: people with the characteristic estimated reached at events linked to the area's policies,
  suppressed like any count of people;
- groups engaged: groups representing the characteristic that took part in those events or gave feedback
  reaching the area's policies;
- EIA coverage: of the area's key policies, the share with a current approved EIA on the last day;
- feedback acted on: of the counted items reaching the area's policies, the share a policy recorded as
  changing it or leading to a mitigation.

RAG: green when the value has reached the target; amber when it has come at least half the way from the
baseline; red otherwise. A range counts by its lower end (only what is certain), and a hidden figure is
not rated.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select, union

from crm.consultations.models import consultation_policy
from crm.consultations.queries import suppressed_monitoring
from crm.core.suppression import settings
from crm.core.time import end_of_uk_day, start_of_uk_day
from crm.eias.models import EIA
from crm.engagement.models import EngagementEvent, EventReach, event_group, event_policy
from crm.extensions import db
from crm.feedback.models import Feedback, feedback_policy
from crm.groups.models import group_characteristic
from crm.policies.models import Policy, PolicyInfluence
from crm.reports.models import Measure, measure_figure
from crm.reports.representation import Figure, Scope, combine, consultations_in, shares

AMBER_FROM = 0.5  # of the way from the baseline to the target
ACTED_ON = ("changed", "mitigation")


@dataclass(frozen=True)
class Value:
    """A measure's value for a period: `low` to `high` (equal when exact), or hidden."""

    low: float | None
    high: float | None
    percent: bool
    hidden_text: str = ""

    @property
    def known(self) -> bool:
        return self.low is not None

    @property
    def text(self) -> str:
        if not self.known:
            return self.hidden_text or "Not known"
        low = measure_figure(self.low, self.percent)
        if self.high is None:
            return f"{low} or more"
        if abs(self.high - self.low) < 1e-9:
            return low
        return f"{low} to {measure_figure(self.high, self.percent)}"


def rag(measure: Measure, value: Value) -> str:
    """ "green", "amber", "red", or "" when the value is not known (module docstring)."""
    if not value.known:
        return ""
    if value.low >= measure.target:
        return "green"
    way = measure.target - measure.baseline
    if way > 0 and (value.low - measure.baseline) / way >= AMBER_FROM:
        return "amber"
    return "red"


def _area_policies(delivery_area_id: int):
    return select(Policy.id).where(Policy.delivery_area_id == delivery_area_id)


def _area_events(delivery_area_id: int, start: date, end: date):
    return (
        select(event_policy.c.event_id)
        .join(EngagementEvent, EngagementEvent.id == event_policy.c.event_id)
        .where(
            event_policy.c.policy_id.in_(_area_policies(delivery_area_id)),
            EngagementEvent.is_archived.is_(False),
            EngagementEvent.starts_at >= start_of_uk_day(start),
            EngagementEvent.starts_at < end_of_uk_day(end),
        )
    )


def _reached_items(delivery_area_id: int, start: date, end: date):
    """Counted items received in the period that reached a policy of the area, by any path, once each."""
    policies = _area_policies(delivery_area_id)
    received = (
        Feedback.status != "excluded",
        Feedback.received_at >= start_of_uk_day(start),
        Feedback.received_at < end_of_uk_day(end),
    )
    return union(
        select(Feedback.id)
        .join(consultation_policy, consultation_policy.c.consultation_id == Feedback.consultation_id)
        .where(consultation_policy.c.policy_id.in_(policies), *received),
        select(Feedback.id)
        .join(event_policy, event_policy.c.event_id == Feedback.event_id)
        .where(event_policy.c.policy_id.in_(policies), *received),
        select(Feedback.id)
        .join(feedback_policy, feedback_policy.c.feedback_id == Feedback.id)
        .where(feedback_policy.c.policy_id.in_(policies), *received),
    ).subquery()


def _categories(measure: Measure) -> tuple[str, set[str]] | None:
    """The question and answer codes a respondent-share measure counts: its category, or its cohort's
    categories of one question."""
    categories = measure.cohort.categories if measure.cohort else [measure.category]
    questions = {category.partition(":")[0] for category in categories if category}
    if len(questions) != 1:
        return None
    return questions.pop(), {category.partition(":")[2] for category in categories}


def respondent_share(measure: Measure, start: date, end: date) -> Value:
    wanted = _categories(measure)
    if wanted is None:
        return Value(None, None, True, "Not known: the cohort spans several questions")
    question, codes = wanted
    scope = Scope(
        delivery_area=measure.objective.delivery_area_id, date_from=start.isoformat(), date_to=end.isoformat()
    )
    published = [
        distribution
        for consultation in consultations_in(scope)
        for asked, distribution in suppressed_monitoring(consultation)
        if asked.code == question
    ]
    figures = combine(published).figures
    inside = sum((figure for code, figure in figures.items() if code in codes), Figure(0, 0))
    outside = sum((figure for code, figure in figures.items() if code not in codes), Figure(0, 0))
    share = shares({"inside": inside, "outside": outside})["inside"]
    if inside.high == 0 and outside.high == 0:
        return Value(None, None, True, "No answers in the period")
    return Value(100 * share.low, None if share.high is None else 100 * share.high, True)


def event_reach(measure: Measure, start: date, end: date) -> Value:
    events = _area_events(measure.objective.delivery_area_id, start, end)
    total = db.session.scalar(
        select(func.coalesce(func.sum(EventReach.estimated_count), 0)).where(
            EventReach.event_id.in_(events), EventReach.characteristic_id == measure.characteristic_id
        )
    )
    threshold, _minimum = settings()
    if 0 < total < threshold:  # a count of people: the same primary suppression as everywhere
        return Value(None, None, False, f"fewer than {threshold}")
    return Value(total, total, False)


def groups_engaged(measure: Measure, start: date, end: date) -> Value:
    area = measure.objective.delivery_area_id
    at_events = select(event_group.c.group_id).where(
        event_group.c.event_id.in_(_area_events(area, start, end))
    )
    reached = _reached_items(area, start, end)
    gave_feedback = select(Feedback.group_id).where(
        Feedback.id.in_(select(reached.c.id)), Feedback.group_id.is_not(None)
    )
    engaged = union(at_events, gave_feedback).subquery()
    count = db.session.scalar(
        select(func.count(func.distinct(group_characteristic.c.group_id))).where(
            group_characteristic.c.group_id.in_(select(engaged.c.group_id)),
            group_characteristic.c.characteristic_id == measure.characteristic_id,
        )
    )
    return Value(count, count, False)


def eia_coverage(measure: Measure, start: date, end: date) -> Value:
    """Of the area's key policies not retired, the share with an EIA current on `end`: approved by then
    and its review not yet due. Superseded versions count for the days they were current."""
    key = select(Policy.id).where(
        Policy.delivery_area_id == measure.objective.delivery_area_id,
        Policy.is_key.is_(True),
        Policy.status != "retired",
    )
    policies = db.session.scalar(select(func.count()).select_from(key.subquery()))
    if not policies:
        return Value(None, None, True, "No key policies in the area")
    covered = db.session.scalar(
        select(func.count(func.distinct(EIA.policy_id))).where(
            EIA.policy_id.in_(key),
            EIA.status.in_(("approved", "published", "superseded")),
            EIA.approved_at < end_of_uk_day(end),
            (EIA.review_due.is_(None)) | (EIA.review_due >= end),
        )
    )
    share = 100 * covered / policies
    return Value(share, share, True)


def feedback_acted_on(measure: Measure, start: date, end: date) -> Value:
    reached = _reached_items(measure.objective.delivery_area_id, start, end)
    items = db.session.scalar(select(func.count()).select_from(reached))
    if not items:
        return Value(None, None, True, "No feedback in the period")
    acted = db.session.scalar(
        select(func.count(func.distinct(PolicyInfluence.feedback_id))).where(
            PolicyInfluence.feedback_id.in_(select(reached.c.id)),
            PolicyInfluence.use.in_(ACTED_ON),
            PolicyInfluence.policy_id.in_(_area_policies(measure.objective.delivery_area_id)),
        )
    )
    share = 100 * acted / items
    return Value(share, share, True)


COMPUTE = {
    "respondent_share": respondent_share,
    "event_reach": event_reach,
    "groups_engaged": groups_engaged,
    "eia_coverage": eia_coverage,
    "feedback_acted_on": feedback_acted_on,
}


def value_of(measure: Measure, start: date | None = None, end: date | None = None) -> Value:
    """The measure's value from the start of its period to `end` (its period's end by default)."""
    return COMPUTE[measure.kind](measure, start or measure.period_start, end or measure.period_end)


def quarters(start: date, end: date) -> list[tuple[date, date]]:
    """The financial quarters (April to June, ...) that overlap the period, each cut to it."""
    result = []
    cursor = date(start.year, start.month - (start.month - 4) % 3, 1)  # April, July, October or January
    while cursor <= end:
        month = cursor.month + 3
        following = date(cursor.year + (month > 12), (month - 1) % 12 + 1, 1)
        result.append((max(cursor, start), min(following - timedelta(days=1), end)))
        cursor = following
    return result


def trend(measure: Measure, today: date) -> list[tuple[date, Value]]:
    """The value at the end of each quarter of the period begun by `today`, counted from the period's
    start (to `today` for the quarter under way)."""
    return [
        (min(quarter_end, today), value_of(measure, measure.period_start, min(quarter_end, today)))
        for quarter_start, quarter_end in quarters(measure.period_start, measure.period_end)
        if quarter_start <= today
    ]
