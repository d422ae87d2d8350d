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
from marketplace.services import fulfilment, mail, outbox, pso, reminders, report_files

JOBS: dict[str, Callable[..., Any]] = {}


def job(func: Callable[..., Any]) -> Callable[..., Any]:
    """Register a function as an outbox job under its own name."""
    JOBS[func.__name__] = func
    return func


def init_app(app: Flask) -> None:
    """Give the app its job registry (read by `outbox.registry()`)."""
    app.extensions["jobs"] = JOBS


@job
def send_mail(message_id: str, to: str, subject: str, body: str) -> None:
    mail.deliver(message_id, to, subject, body)


@job
def relay_outbox() -> None:
    """Every minute: relay rows left pending, and again those whose RQ job was lost."""
    outbox.relay()
    outbox.requeue_lost()


@job
def recompute_contract(contract_id: int) -> None:
    """After a realisation state change or contract edit (idempotent: recomputes from data)."""
    fulfilment.recompute_contract(contract_id, clock.today())


@job
def nightly_recompute() -> None:
    fulfilment.recompute_all(clock.today())


@job
def pso_expiry_sweep() -> None:
    pso.expiry_sweep(clock.today())


@job
def realisation_reminders() -> None:
    reminders.send_reminders(clock.today())


@job
def generate_report(report_id: int) -> None:
    """Make a requested report file (idempotent: a finished one is not made again)."""
    report_files.generate(report_id)


@job
def cleanup_report_files() -> None:
    """Delete report files older than a day (idempotent)."""
    report_files.cleanup(utcnow())
