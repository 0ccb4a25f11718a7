"""Capturing feedback from any channel, and coding it by theme, barrier, characteristic and stance."""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import case, delete, exists, insert, or_, select, update

from crm.auth import roles
from crm.consultations.models import Consultation
from crm.consultations.service import response_group_linked, response_received, response_status_changed
from crm.core import audit
from crm.core.args import whole_number
from crm.core.batches import batched
from crm.core.models import AuditEvent, Barrier, Characteristic, Theme, utc_now
from crm.core.rules import RuleBroken
from crm.engagement.models import EngagementEvent
from crm.extensions import db
from crm.feedback.models import (
    CHOSEN_EXCLUSIONS,
    STANCES,
    Feedback,
    feedback_barrier,
    feedback_characteristic,
    feedback_theme,
)
from crm.feedback.queries import reaching_owned_policies
from crm.groups.models import CommunityGroup, Contact
from crm.policies.models import Policy

MAX_TEXT = 10_000
OTHER_CHANNELS = ("email", "phone", "letter", "meeting", "social_media")
# Code kind -> (link table, its column, reference model)
CODES = {
    "theme": (feedback_theme, feedback_theme.c.theme_id, Theme),
    "barrier": (feedback_barrier, feedback_barrier.c.barrier_id, Barrier),
    "characteristic": (feedback_characteristic, feedback_characteristic.c.characteristic_id, Characteristic),
}


class FeedbackError(RuleBroken):
    """Feedback could not be captured or coded as asked."""


@dataclass
class FeedbackValues:
    text: str
    source: str
    received_at: datetime
    group_id: int | None = None
    contact_id: int | None = None
    consultation_id: int | None = None
    event_id: int | None = None
    policy_ids: list[int] = field(default_factory=list)
    characteristic_ids: list[int] = field(default_factory=list)
    theme_ids: list[int] = field(default_factory=list)
    barrier_ids: list[int] = field(default_factory=list)
    stance: str | None = None


def _load(model, ids, field_name: str, label: str) -> list:
    items = list(db.session.scalars(select(model).where(model.id.in_(ids)))) if ids else []
    if len(items) != len(set(ids)):
        raise FeedbackError(field_name, f"Select {label} shown on the list")
    return items


def check_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise FeedbackError("text", "Enter what the person said")
    if len(text) > MAX_TEXT:
        raise FeedbackError("text", f"Feedback must be {MAX_TEXT:,} characters or fewer")
    return text


def capture(actor, values: FeedbackValues) -> Feedback:
    """Record one piece of feedback with its provenance; codes given now mark it as coded."""
    text = check_text(values.text)
    if values.received_at > utc_now():
        raise FeedbackError("received_on", "The date received must be today or in the past")
    if values.stance is not None and values.stance not in STANCES:
        raise FeedbackError("stance", "Select a stance from the list")
    if values.contact_id is not None:
        contact = db.session.get(Contact, values.contact_id)
        if contact is None or (values.group_id and contact.group_id != values.group_id):
            raise FeedbackError("contact_email", "That contact is not one of the group’s contacts")
    if values.group_id is not None and db.session.get(CommunityGroup, values.group_id) is None:
        raise FeedbackError("group_name", "Select a group from the list")
    event = db.session.get(EngagementEvent, values.event_id) if values.event_id else None
    policies = _load(Policy, values.policy_ids, "policy_ids", "policies")
    if event is not None:
        policies = list({p.id: p for p in [*policies, *event.policies]}.values())
    item = Feedback(
        text=text,
        source=values.source,
        received_at=values.received_at,
        group_id=values.group_id,
        contact_id=values.contact_id,
        consultation_id=values.consultation_id or (event.consultation_id if event else None),
        event_id=values.event_id,
        captured_by_id=getattr(actor, "id", None),
        stance=values.stance,
        policies=policies,
        characteristics=_load(
            Characteristic, values.characteristic_ids, "characteristic_ids", "characteristics"
        ),
        themes=_load(Theme, values.theme_ids, "theme_ids", "themes"),
        barriers=_load(Barrier, values.barrier_ids, "barrier_ids", "barriers"),
    )
    item.status = "coded" if (item.characteristics or item.themes or item.barriers or item.stance) else "new"
    db.session.add(item)
    audit.record(
        actor,
        "feedback.created",
        item,
        [
            "text",
            "source",
            "received_at",
            "group_id",
            "contact_id",
            "event_id",
            "characteristics",
            "themes",
            "barriers",
            "stance",
        ],
    )
    return item


