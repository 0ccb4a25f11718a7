"""When each group last engaged with us, and the groups that have not for a year (issue 15).

A group has engaged when it was involved in an event that has happened (not archived), when a response
linked to it arrived (not spam or withdrawn), or when feedback linked to it was heard (not excluded). An
invitation is something we sent, not something the group did, so it does not count; nor does a meeting of a
body one of its contacts sits on: that seat is the person's, shown on their contact page.

Why a query here and not a `last_engaged_on` column on community_group: the dates live in three areas above
groups, and a kept column would have to be updated by every write that adds, moves, re-dates, archives,
excludes, merges or erases one of them — miss one and the list is silently wrong. Read at the time it is
always right, and at 20,000 groups it stays cheap: "not engaged since" is three NOT EXISTS probes a group on
indexes that are already there (event_group.group_id, response.group_id, feedback.group_id), paginated in SQL,
and "last engaged" is read only for the groups on the page. This module sits in reports, a layer that
may read events, responses and feedback together; the group page gets the date through the contributions
registry.
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, exists, func, literal, select, union_all

from crm.consultations.models import Response, ResponseStatus
from crm.core.models import utc_now
from crm.core.pagination import paginate
from crm.core.time import start_of_uk_day, uk_today
from crm.engagement.models import EngagementEvent, event_group
from crm.extensions import db
from crm.feedback.models import Feedback
from crm.groups.models import CommunityGroup, GroupStatus

NOT_ENGAGED_MONTHS = 12
PER_PAGE = 25
ENGAGING_RESPONSES = (ResponseStatus.RECEIVED, ResponseStatus.ACCEPTED)
KIND_LABELS = {"event": "an event", "response": "a response", "feedback": "feedback"}


@dataclass(frozen=True)
class LastEngaged:
    at: datetime
    kind: str  # "event", "response" or "feedback"

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]


def _events(now: datetime) -> Select:
    return (
        select(event_group.c.group_id, EngagementEvent.starts_at.label("at"), literal("event").label("kind"))
        .join(EngagementEvent, EngagementEvent.id == event_group.c.event_id)
        .where(EngagementEvent.is_archived.is_(False), EngagementEvent.starts_at <= now)
    )


def _responses() -> Select:
    return select(
        Response.group_id, Response.received_at.label("at"), literal("response").label("kind")
    ).where(Response.status.in_(ENGAGING_RESPONSES))


def _feedback() -> Select:
    return select(
        Feedback.group_id, Feedback.received_at.label("at"), literal("feedback").label("kind")
    ).where(Feedback.status != "excluded")


def _engagements(group_ids: Select | list[int]) -> list[Select]:
    """Each kind of engagement as (group_id, at, kind), each narrowed to the groups before the union so each
    part uses its group_id index."""
    now = utc_now()
    return [
        _events(now).where(event_group.c.group_id.in_(group_ids)),
        _responses().where(Response.group_id.in_(group_ids)),
        _feedback().where(Feedback.group_id.in_(group_ids)),
    ]


def last_engaged(group_id: int) -> LastEngaged | None:
    """The group's latest engagement, in one statement."""
    every = union_all(*_engagements([group_id])).subquery()
    row = db.session.execute(select(every.c.at, every.c.kind).order_by(every.c.at.desc()).limit(1)).first()
    return LastEngaged(row.at, row.kind) if row else None


def last_engaged_of(group_ids: list[int]) -> dict[int, datetime]:
    """The latest engagement of each of a page's groups, in one grouped statement."""
    if not group_ids:
        return {}
    every = union_all(*_engagements(group_ids)).subquery()
    return dict(
        db.session.execute(select(every.c.group_id, func.max(every.c.at)).group_by(every.c.group_id)).all()
    )


def a_year_ago(today: date) -> date:
    """The same day twelve months back (29 February goes to the 28th)."""
    try:
        return today.replace(year=today.year - 1)
    except ValueError:
        return today.replace(year=today.year - 1, day=28)


def not_engaged_since() -> date:
    return a_year_ago(uk_today())


def groups_not_engaged(page: int, since: date | None = None):
    """Groups on the register (not archived, merged or closed) with no engagement since the start of `since`,
    a UK day, alphabetically. A group never engaged at all is on it too."""
    since_at = start_of_uk_day(since or not_engaged_since())
    group = CommunityGroup.id
    now = utc_now()
    query = (
        select(CommunityGroup)
        .where(
            CommunityGroup.is_archived.is_(False),
            CommunityGroup.merged_into_id.is_(None),
            CommunityGroup.status != GroupStatus.CLOSED,
            ~exists(
                _events(now).where(event_group.c.group_id == group, EngagementEvent.starts_at >= since_at)
            ),
            ~exists(_responses().where(Response.group_id == group, Response.received_at >= since_at)),
            ~exists(_feedback().where(Feedback.group_id == group, Feedback.received_at >= since_at)),
        )
        .order_by(CommunityGroup.name, CommunityGroup.id)
    )
    return paginate(query, page, PER_PAGE)
