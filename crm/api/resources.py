"""Policies with their evidence, feedback and reference data: read by any staff role, as on the pages, with
personal details only for the roles that see them. Each list is one filtered, keyset-paged query plus a
few bulk loads, never a query per row."""

import hashlib
import json

import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint, abort
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from crm.api import idempotency, schemas
from crm.api.auth import WRITE, api_user, sees_personal_data, token_required
from crm.api.pagination import decode, encode, page_of
from crm.auth import roles
from crm.consultations.models import Consultation
from crm.core.models import Area, Barrier, Characteristic, Theme
from crm.engagement.models import EngagementEvent
from crm.evidence import queries as evidence_queries
from crm.evidence.service import record_due_regard
from crm.extensions import db
from crm.feedback import queries as feedback_queries
from crm.feedback.models import Feedback
from crm.feedback.service import FeedbackError, FeedbackValues, capture
from crm.policies.models import Policy

policies = Blueprint(
    "api-policies", __name__, url_prefix="/api/v1/policies", description="Policies and evidence"
)
feedback = Blueprint("api-feedback", __name__, url_prefix="/api/v1/feedback", description="Feedback items")
reference = Blueprint(
    "api-reference", __name__, url_prefix="/api/v1/reference", description="Reference lists for coding"
)
BLUEPRINTS = (policies, feedback, reference)  # and crm/api/groups.py's (crm/api/__init__.py)
CODERS = (roles.ADMIN, roles.ENGAGEMENT_OFFICER)  # who records feedback, as on the pages
REFERENCE_KINDS = {"characteristics": Characteristic, "areas": Area, "themes": Theme, "barriers": Barrier}


def _named(row, attribute: str = "name"):
    return None if row is None else {"id": row.id, attribute: getattr(row, attribute)}


def feedback_dict(item: Feedback, personal: bool) -> dict:
    """One item with its codes; the contact and respondent only for roles that see personal data."""
    contact = respondent = None
    if personal and item.contact is not None:
        contact = {"id": item.contact.id, "name": item.contact.name, "email": item.contact.email}
    if personal and item.response is not None and (item.response.name or item.response.email):
        respondent = {"name": item.response.name, "email": item.response.email}
    return {
        "id": item.id,
        "text": item.text,
        "source": item.source,
        "status": item.status,
        "stance": item.stance,
        "received_at": item.received_at,
        "consultation": _named(item.consultation, "title"),
        "event": _named(item.event, "title"),
        "group": _named(item.group),
        "characteristics": [_named(row) for row in item.characteristics],
        "themes": [_named(row) for row in item.themes],
        "barriers": [_named(row) for row in item.barriers],
        "contact": contact,
        "respondent": respondent,
    }


def _policy_or_404(policy_id: int) -> Policy:
    policy = db.session.scalar(
        select(Policy).where(Policy.id == policy_id).options(selectinload(Policy.owner))
    )
    if policy is None:
        abort(404)
    return policy


@policies.route("")
class PolicyList(MethodView):
    @token_required()
    @policies.arguments(schemas.PolicyArgs, location="query", unknown=ma.RAISE)
    @policies.response(200, schemas.PolicyPage)
    def get(self, args):
        """Policies, by id"""
        query = select(Policy).options(selectinload(Policy.owner)).order_by(Policy.id)
        if args.get("search"):
            pattern = f"%{args['search']}%"
            query = query.where(Policy.title.ilike(pattern) | Policy.reference.ilike(pattern))
        if args.get("kind"):
            query = query.where(Policy.kind == args["kind"])
        if args.get("status"):
            query = query.where(Policy.status == args["status"])
        if (after := decode(args.get("cursor"))) is not None:
            query = query.where(Policy.id > after)
        rows, next_cursor = page_of(list(db.session.scalars(query.limit(args["limit"] + 1))), args["limit"])
        return {"items": rows, "page": {"limit": args["limit"], "next_cursor": next_cursor}}


@policies.route("/<int:policy_id>")
class PolicyItem(MethodView):
    @token_required()
    @policies.response(200, schemas.Policy)
    def get(self, policy_id: int):
        """One policy"""
        return _policy_or_404(policy_id)


@policies.route("/<int:policy_id>/evidence")
class PolicyEvidence(MethodView):
    @token_required()
    @policies.arguments(schemas.PageArgs, location="query", unknown=ma.RAISE)
    @policies.response(200, schemas.Evidence)
    def get(self, args, policy_id: int):
        """A policy's evidence pack: counts, coverage per characteristic, and its items, newest first"""
        policy = _policy_or_404(policy_id)
        user, personal = api_user(), sees_personal_data()
        filters = evidence_queries.EvidenceFilters()
        record_due_regard(user, "evidence_pack.viewed", policy, ["api"])
        page = decode(args.get("cursor")) or 1
        pack = evidence_queries.evidence_pack(policy.id, filters, page, personal, per_page=args["limit"])
        pagination = pack.pagination
        return {
            "policy": policy,
            "total": pack.total,
            "uncoded": pack.uncoded,
            "counts": {
                kind: [{"id": count.id, "name": count.name, "count": count.count} for count in counts]
                for kind, counts in pack.counts.items()
            },
            "coverage": [
                {
                    "characteristic": _named(row.characteristic),
                    "feedback": row.feedback,
                    "groups": row.groups,
                    "events": row.events,
                    "responses": row.responses,
                    "is_target": row.is_target,
                    "is_weak": row.is_weak,
                }
                for row in pack.coverage
            ],
            "items": [feedback_dict(item, personal) for item in pagination.items],
            "page": {
                "limit": args["limit"],
                "next_cursor": encode(pagination.page + 1) if pagination.has_next else None,
            },
        }


