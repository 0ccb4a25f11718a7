"""The design's volumes on PostgreSQL, built with set-based SQL (INSERT … SELECT generate_series).

At scale 1.0: 50,000 groups (areas, characteristics, 30,000 contacts), 1,000,000 feedback items coded with
themes, barriers and characteristics, of which about 50,000 reach one policy (the "big policy": through three
consultations, forty events and direct links, overlapping as real links do), and one consultation with 200,000
responses, their answers and 2,000,000 equality-monitoring answers. Scale 0.01 gives the same shape at
10,000 feedback items, for the growth comparison.

Why set-based: the machine is shared and has two cores; an ORM loop would take an hour. Why ids are given
explicitly: every link between tables is computed in SQL, and ids also follow time (feedback is numbered in
the order it was received), as they would in a real database, so no list is flattered by rows that happen to
sit together on disk. Non-constraint indexes are dropped while loading and rebuilt after, exactly as the
migrations defined them (pg_get_indexdef); foreign keys stay on, so the data is checked as it goes in.

A marker table records what was built, so a second run reuses the volumes; `--rebuild` starts from an empty
database.
"""

import json
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import psycopg
from argon2 import PasswordHasher
from psycopg.types.numeric import Int8Dumper

# Bump when the shape of the data changes: volumes built by another version are rebuilt, not reused.
VOLUMES_VERSION = 4
MARKER_TABLE = "benchmark_volumes"
PASSWORD = "bench-quiet-lantern-harbour-42"  # noqa: S105 (staff of a local benchmark database only)
ADMIN_EMAIL = "bench-admin@example.org"
LEAD_EMAIL = "bench-lead@example.org"
OFFICER_EMAIL = "bench-officer@example.org"

# Three years of feedback, ending about when the project's own data does.
START, END = "2023-11-01", "2026-11-01"
BIG_CONSULTATION_WINDOW = ("2025-01-06 09:00+00", "2025-04-07 23:59+01")

# Fixed ids: the harness finds its pages by them.
BIG_POLICY = 1  # ~50,000 reached items (at scale 1)
BIG_CONSULTATION_POLICY = 2  # the policy the 200,000-response consultation informs
PUBLIC_POLICY = 3
BIG_CONSULTATION = 1
BIG_POLICY_CONSULTATIONS = (2, 3, 4)
PUBLIC_CONSULTATION = 5
PUBLIC_SLUG = "bench-public-form"
FIRST_OTHER_CONSULTATION = 6

