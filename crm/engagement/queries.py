"""Reads for events: filtered and paginated in SQL, links loaded in bulk."""

from dataclasses import dataclass, field
from datetime import date
from itertools import groupby

from sqlalchemy import exists, func, select
from sqlalchemy.orm import selectinload

from crm.core.args import day, ids, one_id
from crm.core.models import CoproductionPrinciple
from crm.core.pagination import Latest, latest, paginate
from crm.core.pickers import Lookup, provide, search_short_register
from crm.core.time import end_of_uk_day, govuk_date, govuk_month, parse_govuk_date, start_of_uk_day
from crm.engagement.models import (
    PRINCIPLE_RATINGS,
    EngagementEvent,
    EventReach,
    Invitation,
    PrincipleAssessment,
    Programme,
    event_group,
    event_officer,
)
from crm.extensions import db
from crm.groups.models import Contact

PER_PAGE = 25


@dataclass
class EventFilters:
    kind: list[str] = field(default_factory=list)
    area: list[int] = field(default_factory=list)
    characteristic: list[int] = field(default_factory=list)
    group: int | None = None
    officer: int | None = None
    programme: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    archived: bool = False

    @classmethod
    def from_args(cls, args) -> "EventFilters":
        return cls(
            kind=args.getlist("kind"),
            area=ids(args, "area"),
            characteristic=ids(args, "characteristic"),
            group=one_id(args, "group"),
            officer=one_id(args, "officer"),
            programme=one_id(args, "programme"),
            date_from=day(args, "from"),
            date_to=day(args, "to"),
            archived=args.get("archived") == "yes",
        )

    @property
    def is_filtered(self) -> bool:
        return bool(
            self.kind
            or self.area
            or self.characteristic
            or self.group
            or self.officer
            or self.programme
            or self.date_from
            or self.date_to
            or self.archived
        )


def _filtered(filters: EventFilters):
    query = select(EngagementEvent).where(EngagementEvent.is_archived.is_(filters.archived))
    if filters.kind:
        query = query.where(EngagementEvent.kind.in_(filters.kind))
    if filters.area:
        query = query.where(EngagementEvent.area_id.in_(filters.area))
    if filters.characteristic:
        query = query.where(
            exists().where(
                EventReach.event_id == EngagementEvent.id,
                EventReach.characteristic_id.in_(filters.characteristic),
            )
        )
    if filters.group:
        query = query.where(
            exists().where(
                event_group.c.event_id == EngagementEvent.id, event_group.c.group_id == filters.group
            )
        )
    if filters.officer:
        query = query.where(
            exists().where(
                event_officer.c.event_id == EngagementEvent.id, event_officer.c.user_id == filters.officer
            )
        )
    if filters.programme:
        query = query.where(EngagementEvent.programme_id == filters.programme)
    if filters.date_from:
        query = query.where(EngagementEvent.starts_at >= start_of_uk_day(filters.date_from))
    if filters.date_to:
        query = query.where(EngagementEvent.starts_at < end_of_uk_day(filters.date_to))
    return query


def event_page(filters: EventFilters, page: int):
    query = _filtered(filters).options(
        selectinload(EngagementEvent.area), selectinload(EngagementEvent.groups)
    )
    return paginate(
        query.order_by(EngagementEvent.starts_at.desc(), EngagementEvent.id.desc()),
        page=page,
        per_page=PER_PAGE,
    )


def events_for_export(filters: EventFilters):
    """Every event the filters match, oldest first, with what the export writes loaded in bulk (a few
    thousand events at most: the design's volume is 2,000)."""
    return db.session.scalars(
        _filtered(filters)
        .options(
            selectinload(EngagementEvent.area),
            selectinload(EngagementEvent.programme),
            selectinload(EngagementEvent.consultation),
            selectinload(EngagementEvent.reach),
            selectinload(EngagementEvent.groups),
            selectinload(EngagementEvent.policies),
        )
        .order_by(EngagementEvent.starts_at, EngagementEvent.id)
    ).all()


def programme_choices() -> list[tuple[int, str]]:
    """(id, name) of programmes not archived: a short list (a handful of series run at once)."""
    rows = db.session.execute(
        select(Programme.id, Programme.name).where(Programme.is_archived.is_(False)).order_by(Programme.name)
    )
    return [(row.id, row.name) for row in rows]


def by_month(events) -> list[tuple[str, list[EngagementEvent]]]:
    """Group a page of events under "November 2026" headings, in UK time."""

    def month(event):
        return govuk_month(event.starts_at)

    return [(label, list(items)) for label, items in groupby(events, key=month)]


def event_with_links(event_id: int) -> EngagementEvent | None:
    return db.session.scalar(
        select(EngagementEvent)
        .where(EngagementEvent.id == event_id)
        .options(
            selectinload(EngagementEvent.groups),
            selectinload(EngagementEvent.officers),
            selectinload(EngagementEvent.policies),
            selectinload(EngagementEvent.reach).selectinload(EventReach.characteristic),
            selectinload(EngagementEvent.area),
        )
    )


def events_for_group(group_id: int) -> Latest:
    """The latest events the group was involved in, newest first, and how many in all."""
    return latest(
        select(EngagementEvent)
        .join(event_group, event_group.c.event_id == EngagementEvent.id)
        .where(event_group.c.group_id == group_id, EngagementEvent.is_archived.is_(False))
        .order_by(EngagementEvent.starts_at.desc(), EngagementEvent.id.desc())
    )


