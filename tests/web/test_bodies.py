"""Standing bodies: setting one up, members and their terms, recommendations, the owner's formal response
within the deadline, overdue listings, the public register and where accepted recommendations show."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from crm.bodies import service
from crm.bodies.models import Membership, Recommendation, RecommendationResponse, StandingBody
from crm.core import audit
from crm.core.models import AuditEvent
from crm.extensions import db
from tests.factories import make_contact, make_group, make_user
from tests.policy_factories import make_event, make_policy

BODIES = "/staff/bodies"
RECOMMENDATIONS = "/staff/bodies/recommendations"


def _day(value: date, prefix: str) -> dict:
    return {prefix: [str(value.day), str(value.month), str(value.year)]}


def _body(name="Young Combined Authority", slug="young-combined-authority", public=True, weeks=8, **values):
    body = service.create_body(
        audit.SYSTEM,
        name=name,
        slug=slug,
        kind=values.pop("kind", "youth_assembly"),
        remit=values.pop("remit", "Young people's voice on the authority's policies"),
        response_weeks=weeks,
        has_public_register=public,
        **values,
    )
    db.session.commit()
    return body


def _recommendation(
    body=None, owner=None, made_on=None, policies=(), title="Free travel for care leavers", **values
):
    owner = owner or make_user(role="policy_lead")
    recommendation = service.create_recommendation(
        audit.SYSTEM,
        title=title,
        text=values.pop("text", "Care leavers under 25 should travel free on buses."),
        body_id=body.id if body else None,
        made_on=made_on or date.today(),
        owner_id=owner.id,
        policy_ids=[policy.id for policy in policies],
        **values,
    )
    db.session.commit()
    return recommendation


def _errors(response) -> str:
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and "There is a problem" in text, response.status_code
    return text


# ---- Bodies ------------------------------------------------------------------------------------------------


def test_an_officer_sets_up_a_body_with_the_policies_referred_to_it(client, sign_in_as):
    sign_in_as("engagement_officer")
    policy = make_policy(reference="BUS-1", title="Young persons' fares")
    response = client.submit(
        f"{BODIES}/new",
        {
            "name": "Young Combined Authority",
            "slug": "young-combined-authority",
            "kind": "youth_assembly",
            "remit": "Holds the authority to account on what matters to young people",
            "response_weeks": "6",
            "has_public_register": "y",
            "add_policy": "BUS-1",
        },
    )
    body = db.session.scalar(select(StandingBody))
    assert response.status_code == 302 and response.location == f"{BODIES}/{body.id}"
    assert [p.id for p in body.policies] == [policy.id] and body.response_weeks == 6
    page = client.page(f"{BODIES}/{body.id}")
    assert "BUS-1 Young persons' fares" in page.text and "6 weeks from the day" in page.text
    assert "Young Combined Authority" in client.page(BODIES).text
    assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "body.created"))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "Young Combined Authority", "There is already a body with this name"),
        ("slug", "Not A Slug!", "Web address must be lower-case letters"),
        ("response_weeks", "0", "Weeks to respond must be between 1 and 52"),
        ("response_weeks", "eight", "must be a whole number"),
        ("kind", "parliament", "Not a valid choice"),
        ("add_policy", "NOPE-404", "NOPE-404"),
    ],
)
def test_a_bad_body_is_refused_next_to_its_field(client, sign_in_as, field, value, message):
    _body()
    sign_in_as("engagement_officer")
    data = {
        "name": "Race Equalities Taskforce",
        "slug": "race-equalities",
        "kind": "taskforce",
        "response_weeks": "8",
    }
    data[field] = value
    text = _errors(client.submit(f"{BODIES}/new", data))
    assert message in text
    assert db.session.scalar(select(func.count()).select_from(StandingBody)) == 1


# ---- Members -----------------------------------------------------------------------------------------------


def _member_form(contact_text, starts: date, ends: date | None = None, **values) -> dict:
    data = {"contact": contact_text, "role": values.pop("role", "member"), **_day(starts, "starts_on")}
    if ends:
        data.update(_day(ends, "ends_on"))
    return {**data, **values}


def test_members_are_added_for_a_term_and_a_second_overlapping_term_is_refused(client, sign_in_as):
    body = _body()
    contact = make_contact(make_group("Youth Voice Walsall"), name="Amira Khan", email="amira@example.org")
    sign_in_as("engagement_officer")
    url = f"{BODIES}/{body.id}/members/new"
    start = date(2026, 9, 1)
    response = client.submit(url, _member_form("AMIRA@example.org", start, role="chair"))
    assert response.status_code == 302
    membership = db.session.scalar(select(Membership))
    assert (membership.contact_id, membership.role, membership.ends_on) == (contact.id, "chair", None)
    assert "Amira Khan" in client.page(f"{BODIES}/{body.id}").text
    again = _errors(client.submit(url, _member_form("Amira Khan", date(2027, 1, 1))))
    assert "Amira Khan is already a member of Young Combined Authority for some of that term" in again
    assert db.session.scalar(select(func.count()).select_from(Membership)) == 1


def test_an_earlier_finished_term_does_not_block_a_new_one(client, sign_in_as):
    body = _body()
    make_contact(make_group(), name="Sam Lee", email="sam@example.org")
    sign_in_as("engagement_officer")
    url = f"{BODIES}/{body.id}/members/new"
    assert (
        client.submit(url, _member_form("sam@example.org", date(2024, 1, 1), date(2024, 12, 31))).status_code
        == 302
    )
    assert client.submit(url, _member_form("sam@example.org", date(2025, 1, 1))).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Membership)) == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            _member_form("sam@example.org", date(2026, 5, 1), date(2026, 4, 1)),
            "The term must end on or after",
        ),
        (_member_form("sam@example.org", date(2026, 5, 1), is_under_18="y"), "Say what consent applies"),
        (_member_form("nobody@example.org", date(2026, 5, 1)), "Select a contact from the register"),
        (
            {"contact": "sam@example.org", "role": "member", "starts_on": ["31", "2", "2026"]},
            "Term starts must be a real date",
        ),
    ],
)
def test_bad_members_are_refused_next_to_the_field(client, sign_in_as, data, message):
    body = _body()
    make_contact(make_group(), name="Sam Lee", email="sam@example.org")
    sign_in_as("engagement_officer")
    assert message in _errors(client.submit(f"{BODIES}/{body.id}/members/new", data))
    assert db.session.scalar(select(func.count()).select_from(Membership)) == 0


def test_an_under_18_member_is_added_with_the_consent_that_applies(client, sign_in_as):
    body = _body()
    make_contact(make_group(), name="Jo Young", email="jo@example.org")
    sign_in_as("engagement_officer")
    consent = "Parent gave written consent on 1 September 2026"
    data = _member_form("jo@example.org", date(2026, 9, 1), is_under_18="y", consent=consent)
    assert client.submit(f"{BODIES}/{body.id}/members/new", data).status_code == 302
    assert db.session.scalar(select(Membership.consent)) == consent
    assert "Member (under 18)" in client.page(f"{BODIES}/{body.id}").text


def test_a_term_is_ended_and_an_end_before_its_start_refused(client, sign_in_as):
    body = _body()
    contact = make_contact(make_group(), name="Sam Lee", email="sam@example.org")
    service.add_member(audit.SYSTEM, body, contact.id, "member", date(2026, 1, 1))
    db.session.commit()
    membership = db.session.scalar(select(Membership))
    sign_in_as("engagement_officer")
    url = f"/staff/bodies/members/{membership.id}/end"
    assert "The term must end on or after" in _errors(client.submit(url, _day(date(2025, 12, 1), "ends_on")))
    assert client.submit(url, _day(date(2026, 6, 30), "ends_on")).status_code == 302
    db.session.expire_all()
    assert db.session.get(Membership, membership.id).ends_on == date(2026, 6, 30)


@pytest.mark.parametrize("role", ["policy_lead", "equality_lead", "viewer"])
def test_members_names_are_shown_only_to_those_who_see_personal_data(client, sign_in_as, role):
    body = _body()
    contact = make_contact(make_group(), name="Sam Lee", email="sam@example.org")
    service.add_member(audit.SYSTEM, body, contact.id, "member", date(2026, 1, 1))
    db.session.commit()
    sign_in_as(role)
    page = client.page(f"{BODIES}/{body.id}")
    assert "Sam Lee" not in page.text and "1 current member" in page.text
    assert client.get(f"{BODIES}/{body.id}/members/new").status_code == 403


# ---- Recommendations and responses -------------------------------------------------------------------------


def test_a_recommendation_is_due_within_the_bodys_weeks_and_8_without_a_body(client, sign_in_as):
    body = _body(weeks=6)
    lead = sign_in_as("policy_lead")
    event = make_event(title="Youth assembly meeting")
    made = date(2026, 10, 1)
    data = {
        "title": "Free travel for care leavers",
        "body_id": str(body.id),
        "owner_id": str(lead.id),
        **_day(made, "made_on"),
    }
    assert client.submit(f"{RECOMMENDATIONS}/new", data).status_code == 302
    data = {
        "title": "Quiet hours at drop-ins",
        "event_name": event.title,
        "owner_id": str(lead.id),
        **_day(made, "made_on"),
    }
    assert client.submit(f"{RECOMMENDATIONS}/new", data).status_code == 302
    due = dict(db.session.execute(select(Recommendation.title, Recommendation.response_due_on)).all())
    assert due == {
        "Free travel for care leavers": made + timedelta(weeks=6),
        "Quiet hours at drop-ins": made + timedelta(weeks=8),
    }


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"body_id": ""}, "Select the body, or the event, the recommendation came from"),
        ({"title": ""}, "Enter a short title"),
        ({"owner_id": "0"}, "Select who owns the authority's response"),
        ({"event_name": "No such meeting"}, "No such meeting"),
        ({"made_on": ["1", "13", "2026"]}, "Date made must be a real date"),
    ],
)
def test_a_bad_recommendation_is_refused_next_to_its_field(client, sign_in_as, change, message):
    body = _body()
    lead = sign_in_as("policy_lead")
    data = {
        "title": "Free travel",
        "body_id": str(body.id),
        "owner_id": str(lead.id),
        **_day(date(2026, 10, 1), "made_on"),
    }
    data.update(change)
    assert message in _errors(client.submit(f"{RECOMMENDATIONS}/new", data)).replace("&#39;", "'")
    assert db.session.scalar(select(func.count()).select_from(Recommendation)) == 0


def test_only_the_owner_records_the_response_and_reasons_are_needed_unless_accepted(client, sign_in_as):
    body = _body()
    owner = make_user(role="policy_lead")
    recommendation = _recommendation(body, owner=owner)
    url = f"{RECOMMENDATIONS}/{recommendation.id}/response"
    answer = {"decision": "accepted", **_day(date.today(), "responded_on")}
    sign_in_as("policy_lead")  # another policy lead
    assert "Only the recommendation's owner" in _errors(client.submit(url, answer)).replace("&#39;", "'")
    assert db.session.scalar(select(func.count()).select_from(RecommendationResponse)) == 0
    client.post("/staff/sign-out", data={"csrf_token": client.csrf_token("/staff/")})
    from tests.factories import PASSWORD

    client.submit("/staff/sign-in", {"email": owner.email, "password": PASSWORD})
    refused = _errors(client.submit(url, {**answer, "decision": "not_accepted"}))
    assert "Give the reasons for not accepting the recommendation in full" in refused
    early = _errors(client.submit(url, {**answer, **_day(date.today() - timedelta(days=30), "responded_on")}))
    assert "cannot be dated before the recommendation was made" in early
    assert (
        client.submit(
            url, {**answer, "decision": "accepted_in_part", "reasons": "Under-21s first"}
        ).status_code
        == 302
    )
    response = db.session.scalar(select(RecommendationResponse))
    assert (response.decision, response.reasons, response.published_at) == (
        "accepted_in_part",
        "Under-21s first",
        None,
    )


def test_overdue_responses_are_listed_for_the_owner_and_on_the_staff_home(client, sign_in_as):
    body = _body()
    owner = sign_in_as("policy_lead")
    late = _recommendation(body, owner=owner, made_on=date.today() - timedelta(weeks=9), title="Late one")
    _recommendation(body, owner=owner, made_on=date.today() - timedelta(weeks=7), title="Not due yet")
    _recommendation(body, made_on=date.today() - timedelta(weeks=10), title="Someone else's")
    answered = _recommendation(
        body, owner=owner, made_on=date.today() - timedelta(weeks=12), title="Answered"
    )
    service.record_response(owner, answered, "accepted", "", date.today())
    db.session.commit()
    home = client.page("/staff/")
    section = home.find("h3", string="Overdue responses to recommendations").find_next("ul")
    assert [a.text for a in section.select("a")] == ["Late one"]
    overdue = client.page(f"{RECOMMENDATIONS}?state=overdue")
    titles = [a.text for a in overdue.select("table tbody th a")]
    assert sorted(titles) == ["Late one", "Someone else's"]
    mine = client.page(f"{RECOMMENDATIONS}?state=overdue&owner=me")
    assert [a.text for a in mine.select("table tbody th a")] == ["Late one"]
    assert f"/staff/bodies/recommendations/{late.id}" in str(
        mine.find("h2", string="Your overdue responses").find_next("ul")
    )


def test_the_public_register_shows_every_recommendation_and_only_published_responses(client):
    body = _body()
    owner = make_user(role="policy_lead")
    published = _recommendation(body, owner=owner, title="Published one")
    service.record_response(owner, published, "accepted", "", date.today())
    service.set_published(owner, published, True)
    kept = _recommendation(body, owner=owner, title="Answered, not yet published")
    service.record_response(owner, kept, "not_accepted", "SECRET DRAFT REASONING", date.today())
    _recommendation(body, owner=owner, title="Awaiting an answer")
    db.session.commit()
    page = client.page(f"/bodies/{body.slug}")
    text = page.text
    assert "Published one" in text and "Our response: accepted" in text
    assert "Answered, not yet published" in text and "SECRET DRAFT REASONING" not in text
    assert text.count("Response not yet published") == 2
    assert "3 recommendations, 1 with a published response" in text
    assert body.name in client.page("/bodies").text


def test_a_body_without_a_public_register_has_no_public_page(client):
    body = _body(name="Internal panel", slug="internal-panel", public=False)
    assert client.get(f"/bodies/{body.slug}").status_code == 404
    assert "Internal panel" not in client.page("/bodies").text


def test_a_published_response_cannot_change_until_taken_off_the_register(client, sign_in_as):
    body = _body()
    owner = sign_in_as("policy_lead")
    recommendation = _recommendation(body, owner=owner)
    service.record_response(owner, recommendation, "accepted", "", date.today())
    service.set_published(owner, recommendation, True)
    db.session.commit()
    url = f"{RECOMMENDATIONS}/{recommendation.id}/response"
    answer = {"decision": "not_accepted", "reasons": "Changed our mind", **_day(date.today(), "responded_on")}
    assert "This response has been published" in _errors(client.submit(url, answer))
    page = f"{RECOMMENDATIONS}/{recommendation.id}"
    assert client.submit(f"{page}/publish", {"publish": "no"}, form_page=page).status_code == 302
    assert client.submit(url, answer).status_code == 302
    assert db.session.scalar(select(RecommendationResponse.decision)) == "not_accepted"


def test_an_accepted_recommendation_shows_on_its_policy_and_is_carried_out_with_evidence(client, sign_in_as):
    body = _body()
    owner = sign_in_as("policy_lead")
    policy = make_policy(reference="BUS-7", title="Fares for young people")
    other = make_policy(reference="BUS-8", title="Timetables")
    accepted = _recommendation(body, owner=owner, policies=[policy], title="Free travel for care leavers")
    refused = _recommendation(body, owner=owner, policies=[policy, other], title="Free travel for everyone")
    service.record_response(owner, accepted, "accepted", "", date.today())
    service.record_response(owner, refused, "not_accepted", "Not affordable", date.today())
    db.session.commit()
    page = client.page(f"/staff/policies/{policy.id}")
    section = page.find("h2", id="recommendations").find_next("ul")
    assert [a.text for a in section.select("a")] == ["Free travel for care leavers"]
    assert (
        "Free travel for everyone"
        not in client.page(f"/staff/policies/{other.id}").find("h2", id="recommendations").find_next().text
    )
    url = f"{RECOMMENDATIONS}/{accepted.id}/implementation"
    assert "Say what was done" in _errors(client.submit(url, {"implementation": "done"}))
    assert (
        client.submit(
            url, {"implementation": "done", "evidence": "Fares policy BUS-7 changed on 1 November"}
        ).status_code
        == 302
    )
    assert "Free travel for care leavers" in client.page(f"/staff/policies/{policy.id}").text
    assert (
        ", done"
        in client.page(f"/staff/policies/{policy.id}").find("h2", id="recommendations").find_next("ul").text
    )
    service.set_published(owner, db.session.get(Recommendation, accepted.id), True)
    db.session.commit()
    register = client.page(f"/bodies/{body.slug}").text
    assert "Carrying it out: done" in register and "Fares policy BUS-7 changed on 1 November" in register
    refused_url = f"{RECOMMENDATIONS}/{refused.id}/implementation"
    assert "Only an accepted recommendation" in _errors(
        client.submit(refused_url, {"implementation": "planned"})
    )


@pytest.mark.parametrize(
    "url",
    [f"{BODIES}/new", f"{RECOMMENDATIONS}/new"],
)
def test_viewers_cannot_set_up_bodies_or_record_recommendations(client, sign_in_as, url):
    sign_in_as("viewer")
    assert client.get(url).status_code == 403
    assert client.page(BODIES).find("a", string="Add a body") is None


def test_policy_leads_record_recommendations_but_do_not_set_up_bodies(client, sign_in_as):
    sign_in_as("policy_lead")
    assert client.get(f"{BODIES}/new").status_code == 403
    assert client.get(f"{RECOMMENDATIONS}/new").status_code == 200


def test_an_eia_finding_cites_accepted_recommendations_about_its_policy_only(client, sign_in_as):
    from crm.eias.models import EIAFinding
    from crm.eias.service import start_eia

    body = _body()
    owner = make_user(role="policy_lead")
    policy = make_policy(reference="BUS-7", title="Fares for young people")
    accepted = _recommendation(body, owner=owner, policies=[policy], title="Free travel for care leavers")
    refused = _recommendation(body, owner=owner, policies=[policy], title="Free travel for everyone")
    service.record_response(owner, accepted, "accepted", "", date.today())
    service.record_response(owner, refused, "not_accepted", "Not affordable", date.today())
    lead = sign_in_as("policy_lead")
    policy.owner_id = lead.id
    eia = start_eia(lead, policy)
    db.session.commit()
    finding = db.session.scalars(select(EIAFinding).where(EIAFinding.eia_id == eia.id)).first()
    url = f"/staff/eias/{eia.id}/findings/{finding.id}"
    form = client.page(url)
    offered = [label.text.strip() for label in form.select("input[name=recommendations] + label")]
    assert offered == ["Free travel for care leavers, from Young Combined Authority (accepted)"]
    base = {"direction": "positive", "narrative": "Care leavers told us fares stop them working"}
    refused_post = client.submit(url, {**base, "recommendations": str(refused.id)})
    assert refused_post.status_code == 200 and "not a valid choice" in refused_post.get_data(as_text=True)
    assert client.submit(url, {**base, "recommendations": str(accepted.id)}).status_code == 302
    db.session.expire_all()
    assert [r.id for r in db.session.get(EIAFinding, finding.id).recommendations] == [accepted.id]
    page = client.page(f"/staff/eias/{eia.id}")
    assert (
        "Recommendations accepted (1)" in page.text
        and "Free travel for care leavers, from Young" in page.text
    )
    pack = client.page(f"/staff/policies/{policy.id}/evidence")
    listed = pack.find("h2", id="recommendations").find_next("ul")
    assert [a.text for a in listed.select("a")] == ["Free travel for care leavers"]


def test_a_bodys_meetings_are_events_added_by_name_and_shown_both_ways(client, sign_in_as):
    body = _body()
    event = make_event(title="Youth assembly autumn sitting", kind="commission_meeting")
    sign_in_as("engagement_officer")
    url = f"{BODIES}/{body.id}/meetings/new"
    assert "Enter the name of an event" in _errors(client.submit(url, {"event_name": ""}))
    assert client.submit(url, {"event_name": event.title}).status_code == 302
    assert "is already one of Young Combined Authority" in _errors(
        client.submit(url, {"event_name": event.title})
    )
    assert [m.id for m in db.session.get(StandingBody, body.id).meetings] == [event.id]
    assert "Youth assembly autumn sitting" in client.page(f"{BODIES}/{body.id}").text
    assert "A meeting of Young Combined Authority" in client.page(f"/staff/events/{event.id}").text
