"""Pickers on every staff form that names a consultation, an event or policies (issue 13): a name on the
register is taken whatever its case; anything else comes back with the form, nothing typed lost, and an error
next to the field with "Did you mean …?"; policies already linked are ticked checkboxes beside an "Add a
policy" picker."""

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from crm.core.time import govuk_date
from crm.engagement.models import EngagementEvent
from crm.extensions import db
from tests.consultation_factories import make_consultation
from tests.policy_factories import make_policy
from tests.web.test_events import EVENT


def _tree(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html5lib")


def _event() -> EngagementEvent | None:
    db.session.expire_all()
    return db.session.scalar(select(EngagementEvent))


def test_an_event_links_a_consultation_and_a_policy_named_in_any_case(client, sign_in_as):
    consultation = make_consultation(title="Night buses survey")
    policy = make_policy("BUS-9", "Night buses")
    sign_in_as("engagement_officer")
    new = client.page("/staff/events/new")
    assert new.select_one("[data-picker='/staff/pick/consultations'] #consultation_name")
    assert new.select_one("[data-picker='/staff/pick/policies'] #add_policy")
    assert not new.select("input[name=policy_ids]")  # a new event has nothing to untick
    form = {**EVENT, "consultation_name": "NIGHT buses SURVEY", "add_policy": "bus-9 night BUSES"}
    assert client.submit("/staff/events/new", form).status_code == 302
    event = _event()
    assert event.consultation_id == consultation.id and [p.id for p in event.policies] == [policy.id]


@pytest.mark.parametrize("typed", ["bus-9", "night buses", "BUS-9 Night buses"])
def test_a_policy_is_found_by_reference_title_or_both(client, sign_in_as, typed):
    policy = make_policy("BUS-9", "Night buses")
    sign_in_as("engagement_officer")
    assert client.submit("/staff/events/new", {**EVENT, "add_policy": typed}).status_code == 302
    assert [p.id for p in _event().policies] == [policy.id]


def test_unknown_names_come_back_with_suggestions_and_nothing_typed_is_lost(client, sign_in_as):
    consultation = make_consultation(title="Night buses survey")
    policy = make_policy("BUS-9", "Evening bus network")
    sign_in_as("engagement_officer")
    typed = {**EVENT, "consultation_name": "Nihgt buses survey", "add_policy": "Evening bus netwrk"}
    response = client.submit("/staff/events/new", typed)
    page = _tree(response)
    assert response.status_code == 200 and _event() is None
    error = page.select_one("#consultation_name-error").text
    assert "No consultation called ‘Nihgt buses survey’ is on the register. Did you mean" in error
    error = page.select_one("#add_policy-error").text
    assert "No policy called ‘Evening bus netwrk’ is on the register. Did you mean" in error
    assert [r["value"] for r in page.select("input[name='consultation_name-suggestion']")] == [
        "Night buses survey",
        "",
    ]
    assert [r["value"] for r in page.select("input[name='add_policy-suggestion']")] == [
        "BUS-9 Evening bus network",
        "",
    ]
    assert page.select_one("#consultation_name")["value"] == "Nihgt buses survey"
    assert page.select_one("#add_policy")["value"] == "Evening bus netwrk"
    assert page.select_one("#title")["value"] == EVENT["title"] and page.select_one("#venue")["value"]
    chosen = {
        **typed,
        "consultation_name-suggestion": "Night buses survey",
        "add_policy-suggestion": "BUS-9 Evening bus network",
    }
    assert client.submit("/staff/events/new", chosen).status_code == 302
    event = _event()
    assert event.consultation_id == consultation.id and [p.id for p in event.policies] == [policy.id]


def test_a_name_nothing_like_any_says_so_without_suggestions(client, sign_in_as):
    make_consultation(title="Night buses survey")
    sign_in_as("engagement_officer")
    response = client.submit("/staff/events/new", {**EVENT, "consultation_name": "Library hours"})
    text = _tree(response).select_one("#consultation_name-error").text
    assert "No consultation called ‘Library hours’ is on the register" in text and "Did you mean" not in text
    assert _event() is None


def test_a_chosen_suggestion_is_kept_when_another_field_fails(client, sign_in_as):
    make_consultation(title="Night buses survey")
    sign_in_as("engagement_officer")
    response = client.submit(
        "/staff/events/new",
        {
            **EVENT,
            "title": "",
            "consultation_name": "Nihgt",
            "consultation_name-suggestion": "Night buses survey",
        },
    )
    assert response.status_code == 200 and _event() is None
    assert _tree(response).select_one("#consultation_name")["value"] == "Night buses survey"


def test_a_retired_policy_is_not_linked_again_but_stays_until_unticked(client, sign_in_as):
    from crm.policies.models import Policy

    kept = make_policy("OLD-1", "Old scheme")
    make_policy("OLD-2", "Older scheme", status="retired")
    current = make_policy("NEW-1", "New scheme")
    sign_in_as("engagement_officer")
    assert client.submit("/staff/events/new", {**EVENT, "add_policy": "OLD-1"}).status_code == 302
    event = _event()
    db.session.get(Policy, kept.id).status = "retired"
    db.session.commit()
    url = f"/staff/events/{event.id}/edit"
    edit = client.page(url)
    assert [(box["value"], box.has_attr("checked")) for box in edit.select("input[name=policy_ids]")] == [
        (str(kept.id), True)
    ]
    assert "OLD-1 Old scheme (retired)" in edit.text
    response = client.submit(url, {**EVENT, "policy_ids": [str(kept.id)], "add_policy": "older scheme"})
    assert response.status_code == 200
    assert (
        "The policy ‘older scheme’ is retired and takes no new evidence. Choose a current policy"
        in _tree(response).select_one("#add_policy-error").text
    )
    # kept while ticked, with another added; unticked, it goes
    client.submit(url, {**EVENT, "policy_ids": [str(kept.id)], "add_policy": "NEW-1"})
    assert {p.id for p in _event().policies} == {kept.id, current.id}
    client.submit(url, {**EVENT, "policy_ids": [str(current.id)]})
    assert [p.id for p in _event().policies] == [current.id]
    # a policy not linked cannot be ticked into it
    refused = client.submit(url, {**EVENT, "policy_ids": [str(current.id), str(kept.id)]})
    assert "not a valid choice" in refused.get_data(as_text=True).lower()


def test_editing_an_event_shows_its_consultation_and_can_clear_it(client, sign_in_as):
    consultation = make_consultation(title="Night buses survey")
    sign_in_as("engagement_officer")
    client.submit("/staff/events/new", {**EVENT, "consultation_name": "Night buses survey"})
    event = _event()
    url = f"/staff/events/{event.id}/edit"
    assert client.page(url).select_one("#consultation_name")["value"] == consultation.title
    assert client.submit(url, {**EVENT, "consultation_name": ""}).status_code == 302
    assert _event().consultation_id is None


def test_the_event_picker_names_an_event_by_its_title_and_day(client, sign_in_as):
    from crm.core.pickers import pick
    from crm.engagement.queries import EVENT_LOOKUP
    from tests.factories import make_event

    first = make_event("Skills Street", days_ago=14)
    second = make_event("Skills Street", days_ago=7)
    only = make_event("Library drop-in")
    sign_in_as("engagement_officer")
    label = f"Skills Street, {govuk_date(second.starts_at)}"
    assert pick(label.upper(), EVENT_LOOKUP).record.id == second.id
    assert pick("library DROP-IN", EVENT_LOOKUP).record.id == only.id  # a title of one event is enough
    assert pick(f"skills street, {govuk_date(first.starts_at)}", EVENT_LOOKUP).record.id == first.id
    # the title alone names two: it asks which, and its suggestions say
    shared = pick("Skills Street", EVENT_LOOKUP)
    assert shared.error == "More than one event is called ‘Skills Street’. Which one?"
    assert shared.record is None and set(shared.suggestions) == {
        f"Skills Street, {govuk_date(first.starts_at)}",
        label,
    }


# ---- Feedback: recorded and corrected -------------------------------------------------------------------

FEEDBACK = {"source": "email", "text": "Please run buses after 9pm", "received_on": ["3", "11", "2026"]}


def _feedback():
    from crm.feedback.models import Feedback

    db.session.expire_all()
    return db.session.scalar(select(Feedback))


def test_recorded_feedback_names_its_consultation_and_a_policy(client, sign_in_as):
    consultation = make_consultation(title="Night buses survey")
    policy = make_policy("BUS-9", "Evening bus network")
    sign_in_as("engagement_officer")
    page = client.page("/staff/feedback/new")
    assert page.select_one("[data-picker='/staff/pick/consultations'] #consultation_name")
    assert page.select_one("[data-picker='/staff/pick/policies'] #add_policy")
    typed = {**FEEDBACK, "consultation_name": "Nihgt buses survey", "add_policy": "Evening bus netwrk"}
    response = client.submit("/staff/feedback/new", typed)
    page = _tree(response)
    assert response.status_code == 200 and _feedback() is None
    assert "Did you mean" in page.select_one("#consultation_name-error").text
    assert "Did you mean" in page.select_one("#add_policy-error").text
    assert page.select_one("#text").text.strip() == FEEDBACK["text"]
    assert page.select_one("#add_policy")["value"] == "Evening bus netwrk"
    response = client.submit(
        "/staff/feedback/new", {**FEEDBACK, "consultation_name": "NIGHT BUSES SURVEY", "add_policy": "bus-9"}
    )
    item = _feedback()
    assert response.status_code == 302
    assert item.consultation_id == consultation.id and [p.id for p in item.policies] == [policy.id]


def test_a_correction_names_an_event_by_title_and_day_and_an_archived_one_gets_its_own_message(
    client, sign_in_as
):
    from crm.core import audit
    from crm.engagement.service import set_archived
    from tests.policy_factories import make_event, make_feedback

    item = make_feedback("Words")
    event = make_event(title="Skills Street")
    old = make_event(title="Old stall")
    set_archived(audit.SYSTEM, old, True)
    db.session.commit()
    sign_in_as("engagement_officer")
    url = f"/staff/feedback/{item.id}/correct"
    page = client.page(url)
    assert page.select_one("[data-picker='/staff/pick/events'] #event_name")
    assert not page.select("input[name=policy_ids]")  # nothing linked to untick
    base = {"text": "Words", "seen": page.select_one("input[name=seen]")["value"], "group_name": ""}
    archived_label = f"Old stall, {govuk_date(old.starts_at)}"
    refused = client.submit(url, {**base, "event_name": archived_label})
    assert f"The event ‘{archived_label}’ is archived" in _tree(refused).select_one("#event_name-error").text
    assert _tree(refused).select_one("#event_name")["value"] == archived_label
    label = f"skills street, {govuk_date(event.starts_at)}"
    assert client.submit(url, {**base, "event_name": label}).status_code == 302
    assert _feedback().event_id == event.id
    # the form shows it as the picker names it
    assert (
        client.page(url).select_one("#event_name")["value"] == f"Skills Street, {govuk_date(event.starts_at)}"
    )


def test_a_correction_keeps_an_event_archived_since_and_its_ticked_policies(client, sign_in_as):
    from crm.core import audit
    from crm.engagement.service import set_archived
    from tests.policy_factories import make_event, make_feedback

    policy = make_policy("BUS-9", "Evening bus network")
    other = make_policy("LIB-1", "Library hours")
    event = make_event(title="Skills Street")
    item = make_feedback("Words", event=event, policies=[policy])
    set_archived(audit.SYSTEM, event, True)
    db.session.commit()
    sign_in_as("engagement_officer")
    url = f"/staff/feedback/{item.id}/correct"
    page = client.page(url)
    label = f"Skills Street, {govuk_date(event.starts_at)}"
    assert page.select_one("#event_name")["value"] == label
    assert [(b["value"], b.has_attr("checked")) for b in page.select("input[name=policy_ids]")] == [
        (str(policy.id), True)
    ]
    data = {
        "text": "New words",
        "seen": page.select_one("input[name=seen]")["value"],
        "event_name": label,
        "group_name": "",
        "consultation_name": "",
        "policy_ids": [str(policy.id)],
        "add_policy": "library hours",
    }
    assert client.submit(url, data).status_code == 302
    item = _feedback()
    assert item.event_id == event.id and {p.id for p in item.policies} == {policy.id, other.id}


# ---- A consultation's policies ---------------------------------------------------------------------------


def test_a_consultation_adds_policies_one_a_save_and_unticks_them(client, sign_in_as):
    from crm.consultations.models import Consultation
    from tests.web.test_consultations_staff import DETAILS

    policy = make_policy("BUS-9", "Evening bus network")
    other = make_policy("LIB-1", "Library hours")
    sign_in_as("engagement_officer")
    new = client.page("/staff/consultations/new")
    assert new.select_one("[data-picker='/staff/pick/policies'] #add_policy")
    assert not new.select("input[name=policy_ids]")
    refused = client.submit("/staff/consultations/new", {**DETAILS, "add_policy": "Evening bus netwrk"})
    page = _tree(refused)
    assert refused.status_code == 200 and db.session.scalar(select(Consultation)) is None
    assert "Did you mean" in page.select_one("#add_policy-error").text
    assert page.select_one("#title")["value"] == DETAILS["title"]
    chosen = {
        **DETAILS,
        "add_policy": "Evening bus netwrk",
        "add_policy-suggestion": "BUS-9 Evening bus network",
    }
    assert client.submit("/staff/consultations/new", chosen).status_code == 302
    consultation = db.session.scalar(select(Consultation))
    url = f"/staff/consultations/{consultation.id}/edit"
    edit = client.page(url)
    assert [b["value"] for b in edit.select("input[name=policy_ids][checked]")] == [str(policy.id)]
    client.submit(url, {**DETAILS, "policy_ids": [str(policy.id)], "add_policy": "lib-1"})
    db.session.expire_all()
    assert {p.id for p in db.session.get(Consultation, consultation.id).policies} == {policy.id, other.id}
    client.submit(url, {**DETAILS, "policy_ids": [str(other.id)]})
    db.session.expire_all()
    assert [p.id for p in db.session.get(Consultation, consultation.id).policies] == [other.id]


# ---- A response keyed in from an event --------------------------------------------------------------------


def _keyed(client, consultation, **changes):
    url = f"/staff/consultations/{consultation.id}/responses/new"
    questions = consultation.questions
    data = {
        "token": client.page(url).select_one("input[name=token]")["value"],
        "channel": "event",
        "respondent_kind": "individual",
        f"q{questions[0].id}": "Said at the stall",
        f"q{questions[1].id}": "2",
    }
    return client.submit(url, {**data, **changes})


def _response():
    from crm.consultations.models import Response

    db.session.expire_all()
    return db.session.scalar(select(Response))


def test_a_response_collected_at_an_event_names_it_and_so_does_its_feedback(client, sign_in_as):
    from crm.feedback.models import Feedback
    from tests.policy_factories import make_event

    consultation = make_consultation()
    event = make_event(title="Skills Street")
    sign_in_as("engagement_officer")
    form = client.page(f"/staff/consultations/{consultation.id}/responses/new")
    assert form.select_one("[data-picker='/staff/pick/events'] #event_name")
    label = f"Skills Street, {govuk_date(event.starts_at)}"
    response = _keyed(client, consultation, event_name=label.upper())
    assert response.status_code == 302
    stored = _response()
    assert stored.event_id == event.id
    assert db.session.scalar(select(Feedback.event_id).where(Feedback.response_id == stored.id)) == event.id
    page = client.page(response.location)
    link = page.select_one(f"a[href='/staff/events/{event.id}']")
    assert link is not None and link.text == label


def test_a_response_collected_at_an_event_must_name_one_on_the_register(client, sign_in_as):
    from tests.policy_factories import make_event

    consultation = make_consultation()
    event = make_event(title="Skills Street")
    sign_in_as("engagement_officer")
    missing = _keyed(client, consultation)
    assert missing.status_code == 200 and _response() is None
    error = _tree(missing).select_one("#event_name-error").text
    assert "Enter the event this response was collected at" in error
    unknown = _keyed(client, consultation, event_name="Skils Street")
    page = _tree(unknown)
    assert unknown.status_code == 200 and _response() is None
    assert "Did you mean" in page.select_one("#event_name-error").text
    assert page.select_one("#event_name")["value"] == "Skils Street"
    assert page.select_one("textarea").text.strip() == "Said at the stall"  # nothing typed is lost
    label = f"Skills Street, {govuk_date(event.starts_at)}"
    suggestions = [r["value"] for r in page.select("input[name='event_name-suggestion']")]
    assert suggestions == [label, ""]
    chosen = _keyed(client, consultation, event_name="Skils Street", **{"event_name-suggestion": label})
    assert chosen.status_code == 302 and _response().event_id == event.id


def test_an_event_named_with_another_channel_is_ignored(client, sign_in_as):
    from tests.policy_factories import make_event

    consultation = make_consultation()
    event = make_event(title="Skills Street")
    sign_in_as("engagement_officer")
    label = f"Skills Street, {govuk_date(event.starts_at)}"
    assert _keyed(client, consultation, channel="paper", event_name=label).status_code == 302
    assert _response().event_id is None
    assert (
        "Collected at"
        not in client.page(f"/staff/consultations/{consultation.id}/responses/{_response().id}").text
    )


def test_deleting_an_event_leaves_its_responses_without_it(client, sign_in_as):
    from sqlalchemy import delete

    from crm.feedback.models import Feedback
    from tests.policy_factories import make_event

    consultation = make_consultation()
    event = make_event(title="Skills Street")
    sign_in_as("engagement_officer")
    _keyed(client, consultation, event_name=f"Skills Street, {govuk_date(event.starts_at)}")
    db.session.execute(delete(Feedback))  # feedback's own link to the event has no rule for this
    db.session.execute(delete(EngagementEvent).where(EngagementEvent.id == event.id))
    db.session.commit()
    assert _response().event_id is None
