"""Writes on the evidence pack: recording how feedback was used on a policy, and the due-regard record of who
looked at which evidence. Services change the session and never commit: the caller owns the unit of work."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from crm.auth import roles
from crm.auth.models import StaffUser
from crm.core import audit
from crm.core.models import Area, Characteristic, utc_now
from crm.core.rules import RuleBroken, bounded_text
from crm.core.text import plural
from crm.core.time import uk_today
from crm.engagement.models import EngagementEvent
from crm.evidence import queries
from crm.evidence.models import OutreachStatus, OutreachTask
from crm.extensions import db
from crm.feedback.models import Feedback
from crm.policies.models import INFLUENCE_USES, Policy, PolicyInfluence

MAX_TEXT = 10000


class EvidenceError(RuleBroken):
    """An influence decision was refused."""


def check_reached(policy: Policy, feedback_ids, field: str) -> list[int]:
    """The ids, sorted, if every one reached the policy: evidence must come from the policy's own pack."""
    ids = sorted({int(i) for i in feedback_ids})
    outside = queries.feedback_outside_policy(policy.id, ids)
    if outside:
        raise EvidenceError(
            field,
            "Feedback "
            + ", ".join(f"FB-{i}" for i in outside[:5])
            + f" did not reach {policy.reference}: pick from this policy's evidence pack",
        )
    return ids


def record_influence(actor, policy: Policy, feedback_ids, use: str, note: str) -> int:
    """Record how each item was used on the policy, replacing any earlier decision on the same item."""
    if not feedback_ids:
        raise EvidenceError("feedback", "Select at least one feedback item")
    if use not in INFLUENCE_USES:
        raise EvidenceError("use", "Select how the feedback was used")
    note = bounded_text(note, "note", "The reason", MAX_TEXT)
    if use == "no_change" and not note:
        raise EvidenceError("note", "Say why the feedback led to no change")
    ids = check_reached(policy, feedback_ids, "feedback")
    existing = {
        row.feedback_id: row
        for row in db.session.scalars(
            select(PolicyInfluence).where(
                PolicyInfluence.policy_id == policy.id, PolicyInfluence.feedback_id.in_(ids)
            )
        )
    }
    now, decided_by_id, policy_id = utc_now(), actor.id, policy.id
    for feedback_id in ids:
        row = existing.get(feedback_id)
        decision = {"use": use, "note": note, "decided_by_id": decided_by_id, "decided_at": now}
        if row is None:
            row = PolicyInfluence(policy_id=policy_id, feedback_id=feedback_id, **decision)
            db.session.add(row)
            action = "policy_influence.recorded"
        else:
            for name, value in decision.items():
                setattr(row, name, value)
            action = "policy_influence.updated"
        audit.record(actor, action, row, ["use", "note", "decided_by_id", "decided_at"])
    return len(ids)


def record_due_regard(actor, action: str, entity, fields=()) -> None:
    """Who had which evidence in front of them, and when: opening or exporting a pack or an approved EIA."""
    audit.record(actor, action, entity, fields)


def may_add_evidence(actor, policy: Policy) -> bool:
    """Officers and admins add feedback to any policy's evidence; a policy lead, to the policies they own."""
    if actor.has_role(roles.ADMIN, roles.ENGAGEMENT_OFFICER):
        return True
    return actor.has_role(roles.POLICY_LEAD) and policy.owner_id == actor.id


def add_to_evidence(actor, policy: Policy, feedback_ids) -> int:
    """Link feedback that reached no policy to this one, so it joins the policy's evidence pack. Each link is
    on record. Returns how many items were added."""
    if not may_add_evidence(actor, policy):
        raise EvidenceError(
            "feedback", f"Only officers, admins and the owner of {policy.reference} can add to it"
        )
    if policy.status == "retired":
        raise EvidenceError("feedback", f"{policy.reference} is retired and takes no new evidence")
    ids = sorted({int(i) for i in feedback_ids or []})
    if not ids:
        raise EvidenceError("feedback", "Select at least one feedback item")
    items = list(db.session.scalars(select(Feedback).where(Feedback.id.in_(ids))))
    if len(items) != len(ids):
        raise EvidenceError("feedback", "Select feedback from the list")
    for item in items:
        if policy not in item.policies:
            item.policies.append(policy)
            audit.record(actor, "feedback.linked_to_policy", item, ["policies"])
    return len(items)


# ---- Outreach tasks: a gap turned into planned outreach, closed by the evidence that answers it ----------

# Who may be given a task: anyone who can sign in and does the work (viewers only read).
OUTREACH_OWNER_ROLES = (roles.ADMIN, roles.ENGAGEMENT_OFFICER, roles.POLICY_LEAD, roles.EQUALITY_LEAD)
OUTREACH_FIELDS = ("policy_id", "characteristic_id", "area_id", "due_on", "owner_id", "notes", "status")


class OutreachError(RuleBroken):
    """An outreach task was refused."""


@dataclass
class OutreachValues:
    characteristic_id: int | None
    due_on: date | None
    owner_id: int | None
    area_id: int | None = None
    notes: str = ""


def may_see_outreach(actor, policy: Policy) -> bool:
    """Officers, admins and equality leads (who watch the gaps) see every task; a policy lead, those on the
    policies they own; viewers none."""
    if actor.has_role(roles.ADMIN, roles.ENGAGEMENT_OFFICER, roles.EQUALITY_LEAD):
        return True
    return actor.has_role(roles.POLICY_LEAD) and policy.owner_id == actor.id


def may_plan_outreach(actor, policy: Policy) -> bool:
    """Officers and admins plan outreach on any policy; a policy lead, on the policies they own."""
    if actor.has_role(roles.ADMIN, roles.ENGAGEMENT_OFFICER):
        return True
    return actor.has_role(roles.POLICY_LEAD) and policy.owner_id == actor.id


