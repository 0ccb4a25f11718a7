"""The evidence pack: every feedback item that reached a policy, filtered, counted and paginated in SQL.

Feedback reached a policy through one of its consultations, one of its events, or a direct link; excluded
feedback (spam or withdrawn responses) never counts. Text search uses the full-text structures of migration
0004: the GIN index on to_tsvector('english', text) on PostgreSQL, the feedback_fts table on SQLite.
"""

from dataclasses import dataclass, field, replace

from sqlalchemy import (
    Integer,
    Select,
    String,
    cast,
    distinct,
    exists,
    func,
    literal,
    null,
    or_,
    select,
    union,
    union_all,
)
from sqlalchemy.orm import selectinload

from crm.consultations.models import Consultation, Response, consultation_characteristic, consultation_policy
from crm.core.args import ids, one_id, search_text, typed_day_range_problems, within_typed_days
from crm.core.models import Area, Barrier, Characteristic, Theme
from crm.core.pagination import KnownPagination, known_page, page_offset, paginate
from crm.engagement.models import EngagementEvent, EventReach, event_group, event_policy
from crm.evidence.models import OUTREACH_STATUSES, OutreachStatus, OutreachTask, outreach_task_event
from crm.extensions import db
from crm.feedback.models import (
    SOURCES,
    STANCES,
    Feedback,
    feedback_barrier,
    feedback_characteristic,
    feedback_policy,
    feedback_theme,
)
from crm.feedback.queries import reached_ids, text_search_condition
from crm.groups.models import CommunityGroup, Contact, group_area, group_characteristic
from crm.policies.models import Policy, PolicyInfluence

PER_PAGE = 25


# ---- Which feedback reached a policy --------------------------------------------------------------------


def policy_consultation_ids(policy_id: int) -> Select:
    return select(consultation_policy.c.consultation_id).where(consultation_policy.c.policy_id == policy_id)


def policy_event_ids(policy_id: int) -> Select:
    return select(event_policy.c.event_id).where(event_policy.c.policy_id == policy_id)


def reached_condition(policy_id: int):
    """A WHERE clause on Feedback: it reached this policy and is not excluded."""
    return Feedback.id.in_(reached_ids(policy_id))


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
        filters.errors.update(typed_day_range_problems(filters.date_from, filters.date_to))
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


def _filter_conditions(filters: EvidenceFilters) -> list:
    """The filters as WHERE clauses on Feedback."""
    conditions = []
    if filters.q:
        conditions.append(text_search_condition(filters.q))
    if filters.source:
        conditions.append(Feedback.source.in_(filters.source))
    if filters.consultation:
        conditions.append(Feedback.consultation_id.in_(filters.consultation))
    if filters.event:
        conditions.append(Feedback.event_id.in_(filters.event))
    if filters.group:
        conditions.append(Feedback.group_id.in_(filters.group))
    if filters.stance:
        conditions.append(Feedback.stance.in_(filters.stance))
    for table, column, wanted in (
        (feedback_characteristic, "characteristic_id", filters.characteristic),
        (feedback_theme, "theme_id", filters.theme),
        (feedback_barrier, "barrier_id", filters.barrier),
    ):
        if wanted:
            conditions.append(exists().where(table.c.feedback_id == Feedback.id, table.c[column].in_(wanted)))
    conditions += within_typed_days(Feedback.received_at, filters.date_from, filters.date_to)
    return conditions


def filtered_ids(policy_id: int, filters: EvidenceFilters) -> Select:
    """The ids of the policy's feedback that match the filters (a subquery, never loaded)."""
    return select(Feedback.id).where(reached_condition(policy_id), *_filter_conditions(filters))


# ---- The pack: count, page, tallies and coverage from one reading of the reached set ---------------------

# What the pack needs of each reached item; everything else is loaded for the page's items only.
_REACHED_COLUMNS = (
    Feedback.id,
    Feedback.received_at,
    Feedback.source,
    Feedback.group_id,
    Feedback.event_id,
    Feedback.response_id,
)


@dataclass(frozen=True)
class Count:
    id: object
    name: str
    count: int


