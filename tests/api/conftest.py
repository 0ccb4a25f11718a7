"""Tokens for API tests, made through the real service, and a client that sends them."""

from datetime import timedelta

import pytest

from crm.auth import tokens
from crm.core.time import uk_today
from crm.extensions import db
from tests.factories import make_user


@pytest.fixture
def make_token():
    """A usable token for a new user of `role` (or for `user`): returns (secret, token)."""

    def make(role: str = "engagement_officer", scope: str = "read", user=None, days: int = 30):
        user = user or make_user(role=role)
        created = tokens.create_token(user, f"{role} token", scope, uk_today() + timedelta(days=days))
        db.session.commit()
        return created.secret, created.token

    return make


@pytest.fixture
def api(client, make_token):
    """Call the API with a token: `api.get(url, role=...)`."""

    class Caller:
        def get(self, url: str, role: str = "engagement_officer", secret: str | None = None, **kwargs):
            secret = secret or make_token(role)[0]
            return client.get(url, headers={"Authorization": f"Bearer {secret}"}, **kwargs)

    return Caller()
