"""Test databases and Redis: a database per pytest worker, created and dropped by the run.

TEST_BACKEND=sqlite (default) uses a file in a temporary folder; TEST_BACKEND=postgresql creates a
database next to TEST_DATABASE_URL's and drops it at the end. TEST_REDIS_URL enables
real-Redis tests
with a key prefix unique to the run."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from marketplace.services.queue import delete_prefixed_keys

RUN_ID = uuid.uuid4().hex[:8]


def backend() -> str:
    return os.environ.get("TEST_BACKEND", "sqlite")


# A race test: it needs concurrent writers, which only PostgreSQL lets in.
ONLY_POSTGRESQL = pytest.mark.skipif(
    backend() != "postgresql",
    reason="a race needs concurrent writers; SQLite lets one writer in at a time",
)


def worker_id() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "gw0")


def create_postgres_database(suffix: str = "") -> str:
    """A fresh database for this run and worker; `suffix` gives a test its own one next to it."""
    base = make_url(os.environ["TEST_DATABASE_URL"])
    name = f"sr_test_{RUN_ID}_{worker_id()}{suffix}"
    with psycopg.connect(_dsn(base), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
        # A commit returns before its WAL record reaches the disk (a crash may lose the last
        # ones, which no test needs); what other sessions see and lock is unchanged.
        conn.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    return base.set(drivername="postgresql+psycopg", database=name).render_as_string(
        hide_password=False
    )


def drop_postgres_database(url: str) -> None:
    target = make_url(url)
    base = make_url(os.environ["TEST_DATABASE_URL"])
    with psycopg.connect(_dsn(base), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)')


def _dsn(url) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


@contextmanager
def sqlite_folder() -> Iterator[Path]:
    """A folder for a SQLite test database, removed afterwards: in RAM (/dev/shm) where there is
    one, because on disk every commit waits for fsync (30 ms each on a busy machine, thousands
    per run); the same SQLite, journal and locks, only not durable, which no test needs."""
    shm = Path("/dev/shm")
    base = shm if shm.is_dir() and os.access(shm, os.W_OK) else None
    folder = Path(tempfile.mkdtemp(prefix=f"sr-test-{RUN_ID}-{worker_id()}-", dir=base))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def redis_url() -> str | None:
    return os.environ.get("TEST_REDIS_URL") or None


def redis_prefix() -> str:
    return f"t{RUN_ID}-{worker_id()}-"


def delete_redis_keys(conn, prefix: str) -> None:
    """Remove what a test left in Redis under `prefix` (services/queue.py)."""
    delete_prefixed_keys(conn, prefix)
