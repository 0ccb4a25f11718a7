"""`make benchmark` on PostgreSQL: the design's volumes, each page and export over HTTP through gunicorn
beside its SQL floor, the public form against a bare Flask floor, and growth from 10,000 to 1,000,000 items.
"""

import os
import secrets
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg

from bench import client, database, floors, report, stats, volumes
from bench.floor_app import TABLE as FLOOR_TABLE
from bench.floor_app import create_table as create_floor_table
from bench.server import Gunicorn

ROOT = Path(__file__).resolve().parents[2]
SMALL_SCALE = 0.01  # 10,000 feedback items: the "before it grew" database for the growth comparison
EVIDENCE_SEARCH = "childcare"
INBOX_SEARCH = "childcare interpreter"
GROUP_SEARCH = "tenants"
# Typed into a group picker with typos: no name contains it, so the picker's answer comes from the matcher.
PICKER_SEARCH = "Walsal Deaf Netwrk"
DEEP_PAGE = 500


@dataclass
class PageRow:
    key: str
    what: str
    user: str  # "lead" or "admin"
    path: str
    floor: floors.Floor
    growth: bool  # a first page: also measured at 10,000 items


def _pages(facts: dict) -> list[PageRow]:
    policy, consultation, theme = facts["big_policy"], facts["big_consultation"], facts["most_used_theme"]
    reached, responses = facts["big_policy_reached"], facts["counts"]["response"]
    evidence = f"/staff/policies/{policy}/evidence"
    return [
        PageRow("evidence", f"evidence pack, page 1 ({reached:,} reached items)", "lead", evidence,
                floors.evidence_pack(policy), True),
        PageRow("evidence_search", f"evidence pack, text search '{EVIDENCE_SEARCH}'", "lead",
                f"{evidence}?q={EVIDENCE_SEARCH}", floors.evidence_pack(policy, EVIDENCE_SEARCH), True),
        PageRow("inbox", "inbox, page 1", "admin", "/staff/feedback", floors.inbox(), True),
        PageRow("inbox_search", f"inbox, full-text search '{INBOX_SEARCH}'", "admin",
                "/staff/feedback?q=" + INBOX_SEARCH.replace(" ", "+"), floors.inbox(q=INBOX_SEARCH), True),
        PageRow("inbox_theme", "inbox, theme filter (the most used theme)", "admin",
                f"/staff/feedback?theme={theme}", floors.inbox(theme=[theme]), True),
        PageRow("inbox_deep", f"inbox, page {DEEP_PAGE}", "admin", f"/staff/feedback?page={DEEP_PAGE}",
                floors.inbox(page=DEEP_PAGE), False),
        PageRow("groups_search", f"group list, name search '{GROUP_SEARCH}'", "admin",
                f"/staff/groups?q={GROUP_SEARCH}", floors.group_search(GROUP_SEARCH), True),
        PageRow("group_picker", f"group picker search at {facts['counts']['community_group']:,} groups "
                f"'{PICKER_SEARCH}' (goal: under 50 ms)", "admin",
                "/staff/pick/groups?q=" + PICKER_SEARCH.replace(" ", "+"),
                floors.group_picker(PICKER_SEARCH, _match_key(PICKER_SEARCH)), False),
        PageRow("monitoring", f"monitoring report ({responses:,} responses)", "admin",
                f"/staff/consultations/{consultation}/monitoring", floors.monitoring_report(consultation),
                True),
        PageRow("report_eia_coverage", "report: EIA coverage (goal: under 500 ms)", "admin",
                "/staff/reports/eia-coverage", floors.eia_coverage(), False),
        PageRow("report_barriers", "report: barriers by characteristic, all items (goal: under 500 ms)",
                "admin", "/staff/reports/barriers", floors.barriers(), False),
        PageRow("report_coverage", "report: coverage heat map, page 1 (goal: under 500 ms)", "admin",
                "/staff/reports/coverage", floors.coverage_heat_map(), False),
        PageRow("report_representation", f"report: representation of the big policy ({responses:,} "
                "responses; goal: under 500 ms)", "admin", f"/staff/reports/representation?policy={policy}",
                floors.representation(policy), False),
    ]  # fmt: skip


def _match_key(name: str) -> str:
    """The app's own match key of a name, so the picker's floor asks for the same key."""
    sys.path.insert(0, str(ROOT))
    from crm.core.matching import match_key

    return match_key(name)


