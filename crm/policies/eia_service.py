"""Writes for policy influence, EIAs and outcomes. Rules first, then one commit with its audit event.

Every rule raises EvidenceError naming the field it is about, before anything is changed, so a refused
request leaves what was saved as it was.
"""

from datetime import date

from sqlalchemy import func, select

from crm.auth import roles
from crm.consultations import service as consultation_service
from crm.consultations.models import Consultation
from crm.core import audit
from crm.core.models import Characteristic, utc_now
from crm.core.rules import RuleBroken
from crm.extensions import db
from crm.feedback.models import Feedback
from crm.policies import evidence
from crm.policies.eia_models import (
    ACTION_STATUSES,
    DIRECTIONS,
    EIA,
    EIA_OUTCOMES,
    INFLUENCE_USES,
    SCREENING_DECISIONS,
    SEVERITIES,
    EIAAction,
    EIAFinding,
    Outcome,
    PolicyInfluence,
)
from crm.policies.models import Policy

MAX_TEXT = 10000
APPROVERS = (roles.ADMIN, roles.EQUALITY_LEAD)
DRAFTERS = (roles.ADMIN, roles.POLICY_LEAD)


class EvidenceError(RuleBroken):
    """An EIA, influence or outcome change was refused."""


def _text(values: dict, name: str, label: str, limit: int = MAX_TEXT) -> str:
    value = (values.get(name) or "").strip()
    if len(value) > limit:
        raise EvidenceError(name, f"{label} must be {limit:,} characters or fewer")
    return value


def _check_reached(policy: Policy, feedback_ids, field: str) -> list[int]:
    ids = sorted({int(i) for i in feedback_ids})
    outside = evidence.feedback_outside_policy(policy.id, ids)
    if outside:
        raise EvidenceError(
            field,
            "Feedback "
            + ", ".join(f"FB-{i}" for i in outside[:5])
            + f" did not reach {policy.reference}: pick from this policy's evidence pack",
        )
    return ids


# ---- Policy influence -----------------------------------------------------------------------------------


def record_influence(actor, policy: Policy, feedback_ids, use: str, note: str) -> int:
    """Record how each item was used on the policy, replacing any earlier decision on the same item."""
    if not feedback_ids:
        raise EvidenceError("feedback", "Select at least one feedback item")
    if use not in INFLUENCE_USES:
        raise EvidenceError("use", "Select how the feedback was used")
    note = _text({"note": note}, "note", "The reason")
    if use == "no_change" and not note:
        raise EvidenceError("note", "Say why the feedback led to no change")
    ids = _check_reached(policy, feedback_ids, "feedback")
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
    db.session.commit()
    return len(ids)


# ---- EIAs -----------------------------------------------------------------------------------------------

EIA_FIELDS = {
    "scope": "Scope",
    "aims": "Aims and objectives",
    "affected": "Who is affected",
    "decision": "The decision it informs",
    "screening_reason": "Reason for the screening decision",
    "data_sources": "Data sources",
    "data_gaps": "Gaps in the data",
    "aim_eliminate": "Eliminating discrimination",
    "aim_opportunity": "Advancing equality of opportunity",
    "aim_relations": "Fostering good relations",
    "justification": "Justification",
}
COPIED_FIELDS = [*EIA_FIELDS, "screening_decision", "outcome", "review_due"]


def _latest(policy: Policy) -> EIA | None:
    return db.session.scalar(
        select(EIA).where(EIA.policy_id == policy.id).order_by(EIA.version.desc()).limit(1)
    )


def start_eia(actor, policy: Policy) -> EIA:
    """A new version: a copy of the last one (findings, evidence and open actions), or a blank with a finding
    for every characteristic in use."""
    last = _latest(policy)
    if last is not None and last.status in ("draft", "in_review"):
        raise EvidenceError(
            "policy",
            f"Version {last.version} is still {last.status_label.lower()}: finish it before starting another",
        )
    eia = EIA(
        policy_id=policy.id, version=(last.version + 1) if last else 1, status="draft", assessor_id=actor.id
    )
    db.session.add(eia)
    characteristics = list(
        db.session.scalars(
            select(Characteristic)
            .where(Characteristic.is_retired.is_(False))
            .order_by(Characteristic.is_statutory.desc(), Characteristic.sort_order, Characteristic.name)
        )
    )
    previous = {finding.characteristic_id: finding for finding in last.findings} if last else {}
    if last is not None:
        eia.previous_id = last.id
        for name in COPIED_FIELDS:
            setattr(eia, name, getattr(last, name))
        for action in last.actions:
            if action.status not in ("done", "dropped"):
                eia.actions.append(
                    EIAAction(
                        description=action.description,
                        owner=action.owner,
                        due_date=action.due_date,
                        status=action.status,
                        monitoring=action.monitoring,
                    )
                )
    for position, characteristic in enumerate(characteristics):
        old = previous.get(characteristic.id)
        finding = EIAFinding(characteristic_id=characteristic.id, position=position)
        if old is not None:
            finding.direction, finding.severity, finding.narrative = (
                old.direction,
                old.severity,
                old.narrative,
            )
            finding.evidence = list(old.evidence)
        eia.findings.append(finding)
    audit.record(actor, "eia.created", eia, ["version", *(["previous_id"] if last else [])])
    db.session.commit()
    return eia


