"""The evidence pack: every feedback item that reached a policy, filtered, counted and paginated in SQL.

Feedback reached a policy through one of its consultations, one of its events, or a direct link; excluded
feedback (spam or withdrawn responses) never counts. Text search uses the full-text structures of migration
0004: the GIN index on to_tsvector('english', text) on PostgreSQL, the feedback_fts table on SQLite.
"""

from dataclasses import dataclass, field

from sqlalchemy import Select, and_, distinct, exists, func, select, union
from sqlalchemy.orm import selectinload

from crm.consultations.models import Consultation, consultation_characteristic, consultation_policy
from crm.core.args import ids, search_text
from crm.core.models import Barrier, Characteristic, Theme
from crm.core.time import end_of_uk_day, parse_day, start_of_uk_day
from crm.engagement.models import EngagementEvent, EventReach, event_group, event_policy
from crm.extensions import db
from crm.feedback.models import (
    SOURCES,
    STANCES,
    Feedback,
    feedback_barrier,
    feedback_characteristic,
    feedback_theme,
)
from crm.feedback.queries import reached_policy, text_search_condition
from crm.groups.models import CommunityGroup, group_characteristic
from crm.policies.models import PolicyInfluence

PER_PAGE = 25


# ---- Which feedback reached a policy --------------------------------------------------------------------


def policy_consultation_ids(policy_id: int) -> Select:
    return select(consultation_policy.c.consultation_id).where(consultation_policy.c.policy_id == policy_id)


def policy_event_ids(policy_id: int) -> Select:
    return select(event_policy.c.event_id).where(event_policy.c.policy_id == policy_id)


def reached_condition(policy_id: int):
    """A WHERE clause on Feedback: it reached this policy and is not excluded."""
    return and_(Feedback.status != "excluded", reached_policy(policy_id))


def reached_item(policy_id: int, feedback_id: int) -> Feedback | None:
    return db.session.scalar(select(Feedback).where(Feedback.id == feedback_id, reached_condition(policy_id)))


def feedback_outside_policy(policy_id: int, feedback_ids) -> list[int]:
    """Of `feedback_ids`, those that did not reach the policy (unknown ids included)."""
    wanted = {int(i) for i in feedback_ids}
    if not wanted:
        return []
    found = set(
        db.session.scalars(select(Feedback.id).where(Feedback.id.in_(wanted), reached_condition(policy_id)))
    )
    return sorted(wanted - found)


# ---- Filters --------------------------------------------------------------------------------------------


@dataclass
class EvidenceFilters:
    q: str = ""
    source: list[str] = field(default_factory=list)
    consultation: list[int] = field(default_factory=list)
    event: list[int] = field(default_factory=list)
    group: list[int] = field(default_factory=list)
    characteristic: list[int] = field(default_factory=list)
    theme: list[int] = field(default_factory=list)
    barrier: list[int] = field(default_factory=list)
    stance: list[str] = field(default_factory=list)
    date_from: str = ""
    date_to: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_args(cls, args) -> "EvidenceFilters":
        def ints(name):
            return ids(args, name)[:100]  # a tampered URL cannot build a huge IN list

        filters = cls(
            q=search_text(args),
            source=[value for value in args.getlist("source") if value in SOURCES],
            consultation=ints("consultation"),
            event=ints("event"),
            group=ints("group"),
            characteristic=ints("characteristic"),
            theme=ints("theme"),
            barrier=ints("barrier"),
            stance=[value for value in args.getlist("stance") if value in STANCES],
            date_from=args.get("date_from", "").strip()[:20],
            date_to=args.get("date_to", "").strip()[:20],
        )
        for name in ("date_from", "date_to"):
            if getattr(filters, name) and parse_day(getattr(filters, name)) is None:
                filters.errors[name] = "Enter a date like 27/3/2026"
        start, end = parse_day(filters.date_from), parse_day(filters.date_to)
        if start and end and end < start:
            filters.errors["date_to"] = "The end date must be the same as or after the start date"
        return filters

    @property
    def used(self) -> list[str]:
        """The names of the filters in use (for the audit record: names, never values)."""
        return [
            name
            for name in (
                "q",
                "source",
                "consultation",
                "event",
                "group",
                "characteristic",
                "theme",
                "barrier",
                "stance",
                "date_from",
                "date_to",
            )
            if getattr(self, name)
        ]

    @property
    def is_filtered(self) -> bool:
        return bool(self.used)


