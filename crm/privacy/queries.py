"""Reads for data requests: the queue, and everything held about the person a request is about."""

from dataclasses import dataclass, field

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from crm.consultations.models import Answer, Response
from crm.core.pagination import paginate
from crm.extensions import db
from crm.feedback.models import Feedback
from crm.groups.models import Contact
from crm.privacy.models import CLOSED_STATUSES, DataRequest, OrganisationDetails

# A person holds a handful of records; past this many of a kind the page says so, and staff narrow it down.
FIND_LIMIT = 200
PER_PAGE = 25
VIEWS = {"open": "Open", "closed": "Closed", "all": "All"}


def organisation_details() -> OrganisationDetails:
    """The saved contact details, or an empty, unsaved record until an admin fills them in."""
    return db.session.scalar(select(OrganisationDetails).order_by(OrganisationDetails.id).limit(1)) or (
        OrganisationDetails(
            name="", address="", email="", phone="", dpo_name="", dpo_email="", dpo_address=""
        )
    )


def data_requests(view: str, page: int):
    """The queue: open requests soonest due first; closed ones most recently closed first."""
    query = select(DataRequest).options(joinedload(DataRequest.handled_by))
    if view == "open":
        query = query.where(DataRequest.status.not_in(CLOSED_STATUSES)).order_by(
            DataRequest.due_on, DataRequest.id
        )
    elif view == "closed":
        query = query.where(DataRequest.status.in_(CLOSED_STATUSES)).order_by(
            DataRequest.closed_at.desc(), DataRequest.id.desc()
        )
    else:
        query = query.order_by(DataRequest.received_at.desc(), DataRequest.id.desc())
    return paginate(query, page, PER_PAGE)


def data_request(request_id: int) -> DataRequest | None:
    return db.session.scalar(
        select(DataRequest)
        .where(DataRequest.id == request_id)
        .options(
            joinedload(DataRequest.response).joinedload(Response.consultation),
            joinedload(DataRequest.handled_by),
            selectinload(DataRequest.notes),
        )
    )


@dataclass
class PersonRecords:
    """Everything held about one person, found by email address (any case) and receipt reference."""

    responses: list[Response] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    feedback: list[Feedback] = field(default_factory=list)
    # Groups whose only current contact is one of `contacts`: erasing it leaves the group nobody to reach.
    only_contact_of: set[int] = field(default_factory=set)
    truncated: bool = False

    @property
    def empty(self) -> bool:
        return not (self.responses or self.contacts or self.feedback)


def _limited(query) -> tuple[list, bool]:
    rows = list(db.session.scalars(query.limit(FIND_LIMIT + 1)).unique())
    return rows[:FIND_LIMIT], len(rows) > FIND_LIMIT


def person_records(request: DataRequest) -> PersonRecords:
    """Five queries whatever the number of records: responses (with answers and questions), contacts (with
    groups), the feedback drawn from either, and which of those groups have no other contact."""
    email = request.requester_email.strip().lower()
    response_match = []
    if email:
        response_match.append(func.lower(Response.email) == email)
    if request.response_id is not None:
        response_match.append(Response.id == request.response_id)
    elif request.receipt_reference:
        response_match.append(Response.reference == request.receipt_reference)
    found = PersonRecords()
    if response_match:
        found.responses, more = _limited(
            select(Response)
            .where(or_(*response_match))
            .options(
                joinedload(Response.consultation),
                selectinload(Response.answers).joinedload(Answer.question),
            )
            .order_by(Response.received_at, Response.id)
        )
        found.truncated |= more
    if email:
        found.contacts, more = _limited(
            select(Contact)
            .where(func.lower(Contact.email) == email)
            .options(joinedload(Contact.group))
            .order_by(Contact.id)
        )
        found.truncated |= more
    feedback_match = []
    if found.responses:
        feedback_match.append(Feedback.response_id.in_([response.id for response in found.responses]))
    if found.contacts:
        feedback_match.append(Feedback.contact_id.in_([contact.id for contact in found.contacts]))
    if feedback_match:
        found.feedback, more = _limited(
            select(Feedback)
            .where(or_(*feedback_match))
            .options(joinedload(Feedback.consultation))
            .order_by(Feedback.received_at, Feedback.id)
        )
        found.truncated |= more
    group_ids = {
        contact.group_id for contact in found.contacts if contact.group_id and not contact.is_archived
    }
    if group_ids:
        current = (
            select(Contact.group_id, func.count())
            .where(Contact.group_id.in_(group_ids), Contact.is_archived.is_(False))
            .group_by(Contact.group_id)
        )
        found.only_contact_of = {group_id for group_id, count in db.session.execute(current) if count == 1}
    return found
