"""Who we heard from against who lives here: the rules of the representation report.

Disclosure. A scope of several consultations (a policy's, a year's) is built only from each consultation's
figures as already published, after disclosure control (crm.core.suppression): a category's figure for the
scope is the sum of the published ones, and where a consultation hid its figure ("fewer than 5", "hidden")
the scope's figure becomes a range. So the report is a function of figures anyone allowed to see it can see
already, and subtracting one scope from another can reveal nothing the single consultations did not. A
consultation whose whole table was withheld (too few people answered) is left out, and the page says how
many were.

Comparison. Shares are of the people who gave a category (not "Prefer not to say" or "Not answered"), as
the census baseline's are of everyone who did. A category is under-represented when even the top of its
share's range is below UNDER_REPRESENTED of its population share. The representation score is the overlap
of the two distributions, 100 × (1 − ½ Σ |our share − population share|): 100 means we heard from every
category in proportion to the population, 0 that we heard only from categories nobody in the area belongs
to. It is given only when every figure is exact.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import exists, func, or_, select

from crm.consultations.models import Consultation, consultation_area, consultation_policy
from crm.consultations.monitoring import (
    NOT_ANSWERED,
    NOT_APPLICABLE,
    PREFER_NOT,
    QUESTIONS,
    MonitoringQuestion,
)
from crm.consultations.queries import suppressed_monitoring
from crm.core.args import ids, one_id, typed_day_range_problems
from crm.core.models import Area, Characteristic
from crm.core.suppression import PRIMARY, Cell, Distribution, settings, suppress_counts
from crm.core.time import end_of_uk_day, parse_day, start_of_uk_day
from crm.engagement.models import EngagementEvent, EventReach, event_policy
from crm.extensions import db
from crm.policies.models import Policy
from crm.reports.charts import Bar, BarChart
from crm.reports.models import PriorityCohort
from crm.reports.queries import Baseline, baseline_for

UNDER_REPRESENTED = 0.8  # below 80% of the population share
NOT_A_CATEGORY = (PREFER_NOT, NOT_ANSWERED, NOT_APPLICABLE)


@dataclass(frozen=True)
class Figure:
    """A count known exactly (low == high) or only within a range; high None when unbounded above."""

    low: int
    high: int | None

    @property
    def exact(self) -> bool:
        return self.high == self.low

    def __add__(self, other: "Figure") -> "Figure":
        high = None if self.high is None or other.high is None else self.high + other.high
        return Figure(self.low + other.low, high)

    @property
    def text(self) -> str:
        if self.exact:
            return f"{self.low:,}"
        if self.high is None:
            return f"{self.low:,} or more"
        return f"{self.low:,} to {self.high:,}"


ZERO = Figure(0, 0)


def _figures(distribution: Distribution) -> dict[str, Figure]:
    """One consultation's published cells as figures: shown ones exact, hidden ones as the range the rule
    allows (primary 0 to k - 1; secondary k up to what the shown total leaves)."""
    k = distribution.threshold
    cells = distribution.cells
    shown = sum(cell.value for cell in cells.values() if cell.shown)
    floors = {
        code: (0 if cell.suppressed == PRIMARY else k) for code, cell in cells.items() if not cell.shown
    }
    total = distribution.total.value if distribution.total.shown else None
    figures = {}
    for code, cell in cells.items():
        if cell.shown:
            figures[code] = Figure(cell.value, cell.value)
        elif cell.suppressed == PRIMARY:
            figures[code] = Figure(0, k - 1)
        else:  # SECONDARY: at least k, and at most what the total leaves once the rest have their floors
            room = None if total is None else total - shown - sum(f for c, f in floors.items() if c != code)
            figures[code] = Figure(k, room)
    return figures


@dataclass(frozen=True)
class Combined:
    figures: dict[str, Figure]  # every code any consultation has, in the first one's order
    left_out: int  # consultations whose table was withheld (too few people): not in the figures


def combine(distributions: Iterable[Distribution]) -> Combined:
    """The scope's figures for one question from each consultation's published distribution."""
    figures: dict[str, Figure] = {}
    left_out = 0
    for distribution in distributions:
        if distribution.withheld:
            left_out += 1
            continue
        for code, figure in _figures(distribution).items():
            figures[code] = figures.get(code, ZERO) + figure
    return Combined(figures, left_out)


@dataclass(frozen=True)
class Share:
    low: float
    high: float | None

    @property
    def exact(self) -> bool:
        return self.high is not None and abs(self.high - self.low) < 1e-12

    @property
    def text(self) -> str:
        if self.exact:
            return f"{100 * self.low:.0f}%"
        if self.high is None:
            return f"at least {100 * self.low:.0f}%"
        return f"{100 * self.low:.0f}% to {100 * self.high:.0f}%"


def shares(figures: Mapping[str, Figure]) -> dict[str, Share]:
    """Each category's share of the people who gave one, as a range when figures are. The bounds of
    a / (a + rest) are taken at the ends of the ranges: low with a low and the rest high, and so on."""
    categories = {code: figure for code, figure in figures.items() if code not in NOT_A_CATEGORY}
    result = {}
    for code, figure in categories.items():
        rest_low = sum(f.low for c, f in categories.items() if c != code)
        highs = [f.high for c, f in categories.items() if c != code]
        rest_high = None if None in highs else sum(highs)
        # With the rest unbounded, the category could be as small a share as you like.
        low = (
            figure.low / (figure.low + rest_high) if rest_high is not None and figure.low + rest_high else 0.0
        )
        if figure.high is None:
            high = None
        else:
            denominator = figure.high + rest_low
            high = figure.high / denominator if denominator else 0.0
        result[code] = Share(low, high)
    return result


@dataclass(frozen=True)
class Comparison:
    code: str
    heard: Figure
    share: Share
    population: float | None  # the baseline's share, None without one

    @property
    def ratio(self) -> str:
        """Our share over the population's: 1.0 is in proportion."""
        if not self.population:
            return ""
        if self.share.exact:
            return f"{self.share.low / self.population:.2f}"
        high = "" if self.share.high is None else f"{self.share.high / self.population:.2f}"
        return (
            f"{self.share.low / self.population:.2f} to {high}"
            if high
            else f"at least {self.share.low / self.population:.2f}"
        )

    @property
    def under_represented(self) -> bool:
        return bool(
            self.population
            and self.share.high is not None
            and self.share.high < UNDER_REPRESENTED * self.population
        )


