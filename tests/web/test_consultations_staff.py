import csv
import io
from datetime import UTC, datetime
from functools import partial

from openpyxl import load_workbook
from sqlalchemy import func, select

from crm.consultations import service
from crm.consultations.models import Consultation, Question, Response
from crm.core import audit
from crm.core.models import AuditEvent
from crm.extensions import db
from tests.consultation_factories import make_consultation, respond

DETAILS = {
    "title": "Evening bus services",
    "slug": "evening-buses",
    "summary": "Should buses run later?",
    "privacy_notice": "We use your answers to plan buses.",
    "opens_on": ["1", "3", "2027"],
    "opens_time": "9am",
    "closes_on": ["31", "3", "2027"],
    "closes_time": "11:59pm",
    "asks_monitoring": "y",
}


def test_an_officer_builds_a_consultation_with_uk_times_stored_as_utc(client, sign_in_as):
    sign_in_as("engagement_officer")
    response = client.submit("/staff/consultations/new", DETAILS)
    assert response.status_code == 302
    consultation = db.session.scalar(select(Consultation))
    assert consultation.closes_at == datetime(2027, 3, 31, 22, 59, tzinfo=UTC)  # 11:59pm BST
    assert consultation.opens_at == datetime(2027, 3, 1, 9, 0, tzinfo=UTC)  # 9am GMT
    page = client.page(f"/staff/consultations/{consultation.id}")
    assert "11:59pm on 31 March 2027" in page.text
    base = f"/staff/consultations/{consultation.id}"
    for text, kind, options in (
        ("Why?", "free_text", ""),
        ("Which times?", "multiple_choice", "Evenings\nWeekends"),
        ("Agree?", "agreement", ""),
    ):
        data = {"text": text, "kind": kind, "options": options, "required": "y"}
        assert client.submit(f"{base}/questions/new", data).status_code == 302
    questions = db.session.scalars(select(Question).order_by(Question.position)).all()
    assert [q.text for q in questions] == ["Why?", "Which times?", "Agree?"]
    assert questions[0].max_length == 2000
    client.submit(f"{base}/questions/{questions[2].id}/move/up", {}, form_page=base)
    db.session.expire_all()
    assert [q.text for q in db.session.scalars(select(Question).order_by(Question.position))] == [
        "Why?",
        "Agree?",
        "Which times?",
    ]
    text = client.submit(
        f"{base}/questions/new", {"text": "Pick", "kind": "single_choice", "options": "One"}
    ).text
    assert "Enter at least 2 options" in text
    assert client.submit(f"{base}/status/schedule", {}, form_page=base).status_code == 302
    db.session.expire_all()
    assert db.session.get(Consultation, consultation.id).status == "scheduled"


def test_bad_consultation_details_are_refused(client, sign_in_as):
    sign_in_as("admin")
    for changes, message in (
        ({"slug": "Bad Slug!"}, "Web address must be lower-case letters"),
        ({"closes_time": "soon"}, "Closing time must be a time"),
        ({"closes_time": ""}, "Enter the closing time"),
        ({"closes_on": ["31", "3", "2026"]}, "The closing date must be after the opening date"),
        ({"title": ""}, "Enter a title"),
    ):
        response = client.submit("/staff/consultations/new", {**DETAILS, **changes})
        assert response.status_code == 200 and message in response.text, message
    make_consultation(slug="evening-buses")
    assert "already uses this web address" in client.submit("/staff/consultations/new", DETAILS).text


def test_the_builder_says_questions_are_locked_once_a_response_exists(client, sign_in_as):
    sign_in_as("policy_lead")
    consultation = make_consultation()
    respond(consultation)
    page = client.page(f"/staff/consultations/{consultation.id}")
    assert "Questions cannot change because this consultation already has responses" in page.text
    assert "Add a question" not in page.text
    question = consultation.questions[0]
    url = f"/staff/consultations/{consultation.id}/questions/{question.id}/delete"
    client.submit(url, {}, form_page=f"/staff/consultations/{consultation.id}")
    assert db.session.get(Question, question.id) is not None


def test_officers_see_respondents_details_and_policy_leads_do_not(client, sign_in_as):
    consultation = make_consultation()
    response = respond(consultation, name="Fictional Fiona", email="fiona@example.org")
    url = f"/staff/consultations/{consultation.id}/responses/{response.id}"
    sign_in_as("engagement_officer")
    assert "fiona@example.org" in client.page(url).text
    assert "Fictional Fiona" in client.page(f"/staff/consultations/{consultation.id}/responses").text
    client.post("/staff/sign-out", data={"csrf_token": client.csrf_token("/staff/")})
    sign_in_as("policy_lead")
    assert "fiona@example.org" not in client.page(url).text
    assert "Fictional Fiona" not in client.page(f"/staff/consultations/{consultation.id}/responses").text


