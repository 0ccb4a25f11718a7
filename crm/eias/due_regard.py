"""The due-regard record of a policy: at each decision, what was in front of the person who decided.

The public sector equality duty asks a decision-maker to have due regard to its three aims before and at
the time of the decision, with rigour, and courts look for a record made then. So nothing here is typed
again: each decision point (an EIA approved, the policy's status changed) is rebuilt from what was recorded
by that moment: the EIA in force and its findings with the feedback they cite, the coverage of the evidence
pack as it stood (feedback received and events held before), the engagement held, and who opened the
evidence.
"""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from crm.auth.models import StaffUser
from crm.consultations.models import Consultation, consultation_policy
from crm.core.models import AuditEvent
from crm.eias.models import EIA, EIAFinding
from crm.engagement.models import EngagementEvent, event_policy
from crm.evidence import queries as evidence
from crm.extensions import db
from crm.policies.models import Policy

AIMS = (
    ("aim_eliminate", "Eliminating unlawful discrimination, harassment and victimisation"),
    ("aim_opportunity", "Advancing equality of opportunity"),
    ("aim_relations", "Fostering good relations"),
)
# What shows a person had the evidence in front of them (crm.evidence.service.record_due_regard).
SEEING = {
    "evidence_pack.viewed": "opened the evidence pack",
    "evidence_pack.exported_csv": "exported the evidence pack (CSV)",
    "evidence_pack.exported_xlsx": "exported the evidence pack (XLSX)",
    "eia.viewed": "read the approved EIA",
    "eia.printed": "printed the approved EIA",
}


@dataclass
class Seen:
    who: str
    what: str
    at: datetime


@dataclass
class DecisionPoint:
    at: datetime
    title: str
    decided_by: str
    eia: EIA | None  # the EIA in force: the one approved here, or the last approved before
    aims: list[tuple[str, str]]
    findings: list[tuple[EIAFinding, list]]  # each finding with the feedback it cited that had arrived
    coverage: list[evidence.CoverageRow]
    total_feedback: int
    events: list[EngagementEvent]
    consultations: list[Consultation]
    seen: list[Seen] = field(default_factory=list)

    @property
    def gaps(self) -> list[evidence.CoverageRow]:
        return [row for row in self.coverage if not row.has_evidence]


def _names(ids) -> dict[int, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return {
        row.id: row.name
        for row in db.session.execute(select(StaffUser.id, StaffUser.name).where(StaffUser.id.in_(ids)))
    }


def _approved_eias(policy_id: int) -> list[EIA]:
    return list(
        db.session.scalars(
            select(EIA)
            .where(EIA.policy_id == policy_id, EIA.approved_at.is_not(None))
            .options(selectinload(EIA.findings).selectinload(EIAFinding.evidence))
            .order_by(EIA.approved_at)
        )
    )


def _status_changes(policy_id: int) -> list[AuditEvent]:
    events = db.session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.entity_type == Policy.__tablename__,
            AuditEvent.entity_id == str(policy_id),
            AuditEvent.action == "policy.updated",
        )
        .order_by(AuditEvent.occurred_at)
    )
    return [event for event in events if "status" in (event.changed_fields or [])]


def _seen_before(policy_id: int, eia_ids: list[int], at: datetime) -> list[AuditEvent]:
    on_policy = (AuditEvent.entity_type == Policy.__tablename__) & (AuditEvent.entity_id == str(policy_id))
    on_eias = (AuditEvent.entity_type == EIA.__tablename__) & AuditEvent.entity_id.in_(
        [str(i) for i in eia_ids]
    )
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(or_(on_policy, on_eias), AuditEvent.action.in_(list(SEEING)), AuditEvent.occurred_at <= at)
            .order_by(AuditEvent.occurred_at)
        )
    )


def due_regard_record(policy: Policy) -> list[DecisionPoint]:
    """Every decision point of the policy, oldest first, each with what was before the decision-maker."""
    eias = _approved_eias(policy.id)
    moments = [(eia.approved_at, f"EIA version {eia.version} approved", eia.approver_id, eia) for eia in eias]
    moments += [
        (event.occurred_at, "Policy status changed", event.actor_id, None)
        for event in _status_changes(policy.id)
    ]
    moments.sort(key=lambda moment: moment[0])
    names = _names([moment[2] for moment in moments])
    events = list(
        db.session.scalars(
            select(EngagementEvent)
            .join(event_policy, event_policy.c.event_id == EngagementEvent.id)
            .where(event_policy.c.policy_id == policy.id)
            .order_by(EngagementEvent.starts_at)
        )
    )
    consultations = list(
        db.session.scalars(
            select(Consultation)
            .join(consultation_policy, consultation_policy.c.consultation_id == Consultation.id)
            .where(consultation_policy.c.policy_id == policy.id)
            .order_by(Consultation.opens_at)
        )
    )
    points = []
    for at, title, decider_id, approved in moments:
        in_force = approved or next((eia for eia in reversed(eias) if eia.approved_at <= at), None)
        pack = evidence.evidence_pack(policy.id, evidence.EvidenceFilters(), per_page=1, before=at)
        seen = _seen_before(policy.id, [eia.id for eia in eias], at)
        seen_names = _names([event.actor_id for event in seen])
        points.append(
            DecisionPoint(
                at=at,
                title=title,
                decided_by=names.get(decider_id, "Not recorded"),
                eia=in_force,
                aims=[(label, getattr(in_force, name)) for name, label in AIMS] if in_force else [],
                findings=[
                    (finding, [item for item in finding.evidence if item.received_at < at])
                    for finding in (in_force.findings if in_force else [])
                ],
                coverage=pack.coverage,
                total_feedback=pack.total,
                events=[event for event in events if event.starts_at < at],
                consultations=[c for c in consultations if c.opens_at is not None and c.opens_at < at],
                seen=[
                    Seen(
                        seen_names.get(event.actor_id, event.actor_label),
                        SEEING[event.action],
                        event.occurred_at,
                    )
                    for event in seen
                ],
            )
        )
    return points
