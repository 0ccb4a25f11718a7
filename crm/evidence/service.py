"""Writes on the evidence pack: recording how feedback was used on a policy, and the due-regard record of who
looked at which evidence. Services change the session and never commit: the caller owns the unit of work."""

from sqlalchemy import select

from crm.auth import roles
from crm.core import audit
from crm.core.models import utc_now
from crm.core.rules import RuleBroken, bounded_text
from crm.evidence import queries
from crm.extensions import db
from crm.feedback.models import Feedback
from crm.policies.models import INFLUENCE_USES, Policy, PolicyInfluence

MAX_TEXT = 10000


class EvidenceError(RuleBroken):
    """An influence decision was refused."""


def check_reached(policy: Policy, feedback_ids, field: str) -> list[int]:
    """The ids, sorted, if every one reached the policy: evidence must come from the policy's own pack."""
    ids = sorted({int(i) for i in feedback_ids})
    outside = queries.feedback_outside_policy(policy.id, ids)
    if outside:
        raise EvidenceError(
            field,
            "Feedback "
            + ", ".join(f"FB-{i}" for i in outside[:5])
            + f" did not reach {policy.reference}: pick from this policy's evidence pack",
        )
    return ids


def record_influence(actor, policy: Policy, feedback_ids, use: str, note: str) -> int:
    """Record how each item was used on the policy, replacing any earlier decision on the same item."""
    if not feedback_ids:
        raise EvidenceError("feedback", "Select at least one feedback item")
    if use not in INFLUENCE_USES:
        raise EvidenceError("use", "Select how the feedback was used")
    note = bounded_text(note, "note", "The reason", MAX_TEXT)
    if use == "no_change" and not note:
        raise EvidenceError("note", "Say why the feedback led to no change")
    ids = check_reached(policy, feedback_ids, "feedback")
    existing = {
        row.feedback_id: row
        for row in db.session.scalars(
            select(PolicyInfluence).where(
                PolicyInfluence.policy_id == policy.id, PolicyInfluence.feedback_id.in_(ids)
            )
        )
    }
    now, decided_by_id, policy_id = utc_now(), actor.id, policy.id
    for feedback_id in ids:
        row = existing.get(feedback_id)
        decision = {"use": use, "note": note, "decided_by_id": decided_by_id, "decided_at": now}
        if row is None:
            row = PolicyInfluence(policy_id=policy_id, feedback_id=feedback_id, **decision)
            db.session.add(row)
            action = "policy_influence.recorded"
        else:
            for name, value in decision.items():
                setattr(row, name, value)
            action = "policy_influence.updated"
        audit.record(actor, action, row, ["use", "note", "decided_by_id", "decided_at"])
    return len(ids)


def record_due_regard(actor, action: str, entity, fields=()) -> None:
    """Who had which evidence in front of them, and when: opening or exporting a pack or an approved EIA."""
    audit.record(actor, action, entity, fields)


def may_add_evidence(actor, policy: Policy) -> bool:
    """Officers and admins add feedback to any policy's evidence; a policy lead, to the policies they own."""
    if actor.has_role(roles.ADMIN, roles.ENGAGEMENT_OFFICER):
        return True
    return actor.has_role(roles.POLICY_LEAD) and policy.owner_id == actor.id


def add_to_evidence(actor, policy: Policy, feedback_ids) -> int:
    """Link feedback that reached no policy to this one, so it joins the policy's evidence pack. Each link is
    on record. Returns how many items were added."""
    if not may_add_evidence(actor, policy):
        raise EvidenceError(
            "feedback", f"Only officers, admins and the owner of {policy.reference} can add to it"
        )
    if policy.status == "retired":
        raise EvidenceError("feedback", f"{policy.reference} is retired and takes no new evidence")
    ids = sorted({int(i) for i in feedback_ids or []})
    if not ids:
        raise EvidenceError("feedback", "Select at least one feedback item")
    items = list(db.session.scalars(select(Feedback).where(Feedback.id.in_(ids))))
    if len(items) != len(ids):
        raise EvidenceError("feedback", "Select feedback from the list")
    for item in items:
        if policy not in item.policies:
            item.policies.append(policy)
            audit.record(actor, "feedback.linked_to_policy", item, ["policies"])
    return len(items)
