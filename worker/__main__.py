"""`python -m worker`: an RQ worker with its scheduler, plus the periodic jobs.

Periodic jobs are written to the outbox by a small loop in the worker process (so they share the
outbox's retry and failure handling); the RQ scheduler handles Retry intervals."""

from __future__ import annotations

import logging
import os
import threading
import time
from datetime import datetime

from rq import Worker

from worker import queue, redis_connection, worker_app
from worker.schedule import PERIODIC

log = logging.getLogger("worker")


def _cron_matches(expr: str, now: datetime) -> bool:
    minute, hour, *_ = expr.split()
    return (minute == "*" or int(minute) == now.minute) and (hour == "*" or int(hour) == now.hour)


def _periodic_loop(app, conn) -> None:
    """Enqueue due periodic jobs; a Redis SET NX per job and minute keeps several worker
    processes from enqueueing the same run twice."""
    from marketplace.extensions import db
    from marketplace.services.outbox import enqueue

    last = None
    while True:
        now = datetime.now().replace(second=0, microsecond=0)
        if now != last:
            last = now
            with app.app_context():
                for name, expr in PERIODIC:
                    key = f"cron:{name}:{now:%Y%m%d%H%M}"
                    if _cron_matches(expr, now) and conn.set(key, 1, nx=True, ex=300):
                        enqueue(name)
                db.session.commit()
        time.sleep(5)


def main() -> None:
    os.environ.setdefault("TZ", "Europe/Amsterdam")
    time.tzset()
    logging.basicConfig(level=logging.INFO)
    app = worker_app()
    with app.app_context():
        conn = redis_connection()
        threading.Thread(target=_periodic_loop, args=(app, conn), daemon=True).start()
        Worker([queue(conn)], connection=conn).work(with_scheduler=True)


if __name__ == "__main__":
    main()
