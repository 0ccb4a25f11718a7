"""Writes for consultations: the builder, the lifecycle and responses. Each write is audited in the caller's
unit of work, which commits a response before anyone is told its reference (crm.core.transaction)."""

import re
import secrets
from datetime import datetime

from blinker import Namespace
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from crm.auth import roles
from crm.auth.models import StaffUser
from crm.consultations import monitoring, monitoring_store, receipts
from crm.consultations.models import (
    CHANNELS,
    COUNTED_STATUSES,
    FORMATS,
    QUESTION_KINDS,
    RESPONDENT_KINDS,
    RESPONSE_STATUSES,
    Answer,
    Consultation,
    Question,
    Response,
)
from crm.core import audit, transaction
from crm.core.models import Area, Characteristic, utc_now
from crm.core.rules import RuleBroken, is_email_address
from crm.extensions import db
from crm.groups.matching import similar_groups
from crm.groups.models import CommunityGroup
from crm.policies.models import Policy

RUNNERS = (roles.ENGAGEMENT_OFFICER, roles.ADMIN)  # who may run a consultation

SLUG_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{20,64}")
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"  # no 0/O, 1/I/L or U: easy to read out on the phone
DEFAULT_TEXT_LIMIT = 2000
MAX_TEXT_LIMIT = 10000
MAX_OPTIONS = 20


# Areas that build on consultations act on these without consultations importing them (imports go one way).
_signals = Namespace()
# sender: the new Response; free_text: its free-text Answers; policies: the consultation's policies.
response_received = _signals.signal("response-received")
# sender: the Response; excluded: whether it no longer counts (spam or withdrawn).
response_status_changed = _signals.signal("response-status-changed")


class ConsultationError(RuleBroken):
    """A consultation change was refused."""


class ConsultationUnavailable(Exception):
    """The consultation is not taking responses (draft, scheduled, closed or later)."""


class ResponseInvalid(ValueError):
    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


# ---- Builder --------------------------------------------------------------------------------------------


def _load(model, ids) -> list:
    ids = {int(i) for i in ids or ()}
    if not ids:
        return []
    found = list(db.session.scalars(select(model).where(model.id.in_(ids))))
    if len(found) != len(ids):
        raise ConsultationError(model.__tablename__ + "_ids", "Select from the options shown")
    return found


def _clean_details(values: dict, consultation_id: int | None = None) -> dict:
    values = {key: value.strip() if isinstance(value, str) else value for key, value in values.items()}
    slug = values["slug"].lower()
    if not SLUG_PATTERN.fullmatch(slug) or len(slug) > 100:
        raise ConsultationError(
            "slug", "Web address must be lower-case letters, numbers and single hyphens, like bus-fares-2027"
        )
    taken = select(Consultation.id).where(Consultation.slug == slug)
    if consultation_id is not None:
        taken = taken.where(Consultation.id != consultation_id)
    if db.session.scalar(taken) is not None:
        raise ConsultationError("slug", "Another consultation already uses this web address")
    values["slug"] = slug
    opens_at, closes_at = values.get("opens_at"), values.get("closes_at")
    if opens_at and closes_at and closes_at <= opens_at:
        raise ConsultationError("closes_at", "The closing date must be after the opening date")
    if any(code not in FORMATS for code in values.get("formats") or ()):
        raise ConsultationError("formats", "Select from the formats shown")
    values["formats"] = list(values.get("formats") or [])
    owner_id = values.get("owner_id")
    unchanged = consultation_id is not None and owner_id == db.session.scalar(
        select(Consultation.owner_id).where(Consultation.id == consultation_id)
    )
    if owner_id is not None and not unchanged:  # someone who has since left may stay until replaced
        owner = db.session.get(StaffUser, owner_id)
        if owner is None or owner.role not in RUNNERS or not owner.is_active_account:
            raise ConsultationError("owner_id", "Select an engagement officer or admin to run it")
    return values


def _apply_links(consultation: Consultation, policy_ids, characteristic_ids, area_ids) -> list[str]:
    changed = []
    for name, model, ids in (
        ("policies", Policy, policy_ids),
        ("characteristics", Characteristic, characteristic_ids),
        ("areas", Area, area_ids),
    ):
        chosen = _load(model, ids)
        if {item.id for item in getattr(consultation, name)} != {item.id for item in chosen}:
            setattr(consultation, name, chosen)
            changed.append(name)
    return changed


