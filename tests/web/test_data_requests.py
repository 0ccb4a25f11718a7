"""People's rights: the contact page, the public data request form and its emailed link, and the staff queue
that withdraws, erases and exports what is held about a person."""

import io
import json
import re
import zipfile
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from crm.consultations.models import Answer, MonitoringAnswer, MonitoringWaiting, Response
from crm.core.email import OutboundEmail
from crm.core.models import AuditEvent, utc_now
from crm.core.retention import REMOVED_ON_REQUEST
from crm.extensions import db
from crm.feedback.models import Feedback
from crm.groups.models import CommunityGroup, Contact
from crm.privacy.models import DataRequest
from tests.consultation_factories import make_consultation, respond
from tests.factories import make_contact, make_group

SAME_ANSWER = "If the receipt reference matches a response that gave an email address, we have sent a link"


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _monitoring() -> int:
    """Monitoring answers held, published or still waiting (sealed) for a batch."""
    return _count(MonitoringAnswer) + _count(MonitoringWaiting)


def _actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def _form(**changes) -> dict:
    data = {"kind": "withdraw", "reference": "", "name": "Sam Person", "email": "sam@example.org"}
    data.update(changes)
    return data


def _file(client, **changes):
    response = client.submit("/contact/data-request", _form(**changes))
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.location == "/contact/data-request/sent"
    return db.session.scalar(select(DataRequest).order_by(DataRequest.id.desc()))


def _link() -> str:
    body = db.session.scalar(select(OutboundEmail.body).order_by(OutboundEmail.id.desc()))
    return re.search(r"http://localhost(/contact/confirm\?token=\S+)", body).group(1)


def _response(email="sam@example.org", **values):
    consultation = make_consultation("open")
    return respond(
        consultation, name="Sam Person", email=email, monitoring_answers={"sex": "female"}, **values
    )


def _confirmed_withdrawal(client, response):
    _file(client, reference=response.reference.lower())
    assert client.submit(_link(), {"token": _token()}, form_page="/contact/data-request").status_code == 302
    return db.session.scalar(select(DataRequest))


def _token() -> str:
    return _link().split("token=", 1)[1]


def _handler(sign_in_as):
    return sign_in_as("engagement_officer", handles_data_requests=True)


# ---- Public pages ---------------------------------------------------------------------------------------


def test_a_resident_can_find_out_how_to_have_their_response_removed(client):
    contact = client.page("/contact").text
    assert "withdraw your response to a consultation" in contact
    assert "/contact" in str(client.page("/privacy").find("a", string=re.compile("make a request")))
    assert client.page("/").find("footer").find("a", string="Contact us")["href"] == "/contact"
    consultation = make_consultation("open")
    with client.session_transaction() as session:
        session["receipt"] = {"slug": consultation.slug, "reference": "CV-AB23-CD45"}
    page = client.page(f"/consultations/{consultation.slug}/respond/confirmation")
    assert page.find("a", string="withdraw it")["href"] == "/contact/data-request?kind=withdraw"


def test_admins_set_the_contact_details_the_public_page_shows(client, sign_in_as):
    sign_in_as("admin")
    details = {
        "name": "West Midlands Combined Authority",
        "address": "16 Summer Lane\nBirmingham B19 3SD",
        "email": "info@example.org",
        "phone": "0121 200 2787",
        "dpo_name": "Dee Protection",
        "dpo_email": "dpo@example.org",
        "dpo_address": "",
    }
    assert client.submit("/staff/admin/contact-details", details).status_code == 302
    page = client.page("/contact").text
    for value in ("West Midlands Combined Authority", "16 Summer Lane", "0121 200 2787", "dpo@example.org"):
        assert value in page
    assert "organisation_details.updated" in _actions()
    bad = client.submit("/staff/admin/contact-details", {**details, "dpo_email": "not an email"})
    assert bad.status_code == 200 and "Enter an email address in the correct format" in bad.get_data(
        as_text=True
    )


def test_only_admins_edit_the_contact_details(client, sign_in_as):
    sign_in_as("engagement_officer", handles_data_requests=True)
    assert client.get("/staff/admin/contact-details").status_code == 403


