from datetime import UTC, datetime, timedelta

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from crm.core.models import Area, AuditEvent, Barrier, Characteristic, Theme
from crm.core.time import UK
from crm.extensions import db
from crm.feedback.models import Feedback
from tests.factories import make_contact, make_event, make_feedback, make_group, make_policy, reference_ids


def _id(model, name):
    return reference_ids(model, name)[0]


def _texts(page):
    return [a.text.strip() for a in page.select("main table tbody td a")]


def _count():
    return db.session.scalar(select(func.count()).select_from(Feedback))


FEEDBACK = {"source": "email", "text": "Please run buses after 9pm", "received_on": ["3", "11", "2026"]}


def test_feedback_by_email_is_recorded_with_its_provenance(client, sign_in_as):
    group = make_group("Walsall Deaf Forum")
    contact = make_contact(group, name="Dee Signer", email="dee@example.org")
    officer = sign_in_as("engagement_officer")
    form = {
        **FEEDBACK,
        "group_name": "walsall deaf forum",
        "contact_email": "DEE@example.org",
        "characteristic_ids": [str(_id(Characteristic, "Disability"))],
        "stance": "oppose",
    }
    response = client.submit("/staff/feedback/new", form)
    item = db.session.scalar(select(Feedback))
    assert response.status_code == 302 and response.location == f"/staff/feedback/{item.id}"
    assert (item.group_id, item.contact_id, item.captured_by_id, item.status) == (
        group.id,
        contact.id,
        officer.id,
        "coded",
    )
    assert item.received_at == datetime(2026, 11, 3, 12, 0, tzinfo=UTC)
    text = client.page(f"/staff/feedback/{item.id}").text
    assert "Walsall Deaf Forum" in text and "dee@example.org" in text


def test_policy_leads_see_feedback_but_not_the_contacts_details(client, sign_in_as):
    group = make_group("Walsall Deaf Forum")
    contact = make_contact(group, name="Dee Signer", email="dee@example.org")
    item = make_feedback(group_id=group.id, contact_id=contact.id)
    sign_in_as("policy_lead")
    body = client.get(f"/staff/feedback/{item.id}").get_data(as_text=True)
    assert "The buses stop too early" in body and "Walsall Deaf Forum" in body
    assert "dee@example.org" not in body and "Dee Signer" not in body


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"text": ""}, "Enter what the person said"),
        ({"text": "x" * 10_001}, "Feedback must be 10000 characters or fewer"),
        ({"source": "response"}, "Not a valid choice"),
        ({"received_on": ["1", "1", "2099"]}, "The date received must be today or in the past"),
        ({"received_on": ["30", "2", "2026"]}, "Date received must be a real date"),
        ({"group_name": "No Such Group"}, "No group called ‘No Such Group’ is on the register"),
        (
            {"contact_email": "nobody@example.org"},
            "There is no contact with this email address on the register",
        ),
    ],
)
def test_bad_feedback_gets_a_message_and_saves_nothing(client, sign_in_as, changes, message):
    sign_in_as("engagement_officer")
    response = client.submit("/staff/feedback/new", {**FEEDBACK, **changes})
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert _count() == 0


def test_a_contact_from_another_group_is_refused(client, sign_in_as):
    make_group("First Group")
    contact = make_contact(make_group("Second Group"), email="other@example.org")
    sign_in_as("engagement_officer")
    response = client.submit(
        "/staff/feedback/new", {**FEEDBACK, "group_name": "First Group", "contact_email": contact.email}
    )
    assert "not one of the group’s contacts" in response.get_data(as_text=True) and _count() == 0


