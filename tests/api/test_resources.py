"""Policies, evidence packs, feedback and reference data over /api/v1: the pages' role rules, cursor pages,
problem JSON for bad input and 404 for unknown ids."""

import pytest
from sqlalchemy import event, select

from crm.core.models import AuditEvent, Characteristic
from crm.extensions import db
from tests.factories import make_contact, make_group, make_user
from tests.policy_factories import make_feedback, make_policy


def _problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    return response.get_json()


def _all_pages(api, url: str, secret: str, limit: int) -> list[dict]:
    items, cursor = [], None
    while True:
        joiner = "&" if "?" in url else "?"
        page_url = f"{url}{joiner}limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        body = api.get(page_url, secret=secret).get_json()
        assert len(body["items"]) <= limit
        items += body["items"]
        cursor = body["page"]["next_cursor"]
        if cursor is None:
            return items


def test_policies_page_by_cursor_to_the_end(api, make_token):
    made = [make_policy() for _ in range(5)]
    secret, _ = make_token("viewer")
    items = _all_pages(api, "/api/v1/policies", secret, limit=2)
    assert [item["id"] for item in items] == [policy.id for policy in made]
    assert items[0]["reference"] == made[0].reference
    assert items[0]["updated_at"].endswith("+00:00")  # ISO 8601, in UTC


def test_a_policy_and_an_unknown_one(api):
    policy = make_policy(title="Evening buses")
    assert api.get(f"/api/v1/policies/{policy.id}").get_json()["title"] == "Evening buses"
    _problem(api.get(f"/api/v1/policies/{policy.id + 1000}"), 404)
    _problem(api.get(f"/api/v1/policies/{policy.id + 1000}/evidence"), 404)
    _problem(api.get("/api/v1/feedback/999999"), 404)
    _problem(api.get("/api/v1/reference/people"), 404)
    _problem(api.get("/api/v1/nothing-here"), 404)


def test_the_evidence_pack_has_counts_coverage_and_items_and_is_on_record(api, make_token):
    policy = make_policy()
    for number in range(3):
        make_feedback(f"Item {number}", policies=[policy], characteristics=["Disability"], themes=["Safety"])
    make_feedback("Not linked to the policy")
    secret, token = make_token("policy_lead")
    body = api.get(f"/api/v1/policies/{policy.id}/evidence?limit=2", secret=secret).get_json()
    assert body["total"] == 3
    assert {"Item 0", "Item 1", "Item 2"} >= {item["text"] for item in body["items"]}
    assert len(body["items"]) == 2 and body["page"]["next_cursor"]
    disability = next(row for row in body["coverage"] if row["characteristic"]["name"] == "Disability")
    assert disability["feedback"] == 3
    assert {key: value for key, value in body["counts"]["theme"][0].items() if key != "id"} == {
        "name": "Safety",
        "count": 3,
    }
    rest = api.get(
        f"/api/v1/policies/{policy.id}/evidence?limit=2&cursor={body['page']['next_cursor']}", secret=secret
    ).get_json()
    assert len(rest["items"]) == 1 and rest["page"]["next_cursor"] is None
    viewed = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "evidence_pack.viewed")).all()
    assert viewed and {event.actor_id for event in viewed} == {token.user_id}


def test_every_feedback_item_for_a_policy_coded_like_an_analyst_wants(api, make_token):
    policy = make_policy()
    linked = [make_feedback(f"Said {n}", policies=[policy], themes=["Safety"]) for n in range(7)]
    make_feedback("Elsewhere")
    secret, _ = make_token("viewer")
    items = _all_pages(api, f"/api/v1/feedback?policy={policy.id}", secret, limit=3)
    assert sorted(item["id"] for item in items) == sorted(item.id for item in linked)
    assert all(item["themes"][0]["name"] == "Safety" for item in items)