def test_a_withdrawal_sends_the_link_to_the_email_on_the_response_not_the_one_typed(client):
    response = _response(email="owner@example.org")
    request = _file(client, reference=response.reference, email="someone.else@example.org")
    assert request.response_id == response.id and request.identity_check == "awaiting"
    message = db.session.scalar(select(OutboundEmail))
    assert message.to_address == "owner@example.org" and message.purpose == "data_request.confirm"
    assert request.token_hash and _token() not in request.token_hash  # only the hash is stored
    assert request.due_on > utc_now().date()
    assert SAME_ANSWER in client.page("/contact/data-request/sent").text
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "data_request.filed"))
    assert event.actor_label == "public" and "receipt_reference" in event.changed_fields


@pytest.mark.parametrize("case", ["unknown reference", "response without an email"])
def test_the_answer_does_not_reveal_whether_the_reference_exists(client, case):
    reference = "CV-ZZZZ-ZZZZ" if case == "unknown reference" else _response(email="").reference
    request = _file(client, reference=reference)
    sent = client.page("/contact/data-request/sent").text
    assert SAME_ANSWER in sent and reference not in sent
    assert _count(OutboundEmail) == 0
    assert request.identity_check == "not_checked"  # in the queue, for staff to check another way


def test_without_a_reference_the_link_goes_to_the_address_typed(client):
    request = _file(client, kind="access", email="Sam@Example.org")
    assert db.session.scalar(select(OutboundEmail.to_address)) == "Sam@Example.org"
    assert request.identity_check == "awaiting"
    assert (
        "We have sent a link to the email address you gave" in client.page("/contact/data-request/sent").text
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"kind": ""}, "Select what you want us to do"),
        ({"kind": "nonsense"}, "Select what you want us to do"),
        ({"email": ""}, "Enter your email address"),
        ({"email": "sam at example"}, "Enter an email address in the correct format"),
        ({"reference": ""}, "Enter the receipt reference of the response you want to withdraw"),
        ({"reference": "12345"}, "Enter the receipt reference as it was shown, like CV-AB12-CD34"),
        ({"kind": "correct", "reference": "", "description": ""}, "Tell us what you want us to do"),
        (
            {"description": "x" * 5001, "reference": "CV-AB23-CD45"},
            "Details must be 5000 characters or fewer",
        ),
    ],
)
def test_bad_input_gets_a_clear_message_and_keeps_what_was_typed(client, changes, message):
    response = client.submit("/contact/data-request", _form(name="Sam Typed", **changes))
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and message in text
    assert "govuk-error-summary" in text and 'value="Sam Typed"' in text
    assert _count(DataRequest) == 0 and _count(OutboundEmail) == 0


def test_nul_bytes_are_dropped_from_what_is_typed(client):
    request = _file(client, kind="other", description="Please\x00 call me", reference="")
    assert request.description == "Please call me"


def test_the_link_is_shown_before_it_is_used_and_works_once(client):
    response = _response()
    _file(client, reference=response.reference)
    link = _link()
    page = client.page(link)  # a GET (an email scanner following links) changes nothing
    assert "Confirm your request" in page.text
    assert db.session.scalar(select(DataRequest.identity_check)) == "awaiting"
    assert (
        client.submit(link, {"token": _token()}, form_page="/contact/data-request").location
        == "/contact/confirmed"
    )
    assert "Request confirmed" in client.page("/contact/confirmed").text
    request = db.session.scalar(select(DataRequest))
    assert request.identity_check == "confirmed" and request.confirmed_at is not None
    assert "data_request.confirmed" in _actions()
    again = client.submit(link, {"token": _token()}, form_page="/contact/data-request")
    assert again.status_code == 410 and "This link has already been used" in again.get_data(as_text=True)
    assert client.get(link).status_code == 410


def test_an_expired_link_says_so_and_the_request_is_kept(client):
    _file(client, reference=_response().reference)
    request = db.session.scalar(select(DataRequest))
    request.token_expires_at = utc_now() - timedelta(minutes=1)
    db.session.commit()
    response = client.submit(_link(), {"token": _token()}, form_page="/contact/data-request")
    assert response.status_code == 410 and "This link has expired" in response.get_data(as_text=True)
    assert db.session.scalar(select(DataRequest.identity_check)) == "awaiting"


@pytest.mark.parametrize("token", ["", "not-a-token", "x" * 500])
def test_a_link_that_is_not_ours_is_not_valid(client, token):
    response = client.get("/contact/confirm", query_string={"token": token})
    assert response.status_code == 404 and "This link is not valid" in response.get_data(as_text=True)


