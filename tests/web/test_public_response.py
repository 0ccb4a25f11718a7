from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from crm.consultations.models import Answer, MonitoringAnswer, MonitoringWaiting, Response
from crm.core.models import AuditEvent, utc_now
from crm.extensions import db
from crm.feedback.models import Feedback
from tests.consultation_factories import form_data, make_consultation


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _url(consultation) -> str:
    return f"/consultations/{consultation.slug}/respond"


def test_the_hub_lists_open_consultations_closing_soonest_first_and_recently_closed(client):
    now = utc_now()
    later = make_consultation(title="Closes later", closes_at=now + timedelta(days=20))
    sooner = make_consultation(title="Closes sooner", closes_at=now + timedelta(days=2))
    make_consultation(title="Still a draft", state="draft")
    make_consultation(title="Not open yet", state="scheduled")
    make_consultation(title="Just closed", state="closed")
    page = client.page("/")
    titles = [a.text for a in page.select("main ul a")]
    assert titles[:2] == ["Closes sooner", "Closes later"] and "Just closed" in titles
    assert "Still a draft" not in page.text and "Not open yet" not in page.text
    assert sooner and later


def test_a_member_of_the_public_responds_and_gets_a_receipt_after_it_is_stored(client):
    consultation = make_consultation()
    page = client.page(f"/consultations/{consultation.slug}")
    assert consultation.title in page.h1.text
    form = client.page(_url(consultation))
    assert form.select_one("input[name=token]")["value"]
    assert "Prefer not to say" in form.text and "About you (optional)" in form.text
    response = client.submit(_url(consultation), form_data(consultation))
    assert response.status_code == 302 and response.location.endswith("/respond/confirmation")
    stored = db.session.scalar(select(Response))
    confirmation = client.page(response.location)
    assert confirmation.select_one("#receipt-reference").text == stored.reference
    assert stored.channel == "online" and stored.consent_given and stored.keyed_by_id is None
    assert _count(Answer) == 5  # free text, single choice, two of the multiple choice, agreement
    assert db.session.scalar(select(Feedback.text)) == "More buses in the evening"
    # its monitoring answers wait, sealed, to be published with four more responses' (monitoring_store)
    assert _count(MonitoringAnswer) == 0 and _count(MonitoringWaiting) == 1
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "response.received"))
    assert event.actor_label == "public" and "monitoring" in event.changed_fields


def test_responding_for_a_group_links_a_known_group_by_name(client):
    from crm.groups.matching import match_key
    from crm.groups.models import CommunityGroup

    name = "Sparkhill Fictional Residents Forum"
    group = CommunityGroup(name=name, match_key=match_key(name), kind="network")
    db.session.add(group)
    db.session.commit()
    consultation = make_consultation()
    data = form_data(consultation, respondent_kind="group", group_name="sparkhill fictional residents forum")
    client.submit(_url(consultation), data)
    stored = db.session.scalar(select(Response))
    assert stored.group_id == group.id and db.session.scalar(select(Feedback.group_id)) == group.id
    client.submit(
        _url(consultation), form_data(consultation, respondent_kind="group", group_name="A new group")
    )
    other = db.session.scalar(select(Response).where(Response.group_id.is_(None)))
    assert other.group_name == "A new group"


@pytest.mark.parametrize(
    "typed", ["The Sparkhill Fictional Residents Forum CIC", "Sparkhil Fictional Residents Forum Ltd"]
)
def test_a_group_is_linked_by_the_near_duplicate_matcher_verified_or_not(client, typed):
    """Issue 13: a response on behalf of a group links to any matching register group, self-registered and
    unverified included; what the person typed is kept as they typed it."""
    from crm.groups.matching import match_key
    from crm.groups.models import CommunityGroup

    name = "Sparkhill Fictional Residents Forum"
    group = CommunityGroup(
        name=name, match_key=match_key(name), kind="network", source="self_registered", is_verified=False
    )
    db.session.add(group)
    db.session.commit()
    consultation = make_consultation()
    client.submit(_url(consultation), form_data(consultation, respondent_kind="group", group_name=typed))
    stored = db.session.scalar(select(Response))
    assert stored.group_id == group.id and stored.group_name == typed


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("missing_text", "Enter your answer to question 1"),
        ("missing_choice", "Select an answer to question 2"),
        ("too_long", "Your answer to question 1 must be 500 characters or fewer"),
        ("never_offered", "Select one of the options shown for question 2"),
        ("never_offered_multi", "Select one of the options shown for question 3"),
        ("bad_monitoring", "Select one of the options"),
        ("no_consent", "Confirm that you have read the privacy notice"),
        ("no_group_name", "Enter the name of the group you are responding for"),
        ("bad_email", "Enter an email address in the correct format"),
        ("bad_kind", "Select whether you are responding as an individual or for a group"),
        ("no_token", "The form was not sent properly"),
    ],
)
def test_bad_answers_get_a_clear_message_keep_what_was_typed_and_store_nothing(client, change, message):
    consultation = make_consultation()
    q = consultation.questions
    changes = {
        "missing_text": {f"q{q[0].id}": ""},
        "missing_choice": {f"q{q[1].id}": None},
        "too_long": {f"q{q[0].id}": "x" * 501},
        "never_offered": {f"q{q[1].id}": "99"},
        "never_offered_multi": {f"q{q[2].id}": ["1", "<script>"]},
        "bad_monitoring": {"about_sex": "robot"},
        "no_consent": {"consent": None},
        "no_group_name": {"respondent_kind": "group", "group_name": ""},
        "bad_email": {"email": "not an email"},
        "bad_kind": {"respondent_kind": "corporation"},
        "no_token": {"token": ""},
    }[change]
    data = form_data(consultation, **changes)
    data["email"] = data.get("email", "kept@example.org")
    response = client.submit(_url(consultation), data)
    assert response.status_code == 200
    page = BeautifulSoup(response.get_data(as_text=True), "html5lib")
    assert page.title.text.startswith("Error: ")
    assert message in page.select_one(".govuk-error-summary").text
    if change != "bad_email":
        assert page.select_one("input[name=email]")["value"] == "kept@example.org"  # nothing typed is lost
    assert _count(Response) == 0 and _count(MonitoringWaiting) == 0 and _count(Feedback) == 0


