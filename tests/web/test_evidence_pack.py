"""The evidence pack: what reached a policy, coverage and gaps, filters, exports, influence, due regard."""

import csv
import io
import re

from openpyxl import load_workbook
from sqlalchemy import func, select

from crm.auth import roles
from crm.core.models import AuditEvent
from crm.evidence import queries as evidence
from crm.extensions import db
from crm.policies.models import PolicyInfluence
from tests.consultation_factories import make_consultation, respond
from tests.factories import make_contact, make_group
from tests.policy_factories import characteristic_id, make_event, make_feedback, make_policy


def _pack(policy):
    return f"/staff/policies/{policy.id}/evidence"


def _coverage(policy) -> dict:
    return {
        row.characteristic.name: row
        for row in evidence.evidence_pack(policy.id, evidence.EvidenceFilters()).coverage
    }


def test_feedback_reaches_a_policy_through_consultations_events_and_direct_links_only():
    policy, other = make_policy(), make_policy()
    consultation = make_consultation("closed", policy_ids=[policy.id])
    event = make_event([policy])
    via_consultation = make_feedback("Said in a consultation", consultation=consultation, source="response")
    via_event = make_feedback("Said at the workshop", event=event, source="event")
    direct = make_feedback("Said by email", policies=[policy])
    make_feedback("Said about something else", policies=[other])
    make_feedback("Spam about the policy", policies=[policy], status="excluded")

    page = evidence.evidence_pack(policy.id, evidence.EvidenceFilters()).pagination
    assert {item.id for item in page.items} == {via_consultation.id, via_event.id, direct.id}
    assert evidence.evidence_pack(policy.id, evidence.EvidenceFilters()).total == 3


def test_coverage_counts_feedback_groups_events_and_responses_and_shows_gaps():
    policy = make_policy()
    consultation = make_consultation(
        "open", policy_ids=[policy.id], characteristic_ids=[characteristic_id("Race")]
    )
    deaf_forum = make_group("Deaf Forum", characteristics=("Disability",))
    elders = make_group("Elders Club", characteristics=("Age",))
    event = make_event([policy], groups=[deaf_forum], reach={"Sex": 30, "Carers": 0})
    response = respond(consultation)
    make_feedback("Step-free access please", event=event, group=deaf_forum, characteristics=["Disability"])
    make_feedback(
        "Hearing loops at stops", policies=[policy], group=deaf_forum, characteristics=["Disability"]
    )
    make_feedback(
        "Too far to walk",
        consultation=consultation,
        response=response,
        source="response",
        group=elders,
        characteristics=["Age", "Disability"],
    )
    make_feedback("Not counted: excluded", policies=[policy], characteristics=["Sex"], status="excluded")

    rows = _coverage(policy)
    disability, age = rows["Disability"], rows["Age"]
    assert (disability.feedback, disability.groups, disability.events, disability.responses) == (3, 2, 1, 1)
    assert (age.feedback, age.groups, age.events, age.responses) == (1, 1, 0, 1)
    # Reached by an event's estimate, but nobody's feedback speaks for it: still no evidence.
    assert rows["Sex"].events == 1 and rows["Sex"].feedback == 0 and not rows["Sex"].has_evidence
    assert rows["Carers"].events == 0  # a zero estimate is not reach
    # Every characteristic in use is listed, statutory and local, and the target not reached is flagged.
    assert {"Sexual orientation", "Armed forces community", "Care experienced"} <= set(rows)
    assert rows["Race"].is_target and rows["Race"].target_not_reached
    assert not rows["Disability"].target_not_reached and not rows["Age"].is_target


def test_coverage_leaves_out_retired_characteristics(client, sign_in_as):
    from crm.core.models import Characteristic

    policy = make_policy()
    db.session.get(Characteristic, characteristic_id("Armed forces community")).is_retired = True
    db.session.commit()
    assert "Armed forces community" not in _coverage(policy)
    sign_in_as(roles.EQUALITY_LEAD)
    page = client.page(_pack(policy))
    table = page.select_one("#coverage-table").get_text(" ", strip=True)
    assert "Armed forces community" not in table
    assert "Gender reassignment 0 0 0 0 No evidence yet" in table


def test_the_pack_page_shows_gaps_targets_and_counts(client, sign_in_as):
    policy = make_policy()
    make_consultation("closed", policy_ids=[policy.id], characteristic_ids=[characteristic_id("Race")])
    make_feedback("Need later buses", policies=[policy], characteristics=["Disability"], themes=["Safety"])
    sign_in_as(roles.POLICY_LEAD)
    page = client.page(_pack(policy))
    rows = {
        row.th.get_text(strip=True): row.get_text(" ", strip=True)
        for row in page.select("#coverage-table tbody tr")
    }
    assert "Target not reached" in rows["Race"]
    assert "Weak evidence" in rows["Disability"]  # one coded item is not yet "heard"
    assert "No evidence yet" in rows["Sex"]
    main = page.select_one("main").get_text(" ", strip=True)
    assert "By theme" in main and "Safety" in main