def _check_editable(eia: EIA, field: str = "scope") -> None:
    if eia.is_read_only:
        raise EvidenceError(
            field,
            f"This EIA is {eia.status_label.lower()}, so it cannot be changed: start a new version instead",
        )
    if eia.status == "in_review":
        raise EvidenceError(
            field, "This EIA is with the equality lead for review, so it cannot be changed now"
        )


def update_eia(actor, eia: EIA, values: dict) -> list[str]:
    _check_editable(eia)
    cleaned = {name: _text(values, name, label) for name, label in EIA_FIELDS.items()}
    screening = values.get("screening_decision") or ""
    if screening and screening not in SCREENING_DECISIONS:
        raise EvidenceError("screening_decision", "Select a screening decision")
    outcome = values.get("outcome") or ""
    if outcome and outcome not in EIA_OUTCOMES:
        raise EvidenceError("outcome", "Select an outcome")
    review_due = values.get("review_due")
    if review_due is not None and review_due <= date.today():
        raise EvidenceError("review_due", "The review date must be in the future")
    cleaned.update(screening_decision=screening, outcome=outcome, review_due=review_due)
    changed = audit.changed_field_names(eia, cleaned)
    if changed:
        audit.record(actor, "eia.updated", eia, changed)
    db.session.commit()
    return changed


def update_finding(
    actor, finding: EIAFinding, direction: str, severity: str, narrative: str, evidence_ids
) -> list[str]:
    eia = finding.eia
    _check_editable(eia, "narrative")
    if direction not in DIRECTIONS:
        raise EvidenceError("direction", "Select the direction of the impact")
    if severity and severity not in SEVERITIES:
        raise EvidenceError("severity", "Select how severe the impact is")
    narrative = _text({"narrative": narrative}, "narrative", "What the evidence shows")
    ids = _check_reached(eia.policy, evidence_ids or [], "evidence")
    chosen = list(db.session.scalars(select(Feedback).where(Feedback.id.in_(ids)))) if ids else []
    changed = audit.changed_field_names(
        finding, {"direction": direction, "severity": severity, "narrative": narrative}
    )
    if {item.id for item in finding.evidence} != set(ids):
        finding.evidence = chosen
        changed.append("evidence")
    if changed:
        audit.record(actor, "eia_finding.updated", finding, changed)
    db.session.commit()
    return changed


def add_action(
    actor, eia: EIA, description: str, owner: str, due_date: date | None, status: str, monitoring: str
):
    _check_editable(eia, "description")
    description = _text({"description": description}, "description", "The action", 2000)
    if not description:
        raise EvidenceError("description", "Describe the action")
    owner = _text({"owner": owner}, "owner", "The owner", 200)
    if not owner:
        raise EvidenceError("owner", "Enter who owns the action")
    if due_date is None:
        raise EvidenceError("due_date", "Enter the date the action is due")
    if due_date < date.today():
        raise EvidenceError("due_date", "The due date must be today or in the future")
    if status not in ACTION_STATUSES:
        raise EvidenceError("status", "Select the action's status")
    monitoring = _text({"monitoring": monitoring}, "monitoring", "How it will be monitored", 2000)
    if not monitoring:
        raise EvidenceError("monitoring", "Say how the action will be monitored")
    action = EIAAction(
        eia=eia, description=description, owner=owner, due_date=due_date, status=status, monitoring=monitoring
    )
    db.session.add(action)
    audit.record(
        actor, "eia_action.created", action, ["description", "owner", "due_date", "status", "monitoring"]
    )
    db.session.commit()
    return action