def test_feedback_filters_and_full_text_search(api):
    make_feedback("The buses stop too early", stance="oppose")
    make_feedback("Libraries should open on Sundays", stance="support")
    found = api.get("/api/v1/feedback?q=buses").get_json()["items"]
    assert [item["text"] for item in found] == ["The buses stop too early"]
    supported = api.get("/api/v1/feedback?stance=support").get_json()["items"]
    assert [item["stance"] for item in supported] == ["support"]


def _feedback_with_a_contact(policy):
    group = make_group("Walsall Deaf Forum")
    contact = make_contact(group, name="Sam Private", email="sam.private@example.org")
    db.session.commit()
    return make_feedback("Please add BSL", policies=[policy], group=group, contact=contact)


@pytest.mark.parametrize("role", ["policy_lead", "equality_lead", "viewer"])
def test_roles_that_do_not_see_personal_data_never_get_a_contacts_email(api, role):
    policy = make_policy()
    item = _feedback_with_a_contact(policy)
    for url in (f"/api/v1/feedback/{item.id}", "/api/v1/feedback", f"/api/v1/policies/{policy.id}/evidence"):
        text = api.get(url, role=role).get_data(as_text=True)
        assert "Please add BSL" in text
        assert "sam.private@example.org" not in text and "Sam Private" not in text, url


@pytest.mark.parametrize("role", ["engagement_officer", "admin"])
def test_officers_and_admins_see_the_contact(api, role):
    item = _feedback_with_a_contact(make_policy())
    body = api.get(f"/api/v1/feedback/{item.id}", role=role).get_json()
    assert body["contact"]["email"] == "sam.private@example.org"


def test_no_api_route_or_schema_offers_monitoring_answers(client):
    document = client.get("/api/v1/openapi.json").get_data(as_text=True).lower()
    assert "monitoring" not in document


def test_reference_lists(api):
    body = api.get("/api/v1/reference/characteristics").get_json()
    names = {item["name"] for item in body["items"]}
    assert "Disability" in names
    assert len(body["items"]) == db.session.scalar(select(db.func.count(Characteristic.id)))


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/feedback?limit=501", "limit"),
        ("/api/v1/feedback?limit=0", "limit"),
        ("/api/v1/feedback?limit=many", "limit"),
        ("/api/v1/feedback?policy=abc", "policy"),
        ("/api/v1/feedback?policy=99999999999", "policy"),
        ("/api/v1/feedback?stance=angry", "stance"),
        ("/api/v1/feedback?from=2026-02-31", "from"),
        ("/api/v1/feedback?q=" + "x" * 201, "q"),
        ("/api/v1/feedback?cursor=not-ours", "cursor"),
        ("/api/v1/policies?cursor=" + "A" * 101, "cursor"),
        ("/api/v1/policies?kind=novel", "kind"),
        ("/api/v1/feedback?colour=blue", "colour"),  # unknown fields are refused, not ignored
    ],
)
def test_bad_query_arguments_get_422_with_the_field_named(api, url, field):
    body = _problem(api.get(url), 422)
    assert field in body["errors"]["query"], body


def test_a_feedback_page_costs_the_same_queries_whatever_its_size(api, make_token, app):
    policy = make_policy()
    group = make_group()
    secret, _ = make_token("engagement_officer")

    def queries_for_a_page() -> int:
        statements = []

        def record(*args):
            statements.append(args[2])

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            assert api.get(f"/api/v1/feedback?policy={policy.id}", secret=secret).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        return len(statements)

    contact = make_contact(group, name="Kim")
    db.session.commit()
    queries_for_a_page()  # the token's first use records when it was used; later ones within a minute do not
    make_feedback("One", policies=[policy], group=group, contact=contact, themes=["Safety"])
    few = queries_for_a_page()
    for number in range(20):
        make_feedback(f"More {number}", policies=[policy], group=group, contact=contact, themes=["Safety"])
    assert queries_for_a_page() == few


def test_a_user_made_after_the_token_does_not_matter(api, make_token):
    """A token acts as its own owner: another person's role changes nothing for it."""
    secret, token = make_token("policy_lead")
    make_user(role="admin")
    assert api.get("/api/v1/policies", secret=secret).status_code == 200
