"""Open data needs no token: consultations the public can see and published outcomes, as JSON and CSV,
with cache headers; drafts, consultations not yet open and unpublished outcomes never appear."""

from crm.core.models import utc_now
from crm.extensions import db
from crm.outcomes.models import Outcome
from tests.consultation_factories import make_consultation


def _outcome(consultation, status: str, we_did: str) -> Outcome:
    outcome = Outcome(
        consultation_id=consultation.id,
        we_asked="How should buses run?",
        you_said="Later buses",
        we_did=we_did,
        status=status,
        published_at=utc_now() if status == "published" else None,
    )
    db.session.add(outcome)
    db.session.commit()
    return outcome


def test_open_and_closed_consultations_without_a_token(client):
    open_one = make_consultation("open", title="Evening buses")
    closed = make_consultation("closed", title="Library hours")
    make_consultation("draft", title="Secret draft")
    make_consultation("scheduled", title="Not yet open")
    response = client.get("/api/v1/open/consultations")
    assert response.status_code == 200
    assert response.headers["Cache-Control"].startswith("public, max-age=")
    items = {item["title"]: item for item in response.get_json()["items"]}
    assert set(items) == {"Evening buses", "Library hours"}
    assert items["Evening buses"]["status"] == "open" and items["Library hours"]["status"] == "closed"
    assert items["Evening buses"]["url"].endswith(f"/consultations/{open_one.slug}")
    assert items["Library hours"]["closes_at"] == closed.closes_at.isoformat()

    csv = client.get("/api/v1/open/consultations.csv")
    assert csv.mimetype == "text/csv" and "public" in csv.headers["Cache-Control"]
    text = csv.get_data(as_text=True)
    assert "Evening buses" in text and "Library hours" in text and "Secret draft" not in text


def test_only_published_outcomes(client):
    _outcome(make_consultation("closed"), "published", "We added a 10pm bus")
    _outcome(make_consultation("closed"), "draft", "Not decided yet")
    items = client.get("/api/v1/open/outcomes").get_json()["items"]
    assert [item["we_did"] for item in items] == ["We added a 10pm bus"]
    text = client.get("/api/v1/open/outcomes.csv").get_data(as_text=True)
    assert "We added a 10pm bus" in text and "Not decided yet" not in text


def test_open_data_pages_by_cursor(client):
    for _ in range(3):
        make_consultation("open", questions=False)
    first = client.get("/api/v1/open/consultations?limit=2").get_json()
    assert len(first["items"]) == 2
    rest = client.get(f"/api/v1/open/consultations?limit=2&cursor={first['page']['next_cursor']}").get_json()
    assert len(rest["items"]) == 1 and rest["page"]["next_cursor"] is None
    bad = client.get("/api/v1/open/consultations?limit=1000")
    assert bad.status_code == 422 and bad.mimetype == "application/problem+json"