def filtered_ids(policy_id: int, filters: EvidenceFilters) -> Select:
    """The ids of the policy's feedback that match the filters (a subquery, never loaded)."""
    query = select(Feedback.id).where(reached_condition(policy_id))
    if filters.q:
        query = query.where(text_search_condition(filters.q))
    if filters.source:
        query = query.where(Feedback.source.in_(filters.source))
    if filters.consultation:
        query = query.where(Feedback.consultation_id.in_(filters.consultation))
    if filters.event:
        query = query.where(Feedback.event_id.in_(filters.event))
    if filters.group:
        query = query.where(Feedback.group_id.in_(filters.group))
    if filters.stance:
        query = query.where(Feedback.stance.in_(filters.stance))
    for table, column, wanted in (
        (feedback_characteristic, "characteristic_id", filters.characteristic),
        (feedback_theme, "theme_id", filters.theme),
        (feedback_barrier, "barrier_id", filters.barrier),
    ):
        if wanted:
            query = query.where(
                exists().where(table.c.feedback_id == Feedback.id, table.c[column].in_(wanted))
            )
    start, end = parse_day(filters.date_from), parse_day(filters.date_to)
    if start and "date_from" not in filters.errors:
        query = query.where(Feedback.received_at >= start_of_uk_day(start))
    if end and "date_to" not in filters.errors:
        query = query.where(Feedback.received_at < end_of_uk_day(end))
    return query


# ---- Pages, counts and coverage -------------------------------------------------------------------------


def _item_options(personal: bool) -> list:
    options = [
        selectinload(Feedback.consultation),
        selectinload(Feedback.event),
        selectinload(Feedback.group),
        selectinload(Feedback.characteristics),
        selectinload(Feedback.themes),
        selectinload(Feedback.barriers),
    ]
    if personal:
        options += [selectinload(Feedback.contact), selectinload(Feedback.response)]
    return options


def evidence_page(
    policy_id: int, filters: EvidenceFilters, page: int, personal: bool, per_page: int = PER_PAGE
):
    query = (
        select(Feedback)
        .where(Feedback.id.in_(filtered_ids(policy_id, filters)))
        .options(*_item_options(personal))
        .order_by(Feedback.received_at.desc(), Feedback.id.desc())
    )
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def evidence_for_export(policy_id: int, filters: EvidenceFilters, personal: bool):
    query = (
        select(Feedback)
        .where(Feedback.id.in_(filtered_ids(policy_id, filters)))
        .options(*_item_options(personal))
        .order_by(Feedback.received_at, Feedback.id)
        .execution_options(yield_per=500)
    )
    return db.session.scalars(query)


def influences_for(policy_id: int, feedback_ids) -> dict[int, PolicyInfluence]:
    ids = list(feedback_ids)
    if not ids:
        return {}
    rows = db.session.scalars(
        select(PolicyInfluence)
        .options(selectinload(PolicyInfluence.decided_by))
        .where(PolicyInfluence.policy_id == policy_id, PolicyInfluence.feedback_id.in_(ids))
    )
    return {row.feedback_id: row for row in rows}


@dataclass(frozen=True)
class Count:
    id: object
    name: str
    count: int


