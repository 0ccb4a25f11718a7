"""EIAs: versions, findings citing the policy's feedback with provenance, actions, the review workflow and its
role rules, read-only sign-off, reviews due, the print view and the due-regard record."""

from datetime import date, timedelta

from sqlalchemy import select

from crm.auth import roles
from crm.core.models import AuditEvent, Characteristic
from crm.eias.models import EIA, EIAAction, EIAFinding
from crm.extensions import db
from tests.consultation_factories import make_consultation
from tests.factories import PASSWORD, make_group
from tests.policy_factories import make_event, make_feedback, make_policy

FUTURE = date.today() + timedelta(days=365)


def _date(prefix: str, day: date) -> dict:
    return {prefix: [str(day.day), str(day.month), str(day.year)]}


def _complete_values(**changes) -> dict:
    values = {
        "scope": "Later evening buses across Sandwell",
        "aims": "Let people work evening shifts",
        "affected": "Residents who travel after 7pm",
        "decision": "Transport board, March",
        "screening_decision": "full",
        "screening_reason": "Disabled and older people rely on buses most",
        "data_sources": "Census 2021, consultation responses, street outreach",
        "data_gaps": "Few responses from carers",
        "aim_eliminate": "Drivers trained on disability awareness",
        "aim_opportunity": "More jobs reachable after dark",
        "aim_relations": "Community ambassadors at stops",
        "outcome": "adjust",
        "justification": "Step-free stops added before launch",
        **_date("review_due", FUTURE),
    }
    values.update(changes)
    return values


def _start(client, policy) -> EIA:
    response = client.submit(
        f"/staff/policies/{policy.id}/eias", {}, form_page=f"/staff/policies/{policy.id}"
    )
    assert response.status_code == 302
    return db.session.scalar(select(EIA).where(EIA.policy_id == policy.id).order_by(EIA.version.desc()))


def _ready_eia(client, policy, evidence_item) -> EIA:
    """A draft that passes every check: complete, a narrative on every finding, one citing the item."""
    eia = _start(client, policy)
    url = f"/staff/eias/{eia.id}"
    assert client.submit(url + "/edit", _complete_values()).status_code == 302
    for finding in eia.findings:
        data = {"direction": "neutral", "narrative": "No different impact found."}
        if finding.characteristic.name == "Disability":
            data = {"direction": "negative", "severity": "high", "narrative": "Stops lack ramps."}
            data["evidence"] = [str(evidence_item.id)]
        client.submit(f"{url}/findings/{finding.id}", data, form_page=f"{url}/findings/{finding.id}")
    return eia


def _as(app, make_user, role):
    client = app.test_client()
    user = make_user(role=role)
    assert client.submit("/staff/sign-in", {"email": user.email, "password": PASSWORD}).status_code == 302
    return client, user


def test_a_new_eia_has_a_finding_for_every_characteristic_in_use(client, sign_in_as):
    policy = make_policy()
    lead = sign_in_as(roles.POLICY_LEAD)
    eia = _start(client, policy)
    names = [finding.characteristic.name for finding in eia.findings]
    in_use = db.session.scalars(select(Characteristic.name).where(Characteristic.is_retired.is_(False))).all()
    assert sorted(names) == sorted(in_use) and "Carers" in names and "Race" in names
    assert eia.version == 1 and eia.status == "draft" and eia.assessor_id == lead.id


def test_findings_cite_feedback_with_its_provenance(client, sign_in_as):
    policy = make_policy()
    consultation = make_consultation("closed", policy_ids=[policy.id], title="Evening buses survey")
    group = make_group("Tipton Deaf Club")
    event = make_event([policy], title="Skills Street at Tipton market", kind="street_outreach")
    outreach = make_feedback(
        "Drivers do not wait for me to sit down",
        event=event,
        group=group,
        source="event",
        characteristics=["Disability"],
    )
    answered = make_feedback(
        "The stop has no dropped kerb",
        consultation=consultation,
        source="response",
        characteristics=["Disability"],
    )
    sign_in_as(roles.POLICY_LEAD)
    eia = _start(client, policy)
    finding = next(f for f in eia.findings if f.characteristic.name == "Disability")
    url = f"/staff/eias/{eia.id}/findings/{finding.id}"
    picker = client.page(url)
    assert picker.select_one(f"#evidence-{outreach.id}") is not None  # offered: coded as Disability
    response = client.submit(
        url,
        {
            "direction": "negative",
            "severity": "high",
            "narrative": "",
            "evidence": [outreach.id, answered.id],
        },
        form_page=url,
    )
    assert response.status_code == 302
    page = client.page(f"/staff/eias/{eia.id}")
    section = page.select_one(f"#finding-{finding.id}").get_text(" ", strip=True)
    assert "Drivers do not wait for me to sit down" in section
    assert "Engagement event, at Skills Street at Tipton market, from Tipton Deaf Club" in section
    assert "Consultation response, to Evening buses survey" in section
    assert outreach.received_at.strftime("%Y") in section