# Sentences feedback is made of, three at a time. Words the benchmark searches for appear in a few of them,
# so a search matches a realistic share: "childcare" in about 14% of items, "interpreter" in about 10%.
FRAGMENTS = [
    "The bus from Walsall to Birmingham is too expensive for a daily commute.",
    "Evening buses stop too early for people who work late shifts.",
    "Childcare costs more than I would earn on the training course.",
    "There is no childcare near the college, so I cannot attend in the mornings.",
    "Free childcare during the course would let single parents take part.",
    "We needed an interpreter at the drop-in but none was booked.",
    "Please provide a BSL interpreter at every public meeting.",
    "The tram stop has no step-free access from the street.",
    "Lifts at the station are often out of order for weeks.",
    "Rents in Sandwell have gone up faster than wages.",
    "Temporary accommodation is far from schools and work.",
    "The online form did not work on my phone.",
    "Not everyone has broadband at home; keep paper forms.",
    "Libraries are the only place some of us can get online.",
    "Apprenticeships should be open to people over 25.",
    "Training should count towards Universal Credit requirements.",
    "Employers do not recognise qualifications gained abroad.",
    "Cycle lanes stop and start, which is dangerous.",
    "Street lighting on the canal path makes it feel safer at night.",
    "Women do not feel safe waiting at the bus station after dark.",
    "Young people were not asked about the changes to their routes.",
    "Older residents need a phone number that a person answers.",
    "Information was only in English; many in our community read Urdu or Punjabi.",
    "Easy read versions would help people with learning disabilities take part.",
    "The consultation closed before our group could meet to discuss it.",
    "Carers cannot attend daytime events without respite cover.",
    "Energy bills mean families choose between heating and eating.",
    "Food banks in Wolverhampton are seeing working families for the first time.",
    "Green spaces in Ladywood are poorly maintained.",
    "Air quality near the ring road worries parents.",
    "The warm spaces scheme helped many isolated people this winter.",
    "Community centres need longer opening hours.",
    "Faith groups could host sessions if they were funded.",
    "Disabled people need accessible taxis at fair prices.",
    "Ramps at the new hub are too steep for a wheelchair.",
    "Job centre appointments clash with school pick-up times.",
    "Skills bootcamps should run in the evenings and at weekends.",
    "Digital skills courses fill up within a day of opening.",
    "Refugees wait months before they can start English classes.",
    "Veterans find it hard to get their service skills recognised.",
    "Care leavers need help with deposits for their first home.",
    "Council tax support should be easier to apply for.",
    "The housing waiting list gives no idea of how long it will take.",
    "Damp and mould in social housing is making children ill.",
    "Park and ride would cut traffic in the city centre.",
    "Fares should be capped across bus, tram and train.",
    "Outreach at the market reached people who never come to meetings.",
    "Our youth panel wants to be involved from the start, not at the end.",
    "Feedback from the last consultation was never reported back to us.",
    "We support the plan but want a timetable for delivery.",
    "We oppose closing the local office; it is the only face-to-face service.",
    "More interpreter hours at the hospital would reduce missed appointments.",
    "Parents asked for childcare at the weekend workshops.",
    "Translate letters into the main community languages.",
    "The new route map is clear and easy to use.",
    "Stations need more seating for people who cannot stand for long.",
    "Hate crime reporting should be possible in other languages.",
    "Mental health support has long waits for young people.",
    "LGBT+ young people need safe spaces in every borough.",
    "Pregnant women struggled with the steps at the venue.",
]
PLACES = [
    "Birmingham", "Coventry", "Dudley", "Sandwell", "Solihull", "Walsall", "Wolverhampton", "Aston",
    "Handsworth", "Sparkbrook", "Small Heath", "Erdington", "Ladywood", "Edgbaston", "Moseley",
    "Balsall Heath", "Smethwick", "West Bromwich", "Oldbury", "Tipton", "Wednesbury", "Bilston", "Willenhall",
    "Bloxwich", "Darlaston", "Brierley Hill", "Stourbridge", "Halesowen", "Kingswinford", "Chelmsley Wood",
    "Shirley", "Foleshill", "Hillfields", "Tile Hill", "Canley", "Bell Green", "Whitmore Reans", "Low Hill",
    "Heath Town", "Blakenhall",
]  # fmt: skip
COMMUNITIES = [
    "Somali Women's", "Deaf", "Carers", "Youth", "Pensioners", "Polish", "Tenants", "Disabled People's",
    "LGBT+", "Refugee", "Windrush", "Sikh", "Bangladeshi", "Pakistani", "Kashmiri", "Irish", "Caribbean",
    "African", "Roma", "Traveller", "Chinese", "Vietnamese", "Kurdish", "Eritrean", "Sudanese", "Yemeni",
    "Afghan", "Ukrainian", "Romanian", "Muslim", "Jewish", "Hindu", "Christian", "Buddhist", "Veterans",
    "Care Leavers", "Young Parents", "Single Parents", "Blind and Partially Sighted", "Autism",
    "Mental Health", "Learning Disability", "Wheelchair Users", "Older Women's", "Men's Health", "Dads'",
    "Grandparents",
    "Asylum Seekers'", "Trans", "Black Women's", "Young Muslims", "Cycling", "Allotment", "Food Bank",
    "Residents'", "Neighbourhood", "Estate", "Faith", "Migrant Workers'", "Students'",
]  # fmt: skip
ORGANISATIONS = [
    "Network", "Forum", "Association", "Trust", "Collective", "Circle", "Club", "Alliance", "Project",
    "Group", "Society", "Centre", "Partnership", "Panel", "Voice",
]  # fmt: skip
SUFFIXES = ["", "", "", " CIC", " Ltd", " (West Midlands)"]
FIRST_NAMES = ["Amina", "Ben", "Chen", "Dev", "Ewa", "Farah", "Gary", "Hana", "Imran", "Jo", "Kofi", "Lena"]
LAST_NAMES = ["Ali", "Brown", "Clarke", "Dhillon", "Evans", "Fofana", "Green", "Hussain", "Iqbal", "Jones"]
POLICY_TITLES = [
    "Skills for everyone strategy", "Bus fares and ticketing review", "Affordable housing scheme",
    "Inclusive growth framework", "Active travel programme", "Digital inclusion plan", "Net zero deliverable",
    "Adult education budget review", "Safer streets scheme", "Community energy programme",
]  # fmt: skip
# Answer shares for the equality-monitoring questions: ONS categories in proportions like the region's,
# with some rare categories that suppression must hide. Codes not listed here get a small default share.
MONITORING_WEIGHTS = {
    "age_band": {"under_16": 2, "16_24": 12, "25_34": 18, "35_44": 18, "45_54": 16, "55_64": 14,
                 "65_74": 10, "75_84": 5, "85_over": 1},
    "sex": {"female": 54, "male": 42},
    "gender_identity": {"yes": 94, "no": 1},
    "sexual_orientation": {"straight": 85, "gay_lesbian": 3, "bisexual": 2, "other": 0.5},
    "religion": {"none": 30, "christian": 38, "buddhist": 0.5, "hindu": 2, "jewish": 0.3, "muslim": 18,
                 "sikh": 4, "other": 0.8},
    "ethnic_group": {"white_british": 55, "white_irish": 1, "white_gypsy_traveller": 0.002,
                     "white_roma": 0.01, "white_other": 4, "asian_indian": 6, "asian_pakistani": 10,
                     "asian_bangladeshi": 3, "asian_chinese": 1, "asian_other": 2, "black_african": 4,
                     "black_caribbean": 3, "black_other": 1, "mixed_white_black_caribbean": 2,
                     "mixed_white_asian": 1, "mixed_white_black_african": 0.5, "mixed_other": 1,
                     "other_arab": 0.8, "other_any": 1},
    "long_term_condition": {"yes": 22, "no": 70},
    "disability_activity": {"yes_a_lot": 8, "yes_a_little": 10, "not_at_all": 4, "not_applicable": 70},
    "disabled": {"disabled": 18, "not_disabled": 74},
    "carer": {"yes": 12, "no": 80},
}  # fmt: skip
SPECIAL_SHARES = {"prefer_not_to_say": 4, "not_answered": 6}
SLOTS = 100_000  # each monitoring answer is drawn from this many equally likely slots


@dataclass(frozen=True)
class Volumes:
    """How many of each thing to build at a scale (1.0 = the design's volumes)."""

    scale: float
    feedback: int
    groups: int
    contacts: int
    policies: int
    consultations: int
    events: int
    big_policy_events: int
    responses: int
    big_policy_consultation_items: int
    big_policy_event_items: int
    big_policy_direct: int
    big_policy_overlap: int
    other_event_items: int
    other_consultation_items: int
    other_policy_links: int
    influences: int

    @classmethod
    def at(cls, scale: float) -> "Volumes":
        def n(full: int, least: int = 1) -> int:
            return max(least, round(full * scale))

        return cls(
            scale=scale,
            feedback=n(1_000_000),
            groups=n(50_000),
            contacts=n(30_000),
            policies=n(200, 20),
            consultations=n(400, 10),
            events=n(2_000, 50),
            big_policy_events=n(40, 5),
            responses=n(200_000),
            big_policy_consultation_items=n(30_000),
            big_policy_event_items=n(16_000),
            big_policy_direct=n(5_000),
            big_policy_overlap=n(1_000),
            other_event_items=n(300_000),
            other_consultation_items=n(250_000),
            other_policy_links=n(40_000),
            influences=n(300, 10),
        )