def create_consultation(actor, policy_ids=(), characteristic_ids=(), area_ids=(), **values) -> Consultation:
    values = _clean_details(values)
    consultation = Consultation(status="draft", **values)
    db.session.add(consultation)
    links = _apply_links(consultation, policy_ids, characteristic_ids, area_ids)
    audit.record(actor, "consultation.created", consultation, [*values, *links])
    return consultation


def update_consultation(
    actor, consultation: Consultation, policy_ids=(), characteristic_ids=(), area_ids=(), **values
) -> list[str]:
    if consultation.current_status in ("analysed", "outcome_published"):
        raise ConsultationError("title", "This consultation has been analysed, so its details cannot change")
    values = _clean_details(values, consultation.id)
    if consultation.current_status in ("open", "closed") and values["slug"] != consultation.slug:
        raise ConsultationError("slug", "The web address cannot change once the consultation has opened")
    changed = audit.changed_field_names(consultation, values)
    changed += _apply_links(consultation, policy_ids, characteristic_ids, area_ids)
    if changed:
        audit.record(actor, "consultation.updated", consultation, changed)
    return changed


def has_responses(consultation: Consultation) -> bool:
    return (
        db.session.scalar(select(Response.id).where(Response.consultation_id == consultation.id).limit(1))
        is not None
    )


def _check_questions_editable(consultation: Consultation) -> None:
    if has_responses(consultation):
        raise ConsultationError(
            "text", "Questions cannot change because this consultation already has responses"
        )


def _clean_question(kind, text, hint, required, max_length, options) -> dict:
    if kind not in QUESTION_KINDS:
        raise ConsultationError("kind", "Select the type of question")
    text = (text or "").strip()
    if not text:
        raise ConsultationError("text", "Enter the question")
    options = [line.strip() for line in options or [] if line and line.strip()]
    if kind in ("single_choice", "multiple_choice"):
        if len(options) < 2:
            raise ConsultationError("options", "Enter at least 2 options, one on each line")
        if len(options) > MAX_OPTIONS:
            raise ConsultationError("options", f"Enter {MAX_OPTIONS} options or fewer")
        if len({option.lower() for option in options}) != len(options):
            raise ConsultationError("options", "Each option must be different")
        if any(len(option) > 200 for option in options):
            raise ConsultationError("options", "Each option must be 200 characters or fewer")
    else:
        options = []
    if kind == "free_text":
        max_length = max_length or DEFAULT_TEXT_LIMIT
        if not 10 <= max_length <= MAX_TEXT_LIMIT:
            raise ConsultationError(
                "max_length", f"Character limit must be between 10 and {MAX_TEXT_LIMIT:,}"
            )
    else:
        max_length = None
    return {
        "kind": kind,
        "text": text,
        "hint": (hint or "").strip(),
        "required": bool(required),
        "max_length": max_length,
        "options": options,
    }


def add_question(actor, consultation: Consultation, **values) -> Question:
    _check_questions_editable(consultation)
    values = _clean_question(**values)
    position = (
        db.session.scalar(
            select(func.max(Question.position)).where(Question.consultation_id == consultation.id)
        )
        or 0
    ) + 1
    question = Question(consultation=consultation, position=position, **values)
    db.session.add(question)
    audit.record(actor, "question.created", question, list(values))
    return question


def update_question(actor, question: Question, **values) -> list[str]:
    _check_questions_editable(question.consultation)
    changed = audit.changed_field_names(question, _clean_question(**values))
    if changed:
        audit.record(actor, "question.updated", question, changed)
    return changed


def delete_question(actor, question: Question) -> None:
    consultation = question.consultation
    _check_questions_editable(consultation)
    audit.record(actor, "question.deleted", question)
    consultation.questions.remove(question)
    for position, other in enumerate(consultation.questions, start=1):
        other.position = position


def move_question(actor, question: Question, direction: str) -> bool:
    consultation = question.consultation
    _check_questions_editable(consultation)
    questions = list(consultation.questions)
    index = questions.index(question)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(questions):
        return False
    questions[index], questions[other] = questions[other], questions[index]
    for position, item in enumerate(questions, start=1):
        item.position = position
    consultation.questions.sort(key=lambda item: item.position)  # as the relationship orders them when read
    audit.record(actor, "question.moved", question, ["position"])
    return True


