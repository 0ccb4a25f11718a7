import pytest
from sqlalchemy import func, select

from crm.core.models import Area, AuditEvent, Characteristic
from crm.extensions import db
from crm.groups.models import CommunityGroup, Contact
from tests.factories import make_contact, make_group, reference_ids

GROUP_FORM = {
    "name": "Bloxwich Sight Loss Club",
    "kind": "informal",
    "status": "active",
    "lawful_basis": "public_task",
    "description": "Meets on Tuesdays",
}


def _ids(model, *names):
    return [str(i) for i in reference_ids(model, *names)]


def _names(page):
    return [a.text for a in page.select("main table tbody th a")]


def test_officer_finds_disability_groups_in_walsall(client, sign_in_as):
    make_group("Walsall Deaf Forum", areas=("Walsall",), characteristics=("Disability",))
    make_group("Walsall Youth Panel", areas=("Walsall",), characteristics=("Age",))
    make_group("Dudley Deaf Forum", areas=("Dudley",), characteristics=("Disability",))
    sign_in_as("engagement_officer")
    page = client.page(
        "/staff/groups",
        query_string={"characteristic": _ids(Characteristic, "Disability"), "area": _ids(Area, "Walsall")},
    )
    assert _names(page) == ["Walsall Deaf Forum"]
    assert "1 group matches these filters" in page.text


def test_dashboard_links_straight_to_a_characteristic_in_an_area(client, sign_in_as):
    make_group("Walsall Deaf Forum", areas=("Walsall",), characteristics=("Disability",))
    sign_in_as("policy_lead")
    link = client.page("/staff/").select_one('a[href*="characteristic="][href*="area="]')
    assert "Disability groups in Walsall" in link.text
    assert _names(client.page(link["href"])) == ["Walsall Deaf Forum"]


def test_search_filters_kind_status_and_verified(client, sign_in_as):
    make_group("Tipton Faith Forum", kind="faith", description="Churches, mosques and gurdwaras")
    make_group("Tipton Youth", kind="youth_panel", status="dormant")
    sign_in_as("viewer")
    assert _names(client.page("/staff/groups?q=GURDWARA")) == ["Tipton Faith Forum"]
    assert _names(client.page("/staff/groups?kind=youth_panel")) == ["Tipton Youth"]
    assert _names(client.page("/staff/groups?status=dormant&status=closed")) == ["Tipton Youth"]
    assert _names(client.page("/staff/groups?verified=no")) == []
    assert _names(client.page("/staff/groups?q=100%25")) == []  # a % is searched for, not a wildcard


def test_list_sorts_and_pages_in_sql(client, sign_in_as):
    for number in range(30):
        make_group(f"Group {number:02d}")
    sign_in_as("viewer")
    first = client.page("/staff/groups")
    assert _names(first)[:2] == ["Group 00", "Group 01"] and len(_names(first)) == 25
    assert _names(client.page("/staff/groups?page=2")) == [f"Group {n}" for n in range(25, 30)]
    assert _names(client.page("/staff/groups?sort=-name"))[0] == "Group 29"
    assert (
        client.page("/staff/groups?page=99&sort=nonsense&characteristic=abc").select("main table tbody tr")
        == []
    )


def test_list_issues_the_same_number_of_queries_for_any_page_size(client, sign_in_as, count_queries):
    sign_in_as("viewer")

    make_group("Only Group")
    few = count_queries("/staff/groups")
    for number in range(20):
        make_group(f"More {number}", areas=("Walsall", "Dudley"), characteristics=("Age", "Race"))
    assert count_queries("/staff/groups") == few


def test_officer_creates_a_group(client, sign_in_as):
    sign_in_as("engagement_officer")
    form = {
        **GROUP_FORM,
        "areas": _ids(Area, "Walsall"),
        "characteristics": _ids(Characteristic, "Disability"),
        "access_needs": ["bsl"],
    }
    response = client.submit("/staff/groups/new", form)
    group = db.session.scalar(select(CommunityGroup).where(CommunityGroup.name == "Bloxwich Sight Loss Club"))
    assert response.status_code == 302 and response.location == f"/staff/groups/{group.id}"
    assert [a.name for a in group.areas] == ["Walsall"] and group.access_needs == ["bsl"]
    page = client.page(f"/staff/groups/{group.id}")
    assert "Meets on Tuesdays" in page.text and "British Sign Language (BSL)" in page.text
    event = select(AuditEvent.action).where(
        AuditEvent.entity_type == "community_group", AuditEvent.entity_id == str(group.id)
    )
    assert db.session.scalar(event) == "group.created"


