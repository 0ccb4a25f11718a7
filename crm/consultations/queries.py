"""Reads for consultations and responses: filtered and paginated in SQL, with no query per row."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, distinct, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from crm.consultations import monitoring, monitoring_store
from crm.consultations.models import (
    COUNTED_STATUSES,
    STATUSES,
    Answer,
    Consultation,
    MonitoringSnapshot,
    Question,
    Response,
    ResponseStatus,
)
from crm.core import suppression
from crm.core.args import one_of, search_text
from crm.core.matching import match_key
from crm.core.models import utc_now
from crm.core.pagination import Latest, latest, paginate
from crm.core.pickers import Lookup, search_short_register
from crm.core.suppression import Distribution
from crm.extensions import db
from crm.groups.matching import near_register_groups
from crm.groups.models import CommunityGroup


def _status_condition(status: str, now: datetime):
    scheduled = Consultation.status == "scheduled"
    if status == "scheduled":
        return and_(scheduled, Consultation.opens_at > now)
    if status == "open":
        return and_(scheduled, Consultation.opens_at <= now, Consultation.closes_at > now)
    if status == "closed":
        return and_(scheduled, Consultation.closes_at <= now)
    return Consultation.status == status


@dataclass
class ConsultationFilters:
    search: str = ""
    status: str = ""

    @classmethod
    def from_args(cls, args) -> "ConsultationFilters":
        return cls(search=search_text(args, "search"), status=one_of(args, "status", STATUSES))


def list_consultations(filters: ConsultationFilters, page: int, per_page: int = 25):
    now = utc_now()
    query = select(Consultation).order_by(Consultation.closes_at.desc().nulls_first(), Consultation.id.desc())
    if filters.search:
        query = query.where(Consultation.title.ilike(f"%{filters.search}%"))
    if filters.status:
        query = query.where(_status_condition(filters.status, now))
    return paginate(query, page=page, per_page=per_page)


def open_consultations(now: datetime | None = None) -> list[Consultation]:
    now = now or utc_now()
    return list(
        db.session.scalars(
            select(Consultation)
            .where(_status_condition("open", now))
            .order_by(Consultation.closes_at)
            .limit(50)
        )
    )


def recently_closed(now: datetime | None = None, days: int = 90, limit: int = 10) -> list[Consultation]:
    now = now or utc_now()
    return list(
        db.session.scalars(
            select(Consultation)
            .where(
                Consultation.status.in_(("scheduled", "analysed", "outcome_published")),
                Consultation.closes_at <= now,
                Consultation.closes_at > now - timedelta(days=days),
            )
            .order_by(Consultation.closes_at.desc())
            .limit(limit)
        )
    )


def public_consultation(slug: str) -> Consultation | None:
    """A consultation the public may read about: anything but a draft. Its questions and the policies a
    response's feedback is linked to come in the same query: a few more rows, two round trips fewer."""
    return (
        db.session.scalars(
            select(Consultation)
            .options(joinedload(Consultation.questions), joinedload(Consultation.policies))
            .where(Consultation.slug == slug, Consultation.status != "draft")
        )
        .unique()
        .one_or_none()
    )


def response_counts(consultation_id: int) -> dict[str, int]:
    rows = db.session.execute(
        select(Response.status, func.count())
        .where(Response.consultation_id == consultation_id)
        .group_by(Response.status)
    )
    return dict(rows.all())


def responses_from_group(group_id: int) -> Latest:
    """Responses linked to the group, newest first; spam is not something the group said."""
    return latest(
        select(Response)
        .where(Response.group_id == group_id, Response.status != ResponseStatus.SPAM)
        .options(selectinload(Response.consultation))
        .order_by(Response.received_at.desc(), Response.id.desc())
    )


def list_responses(
    consultation_id: int,
    page: int,
    channel: str = "",
    status: str = "",
    group: str = "",
    received_from: datetime | None = None,
    received_to: datetime | None = None,
    per_page: int = 50,
):
    query = (
        select(Response)
        .options(selectinload(Response.group))
        .where(Response.consultation_id == consultation_id)
        .order_by(Response.received_at.desc(), Response.id.desc())
    )
    if channel:
        query = query.where(Response.channel == channel)
    if status:
        query = query.where(Response.status == status)
    if group:
        pattern = f"%{group}%"
        query = query.outerjoin(CommunityGroup, Response.group_id == CommunityGroup.id).where(
            or_(Response.group_name.ilike(pattern), CommunityGroup.name.ilike(pattern))
        )
    if received_from:
        query = query.where(Response.received_at >= received_from)
    if received_to:
        query = query.where(Response.received_at < received_to)
    return paginate(query, page=page, per_page=per_page)


def response_with_answers(consultation_id: int, response_id: int) -> Response | None:
    return db.session.scalar(
        select(Response)
        .options(selectinload(Response.answers), selectinload(Response.group))
        .where(Response.id == response_id, Response.consultation_id == consultation_id)
    )