def psycopg_url(url: str) -> str:
    """psycopg takes a libpq URL; the app's URLs name SQLAlchemy's driver."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def built(conn: psycopg.Connection) -> dict | None:
    """What the marker says was built here, or None."""
    exists = conn.execute("SELECT to_regclass(%s) IS NOT NULL", (MARKER_TABLE,)).fetchone()[0]
    if not exists:
        return None
    row = conn.execute(f"SELECT value FROM {MARKER_TABLE} WHERE key = 'volumes'").fetchone()
    return row[0] if row else None


def record_tables_empty(conn: psycopg.Connection) -> bool:
    return not conn.execute(
        "SELECT EXISTS (SELECT 1 FROM feedback) OR EXISTS (SELECT 1 FROM community_group)"
        " OR EXISTS (SELECT 1 FROM staff_user)"
    ).fetchone()[0]


def build(url: str, volumes: Volumes, log=print) -> dict:
    """Fill an empty, migrated database with reference data in place. Returns what the marker records."""
    started = time.perf_counter()
    with psycopg.connect(psycopg_url(url)) as conn:
        if not record_tables_empty(conn):
            raise SystemExit(
                "The benchmark database already holds records that the benchmark did not build: "
                "use --rebuild to start it afresh (it is dropped and created again)."
            )
        builder = _Builder(conn, volumes, log)
        facts = builder.run()
        facts["build_seconds"] = round(time.perf_counter() - started, 1)
        conn.execute(f"CREATE TABLE {MARKER_TABLE} (key text PRIMARY KEY, value jsonb NOT NULL)")
        conn.execute(
            f"INSERT INTO {MARKER_TABLE} VALUES ('volumes', %s)",
            (json.dumps(facts),),
        )
        conn.commit()
    with psycopg.connect(psycopg_url(url), autocommit=True) as conn:
        step = time.perf_counter()
        conn.execute("VACUUM (ANALYZE)")  # and sets the visibility map, so index-only scans work
        log(f"  VACUUM ANALYZE {time.perf_counter() - step:6.1f} s")
    return facts


class _Builder:
    # Tables loaded here: their non-constraint indexes are dropped for the load and rebuilt after it.
    BULK_TABLES = [
        "community_group", "group_area", "group_characteristic", "contact", "response", "answer",
        "monitoring_answer", "monitoring_excluded", "feedback", "feedback_theme", "feedback_barrier",
        "feedback_characteristic", "feedback_policy", "engagement_event", "event_group", "event_reach",
    ]  # fmt: skip

    def __init__(self, conn: psycopg.Connection, volumes: Volumes, log):
        # Every integer parameter as bigint: psycopg's smallest-fit choice makes generate_series ambiguous.
        conn.adapters.register_dumper(int, Int8Dumper)
        self.conn = conn
        self.v = volumes
        self.log = log

    def sql(self, label: str, statement: str, params: dict | None = None) -> int:
        step = time.perf_counter()
        cursor = self.conn.execute(statement, params or {})
        self.log(f"  {label:<52} {cursor.rowcount:>10,} rows {time.perf_counter() - step:6.1f} s")
        return cursor.rowcount

    def ids(self, table: str) -> list[int]:
        return [
            row[0] for row in self.conn.execute(f"SELECT id FROM {table} WHERE NOT is_retired ORDER BY id")
        ]

    def run(self) -> dict:
        self.conn.execute("SET LOCAL maintenance_work_mem = '512MB'")
        self.conn.execute("SET LOCAL work_mem = '64MB'")
        self.conn.execute("SELECT setseed(0.42)")  # the same data on every build (up to parallel plans)
        self.params = {
            "characteristics": self.ids("characteristic"),
            "themes": self.ids("theme"),
            "barriers": self.ids("barrier"),
            "areas": self.ids("area"),
            "fragments": FRAGMENTS,
            "start": START,
            "end": END,
        }
        if not all(self.params[name] for name in ("characteristics", "themes", "barriers", "areas")):
            raise SystemExit("Reference data is missing: run `flask --app wsgi crm seed-reference` first.")
        indexes = self._drop_indexes()
        self._staff()
        self._groups()
        self._policies_and_consultations()
        self._events()
        self._responses()
        self._monitoring()
        self._feedback()
        self._codes_and_links()
        self._restore_indexes(indexes)
        self._sequences()
        return self._facts()

    # ---- indexes and sequences ---------------------------------------------------------------------------

    def _drop_indexes(self) -> list[tuple[str, str]]:
        rows = self.conn.execute(
            """
            SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
            FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
            WHERE t.relname = ANY(%s) AND t.relnamespace = 'public'::regnamespace
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
            """,
            (self.BULK_TABLES,),
        ).fetchall()
        for name, _definition in rows:
            self.conn.execute(f"DROP INDEX {name}")
        return rows

    def _restore_indexes(self, indexes: list[tuple[str, str]]) -> None:
        step = time.perf_counter()
        for _name, definition in indexes:
            self.conn.execute(definition)
        self.log(
            f"  {'rebuild ' + str(len(indexes)) + ' indexes':<52} {'':>15}"
            f" {time.perf_counter() - step:6.1f} s"
        )

    def _sequences(self) -> None:
        for (table,) in self.conn.execute(
            """
            SELECT c.table_name FROM information_schema.columns c
            WHERE c.table_schema = 'public' AND c.column_name = 'id'
              AND pg_get_serial_sequence(c.table_name, 'id') IS NOT NULL
            """
        ).fetchall():
            self.conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                f" greatest((SELECT max(id) FROM {table}), 1))"
            )

    # ---- people, groups, policies, consultations, events ------------------------------------------------

    def _staff(self) -> None:
        password_hash = PasswordHasher().hash(PASSWORD)
        self.sql(
            "staff users",
            """
            INSERT INTO staff_user (id, email, name, role, password_hash, is_active_account,
                                    created_at, updated_at)
            VALUES (1, %(admin)s, 'Benchmark Admin', 'admin', %(hash)s, true, now(), now()),
                   (2, %(lead)s, 'Benchmark Policy Lead', 'policy_lead', %(hash)s, true, now(), now()),
                   (3, %(officer)s, 'Benchmark Officer', 'engagement_officer', %(hash)s, true, now(), now())
            """,
            {"admin": ADMIN_EMAIL, "lead": LEAD_EMAIL, "officer": OFFICER_EMAIL, "hash": password_hash},
        )

    def _groups(self) -> None:
        p = {**self.params, "n": self.v.groups, "places": PLACES, "communities": COMMUNITIES,
             "orgs": ORGANISATIONS, "suffixes": SUFFIXES}  # fmt: skip
        self.sql(
            "community groups",
            """
            INSERT INTO community_group (id, name, match_key, kind, description, languages, access_needs,
                website, email, phone, status, source, is_verified, verified_at, lawful_basis, is_archived,
                archived_at, merged_into_id, created_at, updated_at)
            SELECT n, name, lower(regexp_replace(name, '[^A-Za-z0-9 ]', '', 'g')),
                (ARRAY['vcse','faith','network','informal','youth_panel','commission','statutory_partner'])
                    [1 + floor(random() * 7)::int],
                'A ' || lower(org) || ' for ' || community || ' people in ' || place
                    || '. We meet monthly and speak up on local services.',
                CASE WHEN random() < 0.3 THEN 'English, Urdu, Punjabi' ELSE 'English' END,
                CASE WHEN random() < 0.1 THEN '["bsl"]' ELSE '[]' END::json,
                '', 'hello' || n || '@group.example.org', '', status,
                CASE WHEN self_registered THEN 'self_registered' ELSE 'officer' END,
                NOT (self_registered AND random() < 0.5), NULL, 'public_task', archived,
                CASE WHEN archived THEN created END, NULL, created, created
            FROM (
                SELECT n, place, community, org,
                    place || ' ' || community || ' ' || org || (%(suffixes)s::text[])
                        [1 + floor(random() * cardinality(%(suffixes)s::text[]))::int] AS name,
                    CASE WHEN random() < 0.85 THEN 'active' WHEN random() < 0.66 THEN 'dormant'
                         ELSE 'closed' END AS status,
                    random() < 0.1 AS self_registered, random() < 0.03 AS archived,
                    %(start)s::timestamptz + random() * (%(end)s::timestamptz - %(start)s::timestamptz)
                        AS created
                FROM (
                    SELECT n,
                        (%(places)s::text[])
                            [1 + floor(random() * cardinality(%(places)s::text[]))::int] place,
                        (%(communities)s::text[])
                            [1 + floor(random() * cardinality(%(communities)s::text[]))::int] community,
                        (%(orgs)s::text[])[1 + floor(random() * cardinality(%(orgs)s::text[]))::int] org
                    FROM generate_series(1, %(n)s) n
                ) picked
            ) named
            """,
            p,
        )
        self.sql(
            "group areas (1 to 3 each)",
            """
            INSERT INTO group_area (group_id, area_id)
            SELECT DISTINCT g, (%(areas)s::int[])[1 + floor(random() * cardinality(%(areas)s::int[]))::int]
            FROM generate_series(1, %(n)s) g, LATERAL generate_series(1, 1 + g %% 3) k
            """,
            p,
        )
        self.sql(
            "group characteristics (0 to 3 each)",
            """
            INSERT INTO group_characteristic (group_id, characteristic_id)
            SELECT DISTINCT g, (%(characteristics)s::int[])
                [1 + floor(random() * cardinality(%(characteristics)s::int[]))::int]
            FROM generate_series(1, %(n)s) g, LATERAL generate_series(1, g %% 4) k
            """,
            p,
        )
        self.sql(
            "contacts",
            """
            INSERT INTO contact (id, group_id, name, role, email, phone, preferred_language, access_needs,
                consent_given, consent_date, consent_method, consent_wording, do_not_contact, is_archived,
                created_at, updated_at)
            SELECT n, 1 + floor(random() * %(groups)s)::int, first || ' ' || last, 'Coordinator',
                lower(first || '.' || last || n) || '@example.org',
                '0121 496 ' || lpad((n %% 10000)::text, 4, '0'),
                'English', '', consent, CASE WHEN consent THEN date '2024-01-01' END,
                CASE WHEN consent THEN 'email' ELSE '' END, '', random() < 0.02, random() < 0.03, now(), now()
            FROM (
                SELECT n, random() < 0.8 AS consent,
                    (%(first)s::text[])[1 + floor(random() * cardinality(%(first)s::text[]))::int] first,
                    (%(last)s::text[])[1 + floor(random() * cardinality(%(last)s::text[]))::int] last
                FROM generate_series(1, %(n)s) n
            ) people
            """,
            {"n": self.v.contacts, "groups": self.v.groups, "first": FIRST_NAMES, "last": LAST_NAMES},
        )

    def _policies_and_consultations(self) -> None:
        v = self.v
        p = {**self.params, "n": v.policies, "titles": POLICY_TITLES}
        self.sql(
            "policies",
            """
            INSERT INTO policy (id, reference, title, kind, delivery_area_id, is_key, owner_id, status,
                                summary, created_at, updated_at)
            SELECT n, 'BENCH-' || lpad(n::text, 4, '0'),
                (%(titles)s::text[])[1 + (n - 1) %% cardinality(%(titles)s::text[])]
                    || CASE WHEN n > cardinality(%(titles)s::text[]) THEN ' ' || n ELSE '' END,
                (ARRAY['policy','strategy','scheme','programme','review','deliverable'])[1 + n %% 6],
                (SELECT id FROM delivery_area ORDER BY id OFFSET n %% 8 LIMIT 1), n %% 3 = 0,
                CASE WHEN n = 1 THEN 2 END,
                (ARRAY['emerging','in_development','consultation','adopted','under_review'])[1 + n %% 5],
                'A policy the benchmark made up.', now(), now()
            FROM generate_series(1, %(n)s) n
            """,
            p,
        )
        # 1: the big consultation (closed); 2-4: the big policy's; 5: the public form (open); 6-: the rest.
        self.sql(
            "consultations",
            """
            INSERT INTO consultation (id, title, slug, summary, background, status, opens_at, closes_at,
                formats, privacy_notice, asks_monitoring, asks_carer, asks_care_experienced,
                created_at, updated_at)
            SELECT n,
                CASE n WHEN 1 THEN 'Bus fares 2025: the big consultation'
                       WHEN 5 THEN 'Benchmark public form'
                       ELSE 'Consultation ' || n END,
                CASE n WHEN 5 THEN %(public_slug)s ELSE 'bench-consultation-' || n END,
                'What should change?', '',
                CASE WHEN n = 5 THEN 'open' WHEN n %% 4 = 0 THEN 'analysed' ELSE 'closed' END,
                opens, opens + interval '8 weeks', '["easy_read"]'::json,
                'We use your answers to shape this work.', true, n = 1, false, opens, opens
            FROM (
                SELECT n, CASE n WHEN 1 THEN %(big_opens)s::timestamptz
                                 WHEN 5 THEN now() - interval '1 day'
                                 ELSE %(start)s::timestamptz + random() * interval '34 months' END AS opens
                FROM generate_series(1, %(n)s) n
            ) dated
            """,
            {
                **self.params,
                "n": v.consultations,
                "public_slug": PUBLIC_SLUG,
                "big_opens": BIG_CONSULTATION_WINDOW[0],
            },  # fmt: skip
        )
        self.conn.execute(
            "UPDATE consultation SET closes_at = %s WHERE id = %s",
            (BIG_CONSULTATION_WINDOW[1], BIG_CONSULTATION),
        )
        self.conn.execute(
            "UPDATE consultation SET closes_at = now() + interval '5 years' WHERE id = %s",
            (PUBLIC_CONSULTATION,),
        )
        self.sql(
            "consultation policies",
            """
            INSERT INTO consultation_policy (consultation_id, policy_id)
            SELECT 1, %(big_consultation_policy)s
            UNION SELECT c, %(big_policy)s FROM unnest(%(big_policy_consultations)s::int[]) c
            UNION SELECT %(public)s, %(public_policy)s
            UNION SELECT c, 3 + floor(random() * (%(policies)s - 2))::int
                FROM generate_series(%(first_other)s, %(n)s) c, generate_series(1, 1 + c %% 2) k
            """,
            {
                "big_consultation_policy": BIG_CONSULTATION_POLICY,
                "big_policy": BIG_POLICY,
                "big_policy_consultations": list(BIG_POLICY_CONSULTATIONS),
                "public": PUBLIC_CONSULTATION,
                "public_policy": PUBLIC_POLICY,
                "policies": v.policies,
                "first_other": FIRST_OTHER_CONSULTATION,
                "n": v.consultations,
            },  # fmt: skip
        )
        self.sql(
            "consultation targets (characteristics, areas)",
            """
            WITH targets AS (
                INSERT INTO consultation_characteristic (consultation_id, characteristic_id)
                SELECT DISTINCT c, (%(characteristics)s::int[])
                    [1 + floor(random() * cardinality(%(characteristics)s::int[]))::int]
                FROM generate_series(1, %(n)s) c, generate_series(1, 3) k
                RETURNING 1
            )
            INSERT INTO consultation_area (consultation_id, area_id)
            SELECT DISTINCT c, (%(areas)s::int[])[1 + floor(random() * cardinality(%(areas)s::int[]))::int]
            FROM generate_series(1, %(n)s) c, generate_series(1, 2) k
            """,
            {**self.params, "n": v.consultations},
        )
        # The big consultation and the public form ask what a real form asks: an agreement scale, a single
        # choice, a multiple choice and a free-text question (73 choices with monitoring, as in the issue).
        self.sql(
            "questions",
            """
            INSERT INTO question (consultation_id, position, kind, text, hint, required, max_length, options)
            SELECT c, q.position, q.kind, q.text, '', q.position = 1, NULL, q.options::json
            FROM unnest(ARRAY[%(big)s, %(public)s]) c, (VALUES
                (1, 'agreement', 'How far do you agree with the proposal?', '[]'),
                (2, 'single_choice', 'How do you usually travel?',
                    '["Bus", "Tram or train", "Car", "Walking or cycling"]'),
                (3, 'multiple_choice', 'What would help you most?',
                    '["Cheaper fares", "More frequent services", "Step-free access", "Better information",
                      "Safer stops"]'),
                (4, 'free_text', 'Tell us anything else about the proposal.', '[]')
            ) q(position, kind, text, options)
            """,
            {"big": BIG_CONSULTATION, "public": PUBLIC_CONSULTATION},
        )

    def _events(self) -> None:
        v = self.v
        p = {**self.params, "n": v.events, "big_events": v.big_policy_events, "policies": v.policies,
             "consultations": v.consultations, "groups": v.groups}  # fmt: skip
        self.sql(
            "engagement events",
            """
            INSERT INTO engagement_event (id, title, kind, starts_at, ends_at, area_id, venue,
                consultation_id, attendance, coproduction_level, provisions, notes, is_archived,
                created_by_id, created_at, updated_at)
            SELECT n, 'Event ' || n || ': ' || kind, kind, starts, starts + interval '2 hours',
                (%(areas)s::int[])[1 + floor(random() * cardinality(%(areas)s::int[]))::int],
                'Community centre',
                CASE WHEN random() < 0.3 THEN 6 + floor(random() * (%(consultations)s - 5))::int END,
                20 + floor(random() * 200)::int, 'consult', '[]'::json, '', false, 3, starts, starts
            FROM (
                SELECT n, (ARRAY['street_outreach','workshop','focus_group','drop_in','public_meeting',
                               'webinar','stall','commission_meeting','one_to_one'])
                        [1 + floor(random() * 9)::int] kind,
                    %(start)s::timestamptz + random() * (%(end)s::timestamptz - %(start)s::timestamptz) starts
                FROM generate_series(1, %(n)s) n
            ) planned
            """,
            p,
        )
        self.sql(
            "event policies (the big policy's events first)",
            """
            INSERT INTO event_policy (event_id, policy_id)
            SELECT e, %(big_policy)s FROM generate_series(1, %(big_events)s) e
            UNION
            SELECT e, 2 + floor(random() * (%(policies)s - 1))::int
            FROM generate_series(%(big_events)s + 1, %(n)s) e WHERE random() < 0.6
            """,
            {**p, "big_policy": BIG_POLICY},
        )
        self.sql(
            "event groups, reach and officers",
            """
            WITH groups AS (
                INSERT INTO event_group (event_id, group_id)
                SELECT DISTINCT e, 1 + floor(random() * %(groups)s)::int
                FROM generate_series(1, %(n)s) e, generate_series(1, 1 + e %% 4) k
                RETURNING 1
            ), officers AS (
                INSERT INTO event_officer (event_id, user_id) SELECT e, 3 FROM generate_series(1, %(n)s) e
                RETURNING 1
            )
            INSERT INTO event_reach (event_id, characteristic_id, estimated_count)
            SELECT e, c, max(5 + floor(random() * 60)::int) FROM (
                SELECT e, (%(characteristics)s::int[])
                    [1 + floor(random() * cardinality(%(characteristics)s::int[]))::int] c
                FROM generate_series(1, %(n)s) e, generate_series(1, 2 + e %% 3) k
            ) picked GROUP BY e, c
            """,
            p,
        )

    # ---- responses and monitoring -----------------------------------------------------------------------

    def _responses(self) -> None:
        v = self.v
        p = {"n": v.responses, "groups": v.groups, "consultation": BIG_CONSULTATION,
             "opens": BIG_CONSULTATION_WINDOW[0], "closes": BIG_CONSULTATION_WINDOW[1],
             "first": FIRST_NAMES, "last": LAST_NAMES}  # fmt: skip
        self.sql(
            "responses to the big consultation",
            """
            INSERT INTO response (id, consultation_id, reference, submission_token, channel, respondent_kind,
                group_id, group_name, name, email, language, status, consent_given, received_at, keyed_by_id)
            SELECT n, %(consultation)s,
                'CV-' || substr(h, 1, 4) || '-' || substr(h, 5, 4), md5('token' || n) || md5('more' || n),
                channel, CASE WHEN for_group THEN 'group' ELSE 'individual' END,
                CASE WHEN for_group AND random() < 0.5 THEN 1 + floor(random() * %(groups)s)::int END,
                CASE WHEN for_group THEN 'A community group' ELSE '' END,
                CASE WHEN named THEN first || ' ' || last ELSE '' END,
                CASE WHEN named THEN lower(first || '.' || last || n) || '@example.org' ELSE '' END,
                CASE WHEN random() < 0.9 THEN 'English' ELSE 'Urdu' END,
                CASE WHEN r < 0.01 THEN 'spam' WHEN r < 0.02 THEN 'withdrawn' WHEN r < 0.4 THEN 'accepted'
                     ELSE 'received' END,
                true,
                %(opens)s::timestamptz
                    + (n::float / %(n)s) * (%(closes)s::timestamptz - %(opens)s::timestamptz)
                    + random() * interval '1 hour',
                CASE WHEN channel <> 'online' THEN 3 END
            FROM (
                SELECT n, upper(lpad(to_hex(n), 8, '0')) h, random() r, random() < 0.1 for_group,
                    random() < 0.4 named,
                    CASE WHEN random() < 0.8 THEN 'online'
                         ELSE (ARRAY['paper','email','phone','event'])[1 + floor(random() * 4)::int]
                    END channel,
                    (%(first)s::text[])[1 + floor(random() * cardinality(%(first)s::text[]))::int] first,
                    (%(last)s::text[])[1 + floor(random() * cardinality(%(last)s::text[]))::int] last
                FROM generate_series(1, %(n)s) n
            ) drawn
            """,
            p,
        )
        # A response's answers sit together and in question order, as the form writes them.
        self.sql(
            "answers (agreement, choice, multiple choice, free text)",
            """
            INSERT INTO answer (id, response_id, question_id, value, text)
            SELECT row_number() OVER (ORDER BY response_id, position, value),
                response_id, question_id, value, text
            FROM (
                SELECT response_id, question_id, position,
                    CASE kind WHEN 'agreement' THEN (1 + floor(random() * 5))::text
                              WHEN 'single_choice' THEN (1 + floor(random() * 4))::text END value,
                    CASE WHEN kind = 'free_text' THEN
                        (%(fragments)s::text[])[1 + floor(random() * cardinality(%(fragments)s::text[]))::int]
                        || ' ' || (%(fragments)s::text[])
                            [1 + floor(random() * cardinality(%(fragments)s::text[]))::int] END text
                FROM (
                    -- drawn per answer; OFFSET 0 stops the planner pushing random() down to the 4 questions
                    SELECT r.id response_id, q.id question_id, q.position, q.kind, random() draw
                    FROM response r JOIN question q ON q.consultation_id = r.consultation_id
                    WHERE r.consultation_id = %(consultation)s AND q.kind <> 'multiple_choice'
                    OFFSET 0
                ) drawn
                WHERE draw < CASE kind WHEN 'agreement' THEN 0.95 WHEN 'single_choice' THEN 0.9 ELSE 0.6 END
                UNION ALL
                SELECT DISTINCT r.id, q.id, q.position, (1 + floor(random() * 5))::text, NULL
                FROM response r JOIN question q ON q.consultation_id = r.consultation_id
                    AND q.kind = 'multiple_choice', LATERAL generate_series(1, 1 + r.id %% 3) k
                WHERE r.consultation_id = %(consultation)s AND r.id %% 5 <> 0
            ) given
            """,
            {"consultation": BIG_CONSULTATION, "fragments": FRAGMENTS},
        )

    def _monitoring(self) -> None:
        """One answer per asked question per response (10 with the carer question): 2,000,000 at scale 1.

        Rows carry only the consultation and a random key, as the app stores them; each question's answers
        are drawn from its weights by slot, since nothing ties one person's answers together anyway."""
        sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
        from crm.consultations import monitoring

        consultation = {"asks_monitoring": True, "asks_carer": True, "asks_care_experienced": False}
        asked = monitoring.questions_for(type("Asked", (), consultation))
        rows = []
        for question in asked:
            weights = {**SPECIAL_SHARES, **MONITORING_WEIGHTS.get(question.code, {})}
            shares = {code: weights.get(code, 0.5) for code in question.codes}
            total = sum(shares.values())
            slot = 0
            for code, share in shares.items():
                count = round(SLOTS * share / total)
                rows.extend((question.code, s, code) for s in range(slot, min(SLOTS, slot + count)))
                slot += count
            rows.extend((question.code, s, code) for s in range(slot, SLOTS))  # rounding: the last code
        self.conn.execute(
            "CREATE TEMP TABLE monitoring_slot (question text, slot int, answer text) ON COMMIT DROP"
        )
        with self.conn.cursor().copy("COPY monitoring_slot FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        self.conn.execute("CREATE INDEX ON monitoring_slot (question, slot)")
        self.conn.execute("ANALYZE monitoring_slot")
        self.sql(
            "monitoring answers",
            """
            INSERT INTO monitoring_answer (id, consultation_id, question, answer)
            SELECT md5(random()::text || n || drawn.question), %(consultation)s, drawn.question, s.answer
            FROM (
                SELECT n, q.question, floor(random() * %(slots)s)::int slot
                FROM generate_series(1, %(n)s) n, (SELECT DISTINCT question FROM monitoring_slot) q
                OFFSET 0
            ) drawn JOIN monitoring_slot s ON s.question = drawn.question AND s.slot = drawn.slot
            """,
            {"consultation": BIG_CONSULTATION, "n": self.v.responses, "slots": SLOTS},
        )
        # Spam and withdrawn responses (2%) have had their answers left out, as published batches do.
        self.sql(
            "monitoring exclusions",
            """
            INSERT INTO monitoring_excluded (id, consultation_id)
            SELECT id, consultation_id FROM monitoring_answer
            WHERE consultation_id = %(consultation)s AND random() < 0.02
            """,
            {"consultation": BIG_CONSULTATION},
        )
        self.sql(
            "responses left out",
            "UPDATE response SET monitoring_excluded = true WHERE status IN ('spam', 'withdrawn')",
            {},
        )
        self.asked_monitoring = len(asked)

    # ---- feedback -----------------------------------------------------------------------------------------

    def _feedback(self) -> None:
        v = self.v
        text = """(%(fragments)s::text[])[1 + floor(random() * cardinality(%(fragments)s::text[]))::int]
            || ' ' || (%(fragments)s::text[])
                [1 + floor(random() * cardinality(%(fragments)s::text[]))::int]
            || ' ' || (%(fragments)s::text[])
                [1 + floor(random() * cardinality(%(fragments)s::text[]))::int]"""
        source = "(ARRAY['email','phone','letter','meeting','social_media'])[1 + floor(random() * 5)::int]"
        group = "CASE WHEN random() < 0.3 THEN 1 + floor(random() * %(groups)s)::int END"
        contact = "CASE WHEN random() < 0.1 THEN 1 + floor(random() * %(contacts)s)::int END"
        self.conn.execute(
            """
            CREATE TEMP TABLE staged_feedback (
                kind text, text text, source text, excluded bool, received_at timestamptz,
                consultation_id int, response_id int, answer_id int, group_id int, event_id int,
                contact_id int, captured_by_id int
            ) ON COMMIT DROP
            """
        )
        p = {
            **self.params,
            "groups": v.groups,
            "contacts": v.contacts,
            "big_policy_consultations": list(BIG_POLICY_CONSULTATIONS),
            "big_events": v.big_policy_events,
            "events": v.events,
            "consultations": v.consultations,
            "first_other": FIRST_OTHER_CONSULTATION,
        }
        insert = "INSERT INTO staged_feedback "
        from_responses = self.sql(
            "feedback: free-text answers of the big consultation",
            insert
            + """
            SELECT 'response', a.text, 'response', r.status IN ('spam', 'withdrawn'), r.received_at,
                r.consultation_id, r.id, a.id, r.group_id, NULL, NULL, r.keyed_by_id
            FROM answer a JOIN response r ON r.id = a.response_id WHERE a.text IS NOT NULL
            """,
        )
        self.sql(
            "feedback: the big policy's consultations (keyed in)",
            insert
            + f"""
            SELECT 'big_policy_consultation', {text}, {source}, random() < 0.02,
                c.opens_at + random() * (c.closes_at - c.opens_at), c.id, NULL, NULL, {group}, NULL,
                {contact}, 3
            FROM generate_series(1, %(n)s) n
            JOIN consultation c ON c.id = (%(big_policy_consultations)s::int[])[1 + n %% 3]
            """,
            {**p, "n": v.big_policy_consultation_items},
        )
        for label, kind, count, event in (
            ("feedback: the big policy's events", "big_policy_event", v.big_policy_event_items,
             "1 + n %% %(big_events)s"),
            ("feedback: other events", "event", v.other_event_items,
             "%(big_events)s + 1 + floor(random() * (%(events)s - %(big_events)s))::int"),
        ):  # fmt: skip
            self.sql(
                label,
                insert
                + f"""
                SELECT '{kind}', {text}, 'event', random() < 0.02,
                    e.starts_at + random() * interval '14 days',
                    NULL, NULL, NULL, {group}, e.id, {contact}, 3
                -- the event is drawn first (OFFSET 0 keeps random() out of the join condition)
                FROM (SELECT n, {event} AS picked FROM generate_series(1, %(n)s) n OFFSET 0) d
                JOIN engagement_event e ON e.id = d.picked
                """,
                {**p, "n": count},
            )
        self.sql(
            "feedback: other consultations (keyed in)",
            insert
            + f"""
            SELECT 'consultation', {text}, {source}, random() < 0.02,
                c.opens_at + random() * (c.closes_at - c.opens_at), c.id, NULL, NULL, {group}, NULL,
                {contact}, 3
            FROM (SELECT n, %(first_other)s + floor(random() * (%(consultations)s - %(first_other)s + 1))::int
                      AS picked FROM generate_series(1, %(n)s) n OFFSET 0) d
            JOIN consultation c ON c.id = d.picked
            """,
            {**p, "n": v.other_consultation_items},
        )
        rest = v.feedback - from_responses - v.big_policy_consultation_items - v.big_policy_event_items
        rest -= v.other_event_items + v.other_consultation_items
        self.sql(
            "feedback: email, phone, letters with no consultation or event",
            insert
            + f"""
            SELECT 'direct', {text}, {source}, random() < 0.02,
                %(start)s::timestamptz + random() * (%(end)s::timestamptz - %(start)s::timestamptz),
                NULL, NULL, NULL, {group}, NULL, {contact}, 3
            FROM generate_series(1, %(n)s) n
            """,
            {**p, "n": max(rest, 0)},
        )
        # Numbered in the order received, as a live system numbers them; coded items get codes below.
        self.conn.execute(
            """
            CREATE TEMP TABLE numbered_feedback ON COMMIT DROP AS
            SELECT row_number() OVER (ORDER BY received_at) id, s.*, random() < 0.6 coded,
                (ARRAY['support','oppose','mixed','neutral'])[1 + floor(random() * 4)::int] stance_drawn,
                random() r
            FROM staged_feedback s
            """
        )
        self.conn.execute("CREATE INDEX ON numbered_feedback (kind)")
        self.sql(
            "feedback items (numbered by time received)",
            """
            INSERT INTO feedback (id, text, source, status, stance, received_at, consultation_id, response_id,
                answer_id, group_id, captured_by_id, created_at, updated_at, event_id, contact_id)
            SELECT id, text, source,
                CASE WHEN excluded THEN 'excluded' WHEN coded THEN 'coded' ELSE 'new' END,
                CASE WHEN (coded AND r < 0.5) OR r < 0.1 THEN stance_drawn END,
                received_at, consultation_id, response_id, answer_id, group_id, captured_by_id,
                received_at, received_at, event_id, contact_id
            FROM numbered_feedback ORDER BY id
            """,
        )

    def _codes_and_links(self) -> None:
        v = self.v
        p = {**self.params, "policies": v.policies}
        # Skewed choices (random()^k): a few themes and characteristics are common, as in real coding.
        for label, table, column, ids, share, most in (
            ("themes on coded feedback (1 to 3)", "feedback_theme", "theme_id", "themes", 1.0, 3),
            ("barriers on half of it (1 to 2)", "feedback_barrier", "barrier_id", "barriers", 0.5, 2),
            ("characteristics on two thirds of it (1 to 2)", "feedback_characteristic", "characteristic_id",
             "characteristics", 0.65, 2),
        ):  # fmt: skip
            self.sql(
                label,
                f"""
                INSERT INTO {table} (feedback_id, {column})
                SELECT DISTINCT f.id, (%({ids})s::int[])
                    [1 + floor(cardinality(%({ids})s::int[]) * power(random(), 1.6))::int]
                FROM numbered_feedback f, LATERAL generate_series(1, 1 + f.id %% {most}) k
                WHERE f.coded AND random() < {share}
                """,
                p,
            )
        self.sql(
            "feedback policies: responses carry their consultation's",
            """
            INSERT INTO feedback_policy (feedback_id, policy_id)
            SELECT id, %(policy)s FROM numbered_feedback WHERE kind = 'response'
            """,
            {"policy": BIG_CONSULTATION_POLICY},
        )
        self.sql(
            "feedback policies: the big policy's direct links and overlaps",
            """
            INSERT INTO feedback_policy (feedback_id, policy_id)
            (SELECT id, %(policy)s FROM numbered_feedback WHERE kind = 'direct'
             ORDER BY random() LIMIT %(direct)s)
            UNION
            (SELECT id, %(policy)s FROM numbered_feedback
             WHERE kind IN ('big_policy_consultation', 'big_policy_event')
             ORDER BY random() LIMIT %(overlap)s)
            """,
            {"policy": BIG_POLICY, "direct": v.big_policy_direct, "overlap": v.big_policy_overlap},
        )
        self.sql(
            "feedback policies: other policies",
            """
            INSERT INTO feedback_policy (feedback_id, policy_id)
            SELECT DISTINCT id, 3 + floor(random() * (%(policies)s - 2))::int
            FROM (SELECT id FROM numbered_feedback WHERE kind IN ('direct', 'consultation', 'event')
                  ORDER BY random() LIMIT %(n)s) picked
            ON CONFLICT DO NOTHING
            """,
            {**p, "n": v.other_policy_links},
        )
        self.sql(
            "how the big policy used some of its feedback",
            """
            INSERT INTO policy_influence (policy_id, feedback_id, use, note, decided_by_id, decided_at,
                                          created_at, updated_at)
            SELECT %(policy)s, id, (ARRAY['changed','mitigation','no_change'])[1 + id %% 3],
                'Recorded by the benchmark.', 2, received_at + interval '30 days', now(), now()
            FROM numbered_feedback
            WHERE kind IN ('big_policy_consultation', 'big_policy_event') AND NOT excluded
            ORDER BY random() LIMIT %(n)s
            """,
            {"policy": BIG_POLICY, "n": v.influences},
        )

    # ---- what was built ----------------------------------------------------------------------------------

    def _facts(self) -> dict:
        def one(statement: str, params=None):
            return self.conn.execute(statement, params or {}).fetchone()[0]

        reached = one(
            """
            SELECT count(*) FROM feedback f WHERE f.status <> 'excluded' AND f.id IN (
                SELECT id FROM feedback WHERE consultation_id IN
                    (SELECT consultation_id FROM consultation_policy WHERE policy_id = %(p)s)
                UNION SELECT id FROM feedback WHERE event_id IN
                    (SELECT event_id FROM event_policy WHERE policy_id = %(p)s)
                UNION SELECT feedback_id FROM feedback_policy WHERE policy_id = %(p)s)
            """,
            {"p": BIG_POLICY},
        )
        counts = {
            table: one(f"SELECT count(*) FROM {table}")
            for table in ("feedback", "community_group", "contact", "response", "answer", "monitoring_answer",
                          "engagement_event", "consultation", "policy", "feedback_theme", "feedback_barrier",
                          "feedback_characteristic", "feedback_policy")
        }  # fmt: skip
        return {
            "version": VOLUMES_VERSION,
            "volumes": asdict(self.v),
            "counts": counts,
            "big_policy": BIG_POLICY,
            "big_policy_reached": reached,
            "big_consultation": BIG_CONSULTATION,
            "public_slug": PUBLIC_SLUG,
            "public_consultation": PUBLIC_CONSULTATION,
            "most_used_theme": one(
                "SELECT theme_id FROM feedback_theme GROUP BY theme_id ORDER BY count(*) DESC LIMIT 1"
            ),
            "built_at": one("SELECT now()::text"),
        }
