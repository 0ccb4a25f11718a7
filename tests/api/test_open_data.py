"""Open data needs no token: consultations the public can see, published outcomes, published EIAs and
published responses to recommendations, as JSON and CSV, with cache headers; drafts, consultations not yet
open, unpublished outcomes, EIAs and responses, and the feedback an EIA cites, never appear."""

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


def test_only_published_eias_with_their_findings_and_not_the_feedback_they_cite(client):
    from crm.core.models import Characteristic
    from crm.eias.models import EIA, EIAFinding
    from tests.policy_factories import make_feedback, make_policy

    policy = make_policy("BUS-9", "Evening bus network")
    cited = make_feedback("I am Jo from Bloxwich and I can't get home after my shift")
    disability = db.session.scalar(db.select(Characteristic).where(Characteristic.name == "Disability"))
    published = EIA(
        policy_id=policy.id, version=1, status="published", outcome="adjust", published_at=utc_now()
    )
    draft = EIA(policy_id=policy.id, version=2, status="draft", scope="Still being written")
    db.session.add_all([published, draft])
    db.session.flush()
    finding = EIAFinding(
        eia_id=published.id,
        characteristic_id=disability.id,
        direction="negative",
        narrative="Later buses help",
    )
    finding.evidence = [cited]
    db.session.add(finding)
    db.session.commit()

    response = client.get("/api/v1/open/eias")
    assert response.status_code == 200 and response.headers["Cache-Control"].startswith("public")
    [item] = response.get_json()["items"]
    assert (item["reference"], item["policy_reference"], item["outcome"]) == (
        published.reference,
        "BUS-9",
        "adjust",
    )
    assert item["findings"] == [
        {
            "characteristic": "Disability",
            "direction": "negative",
            "severity": "",
            "narrative": "Later buses help",
        }
    ]
    assert "Jo from Bloxwich" not in response.get_data(as_text=True)
    text = client.get("/api/v1/open/eias.csv").get_data(as_text=True)
    assert "Disability: negative" in text and "Still being written" not in text and "Jo from" not in text


def test_only_published_responses_of_bodies_with_a_public_register(client):
    from datetime import date

    from crm.bodies import service
    from tests.web.test_bodies import _body, _recommendation

    public = _body()
    private = _body(name="Internal panel", slug="internal-panel", public=False)
    for body, title, publish in [
        (public, "Free travel for care leavers", True),
        (public, "Youth seats on the board", False),
        (private, "Kept inside", True),
    ]:
        recommendation = _recommendation(body=body, title=title, made_on=date(2026, 3, 1))
        owner = recommendation.owner
        service.record_response(
            owner, recommendation, "not_accepted", "No budget this year", date(2026, 4, 1)
        )
        if publish:
            service.set_published(owner, recommendation, True)
    db.session.commit()

    items = client.get("/api/v1/open/recommendation-responses").get_json()["items"]
    assert [(item["body"], item["recommendation"], item["decision"]) for item in items] == [
        ("Young Combined Authority", "Free travel for care leavers", "not_accepted")
    ]
    assert items[0]["register_url"].endswith("/bodies/young-combined-authority")
    assert items[0]["reasons"] == "No budget this year" and items[0]["implementation"] == ""
    text = client.get("/api/v1/open/recommendation-responses.csv").get_data(as_text=True)
    assert "Free travel for care leavers" in text
    assert "Youth seats on the board" not in text and "Kept inside" not in text