@dataclass
class CoverageRow:
    characteristic: Characteristic
    feedback: int = 0
    groups: int = 0
    events: int = 0
    responses: int = 0
    is_target: bool = False
    weak_below: int = 5  # fewer coded items than this is weak evidence, not "heard"

    @property
    def has_evidence(self) -> bool:
        return self.feedback > 0

    @property
    def is_weak(self) -> bool:
        return 0 < self.feedback < self.weak_below

    @property
    def target_not_reached(self) -> bool:
        return self.is_target and not self.has_evidence


@dataclass(frozen=True)
class AreaCoverage:
    """What reached the policy from one area: items from events held there or groups serving it."""

    area: Area
    feedback: int
    events: int
    weak_below: int = 5

    @property
    def is_weak(self) -> bool:
        return 0 < self.feedback < self.weak_below


@dataclass
class Pack:
    total: int  # every item that reached the policy
    pagination: KnownPagination  # the items matching the filters, one page of them
    counts: dict[str, list[Count]]  # tallies of the matching items
    coverage: list[CoverageRow]  # from every reached item, whatever the filters
    uncoded: int  # reached items coded with no characteristic: they count for none
    areas: list[AreaCoverage]  # from every reached item, whatever the filters
    choices: dict[str, list[tuple]]


def _row(kind: str, key=None, label=None, first=None, second=None) -> list:
    """One row of the pack's single query: (kind, key, label, first, second), typed alike in every branch."""
    return [
        literal(kind, String).label("kind"),
        (cast(null(), Integer) if key is None else key).label("key"),
        (cast(null(), String) if label is None else label).label("label"),
        (cast(null(), Integer) if first is None else first).label("first"),
        (cast(null(), Integer) if second is None else second).label("second"),
    ]


def _reached_and_matching(policy_id: int, filters: EvidenceFilters, before=None):
    """The policy's reached items (read once, by indexed lookups, into a materialised CTE) and those of them
    that match the filters (the same CTE when nothing is filtered)."""
    reached = (
        reached_ids(policy_id, *_REACHED_COLUMNS, received_before=before)
        .cte("reached")
        .prefix_with("MATERIALIZED")
    )
    if not filters.is_filtered:
        return reached, reached
    matching = select(*reached.c)
    if filters.q:
        # Through the full-text index, the matching ids gathered first: testing each reached item's text
        # one by one would build 50,000 text vectors for one search.
        said = (
            select(Feedback.id)
            .where(text_search_condition(filters.q))
            .cte("said")
            .prefix_with("MATERIALIZED")
        )
        matching = matching.where(reached.c.id.in_(select(said.c.id)))
    others = _filter_conditions(replace(filters, q=""))
    if others:
        matching = matching.join(Feedback, Feedback.id == reached.c.id).where(*others)
    return reached, matching.cte("matching").prefix_with("MATERIALIZED")


def matching_ids(policy_id: int, filters: EvidenceFilters) -> list[int]:
    """The ids of the items matching the filters, oldest first: what an export writes, in its order."""
    _reached, matching = _reached_and_matching(policy_id, filters)
    return list(db.session.scalars(select(matching.c.id).order_by(matching.c.received_at, matching.c.id)))