# ---- Staff ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["policy_lead", "equality_lead", "viewer", "engagement_officer"])
def test_only_admins_and_named_handlers_see_the_queue(client, sign_in_as, role):
    sign_in_as(role)  # not named as a handler
    assert client.get("/staff/data-requests").status_code == 403


def test_a_named_policy_lead_still_cannot_see_personal_details(client, sign_in_as):
    sign_in_as("policy_lead", handles_data_requests=True)
    assert client.get("/staff/data-requests").status_code == 403


def test_the_queue_lists_open_requests_soonest_due_first(client, sign_in_as):
    _file(client, kind="access", reference="")
    _file(client, reference="CV-ZZZZ-ZZZZ")
    first, second = db.session.scalars(select(DataRequest).order_by(DataRequest.id)).all()
    first.due_on = second.due_on + timedelta(days=3)
    second.due_on = utc_now().date() - timedelta(days=2)
    db.session.commit()
    _handler(sign_in_as)
    page = client.page("/staff/data-requests")
    rows = [row.find("a").text for row in page.select("tbody tr")]
    assert rows == [second.reference, first.reference]
    assert [bool(row.select(".govuk-tag--red")) for row in page.select("tbody tr")] == [True, False]
    assert "Not checked" in page.text and "Waiting for the person to confirm" in page.text
    assert client.page("/staff/data-requests?view=closed").find(string=re.compile("There are no closed"))


def test_an_admin_grants_the_permission_on_the_user_page(client, sign_in_as, make_user):
    officer = make_user(role="engagement_officer")
    sign_in_as("admin")
    response = client.submit(
        f"/staff/admin/users/{officer.id}",
        {"name": officer.name, "role": "engagement_officer", "handles_data_requests": "y"},
    )
    assert response.status_code == 302
    db.session.refresh(officer)
    assert officer.handles_data_requests and officer.can_handle_data_requests


def test_the_request_page_finds_everything_held_about_the_person(client, sign_in_as):
    response = _response(email="Sam@Example.org")
    group = make_group("Sam's Allotment Club")
    make_contact(group, name="Sam Person", email="sam@example.org")
    db.session.commit()
    _file(client, kind="access", reference=response.reference, email="SAM@example.org")
    _handler(sign_in_as)
    request = db.session.scalar(select(DataRequest))
    page = client.page(f"/staff/data-requests/{request.id}").text
    assert response.reference in page and "Sam's Allotment Club (its only contact)" in page
    assert "More buses in the evening" in page  # the feedback drawn from the response
    assert "data_request.viewed" in _actions()


def test_the_page_reads_a_fixed_number_of_queries_whatever_is_found(client, sign_in_as, count_queries):
    for _ in range(3):
        _response(email="sam@example.org")
    _file(client, kind="access", reference="")
    _handler(sign_in_as)
    url = f"/staff/data-requests/{db.session.scalar(select(DataRequest.id))}"
    few = count_queries(url)
    for _ in range(5):
        _response(email="sam@example.org")
        make_contact(make_group(), email="SAM@example.org")
    db.session.commit()
    assert count_queries(url) == few + 1  # the "only contact" count joins in once there are contacts


def test_withdrawing_needs_the_identity_check_first(client, sign_in_as):
    response = _response(email="")
    request = _file(client, reference=response.reference)
    _handler(sign_in_as)
    page = client.submit(
        f"/staff/data-requests/{request.id}/withdraw", {}, form_page=f"/staff/data-requests/{request.id}"
    )
    assert page.status_code == 302
    assert "Check who is asking before acting" in client.page(f"/staff/data-requests/{request.id}").text
    assert db.session.get(Response, response.id).status == "received"
    empty = client.submit(
        f"/staff/data-requests/{request.id}/identity",
        {"how": ""},
        form_page=f"/staff/data-requests/{request.id}",
    )
    assert empty.status_code == 400 and "Say how you checked who is asking" in empty.get_data(as_text=True)
    client.submit(
        f"/staff/data-requests/{request.id}/identity",
        {"how": "Phoned them back"},
        form_page=f"/staff/data-requests/{request.id}",
    )
    db.session.expire_all()
    assert db.session.get(DataRequest, request.id).identity_check == "checked_by_staff"
    client.submit(
        f"/staff/data-requests/{request.id}/withdraw", {}, form_page=f"/staff/data-requests/{request.id}"
    )
    db.session.expire_all()
    assert db.session.get(Response, response.id).status == "withdrawn"