def test_inbox_filters_reach_every_channel(client, sign_in_as):
    walsall = make_group("Walsall Group", areas=("Walsall",))
    policy = make_policy()
    event = make_event("Dudley drop-in", area="Dudley", policy_ids=[policy.id])
    make_feedback(
        "From the event",
        source="event",
        event_id=event.id,
        characteristic_ids=[_id(Characteristic, "Age")],
        theme_ids=[_id(Theme, "Housing")],
    )
    make_feedback(
        "From a letter",
        source="letter",
        group_id=walsall.id,
        barrier_ids=[_id(Barrier, "Cost")],
        stance="support",
    )
    make_feedback(
        "About the policy directly",
        source="phone",
        policy_ids=[policy.id],
        received_at=datetime.now(UTC) - timedelta(days=60),
    )
    sign_in_as("viewer")
    assert _texts(client.page("/staff/feedback?source=letter")) == ["From a letter"]
    assert _texts(client.page(f"/staff/feedback?event={event.id}")) == ["From the event"]
    assert set(_texts(client.page(f"/staff/feedback?policy={policy.id}"))) == {
        "From the event",
        "About the policy directly",
    }
    assert _texts(client.page(f"/staff/feedback?group={walsall.id}")) == ["From a letter"]
    assert _texts(client.page(f"/staff/feedback?area={_id(Area, 'Dudley')}")) == ["From the event"]
    assert _texts(client.page(f"/staff/feedback?area={_id(Area, 'Walsall')}")) == ["From a letter"]
    assert _texts(client.page(f"/staff/feedback?characteristic={_id(Characteristic, 'Age')}")) == [
        "From the event"
    ]
    assert _texts(client.page(f"/staff/feedback?theme={_id(Theme, 'Housing')}")) == ["From the event"]
    assert _texts(client.page(f"/staff/feedback?barrier={_id(Barrier, 'Cost')}")) == ["From a letter"]
    assert _texts(client.page("/staff/feedback?stance=support")) == ["From a letter"]
    assert _texts(client.page("/staff/feedback?coded=no")) == ["About the policy directly"]
    # The filter's days are UK days: late in the evening, 60 days back may already be the next day there.
    old = (datetime.now(UTC) - timedelta(days=60)).astimezone(UK).date().isoformat()
    assert _texts(client.page(f"/staff/feedback?from={old}&to={old}")) == ["About the policy directly"]


def test_full_text_search_matches_words_in_any_form_and_order(client, sign_in_as):
    make_feedback("The buses stop running before my evening shift ends")
    make_feedback("Childcare costs too much")
    sign_in_as("viewer")
    assert _texts(client.page("/staff/feedback?q=shifts+run")) == [
        "The buses stop running before my evening shift ends"
    ]
    assert _texts(client.page("/staff/feedback?q=childcare")) == ["Childcare costs too much"]
    assert _texts(client.page("/staff/feedback?q=tram")) == []


@pytest.mark.parametrize("query", ['NEAR("bus', "bus OR", "*", '"', "-bus", "bus:shift", "%_", "ünïcode ✓"])
def test_search_syntax_in_the_box_is_never_an_error(client, sign_in_as, query):
    make_feedback("bus shift")
    sign_in_as("viewer")
    assert client.get("/staff/feedback", query_string={"q": query}).status_code == 200


def test_inbox_issues_the_same_number_of_queries_whatever_the_page_size(client, sign_in_as, count_queries):
    group = make_group("Busy Group")
    event = make_event()
    for number in range(30):
        make_feedback(
            f"Item {number}",
            group_id=group.id,
            event_id=event.id,
            characteristic_ids=[_id(Characteristic, "Race")],
            theme_ids=[_id(Theme, "Housing")],
        )
    sign_in_as("viewer")

    # Neither page is the last, so both count the total (a last page knows it without counting).
    assert count_queries("/staff/feedback?per_page=5") == count_queries("/staff/feedback?per_page=20")


def _code(client, data, page="/staff/feedback"):
    return client.submit("/staff/feedback/code", data, form_page=page)


