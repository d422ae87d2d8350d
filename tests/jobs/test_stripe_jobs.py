"""Stripe events through real RQ on real Redis (skipped without TEST_REDIS_URL): a webhook that
arrives while Redis is down is stored and applied once Redis is back, and an event whose job a
killed worker lost is relayed again and applied once (docs/architecture.md "Stripe events")."""

from __future__ import annotations

import time
from datetime import timedelta

from rq.job import Job

from marketplace.extensions import db
from marketplace.models import OutboxJob, StripeEvent
from marketplace.models._types import utcnow
from marketplace.services import outbox
from marketplace.services.queue import outbox_job_id
from tests import backends
from tests.integration import test_stripe
from tests.integration.test_stripe import deliver, pay, pay_actions, stripe_events
from tests.jobs.conftest import run_burst_worker

membership = test_stripe.membership  # the fixture: an accepted application, Stripe configured


def _production(app, redis_url: str) -> None:
    app.config.update(
        JOBS_MODE="rq",
        REDIS_URL=redis_url,
        REDIS_PREFIX=backends.redis_prefix(),
        JOB_RETRY_INTERVALS=[0, 0],
    )


def test_with_redis_down_the_event_is_stored_and_applied_when_redis_returns(
    stripe_app, client, membership, redis_conn
):
    subscription_id = pay(client, membership)
    [paid] = stripe_events("invoice.payment_succeeded", subscription_id)
    _production(stripe_app, "redis://127.0.0.1:1/0")  # nothing listens there: Redis is down

    started = time.monotonic()
    deliver(client, paid)

    assert time.monotonic() - started < 3  # answered at once, not after Redis timeouts pile up
    db.session.rollback()
    assert db.session.get(StripeEvent, paid["id"]).processed_at is None
    db.session.refresh(membership)
    assert membership.status == "pending"

    stripe_app.config["REDIS_URL"] = backends.redis_url()  # back: the minute's relay moves it
    assert outbox.relay() == 1
    run_burst_worker(redis_conn)

    db.session.rollback()
    db.session.refresh(membership)
    assert membership.status == "active"
    assert db.session.get(StripeEvent, paid["id"]).processed_at is not None


def test_an_event_whose_worker_was_killed_is_applied_once_later(
    stripe_app, client, membership, redis_conn
):
    subscription_id = pay(client, membership)
    [paid] = stripe_events("invoice.payment_succeeded", subscription_id)
    _production(stripe_app, backends.redis_url())
    deliver(client, paid)  # stored and relayed to RQ
    db.session.rollback()
    row = db.session.query(OutboxJob).filter_by(job_name="apply_stripe_event").one()
    assert row.status == "relayed"
    # The worker that took the job was killed and its job is gone from Redis.
    Job.fetch(outbox_job_id(row.id), connection=redis_conn).delete()
    db.session.rollback()

    assert outbox.requeue_lost(now=utcnow() + timedelta(minutes=11)) == 1
    run_burst_worker(redis_conn)
    assert outbox.requeue_lost(now=utcnow() + timedelta(minutes=30)) == 0
    deliver(client, paid)  # Stripe's redelivery
    run_burst_worker(redis_conn)

    db.session.rollback()
    db.session.refresh(membership)
    assert membership.status == "active"
    assert pay_actions(membership) == ["membership.pay"]
