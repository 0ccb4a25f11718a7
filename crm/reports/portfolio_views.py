"""The reports index and the portfolio reports: EIA coverage, barriers by characteristic, and the coverage
heat map. Each page has a CSV of exactly the figures it shows; a download is audited."""

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user

from crm.auth import roles
from crm.auth.permissions import any_staff, role_required
from crm.consultations.queries import consultation_choices, run_consultation_ids
from crm.core import args, audit, spreadsheets, suppression
from crm.core.args import typed_day_range_problems
from crm.core.models import Area, DeliveryArea
from crm.core.reference import active_choices
from crm.core.time import parse_day, uk_today
from crm.engagement.models import COPRODUCTION_LEVELS
from crm.policies.models import INFLUENCE_USES
from crm.policies.queries import owned_policy_ids, policy_choices
from crm.reports import charts, coproduction, portfolio, representation, scheme

bp = Blueprint("portfolio", __name__, url_prefix="/staff/reports")


@bp.get("")
@any_staff
def index():
    return render_template("reports/index.html")


# ---- EIA coverage


def _coverage():
    filters = portfolio.CoverageFilters.from_args(request.args)
    coverage = portfolio.eia_coverage(filters, uk_today(), args.page(request.args))
    return filters, coverage


def _coverage_chart(coverage: portfolio.EIACoverage) -> charts.BarChart:
    whole = coverage.whole
    return charts.BarChart(
        id="eia-states",
        title="Policies by the state of their EIA",
        description=(
            f"{whole.total} policies: "
            + ", ".join(f"{label} {whole.counts[state]}" for state, label in portfolio.EIA_STATES.items())
            + "."
        ),
        bars=tuple(
            charts.Bar(label, whole.counts[state], f"{whole.counts[state]:,}")
            for state, label in portfolio.EIA_STATES.items()
        ),
        value_label="Policies",
    )


@bp.get("/eia-coverage")
@any_staff
def eia_coverage():
    filters, coverage = _coverage()
    return render_template(
        "reports/eia-coverage.html",
        filters=filters,
        coverage=coverage,
        chart=_coverage_chart(coverage),
        states=portfolio.EIA_STATES,
        delivery_areas=active_choices(DeliveryArea),
    )


@bp.get("/eia-coverage.csv")
@any_staff
def eia_coverage_csv():
    filters, coverage = _coverage()
    audit.record(current_user, "reports.eia_coverage_exported", None, entity_type="policy")
    header = [
        "Delivery area",
        *portfolio.EIA_STATES.values(),
        "Policies",
        "Share with a current approved EIA",
    ]
    rows = [header] + [
        [line.label, *(line.counts[state] for state in portfolio.EIA_STATES), line.total, line.covered_share]
        for line in [*coverage.lines, coverage.whole]
    ]
    suffix = "-key-policies" if filters.key_only else ""
    return spreadsheets.download(f"eia-coverage{suffix}.csv", rows)


# ---- Barriers by characteristic


def _period() -> tuple[dict, dict[str, str]]:
    typed = {name: request.args.get(name, "").strip()[:20] for name in ("date_from", "date_to")}
    return typed, typed_day_range_problems(typed["date_from"], typed["date_to"])


def _barrier_table():
    """The table for the period asked for; None while the period has a problem (the page shows it)."""
    typed, problems = _period()
    table = (
        None
        if problems
        else portfolio.barrier_table(parse_day(typed["date_from"]), parse_day(typed["date_to"]))
    )
    return typed, problems, table


@bp.get("/barriers")
@any_staff
def barriers():
    typed, problems, table = _barrier_table()
    # The inbox lists the items behind each count: it takes the same period as "from" and "to".
    period = {"from": typed["date_from"] or None, "to": typed["date_to"] or None}
    return render_template(
        "reports/barriers.html", table=table, typed=typed, problems=problems, period=period
    )