def test_the_same_form_sent_twice_is_one_response(client):
    consultation = make_consultation()
    data = form_data(consultation)
    first = client.submit(_url(consultation), data)
    reference = client.page(first.location).select_one("#receipt-reference").text
    second = client.submit(_url(consultation), data)
    assert second.status_code == 302
    assert client.page(second.location).select_one("#receipt-reference").text == reference
    assert _count(Response) == 1 and _count(Feedback) == 1


def test_closed_draft_and_scheduled_consultations_are_refused_politely(client):
    closed = make_consultation(state="closed")
    page = client.page(_url(closed))
    assert "not taking responses" in page.h1.text and "closed at" in page.text
    about = client.page(f"/consultations/{closed.slug}").text
    assert "What we asked" in about and "What we will ask" not in about
    response = client.submit(_url(closed), form_data(closed), form_page="/staff/sign-in")
    assert response.status_code == 409 and _count(Response) == 0
    scheduled = make_consultation(state="scheduled")
    assert "opens at" in client.page(_url(scheduled)).text
    assert "What we will ask" in client.page(f"/consultations/{scheduled.slug}").text
    draft = make_consultation(state="draft")
    assert client.get(_url(draft)).status_code == 404
    assert client.get(f"/consultations/{draft.slug}").status_code == 404


def test_a_consultation_that_closes_while_the_form_is_open_refuses_the_response(client):
    consultation = make_consultation()
    data = form_data(consultation)
    token = client.csrf_token(_url(consultation))
    consultation.closes_at = utc_now() - timedelta(seconds=1)
    db.session.commit()
    response = client.post(_url(consultation), data={**data, "csrf_token": token})
    assert response.status_code == 409 and "not taking responses" in response.get_data(as_text=True)
    assert _count(Response) == 0


def test_a_tampered_consultation_id_is_refused(client):
    consultation = make_consultation()
    other = make_consultation()
    response = client.submit(_url(consultation), form_data(consultation, consultation_id=str(other.id)))
    assert response.status_code == 400 and _count(Response) == 0
    response = client.submit(_url(consultation), form_data(consultation, consultation_id="' OR 1=1"))
    assert response.status_code == 400 and _count(Response) == 0


def test_the_honeypot_stores_nothing(client):
    consultation = make_consultation()
    response = client.submit(_url(consultation), form_data(consultation, website="http://spam.example"))
    assert response.status_code == 400 and _count(Response) == 0


def test_an_oversized_form_is_refused(client):
    consultation = make_consultation()
    response = client.submit(_url(consultation), form_data(consultation, website="", email="x" * 300_000))
    assert response.status_code == 413 and _count(Response) == 0


def test_unknown_slugs_are_404_and_odd_slugs_do_not_route(client):
    assert client.get("/consultations/no-such-thing").status_code == 404
    assert client.get("/consultations/Not_A_Slug").status_code == 404


def test_a_nul_byte_in_any_field_is_dropped_and_the_response_kept(client):
    # PostgreSQL refuses NUL bytes in text: the form used to be a 500, and the person lost their answers.
    consultation = make_consultation()
    q = consultation.questions
    data = form_data(
        consultation, **{f"q{q[0].id}": "More buses\x00 in the evening", "respondent_kind": "indi\x00vidual"}
    )
    response = client.submit(_url(consultation), data)
    assert response.status_code == 302 and response.location.endswith("/respond/confirmation")
    assert db.session.scalar(select(Feedback.text)) == "More buses in the evening"
    assert db.session.scalar(select(Response.respondent_kind)) == "individual"
