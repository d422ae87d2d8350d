"""Queue and connection helpers and the bridge from outbox rows to RQ."""

from __future__ import annotations

from functools import cache

from flask import Flask, current_app
from redis import Redis
from rq import Queue, Retry

RETRY = Retry(max=3, interval=[10, 60, 300])


def redis_connection(url: str | None = None) -> Redis:
    return Redis.from_url(url or current_app.config["REDIS_URL"])


def queue(connection: Redis | None = None, *, is_async: bool = True) -> Queue:
    prefix = current_app.config.get("REDIS_PREFIX", "")
    name = f"{prefix}{current_app.config['RQ_QUEUE']}"
    return Queue(name, connection=connection or redis_connection(), is_async=is_async)


def enqueue_outbox_job(outbox_id: int) -> None:
    """Put one outbox row on RQ; the deterministic job id makes a repeated relay harmless."""
    queue().enqueue(
        "worker.jobs.run_outbox_job",
        outbox_id,
        job_id=f"{current_app.config.get('REDIS_PREFIX', '')}outbox-{outbox_id}",
        retry=RETRY,
        result_ttl=3600,
        failure_ttl=7 * 24 * 3600,
    )


@cache
def worker_app() -> Flask:
    """The app a worker process runs its jobs in (one per process)."""
    from marketplace import create_app

    return create_app()
