"""Contact and group history (issue 15 part 4): the contact page and who may open it, each kind of history on
the contact and group pages newest first, "last engaged", and the groups not engaged in twelve months."""

from datetime import date, timedelta

import pytest

from crm.bodies import service as bodies
from crm.consultations.models import Response
from crm.core import audit
from crm.core.models import utc_now
from crm.core.time import govuk_date, uk_today
from crm.engagement.models import Invitation
from crm.extensions import db
from crm.groups.service import set_archived
from crm.reports import engagement
from tests.consultation_factories import make_consultation, respond
from tests.factories import make_contact, make_group, make_user
from tests.policy_factories import make_event, make_feedback

NOT_ENGAGED = "/staff/groups/not-engaged"


def _group(name: str, **values):
    group = make_group(name, **values)
    db.session.commit()
    return group


def _contact(group, name: str):
    contact = make_contact(group, name)
    db.session.commit()
    return contact


def _body(name: str, slug: str):
    body = bodies.create_body(
        audit.SYSTEM,
        name=name,
        slug=slug,
        kind="commission",
        remit="",
        response_weeks=8,
        has_public_register=False,
    )
    db.session.commit()
    return body


def _seat(body, contact, starts_on: date, ends_on: date | None = None):
    membership = bodies.add_member(audit.SYSTEM, body, contact.id, "member", starts_on, ends_on)
    db.session.commit()
    return membership


def _recommendation(title: str, made_on: date, body=None, event=None):
    recommendation = bodies.create_recommendation(
        audit.SYSTEM,
        title=title,
        text="",
        body_id=body.id if body else None,
        event_id=event.id if event else None,
        made_on=made_on,
        owner_id=make_user(role="policy_lead").id,
        policy_ids=[],
    )
    db.session.commit()
    return recommendation


def _invite(contact, consultation=None, event=None, days_ago: int = 1):
    invitation = Invitation(
        contact_id=contact.id,
        consultation_id=consultation.id if consultation else None,
        event_id=event.id if event else None,
        created_at=utc_now() - timedelta(days=days_ago),
    )
    db.session.add(invitation)
    db.session.commit()
    return invitation


def _response(consultation, group, days_ago: int, status: str = "received") -> Response:
    response = respond(consultation)
    response.group_id = group.id
    response.received_at = utc_now() - timedelta(days=days_ago)
    response.status = status
    db.session.commit()
    return response


def _meeting(body, title: str, days_ago: int):
    event = make_event(title=title, kind="commission_meeting", starts_at=utc_now() - timedelta(days=days_ago))
    body.meetings.append(event)
    db.session.commit()
    return event


def _texts(page, selector: str) -> list[str]:
    return [element.get_text(" ", strip=True) for element in page.select(selector)]


def _section(page, heading: str) -> str:
    """The text from a level-2 heading to the next one."""
    found = page.find("h2", string=heading)
    assert found is not None, heading
    parts = []
    for sibling in found.find_next_siblings():
        if sibling.name == "h2":
            break
        parts.append(sibling.get_text(" ", strip=True))
    return " ".join(parts)


def _in_order(text: str, *names: str) -> bool:
    positions = [text.index(name) for name in names]
    return positions == sorted(positions)


# ---- The contact page and who may open it -----------------------------------------------------------------


@pytest.mark.parametrize("role", ["policy_lead", "equality_lead", "viewer"])
def test_roles_that_do_not_see_personal_data_cannot_open_a_contact(client, sign_in_as, role):
    contact = _contact(_group("Walsall Deaf Club"), "Sam Signer")
    sign_in_as(role)
    assert client.get(f"/staff/contacts/{contact.id}").status_code == 403


@pytest.mark.parametrize("role", ["engagement_officer", "admin"])
def test_officers_open_a_contact_from_the_list_and_from_the_group(client, sign_in_as, role):
    group = _group("Walsall Deaf Club")
    contact = _contact(group, "Sam Signer")
    sign_in_as(role)
    href = f"/staff/contacts/{contact.id}"
    assert href in [a["href"] for a in client.page("/staff/contacts").select("a")]
    assert href in [a["href"] for a in client.page(f"/staff/groups/{group.id}").select("a")]
    page = client.page(href)
    assert page.h1.get_text(strip=True) == "Sam Signer"
    assert contact.email in page.get_text()
    assert "No invitations sent." in _section(page, "Invitations")


def test_a_contact_that_does_not_exist_is_not_found(client, sign_in_as):
    sign_in_as("engagement_officer")
    assert client.get("/staff/contacts/999999").status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client):
    contact = _contact(_group("Walsall Deaf Club"), "Sam Signer")
    response = client.get(f"/staff/contacts/{contact.id}")
    assert response.status_code == 302 and "sign-in" in response.headers["Location"]


# ---- What the contact page shows --------------------------------------------------------------------------


