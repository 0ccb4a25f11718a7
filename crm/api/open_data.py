"""Open data, no token: consultations the public can see (open and closed) and published outcomes, as JSON
(in the OpenAPI document) and as CSV (`.csv` siblings). Only what the public pages already show."""

from datetime import datetime

import marshmallow as ma
from flask import Blueprint as FlaskBlueprint
from flask import current_app, url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import selectinload

from crm.api.pagination import PageArgs, PageMeta, decode, page_of
from crm.consultations.models import Consultation
from crm.core import spreadsheets
from crm.core.models import utc_now
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


def _iso(value: datetime | None) -> str:
    return value.isoformat() if value else ""


@open_csv.get("/consultations.csv")
def consultations_csv():
    now = utc_now()
    rows = db.session.scalars(_public_consultations(now).order_by(Consultation.id))
    header = ["id", "title", "summary", "status", "opens_at", "closes_at", "url"]
    data = (
        [item[name] if "_at" not in name else _iso(item[name]) for name in header]
        for item in (_consultation_dict(row, now) for row in rows)
    )
    response = spreadsheets.download("consultations.csv", [header, *data])
    response.headers.update(_cache_headers())
    return response


@open_csv.get("/outcomes.csv")
def outcomes_csv():
    header = ["id", "consultation_id", "consultation_title", "we_asked", "you_said", "we_did", "published_at"]
    data = [
        [
            row.id,
            row.consultation.id,
            row.consultation.title,
            row.we_asked,
            row.you_said,
            row.we_did,
            _iso(row.published_at),
        ]
        for row in db.session.scalars(_published_outcomes().order_by(Outcome.id))
    ]
    response = spreadsheets.download("outcomes.csv", [header, *data])
    response.headers.update(_cache_headers())
    return response
