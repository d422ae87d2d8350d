"""No-op jobs per second through one RQ worker, forking per job (`ForkingWorker`) and not
(`SimpleWorker`), against the real Redis and the bench's PostgreSQL: the figures that chose
`worker/__main__.py`'s DEFAULT_WORKER_CLASS.

Two paths each: a bare RQ job (`noop`, what the worker class itself costs) and an outbox job
(the path every job of the app takes: `run_outbox_job` reads the row, commits the attempt, runs
the job and commits it done). The jobs are queued first, then one burst worker runs them all,
timed from start to empty queue; the worker runs in this process, as `python -m worker` would
(its horses forked from it). Everything is written under a key prefix of the run and its outbox
rows are deleted afterwards, so the data set and a shared Redis are left as they were."""

from __future__ import annotations

import os
import time
import uuid
from typing import Any

from flask import Flask
from redis import Redis
from sqlalchemy import delete, func, select

from marketplace.extensions import db
from marketplace.models import OutboxJob
from marketplace.services import outbox
from marketplace.services.jobs import JOBS
from marketplace.services.queue import delete_prefixed_keys, queue
from worker import use_app
from worker.__main__ import WORKER_CLASSES, make_worker

NOOP_JOB = "bench_noop"


def noop() -> None:
    """The bare RQ job: nothing at all."""


def _queue_bare(app: Flask, conn: Redis, jobs: int) -> None:
    with app.app_context():
        q = queue(conn)
        for _ in range(jobs):
            q.enqueue(noop, result_ttl=60)


def _queue_outbox(app: Flask, jobs: int) -> list[int]:
    """`jobs` outbox rows of the no-op job, committed and so relayed to RQ."""
    with app.app_context():
        ids = outbox.enqueue_many(NOOP_JOB, [[] for _ in range(jobs)])
        db.session.commit()
        return ids


def _cpu_seconds() -> float:
    """CPU time of this process and of its ended children (the forked work horses)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def _run(app: Flask, conn: Redis, kind: str, prefix: str) -> tuple[float, float]:
    """Seconds one burst worker of `kind` takes to empty the queue, wall and CPU (this process
    and its horses; the CPU time reads far less with the machine's load than the wall time)."""
    with app.app_context():
        q = queue(conn)
    worker = make_worker(kind, q, conn, name=f"{prefix}{kind}-{uuid.uuid4().hex[:6]}")
    started, cpu = time.perf_counter(), _cpu_seconds()
    worker.work(burst=True, logging_level="WARNING")
    elapsed, used = time.perf_counter() - started, _cpu_seconds() - cpu
    if q.count:
        raise RuntimeError(f"{q.count} jobs left on the queue after the {kind} worker")
    return elapsed, used


def _done(app: Flask, ids: list[int]) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count()).where(OutboxJob.id.in_(ids), OutboxJob.status == "done")
        )


def measure(app: Flask, redis_url: str, jobs: int) -> dict[str, Any]:
    """jobs/s of each worker class on each path, with the seconds and the number of jobs."""
    prefix = f"bench-{uuid.uuid4().hex[:8]}-"
    app.config.update(REDIS_URL=redis_url, REDIS_PREFIX=prefix, JOBS_MODE="rq")
    previous = use_app(app)
    JOBS[NOOP_JOB] = noop
    conn = Redis.from_url(redis_url)
    figures: dict[str, Any] = {"jobs": jobs}
    ids: list[int] = []
    try:
        for kind in sorted(WORKER_CLASSES):
            _queue_bare(app, conn, jobs)
            figures[f"{kind}_bare"] = _figure(jobs, *_run(app, conn, kind, prefix))
            batch = _queue_outbox(app, jobs)
            ids += batch
            figures[f"{kind}_outbox"] = _figure(jobs, *_run(app, conn, kind, prefix))
            if _done(app, batch) != jobs:
                raise RuntimeError(f"the {kind} worker left outbox rows undone")
    finally:
        use_app(previous)
        del JOBS[NOOP_JOB]
        with app.app_context():
            if ids:
                db.session.execute(delete(OutboxJob).where(OutboxJob.id.in_(ids)))
                db.session.commit()
        delete_prefixed_keys(conn, prefix)
        conn.close()
    figures["simple_over_fork_outbox"] = round(
        figures["simple_outbox"]["jobs_per_s"] / figures["fork_outbox"]["jobs_per_s"], 1
    )
    return figures


def _figure(jobs: int, seconds: float, cpu: float) -> dict[str, float]:
    return {
        "seconds": round(seconds, 2),
        "jobs_per_s": round(jobs / seconds, 1) if seconds else 0.0,
        "cpu_ms_per_job": round(cpu * 1000 / jobs, 2),
    }
