"""The feedback inbox: every filter and the text search run in SQL, and a page costs the same few queries
whatever its size (links are loaded in bulk)."""

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import CompoundSelect, exists, func, or_, select, text, union
from sqlalchemy.orm import selectinload

from crm.consultations.models import consultation_policy
from crm.core.args import day, ids, one_id, search_text
from crm.core.batches import batched
from crm.core.pagination import paginate
from crm.core.time import end_of_uk_day, start_of_uk_day
from crm.engagement.models import EngagementEvent, event_policy
from crm.extensions import db
from crm.feedback.models import (
    Feedback,
    feedback_barrier,
    feedback_characteristic,
    feedback_policy,
    feedback_theme,
)
from crm.groups.models import CommunityGroup, group_area
from crm.policies.models import Policy

PER_PAGE = 25
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass
class FeedbackFilters:
    q: str = ""
    source: list[str] = field(default_factory=list)
    consultation: int | None = None
    event: int | None = None
    policy: int | None = None
    group: int | None = None
    programme: int | None = None
    group_name: str = ""  # words in the name of the group it came from
    area: list[int] = field(default_factory=list)
    characteristic: list[int] = field(default_factory=list)
    theme: list[int] = field(default_factory=list)
    barrier: list[int] = field(default_factory=list)
    stance: list[str] = field(default_factory=list)
    coded: str = ""  # "yes", "no" or ""
    date_from: date | None = None
    date_to: date | None = None

    @classmethod
    def from_args(cls, args) -> "FeedbackFilters":
        return cls(
            q=search_text(args),
            source=args.getlist("source"),
            consultation=one_id(args, "consultation"),
            event=one_id(args, "event"),
            policy=one_id(args, "policy"),
            group=one_id(args, "group"),
            programme=one_id(args, "programme"),
            group_name=search_text(args, "group_name"),
            area=ids(args, "area"),
            characteristic=ids(args, "characteristic"),
            theme=ids(args, "theme"),
            barrier=ids(args, "barrier"),
            stance=args.getlist("stance"),
            coded=args.get("coded", "") if args.get("coded") in ("yes", "no") else "",
            date_from=day(args, "from"),
            date_to=day(args, "to"),
        )

    @property
    def is_filtered(self) -> bool:
        return any(getattr(self, name) for name in self.__dataclass_fields__)


def _link_filter(table, column, ids):
    return exists().where(table.c.feedback_id == Feedback.id, column.in_(ids))


def text_search(q: str):
    """Full-text match: PostgreSQL's index on to_tsvector, or SQLite's FTS5 table. Every word must appear."""
    words = _WORD.findall(q)
    if not words:
        return None
    if db.engine.dialect.name == "postgresql":
        return func.to_tsvector(text("'english'"), Feedback.text).op("@@")(
            func.plainto_tsquery(text("'english'"), " ".join(words))
        )
    phrase = " ".join(
        f'"{word}"' for word in words
    )  # quoted, so FTS5 query syntax in the input means nothing
    return Feedback.id.in_(
        select(text("rowid"))
        .select_from(text("feedback_fts"))
        .where(text("feedback_fts MATCH :phrase").bindparams(phrase=phrase))
    )


def filtered(filters: FeedbackFilters, include_excluded: bool = False):
    query = select(Feedback)
    if not include_excluded:
        query = query.where(Feedback.status != "excluded")
    if filters.q and (condition := text_search(filters.q)) is not None:
        query = query.where(condition)
    if filters.source:
        query = query.where(Feedback.source.in_(filters.source))
    if filters.consultation:
        query = query.where(Feedback.consultation_id == filters.consultation)
    if filters.event:
        query = query.where(Feedback.event_id == filters.event)
    if filters.programme:
        query = query.where(
            Feedback.event_id.in_(
                select(EngagementEvent.id).where(EngagementEvent.programme_id == filters.programme)
            )
        )
    if filters.group:
        query = query.where(Feedback.group_id == filters.group)
    if filters.group_name:  # through the trigram index on lower(name) on PostgreSQL (migration 0007)
        query = query.where(
            Feedback.group_id.in_(
                select(CommunityGroup.id).where(
                    func.lower(CommunityGroup.name).contains(filters.group_name.lower(), autoescape=True)
                )
            )
        )
    if filters.policy:
        query = query.where(reached_policy(filters.policy))
    if filters.area:
        query = query.where(
            or_(
                Feedback.event_id.in_(
                    select(EngagementEvent.id).where(EngagementEvent.area_id.in_(filters.area))
                ),
                Feedback.group_id.in_(
                    select(group_area.c.group_id).where(group_area.c.area_id.in_(filters.area))
                ),
            )
        )
    for table, column, wanted in (
        (feedback_characteristic, feedback_characteristic.c.characteristic_id, filters.characteristic),
        (feedback_theme, feedback_theme.c.theme_id, filters.theme),
        (feedback_barrier, feedback_barrier.c.barrier_id, filters.barrier),
    ):
        if wanted:
            query = query.where(_link_filter(table, column, wanted))
    if filters.stance:
        query = query.where(Feedback.stance.in_(filters.stance))
    if filters.coded:
        query = query.where(
            Feedback.status == "coded" if filters.coded == "yes" else Feedback.status == "new"
        )
    if filters.date_from:
        query = query.where(Feedback.received_at >= start_of_uk_day(filters.date_from))
    if filters.date_to:
        query = query.where(Feedback.received_at < end_of_uk_day(filters.date_to))
    return query