@dataclass
class Coding:
    """What to do to a set of items: add or remove one code, or set the stance."""

    action: str  # "add" or "remove"
    kind: str  # "theme", "barrier", "characteristic" or "stance"
    value: str  # an id, or a stance ("" removes the stance)


def _has_any_code():
    return or_(
        Feedback.stance.is_not(None),
        *[exists().where(table.c.feedback_id == Feedback.id) for table, _column, _model in CODES.values()],
    )


def may_code(actor, ids: list[int]) -> bool:
    """Officers and admins code any feedback; a policy lead codes only feedback that reached a policy they
    own (least privilege: their own evidence, and every change on record like anyone's)."""
    if actor.has_role(roles.ADMIN, roles.ENGAGEMENT_OFFICER):
        return True
    if not actor.has_role(roles.POLICY_LEAD):
        return False
    return set(ids) <= reaching_owned_policies(actor.id, list(ids))


def apply_coding(actor, ids: list[int], coding: Coding) -> int:
    """Code every item in `ids` in one transaction; each coded item gets its own audit event."""
    if not ids:
        raise FeedbackError("feedback_id", "Select at least one feedback item")
    if not may_code(actor, ids):
        raise FeedbackError("feedback_id", "You can code only feedback that reached a policy you own")
    if coding.kind == "stance":
        if coding.value and coding.value not in STANCES:
            raise FeedbackError("stance", "Select a stance from the list")
        db.session.execute(
            update(Feedback)
            .where(Feedback.id.in_(ids))
            .values(stance=coding.value if coding.action == "add" and coding.value else None)
        )
        changed = ["stance"]
    else:
        if coding.kind not in CODES or coding.action not in ("add", "remove"):
            raise FeedbackError("kind", "Select what to do")
        table, column, model = CODES[coding.kind]
        code_id = whole_number(str(coding.value))
        if code_id is None or db.session.get(model, code_id) is None:
            raise FeedbackError(coding.kind, f"Select a {coding.kind} shown on the list")
        for chunk in batched(ids):
            if coding.action == "add":
                already = set(
                    db.session.scalars(
                        select(table.c.feedback_id).where(table.c.feedback_id.in_(chunk), column == code_id)
                    )
                )
                rows = [{"feedback_id": i, column.name: code_id} for i in chunk if i not in already]
                if rows:
                    db.session.execute(insert(table), rows)
            else:
                db.session.execute(delete(table).where(table.c.feedback_id.in_(chunk), column == code_id))
        changed = [f"{coding.kind}s"]
    for chunk in batched(ids):
        db.session.execute(
            update(Feedback).where(Feedback.id.in_(chunk), Feedback.status != "excluded").values(status="new")
        )
        db.session.execute(
            update(Feedback)
            .where(Feedback.id.in_(chunk), Feedback.status == "new", _has_any_code())
            .values(status="coded")
        )
    _audit_each(actor, "feedback.coded", ids, changed)
    db.session.expire_all()
    return len(ids)


def _audit_each(actor, action: str, ids: list[int], changed: list[str]) -> None:
    now = utc_now()
    actor_id, label = (None, actor) if isinstance(actor, str) else (actor.id, actor.email)
    for chunk in batched(ids):
        db.session.execute(
            insert(AuditEvent),
            [
                {
                    "occurred_at": now,
                    "actor_id": actor_id,
                    "actor_label": label,
                    "action": action,
                    "entity_type": "feedback",
                    "entity_id": str(i),
                    "changed_fields": changed,
                }
                for i in chunk
            ],
        )


def merge_themes(actor, survivor: Theme, duplicate: Theme) -> int:
    """Move every item coded with `duplicate` to `survivor`, then retire `duplicate`."""
    if survivor.id == duplicate.id:
        raise FeedbackError("duplicate_id", "Choose a different theme to merge into this one")
    moving = list(
        db.session.scalars(
            select(feedback_theme.c.feedback_id).where(feedback_theme.c.theme_id == duplicate.id)
        )
    )
    already = set(
        db.session.scalars(
            select(feedback_theme.c.feedback_id).where(feedback_theme.c.theme_id == survivor.id)
        )
    )
    rows = [{"feedback_id": i, "theme_id": survivor.id} for i in moving if i not in already]
    for chunk in batched(rows):
        db.session.execute(insert(feedback_theme), chunk)
    db.session.execute(delete(feedback_theme).where(feedback_theme.c.theme_id == duplicate.id))
    duplicate.is_retired = True
    audit.record(actor, "theme.merged_into", duplicate, ["is_retired", "feedback"])
    audit.record(actor, "theme.merged_from", survivor, ["feedback"])
    _audit_each(actor, "feedback.coded", moving, ["themes"])
    return len(moving)