# ---- Lifecycle ------------------------------------------------------------------------------------------

TRANSITIONS = {
    # action: (allowed effective statuses, label)
    "schedule": (("draft",), "Schedule"),
    "unschedule": (("scheduled",), "Return to draft"),
    "close": (("open",), "Close now"),
    "analyse": (("closed",), "Mark as analysed"),
    "publish-outcome": (("analysed",), "Mark outcome as published"),
}


def available_actions(consultation: Consultation, now=None) -> list[str]:
    status = consultation.effective_status(now)
    return [action for action, (allowed, _label) in TRANSITIONS.items() if status in allowed]


def transition(actor, consultation: Consultation, action: str, now: datetime | None = None) -> str:
    """Move a consultation along its lifecycle. Opening and closing on schedule need no action."""
    now = now or utc_now()
    if action not in TRANSITIONS:
        raise ConsultationError("status", "That is not something a consultation can do")
    status = consultation.effective_status(now)
    if status not in TRANSITIONS[action][0]:
        raise ConsultationError("status", f"A consultation that is {status.replace('_', ' ')} cannot do that")
    changed = ["status"]
    if action == "schedule":
        if not consultation.opens_at or not consultation.closes_at:
            raise ConsultationError("status", "Set the opening and closing dates before scheduling")
        if consultation.closes_at <= now:
            raise ConsultationError("status", "The closing date has passed: set a later one first")
        if not consultation.questions:
            raise ConsultationError("status", "Add at least one question before scheduling")
        consultation.status = "scheduled"
    elif action == "unschedule":
        consultation.status = "draft"
    elif action == "close":
        consultation.closes_at = now
        changed = ["closes_at"]
    elif action == "analyse":
        consultation.status = "analysed"
    elif action == "publish-outcome":
        consultation.status = "outcome_published"
    audit.record(actor, f"consultation.{action.replace('-', '_')}", consultation, changed)
    return consultation.effective_status(now)


# ---- Responses ------------------------------------------------------------------------------------------


def new_receipt_reference() -> str:
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"CV-{chars[:4]}-{chars[4:]}"


def forget_monitoring(response: Response) -> int:
    """Delete the response's monitoring answers for good (a withdrawal or an erasure), whether published or
    still waiting for a batch. Returns how many rows went."""
    return monitoring_store.forget(response.reference)


def erase_response(actor, response: Response, marker: str) -> list[str]:
    """A person's erasure: their name, email, what they wrote (replaced by `marker`) and their monitoring
    answers go. The response and its multiple-choice answers stay, so counts still add up. The feedback
    drawn from it is the feedback area's to clear (crm.feedback.service.remove_text)."""
    changed = []
    if response.name or response.email:
        response.name, response.email = "", ""
        changed += ["email", "name"]
    if response.wants_updates:  # nowhere left to send them
        response.wants_updates = False
        changed.append("wants_updates")
    written = [answer for answer in response.answers if answer.text is not None and answer.text != marker]
    for answer in written:
        answer.text = marker
    if written:
        changed.append("answers")
    if forget_monitoring(response):
        changed.append("monitoring")
    audit.record(actor, "response.erased", response, changed)
    return changed


def new_submission_token() -> str:
    return secrets.token_urlsafe(24)


def find_group(name: str) -> CommunityGroup | None:
    """The register's group a response "on behalf of a group" names, by the near-duplicate matcher: the most
    similar unarchived group, verified or not (a self-registered group too), or None."""
    found = similar_groups(name, limit=1)
    return found[0] if found else None


def _clean_answers(consultation: Consultation, given: dict) -> tuple[dict[int, object], dict[str, str]]:
    cleaned, errors = {}, {}
    for number, question in enumerate(consultation.questions, start=1):
        field = f"q{question.id}"
        value = given.get(question.id)
        if question.kind == "free_text":
            text = (value or "").strip() if isinstance(value, str) else ""
            if not text:
                if question.required:
                    errors[field] = f"Enter your answer to question {number}"
                continue
            if len(text) > (question.max_length or DEFAULT_TEXT_LIMIT):
                errors[field] = (
                    f"Your answer to question {number} must be {question.max_length:,} characters or fewer"
                )
                continue
            cleaned[question.id] = text
            continue
        offered = {code for code, _label in question.choices}
        if question.kind == "multiple_choice":
            values = (
                [v for v in (value or []) if v]
                if isinstance(value, list | tuple)
                else ([value] if value else [])
            )
            values = list(dict.fromkeys(values))
        else:
            values = [value] if value else []
            if isinstance(value, list | tuple):
                values = [v for v in value if v]
        if not values:
            if question.required:
                errors[field] = f"Select an answer to question {number}"
            continue
        if any(v not in offered for v in values) or (question.kind != "multiple_choice" and len(values) > 1):
            errors[field] = f"Select one of the options shown for question {number}"
            continue
        cleaned[question.id] = values
    return cleaned, errors