def may_work_outreach(actor) -> bool:
    """Linking events to a task and closing it by hand: the people who run the events."""
    return actor.has_role(roles.ADMIN, roles.ENGAGEMENT_OFFICER)


def _check_outreach(policy: Policy, values: OutreachValues) -> None:
    characteristic = db.session.get(Characteristic, values.characteristic_id or 0)
    if characteristic is None or characteristic.is_retired:
        raise OutreachError("characteristic_id", "Select a characteristic from the list")
    heard = queries.coded_counts(policy.id).get(characteristic.id, 0)
    if heard >= queries.weak_evidence_below():
        raise OutreachError(
            "characteristic_id",
            f"{characteristic.name} has been heard on {policy.reference} already"
            f" ({plural(heard, 'coded item')}): plan outreach for a characteristic with no or weak evidence",
        )
    if values.area_id is not None:
        area = db.session.get(Area, values.area_id)
        if area is None or area.is_retired:
            raise OutreachError("area_id", "Select an area from the list")
    if values.due_on is None:
        raise OutreachError("due_on", "Enter the date the outreach is due by")
    if values.due_on < uk_today():
        raise OutreachError("due_on", "The due date must be today or in the future")
    owner = db.session.get(StaffUser, values.owner_id or 0)
    if owner is None or not owner.is_active_account or not owner.has_role(*OUTREACH_OWNER_ROLES):
        raise OutreachError("owner_id", "Select an owner from the list")
    taken = select(OutreachTask.id).where(
        OutreachTask.policy_id == policy.id,
        OutreachTask.characteristic_id == characteristic.id,
        OutreachTask.status == OutreachStatus.OPEN,
        OutreachTask.area_id.is_(None) if values.area_id is None else OutreachTask.area_id == values.area_id,
    )
    if db.session.scalar(taken) is not None:
        raise OutreachError(
            "characteristic_id", f"There is already an open outreach task for {characteristic.name} here"
        )


def create_outreach_task(actor, policy: Policy, values: OutreachValues) -> OutreachTask:
    """An outreach task for a gap in the policy's coverage: a characteristic with no evidence, or fewer coded
    items than WEAK_EVIDENCE_BELOW. A characteristic already heard is refused."""
    if not may_plan_outreach(actor, policy):
        raise OutreachError(
            "characteristic_id",
            f"Only officers, admins and the owner of {policy.reference} can plan outreach for it",
        )
    if policy.status == "retired":
        raise OutreachError("characteristic_id", f"{policy.reference} is retired: it needs no more outreach")
    _check_outreach(policy, values)
    task = OutreachTask(
        policy_id=policy.id,
        characteristic_id=values.characteristic_id,
        area_id=values.area_id,
        due_on=values.due_on,
        owner_id=values.owner_id,
        notes=bounded_text(values.notes, "notes", "Notes", MAX_TEXT),
        status=OutreachStatus.OPEN,
        created_by_id=actor.id,
    )
    db.session.add(task)
    audit.record(actor, "outreach_task.created", task, OUTREACH_FIELDS)
    return task


def link_event(actor, task: OutreachTask, event: EngagementEvent) -> bool:
    """Log an event against the task; if its feedback answers the gap already, the task closes with it.
    Returns whether the task closed."""
    if not task.is_open:
        raise OutreachError("event_name", "This task is closed: events can no longer be logged against it")
    if event.is_archived:
        raise OutreachError("event_name", "That event is archived: restore it first")
    if task.policy not in event.policies:
        raise OutreachError(
            "event_name",
            f"‘{event.title}’ is not linked to {task.policy.reference}, so what it heard does not reach the"
            " policy: add the policy on the event’s page first",
        )
    if event not in task.events:
        task.events.append(event)
        audit.record(actor, "outreach_task.event_linked", task, ["events"])
    db.session.flush()
    return bool(close_answered_tasks(task_ids=[task.id]))


def close_by_hand(actor, task: OutreachTask) -> None:
    """An officer closes a task the evidence has not answered (the outreach is no longer needed, say)."""
    if not task.is_open:
        raise OutreachError("submit", "This task is closed already")
    task.status, task.closed_at = OutreachStatus.CLOSED, utc_now()
    audit.record(actor, "outreach_task.closed", task, ["status", "closed_at"])


def close_answered_tasks(policy_id: int | None = None, task_ids=None) -> int:
    """Close every open task (of the policy, or of `task_ids`) that evidence has answered, with the event
    that answered it, on record. Returns how many closed.

    Evidence has arrived when a feedback item coded with the task's characteristic, not excluded, was heard
    at one of the events logged against the task, and that event is linked to the task's policy (so the
    item reached the policy's evidence pack). The task's area only guides the suggested groups; an event's
    estimated reach is not evidence (nobody's words were recorded).

    Checked when an event is linked, and whenever tasks are read (a task's page, the list, the evidence
    pack): feedback is captured, coded, corrected and reinstated in many places below this area, which
    cannot call up into it, and one indexed statement over the open tasks costs less than signals in each.
    """
    answered = dict(queries.answered_tasks(policy_id, task_ids))
    if not answered:
        return 0
    now = utc_now()
    for task in db.session.scalars(select(OutreachTask).where(OutreachTask.id.in_(list(answered)))):
        task.status, task.closed_at, task.closed_by_event_id = OutreachStatus.CLOSED, now, answered[task.id]
        audit.record(
            audit.SYSTEM, "outreach_task.answered", task, ["status", "closed_at", "closed_by_event_id"]
        )
    db.session.flush()  # so a caller that reloads the tasks sees them closed
    return len(answered)