@bp.get("/barriers.csv")
@any_staff
def barriers_csv():
    _typed, _problems, table = _barrier_table()
    if table is None:  # the page says what is wrong with the period
        return redirect(url_for("portfolio.barriers", **request.args))
    audit.record(current_user, "reports.barriers_exported", None, entity_type="feedback")
    rows = [["Barrier", *(c.name for c in table.characteristics), "Items naming the barrier"]]
    rows += [
        [
            barrier.name,
            *(table.count(barrier.id, c.id) for c in table.characteristics),
            table.barrier_totals.get(barrier.id, 0),
        ]
        for barrier in table.barriers
    ]
    return spreadsheets.download("barriers-by-characteristic.csv", rows)


# ---- Coverage heat map


def _heat_map():
    key_only = request.args.get("key") == "yes"
    area = args.one_id(request.args, "delivery_area")
    return key_only, area, portfolio.coverage_heat_map(key_only, area, args.page(request.args))


@bp.get("/coverage")
@any_staff
def coverage():
    key_only, area, heat = _heat_map()
    return render_template(
        "reports/coverage.html",
        heat=heat,
        key_only=key_only,
        delivery_area=area,
        delivery_areas=active_choices(DeliveryArea),
    )


@bp.get("/coverage.csv")
@any_staff
def coverage_csv():
    _key_only, _area, heat = _heat_map()
    audit.record(current_user, "reports.coverage_exported", None, entity_type="policy")
    rows = [["Policy reference", "Policy", "Items reached", *(c.name for c in heat.characteristics)]]
    rows += [
        [
            row.policy.reference,
            row.policy.title,
            row.reached,
            *(row.counts.get(c.id, 0) for c in heat.characteristics),
        ]
        for row in heat.rows
    ]
    return spreadsheets.download("coverage-by-characteristic.csv", rows)


# ---- Co-production: levels of events over time and by area, and the principles most often not met


def _levels_chart(report: coproduction.CoproductionReport) -> charts.BarChart:
    whole = report.by_quarter.whole
    return charts.BarChart(
        id="levels",
        title="Events by co-production level, all quarters",
        description="; ".join(
            f"{label}: {whole.counts[level]}" for level, label in COPRODUCTION_LEVELS.items()
        ),
        bars=tuple(
            charts.Bar(label, whole.counts[level], f"{whole.counts[level]:,}")
            for level, label in COPRODUCTION_LEVELS.items()
        ),
        value_label="Events",
    )


def _principles_chart(report: coproduction.CoproductionReport) -> charts.BarChart:
    lines = report.principles
    return charts.BarChart(
        id="principles-not-met",
        title="Principles most often not met",
        description="; ".join(f"{line.label}: not met {line.not_met}" for line in lines)
        or "No principles in use.",
        bars=tuple(charts.Bar(line.label, line.not_met, f"{line.not_met:,}") for line in lines),
        value_label="Events and programmes rating it not met",
    )


@bp.get("/co-production")
@any_staff
def coproduction_page():
    report = coproduction.coproduction_report()
    return render_template(
        "reports/coproduction.html",
        report=report,
        levels=COPRODUCTION_LEVELS,
        levels_chart=_levels_chart(report),
        principles_chart=_principles_chart(report),
        area_rule=coproduction.DELIVERY_AREA_RULE,
    )


def _level_rows(first: str, table: coproduction.LevelTable) -> list[list]:
    rows = [[first, *COPRODUCTION_LEVELS.values(), "Events"]]
    return rows + [[row.label, *row.counts.values(), row.total] for row in [*table.rows, table.whole]]


@bp.get("/co-production/<any('levels-by-quarter', 'levels-by-area', 'principles'):table>.csv")
@any_staff
def coproduction_csv(table: str):
    """Each of the page's three tables as a CSV of exactly its figures."""
    report = coproduction.coproduction_report()
    audit.record(current_user, "reports.coproduction_exported", None, entity_type="engagement_event")
    if table == "levels-by-quarter":
        rows = _level_rows("Quarter", report.by_quarter)
    elif table == "levels-by-area":
        rows = _level_rows("Delivery area", report.by_area)
    else:
        rows = [["Principle", "Not met", "Partly met", "Met", "Times assessed"]] + [
            [line.label, line.not_met, line.partly_met, line.met, line.assessed] for line in report.principles
        ]
    return spreadsheets.download(f"co-production-{table}.csv", rows)