def test_bad_group_details_get_messages_and_nothing_is_saved(client, sign_in_as):
    sign_in_as("engagement_officer")
    bad = {
        **GROUP_FORM,
        "name": "",
        "kind": "",
        "email": "nope",
        "website": "javascript:alert(1)",
        "phone": "call me",
        "description": "x" * 5001,
    }
    text = client.submit("/staff/groups/new", bad).get_data(as_text=True)
    for message in (
        "Enter the group’s name",
        "Select the kind of group",
        "Enter group email address in the correct",
        "Enter a website address starting with https://",
        "Enter a phone number",
        "What the group does must be 5000 characters or fewer",
    ):
        assert message in text
    assert db.session.scalar(select(func.count()).select_from(CommunityGroup)) == 0


def test_unknown_area_ids_and_kinds_are_refused(client, sign_in_as):
    sign_in_as("engagement_officer")
    text = client.submit("/staff/groups/new", {**GROUP_FORM, "areas": ["99999"], "kind": "cult"}).get_data(
        as_text=True
    )
    assert "Not a valid choice" in text
    assert db.session.scalar(select(func.count()).select_from(CommunityGroup)) == 0


def test_a_near_duplicate_name_warns_and_offers_the_existing_group(client, sign_in_as):
    existing = make_group("Walsall Deaf Forum")
    sign_in_as("engagement_officer")
    form = {**GROUP_FORM, "name": "The Walsall Deaf Forum CIC"}
    page = client.submit("/staff/groups/new", form)
    text = page.get_data(as_text=True)
    assert "A group with a very similar name is already on the register" in text
    assert f'href="/staff/groups/{existing.id}"' in text
    assert db.session.scalar(select(func.count()).select_from(CommunityGroup)) == 1
    response = client.submit("/staff/groups/new", {**form, "create_anyway": "y"})
    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(CommunityGroup)) == 2


def test_script_tags_are_stored_as_text_and_shown_escaped(client, sign_in_as):
    sign_in_as("engagement_officer")
    client.submit("/staff/groups/new", {**GROUP_FORM, "name": "<script>alert('x')</script>"})
    text = client.get("/staff/groups").get_data(as_text=True)
    assert "<script>alert" not in text and "&lt;script&gt;" in text


def test_edit_group_changes_links_and_audits_the_field_names(client, sign_in_as):
    group = make_group("Old Name")
    sign_in_as("engagement_officer")
    form = {
        **GROUP_FORM,
        "name": "New Name",
        "areas": _ids(Area, "Dudley", "Sandwell"),
        "characteristics": _ids(Characteristic, "Race"),
    }
    assert client.submit(f"/staff/groups/{group.id}/edit", form).status_code == 302
    db.session.expire_all()
    group = db.session.get(CommunityGroup, group.id)
    assert group.name == "New Name" and {a.name for a in group.areas} == {"Dudley", "Sandwell"}
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "group.updated"))
    assert {"name", "areas", "characteristics"} <= set(event.changed_fields)


def test_archived_groups_leave_the_list_but_keep_their_page(client, sign_in_as):
    group = make_group("Closing Group")
    make_contact(group)
    sign_in_as("engagement_officer")
    client.submit(f"/staff/groups/{group.id}/archive", form_page=f"/staff/groups/{group.id}")
    assert _names(client.page("/staff/groups")) == []
    assert _names(client.page("/staff/groups?archived=yes")) == ["Closing Group"]
    page = client.page(f"/staff/groups/{group.id}")
    assert "This group is archived" in page.text and "Pat Contact" in page.text
    client.submit(f"/staff/groups/{group.id}/restore", form_page=f"/staff/groups/{group.id}")
    assert _names(client.page("/staff/groups")) == ["Closing Group"]


