"""Writes and rules for standing bodies, their members, recommendations and the authority's responses. Every
refusal raises BodyError naming the form field it is about."""

import re
from datetime import date, timedelta

from sqlalchemy import func, or_, select

from crm.auth.models import StaffUser
from crm.bodies.models import (
    ACCEPTING,
    BODY_KINDS,
    DECISIONS,
    DEFAULT_RESPONSE_WEEKS,
    IMPLEMENTATION_STATES,
    MEMBER_ROLES,
    Membership,
    Recommendation,
    RecommendationResponse,
    StandingBody,
)
from crm.core import audit
from crm.core.models import utc_now
from crm.core.rules import RuleBroken, bounded_text
from crm.engagement.models import EngagementEvent
from crm.extensions import db
from crm.groups.models import Contact
from crm.policies.models import Policy

MAX_TEXT = 20_000
SLUG_PATTERN = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


class BodyError(RuleBroken):
    """A change to a body, a membership, a recommendation or a response was refused."""


# ---- Bodies ------------------------------------------------------------------------------------------------


def _clean_body(values: dict, body_id: int | None = None) -> dict:
    name = bounded_text(values.get("name"), "name", "Name", 200)
    if not name:
        raise BodyError("name", "Enter the body's name")
    taken = select(StandingBody.id).where(func.lower(StandingBody.name) == name.lower())
    if body_id is not None:
        taken = taken.where(StandingBody.id != body_id)
    if db.session.scalar(taken) is not None:
        raise BodyError("name", "There is already a body with this name")
    slug = (values.get("slug") or "").strip().lower()
    if not SLUG_PATTERN.fullmatch(slug) or len(slug) > 100:
        raise BodyError(
            "slug",
            "Web address must be lower-case letters, numbers and single hyphens, like youth-assembly",
        )
    taken = select(StandingBody.id).where(StandingBody.slug == slug)
    if body_id is not None:
        taken = taken.where(StandingBody.id != body_id)
    if db.session.scalar(taken) is not None:
        raise BodyError("slug", "Another body already uses this web address")
    if values.get("kind") not in BODY_KINDS:
        raise BodyError("kind", "Select the kind of body")
    weeks = values.get("response_weeks")
    if weeks is None:
        weeks = DEFAULT_RESPONSE_WEEKS
    if not 1 <= weeks <= 52:
        raise BodyError("response_weeks", "Weeks to respond must be between 1 and 52")
    policies = _policies(values.get("policy_ids") or [], "policy_ids")
    return {
        "name": name,
        "slug": slug,
        "kind": values["kind"],
        "remit": bounded_text(values.get("remit"), "remit", "Remit", MAX_TEXT),
        "terms_of_reference": bounded_text(
            values.get("terms_of_reference"), "terms_of_reference", "Terms of reference", MAX_TEXT
        ),
        "response_weeks": weeks,
        "has_public_register": bool(values.get("has_public_register")),
        "policies": policies,
    }


def _policies(ids, field: str) -> list[Policy]:
    wanted = sorted({int(i) for i in ids})
    found = list(db.session.scalars(select(Policy).where(Policy.id.in_(wanted)))) if wanted else []
    if len(found) != len(wanted):
        raise BodyError(field, "Select policies from the register")
    return found


def create_body(actor, **values) -> StandingBody:
    body = StandingBody(**_clean_body(values))
    db.session.add(body)
    audit.record(actor, "body.created", body, sorted(values))
    return body


def update_body(actor, body: StandingBody, **values) -> list[str]:
    cleaned = _clean_body(values, body.id)
    policies = cleaned.pop("policies")
    changed = audit.changed_field_names(body, cleaned)
    if {p.id for p in body.policies} != {p.id for p in policies}:
        changed.append("policies")
        body.policies = policies
    if changed:
        audit.record(actor, "body.updated", body, changed)
    return changed


def add_meeting(actor, body: StandingBody, event: EngagementEvent | None) -> None:
    """Record an event as one of the body's meetings."""
    if event is None:
        raise BodyError(
            "event_name", "Enter the meeting's event: its title and day, like Youth assembly, 3 March 2026"
        )
    if event in body.meetings:
        raise BodyError("event_name", f"{event.title} is already one of {body.name}'s meetings")
    body.meetings.append(event)
    audit.record(actor, "body.meeting_added", body, ["meetings"])