def _invitations(where) -> Latest:
    return latest(
        select(Invitation)
        .where(where)
        .options(
            selectinload(Invitation.consultation),
            selectinload(Invitation.event),
            selectinload(Invitation.email),
            selectinload(Invitation.contact),
        )
        .order_by(Invitation.created_at.desc(), Invitation.id.desc())
    )


def invitations_for_contact(contact_id: int) -> Latest:
    return _invitations(Invitation.contact_id == contact_id)


def invitations_for_group(group_id: int) -> Latest:
    """Invitations sent to the group's contacts (archived ones too: what was sent stays sent)."""
    return _invitations(Invitation.contact_id.in_(select(Contact.id).where(Contact.group_id == group_id)))


def event_by_id(event_id: int) -> EngagementEvent | None:
    return db.session.get(EngagementEvent, event_id)


def event_label(title: str, starts_at) -> str:
    """How a picker names an event: titles repeat (a programme of sessions all called "Skills Street"), so
    the day makes it one: "Skills Street, 3 March 2026"."""
    return f"{title}, {govuk_date(starts_at)}"


def pick_events(q: str, limit: int = 10) -> list[tuple[int, str]]:
    """The event picker's answer: (id, "title, date") of unarchived events, the latest first among equals."""
    rows = db.session.execute(
        select(EngagementEvent.id, EngagementEvent.title, EngagementEvent.starts_at)
        .where(EngagementEvent.is_archived.is_(False))
        .order_by(EngagementEvent.starts_at.desc())
    ).all()
    found = search_short_register([(row.id, row.title) for row in rows], q, limit)
    when = {row.id: row.starts_at for row in rows}
    return [(id_, event_label(title, when[id_])) for id_, title in found]


def events_named(text: str, archived: bool = False) -> list[EngagementEvent]:
    """The events a picker's text names, any case: "title, date" as the picker offers it, or a title alone."""
    text = text.strip()
    query = (
        select(EngagementEvent)
        .where(EngagementEvent.is_archived.is_(archived))
        .order_by(EngagementEvent.starts_at, EngagementEvent.id)
    )
    title, _, day_text = text.rpartition(", ")
    day = parse_govuk_date(day_text) if title else None
    if day is None:  # no date after the last comma: the comma is the title's own
        title = text
    else:
        query = query.where(
            EngagementEvent.starts_at >= start_of_uk_day(day), EngagementEvent.starts_at < end_of_uk_day(day)
        )
    return list(db.session.scalars(query.where(func.lower(EngagementEvent.title) == title.lower())))


def _days_named(text: str) -> dict[str, EngagementEvent]:
    """The days of the unarchived events the text names, each with its first event that day."""
    days: dict[str, EngagementEvent] = {}
    for event in events_named(text):
        days.setdefault(govuk_date(event.starts_at), event)
    return days


def _event_named(text: str) -> EngagementEvent | None:
    days = _days_named(text)
    return next(iter(days.values())) if len(days) == 1 else None  # a title used on several days needs one


EVENT_LOOKUP = provide(
    "events",
    Lookup(
        noun="event",
        exact=_event_named,
        archived=lambda text: bool(events_named(text, archived=True)),
        near=lambda text: [label for _id, label in pick_events(text)],
        name_of=lambda event: event_label(event.title, event.starts_at),
        several=lambda text: len(_days_named(text)) > 1,
    ),
)


EVENT_CHOICES = 200


def recent_event_choices(selected: int | None = None) -> list[tuple[int, str]]:
    """(id, "title, date") of the most recent events, newest first, and the selected one wherever it falls:
    a filter's choices, bounded however many events there are."""
    recent = select(EngagementEvent.id).order_by(EngagementEvent.starts_at.desc()).limit(EVENT_CHOICES)
    chosen = EngagementEvent.id.in_(recent)
    if selected is not None:
        chosen = chosen | (EngagementEvent.id == selected)
    rows = db.session.execute(
        select(EngagementEvent.id, EngagementEvent.title, EngagementEvent.starts_at)
        .where(chosen)
        .order_by(EngagementEvent.starts_at.desc())
    )
    return [(row.id, f"{row.title}, {govuk_date(row.starts_at)}") for row in rows]


@dataclass(frozen=True)
class PrincipleLine:
    principle: CoproductionPrinciple
    assessment: PrincipleAssessment | None  # None: not assessed

    @property
    def rating_label(self) -> str:
        return self.assessment.rating_label if self.assessment else PRINCIPLE_RATINGS["not_assessed"]


def assessments_of(subject: EngagementEvent | Programme) -> dict[int, PrincipleAssessment]:
    """{principle id: assessment} for an event or a programme: one statement."""
    column = (
        PrincipleAssessment.event_id
        if isinstance(subject, EngagementEvent)
        else PrincipleAssessment.programme_id
    )
    return {
        row.principle_id: row
        for row in db.session.scalars(select(PrincipleAssessment).where(column == subject.id))
    }


def principle_lines(subject: EngagementEvent | Programme) -> list[PrincipleLine]:
    """Every principle in use, and any retired one this subject was assessed against (so an old assessment
    still shows), in the admin's order, with its assessment or None: two statements."""
    assessed = assessments_of(subject)
    principles = db.session.scalars(
        select(CoproductionPrinciple)
        .where(CoproductionPrinciple.is_retired.is_(False) | CoproductionPrinciple.id.in_(list(assessed)))
        .order_by(CoproductionPrinciple.sort_order, CoproductionPrinciple.name)
    )
    return [PrincipleLine(p, assessed.get(p.id)) for p in principles]
