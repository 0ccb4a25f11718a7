"""The SQL floor of each measured row: hand-written SQL that gives the same answer as the page or export,
timed with psycopg directly (no ORM, no templates, no HTTP).

A page's floor is its rows (with the names and codes it shows) plus the counts and tallies it shows. List
pages are compared with their rows plus a count bounded at 10,001 ("more than 10,000", the pager issue 11
asks for); the exact count over a million rows and the rows alone are timed as well, for the notes. The
evidence pack's floor is one statement: the policy's reached set computed once from indexed lookups, and its
count, page, tallies, coverage and filter choices derived from it. An export's floor is `COPY (…) TO STDOUT`
of the same columns in the same order.
"""

import time
from dataclasses import dataclass, field

import psycopg

from bench.stats import percentile

BOUND = 10_001  # a bounded count stops here: "more than 10,000"
PER_PAGE = 25


@dataclass
class Floor:
    """Statements run one after another per timing; `parts` names subsets timed on their own, for notes."""

    statements: list[tuple[str, dict]]
    description: str
    parts: dict[str, list[tuple[str, dict]]] = field(default_factory=dict)


def time_statements(conn: psycopg.Connection, statements, runs: int, warmup: int = 2) -> list[float]:
    """Milliseconds per run of all the statements, each fetched to the end."""
    samples = []
    for number in range(warmup + runs):
        started = time.perf_counter()
        for statement, params in statements:
            with conn.cursor() as cursor:
                cursor.execute(statement, params)
                if cursor.description is not None:
                    cursor.fetchall()
        if number >= warmup:
            samples.append((time.perf_counter() - started) * 1000)
    return samples


def time_floor(conn: psycopg.Connection, floor: Floor, runs: int) -> dict:
    samples = time_statements(conn, floor.statements, runs)
    result = {
        "p50_ms": percentile(samples, 50),
        "p95_ms": percentile(samples, 95),
        "runs": runs,
        "description": floor.description,
        "sql": [statement for statement, _ in floor.statements],
    }
    for name, statements in floor.parts.items():
        result[f"{name}_p50_ms"] = percentile(time_statements(conn, statements, runs), 50)
    return result


def time_copy(conn: psycopg.Connection, statement: str, params: dict, runs: int) -> dict:
    """COPY (…) TO STDOUT, read to the end: the floor for an export."""
    samples, size = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        size = 0
        with conn.cursor() as cursor, cursor.copy(statement, params) as copy:
            for chunk in copy:
                size += len(chunk)
        samples.append((time.perf_counter() - started) * 1000)
    return {"p50_ms": percentile(samples, 50), "runs": runs, "bytes": size, "sql": [statement]}


# ---- the evidence pack -----------------------------------------------------------------------------------

# Feedback reaches a policy through its consultations, its events or a direct link. As one condition on
# feedback, each part an indexed lookup: PostgreSQL ORs the three bitmaps and reads each item once.
_REACHES = """
    (f.consultation_id = ANY (ARRAY(
        SELECT consultation_id FROM consultation_policy WHERE policy_id = %(policy)s))
     OR f.event_id = ANY (ARRAY(SELECT event_id FROM event_policy WHERE policy_id = %(policy)s))
     OR f.id = ANY (ARRAY(SELECT feedback_id FROM feedback_policy WHERE policy_id = %(policy)s)))
    AND f.status <> 'excluded'"""
_ITEM_COLUMNS = (
    "f.id, f.received_at, f.source, f.stance, f.text, f.consultation_id, f.event_id, f.group_id,"
    " f.response_id"
)
_REACHED = f"""
    everything AS MATERIALIZED (SELECT {_ITEM_COLUMNS} FROM feedback f WHERE {_REACHES})"""

_CODES = """
    (SELECT array_agg(ch.name ORDER BY ch.sort_order) FROM feedback_characteristic x
        JOIN characteristic ch ON ch.id = x.characteristic_id
        WHERE x.feedback_id = {item}.id) characteristics,
    (SELECT array_agg(t.name ORDER BY t.name) FROM feedback_theme x
        JOIN theme t ON t.id = x.theme_id WHERE x.feedback_id = {item}.id) themes,
    (SELECT array_agg(b.name ORDER BY b.name) FROM feedback_barrier x
        JOIN barrier b ON b.id = x.barrier_id WHERE x.feedback_id = {item}.id) barriers"""

