"""Login attempts are counted in the database per e-mail address and client address: at most
five password checks per pair before a lock, also under a burst of concurrent requests on a
served app; the owner from another address still logs in; locks double after each one."""

from __future__ import annotations

import threading
import urllib.parse
import urllib.request
from datetime import datetime, timedelta

import time_machine
from sqlalchemy import select
from werkzeug.serving import make_server

from marketplace.extensions import db
from marketplace.models import LoginThrottle
from tests.factories import PASSWORD

ATTACKER = {"REMOTE_ADDR": "198.51.100.66"}
OWNER = {"REMOTE_ADDR": "203.0.113.7"}
WRONG = "wrong password!"
CHECKED = "E-mailadres of wachtwoord is onjuist"
LOCKED = "Te veel mislukte pogingen"


def _login(client, email: str, password: str, environ: dict[str, str]):
    return client.post(
        "/account/inloggen", data={"email": email, "password": password}, environ_base=environ
    )


def test_owner_logs_in_from_another_address_while_an_attacker_is_locked(client, user):
    for _ in range(6):
        page = _login(client, user.email, WRONG, ATTACKER).get_data(as_text=True)
    assert LOCKED in page
    assert _login(client, user.email, PASSWORD, ATTACKER).status_code == 200  # still locked
    assert _login(client, user.email, PASSWORD, OWNER).status_code == 302


def test_forwarded_client_address_counts_when_a_proxy_is_configured(app, client, user):
    forwarded = {**ATTACKER, "HTTP_X_FORWARDED_FOR": "203.0.113.99"}
    for _ in range(6):
        page = _login(client, user.email, WRONG, forwarded).get_data(as_text=True)
    # Without PROXY_FIX_X_FOR the header is the client's own claim: the socket address counts.
    assert LOCKED in page
    assert LOCKED in _login(client, user.email, WRONG, ATTACKER).get_data(as_text=True)


def test_each_new_lock_of_a_pair_lasts_twice_as_long(client, user):
    start = datetime(2026, 12, 1, 9, 0)
    with time_machine.travel(start, tick=False):
        for _ in range(6):
            page = _login(client, user.email, WRONG, ATTACKER).get_data(as_text=True)
        assert "over 5 min." in page
    with time_machine.travel(start + timedelta(minutes=6), tick=False):
        for _ in range(6):
            page = _login(client, user.email, WRONG, ATTACKER).get_data(as_text=True)
        assert "over 10 min." in page


def test_a_successful_login_ends_the_count(client, user):
    for _ in range(4):
        _login(client, user.email, WRONG, ATTACKER)
    assert _login(client, user.email, PASSWORD, ATTACKER).status_code == 302
    assert db.session.scalars(select(LoginThrottle)).all() == []


def _post_login(url: str, email: str, password: str) -> str:
    body = urllib.parse.urlencode({"email": email, "password": password}).encode()
    request = urllib.request.Request(f"{url}/account/inloggen", data=body, method="POST")
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.read().decode()


def test_forty_concurrent_wrong_passwords_get_at_most_five_checks(app, user):
    # The database count is under test here, not the request rate limiter in front of it.
    app.config.update(LOGIN_RATE_LIMIT="100 per minute", LOGIN_PAIR_RATE_LIMIT="100 per minute")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    email = user.email  # read here: the threads have no app context to load it in
    pages: list[str] = []
    go = threading.Barrier(40)

    def attempt() -> None:
        go.wait()
        pages.append(_post_login(url, email, WRONG))

    try:
        threads = [threading.Thread(target=attempt) for _ in range(40)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        server.shutdown()
    checked = sum(CHECKED in page for page in pages)
    locked = sum(LOCKED in page for page in pages)
    assert (checked, locked) == (5, 35)
    db.session.expire_all()
    throttle = db.session.scalars(select(LoginThrottle)).one()
    assert throttle.lockouts == 1
    assert _login(app.test_client(), user.email, PASSWORD, OWNER).status_code == 302