def test_filters_narrow_the_list_and_the_counts(client, sign_in_as):
    policy = make_policy()
    group = make_group("Walsall Wheelers")
    make_feedback(
        "Wheelchair spaces are always full", policies=[policy], group=group, characteristics=["Disability"]
    )
    make_feedback("Evening fares are too high", policies=[policy], characteristics=["Age"], stance="oppose")
    make_feedback(
        "The ramp at the station is broken",
        policies=[policy],
        source="phone",
        characteristics=["Disability"],
        barriers=["Physical access"],
    )
    sign_in_as(roles.POLICY_LEAD)

    def texts(query: str) -> list[str]:
        page = client.page(_pack(policy) + query)
        return sorted(p.get_text(strip=True) for p in page.select(".app-evidence-table tbody td p"))

    disability = characteristic_id("Disability")
    assert len(texts(f"?characteristic={disability}")) == 2
    assert texts("?source=phone") == ["“The ramp at the station is broken”"]
    assert texts("?stance=oppose") == ["“Evening fares are too high”"]
    assert texts(f"?group={group.id}") == ["“Wheelchair spaces are always full”"]
    assert texts("?q=wheelchair") == ["“Wheelchair spaces are always full”"]
    assert texts("?q=ramp+station") == ["“The ramp at the station is broken”"]
    assert texts("?q=%22%29%28*+OR") == []  # search syntax from the user is never run as syntax
    assert len(texts("?date_from=1/1/2000&date_to=31/12/2099")) == 3
    assert texts("?date_from=1/1/2099") == []
    page = client.page(_pack(policy) + "?date_from=31/2/2026")
    assert "Start date must be a real date" in page.get_text()


def test_the_list_is_paginated_in_sql(client, sign_in_as):
    policy = make_policy()
    for number in range(30):
        make_feedback(f"Comment number {number}", policies=[policy])
    sign_in_as(roles.POLICY_LEAD)
    first = client.page(_pack(policy))
    assert len(first.select(".app-evidence-table tbody tr")) == 25
    second = client.page(_pack(policy) + "?page=2")
    assert len(second.select(".app-evidence-table tbody tr")) == 5


def test_personal_details_only_for_officers_and_admins(app, make_user):
    from tests.factories import PASSWORD

    policy = make_policy()
    group = make_group("Bloxwich Carers")
    contact = make_contact(group, name="Pat Private", email="pat.private@example.org")
    item = make_feedback(
        "Carers cannot get to evening meetings", policies=[policy], group=group, contact=contact
    )
    for role, sees in (
        (roles.POLICY_LEAD, False),
        (roles.VIEWER, False),
        (roles.EQUALITY_LEAD, False),
        (roles.ENGAGEMENT_OFFICER, True),
        (roles.ADMIN, True),
    ):
        client = app.test_client()
        user = make_user(role=role)
        client.submit("/staff/sign-in", {"email": user.email, "password": PASSWORD})
        text = client.page(_pack(policy)).get_text() + client.page(_pack(policy) + f"/{item.id}").get_text()
        assert ("Pat Private" in text) is sees, role
        assert "Bloxwich Carers" in text  # group names are organisational, not personal


def _csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_exports_neutralise_formulas_and_leave_out_personal_details_for_non_officers(client, sign_in_as):
    policy = make_policy()
    group = make_group("=HYPERLINK(group)")
    contact = make_contact(group, name="Pat Private", email="pat.private@example.org")
    make_feedback(
        "=1+1 is what I think", policies=[policy], group=group, contact=contact, characteristics=["Sex"]
    )
    make_feedback("@SUM(A1)", policies=[policy], themes=["Safety"])

    sign_in_as(roles.POLICY_LEAD)
    response = client.get(_pack(policy) + "/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert f'filename="{policy.reference}-evidence.csv"' in response.headers["Content-Disposition"]
    rows = _csv_rows(response)
    assert "Contact name" not in rows[0] and "Respondent email" not in rows[0]
    body = response.get_data(as_text=True)
    assert "Pat Private" not in body and "pat.private@example.org" not in body
    cells = [cell for row in rows[1:] for cell in row]
    assert "'=1+1 is what I think" in cells and "'@SUM(A1)" in cells and "'=HYPERLINK(group)" in cells
    assert not any(cell.startswith(("=", "+", "@")) for cell in cells)

    response = client.get(_pack(policy) + "/export.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = [cell.value for row in sheet.iter_rows() for cell in row if cell.value]
    assert "'=1+1 is what I think" in values and "Pat Private" not in values


def test_an_evidence_export_is_on_record_before_its_file_is_sent(client, sign_in_as):
    policy = make_policy()
    make_feedback("Late buses would help", policies=[policy])
    sign_in_as(roles.POLICY_LEAD)
    response = client.get(_pack(policy) + "/export.xlsx", buffered=False)
    try:
        with db.engine.connect() as connection:
            recorded = connection.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "evidence_pack.exported_xlsx")
            )
        assert recorded == 1 and response.is_streamed
        sheet = load_workbook(io.BytesIO(response.get_data())).active
    finally:
        response.close()
    rows = list(sheet.values)
    text = rows[0].index("Text")
    assert sheet.title == "Evidence" and "Late buses would help" in [row[text] for row in rows]


