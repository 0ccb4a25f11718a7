"""Open data, no token: consultations the public can see (open and closed), published outcomes, published
EIAs and the published responses to standing bodies' recommendations, as JSON (in the OpenAPI document) and
as CSV (`.csv` siblings). Only what the authority has published: an EIA's findings without the feedback
cited as evidence (people's words stay inside), and responses as each body's public register shows them."""

from datetime import datetime

import marshmallow as ma
from flask import Blueprint as FlaskBlueprint
from flask import current_app, url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import selectinload

from crm.api.pagination import PageArgs, PageMeta, decode, page_of
from crm.bodies.models import Recommendation, RecommendationResponse, StandingBody
from crm.consultations.models import Consultation
from crm.core import spreadsheets
from crm.core.models import utc_now
from crm.eias.models import EIA, EIAFinding
from crm.extensions import db
from crm.outcomes.models import Outcome

open_data = Blueprint(
    "api-open", __name__, url_prefix="/api/v1/open", description="Open data: no token needed"
)
open_csv = FlaskBlueprint("api-open-csv", __name__, url_prefix="/api/v1/open")
_NO_TOKEN = {"security": []}


class OpenConsultation(ma.Schema):
    id = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)
    summary = ma.fields.String(required=True)
    status = ma.fields.String(
        required=True, metadata={"enum": ["open", "closed", "analysed", "outcome_published"]}
    )
    opens_at = ma.fields.AwareDateTime(required=True, allow_none=True, format="iso")
    closes_at = ma.fields.AwareDateTime(required=True, allow_none=True, format="iso")
    url = ma.fields.String(required=True, metadata={"description": "The consultation's public page"})


class OpenConsultationPage(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(OpenConsultation), required=True)
    page = ma.fields.Nested(PageMeta, required=True)


class OpenOutcome(ma.Schema):
    id = ma.fields.Integer(required=True)
    consultation = ma.fields.Nested(OpenConsultation, required=True)
    we_asked = ma.fields.String(required=True)
    you_said = ma.fields.String(required=True)
    we_did = ma.fields.String(required=True)
    published_at = ma.fields.AwareDateTime(required=True, allow_none=True, format="iso")


class OpenOutcomePage(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(OpenOutcome), required=True)
    page = ma.fields.Nested(PageMeta, required=True)


class OpenFinding(ma.Schema):
    characteristic = ma.fields.String(required=True)
    direction = ma.fields.String(
        required=True, metadata={"description": "positive, negative, neutral, unknown"}
    )
    severity = ma.fields.String(required=True)
    narrative = ma.fields.String(required=True)


class OpenEIA(ma.Schema):
    id = ma.fields.Integer(required=True)
    reference = ma.fields.String(required=True)
    policy_reference = ma.fields.String(required=True)
    policy_title = ma.fields.String(required=True)
    version = ma.fields.Integer(required=True)
    scope = ma.fields.String(required=True)
    outcome = ma.fields.String(required=True)
    justification = ma.fields.String(required=True)
    aim_eliminate = ma.fields.String(required=True)
    aim_opportunity = ma.fields.String(required=True)
    aim_relations = ma.fields.String(required=True)
    review_due = ma.fields.Date(required=True, allow_none=True)
    published_at = ma.fields.AwareDateTime(required=True, allow_none=True, format="iso")
    findings = ma.fields.List(ma.fields.Nested(OpenFinding), required=True)


class OpenEIAPage(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(OpenEIA), required=True)
    page = ma.fields.Nested(PageMeta, required=True)


class OpenRecommendationResponse(ma.Schema):
    id = ma.fields.Integer(required=True)
    body = ma.fields.String(required=True)
    register_url = ma.fields.String(required=True, metadata={"description": "The body's public register"})
    recommendation = ma.fields.String(required=True)
    recommendation_text = ma.fields.String(required=True)
    made_on = ma.fields.Date(required=True)
    decision = ma.fields.String(
        required=True, metadata={"description": "accepted, accepted_in_part or not_accepted"}
    )
    reasons = ma.fields.String(required=True)
    responded_on = ma.fields.Date(required=True)
    implementation = ma.fields.String(required=True, metadata={"description": "For an accepted one"})
    implementation_evidence = ma.fields.String(required=True)
    published_at = ma.fields.AwareDateTime(required=True, format="iso")


class OpenRecommendationResponsePage(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(OpenRecommendationResponse), required=True)
    page = ma.fields.Nested(PageMeta, required=True)


