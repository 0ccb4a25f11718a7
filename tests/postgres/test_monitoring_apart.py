"""On PostgreSQL nothing in the database joins a monitoring answer to its response: not the transaction id
(the join that worked before issue 12), nor the order rows were stored in."""

import itertools

from sqlalchemy import text

from crm.consultations import monitoring_store
from crm.consultations.models import Response
from crm.extensions import db
from tests.consultation_factories import form_data, make_consultation


def _respond_online(client, consultation, times: int) -> None:
    for _ in range(times):
        response = client.submit(f"/consultations/{consultation.slug}/respond", form_data(consultation))
        assert response.status_code == 302


def test_no_monitoring_answer_shares_a_transaction_id_or_a_neighbour_with_its_response(client):
    consultation = make_consultation()
    _respond_online(client, consultation, 11)
    db.session.expire_all()
    joined = "SELECT count(*) FROM monitoring_answer m JOIN response r ON m.xmin = r.xmin"
    assert db.session.scalar(text(joined)) == 0
    # the same join finds each response's own answers, written in its transaction: it would find these too
    own = (
        "SELECT count(DISTINCT r.id) FROM answer a JOIN response r"
        " ON a.xmin = r.xmin AND a.response_id = r.id"
    )
    assert db.session.scalar(text(own)) == 11
    # the eleventh response's answers wait beside it, in its transaction, but sealed: nothing readable
    waiting = db.session.execute(
        text("SELECT w.sealed FROM monitoring_waiting w JOIN response r ON w.xmin = r.xmin")
    ).all()
    assert len(waiting) == 1 and "female" not in waiting[0].sealed and "asian_indian" not in waiting[0].sealed
    # two batches of five, each in one transaction of its own, stored in a shuffled order
    batches = db.session.scalar(text("SELECT count(DISTINCT xmin::text) FROM monitoring_answer"))
    assert batches == 2
    stored_order = list(db.session.scalars(text("SELECT id FROM monitoring_answer ORDER BY ctid")))
    whose = {
        answer_id: response.id
        for response in db.session.scalars(db.select(Response))
        for answer_id in monitoring_store.answer_ids(response.reference)
    }
    runs = sum(1 for a, b in itertools.pairwise(stored_order) if whose[a] != whose[b]) + 1
    assert runs > 10 * 3  # ten people's answers in ten runs would be stored person by person