def test_officers_export_contact_details(client, sign_in_as):
    policy = make_policy()
    group = make_group("Bloxwich Carers")
    contact = make_contact(group, name="Pat Private", email="pat.private@example.org")
    make_feedback("Evening meetings are hard", policies=[policy], group=group, contact=contact)
    sign_in_as(roles.ENGAGEMENT_OFFICER)
    rows = _csv_rows(client.get(_pack(policy) + "/export.csv"))
    assert "Contact name" in rows[0]
    assert "Pat Private" in rows[1] and "pat.private@example.org" in rows[1]


def test_exports_never_carry_monitoring_answers(client, sign_in_as):
    policy = make_policy()
    consultation = make_consultation("open", policy_ids=[policy.id])
    respond(consultation, monitoring_answers={"sex": "female", "ethnic_group": "asian_indian"})
    sign_in_as(roles.ENGAGEMENT_OFFICER)
    body = client.get(_pack(policy) + "/export.csv").get_data(as_text=True)
    assert "More buses in the evening" in body  # the free-text answer became feedback
    for word in ("female", "asian_indian", "Asian", "Female", "Monitoring"):
        assert word not in body


def test_viewers_read_the_pack_but_do_not_export_it(client, sign_in_as):
    policy = make_policy()
    sign_in_as(roles.VIEWER)
    assert client.get(_pack(policy)).status_code == 200
    assert client.get(_pack(policy) + "/export.csv").status_code == 403


def test_opening_and_exporting_a_pack_is_on_record(client, sign_in_as):
    policy = make_policy()
    lead = sign_in_as(roles.POLICY_LEAD)
    client.page(_pack(policy) + f"?characteristic={characteristic_id('Disability')}&q=bus")
    client.get(_pack(policy) + "/export.xlsx")
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.entity_type == "policy", AuditEvent.actor_id == lead.id)
    ).all()
    actions = {event.action: event.changed_fields for event in events}
    assert actions["evidence_pack.viewed"] == ["characteristic", "q"]
    assert "feedback" in actions["evidence_pack.exported_xlsx"]
    assert all(event.entity_id == str(policy.id) for event in events)


def test_unknown_policy_or_feedback_is_404(client, sign_in_as):
    policy, other = make_policy(), make_policy()
    elsewhere = make_feedback("About the other policy", policies=[other])
    sign_in_as(roles.POLICY_LEAD)
    assert client.get("/staff/policies/99999/evidence").status_code == 404
    assert client.get(_pack(policy) + f"/{elsewhere.id}").status_code == 404
    assert client.get(_pack(policy) + "/99999").status_code == 404


# ---- Policy influence -----------------------------------------------------------------------------------


def test_bulk_influence_records_who_decided_and_shows_on_the_policy_page(client, sign_in_as):
    policy = make_policy()
    first = make_feedback("Run the 51 after midnight", policies=[policy], characteristics=["Disability"])
    second = make_feedback("Late buses for hospital staff", policies=[policy])
    lead = sign_in_as(roles.POLICY_LEAD)
    response = client.submit(
        _pack(policy) + "/influence",
        {"feedback": [str(first.id), str(second.id)], "use": "changed", "note": "Added a 00:30 service"},
        form_page=_pack(policy),
    )
    assert response.status_code == 302
    rows = db.session.scalars(select(PolicyInfluence).order_by(PolicyInfluence.feedback_id)).all()
    assert [(row.feedback_id, row.use, row.decided_by_id) for row in rows] == [
        (first.id, "changed", lead.id),
        (second.id, "changed", lead.id),
    ]
    page = client.page(f"/staff/policies/{policy.id}")
    section = page.select_one("#what-changed").find_next("h3").parent.get_text(" ", strip=True)
    assert "Changed the policy (2)" in section
    assert "Run the 51 after midnight" in section and "Added a 00:30 service" in section


