"""Writes for EIAs: versions, findings citing evidence, actions, review and sign-off. Every rule raises
EIAError naming the field it is about. Services change the session and never commit: the caller owns the
unit of work."""

from datetime import date

from sqlalchemy import select

from crm.auth import roles
from crm.bodies import queries as bodies
from crm.core import audit
from crm.core.models import Characteristic, utc_now
from crm.core.rules import RuleBroken, bounded_text
from crm.eias.models import (
    ACTION_STATUSES,
    DIRECTIONS,
    EIA,
    EIA_OUTCOMES,
    SCREENING_DECISIONS,
    SEVERITIES,
    EIAAction,
    EIAFinding,
)
from crm.evidence.service import check_reached
from crm.extensions import db
from crm.feedback.models import Feedback
from crm.policies.models import Policy

MAX_TEXT = 10000
APPROVERS = (roles.ADMIN, roles.EQUALITY_LEAD)
DRAFTERS = (roles.ADMIN, roles.POLICY_LEAD)


class EIAError(RuleBroken):
    """An EIA change was refused."""


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
        raise EIAError(
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
        finding = EIAFinding(characteristic=characteristic, position=position)
        if old is not None:
            finding.direction, finding.severity, finding.narrative = (
                old.direction,
                old.severity,
                old.narrative,
            )
            finding.evidence = list(old.evidence)
            finding.recommendations = list(old.recommendations)
        eia.findings.append(finding)
    audit.record(actor, "eia.created", eia, ["version", *(["previous_id"] if last else [])])
    return eia


def _check_editable(eia: EIA, field: str = "scope") -> None:
    if eia.is_read_only:
        raise EIAError(
            field,
            f"This EIA is {eia.status_label.lower()}, so it cannot be changed: start a new version instead",
        )
    if eia.status == "in_review":
        raise EIAError(field, "This EIA is with the equality lead for review, so it cannot be changed now")


def update_eia(actor, eia: EIA, values: dict) -> list[str]:
    _check_editable(eia)
    cleaned = {
        name: bounded_text(values.get(name), name, label, MAX_TEXT) for name, label in EIA_FIELDS.items()
    }
    screening = values.get("screening_decision") or ""
    if screening and screening not in SCREENING_DECISIONS:
        raise EIAError("screening_decision", "Select a screening decision")
    outcome = values.get("outcome") or ""
    if outcome and outcome not in EIA_OUTCOMES:
        raise EIAError("outcome", "Select an outcome")
    review_due = values.get("review_due")
    if review_due is not None and review_due <= date.today():
        raise EIAError("review_due", "The review date must be in the future")
    cleaned.update(screening_decision=screening, outcome=outcome, review_due=review_due)
    changed = audit.changed_field_names(eia, cleaned)
    if changed:
        audit.record(actor, "eia.updated", eia, changed)
    return changed


def update_finding(
    actor,
    finding: EIAFinding,
    direction: str,
    severity: str,
    narrative: str,
    evidence_ids,
    recommendation_ids=None,
) -> list[str]:
    """Change a finding; `recommendation_ids` None leaves the recommendations it cites as they are."""
    eia = finding.eia
    _check_editable(eia, "narrative")
    if direction not in DIRECTIONS:
        raise EIAError("direction", "Select the direction of the impact")
    if severity and severity not in SEVERITIES:
        raise EIAError("severity", "Select how severe the impact is")
    narrative = bounded_text(narrative, "narrative", "What the evidence shows", MAX_TEXT)
    ids = check_reached(eia.policy, evidence_ids or [], "evidence")
    chosen = list(db.session.scalars(select(Feedback).where(Feedback.id.in_(ids)))) if ids else []
    changed = audit.changed_field_names(
        finding, {"direction": direction, "severity": severity, "narrative": narrative}
    )
    if {item.id for item in finding.evidence} != set(ids):
        finding.evidence = chosen
        changed.append("evidence")
    if recommendation_ids is not None:
        cited = _accepted_recommendations(eia.policy_id, recommendation_ids)
        if {r.id for r in finding.recommendations} != {r.id for r in cited}:
            finding.recommendations = cited
            changed.append("recommendations")
    if changed:
        audit.record(actor, "eia_finding.updated", finding, changed)
    return changed


def _accepted_recommendations(policy_id: int, ids) -> list:
    """Recommendations a finding may cite: accepted (in full or in part) and about the EIA's policy."""
    wanted = {int(i) for i in ids}
    accepted = {r.id: r for r in bodies.accepted_for_policy(policy_id)}
    if wanted - set(accepted):
        raise EIAError("recommendations", "Cite only recommendations about this policy that were accepted")
    return [accepted[i] for i in sorted(wanted)]


def add_action(
    actor, eia: EIA, description: str, owner: str, due_date: date | None, status: str, monitoring: str
):
    _check_editable(eia, "description")
    description = bounded_text(description, "description", "The action", 2000)
    if not description:
        raise EIAError("description", "Describe the action")
    owner = bounded_text(owner, "owner", "The owner", 200)
    if not owner:
        raise EIAError("owner", "Enter who owns the action")
    if due_date is None:
        raise EIAError("due_date", "Enter the date the action is due")
    if due_date < date.today():
        raise EIAError("due_date", "The due date must be today or in the future")
    if status not in ACTION_STATUSES:
        raise EIAError("status", "Select the action's status")
    monitoring = bounded_text(monitoring, "monitoring", "How it will be monitored", 2000)
    if not monitoring:
        raise EIAError("monitoring", "Say how the action will be monitored")
    action = EIAAction(
        eia=eia, description=description, owner=owner, due_date=due_date, status=status, monitoring=monitoring
    )
    db.session.add(action)
    audit.record(
        actor, "eia_action.created", action, ["description", "owner", "due_date", "status", "monitoring"]
    )
    return action


def set_action_status(actor, action: EIAAction, status: str) -> bool:
    """Track an action's progress. Allowed after approval too: actions are followed up once an EIA is
    signed off, and the assessment itself stays as it was approved. A superseded EIA's actions are closed."""
    if action.eia.status == "superseded":
        raise EIAError("status", "This EIA has been superseded; track the action on the newer version")
    if status not in ACTION_STATUSES:
        raise EIAError("status", "Select the action's status")
    if action.status == status:
        return False
    action.status = status
    audit.record(actor, "eia_action.status_changed", action, ["status"])
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
        raise EIAError(
            "submit", f"Only a draft can be sent for review; this EIA is {eia.status_label.lower()}"
        )
    problems = submission_problems(eia)
    if problems:
        raise EIAError("submit", "; ".join(message for _anchor, message in problems))
    eia.status, eia.submitted_at = "in_review", utc_now()
    if eia.assessor_id is None:
        eia.assessor_id = actor.id
    audit.record(actor, "eia.submitted", eia, ["status", "submitted_at"])


def _check_reviewer(actor, eia: EIA) -> None:
    if not actor.has_role(*APPROVERS):
        raise EIAError("decision", "Only an equality lead can approve or return an EIA")
    if eia.status != "in_review":
        raise EIAError(
            "decision",
            f"Only an EIA in review can be approved or returned; this one is {eia.status_label.lower()}",
        )
    if actor.id == eia.assessor_id:
        raise EIAError("decision", "You drafted this EIA, so someone else must approve it")


def review_eia(actor, eia: EIA, decision: str, comments: str) -> None:
    _check_reviewer(actor, eia)
    comments = bounded_text(comments, "comments", "Comments", 5000)
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
            raise EIAError("comments", "Say what needs to change before it can be approved")
        eia.status, eia.review_comments, eia.submitted_at = "draft", comments, None
        audit.record(actor, "eia.returned", eia, ["status", "review_comments"])
    else:
        raise EIAError("decision", "Select whether to approve the EIA or return it")


def publish_eia(actor, eia: EIA) -> None:
    if eia.status != "approved":
        raise EIAError("publish", "Only an approved EIA can be marked as published")
    eia.status, eia.published_at = "published", utc_now()
    audit.record(actor, "eia.published", eia, ["status", "published_at"])