def _cache_headers() -> dict:
    return {"Cache-Control": f"public, max-age={current_app.config['OPEN_DATA_MAX_AGE']}"}


def _public_consultations(now: datetime):
    """Open or past: not drafts, and not those still waiting for their opening date."""
    return select(Consultation).where(
        Consultation.status != "draft",
        or_(
            Consultation.status != "scheduled",
            and_(Consultation.opens_at.is_not(None), Consultation.opens_at <= now),
        ),
    )


def _consultation_dict(consultation: Consultation, now: datetime) -> dict:
    return {
        "id": consultation.id,
        "title": consultation.title,
        "summary": consultation.summary,
        "status": consultation.effective_status(now),
        "opens_at": consultation.opens_at,
        "closes_at": consultation.closes_at,
        "url": url_for("public_consultations.view", slug=consultation.slug, _external=True),
    }


def _published_outcomes():
    return select(Outcome).where(Outcome.status == "published").options(selectinload(Outcome.consultation))


def _outcome_dict(outcome: Outcome, now: datetime) -> dict:
    return {
        "id": outcome.id,
        "consultation": _consultation_dict(outcome.consultation, now),
        "we_asked": outcome.we_asked,
        "you_said": outcome.you_said,
        "we_did": outcome.we_did,
        "published_at": outcome.published_at,
    }


def _published_eias():
    return (
        select(EIA)
        .where(EIA.status == "published")
        .options(
            selectinload(EIA.policy),
            selectinload(EIA.findings).selectinload(EIAFinding.characteristic),
        )
    )


def _eia_dict(eia: EIA) -> dict:
    return {
        "id": eia.id,
        "reference": eia.reference,
        "policy_reference": eia.policy.reference,
        "policy_title": eia.policy.title,
        "version": eia.version,
        "scope": eia.scope,
        "outcome": eia.outcome,
        "justification": eia.justification,
        "aim_eliminate": eia.aim_eliminate,
        "aim_opportunity": eia.aim_opportunity,
        "aim_relations": eia.aim_relations,
        "review_due": eia.review_due,
        "published_at": eia.published_at,
        "findings": [
            {
                "characteristic": finding.characteristic.name,
                "direction": finding.direction,
                "severity": finding.severity,
                "narrative": finding.narrative,
            }
            for finding in sorted(eia.findings, key=lambda finding: finding.position)
        ],
    }


def _published_responses():
    """Published responses to the recommendations of bodies with a public register, as the registers show."""
    return (
        select(RecommendationResponse)
        .join(RecommendationResponse.recommendation)
        .join(StandingBody, StandingBody.id == Recommendation.body_id)
        .where(
            RecommendationResponse.published_at.is_not(None),
            StandingBody.has_public_register.is_(True),
            StandingBody.is_archived.is_(False),
        )
        .options(selectinload(RecommendationResponse.recommendation).selectinload(Recommendation.body))
    )


def _response_dict(response: RecommendationResponse) -> dict:
    recommendation = response.recommendation
    accepting = response.is_accepting
    return {
        "id": response.id,
        "body": recommendation.body.name,
        "register_url": url_for("bodies.public_register", slug=recommendation.body.slug, _external=True),
        "recommendation": recommendation.title,
        "recommendation_text": recommendation.text,
        "made_on": recommendation.made_on,
        "decision": response.decision,
        "reasons": response.reasons,
        "responded_on": response.responded_on,
        "implementation": response.implementation if accepting else "",
        "implementation_evidence": response.implementation_evidence if accepting else "",
        "published_at": response.published_at,
    }


def _page(query, model, args):
    if (after := decode(args.get("cursor"))) is not None:
        query = query.where(model.id > after)
    return page_of(list(db.session.scalars(query.order_by(model.id).limit(args["limit"] + 1))), args["limit"])


@open_data.route("/consultations")
class OpenConsultations(MethodView):
    @open_data.doc(**_NO_TOKEN)
    @open_data.arguments(PageArgs, location="query", unknown=ma.RAISE)
    @open_data.response(200, OpenConsultationPage)
    def get(self, args):
        """Consultations that are open or have closed, oldest first (CSV: /api/v1/open/consultations.csv)"""
        now = utc_now()
        rows, next_cursor = _page(_public_consultations(now), Consultation, args)
        body = {
            "items": [_consultation_dict(row, now) for row in rows],
            "page": {"limit": args["limit"], "next_cursor": next_cursor},
        }
        return body, 200, _cache_headers()