def _clean_respondent(
    respondent_kind, group_name, name, email, language, wants_updates=False
) -> tuple[dict, dict[str, str]]:
    errors = {}
    if respondent_kind not in RESPONDENT_KINDS:
        errors["respondent_kind"] = "Select whether you are responding as an individual or for a group"
    group_name = (group_name or "").strip()
    if respondent_kind == "group" and not group_name:
        errors["group_name"] = "Enter the name of the group you are responding for"
    for field, value, limit, label in (
        ("group_name", group_name, 200, "Group name"),
        ("name", name, 120, "Name"),
        ("email", email, 254, "Email address"),
        ("language", language, 60, "Language"),
    ):
        if len((value or "").strip()) > limit:
            errors[field] = f"{label} must be {limit} characters or fewer"
    email = (email or "").strip()
    if email and "email" not in errors and not is_email_address(email):
        errors["email"] = "Enter an email address in the correct format, like name@example.org"
    if wants_updates and not email and "email" not in errors:
        errors["email"] = "Enter your email address to get a receipt and updates, or untick the box"
    values = {
        "respondent_kind": respondent_kind,
        "group_name": group_name if respondent_kind == "group" else "",
        "name": (name or "").strip(),
        "email": email,
        "language": (language or "").strip() or "English",
        "wants_updates": bool(wants_updates),
    }
    return values, errors


def submit_response(
    consultation: Consultation,
    *,
    answers: dict,
    token: str,
    respondent_kind: str = "individual",
    group_name: str = "",
    name: str = "",
    email: str = "",
    language: str = "",
    consent: bool = False,
    wants_updates: bool = False,
    monitoring_answers: dict | None = None,
    channel: str = "online",
    actor=audit.PUBLIC,
    received_at: datetime | None = None,
    event_id: int | None = None,
) -> tuple[Response, bool]:
    """Store a response. Returns (response, created): the same token sent again gives the first response.

    Raises ConsultationUnavailable when it is not taking responses and ResponseInvalid (field -> message)
    for bad answers; nothing is stored in either case. A response collected at an event names the event
    (`event_id`, found by the caller: this area does not import engagement); any other names none.
    """
    status = consultation.current_status
    if channel == "online" and status != "open":
        raise ConsultationUnavailable(status)
    if channel != "online" and status in ("draft", "scheduled"):
        raise ConsultationUnavailable(status)
    if channel not in CHANNELS:
        raise ResponseInvalid({"channel": "Select how the response arrived"})
    if not token or not TOKEN_PATTERN.fullmatch(token):
        raise ResponseInvalid({"token": "The form was not sent properly. Please try again"})
    # A form sent again is found by its token's unique key when it is stored below, not looked up first: a
    # query saved on every response, where a form is rarely sent twice.

    cleaned, errors = _clean_answers(consultation, answers)
    respondent, respondent_errors = _clean_respondent(
        respondent_kind, group_name, name, email, language, wants_updates
    )
    errors.update(respondent_errors)
    given_monitoring = monitoring_answers or {}
    errors.update(
        {f"about_{code}": msg for code, msg in monitoring.problems(consultation, given_monitoring).items()}
    )
    if channel != "event":
        event_id = None
    elif event_id is None:
        errors["event_name"] = "Enter the event this response was collected at"
    if channel == "online" and not consent:
        errors["consent"] = (
            "Confirm that you have read the privacy notice and agree to how your answers are used"
        )
    if errors:
        raise ResponseInvalid(errors)
    monitoring_codes = monitoring.normalise(consultation, given_monitoring)
    group = find_group(respondent["group_name"]) if respondent["respondent_kind"] == "group" else None
    received_at = received_at or utc_now()

    policies = list(consultation.policies)  # read before writing, so SQLite takes its write lock last
    for _attempt in range(5):
        try:
            # A savepoint: a clash on the token or the receipt reference undoes this attempt only.
            with transaction.savepoint():
                response, free_text = _build_response(
                    consultation, cleaned, respondent, group, token, channel, consent, actor, received_at
                )
                response.event_id = event_id
                # Sealed until published with others, apart from this transaction (monitoring_store).
                monitoring_store.hold(consultation, response.reference, monitoring_codes)
                response_received.send(response, free_text=free_text, policies=policies)
                audit.record(
                    actor,
                    "response.received" if channel == "online" else "response.keyed_in",
                    response,
                    ["answers", "channel", "respondent_kind", *(["monitoring"] if monitoring_codes else [])],
                )
            # Outside the savepoint: only a response that is stored asks for its receipt, which is sent
            # once this unit of work commits, so nobody is given a reference that was not saved.
            receipts.send_receipt(consultation, response)
            return response, True
        except IntegrityError:
            existing = _by_token(token)
            if existing is not None:  # the same form sent again, or twice at once: it is already stored
                return existing, False
            # otherwise the receipt reference clashed with another: try again with a fresh one
    raise RuntimeError("Could not find a free receipt reference")