def test_merging_moves_contacts_and_links_to_the_survivor(client, sign_in_as):
    survivor = make_group("Walsall Deaf Forum", areas=("Walsall",), characteristics=("Disability",))
    duplicate = make_group(
        "The Walsall Deaf Forum CIC",
        areas=("Walsall", "Region-wide"),
        characteristics=("Disability", "Age"),
        website="https://deaf.example.org",
    )
    make_contact(duplicate, name="Moved Person")
    sign_in_as("engagement_officer")
    url = f"/staff/groups/{survivor.id}/merge"
    assert f"The Walsall Deaf Forum CIC (id {duplicate.id})" in client.page(url).text
    response = client.submit(url, {"duplicate_id": str(duplicate.id)})
    assert response.status_code == 302
    db.session.expire_all()
    survivor, duplicate = (
        db.session.get(CommunityGroup, survivor.id),
        db.session.get(CommunityGroup, duplicate.id),
    )
    assert [c.name for c in survivor.contacts] == ["Moved Person"]
    assert {a.name for a in survivor.areas} == {"Walsall", "Region-wide"}
    assert {c.name for c in survivor.characteristics} == {"Disability", "Age"}
    assert survivor.website == "https://deaf.example.org"
    assert duplicate.is_archived and duplicate.merged_into_id == survivor.id
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"group.merged_into", "group.merged_from"} <= actions
    assert "was merged into" in client.page(f"/staff/groups/{duplicate.id}").text


def test_merging_a_group_into_itself_or_an_unknown_group_is_refused(client, sign_in_as):
    group = make_group("Only One")
    sign_in_as("engagement_officer")
    url = f"/staff/groups/{group.id}/merge"
    text = client.submit(url, {"duplicate_id": str(group.id)}).get_data(as_text=True)
    assert "Choose a different group" in text or "Not a valid choice" in text
    text = client.submit(url, {"duplicate_id": "424242"}).get_data(as_text=True)
    assert "Not a valid choice" in text or "Select the group" in text
    assert not db.session.get(CommunityGroup, group.id).is_archived


def test_verifying_a_self_registered_group(client, sign_in_as):
    group = make_group("Unverified Group")
    group.is_verified = False
    db.session.commit()
    sign_in_as("engagement_officer")
    assert "1 group registered itself" in client.page("/staff/groups").text
    client.submit(f"/staff/groups/{group.id}/verify", form_page=f"/staff/groups/{group.id}")
    db.session.refresh(group)
    assert group.is_verified and group.verified_at is not None


def test_policy_leads_see_that_a_group_has_contacts_but_not_who(client, sign_in_as):
    group = make_group("Private Group")
    make_contact(group, name="Hidden Person", email="hidden.person@example.org", phone="0121 496 0001")
    sign_in_as("policy_lead")
    for url in (
        f"/staff/groups/{group.id}",
        "/staff/groups",
        "/staff/groups/export.csv",
        "/staff/groups/export.xlsx",
        "/staff/",
    ):
        body = client.get(url).get_data()
        assert (
            b"hidden.person@example.org" not in body
            and b"Hidden Person" not in body
            and b"0121 496" not in body
        )
    assert "This group has 1 contact" in client.page(f"/staff/groups/{group.id}").text
    assert client.get("/staff/contacts").status_code == 403
    assert client.get("/staff/groups/mailing-list").status_code == 403


