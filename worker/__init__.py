"""`python -m worker` runs the application's jobs: an RQ worker with its scheduler, the periodic
jobs, and RQ's entry point into the outbox (`worker.jobs.run_outbox_job`).

The jobs themselves and their registry are the application's (`marketplace/services/jobs.py`),
and so is the RQ adapter (`marketplace/services/queue.py`): the worker imports services, never
the other way round."""

from __future__ import annotations

from functools import cache

from flask import Flask

from marketplace import create_app


@cache
def worker_app() -> Flask:
    """The app a worker process runs its jobs in (one per process)."""
    return create_app()