def _by_token(token: str) -> Response | None:
    return db.session.scalar(select(Response).where(Response.submission_token == token))


def _build_response(consultation, cleaned, respondent, group, token, channel, consent, actor, received_at):
    response = Response(
        consultation_id=consultation.id,
        reference=new_receipt_reference(),
        submission_token=token,
        channel=channel,
        group_id=group.id if group else None,
        status="received",
        consent_given=bool(consent),
        received_at=received_at,
        keyed_by_id=None if isinstance(actor, str) else actor.id,
        **respondent,
    )
    db.session.add(response)
    free_text = []
    for question in consultation.questions:
        value = cleaned.get(question.id)
        if value is None:
            continue
        if question.kind == "free_text":
            answer = Answer(question_id=question.id, text=value)
            response.answers.append(answer)
            free_text.append(answer)
        else:
            for code in value:
                response.answers.append(Answer(question_id=question.id, value=code))
    return response, free_text


def set_response_status(actor, response: Response, status: str) -> bool:
    if status not in RESPONSE_STATUSES:
        raise ConsultationError("status", "Select a status")
    if response.status == status:
        return False
    # Its monitoring answers are left as they are: changing them here would join them to this response by
    # transaction. They leave the counts in a later batch with others (monitoring_store.publish_exclusions).
    response.status = status
    if status not in COUNTED_STATUSES:
        monitoring_store.exclusions_changed(response.consultation)
    response_status_changed.send(response, excluded=status in ("spam", "withdrawn"))
    audit.record(actor, "response.status_changed", response, ["status"])
    return True


# ---- Reads on record: who saw a response's answers (with its name and email or without), and who read the
# equality-monitoring report. Names of what was shown, never values.


def record_response_viewed(actor, response: Response, personal: bool) -> None:
    audit.record(actor, "response.viewed", response, ["answers", *(["email", "name"] if personal else [])])


def record_monitoring_viewed(actor, consultation: Consultation) -> None:
    audit.record(actor, "monitoring.viewed", consultation, ["monitoring"])


# ---- Group responses linked to the register -----------------------------------------------------------

# sender: the Response; group_id: the register group it is now linked to (feedback drawn from it follows).
response_group_linked = _signals.signal("response-group-linked")


def link_responses_to_groups(actor, links: dict[int, int]) -> int:
    """Link responses given on behalf of a group to register groups ({response id: group id}), each on
    record. Only unlinked group responses are changed; an unknown or archived group is refused."""
    if not links:
        raise ConsultationError("link", "Tick at least one response to link")
    groups = {
        group.id: group
        for group in db.session.scalars(
            select(CommunityGroup).where(CommunityGroup.id.in_(set(links.values())))
        )
    }
    if any(group_id not in groups or groups[group_id].is_archived for group_id in links.values()):
        raise ConsultationError("link", "A group to link to is no longer on the register. Reload the page")
    responses = list(
        db.session.scalars(
            select(Response).where(
                Response.id.in_(links), Response.respondent_kind == "group", Response.group_id.is_(None)
            )
        )
    )
    for response in responses:
        response.group_id = links[response.id]
        response_group_linked.send(response, group_id=response.group_id)
        audit.record(actor, "response.group_linked", response, ["group_id"])
    return len(responses)