def test_officers_add_and_edit_contacts_with_consent(client, sign_in_as):
    group = make_group("Contactable Group")
    sign_in_as("engagement_officer")
    url = f"/staff/groups/{group.id}/contacts/new"
    text = client.submit(url, {"name": "Sam Person", "consent_given": "y"}).get_data(as_text=True)
    assert "Enter the date they gave consent" in text
    text = client.submit(
        url,
        {
            "name": "Sam Person",
            "consent_given": "y",
            "consent_date": ["1", "1", "2099"],
            "consent_method": "email",
            "consent_wording": "ok",
        },
    ).get_data(as_text=True)
    assert "must be today or in the past" in text
    text = client.submit(url, {"name": "Sam Person", "consent_date": ["31", "2", "2026"]}).get_data(
        as_text=True
    )
    assert "Date they agreed must be a real date" in text
    response = client.submit(
        url,
        {
            "name": "Sam Person",
            "email": "Sam@Example.org",
            "consent_given": "y",
            "consent_date": ["5", "1", "2026"],
            "consent_method": "email",
            "consent_wording": "You can contact me about consultations.",
        },
    )
    assert response.status_code == 302
    contact = db.session.scalar(select(Contact))
    assert contact.email == "sam@example.org" and contact.consent_given
    assert "Sam Person" in client.page("/staff/contacts?q=sam").text
    client.submit(f"/staff/contacts/{contact.id}/edit", {"name": "Sam Person", "do_not_contact": "y"})
    db.session.refresh(contact)
    assert contact.do_not_contact and not contact.consent_given


def test_mailing_list_has_only_consented_reachable_contacts_and_says_who_was_left_out(client, sign_in_as):
    group = make_group("Walsall Group", areas=("Walsall",))
    other = make_group("Dudley Group", areas=("Dudley",))
    make_contact(group, name="Yes Person", email="yes@example.org")
    make_contact(group, name="No Consent", consent_given=False)
    make_contact(group, name="Asked Not To", do_not_contact=True)
    make_contact(group, name="No Email", email="")
    make_contact(other, name="Other Area", email="other@example.org")
    sign_in_as("engagement_officer")
    query = {"area": _ids(Area, "Walsall")}
    page = client.page("/staff/groups/mailing-list", query_string=query)
    values = [dd.text.strip() for dd in page.select(".govuk-summary-list__value")]
    assert values == ["1", "1", "1", "1"]
    csv_text = client.get("/staff/groups/mailing-list.csv", query_string=query).get_data(as_text=True)
    assert "yes@example.org" in csv_text
    for absent in ("No Consent", "Asked Not To", "No Email", "other@example.org"):
        assert absent not in csv_text
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "groups.mailing_list_exported"))


def test_unknown_group_and_contact_are_404(client, sign_in_as):
    sign_in_as("engagement_officer")
    assert client.get("/staff/groups/999999").status_code == 404
    assert client.get("/staff/contacts/999999/edit").status_code == 404


def test_a_group_merged_into_another_cannot_be_edited(client, sign_in_as):
    from crm.core import audit, transaction
    from crm.core.rules import RuleBroken
    from crm.groups import service

    survivor, duplicate = make_group("Walsall Deaf Forum"), make_group("Walsall Deaf Forum CIC")
    with transaction.unit_of_work():
        service.merge_groups(audit.SYSTEM, survivor, duplicate)
    sign_in_as("engagement_officer")
    page = client.page(f"/staff/groups/{duplicate.id}")
    assert "Edit group" not in page.text
    response = client.get(f"/staff/groups/{duplicate.id}/edit")
    assert response.status_code == 302
    assert "merged into another and cannot be changed" in client.page(response.location).text
    token = client.csrf_token(f"/staff/groups/{survivor.id}/edit")
    posted = client.post(f"/staff/groups/{duplicate.id}/edit", data={"name": "Renamed", "csrf_token": token})
    assert (
        posted.status_code == 302
        and db.session.get(type(duplicate), duplicate.id).name == "Walsall Deaf Forum CIC"
    )
    values = service.GroupValues(name="Renamed", kind=duplicate.kind)
    with pytest.raises(RuleBroken, match="merged into another"):
        service.update_group(audit.SYSTEM, duplicate, values)


def test_a_name_ending_in_a_full_stop_gets_no_second_one(client, sign_in_as):
    sign_in_as("engagement_officer")
    response = client.submit(
        "/staff/groups/new",
        {**GROUP_FORM, "name": "Tipton Fictional Tenants Ltd."},
    )
    assert response.status_code == 302
    banner = client.page(response.location).select_one(".govuk-notification-banner").text
    assert "Added Tipton Fictional Tenants Ltd." in banner and "Ltd.." not in banner
