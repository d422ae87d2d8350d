"""`python -m worker` runs the application's jobs: an RQ worker with its scheduler, the periodic
jobs, and RQ's entry point into the outbox (`worker.jobs.run_outbox_job`).

The jobs themselves and their registry are the application's (`marketplace/services/jobs.py`),
and so is the RQ adapter (`marketplace/services/queue.py`): the worker imports services, never
the other way round."""

from __future__ import annotations

from flask import Flask

from marketplace import create_app

_app: Flask | None = None


def worker_app() -> Flask:
    """The app a worker process runs its jobs in (one per process, made from the environment
    on first use)."""
    global _app
    if _app is None:
        _app = create_app()
    return _app


def use_app(app: Flask | None) -> Flask | None:
    """Run this process's jobs in `app` instead (the bench's worker measure); returns the app
    used until now, to be put back."""
    global _app
    previous, _app = _app, app
    return previous