def _pack_statement(policy_id: int, filters: EvidenceFilters, offset: int, per_page: int, before=None):
    """Every figure of the pack in one statement. The reached set is read once, by indexed lookups, into a
    materialised CTE; the filters narrow it to `matching`; each tally is a UNION ALL branch over them.
    With `before`, the pack as it stood then: feedback received and events held before that moment."""
    reached, matching = _reached_and_matching(policy_id, filters, before)
    # Each reached item with each characteristic it speaks for: read once, used by four tallies.
    coded = (
        select(
            feedback_characteristic.c.characteristic_id,
            reached.c.id,
            reached.c.response_id,
            reached.c.group_id,
            reached.c.event_id,
        )
        .join(feedback_characteristic, feedback_characteristic.c.feedback_id == reached.c.id)
        .cte("coded")
        .prefix_with("MATERIALIZED")
    )
    coded_matching = coded
    if filters.is_filtered:
        coded_matching = (
            select(coded.c.characteristic_id).where(coded.c.id.in_(select(matching.c.id))).subquery()
        )
    events = policy_event_ids(policy_id)
    if before is not None:
        events = events.join(EngagementEvent, EngagementEvent.id == event_policy.c.event_id).where(
            EngagementEvent.starts_at < before
        )

    page = (
        select(matching.c.id)
        .order_by(matching.c.received_at.desc(), matching.c.id.desc())
        .limit(per_page)
        .offset(offset)
        .subquery()
    )
    # Groups engaged: those that gave coded feedback, and those representing a characteristic that took part
    # in the policy's events or gave any of its feedback.
    taking_part = union(
        select(reached.c.group_id).where(reached.c.group_id.is_not(None)),
        select(event_group.c.group_id).where(event_group.c.event_id.in_(events)),
    )
    group_pairs = union(
        select(coded.c.characteristic_id, coded.c.group_id.label("other_id")).where(
            coded.c.group_id.is_not(None)
        ),
        select(group_characteristic.c.characteristic_id, group_characteristic.c.group_id).where(
            group_characteristic.c.group_id.in_(taking_part)
        ),
    ).subquery()
    # Events: those with coded feedback, and those whose estimated reach counts the characteristic.
    event_pairs = union(
        select(coded.c.characteristic_id, coded.c.event_id.label("other_id")).where(
            coded.c.event_id.is_not(None)
        ),
        select(EventReach.characteristic_id, EventReach.event_id).where(
            EventReach.event_id.in_(events), EventReach.estimated_count > 0
        ),
    ).subquery()
    group_choices = (
        select(CommunityGroup.id, CommunityGroup.name)
        .where(CommunityGroup.id.in_(select(reached.c.group_id)))
        .order_by(CommunityGroup.name)
        .limit(200)
        .subquery()
    )
    # Where each reached item came from: the area of its event, and the areas its group serves.
    located = union(
        select(EngagementEvent.area_id.label("area_id"), reached.c.id)
        .join(EngagementEvent, EngagementEvent.id == reached.c.event_id)
        .where(EngagementEvent.area_id.is_not(None)),
        select(group_area.c.area_id, reached.c.id).join(
            group_area, group_area.c.group_id == reached.c.group_id
        ),
    ).subquery()
    return union_all(
        select(*_row("total", first=func.count())).select_from(reached),
        select(*_row("uncoded", first=func.count()))
        .select_from(reached)
        .where(reached.c.id.not_in(select(coded.c.id))),
        select(*_row("area", key=located.c.area_id, first=func.count())).group_by(located.c.area_id),
        select(*_row("area_events", key=EngagementEvent.area_id, first=func.count()))
        .where(EngagementEvent.id.in_(events), EngagementEvent.area_id.is_not(None))
        .group_by(EngagementEvent.area_id),
        select(*_row("matching", first=func.count())).select_from(matching),
        select(*_row("page", key=page.c.id)),
        select(*_row("source", label=matching.c.source, first=func.count())).group_by(matching.c.source),
        select(*_row("characteristic", key=coded_matching.c.characteristic_id, first=func.count())).group_by(
            coded_matching.c.characteristic_id
        ),
        select(*_row("theme", key=feedback_theme.c.theme_id, first=func.count()))
        .select_from(matching.join(feedback_theme, feedback_theme.c.feedback_id == matching.c.id))
        .group_by(feedback_theme.c.theme_id),
        select(
            *_row(
                "coded",
                key=coded.c.characteristic_id,
                first=func.count(distinct(coded.c.id)),
                second=func.count(distinct(coded.c.response_id)),
            )
        ).group_by(coded.c.characteristic_id),
        select(
            *_row(
                "groups",
                key=group_pairs.c.characteristic_id,
                first=func.count(distinct(group_pairs.c.other_id)),
            )
        ).group_by(group_pairs.c.characteristic_id),
        select(
            *_row(
                "events",
                key=event_pairs.c.characteristic_id,
                first=func.count(distinct(event_pairs.c.other_id)),
            )
        ).group_by(event_pairs.c.characteristic_id),
        select(*_row("group", key=group_choices.c.id, label=group_choices.c.name)),
    )


def item_options(personal: bool) -> list:
    """How a feedback item is loaded with its links and codes, in bulk; its contact and response (personal
    data) only for the roles that see them."""
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


def _reference(model) -> list:
    return list(db.session.scalars(select(model).order_by(model.sort_order, model.name)))