_FTS = "to_tsvector('english', {table}.text) @@ plainto_tsquery('english', %(q)s)"


def evidence_pack(policy: int, q: str = "", page: int = 1) -> Floor:
    # A search reads the policy's items again with the full-text index ANDed in, rather than computing
    # to_tsvector for every reached item.
    chosen = (
        f"SELECT {_ITEM_COLUMNS} FROM feedback f WHERE {_REACHES} AND {_FTS.format(table='f')}"
        if q
        else "SELECT * FROM everything"
    )
    statement = f"""
    WITH {_REACHED},
    chosen AS MATERIALIZED ({chosen}),
    page AS (
        SELECT * FROM chosen ORDER BY received_at DESC, id DESC LIMIT {PER_PAGE} OFFSET %(offset)s
    ),
    coded AS MATERIALIZED (
        SELECT x.characteristic_id, e.id, e.response_id, e.group_id, e.event_id
        FROM feedback_characteristic x JOIN everything e ON e.id = x.feedback_id
    ),
    policy_events AS (SELECT event_id FROM event_policy WHERE policy_id = %(policy)s),
    taking_part AS (
        SELECT group_id FROM event_group WHERE event_id IN (SELECT event_id FROM policy_events)
        UNION SELECT group_id FROM everything WHERE group_id IS NOT NULL
    ),
    coverage_groups AS (
        SELECT characteristic_id, group_id FROM coded WHERE group_id IS NOT NULL
        UNION SELECT x.characteristic_id, x.group_id
        FROM group_characteristic x JOIN taking_part USING (group_id)
    ),
    coverage_events AS (
        SELECT characteristic_id, event_id FROM coded WHERE event_id IS NOT NULL
        UNION SELECT characteristic_id, event_id FROM event_reach
        WHERE estimated_count > 0 AND event_id IN (SELECT event_id FROM policy_events)
    )
    SELECT
        (SELECT count(*) FROM everything) AS total,
        (SELECT count(*) FROM chosen) AS matching,
        (SELECT json_agg(row_to_json(p) ORDER BY p.received_at DESC, p.id DESC) FROM (
            SELECT page.id, page.received_at, page.source, page.stance, page.text, c.title consultation,
                   ev.title event, g.name group_name, i.use, i.note, {_CODES.format(item="page")}
            FROM page
            LEFT JOIN consultation c ON c.id = page.consultation_id
            LEFT JOIN engagement_event ev ON ev.id = page.event_id
            LEFT JOIN community_group g ON g.id = page.group_id
            LEFT JOIN policy_influence i ON i.policy_id = %(policy)s AND i.feedback_id = page.id
        ) p) AS page,
        (SELECT json_agg(t ORDER BY t.sort_order) FROM (
            SELECT ch.id, ch.name, ch.sort_order, count(*) FROM coded
            JOIN characteristic ch ON ch.id = coded.characteristic_id
            WHERE coded.id IN (SELECT id FROM chosen) GROUP BY ch.id) t) AS by_characteristic,
        (SELECT json_agg(t ORDER BY t.count DESC) FROM (
            SELECT th.id, th.name, count(*) FROM feedback_theme x
            JOIN chosen ON chosen.id = x.feedback_id JOIN theme th ON th.id = x.theme_id
            GROUP BY th.id) t) AS by_theme,
        (SELECT json_agg(t ORDER BY t.count DESC) FROM (
            SELECT source, count(*) FROM chosen GROUP BY source) t) AS by_source,
        (SELECT json_agg(t ORDER BY t.is_statutory DESC, t.sort_order) FROM (
            SELECT ch.id, ch.name, ch.is_statutory, ch.sort_order, coalesce(fc.feedback, 0) feedback,
                coalesce(fc.responses, 0) responses, coalesce(cg.groups, 0) groups,
                coalesce(ce.events, 0) events,
                ch.id IN (SELECT cc.characteristic_id FROM consultation_characteristic cc
                          JOIN consultation_policy cp ON cp.consultation_id = cc.consultation_id
                          WHERE cp.policy_id = %(policy)s) target
            FROM characteristic ch
            LEFT JOIN (SELECT characteristic_id, count(DISTINCT id) feedback,
                              count(DISTINCT response_id) responses
                       FROM coded GROUP BY characteristic_id) fc ON fc.characteristic_id = ch.id
            LEFT JOIN (SELECT characteristic_id, count(*) groups
                       FROM coverage_groups GROUP BY characteristic_id)
                cg ON cg.characteristic_id = ch.id
            LEFT JOIN (SELECT characteristic_id, count(*) events
                       FROM coverage_events GROUP BY characteristic_id)
                ce ON ce.characteristic_id = ch.id
            WHERE NOT ch.is_retired) t) AS coverage,
        (SELECT json_agg(g ORDER BY g.name) FROM (
            SELECT id, name FROM community_group
            WHERE id IN (SELECT group_id FROM everything) ORDER BY name LIMIT 200) g) AS group_choices,
        (SELECT json_agg(c) FROM (SELECT c.id, c.title FROM consultation c JOIN consultation_policy cp
            ON cp.consultation_id = c.id WHERE cp.policy_id = %(policy)s) c) AS consultation_choices,
        (SELECT json_agg(e) FROM (SELECT e.id, e.title FROM engagement_event e
            WHERE e.id IN (SELECT event_id FROM policy_events) ORDER BY e.starts_at DESC) e) AS event_choices
    """
    return Floor(
        [(statement, {"policy": policy, "q": q, "offset": (page - 1) * PER_PAGE})],
        "one statement: the reached set (union of three indexed lookups) once, then count, page with codes "
        "and decisions, tallies, coverage and filter choices from it",
    )


