"""Issue 14 part 3 through the pages: objectives, measures and cohorts set by equality leads, read by all."""

from datetime import date, timedelta

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from crm.core.models import AuditEvent, Characteristic, DeliveryArea, utc_now
from crm.extensions import db
from crm.reports.models import Measure, Objective, PriorityCohort
from tests.policy_factories import make_event, make_policy

TODAY = date.today()


def _id(model, name) -> str:
    return str(db.session.scalar(select(model.id).where(model.name == name)))


def _refused(client, url: str, data: dict) -> BeautifulSoup:
    response = client.submit(url, data)
    assert response.status_code == 200, response.location
    return BeautifulSoup(response.get_data(as_text=True), "html5lib")


def _objective(client) -> Objective:
    response = client.submit(
        "/staff/objectives/new",
        {
            "title": "Hear from disabled residents",
            "description": "",
            "delivery_area_id": _id(DeliveryArea, "Transport"),
            "owner_id": "0",
        },
    )
    objective = db.session.scalar(select(Objective))
    assert response.status_code == 302 and response.location == f"/staff/objectives/{objective.id}"
    return objective


def _measure(**changes) -> dict:
    start, end = TODAY - timedelta(days=90), TODAY + timedelta(days=90)
    return {
        "kind": "event_reach",
        "category": "",
        "cohort_id": "0",
        "characteristic_id": _id(Characteristic, "Disability"),
        "baseline": "10",
        "target": "50",
        "period_start": [str(start.day), str(start.month), str(start.year)],
        "period_end": [str(end.day), str(end.month), str(end.year)],
        "owner_id": "0",
        **changes,
    }


def test_an_equality_lead_sets_an_objective_and_its_progress_follows_the_records(client, sign_in_as):
    sign_in_as("equality_lead")
    objective = _objective(client)
    response = client.submit(f"/staff/objectives/{objective.id}/measures/new", _measure())
    assert response.status_code == 302
    measure = db.session.scalar(select(Measure))
    assert (measure.baseline, measure.target) == (10.0, 50.0)
    page = client.page(f"/staff/objectives/{objective.id}")
    now = page.find("dt", string="Now").find_next("dd").text
    assert now.startswith("0") and "Red" in now
    policy = make_policy(delivery_area="Transport")
    make_event(policies=[policy], reach={"Disability": 35}, starts_at=utc_now() - timedelta(days=2))
    page = client.page(f"/staff/objectives/{objective.id}")
    now = page.find("dt", string="Now").find_next("dd").text
    assert now.startswith("35") and "Amber" in now  # 25 of the 40 from baseline to target
    assert page.select_one("svg[role=img]") is not None
    listed = client.page("/staff/objectives")
    assert "Hear from disabled residents" in listed.text and "Amber" in listed.text
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"objective.created", "measure.created"} <= actions


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"target": "5"}, "target", "The target must be above the baseline: this measure should rise"),
        ({"baseline": "ten"}, "baseline", "Enter the baseline as a number"),
        ({"kind": "eia_coverage", "target": "120"}, "target", "Target must be a percentage from 0 to 100"),
        ({"characteristic_id": "0"}, "characteristic_id", "Choose the characteristic it counts"),
        ({"kind": "respondent_share"}, "category", "Choose a category or a priority cohort, not both"),
        (
            {"kind": "respondent_share", "category": "sex:nonsense"},
            "category",
            "Choose a category from the list",
        ),
        ({"period_end": ["1", "1", "2020"]}, "period_end", "The period must end after it starts"),
        ({"period_start": ["31", "2", "2026"]}, "period_start", "Start date must be a real date"),
    ],
)
def test_bad_measures_are_refused_next_to_the_field(client, sign_in_as, changes, field, message):
    sign_in_as("admin")
    objective = _objective(client)
    page = _refused(client, f"/staff/objectives/{objective.id}/measures/new", _measure(**changes))
    assert message in page.select_one(f"#{field}-error").text
    assert db.session.scalar(select(func.count()).select_from(Measure)) == 0


def test_a_share_cannot_count_a_cohort_across_questions(client, sign_in_as):
    sign_in_as("equality_lead")
    response = client.submit(
        "/staff/objectives/cohorts/new",
        {
            "name": "COVID-19 priority groups",
            "description": "",
            "categories": ["sex:female", "age_band:85_over"],
        },
    )
    assert response.status_code == 302
    cohort = db.session.scalar(select(PriorityCohort))
    assert cohort.categories == ["sex:female", "age_band:85_over"]
    objective = _objective(client)
    page = _refused(
        client,
        f"/staff/objectives/{objective.id}/measures/new",
        _measure(kind="respondent_share", cohort_id=str(cohort.id)),
    )
    assert "one person can be in several" in page.select_one("#cohort_id-error").text


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"name": "", "categories": ["sex:female"]}, "name", "Enter the cohort's name"),
        ({"name": "Carers", "categories": []}, "categories", "Choose at least one category"),
        (
            {"name": "older PEOPLE", "categories": ["sex:female"]},
            "name",
            "There is already a cohort with this name",
        ),
    ],
)
def test_bad_cohorts_are_refused(client, sign_in_as, values, field, message):
    db.session.add(PriorityCohort(name="Older people", categories=["age_band:85_over"]))
    db.session.commit()
    sign_in_as("equality_lead")
    page = _refused(client, "/staff/objectives/cohorts/new", {"description": "", **values})
    assert message in page.select_one(f"#{field}-error").text
    assert db.session.scalar(select(func.count()).select_from(PriorityCohort)) == 1


@pytest.mark.parametrize("role", ["engagement_officer", "policy_lead", "viewer"])
def test_everyone_reads_objectives_and_only_equality_leads_and_admins_set_them(client, sign_in_as, role):
    objective = Objective(delivery_area_id=int(_id(DeliveryArea, "Skills")), title="More young voices")
    db.session.add(objective)
    db.session.commit()
    sign_in_as(role)
    assert client.get("/staff/objectives").status_code == 200
    assert client.get(f"/staff/objectives/{objective.id}").status_code == 200
    assert client.get("/staff/objectives/cohorts").status_code == 200
    forms = [
        "/staff/objectives/new",
        f"/staff/objectives/{objective.id}/edit",
        f"/staff/objectives/{objective.id}/measures/new",
        "/staff/objectives/cohorts/new",
    ]
    for url in forms:
        assert client.get(url).status_code == 403
