"""Pickers (issue 13): the search endpoints accessible-autocomplete asks, and a form's plain-HTML path, where
a name not on the register comes back with "Did you mean …?" and nothing typed is lost."""

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from crm.core import audit
from crm.core.time import govuk_date
from crm.extensions import db
from crm.feedback.models import Feedback
from crm.groups.service import set_archived
from tests.factories import make_event, make_group, make_policy

FEEDBACK = {"source": "email", "text": "Please run buses after 9pm", "received_on": ["3", "11", "2026"]}


def _names(client, url):
    response = client.get(url)
    assert response.status_code == 200 and "no-store" in response.headers["Cache-Control"]
    return [item["name"] for item in response.get_json()["results"]]


def test_the_group_picker_offers_names_containing_the_text_then_near_matches(client, sign_in_as):
    for name in ["Walsall Deaf Forum", "Deaf Walsall Youth", "The Walsall Deaf Forum Ltd", "Dudley Carers"]:
        make_group(name)
    archived = make_group("Walsall Deaf Forum Archive Copy")
    set_archived(audit.SYSTEM, archived, True)
    db.session.commit()
    sign_in_as("viewer")
    assert _names(client, "/staff/pick/groups?q=walsall") == [
        "Walsall Deaf Forum",
        "Deaf Walsall Youth",
        "The Walsall Deaf Forum Ltd",
    ]
    # a typo in the first word: nothing contains it, the matcher finds it
    found = _names(client, "/staff/pick/groups?q=Wlasall+Deaf+Forum")
    assert set(found) == {"Walsall Deaf Forum", "The Walsall Deaf Forum Ltd"}
    assert _names(client, "/staff/pick/groups?q=w") == []  # two characters at least
    assert _names(client, "/staff/pick/groups?q=%25") == []  # LIKE's wildcards are plain text
    assert _names(client, "/staff/pick/groups?q=Sandwell+Allotments") == []


def test_the_other_pickers_search_their_registers(client, sign_in_as):
    make_policy(title="Evening bus network")
    make_policy(title="Library opening hours")
    event = make_event(title="Bus users drop-in")
    db.session.commit()
    sign_in_as("policy_lead")
    assert [n.split(" ", 1)[1] for n in _names(client, "/staff/pick/policies?q=bus")] == [
        "Evening bus network"
    ]
    assert len(_names(client, "/staff/pick/policies?q=libary+opening+hours")) == 1  # a typo
    # an event is named with its day, as titles repeat: typeahead fills the field with that
    label = f"Bus users drop-in, {govuk_date(event.starts_at)}"
    assert _names(client, "/staff/pick/events?q=drop") == [label]
    assert _names(client, "/staff/pick/consultations?q=nothing+like+it") == []


def test_pickers_need_sign_in(client):
    for kind in ("groups", "policies", "consultations", "events"):
        assert client.get(f"/staff/pick/{kind}?q=abc").status_code == 302


