from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from crm.core.models import Area, AuditEvent, Barrier, Characteristic, Theme
from crm.engagement.models import EngagementEvent
from crm.extensions import db
from crm.feedback.models import Feedback
from tests.factories import make_event, make_group, reference_ids


def _id(model, name):
    return str(reference_ids(model, name)[0])


EVENT = {
    "title": "Skills Street at Bloxwich market",
    "kind": "street_outreach",
    "starts_on": ["14", "3", "2026"],
    "starts_time": "10am",
    "ends_time": "1pm",
    "venue": "Bloxwich market",
    "attendance": "40",
    "coproduction_level": "consult",
    "provisions": ["step_free"],
    "notes": "Sunny; busy market day",
}


def _count(model=EngagementEvent):
    return db.session.scalar(select(func.count()).select_from(model))


def test_officer_logs_an_event_with_groups_reach_and_policies(client, sign_in_as):
    make_group("Bloxwich Sight Loss Club")
    sign_in_as("engagement_officer")
    form = {
        **EVENT,
        "area_id": _id(Area, "Walsall"),
        "group_names": "bloxwich sight loss club\n",
        f"reach-{_id(Characteristic, 'Disability')}": "12",
        f"reach-{_id(Characteristic, 'Age')}": "20",
    }
    response = client.submit("/staff/events/new", form)
    event = db.session.scalar(select(EngagementEvent))
    assert response.status_code == 302 and response.location == f"/staff/events/{event.id}"
    assert event.starts_at == datetime(
        2026, 3, 14, 10, 0, tzinfo=UTC
    )  # GMT in March before the clocks change
    assert [g.name for g in event.groups] == ["Bloxwich Sight Loss Club"]
    assert {r.characteristic.name: r.estimated_count for r in event.reach} == {"Disability": 12, "Age": 20}
    page = client.page(f"/staff/events/{event.id}")
    assert "Bloxwich market, Walsall" in page.text and "Disability: 12" in page.text
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.entity_type == "engagement_event"))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": ""}, "Enter a title"),
        ({"kind": ""}, "Select the kind of event"),
        ({"starts_on": ["", "", ""]}, "Enter the date of the event"),
        ({"starts_time": "lunchtime"}, "Enter start time, like 9am"),
        ({"starts_time": "3pm", "ends_time": "1pm"}, "The event must end after it starts"),
        ({"attendance": "-5"}, "Attendance must be between 0 and 100,000"),
        ({"attendance": "5000000"}, "Attendance must be between 0 and 100,000"),
        ({"attendance": "lots"}, "Not a valid integer value"),
        ({"reach-999999": "4"}, "Reach can only be recorded for characteristics on the list"),
        ({"reach-abc": "4"}, "Reach estimates must be whole numbers"),
        ({"group_names": "No Such Group"}, "These groups are not on the register: ‘No Such Group’"),
        ({"title": "x" * 201}, "Title must be 200 characters or fewer"),
    ],
)
def test_bad_event_details_get_a_message_and_save_nothing(client, sign_in_as, changes, message):
    sign_in_as("engagement_officer")
    response = client.submit("/staff/events/new", {**EVENT, **changes})
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert _count() == 0


def test_reach_above_attendance_is_refused(client, sign_in_as):
    sign_in_as("engagement_officer")
    form = {**EVENT, "attendance": "10", f"reach-{_id(Characteristic, 'Race')}": "11"}
    assert "cannot be more than the attendance" in client.submit("/staff/events/new", form).get_data(
        as_text=True
    )
    assert _count() == 0


def test_events_list_filters_and_groups_by_month(client, sign_in_as, make_user):
    group = make_group("Dudley Youth Panel", areas=("Dudley",))
    officer = make_user(role="engagement_officer")
    make_event("Walsall drop-in", kind="drop_in", area="Walsall", days_ago=2)
    make_event(
        "Dudley workshop",
        kind="workshop",
        area="Dudley",
        days_ago=40,
        group_ids=[group.id],
        officer_ids=[officer.id],
        reach={reference_ids(Characteristic, "Age")[0]: 5},
    )
    sign_in_as("viewer")

    def titles(url):
        return [a.text for a in client.page(url).select("main table a")]

    assert set(titles("/staff/events")) == {"Walsall drop-in", "Dudley workshop"}
    assert len(client.page("/staff/events").select(".moj-filter-layout__content h2")) == 2  # two months
    assert titles("/staff/events?kind=workshop") == ["Dudley workshop"]
    assert titles(f"/staff/events?area={_id(Area, 'Walsall')}") == ["Walsall drop-in"]
    assert titles(f"/staff/events?characteristic={_id(Characteristic, 'Age')}") == ["Dudley workshop"]
    assert titles(f"/staff/events?group={group.id}") == ["Dudley workshop"]
    assert titles(f"/staff/events?officer={officer.id}") == ["Dudley workshop"]
    recent = db.session.scalar(select(EngagementEvent).where(EngagementEvent.title == "Walsall drop-in"))
    day = recent.starts_at.date().isoformat()
    assert titles(f"/staff/events?from={day}&to={day}") == ["Walsall drop-in"]
    assert titles("/staff/events?from=not-a-date") != []