def test_a_contacts_history_newest_first(client, sign_in_as):
    group = _group("Bloxwich Youth Forum")
    contact = _contact(group, "Ria Member")
    someone_else = _contact(group, "Other Person")
    consultation = make_consultation(title="Evening buses")
    event = make_event(title="Bus workshop")
    _invite(contact, consultation=consultation, days_ago=20)
    _invite(contact, event=event, days_ago=2)
    _invite(someone_else, event=make_event(title="Not theirs"), days_ago=1)

    today = uk_today()
    youth = _body("Young Combined Authority", "yca")
    mental_health = _body("Mental Health Commission", "mhc")
    _seat(youth, contact, today - timedelta(days=300))
    _seat(mental_health, contact, today - timedelta(days=100), today - timedelta(days=40))
    _meeting(youth, "Youth assembly spring", 200)
    _meeting(mental_health, "Commission June", 60)
    _meeting(mental_health, "Commission before they joined", 150)
    _meeting(mental_health, "Commission after they left", 10)
    _meeting(youth, "Youth assembly next month", -30)  # not held yet
    _recommendation("Free travel for care leavers", today - timedelta(days=50), body=youth)
    _recommendation("Peer support in schools", today - timedelta(days=70), body=mental_health)
    _recommendation("Before their time", today - timedelta(days=400), body=youth)
    _recommendation("After they left", today - timedelta(days=20), body=mental_health)

    sign_in_as("engagement_officer")
    page = client.page(f"/staff/contacts/{contact.id}")

    invitations = _section(page, "Invitations")
    assert _in_order(invitations, "Bus workshop", "Evening buses") and "Not theirs" not in invitations
    assert _in_order(
        _section(page, "Memberships of standing bodies"), "Mental Health Commission", "Young Combined"
    )
    meetings = _section(page, "Meetings during their membership")
    assert _in_order(meetings, "Commission June", "Youth assembly spring")
    for not_attended in ("before they joined", "after they left", "next month"):
        assert not_attended not in meetings
    recommendations = _section(page, "Recommendations")
    assert _in_order(recommendations, "Free travel for care leavers", "Peer support in schools")
    assert "Before their time" not in recommendations and "After they left" not in recommendations


# ---- What the group page shows ----------------------------------------------------------------------------


def test_a_groups_history_newest_first(client, sign_in_as):
    group = _group("Caldmore Carers")
    contact = _contact(group, "Chris Carer")
    consultation = make_consultation(title="Respite care")
    _response(consultation, group, days_ago=30)
    newer = _response(consultation, group, days_ago=3)
    spam = _response(consultation, group, days_ago=1, status="spam")
    older_event = make_event(title="Carers drop-in", groups=[group], starts_at=utc_now() - timedelta(days=90))
    make_event(title="Carers forum", groups=[group], starts_at=utc_now() - timedelta(days=8))
    _invite(contact, consultation=consultation, days_ago=40)
    _invite(contact, event=older_event, days_ago=95)
    body = _body("Life Chances Commission", "lcc")
    _seat(body, contact, uk_today() - timedelta(days=10))
    _recommendation("Respite vouchers", uk_today() - timedelta(days=89), event=older_event)
    _recommendation("Not from their events", uk_today() - timedelta(days=5), body=body)

    sign_in_as("engagement_officer")
    page = client.page(f"/staff/groups/{group.id}")

    responses = _section(page, "Responses to consultations")
    assert _in_order(responses, newer.reference, "Respite care") and spam.reference not in responses
    assert _in_order(_section(page, "Events"), "Carers forum", "Carers drop-in")
    invitations = _section(page, "Invitations")
    assert _in_order(invitations, "Respite care", "Carers drop-in") and "Chris Carer" in invitations
    memberships = _section(page, "Memberships of standing bodies")
    assert "Life Chances Commission" in memberships and "Chris Carer" in memberships
    recommendations = _section(page, "Recommendations")
    assert "Respite vouchers" in recommendations and "Not from their events" not in recommendations


def test_a_policy_lead_sees_a_groups_history_without_its_contacts_names(client, sign_in_as):
    group = _group("Caldmore Carers")
    contact = _contact(group, "Chris Carer")
    _invite(contact, consultation=make_consultation(title="Respite care"))
    _seat(_body("Life Chances Commission", "lcc"), contact, uk_today())
    sign_in_as("policy_lead")
    page = client.page(f"/staff/groups/{group.id}")
    assert "Respite care" in _section(page, "Invitations")
    assert "Life Chances Commission" in _section(page, "Memberships of standing bodies")
    assert "Chris Carer" not in page.get_text()
    assert f"/staff/contacts/{contact.id}" not in str(page)


def test_a_long_history_shows_the_latest_ten_and_the_count(client, sign_in_as):
    group = _group("Caldmore Carers")
    consultation = make_consultation(title="Respite care")
    for days_ago in range(12):
        _response(consultation, group, days_ago=days_ago + 1)
    sign_in_as("engagement_officer")
    responses = _section(client.page(f"/staff/groups/{group.id}"), "Responses to consultations")
    assert "Showing the latest 10 of 12 responses." in responses


