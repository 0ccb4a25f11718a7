import pytest
from sqlalchemy import select

from crm.core.models import AuditEvent, DeliveryArea
from crm.extensions import db
from crm.policies.models import Policy


def _skills() -> int:
    return db.session.scalar(select(DeliveryArea.id).where(DeliveryArea.name == "Skills"))


def _details(owner, **changes):
    return {
        "reference": "WMCA-POL-001",
        "title": "Adult skills plan",
        "kind": "strategy",
        "delivery_area_id": str(_skills()),
        "is_key": "y",
        "owner_id": str(owner.id),
        "status": "emerging",
        "summary": "How adult skills money is spent.",
        **changes,
    }


def test_a_policy_lead_adds_a_policy_and_it_is_audited(client, sign_in_as, make_user):
    sign_in_as("policy_lead")
    owner = make_user(role="policy_lead", name="Pat Owner")
    response = client.submit("/staff/policies/new", _details(owner, reference="wmca-pol-001"))
    assert response.status_code == 302
    policy = db.session.scalar(select(Policy))
    assert policy.reference == "WMCA-POL-001" and policy.owner_id == owner.id
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "policy.created"))
    assert event.entity_id == str(policy.id) and "title" in event.changed_fields
    page = client.page(f"/staff/policies/{policy.id}")
    assert "Adult skills plan" in page.h1.text and "Pat Owner" in page.text
    assert policy.delivery_area.name == "Skills" and policy.is_key
    assert "Skills" in page.text and "it needs an equality impact assessment" in page.text


def test_a_retired_delivery_area_may_stay_on_a_policy_but_not_be_newly_chosen(client, sign_in_as, make_user):
    sign_in_as("admin")
    owner = make_user(role="policy_lead")
    client.submit("/staff/policies/new", _details(owner))
    policy = db.session.scalar(select(Policy))
    skills = db.session.get(DeliveryArea, _skills())
    skills.is_retired = True
    db.session.commit()
    form = client.page(f"/staff/policies/{policy.id}/edit")
    assert form.select_one("#delivery_area_id option[selected]").text == "Skills (retired)"
    kept = client.submit(f"/staff/policies/{policy.id}/edit", _details(owner, title="Renamed"))
    assert kept.status_code == 302
    text = client.submit("/staff/policies/new", _details(owner, reference="WMCA-POL-002")).get_data(
        as_text=True
    )
    assert "Select a delivery area from the list" in text


def test_editing_records_only_the_changed_fields(client, sign_in_as, make_user):
    sign_in_as("admin")
    owner = make_user(role="policy_lead")
    client.submit("/staff/policies/new", _details(owner))
    policy = db.session.scalar(select(Policy))
    response = client.submit(
        f"/staff/policies/{policy.id}/edit", _details(owner, status="in_development", title="New title")
    )
    assert response.status_code == 302
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "policy.updated"))
    assert event.changed_fields == ["status", "title"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"reference": ""}, "Enter a reference"),
        ({"reference": "bad ref!"}, "Reference must be letters, numbers and hyphens"),
        ({"title": ""}, "Enter a title"),
        ({"title": "x" * 201}, "Title must be 200 characters or fewer"),
        ({"kind": "manifesto"}, "Select what kind of policy this is"),
        ({"status": "imaginary"}, "Select a status"),
        ({"owner_id": ""}, "Select a policy lead as the owner"),
        ({"owner_id": "999999"}, "Select a policy lead as the owner"),
        ({"delivery_area_id": "999999"}, "Select a delivery area from the list"),
        ({"delivery_area_id": "Skills"}, "Select a delivery area from the list"),
    ],
)
def test_bad_policy_details_are_refused_next_to_the_field(client, sign_in_as, make_user, changes, message):
    sign_in_as("admin")
    owner = make_user(role="policy_lead")
    response = client.submit("/staff/policies/new", _details(owner, **changes))
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert db.session.scalar(select(Policy)) is None


def test_an_officer_cannot_be_the_owner_and_references_are_unique(client, sign_in_as, make_user):
    sign_in_as("admin")
    officer = make_user(role="engagement_officer")
    text = client.submit("/staff/policies/new", _details(officer)).get_data(as_text=True)
    assert "Select a policy lead as the owner" in text
    owner = make_user(role="policy_lead")
    client.submit("/staff/policies/new", _details(owner))
    text = client.submit("/staff/policies/new", _details(owner, reference="wmca-pol-001")).get_data(
        as_text=True
    )
    assert "There is already a policy with this reference" in text


def test_the_list_filters_and_pages_in_sql(client, sign_in_as, make_user):
    sign_in_as("viewer")
    owner = make_user(role="policy_lead")
    for number in range(30):
        db.session.add(
            Policy(
                reference=f"P-{number:03d}",
                title=f"Plan {number}",
                kind="scheme" if number % 2 else "policy",
                owner_id=owner.id,
                status="adopted" if number < 5 else "emerging",
            )
        )
    db.session.commit()
    page = client.page("/staff/policies")
    assert "30 policies" in page.text and len(page.select("tbody tr")) == 25
    assert "Add a policy" not in page.text  # viewers change nothing
    page = client.page("/staff/policies?status=adopted&kind=scheme")
    assert "2 policies" in page.text
    page = client.page("/staff/policies?search=Plan 2")
    assert "11 policies" in page.text
    assert client.page("/staff/policies?page=2").select("tbody tr")