@feedback.route("")
class FeedbackList(MethodView):
    @token_required()
    @feedback.arguments(schemas.FeedbackArgs, location="query", unknown=ma.RAISE)
    @feedback.response(200, schemas.FeedbackPage)
    def get(self, args):
        """Feedback, newest first, with the inbox's filters and full-text search (`q`)"""
        filters = feedback_queries.FeedbackFilters(
            q=args.get("q", ""),
            source=args.get("source", []),
            stance=args.get("stance", []),
            coded=args.get("coded", ""),
            policy=args.get("policy"),
            consultation=args.get("consultation"),
            event=args.get("event"),
            group=args.get("group"),
            characteristic=args.get("characteristic", []),
            theme=args.get("theme", []),
            barrier=args.get("barrier", []),
            area=args.get("area", []),
            date_from=args.get("received_from"),
            date_to=args.get("received_to"),
        )
        personal = sees_personal_data()
        query = feedback_queries.filtered(filters).order_by(Feedback.id.desc())
        if (before := decode(args.get("cursor"))) is not None:
            query = query.where(Feedback.id < before)
        query = query.options(*evidence_queries.item_options(personal)).limit(args["limit"] + 1)
        rows, next_cursor = page_of(list(db.session.scalars(query)), args["limit"])
        return {
            "items": [feedback_dict(item, personal) for item in rows],
            "page": {"limit": args["limit"], "next_cursor": next_cursor},
        }

    @token_required(WRITE, allowed=CODERS)
    @feedback.arguments(schemas.IdempotencyHeader, location="headers", unknown=ma.EXCLUDE, as_kwargs=True)
    @feedback.arguments(schemas.FeedbackCreate)
    @feedback.response(201, schemas.Feedback)
    @feedback.alt_response(
        200, schema=schemas.Feedback, success=True, description="A replay: the first record"
    )
    def post(self, values, key: str):
        """Record feedback captured in the field; sending the same Idempotency-Key again returns the first
        record (200) rather than making a second"""
        user = api_user()
        fingerprint = hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode()).hexdigest()
        replayed = idempotency.claim(user.id, key, fingerprint)
        if replayed is not None:
            return feedback_dict(_load_feedback(replayed, True), True), 200, {"Idempotent-Replayed": "true"}
        _check_links(values)
        try:
            item = capture(
                user,
                FeedbackValues(
                    text=values["text"],
                    source=values["source"],
                    received_at=values["received_at"],
                    stance=values["stance"],
                    group_id=values["group_id"],
                    contact_id=values["contact_id"],
                    consultation_id=values["consultation_id"],
                    event_id=values["event_id"],
                    policy_ids=values.get("policy_ids", []),
                    characteristic_ids=values.get("characteristic_ids", []),
                    theme_ids=values.get("theme_ids", []),
                    barrier_ids=values.get("barrier_ids", []),
                ),
            )
        except FeedbackError as error:
            abort(422, errors={"json": {_API_FIELDS.get(error.field, error.field): [str(error)]}})
        idempotency.record(user.id, key, item.id)
        return feedback_dict(_load_feedback(item.id, True), True)


# The service names its form's fields; the API's differ for a few.
_API_FIELDS = {"received_on": "received_at", "contact_email": "contact_id", "group_name": "group_id"}


def _check_links(values: dict) -> None:
    """Links the service takes on trust from its own form's choices: each must name a real record."""
    for name, model in (("consultation_id", Consultation), ("event_id", EngagementEvent)):
        if values.get(name) is not None and db.session.get(model, values[name]) is None:
            abort(422, errors={"json": {name: ["No such record."]}})


def _load_feedback(feedback_id: int, personal: bool) -> Feedback:
    db.session.flush()
    return db.session.scalar(
        select(Feedback)
        .where(Feedback.id == feedback_id)
        .options(*evidence_queries.item_options(personal))
        .execution_options(populate_existing=True)
    )


@feedback.route("/<int:feedback_id>")
class FeedbackItem(MethodView):
    @token_required()
    @feedback.response(200, schemas.Feedback)
    def get(self, feedback_id: int):
        """One feedback item with its codes"""
        personal = sees_personal_data()
        options = evidence_queries.item_options(personal)
        item = db.session.scalar(select(Feedback).where(Feedback.id == feedback_id).options(*options))
        if item is None:
            abort(404)
        return feedback_dict(item, personal)


@reference.route("/<any(characteristics, areas, themes, barriers):kind>")
class ReferenceItems(MethodView):
    @token_required()
    @reference.response(200, schemas.ReferenceList)
    def get(self, kind: str):
        """A reference list (characteristics, areas, themes or barriers), retired entries included"""
        model = REFERENCE_KINDS[kind]
        return {"items": list(db.session.scalars(select(model).order_by(model.sort_order, model.name)))}