def test_edit_and_archive_an_event(client, sign_in_as):
    event = make_event("Old title")
    sign_in_as("engagement_officer")
    url = f"/staff/events/{event.id}/edit"
    assert client.page(url).select_one("#title")["value"] == "Old title"
    client.submit(url, {**EVENT, "title": "New title"})
    db.session.refresh(event)
    assert event.title == "New title"
    client.submit(f"/staff/events/{event.id}/archive", form_page=f"/staff/events/{event.id}")
    assert "New title" not in [a.text for a in client.page("/staff/events").select("main table a")]
    assert "This event is archived" in client.page(f"/staff/events/{event.id}").text


def test_quick_capture_adds_items_one_after_another(client, sign_in_as):
    group = make_group("Walsall Deaf Forum")
    event = make_event(group_ids=[group.id])
    sign_in_as("engagement_officer")
    url = f"/staff/events/{event.id}"
    for number in range(5):
        response = client.submit(f"{url}/feedback", {"text": f"Note number {number}"}, form_page=url)
        assert response.status_code == 302 and response.location.endswith("#text")
    coded = {
        "text": "Needs BSL at the job fair",
        "characteristic_ids": [_id(Characteristic, "Disability")],
        "group_id": str(group.id),
        "theme_ids": [_id(Theme, "Jobs and skills"), _id(Theme, "Transport and travel")],
        "barrier_ids": [_id(Barrier, "Language")],
        "stance": "oppose",
    }
    client.submit(f"{url}/feedback", coded, form_page=url)
    items = db.session.scalars(
        select(Feedback).where(Feedback.event_id == event.id).order_by(Feedback.id)
    ).all()
    assert len(items) == 6 and all(i.source == "event" for i in items)
    assert items[-1].status == "coded" and items[-1].group_id == group.id
    assert [c.name for c in items[-1].characteristics] == ["Disability"] and items[0].status == "new"
    # everything in one submission: themes, barriers, stance and group
    assert sorted(t.name for t in items[-1].themes) == ["Jobs and skills", "Transport and travel"]
    assert [b.name for b in items[-1].barriers] == ["Language"]
    assert items[-1].stance == "oppose"
    page = client.page(f"{url}?captured=1")
    assert "Feedback from this event (6)" in page.text
    assert page.select_one("#text").has_attr("autofocus")


def test_quick_capture_refuses_empty_text_and_unknown_choices(client, sign_in_as):
    event = make_event()
    sign_in_as("engagement_officer")
    url = f"/staff/events/{event.id}"
    response = client.submit(f"{url}/feedback", {"text": "   "}, form_page=url)
    assert "Enter what the person said" in response.get_data(as_text=True)
    for bad in ({"theme_ids": "999999"}, {"barrier_ids": "999999"}, {"stance": "furious"}):
        response = client.submit(f"{url}/feedback", {"text": "ok", **bad}, form_page=url)
        assert "not a valid choice" in response.get_data(as_text=True).lower(), bad
        assert 'value="ok"' in response.get_data(as_text=True) or ">ok</textarea>" in response.get_data(
            as_text=True
        )  # nothing typed is lost
    assert _count(Feedback) == 0


def test_feedback_captured_at_an_event_reaches_its_policies(client, sign_in_as):
    from tests.factories import make_policy

    policy = make_policy()
    event = make_event(policy_ids=[policy.id])
    sign_in_as("engagement_officer")
    client.submit(
        f"/staff/events/{event.id}/feedback",
        {"text": "About the policy"},
        form_page=f"/staff/events/{event.id}",
    )
    assert [p.id for p in db.session.scalar(select(Feedback)).policies] == [policy.id]


def test_group_page_shows_its_events_and_feedback(client, sign_in_as):
    from tests.factories import make_feedback

    group = make_group("Tipton Carers")
    make_event("Carers' cafe", group_ids=[group.id])
    make_feedback("Respite is hard to find", group_id=group.id)
    sign_in_as("policy_lead")
    text = client.page(f"/staff/groups/{group.id}").text
    assert "Carers' cafe" in text and "Respite is hard to find" in text


def test_the_officer_filter_offers_every_active_officer(client, sign_in_as, make_user):
    make_user(role="engagement_officer", name="Fola Fieldworker")
    sign_in_as("viewer")
    options = [option.text for option in client.page("/staff/events").select("#officer option")]
    assert "Any officer" in options and "Fola Fieldworker" in options


def test_the_event_form_offers_engagement_officers_and_admins_as_officers(client, sign_in_as, make_user):
    make_user(role="engagement_officer", name="Fola Fieldworker")
    lead = make_user(role="policy_lead", name="Pat Policy")
    sign_in_as("engagement_officer")
    options = {
        box.find_next("label").text.strip()
        for box in client.page("/staff/events/new").select("input[name=officer_ids]")
    }
    assert "Fola Fieldworker" in options and "Pat Policy" not in options
    event = make_event("Drop-in at the library")
    event.officers.append(lead)  # named before their role changed: editing the event keeps them
    db.session.commit()
    page = client.page(f"/staff/events/{event.id}/edit")
    assert "Pat Policy" in {
        box.find_next("label").text.strip() for box in page.select("input[name=officer_ids]")
    }