def test_history_pages_make_no_query_per_row(client, sign_in_as, count_queries):
    group = _group("Caldmore Carers")
    body = _body("Life Chances Commission", "lcc")
    consultation = make_consultation(title="Respite care")

    def add_history(number: int):
        contact = _contact(group, f"Person {number}")
        event = make_event(title=f"Event {number}", groups=[group])
        _invite(
            contact, consultation=consultation if number % 2 else None, event=None if number % 2 else event
        )
        _response(consultation, group, days_ago=number + 1)
        make_feedback(f"Said {number}", group=group)
        _seat(body, contact, uk_today() - timedelta(days=number + 30))
        _meeting(body, f"Meeting {number}", number + 1)
        _recommendation(
            f"Recommendation {number}", uk_today() - timedelta(days=number + 1), body=body, event=event
        )
        return contact

    first = add_history(1)
    add_history(2)  # an invitation of each kind, so the first count loads both kinds' targets
    sign_in_as("engagement_officer")
    group_page, contact_page = f"/staff/groups/{group.id}", f"/staff/contacts/{first.id}"
    few = count_queries(group_page), count_queries(contact_page)
    for number in range(3, 9):
        add_history(number)
    assert (count_queries(group_page), count_queries(contact_page)) == few


# ---- Last engaged ----------------------------------------------------------------------------------------


def test_last_engaged_is_the_latest_event_response_or_feedback(client, sign_in_as):
    group = _group("Pelsall Pensioners")
    contact = _contact(group, "Val Voter")
    assert engagement.last_engaged(group.id) is None
    make_event(title="Coffee morning", groups=[group], starts_at=utc_now() - timedelta(days=40))
    make_event(title="Not yet held", groups=[group], starts_at=utc_now() + timedelta(days=5))
    _invite(contact, consultation=make_consultation(title="Bus passes"), days_ago=1)  # sent, not engagement
    assert (engagement.last_engaged(group.id).kind, engagement.last_engaged(group.id).at.date()) == (
        "event",
        (utc_now() - timedelta(days=40)).date(),
    )
    _response(make_consultation(title="Libraries"), group, days_ago=20)
    assert engagement.last_engaged(group.id).kind == "response"
    heard = make_feedback("More benches", group=group, received_at=utc_now() - timedelta(days=6))
    assert engagement.last_engaged(group.id).kind == "feedback"

    sign_in_as("viewer")
    page = client.page(f"/staff/groups/{group.id}")
    row = next(r for r in page.select(".govuk-summary-list__row") if "Last engaged" in r.get_text())
    assert row.select_one("dd").get_text(" ", strip=True) == f"{govuk_date(heard.received_at)}, feedback"


# ---- Groups not engaged in twelve months -----------------------------------------------------------------


def test_groups_not_engaged_in_twelve_months(client, sign_in_as):
    def event_for(group, days_ago):
        make_event(groups=[group], starts_at=utc_now() - timedelta(days=days_ago))

    eleven_months = _group("Eleven Months Group")
    event_for(eleven_months, 335)
    thirteen_months = _group("Thirteen Months Group")
    event_for(thirteen_months, 395)
    _group("Never Engaged Group")
    archived = _group("Archived Group")
    set_archived(audit.SYSTEM, archived, True)
    closed = _group("Closed Group", status="closed")
    responded = _group("Responded Group")
    _response(make_consultation(title="Parks"), responded, days_ago=60)
    spoke = _group("Feedback Group")
    make_feedback("Cleaner parks", group=spoke, received_at=utc_now() - timedelta(days=30))
    old_feedback = _group("Old Feedback Group")
    make_feedback("Old news", group=old_feedback, received_at=utc_now() - timedelta(days=500))
    archived_event = _group("Archived Event Group")
    make_event(groups=[archived_event], starts_at=utc_now() - timedelta(days=10), is_archived=True)
    db.session.commit()

    sign_in_as("viewer")
    for linked_from in ("/staff/groups", "/staff/"):
        assert NOT_ENGAGED in [a["href"] for a in client.page(linked_from).select("a")]
    page = client.page(NOT_ENGAGED)
    rows = {cells[0]: cells[-1] for cells in (_texts(tr, "th, td") for tr in page.select("tbody tr"))}
    assert set(rows) == {
        "Thirteen Months Group",
        "Never Engaged Group",
        "Old Feedback Group",
        "Archived Event Group",
    }
    assert rows["Never Engaged Group"] == "Never"
    assert rows["Thirteen Months Group"] == govuk_date(utc_now() - timedelta(days=395))
    for left_out in (eleven_months, archived, closed, responded, spoke):
        assert left_out.name not in rows


def test_the_not_engaged_list_pages_without_a_query_per_group(client, sign_in_as, count_queries):
    for number in range(3):
        make_event(groups=[_group(f"Quiet Group {number}")], starts_at=utc_now() - timedelta(days=500))
    sign_in_as("engagement_officer")
    few = count_queries(NOT_ENGAGED)
    for number in range(3, 12):
        make_event(groups=[_group(f"Quiet Group {number}")], starts_at=utc_now() - timedelta(days=500))
    assert count_queries(NOT_ENGAGED) == few


def test_a_year_ago_handles_the_leap_day():
    assert engagement.a_year_ago(date(2028, 2, 29)) == date(2027, 2, 28)
    assert engagement.a_year_ago(date(2026, 11, 29)) == date(2025, 11, 29)