def evidence_pack(
    policy_id: int,
    filters: EvidenceFilters,
    page: int = 1,
    personal: bool = False,
    per_page: int = PER_PAGE,
    before=None,
) -> Pack:
    """The whole pack: the reached set is read once and every figure derived from it, so the page grows
    with the policy's own items, not with the feedback table. With `before`, the pack as it stood then."""
    page, offset = page_offset(page, per_page)
    figures: dict[str, dict] = {}
    for kind, key, label, first, second in db.session.execute(
        _pack_statement(policy_id, filters, offset, per_page, before)
    ):
        figures.setdefault(kind, {})[key if label is None or kind == "group" else label] = (
            label if kind == "group" else (first, second)
        )

    page_ids = list(figures.get("page", {}))
    items = sorted(
        db.session.scalars(
            select(Feedback).where(Feedback.id.in_(page_ids)).options(*item_options(personal))
        ),
        key=lambda item: (item.received_at, item.id),
        reverse=True,
    )
    matching = next(iter(figures.get("matching", {}).values()), (0, None))[0]
    total = next(iter(figures.get("total", {}).values()), (0, None))[0]

    characteristics, themes, barriers = _reference(Characteristic), _reference(Theme), _reference(Barrier)
    by_characteristic, by_theme = figures.get("characteristic", {}), figures.get("theme", {})
    counts = {
        "characteristic": [
            Count(row.id, row.name, by_characteristic[row.id][0])
            for row in characteristics
            if row.id in by_characteristic
        ],
        "theme": sorted(
            (Count(row.id, row.name, by_theme[row.id][0]) for row in themes if row.id in by_theme),
            key=lambda count: (-count.count, count.name),
        ),
        "source": sorted(
            (
                Count(source, SOURCES.get(source, source), n)
                for source, (n, _) in figures.get("source", {}).items()
            ),
            key=lambda count: -count.count,
        ),
    }
    return Pack(
        total=total,
        pagination=known_page(items, matching, page, per_page),
        counts=counts,
        coverage=_coverage_rows(policy_id, characteristics, figures),
        uncoded=next(iter(figures.get("uncoded", {}).values()), (0, None))[0],
        areas=_area_rows(figures),
        choices=_filter_choices(policy_id, figures.get("group", {}), characteristics, themes, barriers),
    )


def _coverage_rows(policy_id: int, characteristics: list[Characteristic], figures: dict) -> list[CoverageRow]:
    """Every characteristic in use, statutory and local, with what was heard from or for it on this policy.

    - feedback: items coded as speaking for the characteristic;
    - groups engaged: groups that gave such feedback, plus groups representing the characteristic that took
      part in the policy's events or gave any of its feedback;
    - events: the policy's events with such feedback or an estimated reach for the characteristic;
    - responses: consultation responses with at least one such feedback item.
    Equality-monitoring answers are never used: they cannot be tied to feedback, by design.
    """
    targets = set(
        db.session.scalars(
            select(consultation_characteristic.c.characteristic_id).where(
                consultation_characteristic.c.consultation_id.in_(policy_consultation_ids(policy_id))
            )
        )
    )
    coded, groups, events = (figures.get(kind, {}) for kind in ("coded", "groups", "events"))
    in_use = sorted(
        (row for row in characteristics if not row.is_retired), key=lambda row: not row.is_statutory
    )  # a stable sort: statutory first, each part still in sort order
    weak_below = weak_evidence_below()
    return [
        CoverageRow(
            characteristic=row,
            feedback=coded.get(row.id, (0, 0))[0],
            responses=coded.get(row.id, (0, 0))[1],
            groups=groups.get(row.id, (0, 0))[0],
            events=events.get(row.id, (0, 0))[0],
            is_target=row.id in targets,
            weak_below=weak_below,
        )
        for row in in_use
    ]


def weak_evidence_below() -> int:
    """Coded items a characteristic or area needs before it counts as heard (WEAK_EVIDENCE_BELOW)."""
    from flask import current_app

    return max(1, int(current_app.config.get("WEAK_EVIDENCE_BELOW", 5)))


def _area_rows(figures: dict) -> list[AreaCoverage]:
    """Every area in use, with the items that came from it and the policy's events held there."""
    items, events = figures.get("area", {}), figures.get("area_events", {})
    weak_below = weak_evidence_below()
    return [
        AreaCoverage(
            area, items.get(area.id, (0, 0))[0], events.get(area.id, (0, 0))[0], weak_below=weak_below
        )
        for area in _reference(Area)
        if not area.is_retired or area.id in items
    ]