def test_no_change_needs_a_reason_and_nothing_is_saved_without_it(client, sign_in_as):
    policy = make_policy()
    item = make_feedback("Free travel for carers", policies=[policy])
    sign_in_as(roles.POLICY_LEAD)
    url = _pack(policy) + f"/{item.id}"
    client.submit(url, {"use": "changed", "note": "Added carers to the scheme"})
    response = client.submit(url, {"use": "no_change", "note": "  "})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Say why the feedback led to no change" in page
    row = db.session.scalar(select(PolicyInfluence))
    db.session.refresh(row)
    assert (row.use, row.note) == ("changed", "Added carers to the scheme")


def test_influence_refuses_feedback_from_another_policy(client, sign_in_as):
    policy, other = make_policy(), make_policy()
    mine = make_feedback("About this policy", policies=[policy])
    theirs = make_feedback("About the other one", policies=[other])
    sign_in_as(roles.POLICY_LEAD)
    response = client.submit(
        _pack(policy) + "/influence",
        {"feedback": [str(mine.id), str(theirs.id)], "use": "mitigation", "note": "Trained drivers"},
        form_page=_pack(policy),
    )
    assert response.status_code == 200
    assert f"Feedback FB-{theirs.id} did not reach {policy.reference}" in response.get_data(as_text=True)
    assert db.session.scalar(select(PolicyInfluence)) is None


def test_bulk_influence_with_nothing_selected(client, sign_in_as):
    policy = make_policy()
    make_feedback("Something", policies=[policy])
    sign_in_as(roles.POLICY_LEAD)
    response = client.submit(
        _pack(policy) + "/influence", {"use": "changed", "note": ""}, form_page=_pack(policy)
    )
    assert "Select at least one feedback item" in response.get_data(as_text=True)


def test_only_admins_and_policy_leads_record_influence(client, sign_in_as):
    policy = make_policy()
    item = make_feedback("Something", policies=[policy])
    sign_in_as(roles.EQUALITY_LEAD)
    page = client.page(_pack(policy))
    assert page.select_one("input[name=feedback]") is None
    token = client.csrf_token("/staff/")
    response = client.post(
        _pack(policy) + "/influence",
        data={"csrf_token": token, "feedback": str(item.id), "use": "changed", "note": "x"},
    )
    assert response.status_code == 403


def test_the_pack_issues_the_same_number_of_queries_whatever_the_page_holds(
    client, sign_in_as, count_queries
):

    policy = make_policy()
    group = make_group("Counting Club")
    event_row = make_event([policy], groups=[group])
    sign_in_as(roles.POLICY_LEAD)

    for number in range(3):
        make_feedback(
            f"Few {number}", event=event_row, group=group, characteristics=["Age"], themes=["Safety"]
        )
    few = count_queries(_pack(policy))
    for number in range(22):
        make_feedback(
            f"Many {number}", event=event_row, group=group, characteristics=["Sex"], themes=["Housing"]
        )
    many = count_queries(_pack(policy))
    assert many == few
    # Sign-in, the policy, the due-regard record, one statement for every figure of the pack, the page's
    # items and their links, the reference lists once each, the filter choices, the influences, the open
    # outreach tasks and the accepted recommendations.
    assert few <= 19


def test_an_export_written_in_batches_keeps_every_row_its_codes_and_the_filters(
    client, sign_in_as, monkeypatch
):
    from crm.evidence import exports

    monkeypatch.setattr(exports, "EXPORT_BATCH", 2)  # three batches stand in for a big pack
    policy = make_policy()
    for number in range(5):
        make_feedback(
            f"Item {number} about buses", policies=[policy], characteristics=["Age", "Sex"], themes=["Safety"]
        )
    make_feedback("About trams instead", policies=[policy])
    sign_in_as(roles.POLICY_LEAD)
    rows = _csv_rows(client.get(_pack(policy) + "/export.csv?q=buses"))
    column = {name: index for index, name in enumerate(rows[0])}
    assert [row[column["Text"]] for row in rows[1:]] == [f"Item {number} about buses" for number in range(5)]
    for code in ("Speaks for: Age", "Speaks for: Sex", "Theme: Safety"):
        assert {row[column[code]] for row in rows[1:]} == {"Yes"}
    assert {row[column["Speaks for: Disability"]] for row in rows[1:]} == {""}


