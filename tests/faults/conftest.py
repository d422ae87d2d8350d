"""Fault tests use the job tests' real-Redis fixtures (skipped, saying why, without Redis)."""

from tests.jobs.conftest import redis_conn, rq_app  # noqa: F401 (fixtures)
