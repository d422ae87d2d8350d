"""Rate limits on registering, password reset requests, searching and the API
(blueprints/limits.py): over the limit a page answers 429 with `Retry-After` and our error page
in the reader's language, the API 429 with `Retry-After` and our error envelope. The tests'
app has limits no other test meets; each test here lowers one."""

from __future__ import annotations

import pytest
import redis

from marketplace.extensions import db
from tests import backends
from tests.api.conftest import BearerClient
from tests.conftest import make_test_app
from tests.factories import make_user


@pytest.fixture
def limits(app):
    """Set a limit for this test: limits(SEARCH_RATE_LIMIT="2 per minute")."""
    return app.config.update


def _until_refused(send, tries: int = 10):
    for _ in range(tries):
        response = send()
        if response.status_code == 429:
            return response
    raise AssertionError(f"still {response.status_code} after {tries} requests")


def test_registering_is_limited_per_address(client, limits):
    limits(REGISTER_RATE_LIMIT="2 per hour")
    form = {"email": "nieuw@example.com", "password": "x", "confirm": "y"}
    assert client.post("/account/registreren", data=form).status_code == 200
    assert client.post("/account/registreren", data=form).status_code == 200
    response = client.post("/account/registreren", data=form)
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert "Te veel pogingen" in response.get_data(as_text=True)


def test_the_register_page_itself_is_not_counted(client, limits):
    limits(REGISTER_RATE_LIMIT="1 per hour")
    for _ in range(3):
        assert client.get("/account/registreren").status_code == 200


def test_password_reset_requests_are_limited_per_address(client, limits):
    limits(PASSWORD_RESET_RATE_LIMIT="1 per hour")
    form = {"email": "wie@example.com"}
    assert client.post("/account/wachtwoord-vergeten", data=form).status_code == 302
    response = client.post("/account/wachtwoord-vergeten", data=form)
    assert response.status_code == 429
    assert "Retry-After" in response.headers


def test_the_refusal_page_speaks_the_readers_language(client, limits):
    limits(SEARCH_RATE_LIMIT="1 per minute")
    client.post("/taal/en")
    response = _until_refused(lambda: client.get("/zoeken?q=schoonmaak"))
    assert "Too many attempts" in response.get_data(as_text=True)


def test_search_page_and_api_share_one_count(client, limits):
    limits(SEARCH_RATE_LIMIT="2 per minute")
    assert client.get("/zoeken?q=schoonmaak").status_code == 200
    assert client.get("/api/v1/search?q=schoonmaak").status_code == 200
    response = client.get("/api/v1/search?q=schoonmaak")
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert response.json["error"]["code"] == "too_many_requests"
    assert response.json["error"]["message"]


def test_searching_users_are_counted_each_on_their_own(app, limits):
    limits(SEARCH_RATE_LIMIT="1 per minute")
    first, second = app.test_client(), app.test_client()
    for client, email in ((first, "een@example.com"), (second, "twee@example.com")):
        make_user(email)
        client.post("/account/inloggen", data={"email": email, "password": "correct horse battery"})
    assert first.get("/zoeken").status_code == 200
    assert second.get("/zoeken").status_code == 200
    assert first.get("/zoeken").status_code == 429


def test_the_api_is_limited_per_token(client, limits):
    limits(API_RATE_LIMIT="3 per minute")
    alice = BearerClient(client, make_user("alice@example.com"))
    bob = BearerClient(client, make_user("bob@example.com"))
    assert [alice.get("/api/v1/me").status_code for _ in range(3)] == [200, 200, 200]
    response = alice.get("/api/v1/contracts")
    assert response.status_code == 429
    assert "Retry-After" in response.headers
    assert set(response.json["error"]) == {"code", "message", "fields"}
    assert bob.get("/api/v1/me").status_code == 200


def test_the_api_without_a_token_is_limited_per_address(client, limits):
    limits(API_RATE_LIMIT="2 per minute")
    statuses = [client.get("/api/v1/organisations").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_searching_through_the_api_counts_towards_the_api_limit_too(client, limits):
    limits(API_RATE_LIMIT="2 per minute")
    assert client.get("/api/v1/organisations").status_code == 200
    assert client.get("/api/v1/search").status_code == 200
    assert client.get("/api/v1/search").status_code == 429


@pytest.mark.skipif(backends.redis_url() is None, reason="needs TEST_REDIS_URL")
def test_app_servers_count_in_one_redis(_schema, tmp_path):
    """Two app servers on one Redis (as in production): the limit is reached across both, and
    the counts live in Redis, not in either process."""
    prefix = f"{backends.redis_prefix()}limits-"
    config = {
        "RATELIMIT_STORAGE_URI": backends.redis_url(),
        "RATELIMIT_KEY_PREFIX": prefix,
        "API_RATE_LIMIT": "3 per minute",
    }
    first = make_test_app(_schema, tmp_path / "one", **config)
    second = make_test_app(_schema, tmp_path / "two", **config)
    connection = redis.Redis.from_url(backends.redis_url())
    try:
        statuses = [
            app.test_client().get("/api/v1/organisations").status_code
            for app in (first, second, first, second)
        ]
        assert statuses == [200, 200, 200, 429]
        assert connection.keys(f"LIMITS:LIMITER/{prefix}*")  # the limits library's key format
    finally:
        for key in connection.scan_iter(f"LIMITS:LIMITER/{prefix}*"):
            connection.delete(key)
        for app in (first, second):
            with app.app_context():
                db.engine.dispose()