@open_data.route("/outcomes")
class OpenOutcomes(MethodView):
    @open_data.doc(**_NO_TOKEN)
    @open_data.arguments(PageArgs, location="query", unknown=ma.RAISE)
    @open_data.response(200, OpenOutcomePage)
    def get(self, args):
        """Published outcomes ("We asked, you said, we did"), oldest first (CSV: /api/v1/open/outcomes.csv)"""
        now = utc_now()
        rows, next_cursor = _page(_published_outcomes(), Outcome, args)
        body = {
            "items": [_outcome_dict(row, now) for row in rows],
            "page": {"limit": args["limit"], "next_cursor": next_cursor},
        }
        return body, 200, _cache_headers()


@open_data.route("/eias")
class OpenEIAs(MethodView):
    @open_data.doc(**_NO_TOKEN)
    @open_data.arguments(PageArgs, location="query", unknown=ma.RAISE)
    @open_data.response(200, OpenEIAPage)
    def get(self, args):
        """Published Equality Impact Assessments and their findings, oldest first
        (CSV: /api/v1/open/eias.csv)"""
        rows, next_cursor = _page(_published_eias(), EIA, args)
        body = {
            "items": [_eia_dict(row) for row in rows],
            "page": {"limit": args["limit"], "next_cursor": next_cursor},
        }
        return body, 200, _cache_headers()


@open_data.route("/recommendation-responses")
class OpenRecommendationResponses(MethodView):
    @open_data.doc(**_NO_TOKEN)
    @open_data.arguments(PageArgs, location="query", unknown=ma.RAISE)
    @open_data.response(200, OpenRecommendationResponsePage)
    def get(self, args):
        """Published responses to standing bodies' recommendations, oldest first
        (CSV: /api/v1/open/recommendation-responses.csv)"""
        rows, next_cursor = _page(_published_responses(), RecommendationResponse, args)
        body = {
            "items": [_response_dict(row) for row in rows],
            "page": {"limit": args["limit"], "next_cursor": next_cursor},
        }
        return body, 200, _cache_headers()


@open_csv.get("/consultations.csv")
def consultations_csv():
    now = utc_now()
    rows = db.session.scalars(_public_consultations(now).order_by(Consultation.id))
    header = ["id", "title", "summary", "status", "opens_at", "closes_at", "url"]
    return _csv("consultations.csv", header, (_consultation_dict(row, now) for row in rows))


@open_csv.get("/outcomes.csv")
def outcomes_csv():
    """One row per outcome, its consultation named by id and title."""
    now = utc_now()
    header = ["id", "consultation_id", "consultation_title", "we_asked", "you_said", "we_did", "published_at"]
    items = (
        {
            **item,
            "consultation_id": item["consultation"]["id"],
            "consultation_title": item["consultation"]["title"],
        }
        for item in (
            _outcome_dict(row, now) for row in db.session.scalars(_published_outcomes().order_by(Outcome.id))
        )
    )
    return _csv("outcomes.csv", header, items)


def _csv(filename: str, header: list[str], items) -> object:
    """A CSV of dicts made for the JSON, one column per name in `header`: dates and times in ISO 8601, and
    an empty cell for none."""

    def cell(value):
        return "" if value is None else value.isoformat() if hasattr(value, "isoformat") else value

    data = ([cell(item[name]) for name in header] for item in items)
    response = spreadsheets.download(filename, [header, *data])
    response.headers.update(_cache_headers())
    return response


@open_csv.get("/eias.csv")
def eias_csv():
    """One row per EIA: its findings are summed up as "characteristic: direction" pairs."""
    header = [
        "id", "reference", "policy_reference", "policy_title", "version", "scope", "outcome",
        "justification", "review_due", "published_at", "findings",
    ]  # fmt: skip
    items = (
        {
            **item,
            "findings": "; ".join(f"{f['characteristic']}: {f['direction']}" for f in item["findings"]),
        }
        for item in (_eia_dict(row) for row in db.session.scalars(_published_eias().order_by(EIA.id)))
    )
    return _csv("eias.csv", header, items)


@open_csv.get("/recommendation-responses.csv")
def recommendation_responses_csv():
    header = list(OpenRecommendationResponse().fields)
    rows = db.session.scalars(_published_responses().order_by(RecommendationResponse.id))
    return _csv("recommendation-responses.csv", header, (_response_dict(row) for row in rows))
