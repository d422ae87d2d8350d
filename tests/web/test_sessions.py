"""Sessions end for real: on logout and password reset also a cookie copied before stops
working; cookies are SameSite=Lax, and Secure with HSTS when the app runs on https."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from flask import request

from tests.conftest import make_test_app
from tests.mailbox import outbox_messages

PROTECTED = "/organisaties/mijn"


def _copy_session(client, app):
    """A second browser holding a copy of `client`'s session cookie."""
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    thief = app.test_client()
    thief.set_cookie(cookie.key, cookie.value, domain=cookie.domain)
    return thief


def test_session_cookie_copied_before_logout_no_longer_logs_in(app, client, auth, user):
    auth.login(user.email)
    thief = _copy_session(client, app)
    assert thief.get(PROTECTED).status_code == 200
    auth.logout()
    assert thief.get(PROTECTED).status_code == 302


def test_session_cookie_copied_before_password_reset_no_longer_logs_in(app, client, auth, user):
    auth.login(user.email)
    thief = _copy_session(client, app)
    owner = app.test_client()
    owner.post("/account/wachtwoord-vergeten", data={"email": user.email})
    body = outbox_messages(user.email)[-1].get_content()
    link = re.search(r"https?://\S+", body).group(0).replace("http://localhost", "")
    new = "een nieuw wachtwoord"
    assert owner.post(link, data={"password": new, "confirm": new}).status_code == 302
    assert thief.get(PROTECTED).status_code == 302
    assert client.get(PROTECTED).status_code == 302


def test_logging_in_again_after_logout_works(client, auth, user):
    auth.login(user.email)
    auth.logout()
    auth.login(user.email)
    assert client.get(PROTECTED).status_code == 200


def test_session_cookie_is_samesite_lax_and_not_secure_on_http(client, auth, user):
    response = auth.login(user.email)
    cookie = response.headers["Set-Cookie"]
    assert "SameSite=Lax" in cookie
    assert "HttpOnly" in cookie
    assert "Secure" not in cookie
    assert "Strict-Transport-Security" not in response.headers


def _app(_schema, **config):
    instance = Path(tempfile.mkdtemp(prefix="sr-transport-"))
    return make_test_app(_schema, instance, WTF_CSRF_ENABLED=False, **config)


def test_https_scheme_makes_cookies_secure_and_sends_hsts(_schema):
    app = _app(_schema, PREFERRED_URL_SCHEME="https")
    response = app.test_client().post("/taal/en", data={"next": "/"}, base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "Secure" in response.headers["Set-Cookie"]
    assert "SameSite=Lax" in response.headers["Set-Cookie"]


def _seen_by_app(app, headers: dict[str, str]) -> tuple[str, str]:
    """The client address and root URL the app sees for a request with `headers`."""
    app.add_url_rule("/_seen", "seen", lambda: f"{request.remote_addr} {request.url_root}")
    remote_addr, url_root = (
        app.test_client()
        .get("/_seen", headers=headers, environ_base={"REMOTE_ADDR": "10.0.0.1"})
        .get_data(as_text=True)
        .split()
    )
    return remote_addr, url_root


FORWARDED = {
    "X-Forwarded-For": "203.0.113.7",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "sroi.example.nl",
}


def test_proxy_headers_are_trusted_when_configured(_schema):
    app = _app(_schema, PROXY_FIX_X_FOR=1, PROXY_FIX_X_PROTO=1, PROXY_FIX_X_HOST=1)
    assert _seen_by_app(app, FORWARDED) == ("203.0.113.7", "https://sroi.example.nl/")


def test_proxy_headers_are_ignored_by_default(_schema):
    assert _seen_by_app(_app(_schema), FORWARDED) == ("10.0.0.1", "http://localhost/")