def test_bulk_coding_of_ticked_items_and_removing_codes(client, sign_in_as):
    items = [make_feedback(f"Item {n}") for n in range(3)]
    sign_in_as("engagement_officer")
    housing = str(_id(Theme, "Housing"))
    response = _code(
        client,
        {
            "action": "add",
            "kind": "theme",
            "theme": housing,
            "scope": "selected",
            "feedback_id": [str(items[0].id), str(items[1].id)],
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    coded = {i.id: (i.status, [t.name for t in i.themes]) for i in db.session.scalars(select(Feedback))}
    assert coded == {
        items[0].id: ("coded", ["Housing"]),
        items[1].id: ("coded", ["Housing"]),
        items[2].id: ("new", []),
    }
    audited = db.session.scalars(
        select(AuditEvent.entity_id).where(AuditEvent.action == "feedback.coded")
    ).all()
    assert sorted(audited) == sorted([str(items[0].id), str(items[1].id)])
    _code(
        client,
        {
            "action": "remove",
            "kind": "theme",
            "theme": housing,
            "scope": "selected",
            "feedback_id": [str(items[0].id)],
        },
    )
    db.session.expire_all()
    assert db.session.get(Feedback, items[0].id).status == "new"
    _code(
        client,
        {
            "action": "add",
            "kind": "stance",
            "stance": "mixed",
            "scope": "selected",
            "feedback_id": [str(items[2].id)],
        },
    )
    db.session.expire_all()
    assert (db.session.get(Feedback, items[2].id).stance, db.session.get(Feedback, items[2].id).status) == (
        "mixed",
        "coded",
    )


def test_coding_every_item_matching_the_filter_asks_to_confirm_the_count(client, sign_in_as):
    for number in range(4):
        make_feedback(f"Bus item {number}", source="phone")
    make_feedback("Letter item", source="letter")
    sign_in_as("engagement_officer")
    data = {
        "action": "add",
        "kind": "characteristic",
        "characteristic": str(_id(Characteristic, "Sex")),
        "scope": "matching",
        "filters_query": "source=phone",
    }
    page = _code(client, data, page="/staff/feedback?source=phone")
    assert page.status_code == 200 and "on 4 items?" in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).where(Feedback.status == "coded")) == 0
    _code(client, {**data, "confirmed": "4"})
    coded = db.session.scalars(select(Feedback.text).where(Feedback.status == "coded")).all()
    assert sorted(coded) == [f"Bus item {n}" for n in range(4)]


def test_a_stale_confirmation_count_asks_again(client, sign_in_as):
    make_feedback("One", source="phone")
    sign_in_as("engagement_officer")
    data = {
        "action": "add",
        "kind": "stance",
        "stance": "support",
        "scope": "matching",
        "filters_query": "source=phone",
        "confirmed": "7",
    }
    assert "on 1 item?" in _code(client, data).get_data(as_text=True)
    assert db.session.scalar(select(Feedback.stance)) is None


def test_a_bulk_action_on_no_items_or_an_unknown_code_is_refused(client, sign_in_as):
    item = make_feedback("Lonely item")
    sign_in_as("engagement_officer")
    response = _code(
        client, {"action": "add", "kind": "theme", "theme": str(_id(Theme, "Housing")), "scope": "selected"}
    )
    assert response.status_code == 302
    assert "Select at least one feedback item" in client.page("/staff/feedback").text
    _code(
        client,
        {
            "action": "add",
            "kind": "theme",
            "theme": "999999",
            "scope": "selected",
            "feedback_id": [str(item.id)],
        },
    )
    assert "Select a theme shown on the list" in client.page("/staff/feedback").text
    _code(client, {"action": "add", "kind": "planets", "scope": "selected", "feedback_id": [str(item.id)]})
    db.session.expire_all()
    assert db.session.get(Feedback, item.id).status == "new"


def test_one_item_is_coded_from_its_own_page(client, sign_in_as):
    item = make_feedback("Solo")
    sign_in_as("engagement_officer")
    url = f"/staff/feedback/{item.id}"
    response = client.submit(
        "/staff/feedback/code",
        {
            "action": "add",
            "kind": "barrier",
            "scope": "selected",
            "barrier": str(_id(Barrier, "Language")),
            "feedback_id": str(item.id),
            "next": url,
        },
        form_page=url,
    )
    assert response.location == url
    assert "Language" in client.page(url).select(".govuk-summary-list")[1].text