def question_summaries(consultation: Consultation) -> dict:
    """Per question: how many counted responses answered it, and per option how many chose it."""
    counted = and_(Response.consultation_id == consultation.id, Response.status.in_(COUNTED_STATUSES))
    total = db.session.scalar(select(func.count()).select_from(Response).where(counted))
    answered = dict(
        db.session.execute(
            select(Answer.question_id, func.count(distinct(Answer.response_id)))
            .join(Response, Answer.response_id == Response.id)
            .where(counted)
            .group_by(Answer.question_id)
        ).all()
    )
    chosen: dict[int, dict[str, int]] = {}
    rows = db.session.execute(
        select(Answer.question_id, Answer.value, func.count())
        .join(Response, Answer.response_id == Response.id)
        .where(counted, Answer.value.is_not(None))
        .group_by(Answer.question_id, Answer.value)
    )
    for question_id, value, count in rows:
        chosen.setdefault(question_id, {})[value] = count
    return {"total": total, "answered": answered, "chosen": chosen}


def free_text_answers(question: Question, page: int, per_page: int = 20):
    return paginate(
        select(Answer)
        .options(selectinload(Answer.response))
        .join(Response, Answer.response_id == Response.id)
        .where(
            Answer.question_id == question.id, Answer.text.is_not(None), Response.status.in_(COUNTED_STATUSES)
        )
        .order_by(Response.received_at.desc(), Answer.id.desc()),
        page=page,
        per_page=per_page,
    )


def suppressed_monitoring(consultation) -> list[tuple[monitoring.MonitoringQuestion, Distribution]]:
    """Every monitoring question's published counts through disclosure control; related questions as one
    table. Answers still waiting for a batch (monitoring_store) are not in them."""
    threshold, minimum = suppression.settings()
    counts = monitoring_store.counts(consultation.id)
    asked = monitoring.questions_for(consultation)
    questions = [q for q in monitoring.QUESTIONS if q.code in counts or q in asked]
    full = {}
    for question in questions:
        given = counts.get(question.code, {})
        codes = question.codes + [code for code in given if code not in question.codes]
        full[question.code] = {code: given.get(code, 0) for code in codes}
    related = {code: full[code] for code in monitoring.RELATED if code in full}
    result = suppression.suppress_related(
        related, threshold, minimum, same=monitoring.RELATED_SAME, derived=monitoring.RELATED_DERIVED
    )
    for code, given in full.items():
        if code not in related:
            result[code] = suppression.suppress_distribution(given, threshold, minimum)
    return [(question, result[question.code]) for question in questions]


@dataclass(frozen=True)
class MonitoringTable:
    """One question's figures as published, already suppressed: labels, and each figure as a number when
    shown or the words the page uses ("fewer than 5", "hidden") when not. Nothing else, so that it can be
    frozen (MonitoringSnapshot) once the answers behind it are deleted."""

    question: str
    withheld: str = ""
    rows: tuple[tuple[str, int | str, str], ...] = ()  # (answer, figure, percentage)
    total: int | str = 0

    @classmethod
    def of(cls, question: monitoring.MonitoringQuestion, distribution: Distribution) -> "MonitoringTable":
        if distribution.withheld:
            return cls(question.text, withheld=distribution.withheld)
        threshold = distribution.threshold
        return cls(
            question.text,
            rows=tuple(
                (question.label(code), cell.figure(threshold), distribution.percentage(code))
                for code, cell in distribution.cells.items()
            ),
            total=distribution.total.figure(threshold),
        )

    def as_json(self) -> dict:
        return {"question": self.question, "withheld": self.withheld, "rows": self.rows, "total": self.total}

    @classmethod
    def from_json(cls, data: dict) -> "MonitoringTable":
        return cls(data["question"], data["withheld"], tuple(map(tuple, data["rows"])), data["total"])

    @property
    def total_percentage(self) -> str:
        return "100%" if isinstance(self.total, int) and self.total else ""


@dataclass(frozen=True)
class MonitoringReport:
    tables: list[MonitoringTable]
    waiting: int  # responses whose answers wait for a batch, not in the figures yet
    frozen_at: datetime | None = None  # when the figures were frozen and the answers deleted
    leaving: int = 0  # spam or withdrawn responses whose answers still count, until a batch leaves them out


def monitoring_report(consultation) -> MonitoringReport:
    """The consultation's equality-monitoring figures: frozen ones once its answers are gone, else live."""
    snapshot = db.session.get(MonitoringSnapshot, consultation.id)
    if snapshot is not None:
        return MonitoringReport(
            [MonitoringTable.from_json(table) for table in snapshot.tables], 0, snapshot.taken_at
        )
    tables = [MonitoringTable.of(q, d) for q, d in suppressed_monitoring(consultation)]
    return MonitoringReport(
        tables,
        monitoring_store.waiting_count(consultation.id),
        leaving=monitoring_store.exclusions_waiting(consultation.id),
    )