def _labels() -> dict:
    """The app's own labels, so the COPY floors write the same cells the exports do."""
    sys.path.insert(0, str(ROOT))
    from crm.consultations.models import AGREEMENT_OPTIONS, CHANNELS, RESPONDENT_KINDS, RESPONSE_STATUSES
    from crm.feedback.models import SOURCES, STANCES
    from crm.policies.models import INFLUENCE_USES

    return {
        "sources": SOURCES,
        "stances": STANCES,
        "uses": INFLUENCE_USES,
        "channels": CHANNELS,
        "statuses": RESPONSE_STATUSES,
        "respondent_kinds": RESPONDENT_KINDS,
        "agreement": AGREEMENT_OPTIONS,
    }


def _floor_connection(url: str) -> psycopg.Connection:
    conn = psycopg.connect(volumes.psycopg_url(url), autocommit=True)
    # JIT compiling costs more than it saves on sub-second queries (a connection setting any app may choose):
    # the floor is the best that can be done, so it runs without.
    conn.execute("SET jit = off")
    return conn


BENCH_SECRET_KEY = secrets.token_hex(32)


def _server_env(url: str) -> dict[str, str]:
    # Development settings serve plain HTTP on loopback; everything that matters for speed is the same as
    # production (no debug, no reloading, JSON request logs on stderr).
    # Development refuses a database server on its public secret key: the run's own key, as an operator sets.
    return {
        "CRM_ENV": "development",
        "DATABASE_URL": url,
        "SECRET_KEY": BENCH_SECRET_KEY,
        "PYTHONUNBUFFERED": "1",
        # Every timed request works its figures out: the reports' cache (crm/reports/cache.py) would
        # otherwise answer all but the first from a stored copy, and hide what they cost.
        "REPORT_CACHE_SECONDS": "0",
    }


def _postgres_facts(url: str) -> dict:
    with psycopg.connect(volumes.psycopg_url(url)) as conn:
        settings = dict(
            conn.execute(
                "SELECT name, setting || coalesce(unit, '') FROM pg_settings WHERE name = ANY(%s)",
                (
                    [
                        "shared_buffers",
                        "work_mem",
                        "effective_cache_size",
                        "jit",
                        "max_parallel_workers_per_gather",
                        "random_page_cost",
                    ],
                ),  # fmt: skip
            ).fetchall()
        )
        return {"version": conn.execute("SHOW server_version").fetchone()[0], "settings": settings}