def test_evidence_from_another_policy_is_refused_and_nothing_changes(client, sign_in_as):
    policy, other = make_policy(), make_policy()
    mine = make_feedback("Ramps please", policies=[policy], characteristics=["Disability"])
    theirs = make_feedback("About housing", policies=[other])
    sign_in_as(roles.POLICY_LEAD)
    eia = _start(client, policy)
    finding = eia.findings[0]
    url = f"/staff/eias/{eia.id}/findings/{finding.id}"
    client.submit(url, {"direction": "negative", "narrative": "First", "evidence": [mine.id]}, form_page=url)
    response = client.submit(
        url,
        {"direction": "positive", "narrative": "Changed", "evidence": [mine.id, theirs.id]},
        form_page=url,
    )
    assert response.status_code == 200
    assert f"Feedback FB-{theirs.id} did not reach {policy.reference}" in response.get_data(as_text=True)
    for tampered in ("999999", "abc"):
        client.submit(url, {"direction": "positive", "narrative": "x", "evidence": [tampered]}, form_page=url)
    db.session.expire_all()
    finding = db.session.get(EIAFinding, finding.id)
    assert (finding.direction, finding.narrative) == ("negative", "First")
    assert [item.id for item in finding.evidence] == [mine.id]


def test_submitting_with_a_finding_that_cites_nothing_and_says_nothing_is_refused(client, sign_in_as):
    policy = make_policy()
    item = make_feedback("Ramps please", policies=[policy], characteristics=["Disability"])
    sign_in_as(roles.POLICY_LEAD)
    eia = _ready_eia(client, policy, item)
    empty = next(f for f in eia.findings if f.characteristic.name == "Race")
    url = f"/staff/eias/{eia.id}/findings/{empty.id}"
    client.submit(url, {"direction": "unknown", "narrative": ""}, form_page=url)
    response = client.submit(f"/staff/eias/{eia.id}/submit", {}, form_page=f"/staff/eias/{eia.id}")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "This EIA is not ready for review: 1 thing to fix" in text
    assert "The finding for Race cites no evidence and says nothing" in text
    db.session.expire_all()
    assert db.session.get(EIA, eia.id).status == "draft"


def test_an_incomplete_eia_lists_what_is_missing(client, sign_in_as):
    policy = make_policy()
    sign_in_as(roles.POLICY_LEAD)
    eia = _start(client, policy)
    text = client.submit(f"/staff/eias/{eia.id}/submit", {}, form_page=f"/staff/eias/{eia.id}").get_data(
        as_text=True
    )
    for message in (
        "Enter the scope",
        "Select a screening decision",
        "Select an outcome",
        "Enter a review date",
    ):
        assert message in text


def test_the_workflow_draft_review_approve_publish_and_its_role_rules(app, make_user):
    policy = make_policy()
    item = make_feedback("Ramps please", policies=[policy], characteristics=["Disability"])
    lead, lead_user = _as(app, make_user, roles.POLICY_LEAD)
    eia = _ready_eia(lead, policy, item)
    url = f"/staff/eias/{eia.id}"
    assert lead.submit(url + "/submit", {}, form_page=url).status_code == 302
    db.session.expire_all()
    assert db.session.get(EIA, eia.id).status == "in_review"

    # A policy lead cannot approve at all; an admin who drafted it cannot approve their own.
    assert lead.post(url + "/review", data={"csrf_token": lead.csrf_token("/staff/")}).status_code == 403
    equality, equality_user = _as(app, make_user, roles.EQUALITY_LEAD)
    response = equality.submit(url + "/review", {"decision": "return", "comments": ""}, form_page=url)
    assert "Say what needs to change" in response.get_data(as_text=True)
    equality.submit(url + "/review", {"decision": "return", "comments": "Add the carers gap"}, form_page=url)
    db.session.expire_all()
    returned = db.session.get(EIA, eia.id)
    assert (returned.status, returned.review_comments) == ("draft", "Add the carers gap")
    assert "Returned for changes: Add the carers gap" in lead.page(url).get_text()

    lead.submit(url + "/submit", {}, form_page=url)
    assert (
        equality.submit(url + "/review", {"decision": "approve", "comments": ""}, form_page=url).status_code
        == 302
    )
    db.session.expire_all()
    approved = db.session.get(EIA, eia.id)
    assert approved.status == "approved" and approved.approver_id == equality_user.id
    assert approved.approved_at is not None
    page = lead.page(url).get_text(" ", strip=True)
    assert f"Approved by {equality_user.name}" in page
    assert lead.submit(url + "/publish", {}, form_page=url).status_code == 302
    db.session.expire_all()
    assert db.session.get(EIA, eia.id).status == "published"
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.entity_type == "eia", AuditEvent.entity_id == str(eia.id))
    ).all()
    for action in ("eia.created", "eia.submitted", "eia.returned", "eia.approved", "eia.published"):
        assert action in actions