def monitoring_rows(report: MonitoringReport) -> Iterator[list]:
    """The monitoring report as spreadsheet rows: the same suppressed figures as the page, never more."""
    yield ["Question", "Answer", "Count", "Percentage"]
    for table in report.tables:
        if table.withheld:
            yield [table.question, "", table.withheld, ""]
            continue
        for label, figure, percentage in table.rows:
            yield [table.question, label, figure, percentage]
        yield [table.question, "Total", table.total, ""]


def questions_for_export(consultation_id: int) -> list[Question]:
    return list(
        db.session.scalars(
            select(Question).where(Question.consultation_id == consultation_id).order_by(Question.position)
        )
    )


EXPORT_BATCH = 2000


@dataclass(frozen=True)
class ExportedResponse:
    """A response as the export writes it: plain values, its answers as (question id, text or value)."""

    reference: str
    received_at: datetime
    channel: str
    status: str
    respondent_kind: str
    group: str
    name: str
    email: str
    language: str
    answers: list[tuple[int, str]]


def responses_for_export(consultation_id: int, batch: int = EXPORT_BATCH) -> Iterator[ExportedResponse]:
    """Every response with its answers, read a batch at a time by id as the file is written: two plain-row
    queries per batch and no objects built, so 200,000 responses stream in constant memory and in seconds."""
    last_id = 0
    while True:
        responses = db.session.execute(
            select(
                Response.id,
                Response.reference,
                Response.received_at,
                Response.channel,
                Response.status,
                Response.respondent_kind,
                func.coalesce(CommunityGroup.name, Response.group_name),
                Response.name,
                Response.email,
                Response.language,
            )
            .outerjoin(CommunityGroup, CommunityGroup.id == Response.group_id)
            .where(Response.consultation_id == consultation_id, Response.id > last_id)
            .order_by(Response.id)
            .limit(batch)
        ).all()
        if not responses:
            return
        answers: dict[int, list[tuple[int, str]]] = {}
        for response_id, question_id, text, value in db.session.execute(
            select(Answer.response_id, Answer.question_id, Answer.text, Answer.value)
            .join(Response, Response.id == Answer.response_id)
            # A range, not a list of 2,000 ids: the same rows, without building and parsing a long statement.
            .where(
                Response.consultation_id == consultation_id,
                Answer.response_id.between(responses[0][0], responses[-1][0]),
            )
            .order_by(Answer.id)
        ):
            answers.setdefault(response_id, []).append((question_id, text if text is not None else value))
        for response_id, *values in responses:
            yield ExportedResponse(*values, answers=answers.get(response_id, []))
        last_id = responses[-1][0]


def consultation_choices() -> list[tuple[int, str]]:
    """(id, title) of every consultation, for linking records to one."""
    rows = db.session.execute(select(Consultation.id, Consultation.title).order_by(Consultation.title))
    return [(row.id, row.title) for row in rows]


def run_consultation_ids(user_id: int) -> list[int]:
    """The consultations an officer runs (their owner)."""
    return list(db.session.scalars(select(Consultation.id).where(Consultation.owner_id == user_id)))


def pick_consultations(q: str, limit: int = 10) -> list[tuple[int, str]]:
    """The consultation picker's answer: (id, title)."""
    return search_short_register(consultation_choices(), q, limit)


def consultation_titled(title: str) -> Consultation | None:
    """The consultation with this title, any case (the first made, should two share one)."""
    return db.session.scalar(
        select(Consultation)
        .where(func.lower(Consultation.title) == title.strip().lower())
        .order_by(Consultation.id)
        .limit(1)
    )


CONSULTATION_LOOKUP = Lookup(
    noun="consultation",
    exact=consultation_titled,
    archived=lambda _title: False,  # consultations close; none is archived
    near=lambda title: [name for _id, name in pick_consultations(title)],
    name_of=lambda consultation: consultation.title,
)


GROUP_RESPONSES_PER_PAGE = 20


@dataclass(frozen=True)
class GroupResponse:
    response: Response
    suggestion: tuple[int, str] | None  # (id, name) of the register's nearest group, if any is near


def unlinked_group_responses(page: int):
    """Responses given on behalf of a group that is not linked to the register, newest first, each with the
    register's nearest group: one statement for the page and one for every suggestion on it."""
    pagination = paginate(
        select(Response)
        .where(
            Response.respondent_kind == "group",
            Response.group_id.is_(None),
            Response.group_name != "",
            Response.status.in_(COUNTED_STATUSES),
        )
        .options(selectinload(Response.consultation))
        .order_by(Response.received_at.desc(), Response.id.desc()),
        page=page,
        per_page=GROUP_RESPONSES_PER_PAGE,
    )
    near = near_register_groups([match_key(r.group_name) for r in pagination.items])
    rows = [GroupResponse(r, near.get(match_key(r.group_name))) for r in pagination.items]
    return pagination, rows