def set_action_status(actor, action: EIAAction, status: str) -> bool:
    """Track an action's progress. Allowed after approval too: actions are followed up once an EIA is
    signed off, and the assessment itself stays as it was approved. A superseded EIA's actions are closed."""
    if action.eia.status == "superseded":
        raise EvidenceError("status", "This EIA has been superseded; track the action on the newer version")
    if status not in ACTION_STATUSES:
        raise EvidenceError("status", "Select the action's status")
    if action.status == status:
        return False
    action.status = status
    audit.record(actor, "eia_action.status_changed", action, ["status"])
    db.session.commit()
    return True


def submission_problems(eia: EIA) -> list[tuple[str, str]]:
    """(anchor, message) for everything that stops an EIA going to review."""
    problems = []
    for name, label in (
        ("scope", "the scope"),
        ("aims", "the aims and objectives"),
        ("affected", "who is affected"),
    ):
        if not getattr(eia, name).strip():
            problems.append((name, f"Enter {label}"))
    if not eia.screening_decision:
        problems.append(("screening_decision", "Select a screening decision"))
    if not eia.screening_reason.strip():
        problems.append(("screening_reason", "Give the reason for the screening decision"))
    for name, label in (
        ("aim_eliminate", "eliminating discrimination"),
        ("aim_opportunity", "advancing equality of opportunity"),
        ("aim_relations", "fostering good relations"),
    ):
        if not getattr(eia, name).strip():
            problems.append((name, f"Say how the policy serves the aim of {label}"))
    if not eia.outcome:
        problems.append(("outcome", "Select an outcome"))
    if not eia.justification.strip():
        problems.append(("justification", "Give the justification for the outcome"))
    if eia.review_due is None:
        problems.append(("review_due", "Enter a review date"))
    for finding in eia.findings:
        if finding.is_empty:
            problems.append(
                (
                    f"finding-{finding.id}",
                    f"The finding for {finding.characteristic.name} cites no evidence and says nothing: "
                    "pick feedback or explain the impact",
                )
            )
    return problems


def submit_eia(actor, eia: EIA) -> None:
    if eia.status != "draft":
        raise EvidenceError(
            "submit", f"Only a draft can be sent for review; this EIA is {eia.status_label.lower()}"
        )
    problems = submission_problems(eia)
    if problems:
        raise EvidenceError("submit", "; ".join(message for _anchor, message in problems))
    eia.status, eia.submitted_at = "in_review", utc_now()
    if eia.assessor_id is None:
        eia.assessor_id = actor.id
    audit.record(actor, "eia.submitted", eia, ["status", "submitted_at"])
    db.session.commit()


def _check_reviewer(actor, eia: EIA) -> None:
    if not actor.has_role(*APPROVERS):
        raise EvidenceError("decision", "Only an equality lead can approve or return an EIA")
    if eia.status != "in_review":
        raise EvidenceError(
            "decision",
            f"Only an EIA in review can be approved or returned; this one is {eia.status_label.lower()}",
        )
    if actor.id == eia.assessor_id:
        raise EvidenceError("decision", "You drafted this EIA, so someone else must approve it")


def review_eia(actor, eia: EIA, decision: str, comments: str) -> None:
    _check_reviewer(actor, eia)
    comments = _text({"comments": comments}, "comments", "Comments", 5000)
    if decision == "approve":
        now = utc_now()
        eia.status, eia.approver_id, eia.approved_at, eia.review_comments = (
            "approved",
            actor.id,
            now,
            comments,
        )
        for older in db.session.scalars(
            select(EIA).where(
                EIA.policy_id == eia.policy_id, EIA.id != eia.id, EIA.status.in_(("approved", "published"))
            )
        ):
            older.status = "superseded"
            audit.record(actor, "eia.superseded", older, ["status"])
        audit.record(actor, "eia.approved", eia, ["status", "approver_id", "approved_at", "review_comments"])
    elif decision == "return":
        if not comments:
            raise EvidenceError("comments", "Say what needs to change before it can be approved")
        eia.status, eia.review_comments, eia.submitted_at = "draft", comments, None
        audit.record(actor, "eia.returned", eia, ["status", "review_comments"])
    else:
        raise EvidenceError("decision", "Select whether to approve the EIA or return it")
    db.session.commit()


def publish_eia(actor, eia: EIA) -> None:
    if eia.status != "approved":
        raise EvidenceError("publish", "Only an approved EIA can be marked as published")
    eia.status, eia.published_at = "published", utc_now()
    audit.record(actor, "eia.published", eia, ["status", "published_at"])
    db.session.commit()