# ---- the feedback inbox ----------------------------------------------------------------------------------


def _inbox_where(q: str, theme: list[int]) -> str:
    where = "f.status <> 'excluded'"
    if q:
        where += " AND " + _FTS.format(table="f")
    if theme:
        where += (
            " AND EXISTS (SELECT 1 FROM feedback_theme x"
            " WHERE x.feedback_id = f.id AND x.theme_id = ANY(%(theme)s))"
        )
    return where


def inbox(q: str = "", theme: list[int] | None = None, page: int = 1) -> Floor:
    where = _inbox_where(q, theme or [])
    params = {"q": q, "theme": theme or [], "offset": (page - 1) * PER_PAGE}
    rows = f"""
    WITH page AS (
        SELECT f.id, f.received_at, f.source, f.status, f.stance, f.text, f.group_id, f.event_id,
            f.consultation_id
        FROM feedback f WHERE {where}
        ORDER BY f.received_at DESC, f.id DESC LIMIT {PER_PAGE} OFFSET %(offset)s
    )
    SELECT page.*, g.name, e.title, c.title, {_CODES.format(item="page")}
    FROM page
    LEFT JOIN community_group g ON g.id = page.group_id
    LEFT JOIN engagement_event e ON e.id = page.event_id
    LEFT JOIN consultation c ON c.id = page.consultation_id
    ORDER BY page.received_at DESC, page.id DESC
    """
    bounded = f"SELECT count(*) FROM (SELECT 1 FROM feedback f WHERE {where} LIMIT {BOUND}) s"
    exact = f"SELECT count(*) FROM feedback f WHERE {where}"
    return Floor(
        [(rows, params), (bounded, params)],
        f"the page's rows with names and codes, and a count bounded at {BOUND:,}",
        parts={"rows_only": [(rows, params)], "with_exact_count": [(rows, params), (exact, params)]},
    )


# ---- groups ----------------------------------------------------------------------------------------------


