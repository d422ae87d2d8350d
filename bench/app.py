"""The app the harness measures, built the same way in the harness process (for the sweeps and
the approvals, which the worker runs) and in the gunicorn process that serves the pages."""

from __future__ import annotations

import logging
import os
from typing import Any

import psycopg
from flask import Flask
from sqlalchemy.engine import URL, make_url

from marketplace import create_app

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/sr_bench"


def database_url() -> URL:
    """BENCH_DATABASE_URL with the psycopg 3 driver; a missing PostgreSQL database is created."""
    url = make_url(os.environ.get("BENCH_DATABASE_URL") or DEFAULT_URL)
    if url.get_backend_name() != "postgresql":
        return url
    url = url.set(drivername="postgresql+psycopg")
    admin = url.set(drivername="postgresql", database="postgres")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (url.database,))
        if exists.fetchone() is None:
            conn.execute(f'CREATE DATABASE "{url.database}"')
    return url


def bench_app(
    url: URL | str,
    mail_dir: str,
    *,
    server_name: str | None = None,
    overrides: dict[str, Any] | None = None,
) -> Flask:
    """The app as production runs it, except that jobs stay in the outbox (no Redis, no worker):
    the figures are the services' own, without mail delivery. CSRF is off so that the harness
    can post the login form without parsing it; the served app has no SERVER_NAME, so it
    answers whatever host the harness connects to."""
    config = {
        "SQLALCHEMY_DATABASE_URI": url
        if isinstance(url, str)
        else url.render_as_string(hide_password=False),
        "JOBS_MODE": "rq",
        "REDIS_URL": None,
        "RATELIMIT_STORAGE_URI": "memory://",
        # The harness is one client sending as fast as it can: limits no user meets.
        "SEARCH_RATE_LIMIT": "1000000 per minute",
        "API_RATE_LIMIT": "1000000 per minute",
        "WTF_CSRF_ENABLED": False,
        "MAIL_SERVER": None,
        "MAIL_DIR": mail_dir,
    }
    if server_name:
        config["SERVER_NAME"] = server_name
    config.update(overrides or {})  # e.g. Stripe and Redis for the webhook (bench/webhook.py)
    app = create_app(config)
    # Relaying to the absent Redis fails on purpose; its warning would flood stderr.
    logging.getLogger("marketplace.services.outbox").setLevel(logging.ERROR)
    return app
