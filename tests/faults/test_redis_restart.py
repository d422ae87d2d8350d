"""Redis stopped while people work (issue 16): pages and logins go on, the jobs they cause
wait in the outbox, and run once when Redis is back. The Redis is a private `redis-server` on a
free port, started and stopped by the test (the machine's shared one is never touched)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from redis import Redis
from rq import SimpleWorker
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import OutboxJob
from marketplace.services import outbox
from marketplace.services.queue import queue
from tests.factories import PASSWORD, make_user
from tests.private_redis import PrivateRedis

# A fault bound, not a performance target: a request must not wait for Redis timeouts to pile up.
FAULT_BOUND_SECONDS = 5


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    server = PrivateRedis()
    server.start()
    yield server
    server.stop()


def pending_jobs() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).where(OutboxJob.status == "pending"))


def mails_sent(app) -> int:
    folder = Path(app.config["MAIL_DIR"])
    return len(list(folder.glob("*.eml"))) if folder.exists() else 0


def test_people_work_while_redis_is_down_and_their_jobs_run_once_it_is_back(
    app, client, private_redis
):
    app.config.update(REDIS_URL=private_redis.url, JOBS_MODE="rq", JOB_RETRY_INTERVALS=[0])
    user = make_user("werkt-door@example.com")
    login = {"email": user.email, "password": PASSWORD}
    assert client.post("/account/inloggen", data=login).status_code == 302

    private_redis.stop()
    started = time.monotonic()
    assert client.get("/").status_code == 200
    assert client.get("/meldingen").status_code == 200
    assert client.post("/account/uitloggen").status_code == 302
    assert client.post("/account/inloggen", data=login).status_code == 302
    assert client.post("/account/uitloggen").status_code == 302
    reset = client.post("/account/wachtwoord-vergeten", data={"email": user.email})
    assert reset.status_code == 302
    assert time.monotonic() - started < FAULT_BOUND_SECONDS
    waiting = pending_jobs()
    assert waiting >= 1  # the reset mail (or the job that writes it) waits in the outbox
    assert mails_sent(app) == 0

    private_redis.start()
    assert outbox.relay() == waiting  # what the worker's relay_outbox does every minute
    connection = Redis.from_url(private_redis.url)
    SimpleWorker([queue(connection)], connection=connection).work(burst=True)
    assert mails_sent(app) == 1

    assert outbox.relay() == 0  # nothing left to relay: the mail is not sent again
    SimpleWorker([queue(connection)], connection=connection).work(burst=True)
    assert mails_sent(app) == 1
    assert pending_jobs() == 0
