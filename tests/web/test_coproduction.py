"""Issue 15 part 3: co-production principles (admin-edited), how events and programmes met them, programmes'
co-production level, and the co-production report with its CSVs."""

import csv
import io
from datetime import UTC, datetime

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from crm.core import audit
from crm.core.models import AuditEvent, CoproductionPrinciple, DeliveryArea
from crm.engagement.models import PrincipleAssessment, Programme
from crm.engagement.service import create_programme
from crm.extensions import db
from tests.policy_factories import make_event, make_policy


def _principles() -> list[CoproductionPrinciple]:
    return list(
        db.session.scalars(
            select(CoproductionPrinciple)
            .where(CoproductionPrinciple.is_retired.is_(False))
            .order_by(CoproductionPrinciple.sort_order)
        )
    )


def _principle(name: str) -> CoproductionPrinciple:
    db.session.expire_all()  # as the requests left it, not as this session last saw it
    return db.session.scalar(select(CoproductionPrinciple).where(CoproductionPrinciple.name == name))


def _form(ratings: dict[str, str] | None = None, notes: dict[str, str] | None = None) -> dict:
    """Every principle in use "not assessed", but for the ratings and notes given by principle name."""
    data = {}
    for principle in _principles():
        data[f"rating_{principle.id}"] = (ratings or {}).get(principle.name, "not_assessed")
        data[f"note_{principle.id}"] = (notes or {}).get(principle.name, "")
    return data


def _assessments() -> dict[str, tuple[str, str]]:
    rows = db.session.execute(
        select(CoproductionPrinciple.name, PrincipleAssessment.rating, PrincipleAssessment.note).join(
            PrincipleAssessment.principle
        )
    ).all()
    return {name: (rating, note) for name, rating, note in rows}


def _programme(name="Skills Street", **values) -> Programme:
    programme = create_programme(
        audit.SYSTEM, **{"name": name, "description": "", "delivery_area_id": None, **values}
    )
    db.session.commit()
    return programme


def _area(name: str) -> int:
    return db.session.scalar(select(DeliveryArea.id).where(DeliveryArea.name == name))


def _soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html5lib")


# ---- Reference data


def test_the_starter_principles_are_seeded_in_order():
    names = [p.name for p in _principles()]
    assert names[:2] == ["Shared power", "Recognising lived experience as expertise"]
    assert "Feedback on what changed" in names


def test_an_admin_adds_a_principle_at_a_place_and_retires_it(client, sign_in_as):
    sign_in_as("admin")
    response = client.submit(
        "/staff/admin/reference/coproduction-principles/new",
        {"name": "Valuing time", "description": "We pay people for their time", "sort_order": "0"},
    )
    assert response.status_code == 302
    added = _principle("Valuing time")
    assert added.sort_order == 0 and added.description == "We pay people for their time"
    response = client.submit(
        f"/staff/admin/reference/coproduction-principles/{added.id}",
        {"name": "Valuing time", "sort_order": ""},
    )
    assert (
        response.status_code == 302 and _principle("Valuing time").sort_order == 0
    )  # empty: keeps its place
    client.submit(
        f"/staff/admin/reference/coproduction-principles/{added.id}/retire",
        form_page=f"/staff/admin/reference/coproduction-principles/{added.id}",
    )
    assert _principle("Valuing time").is_retired
    event = make_event()
    legends = client.page(f"/staff/events/{event.id}/principles").select("legend")
    assert "Shared power" in legends[0].text
    assert not [legend for legend in legends if "Valuing time" in legend.text]


def test_a_bad_position_is_refused_next_to_the_field(client, sign_in_as):
    sign_in_as("admin")
    response = client.submit(
        "/staff/admin/reference/coproduction-principles/new", {"name": "Valuing time", "sort_order": "soon"}
    )
    assert response.status_code == 200
    assert _soup(response).select_one("#sort_order-error")
    assert _principle("Valuing time") is None


# ---- Recording an assessment