def counts(policy_id: int, filters: EvidenceFilters) -> dict[str, list[Count]]:
    """How many of the filtered items speak for each characteristic, carry each theme, came by each source."""
    ids = filtered_ids(policy_id, filters).subquery()
    by_characteristic = db.session.execute(
        select(Characteristic.id, Characteristic.name, func.count())
        .join(feedback_characteristic, feedback_characteristic.c.characteristic_id == Characteristic.id)
        .where(feedback_characteristic.c.feedback_id.in_(select(ids.c.id)))
        .group_by(Characteristic.id, Characteristic.name, Characteristic.sort_order)
        .order_by(Characteristic.sort_order, Characteristic.name)
    ).all()
    by_theme = db.session.execute(
        select(Theme.id, Theme.name, func.count())
        .join(feedback_theme, feedback_theme.c.theme_id == Theme.id)
        .where(feedback_theme.c.feedback_id.in_(select(ids.c.id)))
        .group_by(Theme.id, Theme.name)
        .order_by(func.count().desc(), Theme.name)
    ).all()
    by_source = db.session.execute(
        select(Feedback.source, func.count())
        .where(Feedback.id.in_(select(ids.c.id)))
        .group_by(Feedback.source)
        .order_by(func.count().desc())
    ).all()
    return {
        "characteristic": [Count(row[0], row[1], row[2]) for row in by_characteristic],
        "theme": [Count(row[0], row[1], row[2]) for row in by_theme],
        "source": [Count(row[0], SOURCES.get(row[0], row[0]), row[1]) for row in by_source],
    }


@dataclass
class CoverageRow:
    characteristic: Characteristic
    feedback: int = 0
    groups: int = 0
    events: int = 0
    responses: int = 0
    is_target: bool = False

    @property
    def has_evidence(self) -> bool:
        return self.feedback > 0

    @property
    def target_not_reached(self) -> bool:
        return self.is_target and not self.has_evidence


def _pairs(query) -> dict[int, set]:
    found: dict[int, set] = {}
    for characteristic_id, other_id in db.session.execute(query):
        if other_id is not None:
            found.setdefault(characteristic_id, set()).add(other_id)
    return found


def coverage(policy_id: int) -> list[CoverageRow]:
    """Every characteristic in use, statutory and local, with what was heard from or for it on this policy.

    - feedback: items coded as speaking for the characteristic;
    - groups engaged: groups that gave such feedback, plus groups representing the characteristic that took
      part in the policy's events or gave any of its feedback;
    - events: the policy's events with such feedback or an estimated reach for the characteristic;
    - responses: consultation responses with at least one such feedback item.
    Equality-monitoring answers are never used: they cannot be tied to feedback, by design.
    """
    reached = select(Feedback.id).where(reached_condition(policy_id))
    coded = (
        select(
            feedback_characteristic.c.characteristic_id,
            func.count(distinct(Feedback.id)),
            func.count(distinct(Feedback.response_id)),
        )
        .join(Feedback, Feedback.id == feedback_characteristic.c.feedback_id)
        .where(Feedback.id.in_(reached))
        .group_by(feedback_characteristic.c.characteristic_id)
    )
    feedback_counts = {row[0]: (row[1], row[2]) for row in db.session.execute(coded)}

    coded_pairs = (
        select(feedback_characteristic.c.characteristic_id, Feedback.group_id, Feedback.event_id)
        .join(Feedback, Feedback.id == feedback_characteristic.c.feedback_id)
        .where(Feedback.id.in_(reached))
        .distinct()
    )
    groups: dict[int, set] = {}
    events: dict[int, set] = {}
    for characteristic_id, group_id, event_id in db.session.execute(coded_pairs):
        if group_id is not None:
            groups.setdefault(characteristic_id, set()).add(group_id)
        if event_id is not None:
            events.setdefault(characteristic_id, set()).add(event_id)

    taking_part = union(
        select(event_group.c.group_id.label("group_id")).where(
            event_group.c.event_id.in_(policy_event_ids(policy_id))
        ),
        select(Feedback.group_id.label("group_id")).where(
            reached_condition(policy_id), Feedback.group_id.is_not(None)
        ),
    ).subquery()
    for characteristic_id, group_ids in _pairs(
        select(group_characteristic.c.characteristic_id, group_characteristic.c.group_id)
        .join(CommunityGroup, CommunityGroup.id == group_characteristic.c.group_id)
        .where(group_characteristic.c.group_id.in_(select(taking_part.c.group_id)))
    ).items():
        groups.setdefault(characteristic_id, set()).update(group_ids)
    for characteristic_id, event_ids in _pairs(
        select(EventReach.characteristic_id, EventReach.event_id).where(
            EventReach.event_id.in_(policy_event_ids(policy_id)), EventReach.estimated_count > 0
        )
    ).items():
        events.setdefault(characteristic_id, set()).update(event_ids)

    targets = set(
        db.session.scalars(
            select(consultation_characteristic.c.characteristic_id).where(
                consultation_characteristic.c.consultation_id.in_(policy_consultation_ids(policy_id))
            )
        )
    )
    rows = []
    for characteristic in db.session.scalars(
        select(Characteristic)
        .where(Characteristic.is_retired.is_(False))
        .order_by(Characteristic.is_statutory.desc(), Characteristic.sort_order, Characteristic.name)
    ):
        feedback_count, response_count = feedback_counts.get(characteristic.id, (0, 0))
        rows.append(
            CoverageRow(
                characteristic=characteristic,
                feedback=feedback_count,
                groups=len(groups.get(characteristic.id, ())),
                events=len(events.get(characteristic.id, ())),
                responses=response_count,
                is_target=characteristic.id in targets,
            )
        )
    return rows


