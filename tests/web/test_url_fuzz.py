"""No URL gets a 500: every GET route, with ids past the database's integers in its path and huge, negative,
NUL-byte and junk values in the query arguments the lists read. Signed in as an admin (who may see every
staff page) and signed out for the public pages.

A plain test client (no page checks): this is about status codes, and parsing hundreds of pages would make
it slow.
"""

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from crm.core.models import Characteristic
from crm.eias.service import start_eia
from crm.engagement.models import Programme
from crm.extensions import db
from tests.consultation_factories import make_consultation, respond
from tests.factories import PASSWORD, make_contact, make_group, make_user
from tests.policy_factories import make_event, make_feedback, make_policy

HUGE_IDS = (2**31, 2**63, 10**20)
BAD_VALUES = (
    "2147483648",  # past PostgreSQL's integer
    "100000000000000000000",  # past a 64-bit integer
    "-1",
    "a\x00b",  # PostgreSQL refuses a NUL byte in text
    "²",  # a digit to str.isdigit(), but not to int()
    "junk",
)
QUERY_ARGS = (
    "page",
    "per_page",
    "area",
    "characteristic",
    "theme",
    "barrier",
    "search",
    "q",
    "group",
    "event",
    "policy",
    "consultation",
    "officer",
    "owner",
    "status",
    "kind",
    "source",
    "channel",
    "from",
    "to",
    "duplicate",
    "next",
    "view",
    "token",
    "body",
    "state",
)
# The table each path parameter names a row of, so the query arguments are tried on a page that exists.
PARAMETER_TABLES = {
    "consultation_id": "consultation",
    "question_id": "question",
    "response_id": "response",
    "policy_id": "policy",
    "feedback_id": "feedback",
    "event_id": "engagement_event",
    "group_id": "community_group",
    "contact_id": "contact",
    "eia_id": "eia",
    "finding_id": "eia_finding",
    "user_id": "staff_user",
    "theme_id": "theme",
    "entry_id": "characteristic",  # the first of the reference lists, sorted
    "job_id": "job",
    "request_id": "data_request",
    "programme_id": "programme",
    "objective_id": "objective",
    "measure_id": "measure",
    "cohort_id": "priority_cohort",
    "table_id": "census_table",
    "body_id": "standing_body",
    "membership_id": "membership",
    "recommendation_id": "recommendation",
    "task_id": "outreach_task",
    "email_id": "outbound_email",
}


def _get_rules(app, public: bool):
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        staff = rule.rule.startswith("/staff") and rule.endpoint != "auth.sign_in_page"
        if staff != public:
            yield rule


def _first_id(name: str) -> int:
    table = db.metadata.tables[PARAMETER_TABLES[name]]
    return db.session.scalar(select(func.min(table.c.id))) or 1


def _values(rule, ids: dict) -> dict:
    values = {}
    for name, converter in rule._converters.items():
        options = getattr(converter, "items", None)  # an `any(...)` converter lists its choices
        if options:
            values[name] = sorted(options)[0]
        elif type(converter).__name__ == "SlugConverter":
            values[name] = ids["slug"]
        else:
            values[name] = ids[name]
    return values


def _status(client, url, **kwargs) -> str | None:
    """What went wrong, or None. The test app lets exceptions through rather than render the 500 page."""
    try:
        status = client.get(url, **kwargs).status_code
    except Exception as error:
        return f"{type(error).__name__}: {str(error)[:80]}"
    return f"{status}" if status >= 500 else None


def _check(client, rule, ids, failures):
    int_names = [name for name in rule._converters if name in PARAMETER_TABLES]
    for name in int_names:
        for huge in HUGE_IDS:
            url = rule.build({**_values(rule, ids), name: huge})[1]
            if problem := _status(client, url):
                failures.append(f"{problem} {url}")
    base = rule.build(_values(rule, ids))[1]
    for value in BAD_VALUES:
        if problem := _status(client, base, query_string=dict.fromkeys(QUERY_ARGS, value)):
            failures.append(f"{problem} {base} with every argument {value!r}")
    # Several values for one argument too: a list filter reads them all.
    every = [(arg, value) for arg in QUERY_ARGS for value in BAD_VALUES]
    if problem := _status(client, base, query_string=every):
        failures.append(f"{problem} {base} with every value at once")


