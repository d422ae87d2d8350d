"""The job functions and their registry: what `outbox.enqueue(name, *args)` may name.

Jobs are the application's use cases run later or on a schedule, so they live with the
services; `worker/` only runs them. Each takes ids (never objects) and is idempotent: running it
twice has the effect of running it once. create_app hands the registry to the app (`init_app`),
where the outbox finds it: the outbox cannot import this module, whose jobs call the services
that enqueue through the outbox."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask

from marketplace import clock
from marketplace.models._types import utcnow
from marketplace.services import (
    accounts,
    dunning,
    evidence,
    fulfilment,
    job_records,
    listings,
    mail,
    match_notices,
    outbox,
    pso,
    realisation_notices,
    reminders,
    renewals,
    report_files,
    retention,
    saved_searches,
    search,
    stripe_billing,
    stripe_client,
)

JOBS: dict[str, Callable[..., Any]] = {}
# How long RQ lets a job run before it kills it as stuck (RQ's own default, 180 s). A mail or a
# recompute takes well under a second; a job that needs more says so with `job(timeout=...)`.
DEFAULT_TIMEOUT = 180
# A year report of a large authority renders for minutes (bench: ~4,000 contracts took 417 s on
# a loaded 2-core machine); killed at 180 s it would fail after every retry.
REPORT_TIMEOUT = 3600

JobFunction = Callable[..., Any]


def job(timeout: int = DEFAULT_TIMEOUT) -> Callable[[JobFunction], JobFunction]:
    """Register a function as an outbox job under its own name, with RQ's time limit for it."""

    def register(func: JobFunction) -> JobFunction:
        func.rq_timeout = timeout  # type: ignore[attr-defined]
        JOBS[func.__name__] = func
        return func

    return register


def init_app(app: Flask) -> None:
    """Give the app its job registry (read by `outbox.registry()`)."""
    app.extensions["jobs"] = JOBS


@job()
def send_mail(message_id: str, to: str, subject: str, body: str) -> None:
    mail.deliver(message_id, to, subject, body)


@job()
def password_reset_mail(message_id: str, email: str, locale: str) -> None:
    accounts.mail_password_reset(message_id, email, locale)


@job()
def relay_outbox() -> None:
    """Every minute: relay rows left pending, and again those whose RQ job was lost."""
    outbox.relay()
    outbox.requeue_lost()


@job()
def recompute_contract(contract_id: int) -> None:
    """After a realisation state change or contract edit (idempotent: recomputes from data)."""
    fulfilment.recompute_contract(contract_id, clock.today())


@job()
def nightly_recompute() -> None:
    fulfilment.recompute_all(clock.today())


@job()
def pso_expiry_sweep() -> None:
    pso.expiry_sweep(clock.today())


@job()
def membership_renewals() -> None:
    """Daily, before the dunning: move the periods that ended and issue the renewal invoices."""
    renewals.run(clock.today())


@job()
def membership_dunning() -> None:
    """Daily: the dunning steps of unpaid membership invoices that are due (once each)."""
    dunning.sweep(clock.today())


@job()
def realisation_reminders() -> None:
    reminders.send_reminders(clock.today())


@job()
def listing_expiry_sweep() -> None:
    """Expire marketplace listings past their last day; tell owners once, 7 days before."""
    listings.expiry_sweep(clock.today())


@job()
def notify_listing_matches(listing_id: int) -> None:
    """After a listing is published: tell its best matches, once per organisation."""
    match_notices.notify_matches(listing_id)


@job()
def saved_search_digest() -> None:
    """Daily: tell each user of the new hits of their saved searches (once a day)."""
    saved_searches.daily_digest(clock.today(), utcnow())


@job()
def realisation_digest() -> None:
    """Daily: mail each officer who chose it the realisations sent to them (once a day)."""
    realisation_notices.daily_digest(clock.today(), utcnow())


@job(timeout=REPORT_TIMEOUT)
def nightly_reindex_search() -> None:
    """Rebuild the search index, so a certification that lapsed overnight no longer counts as a
    filter (idempotent: the index is rebuilt from the data)."""
    search.reindex_all()


@job(timeout=REPORT_TIMEOUT)
def generate_report(report_id: int) -> None:
    """Make a requested report file (idempotent: a finished one is not made again)."""
    report_files.generate(report_id)


@job()
def cleanup_pending_uploads() -> None:
    """Delete evidence files chosen on a form but never saved, after a day (idempotent)."""
    evidence.cleanup(utcnow())


@job(timeout=REPORT_TIMEOUT)
def retention_sweep() -> None:
    """Nightly: delete candidate data and financial records whose retention term after the
    contract's end has passed (idempotent: each contract's deletion is claimed once)."""
    retention.sweep(clock.today())


@job()
def purge_job_records() -> None:
    """Daily: delete finished outbox rows and sent-mail keys past their term, which hold
    e-mail addresses and mail bodies (idempotent: a second run finds nothing that old)."""
    job_records.purge(utcnow())


@job()
def cleanup_report_files() -> None:
    """Delete report files older than a day (idempotent)."""
    report_files.cleanup(utcnow())


@job()
def apply_stripe_event(event_id: str) -> None:
    """A stored Stripe webhook event: apply what Stripe says now (idempotent: a processed event
    is skipped, and the current state applied twice changes nothing)."""
    stripe_billing.process_event(event_id)


@job(timeout=REPORT_TIMEOUT)
def stripe_reconcile() -> None:
    """Nightly: compare every Stripe-billed membership with Stripe and repair drift (audited);
    nothing to do without Stripe."""
    if stripe_client.configured():
        stripe_billing.reconcile()