def test_an_officer_records_how_an_event_met_the_principles(client, sign_in_as):
    event = make_event()
    sign_in_as("engagement_officer")
    page = client.page(f"/staff/events/{event.id}")
    assert page.find("a", href=f"/staff/events/{event.id}/principles")
    assert "Not assessed yet" in page.text
    response = client.submit(
        f"/staff/events/{event.id}/principles",
        _form({"Shared power": "partly_met", "Reciprocity": "not_met"}, {"Reciprocity": "No vouchers"}),
    )
    assert response.status_code == 302 and response.location == f"/staff/events/{event.id}"
    assert _assessments() == {"Shared power": ("partly_met", ""), "Reciprocity": ("not_met", "No vouchers")}
    audited = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "event.principles_assessed"))
    assert audited.entity_id == str(event.id)
    assert set(audited.changed_fields) == {"principle:shared-power", "principle:reciprocity"}
    text = client.page(f"/staff/events/{event.id}").text
    assert "Partly met" in text and "No vouchers" in text
    # Back to "not assessed" with no note: the row goes, as no row means not assessed.
    client.submit(f"/staff/events/{event.id}/principles", _form({"Shared power": "partly_met"}))
    assert _assessments() == {"Shared power": ("partly_met", "")}


def test_the_form_shows_what_was_recorded(client, sign_in_as):
    event = make_event()
    sign_in_as("admin")
    client.submit(f"/staff/events/{event.id}/principles", _form({"Reciprocity": "met"}))
    page = client.page(f"/staff/events/{event.id}/principles")
    reciprocity = _principle("Reciprocity")
    assert page.select_one(f"input[name=rating_{reciprocity.id}][value=met]").has_attr("checked")


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"rating": "brilliant"}, "Not a valid choice"),
        ({"rating": None}, "Select how far ‘Shared power’ was met"),
        ({"note": "x" * 2001}, "The note must be 2000 characters or fewer"),
    ],
)
def test_bad_input_is_refused_next_to_its_field_and_nothing_is_lost(client, sign_in_as, bad, message):
    event = make_event()
    sign_in_as("engagement_officer")
    client.submit(f"/staff/events/{event.id}/principles", _form({"Reciprocity": "met"}))
    shared = _principle("Shared power")
    data = _form({"Reciprocity": "not_met"}, {"Reciprocity": "Typed before the mistake"})
    if "rating" in bad:
        if bad["rating"] is None:
            del data[f"rating_{shared.id}"]
        else:
            data[f"rating_{shared.id}"] = bad["rating"]
        field = f"rating_{shared.id}"
    else:
        data[f"note_{shared.id}"] = bad["note"]
        field = f"note_{shared.id}"
    response = client.submit(f"/staff/events/{event.id}/principles", data)
    assert response.status_code == 200
    page = _soup(response)
    assert message in page.select_one(f"#{field}-error").text
    assert page.select_one(".govuk-error-summary")
    assert _assessments() == {"Reciprocity": ("met", "")}  # nothing saved
    reciprocity = _principle("Reciprocity")
    assert page.select_one(f"input[name=rating_{reciprocity.id}][value=not_met]").has_attr("checked")
    assert "Typed before the mistake" in page.select_one(f"#note_{reciprocity.id}").text


def test_a_retired_principle_is_refused_by_the_rules(app):
    from crm.engagement.service import EventError, PrincipleValue, assess_principles

    event = make_event()
    retired = _principle("Reciprocity")
    retired.is_retired = True
    with pytest.raises(EventError) as refused:
        assess_principles(audit.SYSTEM, event, [PrincipleValue(retired.id, "met")])
    assert refused.value.field == f"rating_{retired.id}"
    with pytest.raises(EventError):
        assess_principles(audit.SYSTEM, event, [PrincipleValue(_principle("Shared power").id, "brilliant")])


def test_an_old_assessment_of_a_retired_principle_still_shows_and_is_kept(client, sign_in_as):
    event = make_event()
    sign_in_as("engagement_officer")
    client.submit(f"/staff/events/{event.id}/principles", _form({"Reciprocity": "met"}))
    _principle("Reciprocity").is_retired = True
    db.session.commit()
    client.submit(f"/staff/events/{event.id}/principles", _form({"Shared power": "met"}))
    assert _assessments() == {"Reciprocity": ("met", ""), "Shared power": ("met", "")}
    assert "Reciprocity (retired)" in client.page(f"/staff/events/{event.id}").text