def test_themes_are_added_renamed_and_merged_with_their_items(client, sign_in_as):
    housing, safety = _id(Theme, "Housing"), _id(Theme, "Safety")
    both = make_feedback("Both", theme_ids=[housing, safety])
    only_safety = make_feedback("Only safety", theme_ids=[safety])
    sign_in_as("engagement_officer")
    client.submit("/staff/feedback/themes", {"name": "Night-time economy"})
    assert "Night-time economy" in client.page("/staff/feedback/themes").text
    text = client.submit(
        "/staff/feedback/themes/merge",
        {"survivor_id": str(housing), "duplicate_id": str(housing)},
        form_page="/staff/feedback/themes",
    ).get_data(as_text=True)
    assert "Choose a different theme to merge into this one" in text
    response = client.submit(
        "/staff/feedback/themes/merge",
        {"survivor_id": str(housing), "duplicate_id": str(safety)},
        form_page="/staff/feedback/themes",
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert [t.name for t in db.session.get(Feedback, both.id).themes] == ["Housing"]
    assert [t.name for t in db.session.get(Feedback, only_safety.id).themes] == ["Housing"]
    assert db.session.get(Theme, safety).is_retired
    assert {"theme.merged_into", "theme.merged_from"} <= set(db.session.scalars(select(AuditEvent.action)))


def test_a_refused_theme_merge_is_summarised_at_the_top_of_the_page(client, sign_in_as):
    # The merge form's errors were shown only next to its fields: no error summary, no "Error: " title.
    sign_in_as("engagement_officer")
    response = client.submit(
        "/staff/feedback/themes/merge",
        {"survivor_id": "²", "duplicate_id": "0"},
        form_page="/staff/feedback/themes",
    )
    assert response.status_code == 200
    page = BeautifulSoup(response.get_data(as_text=True), "html5lib")
    assert page.title.text.startswith("Error: ")
    assert page.select(".govuk-error-summary a[href='#survivor_id']")


def test_excluded_feedback_stays_out_of_the_inbox(client, sign_in_as):
    item = make_feedback("Spammy")
    item.status = "excluded"
    db.session.commit()
    sign_in_as("viewer")
    assert _texts(client.page("/staff/feedback")) == []


def test_coding_ignores_ids_that_are_not_plain_whole_numbers(client, sign_in_as):
    item = make_feedback("Item to code")
    sign_in_as("engagement_officer")
    housing = str(_id(Theme, "Housing"))
    # "²" passes str.isdigit() yet int() refuses it; 2**40 is past any id the database holds.
    response = _code(
        client,
        {
            "scope": "selected",
            "feedback_id": ["²", str(2**40), str(item.id)],
            "action": "add",
            "kind": "theme",
            "value_theme": housing,
        },
    )
    assert response.status_code < 500
    for value in ("²", str(2**40)):
        response = _code(
            client,
            {
                "scope": "selected",
                "feedback_id": [str(item.id)],
                "action": "add",
                "kind": "theme",
                "value_theme": value,
            },
        )
        assert response.status_code < 500


def test_the_inbox_filters_by_event_and_group_with_visible_controls(client, sign_in_as):
    fair = make_event("Fictional jobs fair")
    make_event("Fictional library drop-in")
    forum = make_group("Fictional Bloxwich Deaf Forum")
    make_feedback("Heard at the fair", event_id=fair.id)
    make_feedback("From the forum", group_id=forum.id)
    make_feedback("Neither")
    sign_in_as("viewer")
    page = client.page("/staff/feedback")
    events = [option.text for option in page.select("#filter-event option")]
    assert "Fictional jobs fair" in " ".join(events) and "Fictional library drop-in" in " ".join(events)
    assert page.select_one("#group_name") is not None
    assert _texts(client.page(f"/staff/feedback?event={fair.id}")) == ["Heard at the fair"]
    assert _texts(client.page("/staff/feedback?group_name=deaf+forum")) == ["From the forum"]
    chosen = client.page(f"/staff/feedback?group={forum.id}")
    assert _texts(chosen) == ["From the forum"]
    assert chosen.select_one("#filter-group option[selected]").text == "Fictional Bloxwich Deaf Forum"
    assert "1 item matches these filters" in chosen.text
