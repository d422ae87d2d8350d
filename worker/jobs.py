"""Job functions. They take ids, open their own app context via the outbox runner, and are
idempotent: running one twice has the effect of running it once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

JOBS: dict[str, Callable[..., Any]] = {}


def job(func: Callable[..., Any]) -> Callable[..., Any]:
    """Register a function as an outbox job under its own name."""
    JOBS[func.__name__] = func
    return func


def run_outbox_job(outbox_id: int) -> None:
    """RQ entry point: run one outbox row inside the worker's app context."""
    from flask import has_app_context

    from marketplace.services import outbox
    from worker import worker_app

    if has_app_context():
        outbox.execute(outbox_id)
        return
    with worker_app().app_context():
        outbox.execute(outbox_id)


@job
def send_mail(message_id: str, to: str, subject: str, body: str) -> None:
    from marketplace.services import mail

    mail.deliver(message_id, to, subject, body)


@job
def relay_outbox() -> None:
    """Every minute: relay rows left pending, and again those whose RQ job was lost."""
    from marketplace.services import outbox

    outbox.relay()
    outbox.requeue_lost()


@job
def recompute_contract(contract_id: int) -> None:
    """After a realisation state change or contract edit (idempotent: recomputes from data)."""
    from marketplace import clock
    from marketplace.services import fulfilment

    fulfilment.recompute_contract(contract_id, clock.today())


@job
def nightly_recompute() -> None:
    from marketplace import clock
    from marketplace.services import fulfilment

    fulfilment.recompute_all(clock.today())


@job
def pso_expiry_sweep() -> None:
    from marketplace import clock
    from marketplace.services import pso

    pso.expiry_sweep(clock.today())


@job
def realisation_reminders() -> None:
    from marketplace import clock
    from marketplace.services import reminders

    reminders.send_reminders(clock.today())


@job
def generate_report(report_id: int) -> None:
    """Make a requested report file (idempotent: a finished one is not made again)."""
    from marketplace.services import report_files

    report_files.generate(report_id)


@job
def cleanup_report_files() -> None:
    """Delete report files older than a day (idempotent)."""
    from marketplace.models._types import utcnow
    from marketplace.services import report_files

    report_files.cleanup(utcnow())
