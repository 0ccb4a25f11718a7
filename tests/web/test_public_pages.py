import pytest

from crm import create_app


@pytest.mark.parametrize(
    ("url", "heading"),
    [
        ("/", "Have your say"),
        ("/accessibility", "Accessibility statement"),
        ("/privacy", "Privacy notice"),
    ],
)
def test_public_pages_open_without_an_account(client, url, heading):
    page = client.page(url)
    assert heading in page.h1.text


def test_privacy_notice_explains_equality_monitoring_as_special_category_data(client):
    text = client.page("/privacy").text
    assert "special category data" in text and "Article 9" in text
    assert "smaller than 5 is hidden" in text


def test_the_service_is_not_branded_as_gov_uk(client):
    text = client.get("/").get_data(as_text=True)
    assert "Crown copyright" not in text and "govuk-header__logotype" not in text
    assert "Community Voice" in text


def test_healthz_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok", "database": "ok"}


def test_healthz_reports_an_unreachable_database():
    broken = create_app("test", SQLALCHEMY_DATABASE_URI="sqlite:////nonexistent-dir/none.db")
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503 and response.json["database"] == "unreachable"


def test_unknown_page_gets_a_friendly_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404 and "Page not found" in response.get_data(as_text=True)


def test_wrong_method_gets_405_with_allow_header(client):
    response = client.delete("/privacy")
    assert response.status_code == 405 and "GET" in response.headers["Allow"]


def test_security_headers_are_on_every_response(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "'unsafe-inline'" not in csp
    nonce = csp.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in response.get_data(as_text=True)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in response.headers
    assert client.get("/").headers["Content-Security-Policy"] != csp  # a new nonce each time


def test_production_sends_hsts_and_secure_cookies(monkeypatch, database_url, restore_limiter):
    monkeypatch.setenv("SECRET_KEY", "a-production-secret")
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")  # only named: no page here counts requests
    app = create_app("production")
    assert app.config["SESSION_COOKIE_SECURE"]
    assert "max-age" in app.test_client().get("/healthz").headers["Strict-Transport-Security"]


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")


@pytest.mark.parametrize("url", ["postgresql+psycopg://cv@db.example/crm", "mysql://cv@db.example/crm"])
def test_development_refuses_a_database_server_without_its_own_secret_key(monkeypatch, url):
    # CRM_ENV unset is development, whose secret key is public: a server's data must not be signed with it.
    monkeypatch.delenv("CRM_ENV", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", url)
    with pytest.raises(RuntimeError, match="SECRET_KEY is not set"):
        create_app()


def test_development_runs_on_sqlite_or_with_a_secret_key(monkeypatch):
    from config import config_for

    monkeypatch.delenv("CRM_ENV", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert config_for(None).ENV_NAME == "development"  # make run: the SQLite file in instance/
    monkeypatch.setenv("DATABASE_URL", "sqlite:///elsewhere.db")
    assert config_for(None).ENV_NAME == "development"
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://cv@db.example/crm")
    monkeypatch.setenv("SECRET_KEY", "a-secret-of-its-own")
    assert config_for(None).ENV_NAME == "development"


def test_production_refuses_to_start_without_a_database_url(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "a-production-secret")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(RuntimeError, match="DATABASE_URL"):
        create_app("production")


def test_sign_in_is_rate_limited_per_client_address(app, client):
    limit = int(app.config["SIGN_IN_RATE_LIMIT"].split()[0])
    token = client.csrf_token()
    statuses = [
        client.post(
            "/staff/sign-in", data={"email": f"x{i}@example.org", "password": "x", "csrf_token": token}
        ).status_code
        for i in range(limit + 1)
    ]
    assert statuses[-1] == 429 and 429 not in statuses[:-1]
