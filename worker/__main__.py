"""`python -m worker`: an RQ worker with its scheduler, plus the periodic jobs.

Periodic jobs are written to the outbox by a small loop in the worker process (so they share the
outbox's retry and failure handling); the RQ scheduler handles Retry intervals."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterable
from datetime import datetime

from flask import Flask
from redis import Redis
from rq import Worker

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


def _forget_inherited_connections() -> None:
    """In a forked work horse, drop the parent's pooled database connections without closing
    them (the parent still uses them): two processes on one socket corrupt both sessions."""
    with worker_app().app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)


def main() -> None:
    os.environ.setdefault("TZ", "Europe/Amsterdam")
    time.tzset()
    logging.basicConfig(level=logging.INFO)
    app = worker_app()
    with app.app_context():
        conn = redis_connection(blocking=True)
        jobs_queue = queue(conn)
    # No app context stays pushed: each job opens (and tears down) its own in run_outbox_job.
    os.register_at_fork(after_in_child=_forget_inherited_connections)
    stop = threading.Event()
    threading.Thread(target=_periodic_loop, args=(app, conn, stop), daemon=True).start()
    try:
        Worker([jobs_queue], connection=conn).work(with_scheduler=True)
    finally:
        stop.set()


if __name__ == "__main__":
    main()
