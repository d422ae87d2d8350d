"""Login and password reset keep working when Redis is down or hangs: the rate limiter falls
back to memory and every Redis connection gives up quickly."""

from __future__ import annotations

import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from marketplace.extensions import db
from tests.conftest import empty_tables, free_port, make_test_app
from tests.factories import make_user

# A fault bound, not a performance target: without timeouts these requests took ~10 s or 500.
FAULT_BOUND_SECONDS = 5


class SilentServer:
    """Accepts TCP connections and never answers: a Redis that hangs."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._accepted: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:  # closed by stop()
                return
            self._accepted.append(conn)

    def stop(self) -> None:
        self._listener.close()
        for conn in self._accepted:
            conn.close()


@pytest.fixture
def silent_redis() -> Iterator[str]:
    server = SilentServer()
    yield f"redis://127.0.0.1:{server.port}/0"
    server.stop()


@pytest.fixture
def closed_redis() -> str:
    return f"redis://127.0.0.1:{free_port()}/0"


def _app_with_redis(database_url: str, redis_url: str):
    instance = Path(tempfile.mkdtemp(prefix="sr-redis-"))
    return make_test_app(
        database_url,
        instance,
        WTF_CSRF_ENABLED=False,
        SERVER_NAME="localhost",
        RATELIMIT_STORAGE_URI=redis_url,
        REDIS_URL=redis_url,
        JOBS_MODE="rq",
    )


def _login_and_reset_within_bound(database_url: str, redis_url: str) -> None:
    app = _app_with_redis(database_url, redis_url)
    with app.app_context():
        try:
            user = make_user("redis-down@example.com")
            client = app.test_client()
            started = time.monotonic()
            response = client.post(
                "/account/inloggen",
                data={"email": user.email, "password": "correct horse battery"},
            )
            assert response.status_code == 302
            response = client.post("/account/uitloggen")
            response = client.post("/account/wachtwoord-vergeten", data={"email": user.email})
            assert response.status_code == 302
            assert time.monotonic() - started < FAULT_BOUND_SECONDS
        finally:
            db.session.remove()
            empty_tables()
            db.session.remove()
            db.engine.dispose()


def test_login_and_password_reset_work_when_redis_refuses_connections(_schema, closed_redis):
    _login_and_reset_within_bound(_schema, closed_redis)


def test_login_and_password_reset_work_when_redis_accepts_but_never_answers(_schema, silent_redis):
    _login_and_reset_within_bound(_schema, silent_redis)