def remove_text(actor, marker: str, response_ids=(), contact_ids=()) -> int:
    """Replace the text of the feedback drawn from these responses, or given by these contacts, with `marker`
    (an erasure). The items stay, with their coding and citations, so counts and EIA evidence hold."""
    conditions = []
    if response_ids:
        conditions.append(Feedback.response_id.in_(list(response_ids)))
    if contact_ids:
        conditions.append(Feedback.contact_id.in_(list(contact_ids)))
    if not conditions:
        return 0
    not_yet = or_(Feedback.text != marker, Feedback.original_text != marker)  # NULL original: not edited
    ids = list(db.session.scalars(select(Feedback.id).where(or_(*conditions), not_yet)))
    for chunk in batched(ids):
        db.session.execute(
            update(Feedback)
            .where(Feedback.id.in_(chunk))
            .values(text=marker, original_text=without_words(marker), updated_at=utc_now())
        )
    _audit_each(actor, "feedback.text_removed", ids, ["original_text", "text"])
    return len(ids)


def without_words(marker: str):
    """An item's first words (kept when its text was corrected) go too; an item never corrected stays so."""
    return case((Feedback.original_text.is_(None), None), else_=marker)


# ---- Feedback from consultation responses -------------------------------------------------------------


@response_received.connect
def _feedback_from_free_text(response, *, free_text, policies) -> None:
    """Every free-text answer becomes a feedback item, linked to the consultation's policies."""
    for answer in free_text:
        db.session.add(
            Feedback(
                text=answer.text,
                source="response",
                status="new",
                received_at=response.received_at,
                consultation_id=response.consultation_id,
                response=response,
                answer=answer,
                group_id=response.group_id,
                event_id=response.event_id,  # one keyed in from an event was heard there
                captured_by_id=response.keyed_by_id,
                policies=policies,
            )
        )


@response_status_changed.connect
def _follow_response_status(response, *, excluded: bool) -> None:
    """Feedback from spam or a withdrawn response stops counting, and counts again once it is restored."""
    for item in db.session.scalars(select(Feedback).where(Feedback.response_id == response.id)):
        if excluded and item.status != "excluded":
            item.status, item.exclusion_reason = "excluded", "response"
        elif not excluded and item.exclusion_reason == "response":  # an officer's own exclusion stays
            _count_again(item)


# ---- Corrections: edit, re-link, exclude, mark a duplicate, reinstate ----------------------------------


def _is_coded(item: Feedback) -> bool:
    return bool(item.characteristics or item.themes or item.barriers or item.stance)


def _count_again(item: Feedback) -> None:
    item.status = "coded" if _is_coded(item) else "new"
    item.exclusion_reason, item.exclusion_note, item.duplicate_of_id = None, "", None


class StaleFeedback(FeedbackError):
    """The form was opened before someone else changed the item."""


def check_not_stale(item: Feedback, seen: str) -> None:
    """Refuse a change made on a form opened before someone else changed the item."""
    if seen != version_of(item):
        raise StaleFeedback(
            "text",
            "Someone changed this feedback after you opened it. Check it as it is now, then make your "
            "change again",
        )


def version_of(item: Feedback) -> str:
    """What a form carries to show which version of the item it was opened on."""
    return item.updated_at.isoformat() if item.updated_at else ""


@dataclass
class Correction:
    """The text and links an officer may correct. Links are ids; None clears one."""

    text: str
    consultation_id: int | None = None
    event_id: int | None = None
    group_id: int | None = None
    policy_ids: list[int] = field(default_factory=list)