def group_search(q: str) -> Floor:
    where = "NOT g.is_archived AND (lower(g.name) LIKE %(like)s OR lower(g.description) LIKE %(like)s)"
    params = {"like": f"%{q.lower()}%"}
    rows = f"""
    WITH page AS (
        SELECT g.id, g.name, g.kind, g.status, g.is_verified FROM community_group g WHERE {where}
        ORDER BY g.name, g.id LIMIT {PER_PAGE}
    )
    SELECT page.*,
        (SELECT array_agg(a.name ORDER BY a.sort_order) FROM group_area x JOIN area a ON a.id = x.area_id
         WHERE x.group_id = page.id) areas,
        (SELECT array_agg(c.name ORDER BY c.sort_order) FROM group_characteristic x
         JOIN characteristic c ON c.id = x.characteristic_id WHERE x.group_id = page.id) characteristics
    FROM page ORDER BY page.name, page.id
    """
    bounded = f"SELECT count(*) FROM (SELECT 1 FROM community_group g WHERE {where} LIMIT {BOUND}) s"
    unverified = "SELECT count(*) FROM community_group WHERE NOT is_verified AND NOT is_archived"
    return Floor(
        [(rows, params), (bounded, params), (unverified, {})],
        "the page's groups with areas and characteristics, the bounded count and the unverified count",
    )


def group_picker(q: str, key: str, threshold: float = 0.6, limit: int = 10) -> Floor:
    """The picker's answer (crm/groups/queries.py pick_groups): unarchived names containing what was typed,
    those starting with it first, then, as fewer than ten do, the near-duplicates of its match key by
    trigram similarity over the GIN index on match_key, at the matcher's threshold."""
    like = {"like": f"%{q.lower()}%", "prefix": f"{q.lower()}%", "limit": limit}
    containing = """
    SELECT id, name, is_verified FROM community_group
    WHERE NOT is_archived AND lower(name) LIKE %(like)s
    ORDER BY lower(name) LIKE %(prefix)s DESC, lower(name), id LIMIT %(limit)s
    """
    threshold_set = "SELECT set_config('pg_trgm.similarity_threshold', %(threshold)s, false)"
    near = """
    SELECT id, name, is_verified FROM community_group
    WHERE NOT is_archived AND match_key %% %(key)s
    ORDER BY similarity(match_key, %(key)s) DESC, id LIMIT %(limit)s
    """
    return Floor(
        [
            (containing, like),
            (threshold_set, {"threshold": str(threshold)}),
            (near, {"key": key, "limit": limit}),
        ],
        "names containing the text (trigram index on lower(name)), then the matcher's near-duplicates "
        "(pg_trgm % over the GIN index on match_key, ordered by similarity)",
    )


# ---- monitoring --------------------------------------------------------------------------------------------


def monitoring_report(consultation: int) -> Floor:
    statement = """
    WITH whole AS (
      SELECT question, answer, count(*) n FROM monitoring_answer WHERE consultation_id = %(consultation)s
      GROUP BY question, answer
    ), left_out AS (
      SELECT a.question, a.answer, count(*) n
      FROM monitoring_excluded x JOIN monitoring_answer a ON a.id = x.id
      WHERE x.consultation_id = %(consultation)s AND a.consultation_id = %(consultation)s
      GROUP BY a.question, a.answer
    )
    SELECT w.question, w.answer, w.n - coalesce(l.n, 0)
    FROM whole w LEFT JOIN left_out l ON l.question = w.question AND l.answer = w.answer
    """
    return Floor(
        [(statement, {"consultation": consultation})],
        "the tally per question and answer, less the tally of the answers left out (joined on their keys)",
    )


# ---- reports (issue 14) ------------------------------------------------------------------------------------

_EIA_STATE = """
    CASE
      WHEN EXISTS (SELECT 1 FROM eia e WHERE e.policy_id = p.id AND e.status IN ('approved', 'published')
                   AND (e.review_due IS NULL OR e.review_due >= current_date)) THEN 'current'
      WHEN EXISTS (SELECT 1 FROM eia e WHERE e.policy_id = p.id AND e.status IN ('approved', 'published'))
        THEN 'overdue'
      WHEN EXISTS (SELECT 1 FROM eia e WHERE e.policy_id = p.id AND e.status IN ('draft', 'in_review'))
        THEN 'in_progress'
      ELSE 'none'
    END"""


