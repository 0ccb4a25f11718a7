"""We asked, you said, we did: writing, linking feedback, publishing, suppression and the public pages."""

from sqlalchemy import select

from crm.auth import roles
from crm.consultations.models import Consultation
from crm.core.models import AuditEvent
from crm.extensions import db
from crm.outcomes.models import Outcome
from tests.consultation_factories import make_consultation, respond
from tests.policy_factories import make_feedback

VALUES = {
    "we_asked": "Should buses run until midnight?",
    "you_said": "Most of you wanted later buses.",
    "we_did": "From May the 51 runs until 00:30.",
}


def _url(consultation) -> str:
    return f"/staff/consultations/{consultation.id}/outcome"


def test_publishing_an_outcome_shows_it_publicly_and_moves_the_consultation_on(client, sign_in_as):
    consultation = make_consultation("closed", title="Evening buses")
    for _ in range(10):  # the minimum breakdown: with fewer people, no themes are shown
        respond(consultation, channel="paper")
    for number in range(6):
        make_feedback(
            f"Later buses please {number}", consultation=consultation, source="response", themes=["Safety"]
        )
    make_feedback("Fares", consultation=consultation, source="response", themes=["Cost of living"])
    quoted = make_feedback("I finish work at 11pm", consultation=consultation, source="response")
    officer = sign_in_as(roles.ENGAGEMENT_OFFICER)
    assert client.submit(_url(consultation), {**VALUES, "feedback": [quoted.id]}).status_code == 302
    assert client.get("/outcomes").get_data(as_text=True).count("Should buses run until midnight?") == 0

    response = client.submit(_url(consultation) + "/publish", {}, form_page=_url(consultation))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Consultation, consultation.id).status == "outcome_published"
    outcome = db.session.scalar(select(Outcome))
    assert outcome.is_published and outcome.published_by_id == officer.id

    public = client.page(f"/consultations/{consultation.slug}").get_text(" ", strip=True)
    assert "We asked" in public and "From May the 51 runs until 00:30." in public
    assert "Safety 6" in public  # counts at or above the threshold are shown
    assert "Cost of living fewer than 5" in public  # small counts are hidden
    assert "I finish work at 11pm" in public
    listing = client.page("/outcomes").get_text(" ", strip=True)
    assert "Evening buses" in listing and "Most of you wanted later buses." in listing
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "outcome.published" in actions and "consultation.publish_outcome" in actions


def test_linked_feedback_must_come_from_the_consultation(client, sign_in_as):
    consultation = make_consultation("closed")
    other = make_consultation("closed")
    theirs = make_feedback("Another consultation", consultation=other, source="response")
    sign_in_as(roles.POLICY_LEAD)
    response = client.submit(_url(consultation), {**VALUES, "feedback": [theirs.id]})
    assert response.status_code == 200
    assert f"Feedback FB-{theirs.id} was not given to this consultation" in response.get_data(as_text=True)
    assert db.session.scalar(select(Outcome)) is None


def test_an_outcome_cannot_be_published_before_the_consultation_closes(client, sign_in_as):
    consultation = make_consultation("open")
    sign_in_as(roles.POLICY_LEAD)
    response = client.submit(_url(consultation), VALUES)
    assert "Write the outcome once the consultation has closed" in response.get_data(as_text=True)
    response = client.submit(_url(consultation) + "/publish", {}, form_page=_url(consultation))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Consultation, consultation.id).status == "scheduled"


def test_publishing_needs_what_we_did(client, sign_in_as):
    consultation = make_consultation("closed")
    sign_in_as(roles.POLICY_LEAD)
    client.submit(_url(consultation), {**VALUES, "we_did": ""})
    client.submit(_url(consultation) + "/publish", {}, form_page=_url(consultation))
    assert not db.session.scalar(select(Outcome)).is_published
    page = client.page(_url(consultation)).get_text()
    assert "Say what we did before publishing" in page


def test_response_counts_are_suppressed_when_small(client, sign_in_as):
    consultation = make_consultation("open")
    respond(consultation)
    respond(consultation)
    consultation.closes_at = consultation.opens_at
    db.session.commit()
    sign_in_as(roles.ADMIN)
    client.submit(_url(consultation), VALUES)
    client.submit(_url(consultation) + "/publish", {}, form_page=_url(consultation))
    public = client.page(f"/consultations/{consultation.slug}").get_text(" ", strip=True)
    assert "Responses: fewer than 5." in public
    # two people: no breakdown by theme at all (minimum n), however many comments were coded
    assert "The themes are not shown: fewer than 10 people responded" in public
    assert "The main themes in what people told us" not in public


def test_equality_leads_and_viewers_do_not_write_outcomes(client, sign_in_as):
    consultation = make_consultation("closed")
    sign_in_as(roles.EQUALITY_LEAD)
    assert client.get(_url(consultation)).status_code == 403
