"""What /api/v1 sends and accepts. Times are ISO 8601 in UTC. Personal fields (a contact's or respondent's
name and email) are null unless the caller's role sees personal data (DESIGN rule 1); monitoring answers
are never part of any schema (rule 2)."""

import marshmallow as ma

from crm.api.pagination import PageArgs, PageMeta
from crm.feedback.models import SOURCES, STANCES
from crm.feedback.service import MAX_TEXT
from crm.policies.models import POLICY_KINDS, POLICY_STATUSES

MAX_ID = 2**31 - 1
_ID = {"validate": ma.validate.Range(min=1, max=MAX_ID)}


def id_list(description: str):
    return ma.fields.List(
        ma.fields.Integer(**_ID), validate=ma.validate.Length(max=50), metadata={"description": description}
    )


class Named(ma.Schema):
    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)


class Titled(ma.Schema):
    id = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)


class Person(ma.Schema):
    """Personal data: only for roles that see it."""

    name = ma.fields.String(required=True)
    email = ma.fields.String(required=True)


class ContactPerson(Person):
    id = ma.fields.Integer(required=True)


class Feedback(ma.Schema):
    id = ma.fields.Integer(required=True)
    text = ma.fields.String(required=True)
    source = ma.fields.String(required=True, metadata={"enum": list(SOURCES)})
    status = ma.fields.String(required=True)
    stance = ma.fields.String(required=True, allow_none=True)
    received_at = ma.fields.AwareDateTime(required=True, format="iso")
    consultation = ma.fields.Nested(Titled, required=True, allow_none=True)
    event = ma.fields.Nested(Titled, required=True, allow_none=True)
    group = ma.fields.Nested(Named, required=True, allow_none=True)
    characteristics = ma.fields.List(ma.fields.Nested(Named), required=True)
    themes = ma.fields.List(ma.fields.Nested(Named), required=True)
    barriers = ma.fields.List(ma.fields.Nested(Named), required=True)
    contact = ma.fields.Nested(ContactPerson, required=True, allow_none=True)
    respondent = ma.fields.Nested(Person, required=True, allow_none=True)


class FeedbackPage(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(Feedback), required=True)
    page = ma.fields.Nested(PageMeta, required=True)


class FeedbackArgs(PageArgs):
    q = ma.fields.String(validate=ma.validate.Length(max=200), metadata={"description": "Words in the text"})
    source = ma.fields.List(ma.fields.String(validate=ma.validate.OneOf(list(SOURCES))))
    stance = ma.fields.List(ma.fields.String(validate=ma.validate.OneOf(list(STANCES))))
    coded = ma.fields.String(validate=ma.validate.OneOf(["yes", "no"]))
    policy = ma.fields.Integer(**_ID, metadata={"description": "Feedback that reached this policy"})
    consultation = ma.fields.Integer(**_ID)
    event = ma.fields.Integer(**_ID)
    group = ma.fields.Integer(**_ID)
    characteristic = id_list("Coded as speaking for any of these characteristics")
    theme = id_list("Coded with any of these themes")
    barrier = id_list("Coded with any of these barriers")
    area = id_list("From events in, or groups serving, any of these areas")
    received_from = ma.fields.Date(
        data_key="from", metadata={"description": "Received on or after (UK date)"}
    )
    received_to = ma.fields.Date(data_key="to", metadata={"description": "Received on or before (UK date)"})


class Policy(ma.Schema):
    id = ma.fields.Integer(required=True)
    reference = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    kind = ma.fields.String(required=True, metadata={"enum": list(POLICY_KINDS)})
    status = ma.fields.String(required=True, metadata={"enum": list(POLICY_STATUSES)})
    summary = ma.fields.String(required=True)
    is_key = ma.fields.Boolean(required=True)
    owner = ma.fields.Nested(Named, required=True, allow_none=True)
    updated_at = ma.fields.AwareDateTime(required=True, format="iso")


class PolicyPage(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(Policy), required=True)
    page = ma.fields.Nested(PageMeta, required=True)


class PolicyArgs(PageArgs):
    search = ma.fields.String(validate=ma.validate.Length(max=200))
    kind = ma.fields.String(validate=ma.validate.OneOf(list(POLICY_KINDS)))
    status = ma.fields.String(validate=ma.validate.OneOf(list(POLICY_STATUSES)))


class Count(ma.Schema):
    id = ma.fields.Raw(required=True, metadata={"description": "An id, or a source's code"})
    name = ma.fields.String(required=True)
    count = ma.fields.Integer(required=True)


class Coverage(ma.Schema):
    characteristic = ma.fields.Nested(Named, required=True)
    feedback = ma.fields.Integer(required=True, metadata={"description": "Items coded as speaking for it"})
    groups = ma.fields.Integer(required=True)
    events = ma.fields.Integer(required=True)
    responses = ma.fields.Integer(required=True)
    is_target = ma.fields.Boolean(required=True)
    is_weak = ma.fields.Boolean(required=True)


class EvidenceCounts(ma.Schema):
    characteristic = ma.fields.List(ma.fields.Nested(Count), required=True)
    theme = ma.fields.List(ma.fields.Nested(Count), required=True)
    source = ma.fields.List(ma.fields.Nested(Count), required=True)


class Evidence(ma.Schema):
    policy = ma.fields.Nested(Policy, required=True)
    total = ma.fields.Integer(required=True, metadata={"description": "Every item that reached the policy"})
    uncoded = ma.fields.Integer(required=True)
    counts = ma.fields.Nested(EvidenceCounts, required=True)
    coverage = ma.fields.List(ma.fields.Nested(Coverage), required=True)
    items = ma.fields.List(ma.fields.Nested(Feedback), required=True)
    page = ma.fields.Nested(PageMeta, required=True)


class Reference(ma.Schema):
    id = ma.fields.Integer(required=True)
    code = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    description = ma.fields.String(required=True)
    is_retired = ma.fields.Boolean(required=True)


class ReferenceList(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(Reference), required=True)


class FeedbackCreate(ma.Schema):
    """A piece of feedback captured in the field. Unknown fields are refused."""

    text = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=MAX_TEXT))
    source = ma.fields.String(
        required=True, validate=ma.validate.OneOf([code for code in SOURCES if code != "response"])
    )
    received_at = ma.fields.AwareDateTime(required=True, format="iso")
    stance = ma.fields.String(load_default=None, allow_none=True, validate=ma.validate.OneOf(list(STANCES)))
    group_id = ma.fields.Integer(load_default=None, allow_none=True, **_ID)
    contact_id = ma.fields.Integer(load_default=None, allow_none=True, **_ID)
    consultation_id = ma.fields.Integer(load_default=None, allow_none=True, **_ID)
    event_id = ma.fields.Integer(load_default=None, allow_none=True, **_ID)
    policy_ids = id_list("Policies it is evidence for")
    characteristic_ids = id_list("Characteristics it speaks for")
    theme_ids = id_list("Themes")
    barrier_ids = id_list("Barriers")


class IdempotencyHeader(ma.Schema):
    key = ma.fields.String(
        required=True,
        data_key="Idempotency-Key",
        validate=[ma.validate.Length(min=1, max=100), ma.validate.Regexp(r"^[\x21-\x7e]+$")],
        metadata={
            "description": "Your own unique value for this create: sending it again returns the same record"
        },
    )