def test_approving_your_own_eia_is_refused(app, make_user):
    policy = make_policy()
    item = make_feedback("Ramps please", policies=[policy], characteristics=["Disability"])
    admin, _ = _as(app, make_user, roles.ADMIN)
    eia = _ready_eia(admin, policy, item)
    url = f"/staff/eias/{eia.id}"
    admin.submit(url + "/submit", {}, form_page=url)
    response = admin.submit(url + "/review", {"decision": "approve", "comments": "Fine"}, form_page=url)
    assert response.status_code == 200
    assert "You drafted this EIA, so someone else must approve it" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(EIA, eia.id).status == "in_review"


def test_an_approved_eia_is_read_only(app, make_user):
    policy = make_policy()
    item = make_feedback("Ramps please", policies=[policy], characteristics=["Disability"])
    lead, _ = _as(app, make_user, roles.POLICY_LEAD)
    eia = _ready_eia(lead, policy, item)
    url = f"/staff/eias/{eia.id}"
    lead.submit(url + "/submit", {}, form_page=url)
    equality, _ = _as(app, make_user, roles.EQUALITY_LEAD)
    equality.submit(url + "/review", {"decision": "approve"}, form_page=url)
    token = lead.csrf_token("/staff/")
    response = lead.post(url + "/edit", data={"csrf_token": token, **_complete_values(scope="Rewritten")})
    assert response.status_code == 200
    assert "This EIA is approved, so it cannot be changed: start a new version" in response.get_data(
        as_text=True
    )
    finding = eia.findings[0]
    lead.post(
        f"{url}/findings/{finding.id}", data={"csrf_token": token, "direction": "positive", "narrative": "x"}
    )
    lead.post(
        url + "/actions/new",
        data={
            "csrf_token": token,
            "description": "x",
            "owner": "y",
            "status": "planned",
            "monitoring": "z",
            **_date("due_date", FUTURE),
        },
    )
    db.session.expire_all()
    again = db.session.get(EIA, eia.id)
    assert again.scope == "Later evening buses across Sandwell" and again.actions == []
    assert db.session.get(EIAFinding, finding.id).narrative != "x"
    assert lead.get(url + "/edit").status_code == 302  # sent back to the read-only page
    assert "Edit the assessment" not in lead.page(url).get_text()


def test_a_new_version_copies_the_last_and_approval_supersedes_it(app, make_user):
    policy = make_policy()
    item = make_feedback("Ramps please", policies=[policy], characteristics=["Disability"])
    lead, _ = _as(app, make_user, roles.POLICY_LEAD)
    first = _ready_eia(lead, policy, item)
    url = f"/staff/eias/{first.id}"
    lead.submit(url + "/submit", {}, form_page=url)
    response = lead.submit(f"/staff/policies/{policy.id}/eias", {}, form_page=f"/staff/policies/{policy.id}")
    assert response.status_code == 302  # refused while version 1 is in review
    assert db.session.scalar(select(db.func.count()).select_from(EIA)) == 1
    equality, _ = _as(app, make_user, roles.EQUALITY_LEAD)
    equality.submit(url + "/review", {"decision": "approve"}, form_page=url)

    second = _start(lead, policy)
    assert second.version == 2 and second.previous_id == first.id and second.status == "draft"
    assert second.scope == "Later evening buses across Sandwell"
    copied = next(f for f in second.findings if f.characteristic.name == "Disability")
    assert [e.id for e in copied.evidence] == [item.id] and copied.narrative == "Stops lack ramps."
    url2 = f"/staff/eias/{second.id}"
    lead.submit(url2 + "/submit", {}, form_page=url2)
    equality.submit(url2 + "/review", {"decision": "approve"}, form_page=url2)
    db.session.expire_all()
    assert db.session.get(EIA, first.id).status == "superseded"
    assert db.session.get(EIA, second.id).status == "approved"