# ---- Members -----------------------------------------------------------------------------------------------


def add_member(
    actor,
    body: StandingBody,
    contact_id: int | None,
    role: str,
    starts_on: date | None,
    ends_on: date | None = None,
    is_under_18: bool = False,
    consent: str = "",
) -> Membership:
    """Seat a contact on the body for a term. Refused: an unknown or archived contact, an end before the
    start, a term that overlaps one the contact already has on this body, an under-18 without consent."""
    contact = db.session.get(Contact, contact_id) if contact_id else None
    if contact is None or contact.is_archived:
        raise BodyError("contact", "Select a contact from the register")
    if role not in MEMBER_ROLES:
        raise BodyError("role", "Select the member's role")
    if starts_on is None:
        raise BodyError("starts_on", "Enter the date the term starts")
    if ends_on is not None and ends_on < starts_on:
        raise BodyError("ends_on", "The term must end on or after the day it starts")
    consent = bounded_text(consent, "consent", "Consent", 2000)
    if is_under_18 and not consent:
        raise BodyError(
            "consent", "Say what consent applies for a member under 18: who gave it, when and how"
        )
    # Two terms overlap unless one ends before the other starts.
    overlapping = select(Membership.id).where(
        Membership.body_id == body.id,
        Membership.contact_id == contact.id,
        or_(Membership.ends_on.is_(None), Membership.ends_on >= starts_on),
    )
    if ends_on is not None:
        overlapping = overlapping.where(Membership.starts_on <= ends_on)
    if db.session.scalar(overlapping) is not None:
        raise BodyError("contact", f"{contact.name} is already a member of {body.name} for some of that term")
    membership = Membership(
        body=body,
        contact=contact,
        role=role,
        starts_on=starts_on,
        ends_on=ends_on,
        is_under_18=is_under_18,
        consent=consent,
    )
    db.session.add(membership)
    audit.record(actor, "membership.added", membership, ["contact", "role", "starts_on", "ends_on"])
    return membership


def end_membership(actor, membership: Membership, ends_on: date | None) -> None:
    if ends_on is None:
        raise BodyError("ends_on", "Enter the date the term ends")
    if ends_on < membership.starts_on:
        raise BodyError("ends_on", "The term must end on or after the day it starts")
    membership.ends_on = ends_on
    audit.record(actor, "membership.ended", membership, ["ends_on"])


# ---- Recommendations ---------------------------------------------------------------------------------------


def response_due(made_on: date, body: StandingBody | None) -> date:
    """The deadline for the formal answer: the body's weeks to respond (8 without one) after it was made."""
    weeks = body.response_weeks if body is not None else DEFAULT_RESPONSE_WEEKS
    return made_on + timedelta(weeks=weeks)


def _clean_recommendation(values: dict) -> dict:
    title = bounded_text(values.get("title"), "title", "Title", 200)
    if not title:
        raise BodyError("title", "Enter a short title for the recommendation")
    body_id, event_id = values.get("body_id"), values.get("event_id")
    body = db.session.get(StandingBody, body_id) if body_id else None
    if body_id and body is None:
        raise BodyError("body_id", "Select a body from the list")
    event = db.session.get(EngagementEvent, event_id) if event_id else None
    if event_id and event is None:
        raise BodyError("event_name", "Select an event from the list")
    if body is None and event is None:
        raise BodyError("body_id", "Select the body, or the event, the recommendation came from")
    made_on = values.get("made_on")
    if made_on is None:
        raise BodyError("made_on", "Enter the date the recommendation was made")
    owner = db.session.get(StaffUser, values["owner_id"]) if values.get("owner_id") else None
    if owner is None or not owner.is_active:
        raise BodyError("owner_id", "Select who owns the authority's response")
    return {
        "title": title,
        "text": bounded_text(values.get("text"), "text", "The recommendation", MAX_TEXT),
        "body": body,
        "event": event,
        "made_on": made_on,
        "owner": owner,
        "policies": _policies(values.get("policy_ids") or [], "policy"),
    }