def _tree(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html5lib")


def _count():
    return db.session.scalar(select(func.count()).select_from(Feedback))


def test_a_name_on_the_register_is_taken_whatever_its_case(client, sign_in_as):
    group = make_group("Walsall Deaf Forum")
    sign_in_as("engagement_officer")
    response = client.submit("/staff/feedback/new", {**FEEDBACK, "group_name": "WALSALL deaf forum"})
    assert response.status_code == 302 and db.session.scalar(select(Feedback.group_id)) == group.id


def test_a_near_name_comes_back_with_did_you_mean_and_nothing_typed_is_lost(client, sign_in_as):
    group = make_group("Walsall Deaf Forum")
    sign_in_as("engagement_officer")
    typed = {**FEEDBACK, "group_name": "The Wlasall Deaf Forum Ltd"}
    response = client.submit("/staff/feedback/new", typed)
    page = _tree(response)
    assert response.status_code == 200 and _count() == 0
    error = page.select_one("#group_name-error").text
    assert "No group called ‘The Wlasall Deaf Forum Ltd’ is on the register" in error
    assert "Did you mean" in error
    assert page.select_one("#group_name")["value"] == "The Wlasall Deaf Forum Ltd"
    assert page.select_one("#text").text.strip() == FEEDBACK["text"]
    suggestions = [r["value"] for r in page.select("input[name='group_name-suggestion']")]
    assert suggestions == ["Walsall Deaf Forum", ""]
    # choosing the suggestion saves it
    response = client.submit("/staff/feedback/new", {**typed, "group_name-suggestion": "Walsall Deaf Forum"})
    assert response.status_code == 302 and db.session.scalar(select(Feedback.group_id)) == group.id


def test_a_chosen_suggestion_is_kept_when_another_field_fails(client, sign_in_as):
    make_group("Walsall Deaf Forum")
    sign_in_as("engagement_officer")
    response = client.submit(
        "/staff/feedback/new",
        {**FEEDBACK, "text": "", "group_name": "Walsal", "group_name-suggestion": "Walsall Deaf Forum"},
    )
    assert response.status_code == 200 and _count() == 0
    assert _tree(response).select_one("#group_name")["value"] == "Walsall Deaf Forum"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("Sandwell Allotment Society", "No group called ‘Sandwell Allotment Society’ is on the register"),
        ("Old Tipton Forum", "The group ‘Old Tipton Forum’ is archived. Restore it first, or choose another"),
    ],
)
def test_unknown_and_archived_names_get_a_clear_message(client, sign_in_as, typed, message):
    archived = make_group("Old Tipton Forum")
    set_archived(audit.SYSTEM, archived, True)
    db.session.commit()
    sign_in_as("engagement_officer")
    response = client.submit("/staff/feedback/new", {**FEEDBACK, "group_name": typed})
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and message in text and _count() == 0
    assert "Did you mean" not in text and _tree(response).select_one("#group_name")["value"] == typed


def test_an_events_groups_not_on_the_register_are_named_with_suggestions_and_kept(client, sign_in_as):
    from tests.web.test_events import EVENT

    make_group("Walsall Deaf Forum")
    set_archived(audit.SYSTEM, make_group("Old Tipton Forum"), True)
    db.session.commit()
    sign_in_as("engagement_officer")
    typed = "walsall deaf forum\nWlasall Deaf Forum\nOld Tipton Forum\nSandwell Allotment Society"
    response = client.submit("/staff/events/new", {**EVENT, "group_names": typed})
    assert response.status_code == 200
    error = _tree(response).select_one("#group_names-error").text
    assert (
        "These groups are not on the register: ‘Wlasall Deaf Forum’ (did you mean ‘Walsall Deaf Forum’?), "
        "‘Old Tipton Forum’ (archived), ‘Sandwell Allotment Society’" in error
    )
    assert _tree(response).select_one("#group_names").text.strip() == typed


def test_a_keyed_in_responses_group_is_a_picker_and_the_public_forms_is_not(client, sign_in_as):
    from tests.consultation_factories import make_consultation

    consultation = make_consultation()
    public = client.page(f"/consultations/{consultation.slug}/respond")
    assert not public.select("[data-picker]") and public.select_one("#group_name")
    sign_in_as("engagement_officer")
    staff = client.page(f"/staff/consultations/{consultation.id}/responses/new")
    assert staff.select_one("[data-picker='/staff/pick/groups'] #group_name")


def test_correcting_feedback_picks_its_group_and_keeps_one_archived_since(client, sign_in_as):
    from tests.factories import make_feedback
    from tests.web.test_feedback_corrections import _correct, _item

    archived = make_group("Old Tipton Forum")
    make_group("Walsall Deaf Forum")
    item = make_feedback(group_id=archived.id)
    set_archived(audit.SYSTEM, archived, True)
    db.session.commit()
    sign_in_as("engagement_officer")
    response = _correct(client, item, text="New words", group_name="The Wlasall Deaf Forum")
    page = _tree(response)
    assert response.status_code == 200 and "Did you mean" in page.select_one("#group_name-error").text
    assert [r["value"] for r in page.select("input[name='group_name-suggestion']")] == [
        "Walsall Deaf Forum",
        "",
    ]
    assert page.select_one("#text").text.strip() == "New words"
    # its own group, archived since it was linked, does not stop other corrections
    assert _correct(client, item, text="Other words", group_name="old tipton forum").status_code == 302
    assert (_item(item.id).text, _item(item.id).group_id) == ("Other words", archived.id)