def test_the_database_holds_one_subject_and_one_row_per_principle(app):
    from sqlalchemy.exc import IntegrityError

    event, programme = make_event(), _programme()
    principle = _principle("Reciprocity")
    db.session.add(
        PrincipleAssessment(
            principle_id=principle.id, event_id=event.id, programme_id=programme.id, rating="met"
        )
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    db.session.add(PrincipleAssessment(principle_id=principle.id, event_id=event.id, rating="met"))
    db.session.add(PrincipleAssessment(principle_id=principle.id, event_id=event.id, rating="not_met"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_a_programme_has_a_level_and_its_own_assessment(client, sign_in_as):
    programme = _programme()
    sign_in_as("engagement_officer")
    response = client.submit(
        f"/staff/programmes/{programme.id}/edit",
        {
            "name": "Skills Street",
            "description": "",
            "delivery_area_id": "0",
            "coproduction_level": "involve",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Programme, programme.id).coproduction_level == "involve"
    page = client.page(f"/staff/programmes/{programme.id}")
    assert "Involve" in page.text
    assert page.find("a", href=f"/staff/programmes/{programme.id}/principles")
    response = client.submit(
        f"/staff/programmes/{programme.id}/principles", _form({"Shared power": "not_met"})
    )
    assert response.status_code == 302 and response.location == f"/staff/programmes/{programme.id}"
    row = db.session.scalar(select(PrincipleAssessment))
    assert (row.programme_id, row.event_id, row.rating) == (programme.id, None, "not_met")
    bad = client.submit(
        f"/staff/programmes/{programme.id}/edit",
        {"name": "Skills Street", "delivery_area_id": "0", "coproduction_level": "dictate"},
    )
    assert bad.status_code == 200 and _soup(bad).select_one("#coproduction_level-error")


@pytest.mark.parametrize("role", ["viewer", "policy_lead", "equality_lead"])
def test_only_officers_and_admins_record_assessments(client, sign_in_as, role):
    event, programme = make_event(), _programme()
    sign_in_as(role)
    assert client.get(f"/staff/events/{event.id}/principles").status_code == 403
    assert client.get(f"/staff/programmes/{programme.id}/principles").status_code == 403
    token = client.csrf_token("/staff/")
    data = {**_form({"Shared power": "met"}), "csrf_token": token}
    assert client.post(f"/staff/events/{event.id}/principles", data=data).status_code == 403
    assert client.post(f"/staff/programmes/{programme.id}/principles", data=data).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(PrincipleAssessment)) == 0
    page = client.page(f"/staff/events/{event.id}")
    assert not page.find("a", href=f"/staff/events/{event.id}/principles")


# ---- The report


def _at(year, month, day):
    return datetime(year, month, day, 12, tzinfo=UTC)


@pytest.fixture
def report_data():
    """Skills events: two in April to June 2026 (one involve, one consult), one in January 2027 (empower),
    through a programme in Skills and policies in Transport; an archived event, which is left out."""
    skills_programme = _programme("Skills Street", delivery_area_id=_area("Skills"))
    transport = make_policy(delivery_area="Transport")
    first = make_event(starts_at=_at(2026, 4, 10), coproduction_level="involve", programme=skills_programme)
    second = make_event(starts_at=_at(2026, 6, 30), coproduction_level="consult", policies=[transport])
    third = make_event(
        starts_at=_at(2027, 1, 5),
        coproduction_level="empower",
        programme=skills_programme,
        policies=[transport],
    )
    make_event(starts_at=_at(2026, 5, 1), coproduction_level="inform")  # no delivery area
    archived = make_event(starts_at=_at(2026, 5, 1), coproduction_level="inform", is_archived=True)
    ids = {p.name: p.id for p in _principles()}
    for subject, ratings in (
        ({"event_id": first.id}, {"Reciprocity": "not_met", "Shared power": "partly_met"}),
        ({"event_id": second.id}, {"Reciprocity": "not_met", "Shared power": "not_met"}),
        ({"event_id": third.id}, {"Reciprocity": "partly_met", "Shared power": "met"}),
        (
            {"programme_id": skills_programme.id},
            {"Reciprocity": "not_met", "Accessible and inclusive": "met"},
        ),
        ({"event_id": archived.id}, {"Building relationships": "not_met"}),
    ):
        for name, rating in ratings.items():
            db.session.add(PrincipleAssessment(principle_id=ids[name], rating=rating, **subject))
    db.session.commit()


def _table(page, table_id) -> list[list[str]]:
    return [
        [cell.get_text(strip=True) for cell in row.select("th, td")]
        for row in page.select_one(f"table#{table_id}").select("tr")
    ]


def _csv(client, table) -> list[list[str]]:
    response = client.get(f"/staff/reports/co-production/{table}.csv")
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_the_report_counts_levels_by_quarter_and_area_and_principles_not_met(client, sign_in_as, report_data):
    sign_in_as("viewer")
    index = client.page("/staff/reports")
    assert index.find("a", href="/staff/reports/co-production")
    page = client.page("/staff/reports/co-production")
    header = ["Inform", "Consult", "Involve", "Collaborate", "Empower", "Events"]
    assert _table(page, "levels-by-quarter") == [
        ["Quarter", *header],
        ["Apr to Jun 2026", "1", "1", "1", "0", "0", "3"],
        ["Jan to Mar 2027", "0", "0", "0", "0", "1", "1"],
        ["All quarters", "1", "1", "1", "0", "1", "4"],
    ]
    # The third counts under Transport (its policy) and Skills (its programme), in the delivery areas' order.
    assert _table(page, "levels-by-area") == [
        ["Delivery area", *header],
        ["Transport", "0", "1", "0", "0", "1", "2"],
        ["Skills", "0", "0", "1", "0", "1", "2"],
        ["No delivery area", "1", "0", "0", "0", "0", "1"],
        ["All events", "1", "1", "1", "0", "1", "4"],
    ]
    assert "each delivery area it serves" in page.text
    principles = _table(page, "principles")
    assert principles[0] == ["Principle", "Not met", "Partly met", "Met", "Times assessed"]
    assert principles[1] == ["Reciprocity", "3", "1", "0", "4"]
    assert principles[2] == ["Shared power", "1", "1", "1", "3"]
    assert ["Building relationships", "0", "0", "0", "0"] in principles  # the archived event is left out
    assert page.select_one("#principles-not-met-desc").text.startswith("Reciprocity: not met 3")


def test_each_csv_holds_exactly_the_figures_on_the_page(client, sign_in_as, report_data):
    sign_in_as("policy_lead")
    page = client.page("/staff/reports/co-production")
    for table in ("levels-by-quarter", "levels-by-area", "principles"):
        assert _csv(client, table) == _table(page, table), table
    assert (
        db.session.scalar(select(func.count()).where(AuditEvent.action == "reports.coproduction_exported"))
        == 3
    )


def test_the_report_says_so_when_there_is_nothing_yet(client, sign_in_as):
    sign_in_as("viewer")
    page = client.page("/staff/reports/co-production")
    assert _table(page, "levels-by-quarter") == [
        ["Quarter", "Inform", "Consult", "Involve", "Collaborate", "Empower", "Events"],
        ["All quarters", "0", "0", "0", "0", "0", "0"],
    ]
    assert client.get("/staff/reports/co-production/nonsense.csv").status_code == 404


def test_the_demo_assesses_its_events_and_programme_once(app):
    from crm.demo.events import seed_demo_events, seed_demo_principles
    from crm.reports.coproduction import principles_not_met

    seed_demo_events()
    assert seed_demo_principles() is True
    db.session.commit()
    programme = db.session.scalar(select(Programme))
    assert programme.coproduction_level == "involve"
    assert db.session.scalar(
        select(PrincipleAssessment.id).where(PrincipleAssessment.programme_id == programme.id)
    )
    before = db.session.scalar(select(func.count()).select_from(PrincipleAssessment))
    assert sum(line.not_met for line in principles_not_met()) > 0
    assert seed_demo_principles() is False
    assert db.session.scalar(select(func.count()).select_from(PrincipleAssessment)) == before