def create_recommendation(actor, **values) -> Recommendation:
    cleaned = _clean_recommendation(values)
    recommendation = Recommendation(
        **cleaned, response_due_on=response_due(cleaned["made_on"], cleaned["body"])
    )
    db.session.add(recommendation)
    audit.record(actor, "recommendation.created", recommendation, sorted(values))
    return recommendation


def update_recommendation(actor, recommendation: Recommendation, **values) -> list[str]:
    cleaned = _clean_recommendation(values)
    policies = cleaned.pop("policies")
    changed = audit.changed_field_names(recommendation, cleaned)
    if {p.id for p in recommendation.policies} != {p.id for p in policies}:
        changed.append("policies")
        recommendation.policies = policies
    if "made_on" in changed or "body" in changed:
        recommendation.response_due_on = response_due(recommendation.made_on, recommendation.body)
    if changed:
        audit.record(actor, "recommendation.updated", recommendation, changed)
    return changed


def _check_owner(actor, recommendation: Recommendation, field: str) -> None:
    if actor.id != recommendation.owner_id:
        owner = recommendation.owner.name if recommendation.owner else "its owner"
        raise BodyError(
            field, f"Only the recommendation's owner, {owner}, can record the authority's response"
        )


def record_response(
    actor, recommendation: Recommendation, decision: str, reasons: str, responded_on: date | None
) -> RecommendationResponse:
    """The authority's formal answer, by the recommendation's owner. Reasons are needed unless it is accepted
    in full. Changing an answer already published is refused: publish a fresh one by unpublishing first."""
    _check_owner(actor, recommendation, "decision")
    if decision not in DECISIONS:
        raise BodyError("decision", "Select the authority's decision")
    reasons = bounded_text(reasons, "reasons", "Reasons", MAX_TEXT)
    if decision != "accepted" and not reasons:
        raise BodyError("reasons", "Give the reasons for not accepting the recommendation in full")
    if responded_on is None:
        raise BodyError("responded_on", "Enter the date of the response")
    if responded_on < recommendation.made_on:
        raise BodyError("responded_on", "The response cannot be dated before the recommendation was made")
    response = recommendation.response
    if response is not None and response.published_at is not None:
        raise BodyError("decision", "This response has been published: withdraw it from the register first")
    if response is None:
        response = RecommendationResponse(recommendation=recommendation)
        db.session.add(response)
    response.decision, response.reasons, response.responded_on = decision, reasons, responded_on
    response.responded_by_id = actor.id
    if decision not in ACCEPTING:
        response.implementation, response.implementation_evidence = "", ""
    audit.record(actor, "recommendation.responded", recommendation, ["decision", "reasons", "responded_on"])
    return response


def set_published(actor, recommendation: Recommendation, published: bool) -> None:
    """Put the response on the body's public register, or take it off."""
    _check_owner(actor, recommendation, "publish")
    response = recommendation.response
    if response is None:
        raise BodyError("publish", "Record the authority's response before publishing it")
    response.published_at = utc_now() if published else None
    audit.record(
        actor,
        "recommendation.published" if published else "recommendation.unpublished",
        recommendation,
        ["published_at"],
    )


def record_implementation(actor, recommendation: Recommendation, state: str, evidence: str) -> None:
    """How an accepted recommendation is being carried out. "Done" needs the evidence that it was."""
    _check_owner(actor, recommendation, "implementation")
    response = recommendation.response
    if response is None or not response.is_accepting:
        raise BodyError("implementation", "Only an accepted recommendation is carried out")
    if state not in IMPLEMENTATION_STATES:
        raise BodyError("implementation", "Select how far it has been carried out")
    evidence = bounded_text(evidence, "evidence", "Evidence", MAX_TEXT)
    if state == "done" and not evidence:
        raise BodyError("evidence", "Say what was done, and where it can be seen")
    response.implementation, response.implementation_evidence = state, evidence
    audit.record(actor, "recommendation.implementation", recommendation, ["implementation"])
