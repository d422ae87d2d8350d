"""`python -m worker`: an RQ worker (any number of them); `python -m worker --scheduler`: the
periodic jobs (one process).

Periodic jobs are written to the outbox by the scheduler's loop (so they share the outbox's
retry and failure handling); a Redis claim per job and minute makes a second scheduler (a
rolling deploy's overlap) harmless. RQ's own scheduler, in the workers, handles Retry
intervals."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import threading
import time
from collections.abc import Iterable
from datetime import datetime

from flask import Flask
from redis import Redis
from rq import Queue, SimpleWorker, Worker
from rq.job import Job
from rq.worker import BaseWorker

from marketplace.extensions import db
from marketplace.services.outbox import enqueue
from marketplace.services.queue import queue, redis_connection
from worker import worker_app
from worker.schedule import PERIODIC

log = logging.getLogger("worker")

# How long a claim on a (job, local minute) lives. Longer than an hour, so that the minute that
# occurs twice when summer time ends (02:00-03:00 in Europe/Amsterdam) runs a job only once.
CLAIM_SECONDS = 2 * 3600 + 60
_FIELDS = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7))  # minute hour day-of-month month day-of-week


def _cron_values(field: str, low: int, high: int) -> set[int]:
    """The values one cron field allows: `*`, `5`, `1-5`, `*/15`, `10-50/20`, and lists of them."""
    values: set[int] = set()
    for part in field.split(","):
        spec, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if spec == "*":
            start, end = low, high
        elif "-" in spec:
            start, end = (int(v) for v in spec.split("-", 1))
        else:
            start = int(spec)
            end = high if step_text else start
        if step < 1 or not low <= start <= end <= high:
            raise ValueError(f"cron field {field!r} is outside {low}-{high}")
        values.update(range(start, end + 1, step))
    return values


def _cron_matches(expr: str, now: datetime) -> bool:
    """Whether a five-field cron expression (minute hour day month weekday) is due at `now`.

    As in cron: weekday 0 and 7 are Sunday, and when both day of month and weekday are
    restricted, either one matching is enough."""
    fields = expr.split()
    if len(fields) != 5:
        raise ValueError(f"cron expression {expr!r} needs five fields")
    minute, hour, day, month, weekday = (
        _cron_values(field, low, high) for field, (low, high) in zip(fields, _FIELDS, strict=True)
    )
    if 7 in weekday:
        weekday.add(0)
    if now.minute not in minute or now.hour not in hour or now.month not in month:
        return False
    day_ok = now.day in day
    weekday_ok = (now.weekday() + 1) % 7 in weekday
    if fields[2].startswith("*") or fields[4].startswith("*"):
        return day_ok and weekday_ok
    return day_ok or weekday_ok


def enqueue_due(
    app: Flask, conn: Redis, now: datetime, periodic: Iterable[tuple[str, str]] = PERIODIC
) -> list[str]:
    """One pass of the periodic loop: write the jobs due at `now` (local time) to the outbox.

    A Redis SET NX per job and minute keeps several worker processes (and a second pass in the
    same minute) from enqueueing the same run twice. Returns the names enqueued."""
    now = now.replace(second=0, microsecond=0)
    claimed: list[str] = []
    names: list[str] = []
    with app.app_context():
        prefix = app.config.get("REDIS_PREFIX", "")
        try:
            for name, expr in periodic:
                key = f"{prefix}cron:{name}:{now:%Y%m%d%H%M}"
                if _cron_matches(expr, now) and conn.set(key, 1, nx=True, ex=CLAIM_SECONDS):
                    claimed.append(key)
                    enqueue(name)
                    names.append(name)
            db.session.commit()
        except Exception:
            # Nothing was written: give the claims back so the next pass can try again.
            db.session.rollback()
            if claimed:
                conn.delete(*claimed)
            raise
    return names


def _periodic_loop(app: Flask, conn: Redis, stop: threading.Event) -> None:
    """Run enqueue_due once per minute until `stop` is set; an error is logged and the same
    minute is tried again, so a Redis or database hiccup does not end the loop."""
    last = None
    while not stop.is_set():
        now = datetime.now().replace(second=0, microsecond=0)
        if now != last:
            try:
                enqueue_due(app, conn, now)
                last = now
            except Exception:
                log.exception("periodic jobs for %s failed; retrying", now)
        stop.wait(5)


def _forget_inherited_connections(app: Flask) -> None:
    """In a forked work horse, drop the parent's pooled database connections without closing
    them (the parent still uses them): two processes on one socket corrupt both sessions."""
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)


class ForkingWorker(Worker):
    """RQ's forking worker (a work horse per job), whose horse first lets go of the database
    connections it inherited."""

    def main_work_horse(self, job: Job, queue: Queue) -> None:
        _forget_inherited_connections(worker_app())
        super().main_work_horse(job, queue)


# Measured with `python -m bench --workers-only` (bench/workers.py): 200 no-op jobs through one
# worker against the real Redis and PostgreSQL, on 2 cores shared with a load of about 12
# (bench/README.md "Workers"):
#                       fork per job                  simple (no fork)
#   outbox no-op job    2.5 jobs/s, 55.6 ms CPU/job    8.3 jobs/s, 13.9 ms CPU/job
#   bare RQ no-op job   6.3 jobs/s, 31.5 ms CPU/job   12.0 jobs/s,  6.6 ms CPU/job
# The outbox job is every job's real path (run_outbox_job: read the row, commit the attempt,
# run, commit it done). Forking costs a fork plus a new database connection per job: 4 x the
# CPU and a third of the throughput. So the default is the non-forking SimpleWorker: our jobs
# are short and idempotent and run through the outbox (a job that takes the process down is
# run again by RQ once its time limit has passed, and its outbox row stays), and each job opens
# and tears down its own app context and session, so no state leaks from one into the next.
# WORKER_CLASS=fork isolates each job in a process of its own (a huge report's memory given
# back at once), at the cost above.
WORKER_CLASSES: dict[str, type[BaseWorker]] = {"fork": ForkingWorker, "simple": SimpleWorker}
DEFAULT_WORKER_CLASS = "simple"


def make_worker(
    kind: str, jobs_queue: Queue, conn: Redis, *, name: str | None = None
) -> BaseWorker:
    """A worker of the named class on `jobs_queue` (the bench measures both)."""
    return WORKER_CLASSES[kind]([jobs_queue], connection=conn, name=name)


def run_scheduler(app: Flask) -> None:
    """The periodic loop in the foreground until SIGTERM or SIGINT."""
    with app.app_context():
        conn = redis_connection()
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    log.info("scheduler started: %s periodic jobs", len(PERIODIC))
    _periodic_loop(app, conn, stop)


def run_worker(app: Flask, kind: str) -> None:
    """An RQ worker of class `kind` on the app's queue, with RQ's scheduler for Retry delays
    (RQ lets one worker's scheduler run at a time)."""
    with app.app_context():
        conn = redis_connection(blocking=True)
        jobs_queue = queue(conn)
    # No app context stays pushed: each job opens (and tears down) its own in run_outbox_job.
    make_worker(kind, jobs_queue, conn).work(with_scheduler=True)


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m worker", description=__doc__)
    parser.add_argument(
        "--scheduler",
        action="store_true",
        help="run the periodic jobs' scheduler (one process) instead of a worker",
    )
    parser.add_argument(
        "--worker-class",
        choices=sorted(WORKER_CLASSES),
        default=os.environ.get("WORKER_CLASS") or DEFAULT_WORKER_CLASS,
        help="fork: a process per job; simple: jobs in the worker's process (default:"
        " WORKER_CLASS or %(default)s)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    options = arguments(argv)
    os.environ.setdefault("TZ", "Europe/Amsterdam")
    time.tzset()
    app = worker_app()
    logging.basicConfig(level=logging.INFO)
    if options.scheduler:
        run_scheduler(app)
    else:
        run_worker(app, options.worker_class)


if __name__ == "__main__":
    main()