def compare(figures: Mapping[str, Figure], population: Mapping[str, float]) -> list[Comparison]:
    heard = shares(figures)
    return [Comparison(code, figures[code], share, population.get(code)) for code, share in heard.items()]


def score(comparisons: list[Comparison]) -> float | None:
    """The representation score (module docstring), or None unless every share is exact and has a
    population share to compare with."""
    if not comparisons or any(not c.share.exact or c.population is None for c in comparisons):
        return None
    return 100 * (1 - 0.5 * sum(abs(c.share.low - c.population) for c in comparisons))


# ---- The report for a scope: which consultations, their published figures, the baseline ----------------


@dataclass(frozen=True)
class Scope:
    """What the report covers: consultations picked by one consultation, a policy's, a delivery area's
    and a period's (any together), and the areas whose population they are set against."""

    consultation: int | None = None
    policy: int | None = None
    delivery_area: int | None = None
    date_from: str = ""
    date_to: str = ""
    areas: tuple[int, ...] = ()

    @classmethod
    def from_args(cls, args) -> "Scope":
        return cls(
            consultation=one_id(args, "consultation"),
            policy=one_id(args, "policy"),
            delivery_area=one_id(args, "delivery_area"),
            date_from=args.get("date_from", "").strip()[:20],
            date_to=args.get("date_to", "").strip()[:20],
            areas=tuple(ids(args, "area")[:50]),
        )

    @property
    def errors(self) -> dict[str, str]:
        return typed_day_range_problems(self.date_from, self.date_to)

    @property
    def chosen(self) -> bool:
        return bool(self.consultation or self.policy or self.delivery_area or self.date_from or self.date_to)


MAX_CONSULTATIONS = 500


