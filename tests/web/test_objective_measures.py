"""Issue 14 part 3: each kind of measure is computed from the records, and moves when they do."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from crm.core.models import Characteristic, DeliveryArea, utc_now
from crm.eias.models import EIA
from crm.extensions import db
from crm.policies.models import PolicyInfluence
from crm.reports.models import Measure, Objective, PriorityCohort
from crm.reports.objectives import Value, quarters, rag, trend, value_of
from tests.consultation_factories import make_consultation, respond
from tests.factories import make_group
from tests.policy_factories import make_event, make_feedback, make_policy

TODAY = date.today()
START, END = TODAY - timedelta(days=60), TODAY + timedelta(days=30)


def _area(name="Transport") -> int:
    return db.session.scalar(select(DeliveryArea.id).where(DeliveryArea.name == name))


def _characteristic(name="Disability") -> int:
    return db.session.scalar(select(Characteristic.id).where(Characteristic.name == name))


def _measure(kind: str, area="Transport", baseline=0.0, target=100.0, **values) -> Measure:
    objective = Objective(delivery_area_id=_area(area), title=f"Hear more about {area}")
    measure = Measure(
        objective=objective,
        kind=kind,
        baseline=baseline,
        target=target,
        period_start=values.pop("period_start", START),
        period_end=values.pop("period_end", END),
        **values,
    )
    db.session.add(measure)
    db.session.commit()
    return measure


def _when(days_ago: int) -> datetime:
    return utc_now() - timedelta(days=days_ago)


def test_event_reach_counts_the_areas_events_in_the_period_and_moves_with_new_reach():
    transport = make_policy(delivery_area="Transport")
    housing = make_policy(delivery_area="Housing")
    make_event(policies=[transport], reach={"Disability": 12, "Age": 40}, starts_at=_when(10))
    make_event(policies=[transport], reach={"Disability": 100}, starts_at=_when(200))  # before the period
    make_event(policies=[housing], reach={"Disability": 100}, starts_at=_when(10))  # another area
    measure = _measure("event_reach", characteristic_id=_characteristic(), target=50)
    assert value_of(measure).text == "12"
    make_event(policies=[transport], reach={"Disability": 30}, starts_at=_when(5))
    assert value_of(measure).text == "42"  # progress follows the data


def test_a_small_reach_is_not_given_away():
    make_event(policies=[make_policy(delivery_area="Transport")], reach={"Disability": 3}, starts_at=_when(3))
    value = value_of(_measure("event_reach", characteristic_id=_characteristic()))
    assert not value.known and value.text == "fewer than 5"


def test_groups_engaged_counts_each_representing_group_once():
    transport = make_policy(delivery_area="Transport")
    deaf = make_group("Fictional Deaf Club", characteristics=("Disability",))
    blind = make_group("Fictional Sight Loss Group", characteristics=("Disability",))
    elders = make_group("Fictional Elders", characteristics=("Age",))
    make_event(policies=[transport], groups=[deaf, elders], starts_at=_when(10))
    make_feedback(policies=[transport], group=deaf)  # engaged twice: counted once
    make_feedback(policies=[transport], group=blind)
    measure = _measure("groups_engaged", characteristic_id=_characteristic(), target=5)
    assert value_of(measure).text == "2"


def test_eia_coverage_of_the_areas_key_policies():
    covered = make_policy(delivery_area="Transport", is_key=True)
    make_policy(delivery_area="Transport", is_key=True)
    make_policy(delivery_area="Transport", is_key=False)  # not key: not counted
    make_policy(delivery_area="Transport", is_key=True, status="retired")
    db.session.add(
        EIA(
            policy_id=covered.id,
            version=1,
            status="approved",
            approved_at=_when(20),
            review_due=END + timedelta(1),
        )
    )
    db.session.commit()
    measure = _measure("eia_coverage", target=100, baseline=0)
    assert value_of(measure).text == "50%"
    assert value_of(_measure("eia_coverage", area="Housing")).text == "No key policies in the area"


def test_feedback_acted_on_is_the_share_a_policy_used():
    transport = make_policy(delivery_area="Transport")
    items = [make_feedback(policies=[transport]) for _ in range(4)]
    make_feedback(policies=[transport], status="excluded")
    for item, use in zip(items, ["changed", "no_change"], strict=False):
        db.session.add(
            PolicyInfluence(policy_id=transport.id, feedback_id=item.id, use=use, decided_at=_when(1))
        )
    db.session.commit()
    assert value_of(_measure("feedback_acted_on")).text == "25%"


def _consultation_answers(policy, answers: dict[str, int]):
    consultation = make_consultation()
    consultation.policies = [policy]
    consultation.opens_at = _when(30)
    db.session.commit()
    for answer, count in answers.items():
        for _ in range(count):
            respond(consultation, monitoring_answers={"sex": answer})


def test_respondent_share_comes_from_the_published_figures():
    _consultation_answers(make_policy(delivery_area="Transport"), {"female": 12, "male": 8})
    measure = _measure("respondent_share", category="sex:female", baseline=40, target=55)
    value = value_of(measure)
    assert value.text == "60%" and rag(measure, value) == "green"
    cohort = PriorityCohort(name="Across questions", categories=["sex:female", "age_band:85_over"])
    across = _measure("respondent_share", cohort=cohort)
    assert value_of(across).text == "Not known: the cohort spans several questions"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Value(60, 60, True), "green"),
        (Value(50, 50, True), "amber"),  # half the way from 40 to 60
        (Value(45, 45, True), "red"),
        (Value(45, 70, True), "red"),  # a range counts by its lower end
        (Value(None, None, True, "fewer than 5"), ""),
    ],
)
def test_red_amber_green(value, expected):
    measure = Measure(kind="respondent_share", baseline=40, target=60)
    assert rag(measure, value) == expected


def test_quarters_are_financial_and_cut_to_the_period():
    assert quarters(date(2026, 5, 10), date(2026, 11, 2)) == [
        (date(2026, 5, 10), date(2026, 6, 30)),
        (date(2026, 7, 1), date(2026, 9, 30)),
        (date(2026, 10, 1), date(2026, 11, 2)),
    ]
    assert quarters(date(2027, 2, 1), date(2027, 4, 1))[0] == (date(2027, 2, 1), date(2027, 3, 31))


def test_the_trend_stops_at_today():
    transport = make_policy(delivery_area="Transport")
    make_event(policies=[transport], reach={"Disability": 20}, starts_at=datetime(2026, 5, 1, 10, tzinfo=UTC))
    make_event(policies=[transport], reach={"Disability": 10}, starts_at=datetime(2026, 8, 1, 10, tzinfo=UTC))
    measure = _measure(
        "event_reach",
        characteristic_id=_characteristic(),
        period_start=date(2026, 4, 1),
        period_end=date(2027, 3, 31),
    )
    points = trend(measure, today=date(2026, 8, 15))
    assert [(day, value.text) for day, value in points] == [
        (date(2026, 6, 30), "20"),
        (date(2026, 8, 15), "30"),
    ]