def _filter_choices(policy_id, groups: dict, characteristics, themes, barriers) -> dict[str, list[tuple]]:
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

    def active(rows):
        return [(row.id, row.name) for row in rows if not row.is_retired]

    return {
        "source": list(SOURCES.items()),
        "consultation": [(row.id, row.title) for row in consultations],
        "event": [(row.id, row.title) for row in events],
        "group": sorted(groups.items(), key=lambda pair: pair[1]),
        "characteristic": active(characteristics),
        "theme": active(themes),
        "barrier": active(barriers),
        "stance": list(STANCES.items()),
    }


@dataclass(frozen=True)
class ExportedItem:
    """A feedback item as the export writes it: plain values, no objects."""

    id: int
    received_at: object
    source: str
    consultation: str
    event: str
    group: str
    stance: str | None
    text: str
    characteristics: list[str]
    themes: list[str]
    barriers: list[str]
    personal: tuple = ()  # contact name, email and phone, respondent name and email


def items_for_export(feedback_ids: list[int], personal: bool) -> list[ExportedItem]:
    """One batch of items with their links and codes: a query for the items and one per kind of code."""
    columns = [
        Feedback.id,
        Feedback.received_at,
        Feedback.source,
        func.coalesce(Consultation.title, ""),
        func.coalesce(EngagementEvent.title, ""),
        func.coalesce(CommunityGroup.name, ""),
        Feedback.stance,
        Feedback.text,
    ]
    query = (
        select(*columns)
        .outerjoin(Consultation, Consultation.id == Feedback.consultation_id)
        .outerjoin(EngagementEvent, EngagementEvent.id == Feedback.event_id)
        .outerjoin(CommunityGroup, CommunityGroup.id == Feedback.group_id)
        .where(Feedback.id.in_(feedback_ids))
        .order_by(Feedback.received_at, Feedback.id)
    )
    if personal:
        query = (
            query.add_columns(
                func.coalesce(Contact.name, ""),
                func.coalesce(Contact.email, ""),
                func.coalesce(Contact.phone, ""),
                func.coalesce(Response.name, ""),
                func.coalesce(Response.email, ""),
            )
            .outerjoin(Contact, Contact.id == Feedback.contact_id)
            .outerjoin(Response, Response.id == Feedback.response_id)
        )
    codes = {}
    for kind, table, model, column in (
        ("characteristics", feedback_characteristic, Characteristic, "characteristic_id"),
        ("themes", feedback_theme, Theme, "theme_id"),
        ("barriers", feedback_barrier, Barrier, "barrier_id"),
    ):
        names: dict[int, list[str]] = {}
        for feedback_id, name in db.session.execute(
            select(table.c.feedback_id, model.name)
            .join(model, model.id == table.c[column])
            .where(table.c.feedback_id.in_(feedback_ids))
            .order_by(model.sort_order, model.name)
        ):
            names.setdefault(feedback_id, []).append(name)
        codes[kind] = names
    return [
        ExportedItem(
            *row[:8],
            characteristics=codes["characteristics"].get(row[0], []),
            themes=codes["themes"].get(row[0], []),
            barriers=codes["barriers"].get(row[0], []),
            personal=tuple(row[8:]),
        )
        for row in db.session.execute(query)
    ]


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


def policy_feedback_for_characteristic(
    policy_id: int, characteristic_id: int | None, q: str, page: int, exclude_ids=(), per_page: int = 20
):
    """Candidates to cite as evidence: the policy's feedback, those coded with the characteristic first."""
    filters = EvidenceFilters(q=q, characteristic=[characteristic_id] if characteristic_id else [])
    query = (
        select(Feedback)
        .where(Feedback.id.in_(filtered_ids(policy_id, filters)))
        .options(*item_options(False))
        .order_by(Feedback.received_at.desc(), Feedback.id.desc())
    )
    if exclude_ids:
        query = query.where(Feedback.id.not_in(list(exclude_ids)))
    return paginate(query, page=page, per_page=per_page)


def policy_influences(policy_id: int, limit: int = 100) -> list[PolicyInfluence]:
    """What changed because of what people said: decisions, changes first, newest first."""
    order = {"changed": 0, "mitigation": 1, "no_change": 2}
    rows = list(
        db.session.scalars(
            select(PolicyInfluence)
            .where(PolicyInfluence.policy_id == policy_id)
            .options(
                selectinload(PolicyInfluence.decided_by),
                selectinload(PolicyInfluence.feedback).options(*item_options(False)),
            )
            .order_by(PolicyInfluence.decided_at.desc())
            .limit(limit)
        )
    )
    return sorted(rows, key=lambda row: order.get(row.use, 3))


