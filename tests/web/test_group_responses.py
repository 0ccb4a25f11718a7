"""Responses on behalf of a group that the register did not know when they arrived: listed with the
register's nearest group, and linked one at a time or many at once."""

from sqlalchemy import select

from crm.consultations.models import Response
from crm.core.models import AuditEvent
from crm.extensions import db
from crm.feedback.models import Feedback
from tests.consultation_factories import make_consultation, respond
from tests.factories import make_group

URL = "/staff/consultations/group-responses"


def _group_response(consultation, name):
    return respond(consultation, respondent_kind="group", group_name=name)


def test_unlinked_group_responses_are_linked_to_the_nearest_register_group(client, sign_in_as):
    consultation = make_consultation()
    first = _group_response(consultation, "Fictional Brierley Hill Carers")
    second = _group_response(consultation, "fictional brierley hill carers cic")
    unknown = _group_response(consultation, "Nothing Like Anything Else")
    assert first.group_id is None and second.group_id is None  # the register did not know them
    carers = make_group("Fictional Brierley Hill Carers Ltd")
    db.session.commit()
    sign_in_as("engagement_officer")
    page = client.page(URL)
    assert "3 responses not linked" in page.text
    assert (
        page.select_one(f"#link-{first.id}")
        .find_next("label")
        .text.startswith("Link to Fictional Brierley Hill Carers Ltd")
    )
    assert page.select_one(f"#link-{unknown.id}") is None and "No group on the register is near" in page.text
    response = client.submit(URL, {"link": [f"{first.id}-{carers.id}", f"{second.id}-{carers.id}"]})
    assert response.status_code == 302
    assert "Linked 2 responses to the register" in client.page(response.location).text
    db.session.expire_all()
    assert db.session.get(Response, first.id).group_id == carers.id
    feedback = db.session.scalar(select(Feedback).where(Feedback.response_id == first.id))
    assert feedback.group_id == carers.id  # what it said now counts for the group too
    linked = db.session.scalars(
        select(AuditEvent.entity_id).where(AuditEvent.action == "response.group_linked")
    )
    assert sorted(linked) == sorted([str(first.id), str(second.id)])
    assert "1 response not linked" in client.page(URL).text


def test_linking_nothing_or_to_an_archived_group_is_refused(client, sign_in_as):
    consultation = make_consultation()
    response = _group_response(consultation, "Fictional Lye Tenants")
    gone = make_group("Fictional Lye Tenants Group")
    sign_in_as("engagement_officer")
    refused = client.submit(URL, {})
    assert "Tick at least one response to link" in client.page(refused.location).text
    gone.is_archived = True
    db.session.commit()
    refused = client.submit(URL, {"link": [f"{response.id}-{gone.id}"]})
    assert "no longer on the register" in client.page(refused.location).text
    db.session.expire_all()
    assert db.session.get(Response, response.id).group_id is None


def test_only_officers_and_admins_link_group_responses(client, sign_in_as):
    sign_in_as("policy_lead")
    assert client.get(URL).status_code == 403