def eia_coverage() -> Floor:
    tally = f"""
    SELECT p.delivery_area_id, p.kind, {_EIA_STATE} AS state, count(*) FROM policy p
    WHERE p.status <> 'retired' GROUP BY 1, 2, 3
    """
    page = f"""
    SELECT p.id, p.reference, p.title, p.is_key, d.name, u.name, {_EIA_STATE}
    FROM policy p LEFT JOIN delivery_area d ON d.id = p.delivery_area_id
    LEFT JOIN staff_user u ON u.id = p.owner_id
    WHERE p.status <> 'retired' ORDER BY p.reference LIMIT {PER_PAGE}
    """
    count = "SELECT count(*) FROM (SELECT 1 FROM policy WHERE status <> 'retired' LIMIT %(bound)s) c"
    return Floor(
        [(tally, {}), (page, {}), (count, {"bound": BOUND})],
        "policies by EIA state, delivery area and kind, one page of them and a bounded count",
    )


def barriers() -> Floor:
    pairs = """
    SELECT fb.barrier_id, fc.characteristic_id, count(*) FROM feedback_barrier fb
    JOIN feedback f ON f.id = fb.feedback_id
    JOIN feedback_characteristic fc ON fc.feedback_id = f.id
    WHERE f.status <> 'excluded' GROUP BY 1, 2
    """
    totals = """
    SELECT fb.barrier_id, count(*) FROM feedback_barrier fb JOIN feedback f ON f.id = fb.feedback_id
    WHERE f.status <> 'excluded' GROUP BY 1
    """
    return Floor([(pairs, {}), (totals, {})], "items by barrier and characteristic, and by barrier alone")


def coverage_heat_map() -> Floor:
    reached = f"""
    WITH page AS (SELECT id FROM policy WHERE status <> 'retired' ORDER BY reference LIMIT {PER_PAGE}),
    reached AS (
      SELECT cp.policy_id, f.id AS feedback_id FROM feedback f
        JOIN consultation_policy cp ON cp.consultation_id = f.consultation_id
        WHERE cp.policy_id IN (SELECT id FROM page) AND f.status <> 'excluded'
      UNION
      SELECT ep.policy_id, f.id FROM feedback f JOIN event_policy ep ON ep.event_id = f.event_id
        WHERE ep.policy_id IN (SELECT id FROM page) AND f.status <> 'excluded'
      UNION
      SELECT fp.policy_id, f.id FROM feedback_policy fp JOIN feedback f ON f.id = fp.feedback_id
        WHERE fp.policy_id IN (SELECT id FROM page) AND f.status <> 'excluded'
    ),
    by_characteristic AS (
      SELECT r.policy_id, fc.characteristic_id, count(*) AS n FROM reached r
      JOIN feedback_characteristic fc ON fc.feedback_id = r.feedback_id GROUP BY 1, 2
    )
    SELECT policy_id, characteristic_id, n FROM by_characteristic
    UNION ALL SELECT policy_id, NULL, count(*) FROM reached GROUP BY policy_id
    """
    return Floor([(reached, {})], "a page of policies: reached items by characteristic and in all")


def representation(policy: int) -> Floor:
    statement = """
    SELECT consultation_id, question, answer, count(*) FROM monitoring_answer
    WHERE consultation_id IN (SELECT consultation_id FROM consultation_policy WHERE policy_id = %(policy)s)
    GROUP BY 1, 2, 3
    """
    return Floor([(statement, {"policy": policy})], "the tally per consultation, question and answer")


# ---- exports -----------------------------------------------------------------------------------------------


def _labels(column: str, labels: dict) -> str:
    """A CASE that turns a stored code into its label, from the app's own label dicts."""
    cases = " ".join(f"WHEN {_quote(code)} THEN {_quote(label)}" for code, label in labels.items())
    return f"CASE {column} {cases} ELSE coalesce({column}, '') END"