def test_withdrawing_a_response_takes_it_out_of_every_count_and_deletes_its_monitoring(client, sign_in_as):
    response = _response()
    assert _monitoring() >= 1
    request = _confirmed_withdrawal(client, response)
    _handler(sign_in_as)
    url = f"/staff/data-requests/{request.id}"
    assert client.submit(f"{url}/withdraw", {}, form_page=url).status_code == 302
    db.session.expire_all()
    assert db.session.get(Response, response.id).status == "withdrawn"
    assert set(db.session.scalars(select(Feedback.status).where(Feedback.response_id == response.id))) == {
        "excluded"
    }
    assert _monitoring() == 0
    assert {"response.status_changed", "data_request.response_withdrawn"} <= set(_actions())
    assert db.session.get(DataRequest, request.id).status == "in_progress"
    again = client.submit(f"{url}/withdraw", {}, form_page=url)
    assert again.status_code == 302 and "Withdraw response" not in client.page(url).text


def test_erasure_removes_what_identifies_the_person_and_keeps_the_counts(client, sign_in_as):
    response = _response()
    group = make_group("Sam's Allotment Club", email="club@example.org")
    contact = make_contact(group, name="Sam Person", email="sam@example.org")
    other_group = make_group("Busy Network")
    make_contact(other_group, name="Sam Person", email="Sam@example.org")
    make_contact(other_group, name="Someone Else", email="else@example.org")
    db.session.commit()
    edited = db.session.scalar(select(Feedback).where(Feedback.response_id == response.id))
    edited.original_text, edited.text = edited.text, "Corrected by an officer"
    db.session.commit()
    items_before = _count(Feedback)
    request = _file(client, kind="erase", reference="")
    client.submit(_link(), {"token": _token()}, form_page="/contact/data-request")
    _handler(sign_in_as)
    url = f"/staff/data-requests/{request.id}"
    assert client.submit(f"{url}/erase", {}, form_page=url).status_code == 302
    page = client.page(url).text
    assert "Sam's Allotment Club now has no contact: its record is kept" in page
    db.session.expire_all()
    erased = db.session.get(Response, response.id)
    assert (erased.name, erased.email, erased.status) == ("", "", "received")  # still counts
    assert {a.text for a in erased.answers if a.text is not None} == {REMOVED_ON_REQUEST}
    assert _count(Answer, Answer.response_id == response.id, Answer.value.is_not(None)) >= 1  # choices kept
    assert _count(Feedback) == items_before
    assert set(db.session.scalars(select(Feedback.text))) == {REMOVED_ON_REQUEST}
    assert set(db.session.scalars(select(Feedback.original_text))) == {
        REMOVED_ON_REQUEST
    }  # the first words too
    assert _monitoring() == 0
    anonymised = db.session.get(Contact, contact.id)
    assert (anonymised.name, anonymised.email, anonymised.do_not_contact) == ("Former contact", "", True)
    assert db.session.get(CommunityGroup, group.id).name == "Sam's Allotment Club"  # the group is kept
    assert _count(Contact, Contact.email == "else@example.org") == 1
    assert {"response.erased", "feedback.text_removed", "contact.anonymised", "data_request.erased"} <= set(
        _actions()
    )
    for event in db.session.scalars(select(AuditEvent)):
        assert "sam@example.org" not in json.dumps(event.changed_fields).lower()


def test_erasure_with_nothing_found_says_so(client, sign_in_as):
    request = _file(client, kind="erase", reference="", email="nobody@example.org")
    client.submit(_link(), {"token": _token()}, form_page="/contact/data-request")
    _handler(sign_in_as)
    url = f"/staff/data-requests/{request.id}"
    client.submit(f"{url}/erase", {}, form_page=url)
    assert "Nothing was found about this person to erase" in client.page(url).text


