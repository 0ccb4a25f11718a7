"""Correcting feedback: edit the words (the first ones kept, the change on record), re-link it, exclude it
with a reason, mark it a duplicate, and count it again. Excluded and duplicate items count nowhere."""

from sqlalchemy import select

from crm.core.models import AuditEvent
from crm.core.time import govuk_date
from crm.extensions import db
from crm.feedback.models import Feedback
from tests.consultation_factories import make_consultation
from tests.factories import make_group
from tests.policy_factories import make_event, make_feedback, make_policy


def _item(item_id) -> Feedback:
    db.session.expire_all()
    return db.session.get(Feedback, item_id)


def _correct(client, item, **changes):
    url = f"/staff/feedback/{item.id}/correct"
    page = client.page(url)
    data = {
        "text": page.select_one("#text").text,
        "seen": page.select_one("input[name=seen]")["value"],
        "consultation_name": "",
        "event_name": "",
        "group_name": "",
    }
    data.update(changes)
    return client.submit(url, data)


def test_an_officer_corrects_the_words_and_the_links_and_the_first_words_are_kept(client, sign_in_as):
    policy = make_policy("BUS-9", "Night buses")
    item = make_feedback("The 51 bus stops too erly")
    consultation = make_consultation(title="Night buses survey")
    event = make_event([], title="Fictional bus station stall")
    group = make_group("Fictional Tipton Tenants")
    sign_in_as("engagement_officer")
    response = _correct(
        client,
        item,
        text="The 51 bus stops too early",
        consultation_name="night buses survey",
        event_name=f"Fictional bus station stall, {govuk_date(event.starts_at)}",
        group_name="fictional tipton tenants",
        add_policy="bus-9",
    )
    assert response.status_code == 302
    item = _item(item.id)
    assert item.text == "The 51 bus stops too early" and item.original_text == "The 51 bus stops too erly"
    assert (item.consultation_id, item.event_id, item.group_id) == (consultation.id, event.id, group.id)
    assert [p.reference for p in item.policies] == ["BUS-9"]
    event_row = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "feedback.corrected"))
    assert set(event_row.changed_fields) == {"text", "consultation_id", "event_id", "group_id", "policies"}
    page = client.page(f"/staff/feedback/{item.id}")
    assert "As first captured" in page.text and "too erly" in page.text
    # in the policy's evidence now
    assert "The 51 bus stops too early" in client.page(f"/staff/policies/{policy.id}/evidence").text


def test_bad_corrections_are_refused_next_to_the_field_and_nothing_typed_is_lost(client, sign_in_as):
    item = make_feedback("Original words")
    retired = make_policy("OLD-1", "Retired scheme", status="retired")
    sign_in_as("engagement_officer")
    unknown = _correct(client, item, text="New words", group_name="No Such Group Anywhere")
    body = unknown.get_data(as_text=True)
    assert (
        unknown.status_code == 200 and "No group called ‘No Such Group Anywhere’ is on the register" in body
    )
    assert "New words" in body  # kept in the box
    retired_choice = _correct(client, item, text="New words", policy_ids=[str(retired.id)])
    assert "is not a valid choice" in retired_choice.get_data(as_text=True).lower()
    retired_named = _correct(client, item, text="New words", add_policy="OLD-1")
    assert "The policy ‘OLD-1’ is retired and takes no new evidence" in retired_named.get_data(as_text=True)
    assert _item(item.id).text == "Original words"


def test_a_stale_edit_is_refused_and_then_applies_to_the_new_version(client, sign_in_as):
    item = make_feedback("Before anyone edited")
    sign_in_as("engagement_officer")
    url = f"/staff/feedback/{item.id}/correct"
    page = client.page(url)
    opened = page.select_one("input[name=seen]")["value"]
    assert _correct(client, item, text="Someone else's edit").status_code == 302
    data = {"text": "My edit", "seen": opened, "consultation_name": "", "event_name": "", "group_name": ""}
    refused = client.submit(url, data)
    body = refused.get_data(as_text=True)
    assert refused.status_code == 200 and "Someone changed this feedback after you opened it" in body
    assert "My edit" in body and _item(item.id).text == "Someone else's edit"


def test_exclude_with_a_reason_then_count_it_again(client, sign_in_as):
    policy = make_policy()
    item = make_feedback("Buy cheap watches", policies=[policy])
    sign_in_as("engagement_officer")
    url = f"/staff/feedback/{item.id}"
    refused = client.submit(f"{url}/exclude", {}, form_page=url)
    assert "Select why this feedback should not count" in refused.get_data(as_text=True)
    response = client.submit(
        f"{url}/exclude", {"exclusion-reason": "spam", "exclusion-note": "An advert"}, form_page=url
    )
    assert response.status_code == 302
    item = _item(item.id)
    assert (item.status, item.exclusion_reason, item.exclusion_note) == ("excluded", "spam", "An advert")
    assert "Buy cheap watches" not in client.page(f"/staff/policies/{policy.id}/evidence").text
    assert "Buy cheap watches" not in client.page("/staff/feedback").text
    assert "This feedback counts nowhere: spam. An advert" in client.page(url).text
    assert client.submit(f"{url}/reinstate", {}, form_page=url).status_code == 302
    assert _item(item.id).status == "new" and _item(item.id).exclusion_reason is None
    assert "Buy cheap watches" in client.page(f"/staff/policies/{policy.id}/evidence").text


