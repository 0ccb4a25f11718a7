"""The demo evidence: three policies with packs, an approved EIA citing feedback, one in review, a clear gap,
two published outcomes; a second run changes nothing."""

from sqlalchemy import func, select

from crm.core.models import AuditEvent
from crm.core.transaction import unit_of_work
from crm.demo import seed_demo
from crm.eias.models import EIA
from crm.evidence import queries as evidence
from crm.evidence.models import OutreachTask
from crm.extensions import db
from crm.outcomes.models import Outcome
from crm.policies.models import Policy


def test_demo_evidence(client):
    with unit_of_work():  # as the seed-demo command runs it
        created = seed_demo()
    assert created is True
    audits = db.session.scalar(select(func.count()).select_from(AuditEvent))
    policies = db.session.scalars(select(Policy).where(Policy.reference.like("DEMO-POL-%"))).all()
    assert len(policies) == 3
    coded = {}
    for policy in policies:
        rows = evidence.evidence_pack(policy.id, evidence.EvidenceFilters()).coverage
        coded[policy.reference] = [row.characteristic.name for row in rows if row.has_evidence]
        assert evidence.evidence_pack(policy.id, evidence.EvidenceFilters()).total > 0
    assert all(coded.values())
    homes = next(p for p in policies if p.reference == "DEMO-POL-003")
    gaps = [
        row.characteristic.name
        for row in evidence.evidence_pack(homes.id, evidence.EvidenceFilters()).coverage
        if row.target_not_reached
    ]
    assert gaps == ["Carers"]
    # Outreach is planned for that gap, and still open.
    tasks = db.session.scalars(select(OutreachTask)).all()
    assert [(task.policy_id, task.characteristic.name, task.status) for task in tasks] == [
        (homes.id, "Carers", "open")
    ]

    statuses = dict(db.session.execute(select(EIA.status, func.count()).group_by(EIA.status)).all())
    assert statuses == {"approved": 1, "in_review": 1}
    approved = db.session.scalar(select(EIA).where(EIA.status == "approved"))
    assert sum(len(finding.evidence) for finding in approved.findings) >= 3
    assert approved.approver_id != approved.assessor_id
    outcomes = db.session.scalars(select(Outcome).where(Outcome.status == "published")).all()
    assert len(outcomes) == 2
    assert all(o.consultation.status == "outcome_published" for o in outcomes)

    assert seed_demo() is False
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == audits
    assert "Kerb-separated lanes" in client.page("/outcomes").get_text()


def test_demo_bodies_show_a_public_register_and_an_overdue_response(client):
    from crm.bodies.models import StandingBody

    with unit_of_work():
        seed_demo()
    body = db.session.scalar(
        select(StandingBody).where(StandingBody.name == "Young Combined Authority (demo)")
    )
    register = client.page(f"/bodies/{body.slug}").get_text()
    assert "Our response: accepted in part" in register and "Our response: not accepted" in register
    assert "Response not yet published" in register  # the overdue one
    assert len(body.memberships) == 2 and len(body.meetings) == 1
