"""Real-Redis fixtures for job tests: skipped (saying why) when TEST_REDIS_URL is not set."""

from __future__ import annotations

import pytest
from redis import Redis
from rq import SimpleWorker

from marketplace.services.queue import queue
from tests import backends


@pytest.fixture
def redis_conn():
    url = backends.redis_url()
    if not url:
        pytest.skip("TEST_REDIS_URL is not set: the real-Redis RQ tests need a Redis server")
    conn = Redis.from_url(url)
    backends.delete_redis_keys(conn, backends.redis_prefix())
    yield conn
    backends.delete_redis_keys(conn, backends.redis_prefix())
    conn.close()


@pytest.fixture
def rq_app(app, redis_conn):
    """The app in production mode: committed outbox rows are relayed to RQ on real Redis."""
    app.config.update(
        JOBS_MODE="rq", REDIS_URL=backends.redis_url(), REDIS_PREFIX=backends.redis_prefix()
    )
    return app


def run_burst_worker(conn: Redis) -> None:
    """Run every queued job in this process, as `python -m worker` would, then return."""
    worker = SimpleWorker([queue(conn)], connection=conn, name=f"{backends.redis_prefix()}worker")
    worker.work(burst=True)
