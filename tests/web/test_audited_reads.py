"""Reads of personal and special category data leave a trace: the contact list, contact pages, a group's
contacts, a single response (with its name and email or without) and the equality-monitoring report. The
events name what was shown and which filters were used, never the values (names, emails, search terms)."""

from sqlalchemy import select

from crm.core.models import AuditEvent
from crm.extensions import db
from tests.consultation_factories import make_consultation, respond
from tests.factories import make_contact, make_group


def _events(action: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))
    )


def _no_personal_values(event: AuditEvent, *values: str) -> None:
    written = f"{event.actor_label} {event.entity_id} {event.changed_fields}"
    assert not [value for value in values if value in written]


def test_the_contact_list_is_on_record_with_the_name_of_the_search_never_its_words(client, sign_in_as):
    user = sign_in_as("engagement_officer")
    make_contact(make_group("Deaf Forum Walsall"), name="Ann Example", email="ann@example.org")
    db.session.commit()
    client.page("/staff/contacts")
    client.page("/staff/contacts?q=ann+example")
    plain, searched = _events("contacts.listed")
    assert (plain.actor_id, plain.changed_fields) == (user.id, [])
    assert searched.changed_fields == ["q"]
    _no_personal_values(searched, "ann", "Ann Example")


def test_the_mailing_list_page_is_on_record_with_the_names_of_its_filters(client, sign_in_as):
    sign_in_as("engagement_officer")
    make_contact(make_group("Deaf Forum Walsall"), name="Ann Example", email="ann@example.org")
    db.session.commit()
    client.page("/staff/groups/mailing-list?q=deaf&verified=yes")
    (viewed,) = _events("contacts.mailing_list_viewed")
    assert viewed.changed_fields == ["q", "verified"]
    _no_personal_values(viewed, "deaf")


def test_a_contact_page_and_a_groups_contacts_are_on_record(client, sign_in_as):
    user = sign_in_as("engagement_officer")
    group = make_group("Deaf Forum Walsall")
    contact = make_contact(group, name="Ann Example", email="ann@example.org")
    db.session.commit()
    client.page(f"/staff/contacts/{contact.id}/edit")
    (viewed,) = _events("contact.viewed")
    assert (viewed.actor_id, viewed.entity_type, viewed.entity_id) == (user.id, "contact", str(contact.id))
    assert viewed.changed_fields == ["email", "name", "phone"]
    _no_personal_values(viewed, "Ann Example", "ann@example.org")
    client.page(f"/staff/groups/{group.id}")
    (group_viewed,) = _events("group.contacts_viewed")
    assert (group_viewed.entity_type, group_viewed.entity_id) == ("community_group", str(group.id))


def test_a_group_page_without_contact_details_is_not_a_read_of_them(client, sign_in_as):
    sign_in_as("viewer")
    group = make_group("Deaf Forum Walsall")
    make_contact(group)
    db.session.commit()
    client.page(f"/staff/groups/{group.id}")
    assert _events("group.contacts_viewed") == []


def test_a_single_response_is_on_record_saying_whether_its_name_and_email_were_shown(client, sign_in_as):
    consultation = make_consultation("open")
    response = respond(consultation, name="Ann Example", email="ann@example.org")
    officer = sign_in_as("engagement_officer")
    client.page(f"/staff/consultations/{consultation.id}/responses/{response.id}")
    client.post("/staff/sign-out", data={"csrf_token": client.csrf_token("/staff/contacts")})
    lead = sign_in_as("policy_lead")
    client.page(f"/staff/consultations/{consultation.id}/responses/{response.id}")
    with_details, without = _events("response.viewed")
    assert (with_details.actor_id, with_details.entity_id) == (officer.id, str(response.id))
    assert with_details.changed_fields == ["answers", "email", "name"]
    assert (without.actor_id, without.changed_fields) == (lead.id, ["answers"])
    _no_personal_values(with_details, "Ann Example", "ann@example.org")


def test_the_monitoring_report_is_on_record(client, sign_in_as):
    consultation = make_consultation("open")
    respond(consultation)
    lead = sign_in_as("equality_lead")
    client.page(f"/staff/consultations/{consultation.id}/monitoring")
    (viewed,) = _events("monitoring.viewed")
    assert (viewed.actor_id, viewed.entity_type, viewed.entity_id) == (
        lead.id,
        "consultation",
        str(consultation.id),
    )


def test_sign_ins_and_role_changes_are_on_record_and_shown_in_the_audit_log(client, sign_in_as, make_user):
    person = make_user(role="viewer", name="Vera Viewer")
    client.submit("/staff/sign-in", {"email": person.email, "password": "wrong password entirely"})
    admin = sign_in_as("admin")
    client.submit(f"/staff/admin/users/{person.id}", {"name": "Vera Viewer", "role": "policy_lead"})
    (failed,) = _events("auth.sign_in_failed")
    assert failed.entity_id == str(person.id) and failed.changed_fields == []
    (signed_in,) = _events("auth.signed_in")
    assert signed_in.actor_id == admin.id
    (changed,) = _events("user.role_changed")
    assert changed.changed_fields == ["role"]
    shown = client.page("/staff/admin/audit").select_one("#audit-events").get_text()
    for action in ("auth.sign_in_failed", "auth.signed_in", "user.role_changed"):
        assert action in shown