def test_a_copy_of_the_data_is_a_zip_of_json_and_csv(client, sign_in_as):
    response = _response()
    make_contact(make_group("Formula Club"), name="=HYPERLINK(1)", email="sam@example.org")
    db.session.commit()
    request = _file(client, kind="access", reference=response.reference)
    _handler(sign_in_as)
    download = client.get(f"/staff/data-requests/{request.id}/export.zip")
    assert download.status_code == 200 and download.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(download.data))
    assert set(archive.namelist()) == {
        "your-information.json",
        "responses.csv",
        "answers.csv",
        "contacts.csv",
        "feedback.csv",
    }
    document = json.loads(archive.read("your-information.json"))
    assert document["responses"][0]["receipt_reference"] == response.reference
    assert document["contacts"][0]["name"] == "=HYPERLINK(1)"
    assert "'=HYPERLINK(1)" in archive.read("contacts.csv").decode("utf-8-sig")  # no formula in a spreadsheet
    assert "More buses in the evening" in archive.read("answers.csv").decode("utf-8-sig")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "data_request.exported"))
    assert event.changed_fields == ["contacts", "feedback", "responses"]


def test_status_and_notes_make_the_history_and_closing_dates_it(client, sign_in_as):
    request = _file(client, kind="other", reference="", description="Please stop the leaflets")
    _handler(sign_in_as)
    url = f"/staff/data-requests/{request.id}"
    refused = client.submit(f"{url}/update", {"status": "open", "note": ""}, form_page=url)
    assert refused.status_code == 400 and "Enter a note or choose a different status" in refused.get_data(
        as_text=True
    )
    assert (
        client.submit(
            f"{url}/update", {"status": "completed", "note": "Replied by email"}, form_page=url
        ).status_code
        == 302
    )
    page = client.page(url).text
    assert "Status changed to completed." in page and "Replied by email" in page
    db.session.expire_all()
    assert db.session.get(DataRequest, request.id).closed_at is not None
    assert "Erase everything found" not in page
    client.submit(f"{url}/update", {"status": "in_progress", "note": ""}, form_page=url)
    db.session.expire_all()
    assert db.session.get(DataRequest, request.id).closed_at is None


def test_the_audit_viewer_shows_data_request_actions(client, sign_in_as):
    _file(client, kind="access", reference="")
    sign_in_as("admin")
    page = client.page("/staff/admin/audit").text
    assert "data_request.filed" in page or "Data request" in page


def test_the_public_form_is_rate_limited(client, app):
    for _ in range(10):
        _file(client, kind="access", reference="")
    refused = client.submit("/contact/data-request", _form(kind="access"))
    assert refused.status_code == 429
    assert _count(DataRequest) == 10


def test_the_request_page_says_the_withdrawn_feedback_no_longer_counts(client, sign_in_as):
    response = _response()
    request = _confirmed_withdrawal(client, response)
    _handler(sign_in_as)
    url = f"/staff/data-requests/{request.id}"
    client.submit(f"{url}/withdraw", {}, form_page=url)
    assert "Excluded" in client.page(url).text


def test_withdrawal_deletes_that_response_s_published_monitoring_answers_and_no_one_else_s(
    client, sign_in_as
):
    from crm.consultations import monitoring_store

    consultation = make_consultation("open")
    mine = respond(consultation, email="sam@example.org", monitoring_answers={"sex": "female"})
    others = [respond(consultation, monitoring_answers={"sex": "male"}) for _ in range(4)]  # one batch of 5

    def held(reference):
        ids = monitoring_store.answer_ids(reference)
        return _count(MonitoringAnswer, MonitoringAnswer.id.in_(ids))

    assert held(mine.reference) >= 1  # published in a batch, no longer waiting
    request = _confirmed_withdrawal(client, mine)
    _handler(sign_in_as)
    url = f"/staff/data-requests/{request.id}"
    client.submit(f"{url}/withdraw", {}, form_page=url)
    assert held(mine.reference) == 0
    assert all(held(other.reference) >= 1 for other in others)


def test_the_staff_menu_offers_data_requests_only_to_those_who_handle_them(client, sign_in_as):
    sign_in_as("engagement_officer")
    assert not client.page("/staff/").select('a[href="/staff/data-requests"]')
    client.post("/staff/sign-out", data={"csrf_token": client.csrf_token("/staff/")})
    _handler(sign_in_as)
    (link,) = client.page("/staff/").select('nav a[href="/staff/data-requests"]')
    assert link.text.strip() == "Data requests"