def _quote(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


# "2:05pm on 27 November 2026" in UK time, as crm.core.time.govuk_date_time writes it (midday/midnight aside).
_UK_TIME = (
    "lower(to_char({column} AT TIME ZONE 'Europe/London', 'FMHH12:MIam'))"
    " || ' on ' || to_char({column} AT TIME ZONE 'Europe/London', 'FMDD FMMonth YYYY')"
)


def evidence_export(policy: int, labels: dict) -> tuple[str, dict]:
    statement = f"""
    COPY (
        WITH {_REACHED}
        SELECT 'FB-' || i.id "Feedback", {_UK_TIME.format(column="i.received_at")} "Received",
            {_labels("i.source", labels["sources"])} "Source", c.title "Consultation", ev.title "Event",
            g.name "Group",
            (SELECT string_agg(ch.name, '; ' ORDER BY ch.sort_order) FROM feedback_characteristic x
             JOIN characteristic ch ON ch.id = x.characteristic_id
             WHERE x.feedback_id = i.id) "Characteristics",
            (SELECT string_agg(t.name, '; ' ORDER BY t.name) FROM feedback_theme x
             JOIN theme t ON t.id = x.theme_id WHERE x.feedback_id = i.id) "Themes",
            (SELECT string_agg(b.name, '; ' ORDER BY b.name) FROM feedback_barrier x
             JOIN barrier b ON b.id = x.barrier_id WHERE x.feedback_id = i.id) "Barriers",
            {_labels("i.stance", labels["stances"])} "Stance", i.text "Text",
            {_labels("pi.use", labels["uses"])} "How it was used", pi.note "Decision note"
        FROM everything i
        LEFT JOIN consultation c ON c.id = i.consultation_id
        LEFT JOIN engagement_event ev ON ev.id = i.event_id
        LEFT JOIN community_group g ON g.id = i.group_id
        LEFT JOIN policy_influence pi ON pi.policy_id = %(policy)s AND pi.feedback_id = i.id
        ORDER BY i.received_at, i.id
    ) TO STDOUT WITH (FORMAT csv, HEADER)
    """
    return statement, {"policy": policy}


def responses_export(conn: psycopg.Connection, consultation: int, labels: dict) -> tuple[str, dict]:
    """Every response of the consultation with an answer column per question (options as their labels),
    names and emails included (the admin's export)."""
    questions = conn.execute(
        "SELECT id, position, text FROM question WHERE consultation_id = %s ORDER BY position",
        (consultation,),
    ).fetchall()
    columns = ",\n".join(
        f"string_agg(coalesce(a.text, l.label, a.value), '; ' ORDER BY a.id)"
        f" FILTER (WHERE a.question_id = {qid})"
        f" {_quote_identifier(f'Q{number}. {text}')}"
        for number, (qid, _position, text) in enumerate(questions, start=1)
    )
    statement = f"""
    COPY (
        WITH labels AS (
            SELECT q.id question_id, o.n::text value, o.label
            FROM question q, json_array_elements_text(
                CASE WHEN q.kind = 'agreement' THEN %(agreement)s::json ELSE q.options END
            ) WITH ORDINALITY o(label, n)
            WHERE q.consultation_id = %(consultation)s
        )
        SELECT r.reference "Reference", {_UK_TIME.format(column="r.received_at")} "Received",
            {_labels("r.channel", labels["channels"])} "Channel",
            {_labels("r.status", labels["statuses"])} "Status",
            {_labels("r.respondent_kind", labels["respondent_kinds"])} "Responding as",
            coalesce(g.name, r.group_name) "Group", r.name "Name", r.email "Email", r.language "Language",
            {columns}
        FROM response r
        LEFT JOIN community_group g ON g.id = r.group_id
        LEFT JOIN answer a ON a.response_id = r.id
        LEFT JOIN labels l ON l.question_id = a.question_id AND l.value = a.value
        WHERE r.consultation_id = %(consultation)s
        GROUP BY r.id, g.name
        ORDER BY r.id
    ) TO STDOUT WITH (FORMAT csv, HEADER)
    """
    import json

    return statement, {"consultation": consultation, "agreement": json.dumps(labels["agreement"])}


def _quote_identifier(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'