# ---- Representation: who we heard from against who lives here

REPRESENTATION_ROLES = (*roles.SEES_MONITORING, roles.POLICY_LEAD, roles.ENGAGEMENT_OFFICER)


def _may_see(scope: representation.Scope) -> bool:
    """Equality leads and admins see any scope; a policy lead, one of their own policies; an officer, a
    consultation they run (rule 2: owners see suppressed aggregates for their own items). Other filters only
    narrow an owned scope."""
    if current_user.has_role(*roles.SEES_MONITORING):
        return True
    if scope.policy and scope.policy in owned_policy_ids(current_user.id):
        return True
    return bool(scope.consultation) and scope.consultation in run_consultation_ids(current_user.id)


def _scope_choices() -> dict:
    everything = current_user.has_role(*roles.SEES_MONITORING)
    owned = set(owned_policy_ids(current_user.id))
    run = set(run_consultation_ids(current_user.id))
    return {
        "everything": everything,
        "consultations": [(i, t) for i, t in consultation_choices() if everything or i in run],
        "policies": [(id_, label) for id_, label in policy_choices() if everything or id_ in owned],
        "delivery_areas": active_choices(DeliveryArea),
        "areas": active_choices(Area),
    }


def _representation():
    scope = representation.Scope.from_args(request.args)
    if not scope.chosen or scope.errors:
        return scope, None
    if not _may_see(scope):
        abort(403)
    return scope, representation.representation_report(scope)


@bp.get("/representation")
@role_required(*REPRESENTATION_ROLES)
def representation_page():
    scope, report = _representation()
    if report is not None:
        audit.record(
            current_user, "reports.representation_viewed", None, ["monitoring"], entity_type="consultation"
        )
    return render_template(
        "reports/representation.html",
        scope=scope,
        report=report,
        threshold=suppression.settings()[0],
        under=representation.UNDER_REPRESENTED,
        **_scope_choices(),
    )


def _comparison_row(question: str, label: str, comparison) -> list[str]:
    return [
        question,
        label,
        comparison.heard.text,
        comparison.share.text,
        "" if comparison.population is None else f"{100 * comparison.population:.0f}%",
        comparison.ratio,
        "Yes" if comparison.under_represented else "No",
    ]


@bp.get("/representation.csv")
@role_required(*REPRESENTATION_ROLES)
def representation_csv():
    scope, report = _representation()
    if report is None:
        return redirect(url_for("portfolio.representation_page", **request.args))
    audit.record(
        current_user, "reports.representation_exported", None, ["monitoring"], entity_type="consultation"
    )
    rows = [["Question", "Category", "People", "Share", "Population share", "Ratio", "Under-represented"]]
    for question in report.questions:
        text = question.question.text
        rows += [_comparison_row(text, question.label(c.code), c) for c in question.comparisons]
        rows += [
            [text, question.label(code), figure.text, "", "", "", ""]
            for code, figure in question.not_given.items()
        ]
        rows += [_comparison_row(text, f"Priority cohort: {c.name}", c.comparison) for c in question.cohorts]
    return spreadsheets.download("representation.csv", rows)


# ---- The scheme report: one printable page per period for the board


@bp.get("/scheme")
@role_required(*roles.SEES_MONITORING)
def scheme_report():
    today = uk_today()
    chosen = request.args.get("period", "")
    period = scheme.Period.parse(chosen) if chosen else scheme.Period.containing(today)
    if period is None:
        abort(404)
    audit.record(current_user, "reports.scheme_viewed", None, ["monitoring"], entity_type="consultation")
    return render_template(
        "reports/scheme.html",
        report=scheme.scheme_report(period),
        periods=scheme.recent_periods(today),
        states=portfolio.EIA_STATES,
        uses=INFLUENCE_USES,
        threshold=suppression.settings()[0],
    )