def correct(actor, item: Feedback, correction: Correction, seen: str) -> list[str]:
    """Change the text and links of an item. The words as first captured are kept (`original_text`), and
    the change is on record by field name. Returns the names of what changed."""
    check_not_stale(item, seen)
    text = check_text(correction.text)
    if correction.consultation_id and db.session.get(Consultation, correction.consultation_id) is None:
        raise FeedbackError("consultation_id", "Select a consultation from the list")
    if correction.event_id and db.session.get(EngagementEvent, correction.event_id) is None:
        raise FeedbackError("event_id", "Select an event from the list")
    if correction.group_id and db.session.get(CommunityGroup, correction.group_id) is None:
        raise FeedbackError("group_name", "Select a group from the register")
    policies = _load(Policy, correction.policy_ids, "policy_ids", "policies")
    if any(policy.status == "retired" for policy in policies if policy not in item.policies):
        raise FeedbackError(
            "policy_ids", "A retired policy cannot take new evidence. Select a current policy"
        )
    changed = []
    if text != item.text:
        if item.original_text is None:
            item.original_text = item.text
        item.text = text
        changed.append("text")
    for name in ("consultation_id", "event_id", "group_id"):
        if getattr(item, name) != getattr(correction, name):
            setattr(item, name, getattr(correction, name))
            changed.append(name)
    if {p.id for p in item.policies} != {p.id for p in policies}:
        item.policies = policies
        changed.append("policies")
    if changed:
        item.updated_at = utc_now()
        audit.record(actor, "feedback.corrected", item, changed)
    return changed


def exclude(actor, item: Feedback, reason: str, note: str = "") -> None:
    """Take an item out of every count, with the reason: spam, withdrawn by the person or out of scope."""
    if reason not in CHOSEN_EXCLUSIONS:
        raise FeedbackError("reason", "Select why this feedback should not count")
    note = (note or "").strip()
    if len(note) > 2000:
        raise FeedbackError("note", "The note must be 2,000 characters or fewer")
    item.status, item.exclusion_reason, item.exclusion_note = "excluded", reason, note
    item.updated_at = utc_now()
    audit.record(actor, "feedback.excluded", item, ["status", "exclusion_reason", "exclusion_note"])


def mark_duplicate(actor, item: Feedback, original_id: int | None) -> Feedback:
    """Exclude an item as a repeat of another, which keeps counting. Duplicates always point at an item that
    is not itself a duplicate, so there are no chains and no loops: marking an item that has duplicates of
    its own moves them to the new original too."""
    original = db.session.get(Feedback, original_id) if original_id else None
    if original is None:
        raise FeedbackError("original", "Enter the number of a feedback item, like FB-123")
    if original.id == item.id:
        raise FeedbackError("original", "An item cannot be a duplicate of itself")
    if original.exclusion_reason == "duplicate":
        if original.duplicate_of_id == item.id:
            raise FeedbackError("original", f"FB-{original.id} is already a duplicate of this item")
        raise FeedbackError(
            "original",
            f"FB-{original.id} is itself a duplicate of FB-{original.duplicate_of_id}: choose that one",
        )
    item.status, item.exclusion_reason, item.duplicate_of_id, item.exclusion_note = (
        "excluded",
        "duplicate",
        original.id,
        "",
    )
    item.updated_at = utc_now()
    audit.record(actor, "feedback.marked_duplicate", item, ["status", "exclusion_reason", "duplicate_of_id"])
    for repeat in db.session.scalars(select(Feedback).where(Feedback.duplicate_of_id == item.id)):
        repeat.duplicate_of_id = original.id
        audit.record(actor, "feedback.marked_duplicate", repeat, ["duplicate_of_id"])
    return original


def reinstate(actor, item: Feedback) -> None:
    """Count an item an officer excluded again. One excluded by its response comes back with the response."""
    if item.status != "excluded":
        raise FeedbackError("reason", "This feedback already counts")
    if item.exclusion_reason == "response":
        raise FeedbackError(
            "reason", "Its response is marked as spam or withdrawn. Restore the response to count this again"
        )
    _count_again(item)
    item.updated_at = utc_now()
    audit.record(actor, "feedback.reinstated", item, ["status", "exclusion_reason"])


@response_group_linked.connect
def _follow_response_group(response, *, group_id: int) -> None:
    """Feedback drawn from a response speaks for the group the response was linked to."""
    db.session.execute(
        update(Feedback)
        .where(Feedback.response_id == response.id, Feedback.group_id.is_(None))
        .values(group_id=group_id)
    )