def test_coverage_is_honest_about_weak_evidence_uncoded_items_and_areas(app, client, sign_in_as):
    from crm.core.models import Area

    policy = make_policy()
    walsall = db.session.scalar(select(Area).where(Area.name == "Walsall"))
    event = make_event([policy], area_id=walsall.id)
    group = make_group("Fictional Dudley Carers", areas=("Dudley",))
    for number in range(4):
        make_feedback(f"Coded {number}", policies=[policy], characteristics=["Disability"], event=event)
    for number in range(3):
        make_feedback(f"Not coded {number}", policies=[policy], group=group)
    sign_in_as(roles.POLICY_LEAD)

    def pack():
        page = client.page(_pack(policy))
        rows = {
            row.th.get_text(strip=True): row.get_text(" ", strip=True)
            for row in page.select("#coverage-table tbody tr")
        }
        areas = {
            row.th.get_text(strip=True): row.get_text(" ", strip=True)
            for row in page.select("#area-coverage-table tbody tr")
        }
        return page, rows, areas

    page, rows, areas = pack()
    assert "Disability 4" in rows["Disability"] and "Weak evidence" in rows["Disability"]
    assert "3 items of 7 are not coded with any characteristic" in page.select_one("#uncoded").text
    assert areas["Walsall"] == "Walsall 4 1 Weak evidence" and areas["Dudley"] == "Dudley 3 0 Weak evidence"
    assert "No evidence yet" in areas["Sandwell"]
    make_feedback("The fifth", policies=[policy], characteristics=["Disability"], event=event)
    _page, rows, areas = pack()
    assert "Heard" in rows["Disability"] and areas["Walsall"] == "Walsall 5 1 Heard"
    app.config["WEAK_EVIDENCE_BELOW"] = 10  # configurable
    try:
        assert "Weak evidence" in pack()[1]["Disability"]
    finally:
        app.config["WEAK_EVIDENCE_BELOW"] = 5


def test_feedback_that_reached_no_policy_is_added_to_a_policys_evidence(client, sign_in_as, make_user):
    lead = sign_in_as(roles.POLICY_LEAD)
    policy = make_policy("BUS-5", "Buses", owner_id=lead.id)
    other = make_policy("PARK-5", "Parks", owner_id=make_user(role="policy_lead").id)
    linked_consultation = make_consultation("closed", policy_ids=[other.id])
    stray = make_feedback("Buses never come on Sundays")
    make_feedback("Already evidence for parks", policies=[other])
    make_feedback("Through a linked consultation", consultation=linked_consultation)
    pack = client.page(_pack(policy))
    assert "Add feedback that reached no policy" in pack.text
    url = f"/staff/policies/{policy.id}/evidence/add"
    page = client.page(url)
    listed = [cell.p.text for cell in page.select("tbody td:nth-of-type(2)")]
    assert listed == ["“Buses never come on Sundays”"]
    assert "Buses never come on Sundays" in client.page(f"{url}?q=sundays").text
    assert "No items" not in client.page(f"{url}?q=sundays").text
    refused = client.submit(url, {})
    assert "Select at least one feedback item" in refused.get_data(as_text=True)
    response = client.submit(url, {"feedback": [str(stray.id)]})
    assert response.status_code == 302
    assert "Added 1 item to the evidence for BUS-5" in client.page(response.location).text
    assert "Buses never come on Sundays" in client.page(_pack(policy)).text
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "feedback.linked_to_policy")
        )
        == 1
    )
    # another lead's policy is theirs to add to, not this lead's
    assert client.get(f"/staff/policies/{other.id}/evidence/add").status_code == 403


def test_exports_hold_one_value_per_cell_with_a_column_per_code(client, sign_in_as):
    policy = make_policy()
    make_feedback("Coded twice", policies=[policy], characteristics=["Sex", "Disability"], themes=["Safety"])
    make_feedback("Not coded", policies=[policy])
    sign_in_as(roles.POLICY_LEAD)
    rows = _csv_rows(client.get(_pack(policy) + "/export.csv"))
    head = rows[0]
    assert "Speaks for: Disability" in head and "Theme: Safety" in head and "Barrier: Cost" in head
    assert not any(";" in cell for row in rows for cell in row)  # nothing joined into one cell
    by_text = {row[head.index("Text")]: dict(zip(head, row, strict=True)) for row in rows[1:]}
    coded = by_text["Coded twice"]
    assert coded["Speaks for: Sex"] == coded["Speaks for: Disability"] == coded["Theme: Safety"] == "Yes"
    assert coded["Speaks for: Age"] == "" and by_text["Not coded"]["Theme: Safety"] == ""
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", coded["Received"]
    )  # ISO 8601, UK offset
