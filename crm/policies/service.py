"""Writes to the policies register. Every change is audited in the same transaction."""

import re

from sqlalchemy import func, select

from crm.auth import roles
from crm.auth.models import StaffUser
from crm.core import audit
from crm.core.models import DeliveryArea
from crm.core.rules import RuleBroken
from crm.extensions import db
from crm.policies.models import POLICY_KINDS, POLICY_STATUSES, Policy

REFERENCE_PATTERN = re.compile(r"[A-Z0-9][A-Z0-9-]{1,29}")


class PolicyError(RuleBroken):
    """A policy change was refused."""


def _clean(values: dict, policy_id: int | None = None) -> dict:
    values = {key: value.strip() if isinstance(value, str) else value for key, value in values.items()}
    values["reference"] = values["reference"].upper()
    if not REFERENCE_PATTERN.fullmatch(values["reference"]):
        raise PolicyError("reference", "Reference must be letters, numbers and hyphens, like WMCA-POL-001")
    taken = select(Policy.id).where(func.upper(Policy.reference) == values["reference"])
    if policy_id is not None:
        taken = taken.where(Policy.id != policy_id)
    if db.session.scalar(taken) is not None:
        raise PolicyError("reference", "There is already a policy with this reference")
    if values["kind"] not in POLICY_KINDS:
        raise PolicyError("kind", "Select what kind of policy this is")
    if values["status"] not in POLICY_STATUSES:
        raise PolicyError("status", "Select a status")
    area_id = values.get("delivery_area_id")
    if area_id is not None:
        area = db.session.get(DeliveryArea, area_id)
        if area is None or (area.is_retired and (policy_id is None or _area_of(policy_id) != area_id)):
            raise PolicyError("delivery_area_id", "Select a delivery area from the list")
    owner_id = values.get("owner_id")
    if owner_id is not None:
        owner = db.session.get(StaffUser, owner_id)
        if owner is None or owner.role != roles.POLICY_LEAD or not owner.is_active_account:
            raise PolicyError("owner_id", "Select a policy lead as the owner")
    return values


def _area_of(policy_id: int) -> int | None:
    """The delivery area a policy has now: a retired one may stay, but no policy may newly choose it."""
    return db.session.scalar(select(Policy.delivery_area_id).where(Policy.id == policy_id))


def create_policy(actor, **values) -> Policy:
    values = _clean(values)
    policy = Policy(**values)
    db.session.add(policy)
    audit.record(actor, "policy.created", policy, list(values))
    return policy


def update_policy(actor, policy: Policy, **values) -> list[str]:
    values = _clean(values, policy.id)
    changed = audit.changed_field_names(policy, values)
    if changed:
        audit.record(actor, "policy.updated", policy, changed)
    return changed