def test_duplicates_point_at_an_item_that_counts_and_never_loop(client, sign_in_as):
    first, second, third = (make_feedback(f"The same complaint, copy {n}") for n in range(3))
    sign_in_as("engagement_officer")

    def mark(item, original):
        url = f"/staff/feedback/{item.id}"
        return client.submit(f"{url}/duplicate", {"duplicate-original": original}, form_page=url)

    assert "cannot be a duplicate of itself" in mark(first, f"FB-{first.id}").get_data(as_text=True)
    assert "Enter the number of a feedback item" in mark(first, "FB-99999999").get_data(as_text=True)
    assert mark(second, f"fb-{first.id}").status_code == 302
    assert (_item(second.id).status, _item(second.id).duplicate_of_id) == ("excluded", first.id)
    looped = mark(first, str(second.id)).get_data(as_text=True)
    assert f"FB-{second.id} is already a duplicate of this item" in looped
    chained = mark(third, str(second.id)).get_data(as_text=True)
    assert f"FB-{second.id} is itself a duplicate of FB-{first.id}: choose that one" in chained
    # the original becomes a duplicate of the third: its own duplicate follows, so no chain forms
    assert mark(first, str(third.id)).status_code == 302
    assert _item(second.id).duplicate_of_id == third.id and _item(first.id).duplicate_of_id == third.id
    assert _item(third.id).status == "new"


def test_feedback_excluded_by_its_response_comes_back_only_with_the_response(client, sign_in_as):
    from crm.consultations import service as consultation_service
    from crm.core import transaction
    from tests.consultation_factories import respond

    consultation = make_consultation()
    response = respond(consultation)
    item = db.session.scalar(select(Feedback).where(Feedback.response_id == response.id))
    with transaction.unit_of_work():
        consultation_service.set_response_status("tester", response, "spam")
    assert (_item(item.id).status, _item(item.id).exclusion_reason) == ("excluded", "response")
    sign_in_as("engagement_officer")
    url = f"/staff/feedback/{item.id}"
    assert "Count it again" not in client.page(url).text
    with transaction.unit_of_work():
        consultation_service.set_response_status(
            "tester", db.session.get(type(response), response.id), "accepted"
        )
    assert _item(item.id).status == "new"


def test_only_officers_and_admins_correct_feedback(client, sign_in_as):
    item = make_feedback("Kept as it is")
    sign_in_as("policy_lead")
    assert client.get(f"/staff/feedback/{item.id}/correct").status_code == 403
    token = client.csrf_token(f"/staff/feedback/{item.id}")
    for action in ("exclude", "duplicate", "reinstate"):
        assert (
            client.post(f"/staff/feedback/{item.id}/{action}", data={"csrf_token": token}).status_code == 403
        )


def test_a_policy_lead_codes_feedback_that_reached_their_own_policies_only(client, sign_in_as, make_user):
    from crm.core.models import Theme

    lead = sign_in_as("policy_lead")
    mine = make_policy("MINE-1", "My policy", owner_id=lead.id)
    make_policy("MINE-2", "My other policy", owner_id=lead.id)  # several owned: one statement for all
    theirs = make_policy("THEIRS-1", "Someone else's", owner_id=make_user(role="policy_lead").id)
    on_mine = make_feedback("About my policy", policies=[mine])
    on_theirs = make_feedback("About their policy", policies=[theirs])
    housing = str(db.session.scalar(select(Theme.id).where(Theme.name == "Housing")))
    coding = {"action": "add", "kind": "theme", "theme": housing, "scope": "selected"}
    page = client.page(f"/staff/feedback/{on_mine.id}")
    assert page.select_one("form[action='/staff/feedback/code']") is not None
    assert "Correct this feedback" not in page.text  # corrections stay with officers
    assert (
        client.page(f"/staff/feedback/{on_theirs.id}").select_one("form[action='/staff/feedback/code']")
        is None
    )
    client.submit(
        "/staff/feedback/code", {**coding, "feedback_id": [str(on_mine.id)]}, form_page="/staff/feedback"
    )
    assert [t.name for t in _item(on_mine.id).themes] == ["Housing"]
    refused = client.submit(
        "/staff/feedback/code",
        {**coding, "feedback_id": [str(on_mine.id), str(on_theirs.id)]},
        form_page="/staff/feedback",
    )
    assert refused.status_code == 302
    assert "You can code only feedback that reached a policy you own" in client.page(refused.location).text
    assert _item(on_theirs.id).themes == []
    event = db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "feedback.coded", AuditEvent.entity_id == str(on_mine.id)
        )
    )
    assert event is not None and event.actor_id == lead.id