def run(url: str, options, log=print) -> dict:
    started = time.perf_counter()
    results: dict = {
        "database": "postgresql",
        "date": report.now(),
        "git": report.git_facts(),
        "settings": {
            "runs": options.runs,
            "export_runs": options.export_runs,
            "submission_seconds": options.submission_seconds,
            "gunicorn_workers": 4,
            "floors": "psycopg, jit off, p50 over the same number of runs after two warm-ups",
        },
        "rows": [],
        "growth": [],
    }
    build_started = time.perf_counter()
    facts = database.prepare(url, options.scale, options.rebuild, log=log)
    small_url = options.small_url or database.with_database(url, database.database_name(url) + "_small")
    small_facts = None
    if "growth" in options.only:
        small_facts = database.prepare(small_url, SMALL_SCALE, options.rebuild, log=log)
    results["preparation_seconds"] = round(time.perf_counter() - build_started, 1)
    results["volumes"] = facts
    results["machine"] = report.machine_facts(_postgres_facts(url))
    rows = _pages(facts)
    big_p50: dict[str, float] = {}
    with (
        Gunicorn("bench.bench_wsgi:app", _server_env(url), label="app") as server,
        _floor_connection(url) as conn,
    ):
        sessions = {
            "lead": client.signed_in(server.url, volumes.LEAD_EMAIL, volumes.PASSWORD),
            "admin": client.signed_in(server.url, volumes.ADMIN_EMAIL, volumes.PASSWORD),
        }
        if "pages" in options.only:
            for row in rows:
                result = _page_row(row, sessions, server, conn, options, log)
                results["rows"].append(result)
                if "p50_ms" in result["app"]:
                    big_p50[row.key] = result["app"]["p50_ms"]
        if "exports" in options.only:
            labels = _labels()
            results["rows"].append(
                _export_row(
                    f"evidence CSV ({facts['big_policy_reached']:,} items, policy lead)",
                    sessions["lead"],
                    f"/staff/policies/{facts['big_policy']}/evidence/export.csv",
                    floors.evidence_export(facts["big_policy"], labels),
                    facts["big_policy_reached"],
                    server,
                    conn,
                    options,
                    log,
                )
            )
            results["rows"].append(
                _export_row(
                    f"responses CSV ({facts['counts']['response']:,} responses, admin: names and emails)",
                    sessions["admin"],
                    f"/staff/consultations/{facts['big_consultation']}/responses/export.csv",
                    floors.responses_export(conn, facts["big_consultation"], labels),
                    facts["counts"]["response"],
                    server,
                    conn,
                    options,
                    log,
                )
            )
        if "submissions" in options.only:
            app_rate = _submissions(
                server.url, f"/consultations/{facts['public_slug']}/respond", options, log
            )
            _forget_submissions(conn, facts["public_consultation"])
    if "submissions" in options.only:
        with _floor_connection(url) as conn:
            create_floor_table(conn)
            try:
                env = {"FLOOR_DATABASE_URL": volumes.psycopg_url(url)}
                with Gunicorn("bench.floor_app:app", env, label="floor") as floor_server:
                    floor_rate = _submissions(floor_server.url, "/respond", options, log)
            finally:
                conn.execute(f"DROP TABLE IF EXISTS {FLOOR_TABLE}")
        ratio = stats.ratio(app_rate.get("per_second"), floor_rate.get("per_second"))
        refused = app_rate["statuses"].get("429", 0)
        results["rows"].append(
            {
                "kind": "throughput",
                "what": "gunicorn, 4 workers, 8 people submitting back to back",
                "app": app_rate,
                "floor": floor_rate,
                "ratio": ratio,
                "goals": [
                    stats.submissions_goal(app_rate.get("per_second"), floor_rate.get("per_second")).to_dict()
                ],
                "notes": (f"{app_rate['failed']:,} posts not answered with a receipt "
                          f"(statuses {app_rate['statuses']})" if app_rate["failed"] else "")
                + (f"; the limiter refused {refused:,}" if refused else ""),
            }
        )  # fmt: skip
    if small_facts is not None:
        whats = {row.key: row.what.split(" (")[0] for row in rows}
        big_items = facts["counts"]["feedback"]
        results["growth"] = _growth(small_url, small_facts, big_p50, whats, big_items, options, log)
    results["machine"]["load_average_at_end"] = [round(value, 2) for value in os.getloadavg()]
    results["run_seconds"] = round(time.perf_counter() - started, 1)
    return results


def _page_row(row: PageRow, sessions, server, conn, options, log) -> dict:
    log(f"  {row.what}: SQL floor…", end="", flush=True)
    try:
        floor = floors.time_floor(conn, row.floor, options.runs)
    except psycopg.Error as error:
        floor = {"error": str(error)[:300]}
    log(f" {report_ms(floor.get('p50_ms'))}; app…", end="", flush=True)
    app = client.time_page(sessions[row.user], server.url + row.path, options.runs)
    log(f" p50 {report_ms(app.get('p50_ms'))}, p95 {report_ms(app.get('p95_ms'))}")
    ratio = stats.ratio(app.get("p50_ms"), floor.get("p50_ms"))
    notes = ""
    if "with_exact_count_p50_ms" in floor:
        notes = (
            f"floor with an exact count {report_ms(floor['with_exact_count_p50_ms'])}, "
            f"rows alone {report_ms(floor['rows_only_p50_ms'])}"
        )
    if app.get("runs") and app["runs"] < options.runs:
        notes += f"{'; ' if notes else ''}{app['runs']} runs (slow page)"
    return {
        "kind": "page",
        "key": row.key,
        "what": row.what,
        "path": row.path,
        "user": row.user,
        "app": app,
        "floor": floor,
        "ratio": ratio,
        "goals": [
            v.to_dict() for v in stats.page_goals(app.get("p95_ms"), app.get("p50_ms"), floor.get("p50_ms"))
        ],
        "notes": notes,
    }


def report_ms(value) -> str:
    return report.ms(value)