def filtered_count(policy_id: int, filters: EvidenceFilters) -> int:
    """How many of the policy's feedback items match the filters: what an export of them would hold."""
    _reached, matching = _reached_and_matching(policy_id, filters)
    return db.session.scalar(select(func.count()).select_from(matching)) or 0


UNLINKED_PER_PAGE = 20


def unlinked_feedback(q: str, page: int):
    """Feedback that reaches no policy at all (no direct link, and no consultation or event with one),
    newest first: what a policy's evidence may be missing. Text search through the full-text index."""
    linked_consultations = select(consultation_policy.c.consultation_id)
    linked_events = select(event_policy.c.event_id)
    query = (
        select(Feedback)
        .where(
            Feedback.status != "excluded",
            ~exists().where(feedback_policy.c.feedback_id == Feedback.id),
            or_(Feedback.consultation_id.is_(None), Feedback.consultation_id.not_in(linked_consultations)),
            or_(Feedback.event_id.is_(None), Feedback.event_id.not_in(linked_events)),
        )
        .options(selectinload(Feedback.group), selectinload(Feedback.event), selectinload(Feedback.themes))
        .order_by(Feedback.received_at.desc(), Feedback.id.desc())
    )
    if q:
        query = query.where(text_search_condition(q))
    return paginate(query, page=page, per_page=UNLINKED_PER_PAGE)


def export_code_columns() -> list[tuple[str, list[str]]]:
    """The coding columns of an export: every characteristic, theme and barrier, retired ones too (an item
    may carry one), in the reference lists' order."""
    return [
        ("Speaks for", [row.name for row in _reference(Characteristic)]),
        ("Theme", [row.name for row in _reference(Theme)]),
        ("Barrier", [row.name for row in _reference(Barrier)]),
    ]


# ---- Outreach tasks: gaps turned into planned outreach -------------------------------------------------

OUTREACH_PER_PAGE = 25
SUGGESTED_GROUPS = 20  # shown on a task's page, with how many more there are


def coded_counts(policy_id: int) -> dict[int, int]:
    """Characteristic id -> the policy's reached items coded with it: the coverage row's feedback count,
    without the rest of the pack."""
    reached = reached_ids(policy_id).subquery()
    return dict(
        db.session.execute(
            select(feedback_characteristic.c.characteristic_id, func.count(distinct(reached.c.id)))
            .join(reached, reached.c.id == feedback_characteristic.c.feedback_id)
            .group_by(feedback_characteristic.c.characteristic_id)
        ).all()
    )


def suggested_groups(characteristic_id: int, area_id: int | None, limit: int = SUGGESTED_GROUPS):
    """Active groups on the register that represent the characteristic (and serve the area, if there is
    one), by name: (the first `limit` of them, how many there are)."""
    conditions = [
        CommunityGroup.status == "active",
        CommunityGroup.is_archived.is_(False),
        exists().where(
            group_characteristic.c.group_id == CommunityGroup.id,
            group_characteristic.c.characteristic_id == characteristic_id,
        ),
    ]
    if area_id is not None:
        conditions.append(
            exists().where(group_area.c.group_id == CommunityGroup.id, group_area.c.area_id == area_id)
        )
    total = db.session.scalar(select(func.count()).select_from(CommunityGroup).where(*conditions)) or 0
    groups = list(
        db.session.scalars(
            select(CommunityGroup)
            .where(*conditions)
            .options(selectinload(CommunityGroup.areas))
            .order_by(CommunityGroup.name, CommunityGroup.id)
            .limit(limit)
        )
    )
    return groups, total


def _task_options() -> list:
    return [
        selectinload(OutreachTask.policy),
        selectinload(OutreachTask.characteristic),
        selectinload(OutreachTask.area),
        selectinload(OutreachTask.owner),
    ]


@dataclass
class OutreachFilters:
    status: str = "open"  # open, closed or all
    owner: int | None = None
    policy: int | None = None

    @classmethod
    def from_args(cls, args) -> "OutreachFilters":
        status = args.get("status", "open")
        return cls(
            status=status if status in (*OUTREACH_STATUSES, "all") else "open",
            owner=one_id(args, "owner"),
            policy=one_id(args, "policy"),
        )