def total_reached(policy_id: int) -> int:
    return (
        db.session.scalar(select(func.count()).select_from(Feedback).where(reached_condition(policy_id))) or 0
    )


# ---- Choices for the filter form ------------------------------------------------------------------------


def filter_choices(policy_id: int) -> dict[str, list[tuple]]:
    """Only what this policy's feedback can be filtered by: its consultations, events and groups."""
    consultations = db.session.execute(
        select(Consultation.id, Consultation.title)
        .where(Consultation.id.in_(policy_consultation_ids(policy_id)))
        .order_by(Consultation.title)
    ).all()
    events = db.session.execute(
        select(EngagementEvent.id, EngagementEvent.title)
        .where(EngagementEvent.id.in_(policy_event_ids(policy_id)))
        .order_by(EngagementEvent.starts_at.desc())
    ).all()
    groups = db.session.execute(
        select(CommunityGroup.id, CommunityGroup.name)
        .where(
            CommunityGroup.id.in_(
                select(Feedback.group_id).where(reached_condition(policy_id), Feedback.group_id.is_not(None))
            )
        )
        .order_by(CommunityGroup.name)
        .limit(200)
    ).all()

    def active(model):
        return [
            (row.id, row.name)
            for row in db.session.execute(
                select(model.id, model.name)
                .where(model.is_retired.is_(False))
                .order_by(model.sort_order, model.name)
            )
        ]

    return {
        "source": list(SOURCES.items()),
        "consultation": [(row.id, row.title) for row in consultations],
        "event": [(row.id, row.title) for row in events],
        "group": [(row.id, row.name) for row in groups],
        "characteristic": active(Characteristic),
        "theme": active(Theme),
        "barrier": active(Barrier),
        "stance": list(STANCES.items()),
    }


def policy_feedback_for_characteristic(
    policy_id: int, characteristic_id: int | None, q: str, page: int, exclude_ids=(), per_page: int = 20
):
    """Candidates to cite as evidence: the policy's feedback, those coded with the characteristic first."""
    filters = EvidenceFilters(q=q, characteristic=[characteristic_id] if characteristic_id else [])
    query = (
        select(Feedback)
        .where(Feedback.id.in_(filtered_ids(policy_id, filters)))
        .options(*_item_options(False))
        .order_by(Feedback.received_at.desc(), Feedback.id.desc())
    )
    if exclude_ids:
        query = query.where(Feedback.id.not_in(list(exclude_ids)))
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def policy_influences(policy_id: int, limit: int = 100) -> list[PolicyInfluence]:
    """What changed because of what people said: decisions, changes first, newest first."""
    order = {"changed": 0, "mitigation": 1, "no_change": 2}
    rows = list(
        db.session.scalars(
            select(PolicyInfluence)
            .where(PolicyInfluence.policy_id == policy_id)
            .options(
                selectinload(PolicyInfluence.decided_by),
                selectinload(PolicyInfluence.feedback).options(*_item_options(False)),
            )
            .order_by(PolicyInfluence.decided_at.desc())
            .limit(limit)
        )
    )
    return sorted(rows, key=lambda row: order.get(row.use, 3))


def filtered_count(policy_id: int, filters: EvidenceFilters) -> int:
    """How many of the policy's feedback items match the filters: what an export of them would hold."""
    return (
        db.session.scalar(select(func.count()).select_from(filtered_ids(policy_id, filters).subquery())) or 0
    )