def consultations_in(scope: Scope) -> list:
    """The consultations a scope covers: not drafts; running during the period; informing the policy or a
    policy of the delivery area; asked of (or for the whole region as well as) one of the areas."""
    query = select(Consultation).where(Consultation.status != "draft")
    if scope.consultation:
        query = query.where(Consultation.id == scope.consultation)
    if scope.policy:
        query = query.where(
            Consultation.id.in_(
                select(consultation_policy.c.consultation_id).where(
                    consultation_policy.c.policy_id == scope.policy
                )
            )
        )
    if scope.delivery_area:
        query = query.where(
            Consultation.id.in_(
                select(consultation_policy.c.consultation_id)
                .join(Policy, Policy.id == consultation_policy.c.policy_id)
                .where(Policy.delivery_area_id == scope.delivery_area)
            )
        )
    if (start := parse_day(scope.date_from)) is not None:
        query = query.where(
            or_(Consultation.closes_at.is_(None), Consultation.closes_at >= start_of_uk_day(start))
        )
    if (end := parse_day(scope.date_to)) is not None:
        query = query.where(or_(Consultation.opens_at.is_(None), Consultation.opens_at < end_of_uk_day(end)))
    if scope.areas:
        region = select(Area.id).where(Area.kind == "region")
        query = query.where(
            exists().where(
                consultation_area.c.consultation_id == Consultation.id,
                or_(consultation_area.c.area_id.in_(scope.areas), consultation_area.c.area_id.in_(region)),
            )
        )
    return list(db.session.scalars(query.order_by(Consultation.id).limit(MAX_CONSULTATIONS)))


@dataclass(frozen=True)
class CohortRow:
    """A priority cohort whose categories all answer one question, compared as one category."""

    name: str
    comparison: Comparison


def cohort_rows(
    cohorts: Iterable, question: str, figures: Mapping[str, Figure], population: Mapping[str, float]
) -> list[CohortRow]:
    """The cohorts made of this question's categories: their figures added up (ranges stay ranges),
    against everyone else who gave a category, and their population shares added up. A cohort spanning
    several questions cannot be added up (one person answers each) and is left out."""
    rows = []
    for cohort in cohorts:
        questions = {category.partition(":")[0] for category in cohort.categories}
        if questions != {question}:
            continue
        codes = {category.partition(":")[2] for category in cohort.categories}
        counted = {code: figure for code, figure in figures.items() if code not in NOT_A_CATEGORY}
        inside = sum((f for code, f in counted.items() if code in codes), ZERO)
        outside = sum((f for code, f in counted.items() if code not in codes), ZERO)
        share = shares({"inside": inside, "outside": outside})["inside"]
        known = [population[code] for code in codes if code in population]
        rows.append(
            CohortRow(
                cohort.name,
                Comparison(cohort.name, inside, share, sum(known) if len(known) == len(codes) else None),
            )
        )
    return rows


@dataclass(frozen=True)
class QuestionReport:
    question: MonitoringQuestion
    comparisons: list[Comparison]
    cohorts: list[CohortRow]
    not_given: dict[str, Figure]  # "Prefer not to say" and "Not answered": shown, never compared
    baseline: Baseline
    left_out: int
    score: float | None

    @property
    def has_baseline(self) -> bool:
        return bool(self.baseline.shares)

    def label(self, code: str) -> str:
        return self.question.label(code)

    @property
    def chart(self) -> BarChart:
        """Our share as a bar (none where it is a range), the population's as a marker."""
        bars = tuple(
            Bar(
                self.label(c.code),
                100 * c.share.low if c.share.exact else None,
                c.share.text,
                marker=None if c.population is None else 100 * c.population,
                marker_text="" if c.population is None else f"{100 * c.population:.0f}%",
            )
            for c in self.comparisons
        )
        described = "; ".join(
            f"{bar.label}: we heard {bar.text}"
            + (f", population {bar.marker_text}" if bar.marker_text else "")
            for bar in bars
        )
        return BarChart(
            id=f"share-{self.question.code}",
            title=f"{self.question.text} Our share beside the population's",
            description=described,
            bars=bars,
            unit="%",
            value_label="Share of people we heard from",
            marker_label="Share of the population (Census 2021)",
        )


@dataclass(frozen=True)
class ReachAtEvents:
    """Officers' estimates of people reached at the scope's events, by characteristic: kept apart from the
    monitoring figures (they are not answers people gave), and suppressed like any count of people."""

    events: int
    cells: list[tuple[str, Cell]]  # (characteristic, estimated people)
    threshold: int


@dataclass(frozen=True)
class RepresentationReport:
    scope: Scope
    consultations: list
    areas: list[Area]
    questions: list[QuestionReport]
    reach: ReachAtEvents