def _body_with_a_member_and_a_recommendation(group, policy, event):
    """A public body with a member, a recommendation answered, accepted and published, and one awaiting an
    answer: every page and form of bodies then has something to show."""
    from datetime import date

    from crm.bodies import service
    from crm.core import audit

    body = service.create_body(
        audit.SYSTEM,
        name="Fuzz Youth Assembly",
        slug="fuzz-youth-assembly",
        kind="youth_assembly",
        has_public_register=True,
        policy_ids=[policy.id],
    )
    db.session.flush()
    service.add_member(audit.SYSTEM, body, group.contacts[0].id, "chair", date(2026, 1, 1))
    owner = make_user(role="policy_lead")
    answered = service.create_recommendation(
        audit.SYSTEM, title="Answered", body_id=body.id, made_on=date(2026, 1, 5), owner_id=owner.id,
        policy_ids=[policy.id], event_id=event.id,
    )  # fmt: skip
    service.record_response(owner, answered, "accepted", "", date(2026, 2, 1))
    service.set_published(owner, answered, True)
    service.create_recommendation(
        audit.SYSTEM, title="Awaiting", body_id=body.id, made_on=date(2026, 1, 5), owner_id=owner.id
    )


def _objective_with_a_measure():
    from datetime import date

    from crm.core.models import Characteristic, DeliveryArea
    from crm.reports.models import Measure, Objective, PriorityCohort

    area = db.session.scalars(select(DeliveryArea)).first()
    objective = Objective(delivery_area_id=area.id, title="Hear more voices")
    db.session.add(PriorityCohort(name="Older people", categories=["age_band:85_over"]))
    db.session.add(
        Measure(
            objective=objective,
            kind="event_reach",
            characteristic_id=db.session.scalars(select(Characteristic.id)).first(),
            baseline=1,
            target=10,
            period_start=date(2026, 4, 1),
            period_end=date(2027, 3, 31),
        )
    )


@pytest.fixture
def records(app):
    group = make_group()
    make_contact(group)
    consultation = make_consultation()
    respond(consultation)
    policy = make_policy()
    event = make_event(policies=[policy], groups=[group], consultation=consultation)
    event.programme = Programme(name="Skills Street")
    _objective_with_a_measure()
    make_feedback(policies=[policy], event=event, group=group, themes=["Transport and travel"])
    start_eia(make_user(role="equality_lead"), policy)
    _outreach_task(policy)
    _data_request()
    _body_with_a_member_and_a_recommendation(group, policy, event)
    db.session.commit()
    ids = {name: _first_id(name) for name in PARAMETER_TABLES}
    ids["slug"] = consultation.slug
    ids["token"] = "no-such-upload"  # an upload's preview: its token names nothing, which is a page too
    return ids


def _outreach_task(policy):
    """An open task on a gap, so its page shows the forms to log an event and close it."""
    from datetime import timedelta

    from crm.evidence.service import OutreachValues, create_outreach_task, uk_today

    officer = make_user(role="engagement_officer")
    characteristic = db.session.scalar(select(func.min(Characteristic.id)))
    values = OutreachValues(characteristic, uk_today() + timedelta(days=30), officer.id)
    create_outreach_task(officer, policy, values)


def _data_request():
    from datetime import timedelta

    from crm.privacy import service

    service.file_request(
        "access", "", "sam@example.org", "", "", confirm_url=lambda token: token, lifetime=timedelta(hours=1)
    )


def _plain_client(app) -> FlaskClient:
    return FlaskClient(app, app.response_class, use_cookies=True)


def test_no_staff_get_route_answers_500_to_huge_ids_or_bad_arguments(app, records):
    admin = make_user(role="admin")
    client = _plain_client(app)
    page = client.get("/staff/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    signed_in = client.post(
        "/staff/sign-in", data={"email": admin.email, "password": PASSWORD, "csrf_token": token}
    )
    assert signed_in.status_code == 302
    failures = []
    rules = list(_get_rules(app, public=False))
    assert len(rules) > 50
    for rule in rules:
        _check(client, rule, records, failures)
    assert not failures, "\n".join(failures)


def test_no_public_get_route_answers_500_to_huge_ids_or_bad_arguments(app, records):
    client = _plain_client(app)
    failures = []
    rules = list(_get_rules(app, public=True))
    assert len(rules) > 8
    for rule in rules:
        _check(client, rule, records, failures)
    assert not failures, "\n".join(failures)
