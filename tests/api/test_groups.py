"""Groups through the API: the register's filters, keyset pages, and personal data (the group's email and
phone, its contacts) only for the roles that see it on the pages."""

from sqlalchemy import select

from crm.core.models import Characteristic
from crm.extensions import db
from tests.factories import make_contact, make_group


def _characteristic(name: str) -> int:
    return db.session.scalar(select(Characteristic.id).where(Characteristic.name == name))


def test_the_registers_filters_narrow_the_list(api):
    deaf = make_group("Walsall Deaf Forum", characteristics=("Disability",), email="forum@example.org")
    make_group("Dudley Youth Panel", areas=("Dudley",), characteristics=("Age",))
    make_group("Old Club", characteristics=("Disability",)).is_archived = True
    db.session.commit()

    everyone = api.get("/api/v1/groups").get_json()["items"]
    assert [group["name"] for group in everyone] == ["Walsall Deaf Forum", "Dudley Youth Panel"]
    disability = api.get(f"/api/v1/groups?characteristic={_characteristic('Disability')}").get_json()
    assert [group["id"] for group in disability["items"]] == [deaf.id]
    assert disability["items"][0]["characteristics"] == [
        {"id": _characteristic("Disability"), "name": "Disability"}
    ]
    searched = api.get("/api/v1/groups?q=youth").get_json()["items"]
    assert [group["name"] for group in searched] == ["Dudley Youth Panel"]
    archived = api.get("/api/v1/groups?archived=true").get_json()["items"]
    assert [group["name"] for group in archived] == ["Old Club"]
    bad = api.get("/api/v1/groups?kind=not-a-kind")
    assert bad.status_code == 422 and bad.mimetype == "application/problem+json"


def test_pages_by_cursor(api):
    for number in range(5):
        make_group(f"Group {number}")
    first = api.get("/api/v1/groups?limit=3").get_json()
    rest = api.get(f"/api/v1/groups?limit=3&cursor={first['page']['next_cursor']}").get_json()
    assert [g["name"] for g in first["items"] + rest["items"]] == [f"Group {n}" for n in range(5)]
    assert rest["page"]["next_cursor"] is None


def test_a_policy_lead_never_gets_a_contact_or_the_groups_own_email(api):
    group = make_group("Walsall Deaf Forum", email="forum@example.org", phone="01922 000000")
    make_contact(group, "Pat Contact", email="pat@example.org")
    lead = api.get(f"/api/v1/groups/{group.id}", role="policy_lead")
    assert lead.status_code == 200
    body = lead.get_json()
    assert body["contacts"] is None and body["email"] is None and body["phone"] is None
    assert "pat@example.org" not in lead.get_data(as_text=True)
    assert "forum@example.org" not in api.get("/api/v1/groups", role="viewer").get_data(as_text=True)

    officer = api.get(f"/api/v1/groups/{group.id}").get_json()
    assert officer["email"] == "forum@example.org"
    assert [(c["name"], c["email"]) for c in officer["contacts"]] == [("Pat Contact", "pat@example.org")]


def test_an_unknown_group_is_a_404_problem(api):
    response = api.get("/api/v1/groups/999999")
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