def text_search_condition(q: str):
    """`text_search` as a WHERE clause: nothing to search for matches nothing."""
    condition = text_search(q)
    return condition if condition is not None else Feedback.id.is_(None)


def feedback_by_ids(feedback_ids) -> list[Feedback]:
    """The given items, oldest first, with where each came from (event, consultation, group) loaded."""
    if not feedback_ids:
        return []
    return list(
        db.session.scalars(
            select(Feedback)
            .where(Feedback.id.in_(feedback_ids))
            .options(
                selectinload(Feedback.event),
                selectinload(Feedback.consultation),
                selectinload(Feedback.group),
            )
            .order_by(Feedback.received_at)
        )
    )


def reached_ids(
    policy_id: int, *columns, include_excluded: bool = False, received_before: datetime | None = None
) -> CompoundSelect:
    """The feedback that reached a policy, as rows of `columns` (its id by default): through the policy's
    consultations, its events or a direct link; only what had arrived by `received_before`, if given.

    Three indexed lookups joined by UNION, so the cost grows with the policy's own items. An OR of the three
    made PostgreSQL read the whole feedback table for every policy (8 s at a million items).
    """
    columns = columns or (Feedback.id,)

    def counted(query):
        if received_before is not None:
            query = query.where(Feedback.received_at < received_before)
        return query if include_excluded else query.where(Feedback.status != "excluded")

    return union(
        counted(
            select(*columns)
            .join(consultation_policy, consultation_policy.c.consultation_id == Feedback.consultation_id)
            .where(consultation_policy.c.policy_id == policy_id)
        ),
        counted(
            select(*columns)
            .join(event_policy, event_policy.c.event_id == Feedback.event_id)
            .where(event_policy.c.policy_id == policy_id)
        ),
        counted(
            select(*columns)
            .join(feedback_policy, feedback_policy.c.feedback_id == Feedback.id)
            .where(feedback_policy.c.policy_id == policy_id)
        ),
    )


def reached_policy(policy_id: int):
    """Feedback reaches a policy through its consultations, its events or a direct link. The ids are
    gathered first (a materialised CTE), so PostgreSQL looks each one up rather than reading every item to
    test it against them."""
    reached = reached_ids(policy_id, include_excluded=True).cte("reached_policy").prefix_with("MATERIALIZED")
    return Feedback.id.in_(select(reached.c.id))


def reaching_owned_policies(owner_id: int, ids: list[int]) -> set[int]:
    """Which of `ids` reached a policy that `owner_id` owns (through its consultations, events or a link)."""
    owned = list(db.session.scalars(select(Policy.id).where(Policy.owner_id == owner_id)))
    if not owned:
        return set()
    # Every owned policy's reached items in one statement per batch of ids, not one per policy.
    each = [reached_ids(policy_id, include_excluded=True).subquery() for policy_id in owned]
    reached = union(*(select(one.c.id) for one in each)).subquery()
    found: set[int] = set()
    for batch in batched(ids):
        found.update(db.session.scalars(select(reached.c.id).where(reached.c.id.in_(batch))))
    return found


def with_codes(query):
    return query.options(
        selectinload(Feedback.themes),
        selectinload(Feedback.barriers),
        selectinload(Feedback.characteristics),
        selectinload(Feedback.group),
        selectinload(Feedback.event),
        selectinload(Feedback.consultation),
    )


def inbox_page(filters: FeedbackFilters, page: int, per_page: int = PER_PAGE):
    query = with_codes(filtered(filters)).order_by(Feedback.received_at.desc(), Feedback.id.desc())
    return paginate(query, page=page, per_page=per_page)


def matching_ids(filters: FeedbackFilters) -> list[int]:
    return list(db.session.scalars(filtered(filters).with_only_columns(Feedback.id)))


def count_matching(filters: FeedbackFilters) -> int:
    return db.session.scalar(filtered(filters).with_only_columns(func.count(Feedback.id)))


def existing_ids(ids: list[int]) -> list[int]:
    return list(
        db.session.scalars(select(Feedback.id).where(Feedback.id.in_(ids), Feedback.status != "excluded"))
    )


def feedback_item(feedback_id: int) -> Feedback | None:
    return db.session.scalar(
        with_codes(select(Feedback).where(Feedback.id == feedback_id)).options(
            selectinload(Feedback.policies),
            selectinload(Feedback.contact),
            selectinload(Feedback.captured_by),
        )
    )


def event_feedback(event_id: int, limit: int = 50) -> list[Feedback]:
    return list(
        db.session.scalars(
            select(Feedback)
            .where(Feedback.event_id == event_id)
            .options(
                selectinload(Feedback.characteristics),
                selectinload(Feedback.themes),
                selectinload(Feedback.group),
            )
            .order_by(Feedback.id.desc())
            .limit(limit)
        )
    )


def event_feedback_count(event_id: int) -> int:
    return db.session.scalar(select(func.count()).where(Feedback.event_id == event_id))


def feedback_for_group(group_id: int, limit: int = 20) -> list[Feedback]:
    return list(
        db.session.scalars(
            with_codes(select(Feedback).where(Feedback.group_id == group_id, Feedback.status != "excluded"))
            .order_by(Feedback.received_at.desc())
            .limit(limit)
        )
    )


def theme_usage() -> dict[int, int]:
    return dict(
        db.session.execute(
            select(feedback_theme.c.theme_id, func.count()).group_by(feedback_theme.c.theme_id)
        ).all()
    )
