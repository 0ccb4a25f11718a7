"""Monitoring answers kept apart from responses (crm/consultations/monitoring_store.py): sealed while they
wait, published in shuffled batches of k or more, never changed when a response stops counting, and the
report never moves by one person. The PostgreSQL join by transaction id is in tests/postgres."""

from sqlalchemy import func, select

from crm.consultations import monitoring, monitoring_store, service
from crm.consultations.models import MonitoringAnswer, MonitoringExcluded, MonitoringWaiting, Response
from crm.core import transaction
from crm.extensions import db
from tests.consultation_factories import make_consultation, respond


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _tables(page) -> dict[str, dict[str, str]]:
    return {
        table.caption.text.strip(): {
            row.th.text: row.select("td")[0].text for row in table.select("tbody tr")
        }
        for table in page.select("table")
    }


def test_answers_wait_sealed_until_five_responses_can_be_published_together():
    consultation = make_consultation()
    first = respond(consultation, monitoring_answers={"sex": "female", "religion": "sikh"})
    (waiting,) = db.session.scalars(select(MonitoringWaiting)).all()
    assert _count(MonitoringAnswer) == 0
    readable = ("female", "sikh", "religion", "not_answered", first.reference)
    assert not any(word in waiting.sealed for word in readable)
    assert monitoring_store.answer_id(first.reference, "sex") not in waiting.sealed
    for _ in range(3):
        respond(consultation, monitoring_answers={"sex": "male"})
    assert _count(MonitoringAnswer) == 0 and _count(MonitoringWaiting) == 4
    respond(consultation, monitoring_answers={"sex": "male"})
    assert _count(MonitoringWaiting) == 0
    asked = len(monitoring_store.answer_ids(first.reference)) - 2  # carer and care experienced are off
    assert _count(MonitoringAnswer) == 5 * asked
    assert monitoring_store.counts(consultation.id)["sex"] == {"female": 1, "male": 4}
    # the first person's answers are found by their keyed ids, and by nothing else
    mine = select(MonitoringAnswer.question, MonitoringAnswer.answer).where(
        MonitoringAnswer.id.in_(monitoring_store.answer_ids(first.reference))
    )
    assert dict(db.session.execute(mine).all())["religion"] == "sikh"


def test_one_new_response_does_not_move_the_report(client, sign_in_as):
    consultation = make_consultation()
    for _ in range(10):
        respond(consultation, monitoring_answers={"sex": "female", "sexual_orientation": "straight"})
    sign_in_as("equality_lead")
    url = f"/staff/consultations/{consultation.id}/monitoring"
    yesterday = _tables(client.page(url))
    respond(consultation, monitoring_answers={"sex": "male", "sexual_orientation": "bisexual"})
    today = client.page(url)
    assert _tables(today) == yesterday  # the newcomer's answers cannot be read off the difference
    assert "1 response is waiting to be added" in today.text
    for _ in range(4):
        respond(consultation, monitoring_answers={"sex": "male", "sexual_orientation": "bisexual"})
    later = _tables(client.page(url))
    assert later != yesterday and later["What is your sex?"]["Total"] == "15"
    csv_text = client.get(f"{url}.csv").get_data(as_text=True)
    assert "What is your sex?,Total,15" in csv_text


def test_figures_are_for_the_whole_consultation_only_so_nothing_can_be_subtracted(app, client, sign_in_as):
    """The differencing attack needs two overlapping breakdowns: a report by date, channel or place. The
    monitoring rows hold no such thing, and the report's routes take no filter."""
    assert set(MonitoringAnswer.__table__.columns.keys()) == {"id", "consultation_id", "question", "answer"}
    for rule in app.url_map.iter_rules():
        if "monitoring" in rule.endpoint:
            assert rule.arguments <= {"consultation_id", "file_format"}, rule
    consultation = make_consultation()
    for number in range(15):
        respond(
            consultation, channel="online" if number % 2 else "paper", monitoring_answers={"sex": "female"}
        )
    sign_in_as("equality_lead")
    url = f"/staff/consultations/{consultation.id}/monitoring"
    whole = client.page(url)
    for filters in (
        "?channel=paper",
        "?from-day=1&from-month=1&from-year=2026",
        "?area=1",
        "?status=accepted",
    ):
        assert _tables(client.page(url + filters)) == _tables(whole)


def test_responses_marked_as_spam_leave_their_answers_untouched_and_the_counts_in_one_batch():
    consultation = make_consultation()
    responses = [respond(consultation, monitoring_answers={"sex": "female"}) for _ in range(10)]
    stored = sorted(db.session.execute(select(MonitoringAnswer.id, MonitoringAnswer.answer)).all())
    for number, response in enumerate(responses[:5], start=1):
        with transaction.unit_of_work():
            service.set_response_status("tester", response, "spam")
        # Nothing is written beside the status change; the fifth (k = 5) publishes the batch after commit.
        assert _count(MonitoringExcluded) == (0 if number < 5 else 5 * len(monitoring.QUESTIONS))
        assert monitoring_store.counts(consultation.id)["sex"] == {"female": 10 if number < 5 else 5}
    assert sorted(db.session.execute(select(MonitoringAnswer.id, MonitoringAnswer.answer)).all()) == stored
    assert all(db.session.scalars(select(Response.monitoring_excluded).where(Response.status == "spam")))


def test_forgetting_a_response_deletes_its_answers_published_or_waiting():
    consultation = make_consultation()
    published = [respond(consultation) for _ in range(5)]
    waiting = respond(consultation)
    before = _count(MonitoringAnswer)
    with transaction.unit_of_work():
        gone = service.forget_monitoring(published[0])
    assert gone == before // 5 and _count(MonitoringAnswer) == before - gone
    with transaction.unit_of_work():
        assert service.forget_monitoring(waiting) == 1
    assert _count(MonitoringWaiting) == 0


def test_answers_sealed_under_another_key_are_left_waiting(app):
    consultation = make_consultation()
    respond(consultation)
    app.config["MONITORING_LINK_KEY"] = "another key, as after a key was changed without moving what waits"
    try:
        with transaction.unit_of_work():
            assert monitoring_store.publish_waiting(consultation.id, at_least=1) == 0
        assert _count(MonitoringWaiting) == 1 and _count(MonitoringAnswer) == 0
    finally:
        app.config.pop("MONITORING_LINK_KEY")
    with transaction.unit_of_work():
        assert monitoring_store.publish_waiting(consultation.id, at_least=1) == 1
