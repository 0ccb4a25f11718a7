"""Writes for people's data requests: filing and confirming them (the public side), and what staff do with
them. Each change is audited in the caller's unit of work; nothing here commits."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from crm.consultations import service as consultations
from crm.consultations.models import Response
from crm.core import audit, email
from crm.core.models import utc_now
from crm.core.retention import REMOVED_ON_REQUEST
from crm.core.rules import RuleBroken, bounded_text, is_email_address
from crm.core.time import govuk_date_time
from crm.extensions import db
from crm.feedback import service as feedback
from crm.groups import service as groups
from crm.privacy import rules
from crm.privacy.models import (
    CLOSED_STATUSES,
    KINDS,
    STATUSES,
    DataRequest,
    DataRequestNote,
    IdentityCheck,
    RequestKind,
    RequestStatus,
)
from crm.privacy.queries import PersonRecords, organisation_details, person_records

# Kinds that act on one response, so its receipt reference is needed.
NEEDS_REFERENCE = (RequestKind.WITHDRAW,)
DETAIL_FIELDS = ("name", "address", "email", "phone", "dpo_name", "dpo_email", "dpo_address")


class DataRequestError(RuleBroken):
    """A data request, or an action on one, was refused."""


# ---- The public side -------------------------------------------------------------------------------------


def file_request(
    kind: str,
    name: str,
    email_address: str,
    reference: str,
    description: str,
    confirm_url: Callable[[str], str],
    lifetime,
    now: datetime | None = None,
) -> DataRequest:
    """File a request and, when there is an address to prove it against, email a single-use confirmation
    link: to the email on the response the reference names (never to the address typed, which anyone could
    give), or, with no reference, to the address typed (the person proves they hold it). Whether the
    reference exists is never told to the person filing."""
    now = now or utc_now()
    if kind not in KINDS:
        raise DataRequestError("kind", "Select what you want us to do")
    name = bounded_text(name, "name", "Your name", 120)
    email_address = (email_address or "").strip()
    if not email_address:
        raise DataRequestError("email", "Enter your email address")
    if len(email_address) > 254 or not is_email_address(email_address):
        raise DataRequestError("email", "Enter an email address in the correct format, like name@example.org")
    reference = rules.normalise_reference(reference)
    if kind in NEEDS_REFERENCE and not reference:
        raise DataRequestError(
            "reference", "Enter the receipt reference of the response you want to withdraw"
        )
    if reference and not rules.REFERENCE_PATTERN.fullmatch(reference):
        raise DataRequestError("reference", "Enter the receipt reference as it was shown, like CV-AB12-CD34")
    description = bounded_text(description, "description", "Details", 5000)
    if kind in (RequestKind.CORRECT, RequestKind.OTHER) and not description:
        raise DataRequestError("description", "Tell us what you want us to do")

    response = None
    if reference:
        response = db.session.scalar(select(Response).where(Response.reference == reference))
    request = DataRequest(
        kind=kind,
        status=RequestStatus.OPEN,
        received_at=now,
        due_on=rules.due_date(now),
        requester_name=name,
        requester_email=email_address,
        receipt_reference=reference,
        description=description,
        response_id=response.id if response else None,
        identity_check=IdentityCheck.NOT_CHECKED,
    )
    db.session.add(request)
    send_to = (response.email if response is not None else "") if reference else email_address
    if send_to:
        token, request.token_hash = rules.new_token()
        request.token_expires_at = now + lifetime
        request.identity_check = IdentityCheck.AWAITING
        db.session.flush()
        email.send(
            send_to,
            "Confirm your request about your information",
            _confirmation_body(request, confirm_url(token), now + lifetime),
            purpose="data_request.confirm",
        )
    audit.record(
        audit.PUBLIC,
        "data_request.filed",
        request,
        ["kind", "requester_name", "requester_email", "receipt_reference", "description"],
    )
    return request


def _confirmation_body(request: DataRequest, url: str, expires_at: datetime) -> str:
    return (
        f"Someone asked us to: {request.kind_label.lower()}"
        + (f" (receipt reference {request.receipt_reference})" if request.receipt_reference else "")
        + ".\n\nIf this was you, confirm the request with this link:\n"
        + f"{url}\n\nThe link works once, until {govuk_date_time(expires_at)}.\n"
        + "If this was not you, ignore this email: nothing will be done without checking who asked.\n"
        + f"Your request's reference is {request.reference}.\n"
    )


@dataclass(frozen=True)
class Confirmation:
    outcome: str  # "confirmed", "used", "expired" or "invalid"
    request: DataRequest | None = None


def find_by_token(token: str, now: datetime | None = None) -> Confirmation:
    """What a confirmation link leads to, without using it."""
    now = now or utc_now()
    request = None
    if token and len(token) <= 100:
        request = db.session.scalar(
            select(DataRequest).where(DataRequest.token_hash == rules.hash_token(token))
        )
    if request is None:
        return Confirmation("invalid")
    if request.confirmed_at is not None:
        return Confirmation("used", request)
    if request.token_expires_at is None or request.token_expires_at <= now:
        return Confirmation("expired", request)
    return Confirmation("ok", request)


def confirm_request(token: str, now: datetime | None = None) -> Confirmation:
    """Use a confirmation link: the person has shown they hold the email address. Works once, in time."""
    now = now or utc_now()
    found = find_by_token(token, now)
    if found.outcome != "ok":
        return found
    request = found.request
    request.confirmed_at = now
    request.identity_check = IdentityCheck.CONFIRMED
    request.notes.append(DataRequestNote(text="Identity confirmed by the email link.", created_at=now))
    audit.record(audit.PUBLIC, "data_request.confirmed", request, ["confirmed_at", "identity_check"])
    return Confirmation("confirmed", request)


# ---- Staff ---------------------------------------------------------------------------------------------


def _note(actor, request: DataRequest, text: str) -> None:
    request.notes.append(
        DataRequestNote(author_id=getattr(actor, "id", None), text=text, created_at=utc_now())
    )


def _check_open(request: DataRequest) -> None:
    if request.is_closed:
        raise DataRequestError("request", "This request is closed. Reopen it to act on it")


def _check_identity(request: DataRequest) -> None:
    if not request.identity_checked:
        raise DataRequestError(
            "request",
            "Check who is asking before acting: the person has not confirmed by email. "
            "If you have checked another way, record it first",
        )


def update_request(actor, request: DataRequest, status: str, note: str) -> list[str]:
    """Change the status and add a note (either may be unchanged)."""
    if status not in STATUSES:
        raise DataRequestError("status", "Select a status")
    note = bounded_text(note, "note", "Note", 5000)
    if status == request.status and not note:
        raise DataRequestError("note", "Enter a note or choose a different status")
    changed = []
    if status != request.status:
        request.status = status
        request.closed_at = utc_now() if status in CLOSED_STATUSES else None
        changed += ["status", "closed_at"]
        _note(actor, request, f"Status changed to {STATUSES[status].lower()}.")
    if note:
        _note(actor, request, note)
        changed.append("notes")
    request.handled_by_id = actor.id
    audit.record(actor, "data_request.updated", request, changed)
    return changed


def record_identity_checked(actor, request: DataRequest, how: str) -> None:
    """Staff checked who is asking by other means (a phone call, a signed letter): say how."""
    how = bounded_text(how, "how", "How you checked", 2000)
    if not how:
        raise DataRequestError("how", "Say how you checked who is asking")
    if request.identity_checked:
        raise DataRequestError("how", "The identity check has already been done")
    request.identity_check = IdentityCheck.CHECKED_BY_STAFF
    request.handled_by_id = actor.id
    _note(actor, request, f"Identity checked by staff: {how}")
    audit.record(actor, "data_request.identity_checked", request, ["identity_check", "notes"])


def withdraw_response(actor, request: DataRequest) -> Response:
    """Withdraw the response the request names: its feedback stops counting everywhere and its monitoring
    answers are deleted for good."""
    _check_open(request)
    if request.response is None:
        raise DataRequestError("request", "No response matches this request's receipt reference")
    _check_identity(request)
    response = request.response
    if response.status == "withdrawn":
        raise DataRequestError("request", f"Response {response.reference} is already withdrawn")
    consultations.set_response_status(actor, response, "withdrawn")
    consultations.forget_monitoring(response)
    _progress(actor, request, f"Response {response.reference} withdrawn and its monitoring answers deleted.")
    audit.record(actor, "data_request.response_withdrawn", request, ["response"])
    return response


@dataclass
class Erasure:
    responses: int
    contacts: int
    feedback: int
    groups_left_without_contact: list[str]


def erase(actor, request: DataRequest) -> Erasure:
    """Erase what is held about the person: names, emails and what they wrote go from their responses (and
    the text of the feedback drawn from them), their monitoring answers are deleted, their contact records
    anonymised. Rows stay, so counts, suppressed aggregates and EIA citations still add up."""
    _check_open(request)
    _check_identity(request)
    found = person_records(request)
    if found.empty:
        raise DataRequestError("request", "Nothing was found about this person to erase")
    if found.truncated:
        raise DataRequestError("request", "Too many records were found to erase at once: ask for help")
    for response in found.responses:
        consultations.erase_response(actor, response, REMOVED_ON_REQUEST)
    items = feedback.remove_text(
        actor,
        REMOVED_ON_REQUEST,
        response_ids=[response.id for response in found.responses],
        contact_ids=[contact.id for contact in found.contacts],
    )
    left = []
    for contact in found.contacts:
        group = contact.group
        if groups.anonymise_contact(actor, contact) and group is not None:
            left.append(group.name)
    # The request itself keeps the address until it is closed and its own retention period ends: it is the
    # record of what was asked and done.
    result = Erasure(len(found.responses), len(found.contacts), items, left)
    summary = (
        f"Erased: {result.responses} response(s), {result.contacts} contact record(s), "
        f"text of {result.feedback} feedback item(s)."
    )
    if left:
        summary += f" Groups now without a contact: {', '.join(left)}."
    _progress(actor, request, summary)
    audit.record(actor, "data_request.erased", request, ["contacts", "feedback", "responses"])
    return result


def _progress(actor, request: DataRequest, text: str) -> None:
    if request.status == RequestStatus.OPEN:
        request.status = RequestStatus.IN_PROGRESS
    request.handled_by_id = actor.id
    _note(actor, request, text)


def record_export(actor, request: DataRequest, found: PersonRecords) -> None:
    """A copy of the person's data was taken (what kinds, never the values)."""
    kinds = [name for name in ("responses", "contacts", "feedback") if getattr(found, name)]
    _note(actor, request, "Copy of the person's data downloaded.")
    request.handled_by_id = actor.id
    audit.record(actor, "data_request.exported", request, kinds)


def record_viewed(actor, request: DataRequest) -> None:
    audit.record(actor, "data_request.viewed", request, ["requester_email", "requester_name"])


# ---- Organisation details ----------------------------------------------------------------------------


def save_organisation_details(actor, values: dict) -> list[str]:
    details = organisation_details()
    if details.id is None:
        db.session.add(details)
    cleaned = {}
    for name in DETAIL_FIELDS:
        cleaned[name] = (values.get(name) or "").strip()
    for name in ("email", "dpo_email"):
        if cleaned[name] and not is_email_address(cleaned[name]):
            raise DataRequestError(
                name, "Enter an email address in the correct format, like name@example.org"
            )
    changed = audit.changed_field_names(details, cleaned)
    if changed:
        audit.record(actor, "organisation_details.updated", details, changed)
    return changed


def withdraw_contact_consent(contact) -> bool:
    return groups.withdraw_consent(audit.PUBLIC, contact)
