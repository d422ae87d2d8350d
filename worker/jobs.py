"""RQ's entry point into the application's jobs: every RQ job is one outbox row, run by
`outbox.execute` inside the worker's app context. The job functions and their registry are in
`marketplace/services/jobs.py`; the dotted path of this function is stored in each RQ job, so it
stays here."""

from __future__ import annotations

from flask import has_app_context

from marketplace.services import outbox
from worker import worker_app


def run_outbox_job(outbox_id: int) -> None:
    """RQ entry point: run one outbox row inside the worker's app context."""
    if has_app_context():
        outbox.execute(outbox_id)
        return
    with worker_app().app_context():
        outbox.execute(outbox_id)