def test_responses_list_filters_by_channel_status_group_and_date(client, sign_in_as):
    sign_in_as("engagement_officer")
    consultation = make_consultation()
    respond(consultation)
    respond(consultation, respondent_kind="group", group_name="Fictional Friends of the Park")
    respond(
        consultation, channel="paper", actor=audit.SYSTEM, received_at=datetime(2026, 1, 5, 12, tzinfo=UTC)
    )
    base = f"/staff/consultations/{consultation.id}/responses"
    assert "3 responses" in client.page(base).text
    assert "1 response" in client.page(f"{base}?channel=paper").text
    assert "1 response" in client.page(f"{base}?group=friends").text
    assert "1 response" in client.page(f"{base}?from=2026-01-05&to=2026-01-05").text
    assert "0 responses" in client.page(f"{base}?status=spam").text
    assert client.page(f"{base}?from=nonsense&page=abc").text  # bad filters are ignored, not a 500


def test_an_officer_keys_in_a_paper_response_and_marks_one_as_spam(client, sign_in_as):
    officer = sign_in_as("engagement_officer")
    consultation = make_consultation()
    q = consultation.questions
    url = f"/staff/consultations/{consultation.id}/responses/new"
    token = client.page(url).select_one("input[name=token]")["value"]
    data = {
        "token": token,
        "channel": "paper",
        "respondent_kind": "individual",
        "name": "Paper Person",
        f"q{q[0].id}": "Written on paper",
        f"q{q[1].id}": "2",
        "received_on": ["3", "2", "2027"],
    }
    response = client.submit(url, data)
    assert response.status_code == 302
    stored = db.session.scalar(select(Response))
    assert stored.channel == "paper" and stored.keyed_by_id == officer.id and stored.name == "Paper Person"
    assert client.submit(url, data).status_code == 302  # sent twice: still one response
    assert len(db.session.scalars(select(Response)).all()) == 1
    refused = client.submit(url, {**data, "channel": "carrier-pigeon"})
    assert refused.status_code == 200 and "Select how the response arrived" in refused.text
    status_url = f"/staff/consultations/{consultation.id}/responses/{stored.id}/status"
    assert client.submit(status_url, {"status": "spam"}, form_page=url).status_code == 302
    db.session.expire_all()
    assert db.session.get(Response, stored.id).status == "spam"
    summary = client.page(f"/staff/consultations/{consultation.id}/summary")
    assert "From 0 responses" in summary.text


def test_summaries_count_choices_and_page_free_text(client, sign_in_as):
    sign_in_as("policy_lead")
    consultation = make_consultation()
    for number in range(25):
        respond(
            consultation,
            answers={
                consultation.questions[0].id: f"Answer number {number}",
                consultation.questions[1].id: "1" if number < 20 else "2",
                consultation.questions[2].id: ["1", "2"],
            },
        )
    page = client.page(f"/staff/consultations/{consultation.id}/summary")
    assert "From 25 responses" in page.text
    rows = [
        [cell.text for cell in row.select("th, td")]
        for row in page.select("#summary-" + str(consultation.questions[1].id) + " ~ table tbody tr")
    ][:3]
    assert (
        rows[0] == ["Bus", "20", "80%"] and rows[1] == ["Train", "5", "20%"] and rows[2] == ["Car", "0", "0%"]
    )
    answers = client.page(
        f"/staff/consultations/{consultation.id}/questions/{consultation.questions[0].id}/answers"
    )
    assert "25 answers" in answers.text and len(answers.select(".app-free-text")) == 20
    second = client.page(
        f"/staff/consultations/{consultation.id}/questions/{consultation.questions[0].id}/answers?page=2"
    )
    assert len(second.select(".app-free-text")) == 5


def test_exports_neutralise_formulas_leave_out_monitoring_and_are_audited(client, sign_in_as):
    consultation = make_consultation()
    respond(
        consultation,
        name='=HYPERLINK("http://evil")',
        email="a@example.org",
        answers={
            consultation.questions[0].id: "+SUM(A1:A9)",
            consultation.questions[1].id: "1",
            consultation.questions[2].id: ["1", "3"],
        },
        monitoring_answers={"sex": "female"},
    )
    sign_in_as("engagement_officer")
    response = client.get(f"/staff/consultations/{consultation.id}/responses/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert "Name" in rows[0] and '\'=HYPERLINK("http://evil")' in rows[1]
    assert "'+SUM(A1:A9)" in rows[1] and "Bus" in rows[1]
    # one value per cell: a multiple-choice question has a column per option
    ticked = dict(zip(rows[0], rows[1], strict=True))
    options = [name for name in rows[0] if name.startswith("Q3. ")]
    assert len(options) > 1 and all(name.endswith("]") for name in options)
    assert [ticked[name] for name in options].count("Yes") == 2  # the two options ticked
    assert not any(";" in cell for row in rows for cell in row)
    assert not any("female" in cell.lower() or "sex" in cell.lower() for row in rows for cell in row)
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("responses.exported%"))).all()
    assert events[0].changed_fields == ["answers", "email", "name"]
    client.post("/staff/sign-out", data={"csrf_token": client.csrf_token("/staff/")})
    sign_in_as("policy_lead")
    response = client.get(f"/staff/consultations/{consultation.id}/responses/export.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert "Name" not in values[0] and "Email" not in values[0]
    assert "'+SUM(A1:A9)" in values[1]


def test_a_responses_export_is_on_record_then_read_in_batches_as_it_is_sent(client, sign_in_as, monkeypatch):
    from crm.consultations import queries

    # Batches of two stand in for a big consultation; reading the body only after the request has ended
    # shows the rows come from the database as the file is sent, not from objects the view loaded.
    monkeypatch.setattr(queries, "responses_for_export", partial(queries.responses_for_export, batch=2))
    consultation = make_consultation()
    for number in range(5):
        respond(consultation, name=f"Person {number}", email=f"p{number}@example.org")
    sign_in_as("engagement_officer")
    response = client.get(f"/staff/consultations/{consultation.id}/responses/export.csv", buffered=False)
    try:
        with db.engine.connect() as connection:
            recorded = connection.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "responses.exported_csv")
            )
        assert recorded == 1 and response.is_streamed
        rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    finally:
        response.close()
    assert sorted(row[6] for row in rows[1:]) == [f"Person {number}" for number in range(5)]


