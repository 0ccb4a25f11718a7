"""The due-regard record: each decision with what the decision-maker had then, never what came later."""

from datetime import timedelta

from crm.auth import roles
from crm.core.models import AuditEvent, Characteristic, utc_now
from crm.eias.models import EIA, EIAFinding
from crm.extensions import db
from tests.factories import make_user
from tests.policy_factories import make_event, make_feedback, make_policy


def _days_ago(days: int):
    return utc_now() - timedelta(days=days)


def _characteristic(name: str) -> Characteristic:
    return db.session.query(Characteristic).filter_by(name=name).one()


def _event(actor, policy, action: str, days_ago: int, fields=()) -> AuditEvent:
    return AuditEvent(
        actor_id=actor.id,
        actor_label=actor.email,
        action=action,
        entity_type="policy",
        entity_id=str(policy.id),
        changed_fields=list(fields),
        occurred_at=_days_ago(days_ago),
    )


def _record(client, policy) -> str:
    response = client.get(f"/staff/policies/{policy.id}/due-regard")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_each_decision_shows_the_evidence_as_it_stood_then(client, sign_in_as):
    policy = make_policy(title="Bus network review")
    approver = make_user(roles.EQUALITY_LEAD, name="Ama Approver")
    make_event([policy], title="Drop-in at the library", starts_at=_days_ago(20))
    make_event([policy], title="Workshop after the decision", starts_at=_days_ago(3))
    before = make_feedback(
        "Step-free access at stops",
        policies=[policy],
        characteristics=["Disability"],
        received_at=_days_ago(10),
    )
    after = make_feedback(
        "Late buses for carers", policies=[policy], characteristics=["Age"], received_at=_days_ago(2)
    )
    eia = EIA(
        policy_id=policy.id,
        version=1,
        status="approved",
        aim_eliminate="Fares checked for indirect discrimination",
        aim_opportunity="Step-free routes first",
        aim_relations="",
        approver_id=approver.id,
        approved_at=_days_ago(5),
    )
    db.session.add(eia)
    db.session.flush()
    finding = EIAFinding(
        eia_id=eia.id, characteristic_id=_characteristic("Disability").id, direction="negative"
    )
    finding.evidence = [before, after]  # cited when the EIA was reopened later: not before the decision
    db.session.add(finding)
    db.session.add_all(
        [
            _event(approver, policy, "evidence_pack.viewed", days_ago=6),
            _event(approver, policy, "evidence_pack.viewed", days_ago=2),
            _event(approver, policy, "policy.updated", days_ago=1, fields=["status"]),
        ]
    )
    db.session.commit()

    sign_in_as(roles.VIEWER)
    page = _record(client, policy)
    approval, status_change = page.split("Policy status changed")
    assert "EIA version 1 approved" in approval and "Ama Approver" in approval
    assert "Fares checked for indirect discrimination" in approval and "Not addressed in the EIA" in approval
    assert f"FB-{before.id}" in approval and f"FB-{after.id}" not in approval
    assert "Drop-in at the library" in approval and "Workshop after the decision" not in approval
    # Age was heard only after the approval: at that moment it was a missing voice.
    missing = approval.split("Missing voices at the time:")[1].split(".")[0]
    assert "Age" in missing and "Disability" not in missing
    assert approval.count("opened the evidence pack") == 1
    # The later decision had the later evidence, and still the EIA approved before it.
    assert "Workshop after the decision" in status_change and "Fares checked" in status_change
    assert status_change.count("opened the evidence pack") == 2


def test_a_policy_without_decisions_says_so(client, sign_in_as):
    policy = make_policy()
    sign_in_as(roles.VIEWER)
    assert "No decision has been recorded yet" in _record(client, policy)


def test_the_record_needs_sign_in_and_an_existing_policy(client, sign_in_as):
    policy = make_policy()
    response = client.get(f"/staff/policies/{policy.id}/due-regard")
    assert response.status_code == 302 and "/staff/sign-in" in response.headers["Location"]
    sign_in_as(roles.VIEWER)
    assert client.get("/staff/policies/999999/due-regard").status_code == 404