def record_due_regard(actor, action: str, entity, fields=()) -> None:
    """Who had which evidence in front of them, and when: opening or exporting a pack or an approved EIA."""
    audit.record(actor, action, entity, fields)
    db.session.commit()


# ---- Outcomes -------------------------------------------------------------------------------------------

OUTCOME_READY = ("closed", "analysed", "outcome_published")


def outcome_for(consultation: Consultation) -> Outcome | None:
    return db.session.scalar(select(Outcome).where(Outcome.consultation_id == consultation.id))


def _check_consultation_feedback(consultation: Consultation, feedback_ids) -> list[int]:
    ids = sorted({int(i) for i in feedback_ids})
    if not ids:
        return []
    found = set(
        db.session.scalars(
            select(Feedback.id).where(
                Feedback.id.in_(ids),
                Feedback.consultation_id == consultation.id,
                Feedback.status != "excluded",
            )
        )
    )
    outside = [i for i in ids if i not in found]
    if outside:
        raise EvidenceError(
            "feedback",
            "Feedback " + ", ".join(f"FB-{i}" for i in outside[:5]) + " was not given to this consultation",
        )
    return ids


def save_outcome(actor, consultation: Consultation, values: dict, feedback_ids) -> Outcome:
    if consultation.current_status not in OUTCOME_READY:
        raise EvidenceError("we_asked", "Write the outcome once the consultation has closed")
    cleaned = {
        "we_asked": _text(values, "we_asked", "We asked", 5000),
        "you_said": _text(values, "you_said", "You said", 5000),
        "we_did": _text(values, "we_did", "We did", 5000),
    }
    ids = _check_consultation_feedback(consultation, feedback_ids)
    outcome = outcome_for(consultation)
    if outcome is None:
        outcome = Outcome(consultation_id=consultation.id, status="draft")
        db.session.add(outcome)
        changed = list(cleaned)
        outcome.we_asked, outcome.you_said, outcome.we_did = (
            cleaned["we_asked"],
            cleaned["you_said"],
            cleaned["we_did"],
        )
        action = "outcome.created"
    else:
        changed = audit.changed_field_names(outcome, cleaned)
        action = "outcome.updated"
    if {item.id for item in outcome.feedback} != set(ids):
        outcome.feedback = (
            list(db.session.scalars(select(Feedback).where(Feedback.id.in_(ids)))) if ids else []
        )
        changed.append("feedback")
    if changed:
        audit.record(actor, action, outcome, changed)
    db.session.commit()
    return outcome


def publish_outcome(actor, consultation: Consultation) -> Outcome:
    """Publish "we asked, you said, we did" and move the consultation to "outcome published"."""
    outcome = outcome_for(consultation)
    if outcome is None:
        raise EvidenceError("we_asked", "Write the outcome before publishing it")
    for name, label in (("we_asked", "what we asked"), ("we_did", "what we did")):
        if not getattr(outcome, name).strip():
            raise EvidenceError(name, f"Say {label} before publishing")
    if outcome.is_published:
        raise EvidenceError("we_asked", "This outcome is already published")
    status = consultation.current_status
    if status not in OUTCOME_READY:
        raise EvidenceError("we_asked", "Publish the outcome once the consultation has closed")
    outcome.status, outcome.published_at, outcome.published_by_id = "published", utc_now(), actor.id
    audit.record(actor, "outcome.published", outcome, ["status", "published_at", "published_by_id"])
    # The consultation's own lifecycle moves it on (closed -> analysed -> outcome published); its first commit
    # also commits the outcome, so the public never sees one without the other for long.
    if status == "closed":
        consultation_service.transition(actor, consultation, "analyse")
    if consultation.current_status == "analysed":
        consultation_service.transition(actor, consultation, "publish-outcome")
    else:
        db.session.commit()
    return outcome


def theme_counts(consultation_id: int) -> list[tuple[str, int]]:
    """Themes coded on the consultation's feedback (not excluded), most mentioned first."""
    from crm.core.models import Theme
    from crm.feedback.models import feedback_theme

    rows = db.session.execute(
        select(Theme.name, func.count())
        .join(feedback_theme, feedback_theme.c.theme_id == Theme.id)
        .join(Feedback, Feedback.id == feedback_theme.c.feedback_id)
        .where(Feedback.consultation_id == consultation_id, Feedback.status != "excluded")
        .group_by(Theme.name)
        .order_by(func.count().desc(), Theme.name)
    ).all()
    return [(row[0], row[1]) for row in rows]
