"""Stripe's webhook acknowledged over HTTP from gunicorn: `POST /webhooks/stripe` with a signed
`invoice.paid` of the real shape, each a new event, next to the bare hello route of the same
server. The server time (bench/wsgi.py) is what Stripe waits for: the signature checked over
the raw body, the event and its outbox row inserted and committed, and the row relayed to RQ on
Redis (BENCH_REDIS_URL, default the local Redis, under a key prefix of its own that is deleted
afterwards). No worker runs: the job is not part of the acknowledgement. The events and their
outbox rows are deleted after the run, so the data is as it was (`measures.fingerprint`)."""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
import uuid
from typing import Any

import stripe
from redis import Redis
from sqlalchemy import delete, func, select, text

from bench import measures
from bench.served import STATEMENTS_HEADER, Answer, Browser, gunicorn
from marketplace.extensions import db
from marketplace.models import OutboxJob, StripeEvent

SECRET = "whsec_bench"
PREFIX = "srbench-webhook-"
EVENT_PREFIX = "evt_bench_"
DEFAULT_REDIS = "redis://127.0.0.1:6379/0"


def server_env() -> dict[str, str]:
    """What bench/wsgi.py reads to configure Stripe and Redis in the served app."""
    return {
        "BENCH_STRIPE_WEBHOOK_SECRET": SECRET,
        "BENCH_REDIS_URL": os.environ.get("BENCH_REDIS_URL") or DEFAULT_REDIS,
        "BENCH_REDIS_PREFIX": PREFIX,
    }


def served_config() -> dict[str, Any]:
    """The served app's Stripe and Redis settings when the harness asked for them (bench/wsgi.py);
    the secret key and API base are never used: the acknowledgement does not call Stripe."""
    secret = os.environ.get("BENCH_STRIPE_WEBHOOK_SECRET")
    if not secret:
        return {}
    return {
        "STRIPE_SECRET_KEY": "sk_bench_never_called",
        "STRIPE_API_BASE": "http://127.0.0.1:9",
        "STRIPE_WEBHOOK_SECRET": secret,
        "JOBS_MODE": "rq",
        "REDIS_URL": os.environ["BENCH_REDIS_URL"],
        "REDIS_PREFIX": os.environ["BENCH_REDIS_PREFIX"],
    }


def _invoice_paid() -> bytes:
    """A new invoice.paid event as Stripe sends it (≈ 3 kB)."""
    now = int(time.time())
    invoice = {
        "id": f"in_{uuid.uuid4().hex[:24]}",
        "object": "invoice",
        "amount_due": 145_200,
        "amount_paid": 145_200,
        "amount_remaining": 0,
        "attempt_count": 1,
        "attempted": True,
        "billing_reason": "subscription_create",
        "collection_method": "charge_automatically",
        "created": now,
        "currency": "eur",
        "customer": "cus_bench000000000",
        "customer_email": "owner@bouw.example.com",
        "customer_name": "Bouw B.V.",
        "lines": {
            "object": "list",
            "data": [
                {
                    "id": "il_bench",
                    "object": "line_item",
                    "amount": 145_200,
                    "currency": "eur",
                    "description": "1 × MetWerk: Basis (at € 1.452,00 / year)",
                    "period": {"start": now, "end": now + 365 * 86400},
                    "quantity": 1,
                    "parent": {
                        "type": "subscription_item_details",
                        "subscription_item_details": {
                            "subscription": "sub_bench000000000",
                            "subscription_item": "si_bench",
                        },
                    },
                }
            ],
            "has_more": False,
            "total_count": 1,
        },
        "parent": {
            "type": "subscription_details",
            "subscription_details": {
                "metadata": {"membership_id": "1"},
                "subscription": "sub_bench000000000",
            },
        },
        "period_end": now,
        "period_start": now,
        "status": "paid",
        "status_transitions": {"finalized_at": now, "paid_at": now},
        "subtotal": 145_200,
        "total": 145_200,
    }
    event = {
        "id": f"{EVENT_PREFIX}{uuid.uuid4().hex}",
        "object": "event",
        "api_version": "2025-03-31.basil",
        "created": now,
        "data": {"object": invoice},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": "invoice.paid",
    }
    return json.dumps(event).encode()


