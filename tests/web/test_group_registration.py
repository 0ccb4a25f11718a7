from sqlalchemy import func, select

from crm.core.models import Area, AuditEvent, Characteristic
from crm.extensions import db
from crm.groups.forms import REGISTRATION_CONSENT
from crm.groups.models import CommunityGroup, Contact
from tests.factories import reference_ids


def _form(**changes):
    return {
        "name": "Brownhills Knit and Natter",
        "description": "A craft group for isolated older people",
        "areas": [str(i) for i in reference_ids(Area, "Walsall")],
        "characteristics": [str(i) for i in reference_ids(Characteristic, "Age")],
        "contact_name": "Jo Knitter",
        "contact_email": "Jo@Example.org",
        "consent": "y",
        **changes,
    }


def _count():
    return db.session.scalar(select(func.count()).select_from(CommunityGroup))


def test_a_group_registers_itself_and_arrives_unverified(client):
    response = client.submit("/groups/register", _form())
    assert response.status_code == 302 and response.location == "/groups/register/done"
    assert "Your group is registered" in client.page("/groups/register/done").text
    group = db.session.scalar(select(CommunityGroup))
    assert not group.is_verified and group.source == "self_registered" and group.lawful_basis == "consent"
    contact = db.session.scalar(select(Contact))
    assert contact.email == "jo@example.org" and contact.consent_given
    assert contact.consent_method == "online_form" and contact.consent_wording == REGISTRATION_CONSENT
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "group.registered"))
    assert event.actor_label == "public" and event.actor_id is None


def test_registration_needs_consent_and_the_required_answers(client):
    text = client.submit(
        "/groups/register", _form(consent="", name="", contact_email="nope", areas=[])
    ).get_data(as_text=True)
    for message in (
        "Agree to us keeping your details",
        "Enter the name of your group",
        "Enter your email address in the correct format",
        "Select where your group works",
    ):
        assert message in text
    assert _count() == 0


def test_what_was_typed_is_kept_when_there_are_errors(client):
    page = client.submit("/groups/register", _form(consent=""))
    assert 'value="Brownhills Knit and Natter"' in page.get_data(as_text=True)


def test_a_bot_filling_the_honeypot_is_thanked_but_nothing_is_kept(client):
    response = client.submit("/groups/register", _form(nickname="buy pills"))
    assert response.status_code == 302 and _count() == 0


def test_registrations_are_rate_limited_per_client_address(app, client):
    limit = int(app.config["REGISTRATION_RATE_LIMIT"].split()[0])
    token = client.csrf_token("/groups/register")
    responses = [
        client.post("/groups/register", data={**_form(name=f"Group {n}"), "csrf_token": token})
        for n in range(limit + 1)
    ]
    assert [r.status_code for r in responses[:-1]] == [302] * limit
    assert responses[-1].status_code == 429 and "Too many requests" in responses[-1].get_data(as_text=True)
    assert _count() == limit


def test_over_long_and_script_input_is_refused_or_escaped(client, sign_in_as):
    text = client.submit("/groups/register", _form(name="x" * 201)).get_data(as_text=True)
    assert "Group name must be 200 characters or fewer" in text
    client.submit("/groups/register", _form(name="<img src=x onerror=alert(1)>"))
    sign_in_as("engagement_officer")
    body = client.get("/staff/groups?verified=no").get_data(as_text=True)
    assert "<img src=x" not in body and "&lt;img src=x onerror=alert(1)&gt;" in body