def list_tasks(
    filters: OutreachFilters, page: int, lead_id: int | None = None, per_page: int = OUTREACH_PER_PAGE
):
    """Outreach tasks, open ones first and the soonest due first; with `lead_id`, only those on the
    policies that policy lead owns."""
    query = select(OutreachTask).options(*_task_options())
    if filters.status in ("open", "closed"):
        query = query.where(OutreachTask.status == filters.status)
    if filters.owner is not None:
        query = query.where(OutreachTask.owner_id == filters.owner)
    if filters.policy is not None:
        query = query.where(OutreachTask.policy_id == filters.policy)
    if lead_id is not None:
        query = query.where(OutreachTask.policy_id.in_(select(Policy.id).where(Policy.owner_id == lead_id)))
    query = query.order_by(OutreachTask.status.desc(), OutreachTask.due_on, OutreachTask.id)
    return paginate(query, page=page, per_page=per_page)


def open_tasks_owned_by(owner_id: int, limit: int) -> list[OutreachTask]:
    """The staff home's list: a person's open outreach tasks, the soonest due first."""
    return list(
        db.session.scalars(
            select(OutreachTask)
            .where(OutreachTask.owner_id == owner_id, OutreachTask.status == OutreachStatus.OPEN)
            .options(selectinload(OutreachTask.policy), selectinload(OutreachTask.characteristic))
            .order_by(OutreachTask.due_on, OutreachTask.id)
            .limit(limit)
        )
    )


def task_with_links(task_id: int):
    return db.session.scalar(
        select(OutreachTask)
        .where(OutreachTask.id == task_id)
        .options(
            *_task_options(),
            selectinload(OutreachTask.events).selectinload(EngagementEvent.area),
            selectinload(OutreachTask.closed_by_event),
            selectinload(OutreachTask.created_by),
        )
    )


def open_tasks_by_characteristic(policy_id: int) -> dict[int, list]:
    """The policy's open tasks, by the characteristic each answers: the evidence pack shows them beside
    their gaps."""
    tasks: dict[int, list] = {}
    for task in db.session.scalars(
        select(OutreachTask)
        .where(OutreachTask.policy_id == policy_id, OutreachTask.status == "open")
        .options(selectinload(OutreachTask.area))
        .order_by(OutreachTask.due_on, OutreachTask.id)
    ):
        tasks.setdefault(task.characteristic_id, []).append(task)
    return tasks


def answered_tasks(policy_id: int | None = None, task_ids=None) -> list[tuple[int, int]]:
    """(task id, event id) of each open task that evidence has answered, with the first of its events
    (lowest id) that did, by the rule in crm.evidence.service.close_answered_tasks. One statement."""
    query = (
        select(OutreachTask.id, func.min(outreach_task_event.c.event_id))
        .join(outreach_task_event, outreach_task_event.c.task_id == OutreachTask.id)
        .join(
            event_policy,
            (event_policy.c.event_id == outreach_task_event.c.event_id)
            & (event_policy.c.policy_id == OutreachTask.policy_id),
        )
        .join(Feedback, Feedback.event_id == outreach_task_event.c.event_id)
        .join(
            feedback_characteristic,
            (feedback_characteristic.c.feedback_id == Feedback.id)
            & (feedback_characteristic.c.characteristic_id == OutreachTask.characteristic_id),
        )
        .where(OutreachTask.status == "open", Feedback.status != "excluded")
        .group_by(OutreachTask.id)
    )
    if policy_id is not None:
        query = query.where(OutreachTask.policy_id == policy_id)
    if task_ids is not None:
        query = query.where(OutreachTask.id.in_(list(task_ids)))
    return [(row[0], row[1]) for row in db.session.execute(query)]


def task_policy_choices(lead_id: int | None = None) -> list[tuple[int, str]]:
    """(id, "reference title") of the policies with outreach tasks: the list's policy filter."""
    query = (
        select(Policy.id, Policy.reference, Policy.title)
        .where(Policy.id.in_(select(OutreachTask.policy_id)))
        .order_by(Policy.reference)
    )
    if lead_id is not None:
        query = query.where(Policy.owner_id == lead_id)
    return [(row.id, f"{row.reference} {row.title}") for row in db.session.execute(query)]
