"""Writes for "we asked, you said, we did". Services change the session and never commit: the caller owns the
unit of work, so an outcome and the consultation it moves on are saved together or not at all."""

from sqlalchemy import select

from crm.consultations import receipts
from crm.consultations import service as consultation_service
from crm.consultations.models import Consultation
from crm.core import audit
from crm.core.models import utc_now
from crm.core.rules import RuleBroken, bounded_text
from crm.extensions import db
from crm.feedback.models import Feedback
from crm.outcomes.models import Outcome


class OutcomeError(RuleBroken):
    """An outcome change was refused."""


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
        raise OutcomeError(
            "feedback",
            "Feedback " + ", ".join(f"FB-{i}" for i in outside[:5]) + " was not given to this consultation",
        )
    return ids


def save_outcome(actor, consultation: Consultation, values: dict, feedback_ids) -> Outcome:
    if consultation.current_status not in OUTCOME_READY:
        raise OutcomeError("we_asked", "Write the outcome once the consultation has closed")
    cleaned = {
        "we_asked": bounded_text(values.get("we_asked"), "we_asked", "We asked", 5000),
        "you_said": bounded_text(values.get("you_said"), "you_said", "You said", 5000),
        "we_did": bounded_text(values.get("we_did"), "we_did", "We did", 5000),
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
    return outcome


def publish_outcome(actor, consultation: Consultation) -> tuple[Outcome, int]:
    """Publish "we asked, you said, we did" and move the consultation to "outcome published". Returns the
    outcome and how many respondents are emailed what happened."""
    outcome = outcome_for(consultation)
    if outcome is None:
        raise OutcomeError("we_asked", "Write the outcome before publishing it")
    for name, label in (("we_asked", "what we asked"), ("we_did", "what we did")):
        if not getattr(outcome, name).strip():
            raise OutcomeError(name, f"Say {label} before publishing")
    if outcome.is_published:
        raise OutcomeError("we_asked", "This outcome is already published")
    status = consultation.current_status
    if status not in OUTCOME_READY:
        raise OutcomeError("we_asked", "Publish the outcome once the consultation has closed")
    outcome.status, outcome.published_at, outcome.published_by_id = "published", utc_now(), actor.id
    audit.record(actor, "outcome.published", outcome, ["status", "published_at", "published_by_id"])
    # The consultation's own lifecycle moves it on (closed -> analysed -> outcome published), in the same unit
    # of work, so the public never sees an outcome without its consultation marked as published.
    if status == "closed":
        consultation_service.transition(actor, consultation, "analyse")
    if consultation.current_status == "analysed":
        consultation_service.transition(actor, consultation, "publish-outcome")
    # Respondents who asked hear what happened, in this unit of work: recorded per response, so publishing
    # again (or editing) never emails anyone twice.
    emailed = receipts.send_outcome_updates(consultation, outcome.we_did)
    return outcome, emailed
