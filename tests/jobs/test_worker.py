"""`python -m worker`'s periodic loop: cron matching, and one enqueue per job and minute."""

from __future__ import annotations

from datetime import datetime

import pytest
from rq import SimpleWorker
from sqlalchemy import select

from bench import workers
from marketplace.extensions import db
from marketplace.models import OutboxJob
from marketplace.services.jobs import JOBS
from marketplace.services.queue import queue
from tests import backends
from worker.__main__ import WORKER_CLASSES, _cron_matches, arguments, enqueue_due

MONDAY_0230 = datetime(2026, 11, 23, 2, 30)


@pytest.mark.parametrize(
    ("expr", "now", "due"),
    [
        ("* * * * *", MONDAY_0230, True),
        ("30 2 * * *", MONDAY_0230, True),
        ("30 2 * * *", datetime(2026, 11, 23, 2, 31), False),
        ("30 2 * * *", datetime(2026, 11, 23, 3, 30), False),
        ("0 6 * * *", datetime(2026, 11, 23, 6, 0, 59), True),
        ("*/15 * * * *", datetime(2026, 11, 23, 9, 45), True),
        ("*/15 * * * *", datetime(2026, 11, 23, 9, 50), False),
        ("0,30 8-17 * * *", datetime(2026, 11, 23, 17, 30), True),
        ("0,30 8-17 * * *", datetime(2026, 11, 23, 18, 0), False),
        ("30 2 * * 1", MONDAY_0230, True),  # Monday
        ("30 2 * * 0", MONDAY_0230, False),
        ("30 2 * * 7", datetime(2026, 11, 29, 2, 30), True),  # 7 is Sunday, like 0
        ("30 2 * * 1-5", datetime(2026, 11, 28, 2, 30), False),  # Saturday
        ("30 2 1 * *", datetime(2026, 12, 1, 2, 30), True),
        ("30 2 1 1 *", datetime(2026, 12, 1, 2, 30), False),
        # Day of month and weekday both restricted: either one is enough, as in cron.
        ("30 2 1 * 1", MONDAY_0230, True),
        ("30 2 1 * 2", MONDAY_0230, False),
    ],
)
def test_cron_matches(expr, now, due):
    assert _cron_matches(expr, now) is due


@pytest.mark.parametrize(
    "expr", ["30 2 * *", "60 * * * *", "* 24 * * *", "*/0 * * * *", "a * * * *"]
)
def test_cron_refuses_malformed_expressions(expr):
    with pytest.raises(ValueError):
        _cron_matches(expr, MONDAY_0230)


# -- against real Redis ------------------------------------------------------------------------


@pytest.fixture
def tick(app):
    name = "test_tick"
    JOBS[name] = lambda: None
    yield name
    del JOBS[name]


def outbox_names() -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxJob.job_name).order_by(OutboxJob.id)))


def test_two_passes_in_the_same_minute_enqueue_a_periodic_job_once(rq_app, redis_conn, tick):
    every_minute = [(tick, "* * * * *")]

    assert enqueue_due(rq_app, redis_conn, datetime(2026, 11, 23, 9, 15, 2), every_minute) == [tick]
    assert enqueue_due(rq_app, redis_conn, datetime(2026, 11, 23, 9, 15, 40), every_minute) == []
    assert outbox_names() == [tick]

    assert enqueue_due(rq_app, redis_conn, datetime(2026, 11, 23, 9, 16), every_minute) == [tick]
    assert outbox_names() == [tick, tick]
    assert queue(redis_conn).count == 2  # relayed to RQ on commit, as in a worker process


def test_the_schedule_enqueues_what_is_due_at_half_past_two(rq_app, redis_conn):
    assert enqueue_due(rq_app, redis_conn, MONDAY_0230) == ["relay_outbox", "nightly_recompute"]
    assert outbox_names() == ["relay_outbox", "nightly_recompute"]


def test_a_failed_pass_gives_its_claims_back(rq_app, redis_conn, tick):
    broken = [(tick, "* * * * *"), ("no_such_job", "* * * * *")]
    with pytest.raises(ValueError, match="unknown job"):
        enqueue_due(rq_app, redis_conn, MONDAY_0230, broken)
    assert outbox_names() == []

    assert enqueue_due(rq_app, redis_conn, MONDAY_0230, [(tick, "* * * * *")]) == [tick]
    assert outbox_names() == [tick]


# -- the worker class ----------------------------------------------------------------------------


def test_a_worker_is_non_forking_by_default_and_forks_when_asked(monkeypatch):
    monkeypatch.delenv("WORKER_CLASS", raising=False)
    assert arguments([]).worker_class == "simple"
    assert WORKER_CLASSES["simple"] is SimpleWorker
    monkeypatch.setenv("WORKER_CLASS", "fork")
    assert arguments([]).worker_class == "fork"
    assert arguments(["--worker-class", "simple"]).worker_class == "simple"


def test_the_scheduler_is_a_process_of_its_own():
    assert arguments(["--scheduler"]).scheduler is True
    assert arguments([]).scheduler is False


def test_the_bench_runs_outbox_jobs_through_both_worker_classes_and_cleans_up(app, redis_conn):
    figures = workers.measure(app, backends.redis_url(), jobs=3)

    for name in ("fork_bare", "fork_outbox", "simple_bare", "simple_outbox"):
        assert figures[name]["jobs_per_s"] > 0, name
    assert outbox_names() == []  # its rows deleted again
    assert not list(redis_conn.scan_iter(match="bench-*"))
