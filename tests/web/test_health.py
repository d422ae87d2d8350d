"""`/healthz` (the process is up, no database) and `/readyz` (database, migrations at head,
Redis reachable with `noeviction`), both JSON; 503 with each check's result when not ready."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from marketplace.extensions import db
from tests.conftest import free_port
from tests.private_redis import PrivateRedis
from tests.querycount import counting_statements


def private_redis(policy: str) -> Iterator[str]:
    """A redis-server of this test's own with `policy` (tests/private_redis.py)."""
    server = PrivateRedis(policy)
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def noeviction_redis() -> Iterator[str]:
    yield from private_redis("noeviction")


@pytest.fixture
def evicting_redis() -> Iterator[str]:
    yield from private_redis("allkeys-lru")


def test_healthz_answers_json_without_touching_the_database(app, client):
    with counting_statements(db.engine) as statements:
        response = client.get("/healthz")
    assert (response.status_code, response.json) == (200, {"status": "ok"})
    assert statements.count == 0, statements


def test_readyz_is_ready_at_head_without_redis_in_embedded_mode(client, at_head):
    response = client.get("/readyz")
    assert response.status_code == 200
    checks = response.json["checks"]
    assert response.json["status"] == "ready"
    assert checks["database"]["ok"] and checks["migrations"] == {
        "ok": True,
        "current": [at_head],
        "head": [at_head],
        "ms": checks["migrations"]["ms"],
    }
    assert checks["redis"]["ok"] and "skipped" in checks["redis"]


def test_readyz_checks_redis_and_its_noeviction_policy(app, client, at_head, noeviction_redis):
    app.config["REDIS_URL"] = noeviction_redis
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json["checks"]["redis"]["ok"]
    assert response.json["checks"]["redis_eviction_policy"] == {"ok": True, "policy": "noeviction"}


def test_readyz_is_not_ready_when_redis_may_evict_jobs(app, client, at_head, evicting_redis):
    app.config["REDIS_URL"] = evicting_redis
    response = client.get("/readyz")
    assert response.status_code == 503
    policy = response.json["checks"]["redis_eviction_policy"]
    assert (policy["ok"], policy["policy"]) == (False, "allkeys-lru")
    assert "noeviction" in policy["error"]


def test_readyz_is_not_ready_when_redis_refuses_and_answers_quickly(app, client, at_head):
    app.config["REDIS_URL"] = f"redis://127.0.0.1:{free_port()}/0"
    started = time.monotonic()
    response = client.get("/readyz")
    assert time.monotonic() - started < 2
    assert response.status_code == 503
    assert response.json["status"] == "not ready"
    assert response.json["checks"]["redis"]["ok"] is False
    assert response.json["checks"]["database"]["ok"] is True


def test_readyz_is_not_ready_when_the_database_is_not_at_head(client):
    response = client.get("/readyz")  # the test schema was made by create_all, never migrated
    assert response.status_code == 503
    migrations = response.json["checks"]["migrations"]
    assert migrations["ok"] is False and migrations["current"] == []
    assert "flask db upgrade" in migrations["error"]


def test_readyz_is_not_ready_at_an_older_revision(client, at_head):
    db.session.execute(text("UPDATE alembic_version SET version_num = 'a6d2f8c4e1b7'"))
    db.session.commit()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["migrations"]["current"] == ["a6d2f8c4e1b7"]


def test_readyz_gives_up_on_a_database_that_does_not_answer(app, client, at_head):
    """A lock held elsewhere makes the migrations check wait: the answer comes at the deadline."""
    app.config["READYZ_TIMEOUT"] = 0.5
    holder = db.engine.connect()
    if db.engine.dialect.name == "postgresql":
        holder.execute(text("LOCK TABLE alembic_version IN ACCESS EXCLUSIVE MODE"))
    else:
        holder.exec_driver_sql("BEGIN EXCLUSIVE")
    try:
        started = time.monotonic()
        response = client.get("/readyz")
        elapsed = time.monotonic() - started
    finally:
        holder.rollback()
        holder.close()
    assert response.status_code == 503
    assert elapsed < 1.5
    assert "Timeout" in str(response.json["checks"])