def test_actions_need_a_future_due_date(client, sign_in_as):
    policy = make_policy()
    sign_in_as(roles.POLICY_LEAD)
    eia = _start(client, policy)
    url = f"/staff/eias/{eia.id}/actions/new"
    data = {
        "description": "Fit ramps at 12 stops",
        "owner": "Bus stops team",
        "status": "planned",
        "monitoring": "Stops audited each quarter",
    }
    response = client.submit(url, {**data, **_date("due_date", date.today() - timedelta(days=1))})
    assert response.status_code == 200
    assert "The due date must be today or in the future" in response.get_data(as_text=True)
    assert db.session.scalar(select(EIAAction)) is None
    assert client.submit(url, {**data, **_date("due_date", FUTURE)}).status_code == 302
    action = db.session.scalar(select(EIAAction))
    assert (action.owner, action.due_date, action.monitoring) == (
        "Bus stops team",
        FUTURE,
        "Stops audited each quarter",
    )


def test_unknown_ids_are_404(client, sign_in_as):
    policy = make_policy()
    sign_in_as(roles.POLICY_LEAD)
    eia = _start(client, policy)
    assert client.get("/staff/eias/99999").status_code == 404
    assert client.get(f"/staff/eias/{eia.id}/findings/99999").status_code == 404
    other = _start(client, make_policy())
    assert client.get(f"/staff/eias/{eia.id}/findings/{other.findings[0].id}").status_code == 404


def test_reviews_due_or_overdue_are_listed(client, sign_in_as):
    soon, later, overdue = make_policy(title="Soon"), make_policy(title="Later"), make_policy(title="Overdue")
    for policy, days in ((soon, 20), (later, 400), (overdue, -5)):
        db.session.add(
            EIA(
                policy_id=policy.id,
                version=1,
                status="approved",
                review_due=date.today() + timedelta(days=days),
            )
        )
    db.session.commit()
    sign_in_as(roles.EQUALITY_LEAD)
    page = client.page("/staff/eias")
    due = page.select("table")[0].get_text(" ", strip=True)
    assert "Soon" in due and "Due soon" in due and "Overdue" in due and "Later" not in due


def test_opening_an_approved_eia_and_its_print_view_is_on_record(client, sign_in_as):
    policy = make_policy()
    draft = EIA(policy_id=policy.id, version=1, status="draft")
    approved = EIA(policy_id=policy.id, version=2, status="approved")
    db.session.add_all([draft, approved])
    db.session.commit()
    viewer = sign_in_as(roles.VIEWER)
    client.page(f"/staff/eias/{draft.id}")
    client.page(f"/staff/eias/{approved.id}")
    page = client.page(f"/staff/eias/{approved.id}/print")
    assert page.select_one("nav") is None and "Impact by characteristic" in page.get_text()
    rows = db.session.execute(
        select(AuditEvent.action, AuditEvent.entity_id).where(
            AuditEvent.actor_id == viewer.id, AuditEvent.action.like("eia.%")
        )
    ).all()
    assert sorted(rows) == [("eia.printed", str(approved.id)), ("eia.viewed", str(approved.id))]


def test_action_progress_is_tracked_after_sign_off_without_changing_the_assessment(app, make_user):
    policy = make_policy()
    item = make_feedback("Ramps please", policies=[policy], characteristics=["Disability"])
    lead, _ = _as(app, make_user, roles.POLICY_LEAD)
    eia = _ready_eia(lead, policy, item)
    url = f"/staff/eias/{eia.id}"
    action = EIAAction(
        eia_id=eia.id,
        description="Add ramps at six stops",
        owner="Transport team",
        due_date=FUTURE,
        status="planned",
        monitoring="Quarterly audit",
    )
    db.session.add(action)
    db.session.commit()
    lead.submit(url + "/submit", {}, form_page=url)
    equality, _ = _as(app, make_user, roles.EQUALITY_LEAD)
    equality.submit(url + "/review", {"decision": "approve"}, form_page=url)

    response = equality.submit(f"{url}/actions/{action.id}/status", {"status": "in_progress"}, form_page=url)
    assert response.status_code == 302 and response.location.endswith("#actions")
    db.session.expire_all()
    assert db.session.get(EIAAction, action.id).status == "in_progress"
    assert db.session.get(EIA, eia.id).status == "approved"
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "eia_action.status_changed"))

    equality.submit(f"{url}/actions/{action.id}/status", {"status": "finished-ish"}, form_page=url)
    assert "Select the action" in equality.page(url).get_text()
    db.session.expire_all()
    assert db.session.get(EIAAction, action.id).status == "in_progress"
    assert (
        equality.submit(f"{url}/actions/999999/status", {"status": "done"}, form_page=url).status_code == 404
    )