def _population_shares(baseline: Baseline) -> dict[str, float]:
    """The baseline's shares among people in a category, as ours are (census "not answered" left out)."""
    counts = {code: count for code, (count, _share) in baseline.shares.items() if code not in NOT_A_CATEGORY}
    total = sum(counts.values())
    return {code: count / total for code, count in counts.items()} if total else {}


def representation_report(scope: Scope) -> RepresentationReport:
    """Every monitoring question the scope's consultations asked, their published figures combined, beside
    the chosen areas' population (the whole region's constituent authorities when none is chosen)."""
    consultations = consultations_in(scope)
    area_query = select(Area).order_by(Area.sort_order, Area.name)
    areas = list(
        db.session.scalars(
            area_query.where(Area.id.in_(scope.areas))
            if scope.areas
            else area_query.where(Area.kind == "constituent")
        )
    )
    published: dict[str, list[Distribution]] = {}
    for consultation in consultations:
        # "Disabled", worked out from two other answers, is published only where nothing it rests on is
        # hidden, and withheld otherwise: a consultation that withheld it is left out like any other.
        for question, distribution in suppressed_monitoring(consultation):
            published.setdefault(question.code, []).append(distribution)
    reports = []
    cohorts = list(db.session.scalars(select(PriorityCohort).order_by(PriorityCohort.name)))
    for question in QUESTIONS:
        if question.code not in published:
            continue
        combined = combine(published[question.code])
        baseline = baseline_for(question.code, [area.id for area in areas])
        population = _population_shares(baseline)
        comparisons = compare(combined.figures, population)
        reports.append(
            QuestionReport(
                question=question,
                comparisons=comparisons,
                cohorts=cohort_rows(cohorts, question.code, combined.figures, population),
                not_given={c: f for c, f in combined.figures.items() if c in NOT_A_CATEGORY},
                baseline=baseline,
                left_out=combined.left_out,
                score=score(comparisons) if baseline.shares else None,
            )
        )
    return RepresentationReport(
        scope, consultations, areas, reports, event_reach(scope, consultations, areas)
    )


def events_in(scope: Scope, consultations: list, areas: list[Area]):
    """The scope's events, as a select of ids: not archived, held in the chosen areas (or with no area
    given), during the period, and linked to one of its consultations or to its policy or delivery area
    (when the scope names any of those)."""
    linked = [EngagementEvent.consultation_id.in_([c.id for c in consultations])]
    if scope.policy:
        linked.append(
            EngagementEvent.id.in_(
                select(event_policy.c.event_id).where(event_policy.c.policy_id == scope.policy)
            )
        )
    if scope.delivery_area:
        linked.append(
            EngagementEvent.id.in_(
                select(event_policy.c.event_id)
                .join(Policy, Policy.id == event_policy.c.policy_id)
                .where(Policy.delivery_area_id == scope.delivery_area)
            )
        )
    query = select(EngagementEvent.id).where(
        EngagementEvent.is_archived.is_(False),
        or_(EngagementEvent.area_id.is_(None), EngagementEvent.area_id.in_([a.id for a in areas])),
    )
    if scope.consultation or scope.policy or scope.delivery_area:
        query = query.where(or_(*linked))  # a period alone covers every event held in it
    if (start := parse_day(scope.date_from)) is not None:
        query = query.where(EngagementEvent.starts_at >= start_of_uk_day(start))
    if (end := parse_day(scope.date_to)) is not None:
        query = query.where(EngagementEvent.starts_at < end_of_uk_day(end))
    return query


def event_reach(scope: Scope, consultations: list, areas: list[Area]) -> ReachAtEvents:
    events = events_in(scope, consultations, areas)
    count = db.session.scalar(select(func.count()).select_from(events.subquery()))
    rows = db.session.execute(
        select(Characteristic.name, func.sum(EventReach.estimated_count))
        .join(EventReach, EventReach.characteristic_id == Characteristic.id)
        .where(EventReach.event_id.in_(events))
        .group_by(Characteristic.name, Characteristic.sort_order)
        .order_by(Characteristic.sort_order)
    ).all()
    threshold, _minimum = settings()
    # One person can be reached under several characteristics: no total to subtract from, so primary
    # suppression is all the figures need (crm.core.suppression.suppress_counts).
    cells = suppress_counts({name: int(total or 0) for name, total in rows}, threshold)
    return ReachAtEvents(count, list(cells.items()), threshold)