def test_monitoring_totals_are_suppressed_and_only_for_equality_leads_and_admins(client, sign_in_as):
    consultation = make_consultation()
    for number in range(15):
        respond(consultation, monitoring_answers={"sex": "female" if number < 12 else "male"})
    url = f"/staff/consultations/{consultation.id}/monitoring"
    sign_in_as("equality_lead")
    page = client.page(url)
    sex = next(table for table in page.select("table") if "What is your sex?" in table.caption.text)
    cells = {row.th.text: row.select("td")[0].text for row in sex.select("tbody tr")}
    assert cells["Male"] == "fewer than 5" and cells["Total"] == "15"
    # the zeros beside it are "fewer than 5" too, so 15 - 12 = 3 is spread over three cells of 0 to 4
    assert cells["Prefer not to say"] == "fewer than 5" and cells["Not answered"] == "fewer than 5"
    assert cells["Female"] == "12"
    age = next(table for table in page.select("table") if "What is your age?" in table.caption.text)
    assert "15" in age.text  # everyone left it blank: "Not answered" 15
    client.post("/staff/sign-out", data={"csrf_token": client.csrf_token("/staff/")})
    sign_in_as("engagement_officer")
    assert client.get(url).status_code == 403


def test_the_monitoring_page_never_lists_answers_one_by_one(client, sign_in_as):
    consultation = make_consultation()
    respond(consultation, name="Only Person", monitoring_answers={"religion": "sikh"})
    sign_in_as("admin")
    page = client.page(f"/staff/consultations/{consultation.id}/monitoring")
    assert not page.select("table")  # one person: no breakdown at all (minimum n)
    assert "Not shown: fewer than 10 people answered" in page.text and "Sikh" not in page.text
    assert "Only Person" not in page.text and service.has_responses(consultation)


def test_the_staff_pages_show_what_was_built_in_loops(client, sign_in_as):
    """Lists built up in template loops must reach the page (Jinja loops scope their variables)."""
    from tests.consultation_factories import make_consultation, respond
    from tests.factories import make_policy

    policy = make_policy(reference="POL-777", title="Night buses")
    consultation = make_consultation(policy_ids=[policy.id])
    response = respond(consultation)
    sign_in_as("engagement_officer")
    assert "POL-777 Night buses" in client.page(f"/staff/consultations/{consultation.id}").text
    answers = client.page(f"/staff/consultations/{consultation.id}/responses/{response.id}").text
    assert "More buses in the evening" in answers
    statuses = [o.text for o in client.page("/staff/consultations").select("#status option")]
    assert len(statuses) > 3
    listing = client.page(f"/staff/consultations/{consultation.id}/responses")
    assert len(listing.select("#channel option")) > 3 and len(listing.select("#status option")) > 3
    policies = client.page("/staff/policies")
    assert len(policies.select("#kind option")) > 3 and len(policies.select("#status option")) > 3


def test_a_consultation_names_the_officer_running_it(client, sign_in_as, make_user):
    officer = sign_in_as("engagement_officer")
    viewer = make_user(role="viewer", name="Val Viewer")
    form = client.page("/staff/consultations/new")
    assert form.select_one("#owner_id option[selected]")["value"] == str(officer.id)  # whoever builds it
    assert "Val Viewer" not in form.select_one("#owner_id").text  # only officers and admins run them
    refused = client.submit("/staff/consultations/new", {**DETAILS, "owner_id": str(viewer.id)})
    assert refused.status_code == 200 and "Not a valid choice" in refused.text
    assert (
        client.submit("/staff/consultations/new", {**DETAILS, "owner_id": str(officer.id)}).status_code == 302
    )
    consultation = db.session.scalar(select(Consultation))
    assert consultation.owner_id == officer.id
    assert officer.name in client.page(f"/staff/consultations/{consultation.id}").text
