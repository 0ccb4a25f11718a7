"""The pickers' search endpoints: what accessible-autocomplete offers as staff type the name of a group, a
policy, a consultation or an event (static/src/pickers.mjs). Thin: each asks its own area's queries, which
use the one near-duplicate matcher (crm/core/matching.py) for names that are close but not contained.

Each answers `{"results": [{"id": …, "name": …, "hint": …}]}`, at most ten, for `?q=` of two characters or
more. Without JavaScript the same fields work as plain text inputs (crm/core/pickers.py).
"""

from flask import Blueprint, jsonify, request

from crm.auth.permissions import any_staff
from crm.consultations.queries import pick_consultations
from crm.core.args import search_text
from crm.engagement.queries import pick_events
from crm.groups.queries import pick_groups
from crm.policies.queries import pick_policies

bp = Blueprint("pickers", __name__, url_prefix="/staff/pick")
LIMIT = 10


def _answer(results: list[dict]):
    return jsonify({"results": results})  # staff pages are never cached (crm/security.py)


@bp.get("/groups")
@any_staff
def groups():
    found = pick_groups(search_text(request.args), LIMIT)
    return _answer(
        [{"id": g.id, "name": g.name, "hint": "" if g.is_verified else "Not verified"} for g in found]
    )


@bp.get("/policies")
@any_staff
def policies():
    found = pick_policies(search_text(request.args), LIMIT)
    return _answer([{"id": id_, "name": name, "hint": ""} for id_, name in found])


@bp.get("/consultations")
@any_staff
def consultations():
    found = pick_consultations(search_text(request.args), LIMIT)
    return _answer([{"id": id_, "name": name, "hint": ""} for id_, name in found])


@bp.get("/events")
@any_staff
def events():
    # the name is "title, date", what the field is filled with: titles repeat, so the day makes it one event
    found = pick_events(search_text(request.args), LIMIT)
    return _answer([{"id": id_, "name": label, "hint": ""} for id_, label in found])