def _export_row(what, session, path, copy_statement, expected_rows, server, conn, options, log) -> dict:
    statement, params = copy_statement
    log(f"  {what}: COPY…", end="", flush=True)
    floor = floors.time_copy(conn, statement, params, options.export_runs)
    log(f" {floor['p50_ms'] / 1000:.2f} s; app…", end="", flush=True)
    runs = [client.time_export(session, server.url + path, server) for _ in range(options.export_runs)]
    finished = [run for run in runs if not run["error"]]
    failed = [run for run in runs if run["error"]]
    first_bytes = [run["first_byte_s"] for run in runs if run["first_byte_s"] is not None]
    app = {
        "runs": runs,
        "rows": max(run["rows"] for run in runs),
        "expected_rows": expected_rows,
        "first_byte_s": stats.percentile(first_bytes, 50) if first_bytes else None,
        "total_s": stats.percentile([run["total_s"] for run in finished], 50) if finished else None,
        "failed_after_s": stats.percentile([run["total_s"] for run in failed], 50) if failed else None,
        "memory_above_resting_mb": max(run["memory_above_resting_mb"] for run in runs),
        "error": failed[0]["error"] if failed else None,
    }
    total = (
        f"{app['total_s']:.2f} s"
        if app["total_s"] is not None
        else f"cut off at {app['failed_after_s']:.0f} s"
    )
    log(
        f" first byte {app['first_byte_s'] or 0:.2f} s, total {total},"
        f" +{app['memory_above_resting_mb']:.0f} MB{'; ' + app['error'] if app['error'] else ''}"
    )
    goals = stats.export_goals(
        app["first_byte_s"], app["total_s"], floor["p50_ms"] / 1000, app["memory_above_resting_mb"]
    )
    if app["total_s"] is None:  # it never finished: that is a miss, not a figure we lack
        sent = max(run["rows"] for run in failed)
        goals[1] = stats.Verdict(
            goals[1].goal,
            None,
            goals[1].limit,
            False,
            f"never finishing: cut off after {app['failed_after_s']:.0f} s with at most {sent:,} of"
            f" {expected_rows:,} rows sent ({app['error']})",
        )
    notes = f"{len(finished)} of {len(runs)} downloads finished" if failed and finished else ""
    return {
        "kind": "export",
        "what": what,
        "path": path,
        "app": app,
        "floor": floor,
        "ratio": stats.ratio(app["total_s"], floor["p50_ms"] / 1000),
        "goals": [goal.to_dict() for goal in goals],
        "notes": notes,
    }


def _submissions(base_url: str, path: str, options, log) -> dict:
    log(
        f"  public form at {base_url}{path}: 3 s warm-up, then {options.submission_seconds:g} s…",
        end="",
        flush=True,
    )
    client.submissions(base_url, path, 3)
    measured = client.submissions(base_url, path, options.submission_seconds)
    log(f" {measured['per_second']:.1f} pairs a second ({measured['failed']} failed)")
    return measured


def _forget_submissions(conn: psycopg.Connection, consultation: int) -> None:
    """The load test's responses would otherwise pile up in the reused volumes, run after run."""
    conn.execute("DELETE FROM feedback WHERE consultation_id = %s", (consultation,))
    conn.execute("DELETE FROM monitoring_answer WHERE consultation_id = %s", (consultation,))
    conn.execute("DELETE FROM response WHERE consultation_id = %s", (consultation,))


def _growth(
    small_url, small_facts: dict, big_p50: dict[str, float], whats, big_items, options, log
) -> list[dict]:
    log(f"Growth: the same first pages at {small_facts['counts']['feedback']:,} feedback items")
    rows = [row for row in _pages(small_facts) if row.growth]
    found = []
    with Gunicorn("bench.bench_wsgi:app", _server_env(small_url), label="small") as server:
        sessions = {
            "lead": client.signed_in(server.url, volumes.LEAD_EMAIL, volumes.PASSWORD),
            "admin": client.signed_in(server.url, volumes.ADMIN_EMAIL, volumes.PASSWORD),
        }
        for row in rows:
            app = client.time_page(sessions[row.user], server.url + row.path, options.runs)
            small = app.get("p50_ms")
            big = big_p50.get(row.key)
            log(f"  {row.what}: p50 {report_ms(small)} (at {big_items:,}: {report_ms(big)})")
            found.append(
                {
                    "key": row.key,
                    "what": whats[row.key],
                    "small_p50_ms": small,
                    "big_p50_ms": big,
                    "growth": stats.ratio(big, small),
                    "small_items": small_facts["counts"]["feedback"],
                    "big_items": big_items,
                    "goal": stats.growth_goal(small, big).to_dict(),
                    "small_app": app,
                }
            )
    return found