def _post(browser: Browser, payload: bytes) -> Answer:
    header = stripe.WebhookSignature.generate_signature_header(
        payload.decode(), SECRET, timestamp=int(time.time())
    )
    request = urllib.request.Request(
        browser.base + "/webhooks/stripe",
        data=payload,
        headers={"Content-Type": "application/json", "Stripe-Signature": header},
    )
    start = time.perf_counter()
    try:
        with browser.opener.open(request, timeout=120) as response:
            content, status, found = response.read(), response.status, response.headers
    except urllib.error.HTTPError as error:
        content, status, found = error.read(), error.code, error.headers
    return Answer(
        status=status,
        ms=round((time.perf_counter() - start) * 1000, 1),
        statements=int(found.get(STATEMENTS_HEADER, -1)),
        size=len(content),
        headers=dict(found.items()),
    )


def stripe_webhook(browser: Browser, requests: int = 200) -> dict[str, Any]:
    """`requests` new signed events and 10 redeliveries of the last, after 10 to warm up."""
    for _ in range(10):
        _post(browser, _invoice_paid())
    answers = [_post(browser, _invoice_paid()) for _ in range(requests)]
    repeated = _invoice_paid()
    _post(browser, repeated)
    duplicates = [_post(browser, repeated) for _ in range(10)]
    for answer in answers + duplicates:
        if answer.status != 200:
            raise RuntimeError(f"/webhooks/stripe answered {answer.status}")
    return {
        "server": measures._percentiles([a.server_ms for a in answers]),
        # CPU of the serving process and its PostgreSQL backend (bench/wsgi.py): the request's
        # own cost, whatever else runs on the machine; the rest of the server time is waiting
        # (for a core, for the WAL flush).
        "server_cpu": measures._percentiles([a.server_cpu_ms for a in answers]),
        "db_wait": measures._percentiles([a.db_wait_ms for a in answers]),
        "client": measures._percentiles([a.ms for a in answers]),
        "statements_max": max(a.statements for a in answers),
        "duplicate_server": measures._percentiles([a.server_ms for a in duplicates]),
    }


def rows() -> tuple[int, int]:
    """The outbox rows and stored events: what the run adds and then deletes again."""
    counted = (
        db.session.scalar(select(func.count()).select_from(OutboxJob)),
        db.session.scalar(select(func.count()).select_from(StripeEvent)),
    )
    db.session.commit()
    return counted


def commit_yardstick(repeats: int = 50) -> dict[str, Any]:
    """What the smallest durable write costs on this machine now, in this process: one small
    row inserted and committed (the commit waits for the WAL flush, as the webhook's does).
    The rows are removed with the run's events."""
    runs = []
    for n in range(repeats):
        start = time.perf_counter()
        db.session.execute(
            text(
                "INSERT INTO stripe_events (id, type, payload, received_at)"
                " VALUES (:id, 'yardstick', '{}', now())"
            ),
            {"id": f"{EVENT_PREFIX}yardstick_{n}_{uuid.uuid4().hex}"},
        )
        db.session.commit()
        runs.append(measures._ms(time.perf_counter() - start))
    return measures._percentiles(runs)


def measure(database_url: str, mail_dir: str) -> dict[str, Any]:
    """The webhook and the hello route from one gunicorn; then the run's rows and keys removed."""
    last_job = db.session.scalar(select(func.coalesce(func.max(OutboxJob.id), 0)))
    db.session.commit()
    postgresql = db.session.get_bind().dialect.name == "postgresql"
    try:
        with gunicorn(database_url, mail_dir, extra_env=server_env()) as base:
            browser = Browser(base)
            figures = {
                "hello_ms": measures.hello(browser, requests=100),
                "stripe_webhook_ms": stripe_webhook(browser),
            }
        if postgresql:
            figures["commit_ms"] = commit_yardstick()
    finally:
        db.session.execute(
            delete(OutboxJob).where(
                OutboxJob.id > last_job, OutboxJob.job_name == "apply_stripe_event"
            )
        )
        db.session.execute(delete(StripeEvent).where(StripeEvent.id.like(f"{EVENT_PREFIX}%")))
        db.session.commit()
        redis = Redis.from_url(server_env()["BENCH_REDIS_URL"])
        for key in redis.scan_iter(match=f"*{PREFIX}*", count=500):
            redis.delete(key)
        stale = [q for q in redis.smembers("rq:queues") if PREFIX.encode() in q]
        if stale:
            redis.srem("rq:queues", *stale)
    return figures
