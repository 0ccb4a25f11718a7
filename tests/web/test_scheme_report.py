"""Issue 14 part 7: the scheme report for a financial quarter or year, for equality leads and admins."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from crm.core.models import Characteristic, DeliveryArea
from crm.extensions import db
from crm.policies.models import PolicyInfluence
from crm.reports.models import Measure, Objective
from crm.reports.scheme import Period
from tests.policy_factories import make_event, make_feedback, make_policy


@pytest.mark.parametrize(
    ("key", "start", "end", "label"),
    [
        ("2026-Q1", date(2026, 4, 1), date(2026, 6, 30), "April to June 2026"),
        ("2026-Q3", date(2026, 10, 1), date(2026, 12, 31), "October to December 2026"),
        ("2026-Q4", date(2027, 1, 1), date(2027, 3, 31), "January to March 2027"),
        ("2026", date(2026, 4, 1), date(2027, 3, 31), "April 2026 to March 2027"),
    ],
)
def test_periods_are_financial(key, start, end, label):
    period = Period.parse(key)
    assert (period.start, period.end, period.label) == (start, end, label)
    assert Period.containing(start).start <= start


@pytest.mark.parametrize("key", ["2026-Q5", "26", "1999", "next year", "2026-Q1; drop"])
def test_anything_else_is_no_period(key):
    assert Period.parse(key) is None


def _in_q3(day: int) -> datetime:
    return datetime(2026, 10, day, 11, tzinfo=UTC)


def test_the_report_pulls_the_periods_figures_together(client, sign_in_as):
    policy = make_policy("P-BUS", delivery_area="Transport", is_key=True)
    make_event(
        policies=[policy], kind="street_outreach", attendance=40, starts_at=_in_q3(3), reach={"Disability": 9}
    )
    make_event(policies=[policy], kind="workshop", attendance=10, starts_at=_in_q3(9))
    make_event(kind="workshop", attendance=500, starts_at=datetime(2026, 7, 1, 11, tzinfo=UTC))  # Q2
    item = make_feedback(policies=[policy])
    db.session.add(
        PolicyInfluence(policy_id=policy.id, feedback_id=item.id, use="changed", decided_at=_in_q3(20))
    )
    transport = db.session.scalar(select(DeliveryArea.id).where(DeliveryArea.name == "Transport"))
    disability = db.session.scalar(select(Characteristic.id).where(Characteristic.name == "Disability"))
    objective = Objective(delivery_area_id=transport, title="Reach disabled bus users")
    db.session.add(
        Measure(
            objective=objective,
            kind="event_reach",
            characteristic_id=disability,
            baseline=0,
            target=20,
            period_start=date(2026, 4, 1),
            period_end=date(2027, 3, 31),
        )
    )
    db.session.commit()
    sign_in_as("equality_lead")
    page = client.page("/staff/reports/scheme?period=2026-Q3")
    assert page.h1.text == "October to December 2026"
    text = " ".join(page.text.split())
    assert "2 events, 50 people taking part" in text
    measure = next(th for th in page.select("tbody th") if "Reach disabled bus users" in th.text).find_parent(
        "tr"
    )
    assert [td.text.strip() for td in measure.select("td")][:3] == ["0", "9", "20"]
    assert "Red" in measure.text  # 9 is under half the way from 0 to 20
    changed = next(th for th in page.select("tbody th") if "P-BUS" in th.text).find_parent("tr")
    assert [td.text for td in changed.select("td")] == ["1", "0", "0"]
    assert "1 key strategy or policy" in text and "0 had a current approved EIA" in text


def test_only_equality_leads_and_admins_see_it_and_a_bad_period_is_not_found(client, sign_in_as):
    sign_in_as("admin")
    assert client.get("/staff/reports/scheme").status_code == 200
    assert client.get("/staff/reports/scheme?period=2026-Q9").status_code == 404


@pytest.mark.parametrize("role", ["engagement_officer", "policy_lead", "viewer"])
def test_other_roles_do_not(client, sign_in_as, role):
    sign_in_as(role)
    assert client.get("/staff/reports/scheme").status_code == 403
